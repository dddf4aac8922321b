#!/usr/bin/env bash
# Build the self-contained Linux x86-64 application with one command:
#
#   packaging/build-linux.sh [--sign FP --library RELEASE-LIB [--passphrase-file F]]
#     -> dist/evidence-workstation-<version>-linux-x86_64.tar.gz
#        dist/evidence-workstation-<version>-ocr-models.tar.gz (+ SHA256SUMS, signed with --sign)
#
# PyInstaller (chosen over cx_Freeze on the figures in docs/performance.md)
# freezes packaging/launcher.py with Python, Qt (QtCore/Gui/Widgets/Svg;
# other modules and unused plugins left out), PyMuPDF, libvips, tantivy, the
# migrations and resources, and Noto Sans CJK + DejaVu Sans with their
# licences. Unpack anywhere and run evidence-workstation-<version>/workstation.
# The OCR models come beside it: dist/evidence-workstation-<version>-ocr-models.tar.gz
# (unpacked in the same place). Both are in SHA256SUMS.
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

# Fonts for Korean, Japanese, Chinese (Noto Sans CJK) and Russian (DejaVu Sans),
# from Debian's packages, with their licences (SIL OFL 1.1; DejaVu's Bitstream Vera licence).
cjk=/usr/share/fonts/opentype/noto
dejavu=/usr/share/fonts/truetype/dejavu
tessdata=/usr/share/tesseract-ocr/5/tessdata
needed=()
for code in eng rus kor jpn jpn-vert chi-sim chi-tra osd; do
  [ -f "$tessdata/${code//-/_}.traineddata" ] || needed+=("tesseract-ocr-$code")
