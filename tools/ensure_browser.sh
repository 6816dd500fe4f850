#!/usr/bin/env bash
# Make sure the browser tests (tests/browser) have Debian's chromium and a CJK font.
#
# Playwright drives /usr/bin/chromium from Debian; it never downloads a browser of its own. When the
# browser or the font is missing and this runs as root with apt-get, they are installed
# (`apt-get update` only if the first attempt fails). Best effort: when nothing can be installed
# (not root, no apt-get, no network) it says so and exits 0; the browser tests then skip, or fail
# when MINYI_REQUIRE_BROWSER=1 (set by .ci/run).
set -u

CHROMIUM=/usr/bin/chromium
say() { echo "ensure_browser: $*"; }

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
if command -v dpkg-query >/dev/null 2>&1; then
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" \
    || missing+=(fonts-noto-cjk)
fi
# Without chromium, install the font along with it (the pages are Chinese).
if [ ! -x "$CHROMIUM" ] && [[ ! " ${missing[*]} " == *" fonts-noto-cjk "* ]]; then
  missing+=(fonts-noto-cjk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  say "chromium ($CHROMIUM) and fonts-noto-cjk are installed."
  exit 0
fi

say "missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  say "not root: cannot install them; run as root: apt-get install -y --no-install-recommends ${missing[*]}"
  say "the browser tests will be skipped (or fail with MINYI_REQUIRE_BROWSER=1)."
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get on this machine: cannot install ${missing[*]}; the browser tests will be skipped."
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends "${missing[@]}"; }
say "apt-get install -y --no-install-recommends ${missing[*]}"
if ! install; then
  say "install failed; running apt-get update and trying again"
  if ! { apt-get update -q && install; }; then
    say "could not install ${missing[*]}; the browser tests will be skipped (or fail with MINYI_REQUIRE_BROWSER=1)."
    exit 0
  fi
fi
if [ -x "$CHROMIUM" ]; then
  say "installed: ${missing[*]} ($("$CHROMIUM" --version 2>/dev/null))"
else
  say "installed ${missing[*]} but $CHROMIUM is still missing."
fi
exit 0
