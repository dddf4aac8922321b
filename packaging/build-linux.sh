#!/usr/bin/env bash
# Build the self-contained Linux x86-64 application with one command:
#
#   packaging/build-linux.sh [--sign FP --library RELEASE-LIB [--passphrase-file F]]
#     -> dist/evidence-workstation-<version>-linux-x86_64.tar.gz (+ SHA256SUMS, signed with --sign)
#
# PyInstaller (chosen over cx_Freeze on the figures in docs/performance.md)
# freezes packaging/launcher.py with Python, Qt (QtCore/Gui/Widgets/Svg;
# other modules and unused plugins left out), PyMuPDF, libvips, tantivy, the
# migrations and resources, Tesseract's OCR models (ocr-models/), and DejaVu Sans
# with its licence (the CJK font is the one inside PyMuPDF's libmupdf, Droid Sans
# Fallback: the launcher hands it to Qt). Unpack anywhere and run
# evidence-workstation-<version>/workstation. The tarball is in SHA256SUMS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
sign_key=; sign_lib=; pass_file=
while [ $# -gt 0 ]; do
  case $1 in
    --sign) sign_key=$2; shift 2 ;;
    --library) sign_lib=$2; shift 2 ;;
    --passphrase-file) pass_file=$2; shift 2 ;;
    *) echo "usage: $0 [--sign FP --library RELEASE-LIB [--passphrase-file F]]" >&2; exit 2 ;;
  esac
done
if [ -n "$sign_key" ] && [ -z "$sign_lib" ]; then
  echo "workstation build: --sign needs --library (where the release key is kept)" >&2; exit 2
fi
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "workstation build: Linux x86-64 only" >&2; exit 1; }

