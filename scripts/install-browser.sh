#!/usr/bin/env bash
# The browser tests (tests/console/browser, pytest -m browser) drive Debian's chromium
# through Playwright: Playwright's own browser download cannot reach its servers here,
# and an office machine has the distribution's browser anyway. Installs chromium and the
# CJK fonts (so Chinese pages and screenshots render glyphs, not boxes) when chromium is
# missing. Needs root (or sudo) and Debian's apt; does nothing when chromium is there.
set -euo pipefail

CHROMIUM=${SEARCHLIGHT_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: $CHROMIUM is missing and apt-get is not available;" \
         "install chromium and a CJK font (Noto CJK) by hand, or set SEARCHLIGHT_CHROMIUM" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "install-browser: installing chromium and fonts-noto-cjk with apt-get"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
