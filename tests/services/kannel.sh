#!/usr/bin/env bash
# Install Kannel and its fake SMSC (kannel-extras) for the test suite, where we may: root and apt-get.
# Idempotent and quiet; never fails the caller. The tests start and stop their own Kannel on free ports.
set -u
FAKESMSC=/usr/lib/kannel/test/fakesmsc

if [ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ] && [ -x "$FAKESMSC" ]; then
  echo "Kannel: installed"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Kannel: installing kannel kannel-extras (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends kannel kannel-extras; } \
    >/tmp/malux-kannel-install.log 2>&1 || echo "Kannel: install failed, see /tmp/malux-kannel-install.log"
  # On a machine with systemd the package starts a bearerbox of its own on port 13000: ours need none.
  command -v systemctl >/dev/null 2>&1 && systemctl disable --now kannel >/dev/null 2>&1
  [ -x "$FAKESMSC" ] && echo "Kannel: installed" || echo "Kannel: not installed (its tests will skip)"
else
  echo "Kannel: not installed and not root with apt-get: its tests will skip (and fail under CI=true)"
fi
exit 0
