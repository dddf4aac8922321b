"""Reading a bag we did not write: a folder or a zip behind one interface, listed with limits.

A received bag is hostile input (links, traversal, bombs) until it has been checked, so
every entry is vetted before it is listed and every read stops at the size it declared.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

from workstation.bundles.bagit.model import CHUNK, O_NOFOLLOW, BagError, BagLimits
from workstation.bundles.bagit.names import SHOWN_CHARS as SHOWN_LIMIT
from workstation.bundles.bagit.names import collision_key, path_problem, shown

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_ZIP_METHODS = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}


class BagSource:
    """The files of a bag, listed without trusting them.

    ``files`` maps bag-relative paths of regular files to their sizes;
    ``rejected`` holds paths present but refused (links, devices, bad names);
    ``problems`` says why; ``fatal`` means a limit was hit and nothing should be read.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.files: dict[str, int] = {}
        self.dirs: set[str] = set()
        self.rejected: set[str] = set()
        self.problems: list[str] = []
        self.fatal = False

    def order(self, paths: Iterable[str]) -> list[str]:
        """The order to read ``paths`` in (zip: by position in the archive)."""
        return sorted(paths)

    def open(self, path: str) -> contextlib.AbstractContextManager[Callable[[bytearray], int]]:
        """A readinto function for one file."""
        raise NotImplementedError

    def close(self) -> None:
        """Release open handles."""


class FolderSource(BagSource):
    """A bag folder, walked without following links."""

    def __init__(self, root: Path, limits: BagLimits) -> None:
        super().__init__(root.name)
        self.root = root
        entries = 0
        total = 0
        keys: dict[str, str] = {}
        stack: list[tuple[str, str, int]] = [("", os.fspath(root), 0)]
        while stack and not self.fatal:
            rel_dir, abs_dir, depth = stack.pop()
            try:
                with os.scandir(abs_dir) as it:
                    found = sorted(it, key=lambda e: e.name)
            except OSError as e:
                self.problems.append(f"{rel_dir or '.'}: cannot be listed ({e.strerror or e})")
                continue
            for entry in found:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                entries += 1
                if entries > limits.max_entries:
                    self.problems.append(
                        f"the bag holds more than {limits.max_entries} files and folders; "
                        "refusing to read it"
                    )
                    self.fatal = True
                    break
                why = _name_problem(entry.name)
                if why is not None:
                    self.problems.append(f"{shown(rel, quote=True)} {why}")
                    self.rejected.add(rel)
                    continue
                key = collision_key(rel)
                if key in keys:
                    self.problems.append(
                        f"{_show(keys[key])} and {_show(rel)} differ only in letter case or "
                        "Unicode normalisation"
                    )
                    self.rejected.add(rel)
                    continue
                keys[key] = rel
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as e:
                    self.problems.append(f"{shown(rel)}: cannot be read ({e.strerror or e})")
                    self.rejected.add(rel)
                    continue
                kind = _kind_problem(st.st_mode)
                if kind is not None:
                    self.problems.append(f"{shown(rel)} {kind}")
                    self.rejected.add(rel)
                elif stat.S_ISDIR(st.st_mode):
                    if depth + 1 > limits.max_depth:
                        self.problems.append(
                            f"{shown(rel)} is nested more than {limits.max_depth} folders deep"
                        )
                        self.fatal = True
                        break
                    self.dirs.add(rel)
                    stack.append((rel, entry.path, depth + 1))
                elif st.st_nlink > 1:
                    self.problems.append(
                        f"{shown(rel)} is a hard link ({st.st_nlink} names for one file; links are "
                        "not allowed in a bag)"
                    )
                    self.rejected.add(rel)
                else:
                    if st.st_size > limits.max_entry_bytes:
                        self.problems.append(
                            f"{shown(rel)} is {st.st_size} bytes, more than the limit of "
                            f"{limits.max_entry_bytes}"
                        )
                        self.rejected.add(rel)
                        continue
                    total += st.st_size
                    self.files[rel] = st.st_size
        if total > limits.max_total_bytes:
            self.problems.append(
                f"the bag holds {total} bytes, more than the limit of {limits.max_total_bytes}"
            )
            self.fatal = True

    @contextlib.contextmanager
    def open(self, path: str) -> Iterator[Callable[[bytearray], int]]:
        flags = os.O_RDONLY | O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(self.root / path, flags)
        try:
            st = os.fstat(fd)
            # Swapped for a link, FIFO or second name since it was listed.
            if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
                raise BagError(f"{path} changed into something other than a plain file")
            with os.fdopen(fd, "rb", buffering=0, closefd=True) as f:
                fd = -1
                yield f.readinto
        finally:
            if fd >= 0:
                os.close(fd)


