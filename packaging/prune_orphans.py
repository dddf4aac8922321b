"""Remove the system libraries nothing in the frozen app links to any more.

PyInstaller copies, from the build machine, every library the collected binaries
need. Once build-linux.sh has removed the GTK platform theme and its stack, some of
what that stack needed stays behind with nothing using it (GIO, a second HarfBuzz,
Kerberos, libjpeg: 6 MB). This removes, again and again until none is left, a library
at the top of ``_internal`` that no remaining file names as NEEDED. It never touches
Python extension modules, libpython, the wheels' own ``*.libs`` folders, Qt's folder
(plugins are loaded by name), or the small X11 client libraries.

    python packaging/prune_orphans.py INTERNAL_DIR     # prints what it removed
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")
_KEEP = re.compile(r"(libpython|libX|libxcb|libEGL|libGL|libdbus|.*\.cpython-|.*\.abi3\.)")


def needed_by(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True).stdout
    return set(_NEEDED.findall(out))


def main(argv: list[str]) -> int:
    internal = Path(argv[0])
    elves = {
        p: needed_by(p)
        for p in internal.rglob("*.so*")
        if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF"
    }
    elves[internal.parent / "workstation"] = needed_by(internal.parent / "workstation")
    removed: list[tuple[str, int]] = []
    while True:
        wanted = set().union(*elves.values())
        orphans = [
            p
            for p in elves
            if p.parent == internal
            and not _KEEP.match(p.name)
            and p.name not in wanted
            # a symlink's name in NEEDED counts for the file it points at
            and not any(
                link.name in wanted
                for link in internal.iterdir()
                if link.is_symlink() and link.resolve() == p.resolve()
            )
        ]
        if not orphans:
            break
        for p in orphans:
            removed.append((p.name, p.stat().st_size))
            for link in internal.iterdir():
                if link.is_symlink() and link.resolve() == p.resolve():
                    link.unlink()
            p.unlink()
            del elves[p]
    total = sum(size for _, size in removed) / 1e6
    names = ", ".join(name for name, _ in removed)
    print(f"prune_orphans: {total:.1f} MB, {len(removed)} libraries: {names}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
