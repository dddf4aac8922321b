#!/usr/bin/env bash
# Prove the offline install: build the wheelhouse for this machine (online),
# then, in a network namespace with no network at all (unshare -n; root, as
# in CI), create a fresh environment from it and run demo, check, a search, an
# export, a verify and the window offscreen (install-offline.sh's self-test).
# With --frozen TARBALL, also unpack the self-contained app (its OCR models inside)
# and run the same, then, with the system's Tesseract models hidden, an OCR of a
# scanned page, a GeoTIFF's georeference and a measure, and a fit to control points.
#
#   packaging/prove-offline.sh [--frozen dist/evidence-workstation-*-linux-x86_64.tar.gz]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
frozen=
while [ $# -gt 0 ]; do
  case $1 in
    --frozen) frozen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) echo "usage: $0 [--frozen TARBALL]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

start=$SECONDS
"$here/wheelhouse.sh" "$work/wheelhouse" --platform this
echo "offline proof: wheelhouse built in $((SECONDS - start)) s" >&2

if [ "$(id -u)" = 0 ]; then netns=(unshare --net); else netns=(unshare --map-root-user --net); fi

offline() {
  "${netns[@]}" -- env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY "$@"
}
# The namespace really has no network: a connection fails at once.
offline python3 -c '
import socket, sys
try:
    socket.create_connection(("1.1.1.1", 443), timeout=3)
except OSError as exc:
    print(f"offline proof: no network in the namespace ({exc.strerror})", file=sys.stderr)
else:
    sys.exit("offline proof: the namespace has a network; the proof would prove nothing")
'

start=$SECONDS
offline "$work/wheelhouse/install-offline.sh" "$work/wheelhouse" --venv "$work/venv"
echo "offline proof: installed and self-tested in $((SECONDS - start)) s, no network" >&2

if [ -n "$frozen" ]; then
  start=$SECONDS
  mkdir "$work/app"
  tar -xzf "$frozen" -C "$work/app"
  app=$(find "$work/app" -maxdepth 2 -name workstation -type f | head -1)
  # The OCR models come inside the app (used below with the system's hidden).
  ls "$(dirname "$app")"/ocr-models/*.traineddata >/dev/null
  lib="$work/frozen-lib"
  # A scanned page (drawn as tests/scans.py draws the OCR tests' pages) and a GeoTIFF
  # (tests/samples.py), made here, before the network goes.
  (cd "$here/.." && uv run --frozen python - "$work/samples") <<'PY'
import sys
from pathlib import Path

from tests.samples import make_geotiff
from tests.scans import make_scanned_image

out = Path(sys.argv[1])
make_scanned_image(out, ["Port call at Nampo by the tanker", "IMO 9379301 reported in March"])
make_geotiff(out)
PY
  # The system's Tesseract models are hidden (a private mount namespace), so the OCR
  # below can only have read with the ones that came with the app.
  offline unshare --mount --propagation private env WORKSTATION_REVIEWER=offline-proof \
      QT_QPA_PLATFORM=offscreen sh -ec "
    for d in /usr/share/tesseract-ocr /usr/share/tessdata /usr/local/share/tessdata; do
      [ ! -d \$d ] || mount -t tmpfs none \$d
    done
    '$app' --library '$lib' demo --no-gui >/dev/null
    '$app' --library '$lib' check >/dev/null
    '$app' --library '$lib' search Rajin | grep Rajin >/dev/null
    '$app' --library '$lib' export --out '$work/frozen-bundle.zip' >/dev/null
    '$app' --library '$lib' verify '$work/frozen-bundle.zip' >/dev/null || [ \$? -eq 4 ]
    '$app' selftest-gui '$lib' 2>/dev/null
    scans='$work/frozen-lib-ocr'  # a library of its own: the demo's reports name Nampo too
    '$app' --library \$scans init >/dev/null
    '$app' --library \$scans import '$work/samples/scan.png' '$work/samples/scene.tif' >/dev/null
    '$app' --library \$scans ocr 1 --languages auto --force >/dev/null
    '$app' --library \$scans search Nampo | grep '^1 hit ' >/dev/null
    '$app' --library \$scans georef 2 | grep 'EPSG:32652' >/dev/null
    '$app' --library \$scans measure 2 --line 0,0,100,0 | grep 'measured 50.0' >/dev/null
    # A fit to four control points: least squares (numpy.linalg, built without OpenBLAS).
    '$app' --library \$scans georef 1 --point 0,0,38.70,125.30 --point 1000,0,38.70,125.31 \
        --point 0,1000,38.69,125.30 --point 1000,1000,38.6901,125.3101 \
      | grep '4 control points in EPSG:32651, residual 3.54 m, 0.989 m per pixel' >/dev/null
  "
  echo "offline proof: the frozen app ran demo, check, search, export, verify, its window, OCR with its own models and georeferencing in $((SECONDS - start)) s" >&2
fi
echo "offline proof: passed" >&2
