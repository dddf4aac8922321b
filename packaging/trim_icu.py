"""Cut Qt's ICU data down to the languages reviewers work in (32 MB -> 9.5 MB).

PySide6's wheel ships ICU's full data library (``libicudata.so.NN``, one symbol
``icudtNN_dat`` holding the data package). Qt reads it for collation, time-zone names
and the like. This takes the package out of the library, removes with ICU's own
``icupkg`` (Debian's icu-devtools) every locale's data whose language is not one of
``KEEP`` (ICU falls back to root for them, as it does for any locale it lacks), the
legacy code-page converters (Qt 6 converts only UTF and Latin-1 itself; the app reads
files in Python), and transliteration, then links the smaller package back into a
library of the same name and symbol (gcc). Whatever a kept item depends on stays.

    python packaging/trim_icu.py QT_LIB_DIR       # prints what it saved
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP = {"root", "en", "ru", "uk", "ko", "ja", "zh"}
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9_]+)?")
_ASM = """    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{data}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack,"",@progbits
"""


def package_of(library: bytes, symbol: bytes) -> bytes:
    """The bytes of the exported data symbol (ICU's data package) in the library."""
    eh = struct.unpack_from("<16sHHIQQQIHHHHHH", library, 0)
    shoff, shnum = eh[6], eh[12]
    sections = [struct.unpack_from("<IIQQQQIIQQ", library, shoff + i * 64) for i in range(shnum)]
    dynsym = next(s for s in sections if s[1] == 11)  # SHT_DYNSYM
    strtab = sections[dynsym[6]]
    for i in range(dynsym[5] // 24):
        name, _info, _other, _shndx, value, size = struct.unpack_from(
            "<IBBHQQ", library, dynsym[4] + i * 24
        )
        start = strtab[4] + name
        if library[start : library.index(b"\0", start)] == symbol:
            phoff, phnum = eh[5], eh[10]
            for j in range(phnum):
                kind, _f, off, vaddr, _p, filesz, _m, _a = struct.unpack_from(
                    "<IIQQQQQQ", library, phoff + j * 56
                )
                if kind == 1 and vaddr <= value < vaddr + filesz:
                    return library[off + value - vaddr : off + value - vaddr + size]
    raise SystemExit(f"trim_icu: no {symbol.decode()} in the ICU data library")


def unwanted(item: str) -> bool:
    folder, _, name = item.rpartition("/")
    if item.endswith(".cnv") or folder == "translit":
        return True
    stem = name.removesuffix(".res")
    return (
        name.endswith(".res") and bool(_LOCALE.fullmatch(stem)) and stem.split("_")[0] not in KEEP
    )


def main(argv: list[str]) -> int:
    libdir = Path(argv[0])
    found = sorted(libdir.glob("libicudata.so.[0-9]*"))
    if not found:
        print("trim_icu: no libicudata here; nothing to do", file=sys.stderr)
        return 0
    library = found[0]
    major = library.name.rsplit(".", 1)[1]
    tree = f"icudt{major}l"
    before = library.stat().st_size
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        whole = work / f"{tree}.dat"
        whole.write_bytes(package_of(library.read_bytes(), f"icudt{major}_dat".encode()))
        items = subprocess.run(
            ["icupkg", "-l", str(whole)], check=True, capture_output=True, text=True
        ).stdout.split()
        remove = {item for item in items if unwanted(item)}
        (work / "out").mkdir()
        small = work / "out" / f"{tree}.dat"
        for _ in range(10):  # keep what a kept item depends on, until nothing is missing
            (work / "remove.txt").write_text("\n".join(sorted(remove)) + "\n")
            done = subprocess.run(
                ["icupkg", "-r", str(work / "remove.txt"), str(whole), str(small)],
                capture_output=True,
                text=True,
            )
            needed = set(re.findall(r"depends on missing item (\S+)", done.stderr))
            if not needed:
                break
            remove -= needed
        if done.returncode or not small.is_file():
            raise SystemExit(f"trim_icu: icupkg failed: {done.stderr.strip()}")
        asm = work / "icudata.S"
        asm.write_text(_ASM.format(symbol=f"icudt{major}_dat", data=small))
        out = work / library.name
        subprocess.run(
            ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}",
             "-Wl,-z,noexecstack", "-o", str(out), str(asm)],
            check=True,
        )  # fmt: skip
        library.write_bytes(out.read_bytes())
    after = library.stat().st_size
    print(
        f"trim_icu: {library.name} {before / 1e6:.1f} -> {after / 1e6:.1f} MB "
        f"({len(remove)} of {len(items)} items removed)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
