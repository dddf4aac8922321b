"""Files that travel beside a picture and describe where it lies: world files and .prj.

Plain path arithmetic, no PROJ: a folder import asks it of every file to leave
a picture's sidecars out (they are read into the picture's georeference, not
imported as text sources of their own).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

WORLD_FILE_SUFFIXES = {
    ".jpg": (".jgw", ".jpgw"),
    ".jpeg": (".jgw", ".jpegw"),
    ".png": (".pgw", ".pngw"),
    ".tif": (".tfw", ".tifw"),
    ".tiff": (".tfw", ".tiffw"),
}
"""Sidecar names per picture suffix; '.wld' is tried for every picture."""

_SIDECARS = {s for names in WORLD_FILE_SUFFIXES.values() for s in names} | {".wld", ".prj"}


def world_file_beside(picture: Path) -> Path | None:
    """The world file next to ``picture`` (``.jgw``, ``.pgw``, ``.tfw``, ``.wld``...), if any."""
    suffix = picture.suffix.lower()
    names = [*WORLD_FILE_SUFFIXES.get(suffix, ()), ".wld"]
    for name in names:
        for candidate in (picture.with_suffix(name), picture.with_suffix(name.upper())):
            if candidate.is_file():
                return candidate
    return None


def prj_beside(world_file: Path) -> Path | None:
    """The ``.prj`` next to a world file (or its picture), if any."""
    for candidate in (world_file.with_suffix(".prj"), world_file.with_suffix(".PRJ")):
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path, siblings: Collection[str]) -> bool:
    """Whether ``path`` is a world file or .prj of a picture named in ``siblings``.

    Args:
        path: A file found in a folder.
        siblings: The names of the files in the same folder.
    """
    if path.suffix.lower() not in _SIDECARS:
        return False
    stem = path.stem.lower()
    return any(
        Path(name).stem.lower() == stem and Path(name).suffix.lower() in WORLD_FILE_SUFFIXES
        for name in siblings
    )
