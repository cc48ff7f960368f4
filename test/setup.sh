#!/bin/sh
# What the tests need beyond the npm packages, installed when this machine
# allows it: Debian's Dovecot (the IMAP tests start their own on 127.0.0.1,
# run as the unprivileged vmail user), xz and zstd (mirror metadata is
# compressed as mirrors serve it), openssl (a certificate for IMAP over TLS),
# util-linux's flock (the state lock), systemd-analyze (scores the unit),
# Chromium (the status pages are read in a headless browser). Then the npm packages, if missing.
# `npm test` runs this first; as root on Debian or Ubuntu it installs what
# is missing, elsewhere it stops at once, saying what to run.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v dovecot >/dev/null 2>&1 || need="$need dovecot-imapd"
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
command -v zstd >/dev/null 2>&1 || need="$need zstd"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v flock >/dev/null 2>&1 || need="$need util-linux"
command -v systemd-analyze >/dev/null 2>&1 || need="$need systemd"
[ -x /usr/bin/chromium ] || need="$need chromium"
vmail=yes
id vmail >/dev/null 2>&1 || vmail=no

if [ -n "$need" ] || [ "$vmail" = no ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if [ -n "$need" ]; then
      echo "test setup: installing$need" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
      # shellcheck disable=SC2086
      apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $need >/dev/null
    fi
    if [ "$vmail" = no ]; then
      echo "test setup: adding the system user vmail" >&2
      useradd --system --no-create-home --shell /usr/sbin/nologin vmail
    fi
  else
    echo "the tests need${need:+$need}$( [ "$vmail" = no ] && echo ' a vmail user' ): run \`sudo sh test/setup.sh\` once (Debian/Ubuntu), then \`npm test\`" >&2
    exit 1
  fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
