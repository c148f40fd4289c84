#!/usr/bin/env bash
# The one list of what the tests and the benchmark need from Debian's packages, and its installer.
#
#   bash scripts/provision.sh test    # what `npm test` needs (run by its pretest script)
#   bash scripts/provision.sh bench   # what `npm run bench` needs (run by its prebench script)
#
# Installs only what is missing. As root it runs apt-get itself; with sudo it uses sudo; otherwise
# it stops at once and prints the exact command to run. Nothing here is used by pgsync-ts itself:
# pg_dump and psql are test oracles and benchmark peers, never part of a sync.
set -euo pipefail

purpose="${1:-test}"
case "$purpose" in test | bench) ;; *)
  echo "provision.sh: unknown purpose \"$purpose\" (expected test or bench)" >&2
  exit 2
  ;;
esac

# package | the file that proves it is installed | who needs it | why
PACKAGES=(
  "pgbouncer|/usr/sbin/pgbouncer|test|the transaction-pooler tests (test/pgbouncer.test.ts)"
  "chromium|/usr/bin/chromium|test|the status-page test, driven by playwright-core"
  "postgresql-client-15|/usr/lib/postgresql/15/bin/pg_dump|test bench|pg_dump 15 as an oracle, psql to build the regression database, the pg_dump peers"
  "dpkg-dev|/usr/bin/dpkg-source|test|apt-get source: PostgreSQL's regression suite from Debian's postgresql-15 source package"
  "age|/usr/bin/age|test|the archive tests read an encrypted archive file by hand, as docs/archives.md shows"
  "zstd|/usr/bin/zstd|test|the archive tests read an archive file by hand, as docs/archives.md shows"
  "time|/usr/bin/time|bench|GNU time, which reads each timed process's peak RSS"
  "pgcopydb|/usr/bin/pgcopydb|bench|pgcopydb clone, a benchmark peer"
  "hyperfine|/usr/bin/hyperfine|bench|hyperfine, which times the fixed costs (start-up, --help, the 1 MB run) as medians of many runs"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r package proof purposes _why <<<"$entry"
  [[ " $purposes " == *" $purpose "* ]] || continue
  [ -x "$proof" ] || missing+=("$package")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "provision ($purpose): every Debian package is installed"
  exit 0
fi

command_line="apt-get install -y --no-install-recommends ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "provision ($purpose): missing Debian packages: ${missing[*]}" >&2
    echo "provision ($purpose): run as root: $command_line" >&2
    exit 1
  fi
fi

echo "provision ($purpose): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet, and an old list may name versions no longer served.
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r package proof _purposes _why <<<"$entry"
  if [[ " ${missing[*]} " == *" $package "* ]] && ! [ -x "$proof" ]; then
    echo "provision ($purpose): apt-get finished but $proof (package $package) is missing" >&2
    exit 1
  fi
done
echo "provision ($purpose): installed ${missing[*]}"
