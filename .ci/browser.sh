#!/usr/bin/env bash
# Make sure headless Chromium is there for the browser tests and `stimmung report --format pdf`.
# Installs Debian's `chromium` package when no browser is found and we are root; otherwise
# prints how to install it (the browser tests then skip, or fail with STIMMUNG_REQUIRE_BROWSER=1).
set -euo pipefail

have_browser() {
  if [ -n "${STIMMUNG_CHROMIUM:-}" ]; then
    command -v "$STIMMUNG_CHROMIUM" >/dev/null 2>&1
    return
  fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  return 1
}

have_browser && exit 0

outcome="the browser tests will skip"
if [ "${STIMMUNG_REQUIRE_BROWSER:-}" = 1 ]; then
  outcome="the browser tests will FAIL (STIMMUNG_REQUIRE_BROWSER=1)"
fi
hint="install it with 'sudo apt-get install chromium' (or set STIMMUNG_CHROMIUM to a Chromium/Chrome executable)"
if [ -n "${STIMMUNG_CHROMIUM:-}" ]; then
  echo "warning: STIMMUNG_CHROMIUM=$STIMMUNG_CHROMIUM is not an executable; $outcome; $hint" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the browser tests..."
  # the emoji font: posts are full of emoji, and PDFs would show empty boxes without it
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium fonts-noto-color-emoji >/dev/null; then
    have_browser && exit 0
  fi
  echo "warning: installing chromium failed; $outcome; $hint" >&2
else
  echo "note: no Chromium found, and installing it needs root and apt-get; $outcome; $hint" >&2
fi
exit 0
