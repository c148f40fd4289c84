#!/usr/bin/env bash
# Fetches PostgreSQL's own regression suite (src/test/regress of Debian's postgresql-15 source
# package) for test/regression-fidelity.test.ts, which builds the suite's `regression` database and
# copies it. Idempotent: does nothing when the unpacked suite is already cached.
#
# Where: ${PGSYNC_CACHE_DIR}/regress-15.18. Default cache dir: /var/cache/pgsync-ts as root (the
# embedded servers then run as `nobody`, which cannot enter a 0700 /root, and the suite's
# test_setup.sql loads its tables with a server-side COPY from that directory), otherwise
# $HOME/.cache/pgsync-ts. Prints the suite's directory on the last line of stdout.
#
# The version is pinned: the security archive may list a newer postgresql-15 whose source is not
# downloadable from the main archive, and the suite must match the client (psql 15) that runs it.
set -euo pipefail

VERSION="15.18"
DEBIAN_VERSION="${VERSION}-0+deb12u1"

if [ -n "${PGSYNC_CACHE_DIR:-}" ]; then
  CACHE_DIR="$PGSYNC_CACHE_DIR"
elif [ "$(id -u)" -eq 0 ]; then
  CACHE_DIR="/var/cache/pgsync-ts"
else
  CACHE_DIR="$HOME/.cache/pgsync-ts"
fi
SUITE_DIR="$CACHE_DIR/regress-$VERSION"
MARKER="$SUITE_DIR/.pgsync-ts-complete"

log() { echo "fetch-regression-suite: $*" >&2; }

if [ -f "$MARKER" ]; then
  log "cached in $SUITE_DIR"
  echo "$SUITE_DIR"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# dpkg-dev for apt-get source, postgresql-client-15 for the psql that runs the suite's files (both
# also listed in scripts/provision.sh, with the same proof files; only these two are installed here).
missing=()
[ -x /usr/bin/dpkg-source ] || missing+=(dpkg-dev)
[ -x /usr/lib/postgresql/15/bin/psql ] || missing+=(postgresql-client-15)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    log "missing ${missing[*]} and this user cannot install them (as root: apt-get install -y --no-install-recommends ${missing[*]})"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# The deb-src line reuses the URI of this machine's own Debian archive (a mirror or snapshot).
ARCHIVE_URI=""
for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
  [ -f "$file" ] || continue
  uri="$(awk '
    /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
    /^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }
  ' "$file")"
  if [ -n "$uri" ]; then
    ARCHIVE_URI="${uri%/}"
    break
  fi
done
if [ -z "$ARCHIVE_URI" ]; then
  log "no Debian archive URI (ending in /debian) found in /etc/apt/sources.list.d; using deb.debian.org"
  ARCHIVE_URI="http://deb.debian.org/debian"
fi

mkdir -p "$CACHE_DIR"
WORK="$(mktemp -d "$CACHE_DIR/.fetch-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# A private sources list and lists directory: the machine's own apt state is left untouched.
mkdir -p "$WORK/lists/partial" "$WORK/parts" "$WORK/download"
KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"
echo "deb-src [signed-by=$KEYRING] $ARCHIVE_URI bookworm main" >"$WORK/sources.list"
APT_OPTS=(
  -o "Dir::Etc::SourceList=$WORK/sources.list"
  -o "Dir::Etc::SourceParts=$WORK/parts"
  -o "Dir::State::Lists=$WORK/lists"
  -o "Dir::Cache::Archives=$WORK/download"
  # As root apt drops to _apt for downloads, which cannot write into the private 0700 work dir.
  -o "APT::Sandbox::User=root"
)
log "source index from $ARCHIVE_URI"
apt-get "${APT_OPTS[@]}" update -qq
(cd "$WORK/download" && apt-get "${APT_OPTS[@]}" source --download-only -qq "postgresql-15=$DEBIAN_VERSION")

ORIG="$(ls "$WORK/download"/postgresql-15_"$VERSION".orig.tar.* 2>/dev/null | head -n 1)"
if [ -z "$ORIG" ]; then
  log "the download has no postgresql-15_$VERSION.orig.tar.*: $(ls "$WORK/download")"
  exit 1
fi

# Only src/test/regress is unpacked (the upstream tree; Debian's patches do not touch the suite's SQL).
mkdir -p "$WORK/unpack"
tar -xf "$ORIG" -C "$WORK/unpack" --no-same-owner --no-same-permissions "postgresql-$VERSION/src/test/regress"
UNPACKED="$WORK/unpack/postgresql-$VERSION/src/test/regress"
[ -f "$UNPACKED/parallel_schedule" ] || {
  log "unpacked tree has no parallel_schedule"
  exit 1
}
touch "$UNPACKED/.pgsync-ts-complete"

# Readable by the server's OS user (nobody, when the suite runs as root).
chmod -R u+w,go-w,a+rX "$UNPACKED"
rm -rf "$SUITE_DIR"
mv "$UNPACKED" "$SUITE_DIR"
chmod a+rx "$CACHE_DIR"
# Ancestors are not ours to change (a 0700 home stays 0700): say so instead.
dir="$CACHE_DIR"
while [ "$dir" != "/" ]; do
  dir="$(dirname "$dir")"
  if [ "$(($(stat -c %a "$dir" | sed 's/^.*\(.\)$/\1/') & 1))" -ne 1 ]; then
    log "warning: other users cannot enter $dir; a server running as another user (nobody, under root) cannot read the suite: set PGSYNC_CACHE_DIR elsewhere"
  fi
done
log "unpacked into $SUITE_DIR"
echo "$SUITE_DIR"
