#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's Chromium, which the status-page
# test drives with playwright-core (executablePath /usr/bin/chromium; playwright's own browser
# download is never used). Idempotent: does nothing when Chromium is already installed.
set -euo pipefail

if [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; then
  echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-deps: Chromium is missing and this user cannot install it (run as root: apt-get install chromium)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
echo "install-test-deps: installed $(/usr/bin/chromium --version 2>/dev/null)"