version=$(uv run --frozen python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
name="evidence-workstation-$version"
build="$root/build/linux"
rm -rf "$build"
mkdir -p "$build/fonts" "$root/dist"

# The font for Russian (DejaVu Sans), from Debian's package, with its licence (Bitstream
# Vera's). Korean, Japanese and Chinese need none of ours: libmupdf carries Droid Sans
# Fallback (Apache 2.0), which the dossier uses and launcher.py gives Qt at start-up;
# Noto Sans CJK beside it was 19.5 MB of the same characters (docs/performance.md).
dejavu=/usr/share/fonts/truetype/dejavu
tessdata=/usr/share/tesseract-ocr/5/tessdata
needed=()
for code in eng rus kor jpn jpn-vert chi-sim chi-tra osd; do
  [ -f "$tessdata/${code//-/_}.traineddata" ] || needed+=("tesseract-ocr-$code")
done
[ -f "$dejavu/DejaVuSans.ttf" ] || needed+=(fonts-dejavu-core)
command -v icupkg >/dev/null || needed+=(icu-devtools)  # trim_icu.py
command -v gcc >/dev/null || needed+=(gcc)
if [ ${#needed[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
cp "$dejavu/DejaVuSans.ttf" "$build/fonts/"
cp /usr/share/doc/fonts-dejavu-core/copyright "$build/fonts/LICENSE-DejaVu.txt"

# numpy built from its locked sdist without OpenBLAS (25 MB with libgfortran 27): the app
# does linear algebra only on the handful of control points of a georeference
# (numpy.linalg.lstsq and svd), which numpy's own bundled LAPACK subset (lapack_lite)
# does, and no SIMD variants (the arrays are tiny). Built once per numpy version (2
# minutes on two busy cores) into the build machine's cache, outside the checkout so a
# fresh clone on the machine reuses it: ~/.cache/evidence-workstation-build/numpy-<version>-<flags>/,
# the flags' digest in the name, so a change to them builds again. The flags go on the
# requirement's line: pip 26 drops command-line -C settings for a requirement read from a
# file (numpy then built with system BLAS/LAPACK and AVX-512 kernels: a 10 MB core instead
# of 4.8, and the budget missed by 5 MB). PyInstaller
# runs in an environment of its own (build/freeze-env: the locked runtime and packaging
# dependencies, then that numpy over the locked one), so the checkout's .venv is untouched.
# prove-offline.sh fits four control points with the frozen app (least squares).
numpy_version=$(uv run --frozen python -c 'import numpy; print(numpy.__version__)')
numpy_flags="--config-settings=setup-args=-Dblas=none --config-settings=setup-args=-Dlapack=none"
numpy_flags+=" --config-settings=setup-args=-Dallow-noblas=true"
numpy_flags+=" --config-settings=setup-args=-Dcpu-dispatch=none"
flags_digest=$(printf '%s' "$numpy_flags" | sha256sum | cut -c1-12)
numpy_dir="${XDG_CACHE_HOME:-$HOME/.cache}/evidence-workstation-build/numpy-$numpy_version-$flags_digest"
mkdir -p "$numpy_dir"  # before find: a missing folder fails the pipe (pipefail) on a fresh machine
numpy_whl=$(find "$numpy_dir" -name "numpy-$numpy_version-*.whl" | head -1)
if [ -z "$numpy_whl" ]; then
  uv run --frozen python - "$numpy_version" "$numpy_flags" >"$numpy_dir/requirements.txt" <<'PY'
import sys, tomllib
lock = tomllib.load(open("uv.lock", "rb"))
sdist = next(p["sdist"] for p in lock["package"] if p["name"] == "numpy" and p["version"] == sys.argv[1])
print(f"numpy=={sys.argv[1]} --hash={sdist['hash']} {sys.argv[2]}")
PY
  uvx pip --isolated wheel --quiet --no-cache-dir --no-deps --no-binary numpy --require-hashes \
    -r "$numpy_dir/requirements.txt" -w "$numpy_dir"
  # What was built must be what was asked: numpy records its BLAS in its build config.
  uv run --frozen python - "$(find "$numpy_dir" -name "numpy-$numpy_version-*.whl" | head -1)" <<'PY' \
    || { echo "workstation build: numpy was built with a BLAS; its flags did not reach meson" >&2; exit 1; }
import re, sys, zipfile
config = zipfile.ZipFile(sys.argv[1]).read("numpy/__config__.py").decode()
sys.exit(0 if re.search(r'"blas": \{\s*"name": "none"', config) else 1)
PY
  numpy_whl=$(find "$numpy_dir" -name "numpy-$numpy_version-*.whl" | head -1)
fi

freeze_env="$root/build/freeze-env"
UV_PROJECT_ENVIRONMENT="$freeze_env" uv sync --frozen --quiet --no-default-groups --group package
uv pip install --quiet --python "$freeze_env/bin/python" --no-deps --reinstall "$numpy_whl"

start=$SECONDS
WORKSTATION_FONTS_DIR="$build/fonts" WORKSTATION_VERSION="$version" \
  "$freeze_env/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$build/dist" --workpath "$build/work" "$here/evidence-workstation.spec"
app="$build/dist/evidence-workstation"

# Qt plugins the app never loads (networking, SQL, QML, printing, TLS, designer...).
plugins="$app/_internal/PySide6/Qt/plugins"
for unused in networkinformation tls sqldrivers qmltooling qmllint designer printsupport \
    generic egldeviceintegrations wayland-graphics-integration-server vectorimageformats \
    wayland-graphics-integration-client wayland-decoration-client wayland-shell-integration; do
  rm -rf "${plugins:?}/$unused"
done
# Kiosk and remote platforms, and Wayland (2.1 MB with its client library): a Wayland
# desktop runs the app through XWayland, as Qt falls back to xcb by itself. xcb and
# offscreen (the self-test) stay.
rm -f "$plugins"/platforms/lib{qeglfs,qlinuxfb,qminimalegl,qvnc,qvkkhrdisplay,qwayland}.so
# The GTK platform theme (native file dialogs) drags in GTK, Cairo, Pango and
# ATK from the build machine; the app uses Qt's Fusion style and Qt's dialogs.
rm -f "$plugins/platformthemes/libqgtk3.so"
internal="$app/_internal"
for lib in libgtk-3 libgdk-3 libgdk_pixbuf-2.0 libatk-1.0 libatk-bridge-2.0 libatspi \
    libcairo libcairo-gobject libpango-1.0 libpangocairo-1.0 libpangoft2-1.0 libpixman-1 \
    libepoxy libthai libdatrie libfribidi libXcomposite libXdamage libXinerama libXi \
    libXrandr libXcursor libQt6Network libQt6OpenGL libQt6EglFSDeviceIntegration \
    libQt6EglFsKmsSupport libQt6WaylandClient libQt6WlShellIntegration; do
  rm -f "$internal/$lib".so* "$internal/PySide6/Qt/lib/$lib".so*
done
# Symbols nobody here debugs: strip what still has them (libpython of a source
# build, lib-dynload, the Rust extensions, ICU: 35 MB). Not the libraries that
# auditwheel edited with patchelf (an RPATH into a *.libs folder, or inside one):
# strip corrupts them (pyvips' _libvips stops loading).
find "$internal" -type f \( -name '*.so' -o -name '*.so.*' \) ! -path '*.libs/*' | while read -r so; do
  file "$so" | grep -q 'not stripped' || continue
  readelf -d "$so" 2>/dev/null | grep -Eq '(RPATH|RUNPATH).*\.libs' && continue
  strip --strip-unneeded "$so"
done
# Qt's ICU data cut to the reviewers' languages (32 -> 9.5 MB; icupkg and gcc),
# then the 2 MiB padding patchelf left in the wheels' libraries and their debug
# sections taken out (40 MB; no code or data byte changes). Both explained in
# the scripts.
uv run --frozen python "$here/trim_icu.py" "$internal/PySide6/Qt/lib"
uv run --frozen python "$here/elf_compact.py" "$internal"
# Libraries every Linux desktop has, which portable Linux apps take from the system
# (AppImage's excludelist: GLib, Xlib, fontconfig, FreeType, expat, zlib, libgcc,
# libuuid, libgpg-error; 4.3 MB, and what only they needed goes below), and D-Bus's
# client library, which every systemd desktop has (with libsystemd, libgcrypt, liblz4
# and libcap under it: 2.7 MB). libstdc++ stays (RHEL 9's is older than the build
# machine's).
for lib in libglib-2.0.so.0 libX11.so.6 libfontconfig.so.1 libfreetype.so.6 libexpat.so.1 \
    libz.so.1 libgcc_s.so.1 libuuid.so.1 libgpg-error.so.0 libdbus-1.so.3; do
  rm -f "${internal:?}/$lib"
done
# System libraries that only the removed GTK stack used (GIO, Kerberos...: 6.6 MB), and
# those only the libraries above used.
uv run --frozen python "$here/prune_orphans.py" "$internal"
# PROJ's database without the IAU's planetary systems (Moon, Mars...: 0.6 MB); every
# Earth CRS stays (tests/test_packaging.py compares them all).
uv run --frozen python "$here/trim_proj.py" "$internal/pyproj/proj_dir/share/proj/proj.db"
# Pillow's AVIF codec (5 MB; the app imports no AVIF: Pillow then reports it
# unsupported) and its Tk bridge.
rm -f "$internal"/PIL/_avif.*.so "$internal"/PIL/_imagingtk.*.so "$internal"/pillow.libs/libavif-*.so*
# Qt's own translations (1 MB): the program installs no QTranslator (its window is in
# English), so Qt never reads them.
rm -rf "$internal/PySide6/Qt/translations"
# Babel's locale data (courlan reads it for language filters): the same languages.
find "$internal/babel/locale-data" -name '*.dat' ! -name 'root.dat' ! -name 'en*' \
  ! -name 'ru*' ! -name 'uk*' ! -name 'ko*' ! -name 'ja*' ! -name 'zh*' -delete
if find "$internal" -name 'libscipy_openblas*' | grep -q .; then
  echo "workstation build: OpenBLAS got into the app (numpy from the environment, not $numpy_whl)" >&2; exit 1
fi
cp "$root/README.md" "$app/README.md"
cp "$here/linux/evidence-workstation.desktop" "$here/linux/evidence-workstation.png" "$app/"
cat >"$app/LICENSES.txt" <<TXT
Evidence Workstation $version, self-contained build for Linux x86-64.
It contains Python (PSF licence), Qt 6 and PySide6 (LGPLv3; the Qt libraries are
separate shared files under _internal/PySide6 and may be replaced), PyMuPDF/MuPDF
(AGPLv3, with the fonts built into libmupdf: Droid Sans Fallback for Korean, Japanese
and Chinese, Apache 2.0, which the program also gives Qt), libvips (LGPLv2.1+), and
the fonts in _internal/fonts with their licences.
TXT
# The OCR models (Tesseract's, from Debian's tesseract-ocr-* packages, Apache-2.0), inside
# the app as ocr-models/ beside the program, where the launcher points the engine when the
# system has not got them all (31 MB; they fit since the app itself is 264 MB).
models="$app/ocr-models"
mkdir -p "$models"
for code in eng rus kor jpn jpn_vert chi_sim chi_tra osd; do
  cp "$tessdata/$code.traineddata" "$models/"
done
cp /usr/share/doc/tesseract-ocr-eng/copyright "$models/LICENSE-tessdata.txt"
cat >"$models/README.txt" <<TXT
Tesseract's language models for Evidence Workstation $version (English, Russian, Korean,
Japanese, Japanese vertical, Chinese simplified and traditional, and script detection),
as Debian's tesseract-ocr-* packages ship them; Apache License 2.0 (LICENSE-tessdata.txt).
The workstation program uses them unless the system has every one of them.
TXT
mv "$app" "$build/$name"
rm -f "$root/dist/$name"-*.tar.gz  # a models tarball of an earlier build is no longer made
tar -C "$build" -czf "$root/dist/$name-linux-x86_64.tar.gz" "$name"
elapsed=$((SECONDS - start))
unpacked=$(du -s --block-size=1000000 "$build/$name" | cut -f1)
packed=$(du -m "$root/dist/$name-linux-x86_64.tar.gz" | cut -f1)
models_mb=$(du -s --block-size=1000000 "$build/$name/ocr-models" | cut -f1)
echo "build: dist/$name-linux-x86_64.tar.gz: $packed MiB packed, $unpacked MB (10^6 bytes) unpacked with the OCR models ($models_mb MB), built in ${elapsed} s" >&2
# SHA256SUMS over dist/'s tarballs; signed with the release key when asked.
if [ -n "$sign_key" ]; then
  args=(--library "$sign_lib" sign-release "$root/dist" --key "$sign_key")
  [ -z "$pass_file" ] || args+=(--passphrase-file "$pass_file")
  uv run --frozen workstation "${args[@]}"
else
  (cd "$root/dist" && rm -f SHA256SUMS* && sha256sum -- *.tar.gz >SHA256SUMS)
  echo "build: dist/SHA256SUMS written, NOT signed (give --sign FP --library RELEASE-LIB)" >&2
fi

# The issue's budget for the app with its models, checked last so that everything above is written and
# can be measured and proved; exit 3 says "built, but too big" (.ci/run tells it apart).
if [ "$unpacked" -gt 300 ]; then
  echo "workstation build: $unpacked MB unpacked is over the 300 MB budget" >&2; exit 3
fi
