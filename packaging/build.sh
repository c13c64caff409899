#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/kviz/ with PyInstaller (Linux; too slow for CI).
#
#   packaging/build.sh [VENV]
#
# VENV (default build/bundle-venv) is created when missing; the app and PyInstaller are
# installed into it from this checkout, so the bundle holds exactly the checked-out code.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-build/bundle-venv}"
start=$SECONDS

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q ".[bundle]"
installed=$SECONDS

# -P: the checkout's own kviz.egg-info must not stand in for the installed metadata.
"$venv/bin/python" -P -m PyInstaller --noconfirm \
    --distpath dist --workpath build/pyinstaller packaging/kviz.spec

echo "bundle: dist/kviz, $(du -sh dist/kviz | cut -f1)," \
    "built in $((SECONDS - start)) s ($((SECONDS - installed)) s in PyInstaller)"
echo "try it: dist/kviz/kviz --version"
