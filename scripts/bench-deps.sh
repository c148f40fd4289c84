#!/usr/bin/env bash
# Installs what the benchmark harness (npm run bench) needs from Debian's packages:
#   time                   GNU time (/usr/bin/time), which reads the peak RSS of each timed process
#   postgresql-client-15   pg_dump, pg_restore and psql of the servers' major, for the pg_dump peers
# Idempotent: installs only what is missing. BENCH_PG_MAJOR picks another client major (default 15).
set -euo pipefail

major="${BENCH_PG_MAJOR:-15}"
missing=()
[ -x /usr/bin/time ] || missing+=(time)
[ -x "/usr/lib/postgresql/${major}/bin/pg_dump" ] || missing+=("postgresql-client-${major}")

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bench dependencies already installed: /usr/bin/time, $("/usr/lib/postgresql/${major}/bin/pg_dump" --version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "bench-deps.sh: must run as root (or with sudo available) to apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; an old list may name versions no longer served.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

[ -x /usr/bin/time ] || { echo "bench-deps.sh: apt-get finished but /usr/bin/time is missing" >&2; exit 1; }
[ -x "/usr/lib/postgresql/${major}/bin/pg_dump" ] || {
  echo "bench-deps.sh: apt-get finished but /usr/lib/postgresql/${major}/bin/pg_dump is missing" >&2
  exit 1
}
echo "bench dependencies installed: /usr/bin/time, $("/usr/lib/postgresql/${major}/bin/pg_dump" --version)"
