#!/usr/bin/env bash
# Browser tests drive Debian's Chromium and inject axe-core from npm: install both when absent.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium with apt..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "Installing npm packages (axe-core) from package-lock.json..." >&2
  npm ci --no-audit --no-fund >&2
fi
