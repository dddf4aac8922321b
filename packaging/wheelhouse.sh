#!/usr/bin/env bash
# Collect every wheel the locked environment needs into OUT, for a USB stick:
# the runtime requirements exported from uv.lock with their SHA-256 hashes,
# each downloaded as a wheel (never an sdist: nothing is compiled on the
# laptop) for every platform and Python asked for, and the project's own wheel.
#
#   packaging/wheelhouse.sh OUT [--platform this|linux|windows|macos|all]... [--python 3.11]...
#
# Defaults: --platform all --python 3.11 --python 3.12 --python 3.13.
# OUT gets wheels/, requirements.txt (every wheel pinned by hash, the project's
# too), install-offline.sh, install-offline.ps1 and README.txt. Sign it after:
#   workstation release sign OUT --key FP   (writes SHA256SUMS and SHA256SUMS.sig)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

usage() { echo "usage: $0 OUT [--platform this|linux|windows|macos|all]... [--python X.Y]..." >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
platforms=(); pythons=()
while [ $# -gt 0 ]; do
  case $1 in
    --platform) [ $# -ge 2 ] || usage; platforms+=("$2"); shift 2 ;;
    --python) [ $# -ge 2 ] || usage; pythons+=("$2"); shift 2 ;;
    *) usage ;;
  esac
done
[ ${#platforms[@]} -gt 0 ] || platforms=(all)
[ ${#pythons[@]} -gt 0 ] || pythons=(3.11 3.12 3.13)

# Platform tags pip accepts for each target (the oldest systems we support:
# Qt 6.11's wheels need glibc 2.34 on Linux and macOS 13 on a Mac).
tags_for() {
  case $1 in
    linux) echo "manylinux_2_34_x86_64 manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64" ;;
    windows) echo "win_amd64" ;;
    macos) echo "macosx_13_0_universal2 macosx_13_0_arm64 macosx_13_0_x86_64" ;;
    *) echo "workstation wheelhouse: unknown platform '$1' (this, linux, windows, macos, all)" >&2; exit 2 ;;
  esac
}
expanded=()
for p in "${platforms[@]}"; do
  case $p in
    all) expanded+=(linux windows macos) ;;
    this)
      case $(uname -s)-$(uname -m) in
        Linux-x86_64) expanded+=(linux) ;;
        Darwin-*) expanded+=(macos) ;;
        MINGW*|MSYS*|CYGWIN*) expanded+=(windows) ;;
        *) echo "workstation wheelhouse: no wheel target for $(uname -sm)" >&2; exit 2 ;;
      esac ;;
    *) tags_for "$p" >/dev/null; expanded+=("$p") ;;
  esac
done
if [ "${platforms[*]}" = this ] && [ "${pythons[*]}" = "3.11 3.12 3.13" ]; then
  # 'this' alone means this machine's Python too, unless --python says otherwise.
  pythons=("$(cd "$root" && uv run --frozen python -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
fi

# A recent pip for downloading (the build machine is online; the laptop is not).
# --isolated: this machine's pip configuration (mirrors, constraints) plays no part.
pip=(uvx --quiet --from 'pip>=24.2' pip --isolated)

mkdir -p "$out/wheels"
out=$(cd "$out" && pwd)
cd "$root"
uv export --frozen --format requirements-txt --no-dev --no-emit-project --no-header \
  --output-file "$out/requirements-deps.txt" >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
uv run --no-project --python '>=3.11' python "$here/requirements_split.py" uv.lock \
  "$out/requirements-deps.txt" "$scratch/wheels.txt" "$scratch/sdists.txt"

for platform in "${expanded[@]}"; do
  tag_args=()
  for t in $(tags_for "$platform"); do tag_args+=(--platform "$t"); done
  for py in "${pythons[@]}"; do
    echo "wheelhouse: $platform, Python $py" >&2
    "${pip[@]}" download --quiet --dest "$out/wheels" --only-binary=:all: --no-deps \
      --require-hashes -r "$scratch/wheels.txt" \
      --implementation cp --python-version "$py" --abi "cp${py/./}" --abi abi3 --abi none \
      "${tag_args[@]}"
  done
done

# Packages published only as sdists (pyvips): built here once, from the
# hash-checked sdist, into pure-Python wheels pinned by their own hash below.
built_pins=()
if [ -s "$scratch/sdists.txt" ]; then
  "${pip[@]}" wheel --quiet --no-deps --require-hashes -r "$scratch/sdists.txt" -w "$scratch/built"
  for w in "$scratch"/built/*.whl; do
    case $(basename "$w") in *-py3-none-any.whl|*-py2.py3-none-any.whl) ;;
      *) echo "workstation wheelhouse: $(basename "$w") is not pure Python; build it per platform" >&2; exit 1 ;;
    esac
    cp "$w" "$out/wheels/"
    name=$(basename "$w" | cut -d- -f1 | tr _ -); ver=$(basename "$w" | cut -d- -f2)
    built_pins+=("$name==$ver --hash=sha256:$(sha256sum "$w" | cut -d' ' -f1)  # built from its locked sdist")
  done
fi

# The project's own wheel, pinned by its hash like the rest.
uv build --wheel --quiet --out-dir "$out/build"
wheel=$(ls "$out"/build/*.whl)
mv "$wheel" "$out/wheels/"
rm -rf "$out/build"
wheel="$out/wheels/$(basename "$wheel")"
version=$(basename "$wheel" | cut -d- -f2)
digest=$(sha256sum "$wheel" | cut -d' ' -f1)
{
  echo "# Evidence Workstation $version: every wheel pinned by SHA-256 (pip --require-hashes)."
  echo "evidence-workstation==$version --hash=sha256:$digest"
  cat "$scratch/wheels.txt"
  for pin in "${built_pins[@]}"; do echo "$pin"; done
} >"$out/requirements.txt"
rm "$out/requirements-deps.txt"
cp "$here/install-offline.sh" "$here/install-offline.ps1" "$here/smoke_gui.py" "$out/"
cat >"$out/README.txt" <<TXT
Evidence Workstation $version: offline wheelhouse (${expanded[*]}; Python ${pythons[*]}).

Check it first (sha256sum and OpenSSL 3; RELEASE-KEY.pem is the release key you
were given by another channel, not a copy from this stick):
  sha256sum -c SHA256SUMS
  openssl pkeyutl -verify -pubin -inkey RELEASE-KEY.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
or, with Evidence Workstation already installed: workstation verify-release .

Install into a fresh virtual environment (no network is used):
  Linux/macOS:  ./install-offline.sh . [--venv DIR]
  Windows:      powershell -ExecutionPolicy Bypass -File install-offline.ps1 -Wheelhouse . [-Venv DIR]
TXT
n=$(find "$out/wheels" -name '*.whl' | wc -l)
echo "wheelhouse: $n wheels, $(du -sh "$out" | cut -f1) in $out" >&2