done
[ -f "$cjk/NotoSansCJK-Regular.ttc" ] || needed+=(fonts-noto-cjk)
[ -f "$dejavu/DejaVuSans.ttf" ] || needed+=(fonts-dejavu-core)
command -v icupkg >/dev/null || needed+=(icu-devtools)  # trim_icu.py
command -v gcc >/dev/null || needed+=(gcc)
if [ ${#needed[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
# Regular weights only (Qt draws bold from them): the CJK bold is another 20 MB.
cp "$cjk/NotoSansCJK-Regular.ttc" "$dejavu/DejaVuSans.ttf" "$build/fonts/"
cp /usr/share/doc/fonts-noto-cjk/copyright "$build/fonts/LICENSE-NotoSansCJK.txt"
cp /usr/share/doc/fonts-dejavu-core/copyright "$build/fonts/LICENSE-DejaVu.txt"

start=$SECONDS
WORKSTATION_FONTS_DIR="$build/fonts" WORKSTATION_VERSION="$version" \
  uv run --frozen --group package pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$build/dist" --workpath "$build/work" "$here/evidence-workstation.spec"
app="$build/dist/evidence-workstation"

# Qt plugins the app never loads (networking, SQL, QML, printing, TLS, designer...).
plugins="$app/_internal/PySide6/Qt/plugins"
for unused in networkinformation tls sqldrivers qmltooling qmllint designer printsupport \
    generic egldeviceintegrations wayland-graphics-integration-server vectorimageformats; do
  rm -rf "${plugins:?}/$unused"
done
# Kiosk and remote platforms; xcb, wayland and offscreen (the self-test) stay.
rm -f "$plugins"/platforms/lib{qeglfs,qlinuxfb,qminimalegl,qvnc,qvkkhrdisplay}.so
# The GTK platform theme (native file dialogs) drags in GTK, Cairo, Pango and
# ATK from the build machine; the app uses Qt's Fusion style and Qt's dialogs.
rm -f "$plugins/platformthemes/libqgtk3.so"
internal="$app/_internal"
for lib in libgtk-3 libgdk-3 libgdk_pixbuf-2.0 libatk-1.0 libatk-bridge-2.0 libatspi \
    libcairo libcairo-gobject libpango-1.0 libpangocairo-1.0 libpangoft2-1.0 libpixman-1 \
    libepoxy libthai libdatrie libfribidi libXcomposite libXdamage libXinerama libXi \
    libXrandr libXcursor libQt6Network libQt6OpenGL libQt6EglFSDeviceIntegration \
    libQt6EglFsKmsSupport; do
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
# System libraries that only the removed GTK stack used (GIO, Kerberos...: 6.6 MB).
uv run --frozen python "$here/prune_orphans.py" "$internal"
# Pillow's AVIF codec (5 MB; the app imports no AVIF: Pillow then reports it
# unsupported) and its Tk bridge.
rm -f "$internal"/PIL/_avif.*.so "$internal"/PIL/_imagingtk.*.so "$internal"/pillow.libs/libavif-*.so*
# Qt's own translations: the languages reviewers work in.
find "$internal/PySide6/Qt/translations" -name '*.qm' \
  ! -name '*_en.qm' ! -name '*_ru.qm' ! -name '*_uk.qm' ! -name '*_ko.qm' \
  ! -name '*_ja.qm' ! -name '*_zh_CN.qm' ! -name '*_zh_TW.qm' -delete
# Babel's locale data (courlan reads it for language filters): the same languages.
find "$internal/babel/locale-data" -name '*.dat' ! -name 'root.dat' ! -name 'en*' \
  ! -name 'ru*' ! -name 'uk*' ! -name 'ko*' ! -name 'ja*' ! -name 'zh*' -delete
cp "$root/README.md" "$app/README.md"
cp "$here/linux/evidence-workstation.desktop" "$here/linux/evidence-workstation.png" "$app/"
cat >"$app/LICENSES.txt" <<TXT
Evidence Workstation $version, self-contained build for Linux x86-64.
It contains Python (PSF licence), Qt 6 and PySide6 (LGPLv3; the Qt libraries are
separate shared files under _internal/PySide6 and may be replaced), PyMuPDF/MuPDF
(AGPLv3), libvips (LGPLv2.1+), and the fonts in _internal/fonts with their licences.
TXT
mv "$app" "$build/$name"
tar -C "$build" -czf "$root/dist/$name-linux-x86_64.tar.gz" "$name"

# The OCR models (Tesseract's, from Debian's tesseract-ocr-* packages, Apache-2.0) in
# a tarball of their own that unpacks over the app's folder as $name/ocr-models; the
# launcher points the engine there when the system has not got them all. Separate
# because the app alone is over the 300 MB budget already (docs/performance.md).
models="$build/models/$name/ocr-models"
mkdir -p "$models"
for code in eng rus kor jpn jpn_vert chi_sim chi_tra osd; do
  cp "$tessdata/$code.traineddata" "$models/"
done
cp /usr/share/doc/tesseract-ocr-eng/copyright "$models/LICENSE-tessdata.txt"
cat >"$models/README.txt" <<TXT
Tesseract's language models for Evidence Workstation $version (English, Russian, Korean,
Japanese, Japanese vertical, Chinese simplified and traditional, and script detection),
as Debian's tesseract-ocr-* packages ship them; Apache License 2.0 (LICENSE-tessdata.txt).
Unpack this tarball where the app's tarball was unpacked: the files land in
$name/ocr-models, where the workstation program finds them by itself.
TXT
tar -C "$build/models" -czf "$root/dist/$name-ocr-models.tar.gz" "$name"
elapsed=$((SECONDS - start))
unpacked=$(du -s --block-size=1000000 "$build/$name" | cut -f1)
packed=$(du -m "$root/dist/$name-linux-x86_64.tar.gz" | cut -f1)
models_mb=$(du -s --block-size=1000000 "$models" | cut -f1)
echo "build: dist/$name-linux-x86_64.tar.gz: $packed MiB packed, $unpacked MB (10^6 bytes) unpacked, built in ${elapsed} s" >&2
echo "build: dist/$name-ocr-models.tar.gz: $models_mb MB unpacked (8 models)" >&2
# SHA256SUMS over dist/'s tarballs; signed with the release key when asked.
if [ -n "$sign_key" ]; then
  args=(--library "$sign_lib" sign-release "$root/dist" --key "$sign_key")
  [ -z "$pass_file" ] || args+=(--passphrase-file "$pass_file")
  uv run --frozen workstation "${args[@]}"
else
  (cd "$root/dist" && rm -f SHA256SUMS* && sha256sum -- *.tar.gz >SHA256SUMS)
  echo "build: dist/SHA256SUMS written, NOT signed (give --sign FP --library RELEASE-LIB)" >&2
fi

# The issue's budget for the app, checked last so that everything above is written and
# can be measured and proved; exit 3 says "built, but too big" (.ci/run tells it apart).
if [ "$unpacked" -gt 300 ]; then
  echo "workstation build: $unpacked MB unpacked is over the 300 MB budget" >&2; exit 3
fi
