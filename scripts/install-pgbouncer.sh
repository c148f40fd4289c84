#!/usr/bin/env bash
# Installs PgBouncer from Debian's packages for the pooler tests (test/pgbouncer.test.ts).
# Idempotent: does nothing when the binary is already there. The tests start their own PgBouncer as an
# unprivileged user on 127.0.0.1; the packaged service is not used (and not started where
# policy-rc.d forbids it, as in containers).
set -euo pipefail

if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
  echo "pgbouncer already installed: $( (command -v pgbouncer || echo /usr/sbin/pgbouncer) | head -n1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-pgbouncer.sh: must run as root (or with sudo available) to apt-get install pgbouncer" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; an old list may name versions no longer served.
if ! $SUDO apt-get install -y --no-install-recommends pgbouncer; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends pgbouncer
fi

if ! [ -x /usr/sbin/pgbouncer ] && ! command -v pgbouncer >/dev/null 2>&1; then
  echo "install-pgbouncer.sh: apt-get finished but no pgbouncer binary was found" >&2
  exit 1
fi
echo "pgbouncer installed: $(/usr/sbin/pgbouncer --version 2>/dev/null | head -n1 || pgbouncer --version | head -n1)"
