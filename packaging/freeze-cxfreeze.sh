#!/usr/bin/env bash
# The runner-up freezer, kept so its figures in docs/performance.md can be
# re-measured: cx_Freeze on the same launcher, data and exclusions as the
# PyInstaller recipe (build-linux.sh prunes plugins after either). Output:
# build/cxfreeze/evidence-workstation/ (not a release artefact).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/cxfreeze/evidence-workstation
rm -rf build/cxfreeze
mkdir -p build
start=$SECONDS
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && uv run --project "$root" --frozen --with "cx_Freeze>=8.4,<9" \
  python "$root/packaging/cxfreeze_setup.py" build_exe --build-exe "$root/$out" \
  >"$root/build/cxfreeze.log" 2>&1) || { tail -20 build/cxfreeze.log >&2; exit 1; }
echo "cx_Freeze: $(du -sm "$out" | cut -f1) MB unpacked, frozen in $((SECONDS - start)) s" >&2