class ZipSource(BagSource):
    """A zipped bag, read entry by entry and never extracted."""

    def __init__(self, path: Path, limits: BagLimits) -> None:
        super().__init__(path.name)
        self.path = path
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
            raise BagError(f"{path.name} is not a readable zip file ({e})") from e
        self._raw: io.FileIO | None = None
        self.infos: dict[str, zipfile.ZipInfo] = {}
        try:
            self._list(limits)
        except BaseException:
            self.close()
            raise

    def _list(self, limits: BagLimits) -> None:
        infos = self.zf.infolist()
        if len(infos) > limits.max_entries:
            self.problems.append(
                f"the zip holds {len(infos)} entries, more than the limit of "
                f"{limits.max_entries}; refusing to read it"
            )
            self.fatal = True
            return
        archive_size = os.path.getsize(self.path)
        names: dict[str, str] = {}
        keys: dict[str, str] = {}
        good: list[tuple[str, zipfile.ZipInfo]] = []
        total = 0
        refused: set[str] = set()

        def refuse(name: str, problem: str) -> None:
            self.problems.append(problem)
            refused.add(name)

        for info in infos:
            raw = info.orig_filename
            quoted = shown(raw, quote=True)
            is_dir = raw.endswith("/")
            name = raw[:-1] if is_dir else raw
            why = path_problem(name)
            if why is not None:
                refuse(name, f"zip entry {quoted} {why}")
                continue
            if name in names:
                refuse(name, f"the zip holds {quoted} more than once")
                continue
            names[name] = raw
            key = collision_key(name)
            if key in keys and keys[key] != name:
                refuse(
                    name,
                    f"zip entries {_show(keys[key])} and {_show(name)} differ only in letter "
                    "case or Unicode normalisation",
                )
                continue
            keys[key] = name
            mode = info.external_attr >> 16
            kind = _kind_problem(mode) if stat.S_IFMT(mode) else None
            if kind is not None:
                refuse(name, f"zip entry {quoted} {kind}")
                continue
            if is_dir:
                good.append((name + "/", info))
                continue
            if info.flag_bits & 0x1:
                refuse(name, f"zip entry {quoted} is encrypted")
                continue
            if info.compress_type not in _ZIP_METHODS:
                refuse(
                    name,
                    f"zip entry {quoted} uses compression method {info.compress_type}, "
                    "which is not supported",
                )
                continue
            if info.file_size > limits.max_entry_bytes:
                refuse(
                    name,
                    f"zip entry {quoted} declares {info.file_size} bytes, more than the limit "
                    f"of {limits.max_entry_bytes}",
                )
                continue
            if info.file_size > limits.ratio_floor:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    refuse(
                        name,
                        f"zip entry {quoted} expands {ratio:.0f}:1 (limit "
                        f"{limits.max_ratio:.0f}:1); refusing a possible zip bomb",
                    )
                    continue
            if info.header_offset + _LOCAL_HEADER.size + info.compress_size > archive_size:
                refuse(name, f"zip entry {quoted} runs past the end of the archive")
                continue
            total += info.file_size
            good.append((name, info))
        if total > limits.max_total_bytes:
            self.problems.append(
                f"the zip declares {total} bytes in total, more than the limit of "
                f"{limits.max_total_bytes}; refusing a possible zip bomb"
            )
            self.fatal = True
            return
        # Entries whose data overlap are the trick of the smallest zip bombs.
        by_offset = sorted(
            (i for _, i in good if not i.orig_filename.endswith("/")), key=lambda i: i.header_offset
        )
        for a, b in zip(by_offset, by_offset[1:], strict=False):
            if a.header_offset + _LOCAL_HEADER.size + a.compress_size > b.header_offset:
                first = shown(a.orig_filename, quote=True)
                second = shown(b.orig_filename, quote=True)
                self.problems.append(
                    f"zip entries {first} and {second} overlap (a crafted zip); refusing it"
                )
                self.fatal = True
                return
        self._find_root(good, refused)

    def _find_root(self, good: list[tuple[str, zipfile.ZipInfo]], refused: set[str]) -> None:
        names = {n.rstrip("/") for n, _ in good}
        if "bagit.txt" in names:
            prefix = ""
        else:
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) != 1 or f"{next(iter(tops))}/bagit.txt" not in names:
                raise BagError(
                    f"{self.label} has no bagit.txt at its top or in one top folder; "
                    "it is not a bag"
                )
            prefix = next(iter(tops)) + "/"
        files = {n for n, _ in good if not n.endswith("/")}
        # Refused entries are reported once, not again as "listed but missing".
        self.rejected.update(n[len(prefix) :] for n in refused if n.startswith(prefix))
        for name, info in good:
            rel = name[len(prefix) :].rstrip("/")
            if not rel:
                continue
            if name.endswith("/"):
                self.dirs.add(rel)
                continue
            parts = rel.split("/")
            for i in range(1, len(parts)):
                self.dirs.add("/".join(parts[:i]))
            self.files[rel] = info.file_size
            self.infos[rel] = info
        for rel in self.files:
            parts = rel.split("/")
            for i in range(1, len(parts)):
                if prefix + "/".join(parts[:i]) in files:
                    both = shown(prefix + "/".join(parts[:i]), quote=True)
                    self.problems.append(f"zip entry {both} is both a file and a folder")
                    self.fatal = True
                    return

    def order(self, paths: Iterable[str]) -> list[str]:
        return sorted(paths, key=lambda p: self.infos[p].header_offset)

    @contextlib.contextmanager
    def open(self, path: str) -> Iterator[Callable[[bytearray], int]]:
        info = self.infos[path]
        if info.compress_type == zipfile.ZIP_STORED:
            # Stored entries are read straight from the archive: the manifest
            # checksum is the integrity check, and skipping CRC-32 keeps pace
            # with the hash.
            yield self._raw_reader(info)
            return
        try:
            with self.zf.open(info) as f:
                yield cast(io.BufferedIOBase, f).readinto
        except (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError) as e:
            raise ReadProblem(f"{shown(path)}: zip entry is corrupt ({e})") from e

    def _raw_reader(self, info: zipfile.ZipInfo) -> Callable[[bytearray], int]:
        if self._raw is None:
            self._raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        raw = self._raw
        raw.seek(info.header_offset)
        header = raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise ReadProblem(f"{shown(info.orig_filename)}: zip entry is truncated")
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_MAGIC:
            raise ReadProblem(f"{shown(info.orig_filename)}: zip entry has a bad local header")
        name_len, extra_len = fields[9], fields[10]
        name = raw.read(name_len)
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if name.decode(encoding, "replace") != info.orig_filename:
            raise ReadProblem(
                f"{shown(info.orig_filename)}: zip entry's local name differs from its "
                "directory name"
            )
        start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
        left = info.compress_size
        position = start

        def readinto(buf: bytearray) -> int:
            nonlocal left, position
            if left <= 0:
                return 0
            raw.seek(position)
            want = min(len(buf), left)
            n = raw.readinto(memoryview(buf)[:want]) or 0
            if n == 0:
                raise ReadProblem(f"{shown(info.orig_filename)}: zip entry is truncated")
            left -= n
            position += n
            return n

        return readinto

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self.zf.close()


