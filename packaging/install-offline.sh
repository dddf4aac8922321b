#!/usr/bin/env bash
# Install Evidence Workstation from an offline wheelhouse into a fresh virtual
# environment: no index, no network, every wheel checked against its pinned
# SHA-256; then a self-test on a scratch demo library (demo, check, search,
# export, verify, the window offscreen), so a broken install says so now,
# not in front of evidence.
#
#   install-offline.sh WHEELHOUSE [--venv DIR] [--python PYTHON] [--key RELEASE-KEY.pem]
#
# --venv defaults to ~/.local/share/evidence-workstation/venv; an existing one
# is replaced only after the new one passed its self-test (an update). With
# --key, the wheelhouse's SHA256SUMS and its signature are checked first with
# sha256sum and openssl, and nothing is installed if either fails.
set -euo pipefail
usage() { echo "usage: $0 WHEELHOUSE [--venv DIR] [--python PYTHON] [--key RELEASE-KEY.pem]" >&2; exit 2; }
fail() { echo "workstation install: $*" >&2; exit 1; }
[ $# -ge 1 ] || usage
house=$1; shift
venv=${XDG_DATA_HOME:-$HOME/.local/share}/evidence-workstation/venv
python=python3
key=
while [ $# -gt 0 ]; do
  case $1 in
    --venv) [ $# -ge 2 ] || usage; venv=$2; shift 2 ;;
    --python) [ $# -ge 2 ] || usage; python=$2; shift 2 ;;
    --key) [ $# -ge 2 ] || usage; key=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -f "$house/requirements.txt" ] && [ -d "$house/wheels" ] \
  || fail "$house is not a wheelhouse (no requirements.txt and wheels/)"
house=$(cd "$house" && pwd)

if [ -n "$key" ]; then
  [ -f "$house/SHA256SUMS" ] && [ -f "$house/SHA256SUMS.sig" ] \
    || fail "the wheelhouse is not signed (no SHA256SUMS or SHA256SUMS.sig); nothing installed"
  openssl pkeyutl -verify -pubin -inkey "$key" -rawin -in "$house/SHA256SUMS" \
    -sigfile "$house/SHA256SUMS.sig" >/dev/null 2>&1 \
    || fail "the signature on SHA256SUMS is bad or made by another key; nothing installed"
  (cd "$house" && sha256sum --check --strict --quiet SHA256SUMS) \
    || fail "a file differs from SHA256SUMS (see above); nothing installed"
  extra=$(cd "$house" && find . -type f ! -name 'SHA256SUMS*' | sed 's|^\./||' | LC_ALL=C sort \
    | LC_ALL=C comm -23 - <(cut -c67- SHA256SUMS | LC_ALL=C sort) | head -5 | tr '\n' ' ')
  [ -z "$extra" ] || fail "not part of the release (not in SHA256SUMS): $extra; nothing installed"
fi

"$python" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' \
  || fail "$python is not Python 3.11 to 3.13"

new="$venv.new"
rm -rf "$new"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$new" || fail "could not create a virtual environment (on Debian: apt install python3-venv)"
# PIP_*: no configuration of this machine's pip (an index, a mirror) may add a source.
env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT \
  "$new/bin/python" -m pip --isolated install --quiet --no-index --find-links "$house/wheels" \
  --require-hashes --only-binary=:all: -r "$house/requirements.txt" \
  || { rm -rf "$new"; fail "pip could not install from $house; nothing changed"; }

# Self-test on a scratch library, offscreen, before the new environment replaces the old.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ws="$new/bin/workstation"
selftest() {
  export WORKSTATION_REVIEWER=install-selftest QT_QPA_PLATFORM=offscreen
  "$ws" --library "$scratch/lib" demo --no-gui >/dev/null &&
  "$ws" --library "$scratch/lib" check >/dev/null &&
  "$ws" --library "$scratch/lib" search Rajin | grep Rajin >/dev/null &&
  "$ws" --library "$scratch/lib" export --out "$scratch/bundle.zip" >/dev/null &&
  "$ws" --library "$scratch/lib" verify "$scratch/bundle.zip" >/dev/null; rc=$?
  # verify: 4 means valid and unsigned, which a demo export is.
  [ $rc -eq 0 ] || [ $rc -eq 4 ] || return 1
  # The desktop app, offscreen: the window opens a PDF beside an image and closes.
  "$new/bin/python" "$house/smoke_gui.py" "$scratch/lib" 2>"$scratch/qt.log" \
    || { cat "$scratch/qt.log" >&2; return 1; }
}
selftest || { rm -rf "$new"; fail "the self-test failed (demo, check, search, export, window); nothing changed"; }

rm -rf "$venv.old"
[ -d "$venv" ] && mv "$venv" "$venv.old"
mv "$new" "$venv"
# A venv's scripts and activate files name it by path: point them at its new place.
"$venv/bin/python" - "$new" "$venv" <<'PY'
import sys
from pathlib import Path

old, new = sys.argv[1], sys.argv[2]
for path in Path(new, "bin").iterdir():
    if path.is_file() and not path.is_symlink():
        data = path.read_bytes()
        if old.encode() in data and b"\0" not in data:
            path.write_bytes(data.replace(old.encode(), new.encode()))
PY
rm -rf "$venv.old"
version=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("evidence-workstation"))')
echo "installed: Evidence Workstation $version in $venv (self-test passed)"
echo "run: $venv/bin/workstation   (add $venv/bin to PATH)"
