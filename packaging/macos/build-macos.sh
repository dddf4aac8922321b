#!/usr/bin/env bash
# Build the self-contained macOS application (written and reviewed, NOT built
# on the Linux build machine; see packaging/README.md):
#
#   packaging/macos/build-macos.sh [--sign-identity "Developer ID Application: ..."]
#     -> dist/evidence-workstation-<version>-macos-<arch>.zip ("Evidence Workstation.app")
#
# Needs: macOS 13+, Python 3.11-3.13 and uv, Xcode command line tools (codesign,
# ditto). macOS has CJK and Cyrillic fonts (Apple SD Gothic Neo, Hiragino,
# PingFang), so none are bundled. The app's `workstation` is also the CLI:
#   "Evidence Workstation.app/Contents/MacOS/workstation" --help
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
identity=
[ "${1:-}" = "--sign-identity" ] && identity=$2
[ "$(uname -s)" = Darwin ] || { echo "workstation build: macOS only" >&2; exit 1; }
version=$(uv run --frozen python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(uname -m)
rm -rf build/macos
WORKSTATION_VERSION="$version" uv run --frozen --group package pyinstaller --noconfirm --clean \
  --log-level WARN --distpath build/macos/dist --workpath build/macos/work packaging/evidence-workstation.spec
app="build/macos/dist/Evidence Workstation.app"
plugins="$app/Contents/Frameworks/PySide6/Qt/plugins"
for unused in networkinformation tls sqldrivers qmltooling designer printsupport generic; do
  rm -rf "${plugins:?}/$unused"
done
if [ -n "$identity" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$identity" "$app"
  codesign --verify --deep --strict "$app"
fi
lib=$(mktemp -d)
QT_QPA_PLATFORM=offscreen WORKSTATION_REVIEWER=build "$app/Contents/MacOS/workstation" --library "$lib/lib" demo --no-gui >/dev/null
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/workstation" selftest-gui "$lib/lib"
rm -rf "$lib"
mkdir -p dist
ditto -c -k --keepParent "$app" "dist/evidence-workstation-$version-macos-$arch.zip"
echo "built dist/evidence-workstation-$version-macos-$arch.zip" >&2
