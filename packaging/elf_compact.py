"""Take out the zero padding that patchelf leaves in manylinux wheels' shared libraries.

When auditwheel renames a wheel's bundled libraries it edits them with patchelf, which
puts the new dynamic strings in a LOAD segment of their own aligned to the linker's
2 MiB maximum page size: up to 2 MB of zeros per file (6 MB in tesserocr's libtiff),
40 MB over the frozen app. x86-64 Linux maps 4 KiB pages, so the file offsets need only
agree with the addresses modulo 4096. This moves everything after such a gap down by a
multiple of 4096, lowers the LOAD segments' alignment to 4096 and fixes the offsets in
the ELF header, the program headers and the section headers. Nothing else in the file
holds file offsets (the dynamic section, symbols and relocations hold addresses), and
no byte of code or data changes: only runs of zeros that no section, segment or header
table points into are taken out.

    python packaging/elf_compact.py FOLDER...     # prints what it saved
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

PAGE = 4096
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
_SHDR = struct.Struct("<IIQQQQIIQQ")
PT_LOAD = 1
SHT_NULL = 0
SHT_NOBITS = 8
SHF_ALLOC = 2
#: Sections only debuggers read (what ``strip`` removes); never mapped into memory.
_SYMBOLS = {b".symtab", b".strtab", b".comment", b".gnu_debugdata"}


def compact(data: bytes) -> bytes | None:
    """The file without its padding gaps, or None when there is nothing safe to remove."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None  # 64-bit little-endian only
    eh = list(_EHDR.unpack_from(data, 0))
    phoff, shoff, phentsize, phnum, shentsize, shnum = eh[5], eh[6], eh[9], eh[10], eh[11], eh[12]
    if phentsize != _PHDR.size or (shnum and shentsize != _SHDR.size):
        return None
    phs = [list(_PHDR.unpack_from(data, phoff + i * phentsize)) for i in range(phnum)]
    shs = [list(_SHDR.unpack_from(data, shoff + i * shentsize)) for i in range(shnum)]
    names = shs[eh[13]] if shnum and eh[13] < shnum else None
    for s in shs:
        name = data[names[4] + s[0] : data.index(b"\0", names[4] + s[0])] if names else b""
        if not s[2] & SHF_ALLOC and (name.startswith(b".debug") or name in _SYMBOLS):
            s[1:6] = [SHT_NULL, 0, 0, 0, 0]  # its bytes are now referenced by nothing
            s[6] = 0  # sh_link
    # Every byte range something points at: segments, sections, the header tables.
    used = [(p[2], p[2] + p[5]) for p in phs if p[5]]
    used += [(s[4], s[4] + s[5]) for s in shs if s[1] != SHT_NOBITS and s[5]]
    used += [(0, _EHDR.size), (phoff, phoff + phnum * phentsize)]
    used += [(shoff, shoff + shnum * shentsize)] if shnum else []
    used.sort()
    cuts: list[tuple[int, int]] = []  # (where, how many bytes), in file order
    end = 0
    for start, stop in used:
        size = max(start - end, 0) // PAGE * PAGE  # bytes nothing points at, whole pages
        if size:
            cuts.append((start - size, size))
        end = max(end, stop)
    if not cuts:
        return None

    def moved(offset: int) -> int:
        return offset - sum(size for where, size in cuts if where + size <= offset)

    for p in phs:
        p[2] = moved(p[2])
        if p[0] == PT_LOAD and p[7] > PAGE:
            p[7] = PAGE
    for s in shs:
        s[4] = moved(s[4])
    eh[5], eh[6] = moved(phoff), moved(shoff)
    out = bytearray()
    last = 0
    for where, size in cuts:
        out += data[last:where]
        last = where + size
    out += data[last:]
    _EHDR.pack_into(out, 0, *eh)
    for i, p in enumerate(phs):
        _PHDR.pack_into(out, eh[5] + i * phentsize, *p)
    for i, s in enumerate(shs):
        _SHDR.pack_into(out, eh[6] + i * shentsize, *s)
    return bytes(out)


def main(argv: list[str]) -> int:
    saved = 0
    for folder in argv:
        for path in sorted(Path(folder).rglob("*.so*")):
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            smaller = compact(data)
            if smaller is None:
                continue
            path.write_bytes(smaller)
            saved += len(data) - len(smaller)
    print(f"elf_compact: {saved / 1e6:.1f} MB of padding removed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
