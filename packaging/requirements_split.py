"""Split the exported requirements: what PyPI has as wheels, and what uv.lock has only as sdists.

A package published without wheels (pyvips) is built into a wheel once, on the
build machine, from its hash-checked sdist; the wheelhouse then pins that
wheel's own hash, so the laptop still installs with ``--require-hashes`` and
compiles nothing. Usage (run by wheelhouse.sh):

    python requirements_split.py UV_LOCK REQUIREMENTS WHEELS_OUT SDISTS_OUT
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path


def sdist_only(lock: Path) -> set[str]:
    """Names of the locked packages that have an sdist and no wheel."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return {
        p["name"].lower() for p in data.get("package", []) if p.get("sdist") and not p.get("wheels")
    }


def blocks(text: str) -> list[str]:
    """The requirement blocks of a ``uv export`` file (a pin with its hashes and comments)."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if line[:1].isalnum() or not out:
            out.append(line)
        else:
            out[-1] += line
    return out


def main(argv: list[str]) -> int:
    lock, requirements, wheels_out, sdists_out = map(Path, argv)
    only_sdist = sdist_only(lock)
    wheels: list[str] = []
    sdists: list[str] = []
    for block in blocks(requirements.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9_.-]+)==", block)
        name = match.group(1).lower().replace("_", "-") if match else ""
        (sdists if name in only_sdist else wheels).append(block)
    wheels_out.write_text("".join(wheels), encoding="utf-8")
    sdists_out.write_text("".join(sdists), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