class ReadProblem(Exception):
    """A file of the bag could not be read as declared (reported, not raised)."""


def _show(name: str) -> str:
    """A name for a message; escaped when it is not NFC, so NFC/NFD twins look different."""
    if unicodedata.is_normalized("NFC", name):
        return shown(name, quote=True)
    return ascii(name[:SHOWN_LIMIT]) + ("..." if len(name) > SHOWN_LIMIT else "")


def _name_problem(name: str) -> str | None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "has a name that is not valid UTF-8"
    if "\\" in name:
        return "has a backslash in its name"
    return None


def _kind_problem(mode: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "is a symbolic link (links are not allowed in a bag)"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "is a FIFO (only plain files and folders are allowed in a bag)"
    if stat.S_ISSOCK(mode):
        return "is a socket (only plain files and folders are allowed in a bag)"
    return "is a device file (only plain files and folders are allowed in a bag)"


@contextlib.contextmanager
def open_bag(path: Path, limits: BagLimits) -> Iterator[BagSource]:
    """The files of the bag folder or zip at ``path``, closed on leaving.

    Raises:
        BagError: ``path`` is not a bag at all or cannot be read.
    """
    path = Path(path)
    source: BagSource
    if path.is_dir():
        if not (path / "bagit.txt").exists() and not (path / "bagit.txt").is_symlink():
            raise BagError(f"{path.name} has no bagit.txt; it is not a bag")
        source = FolderSource(path, limits)
    elif path.is_file():
        source = ZipSource(path, limits)
    elif path.exists():
        raise BagError(f"{path.name} is neither a folder nor a zip file")
    else:
        raise BagError(f"{path} does not exist")
    try:
        yield source
    finally:
        source.close()


def pump(
    reader: Callable[[bytearray], int],
    sinks: Sequence[Callable[[memoryview], object]],
    declared: int,
    path: str,
    tick: Callable[[int], None],
) -> int:
    """Read to the end, feeding ``sinks``; stops as soon as more than ``declared`` arrives."""
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    count = 0
    while n := reader(buf):
        count += n
        if count > declared:
            raise ReadProblem(
                f"{shown(path)}: holds more than the {declared} bytes it declares; refusing it"
            )
        chunk = view[:n]
        for sink in sinks:
            sink(chunk)
        tick(n)
    if count != declared:
        raise ReadProblem(f"{shown(path)}: holds {count} bytes, not the {declared} it declares")
    return count
