"""BagIt 1.0 (RFC 8493) bags: write one atomically, verify anyone's, unpack a hostile one safely.

Evidence bundles travel as bags, so a partner can check them with standard tools; and a
bag we receive is read as hostile input (links, traversal, bombs) until it has been checked.
"""

from __future__ import annotations

import builtins
import codecs
import contextlib
import functools
import hashlib
import io
import lzma
import os
import re
import secrets
import shutil
import stat
import struct
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken, Progress, ProgressCallback

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

CHUNK = 1 << 20
# Cancel and progress are looked at this often inside one big file.
_CHECK_EVERY = 8 * CHUNK
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
SUPPORTED_ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
# Tag files up to this size are handed to the caller (signature, signer key).
SMALL_TAG_FILE = 1 << 20
_FOLD_WIDTH = 79
# Files at least this big are hashed on a helper thread while they are copied.
_THREADED_FROM = 4 * CHUNK
# Finished files waiting for their background fsync (each holds an open descriptor).
_MAX_PENDING_SYNCS = 64
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_COMPUTED_LABELS = ("Payload-Oxum", "Bag-Size")

_MANIFEST_NAME = re.compile(r"^(tag)?manifest-([A-Za-z0-9]+)\.txt$")
_DRIVE = re.compile(r"^[A-Za-z]:")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DECODE = re.compile(r"%(25|0[AaDd])")
_DECODED = {"25": "%", "0A": "\n", "0a": "\n", "0D": "\r", "0d": "\r"}
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_OXUM = re.compile(r"^(\d+)\.(\d+)$")
_VERSION_LINE = re.compile(r"^BagIt-Version(\s*):(\s*)(\d+)\.(\d+)$")
_ENCODING_LINE = re.compile(r"^Tag-File-Character-Encoding(\s*):(\s*)(\S+)$")
# Break folded bag-info lines only at a single space between words, so that
# unfolding (drop the break and indentation, put back one space) is exact.
_FOLD_POINT = re.compile(r"(?<=\S) (?=\S)")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_ZIP_METHODS = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}


class BagError(WorkstationError):
    """A bag cannot be written, is not a bag at all, or is refused as hostile."""


@dataclass(frozen=True)
class BagLimits:
    """What a received bag may hold before it is refused as a possible bomb.

    Attributes:
        max_entries: files and folders (zip entries) in the bag.
        max_total_bytes: payload and tag bytes together, declared and read.
        max_entry_bytes: one file.
        max_ratio: uncompressed : compressed size of one zip entry...
        ratio_floor: ...checked for entries larger than this.
        max_tag_file_bytes: a manifest or other tag file that is read into memory.
        max_depth: folder nesting.
    """

    max_entries: int = 100_000
    max_total_bytes: int = 64 << 30
    max_entry_bytes: int = 32 << 30
    max_ratio: float = 200.0
    ratio_floor: int = 1 << 20
    max_tag_file_bytes: int = 64 << 20
    max_depth: int = 64


DEFAULT_LIMITS = BagLimits()


@dataclass(frozen=True)
class BagInfo:
    """The usual bag-info.txt elements (RFC 8493 §2.2.2); ``extra`` adds any others.

    Payload-Oxum and Bag-Size are always computed by the writer; Bagging-Date
    is today's date unless given.
    """

    source_organization: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    external_description: str | None = None
    external_identifier: str | None = None
    bagging_date: str | None = None
    extra: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def items(self) -> list[tuple[str, str]]:
        """The elements in writing order (repeated labels give several items)."""
        named = [
            ("Source-Organization", self.source_organization),
            ("Contact-Name", self.contact_name),
            ("Contact-Email", self.contact_email),
            ("External-Description", self.external_description),
            ("External-Identifier", self.external_identifier),
            ("Bagging-Date", self.bagging_date),
        ]
        items = [(label, value) for label, value in named if value is not None]
        return items + _mapping_items(self.extra)


@dataclass(frozen=True)
class BagResult:
    """A finished bag.

    Attributes:
        path: the bag folder or .zip, in its final place.
        payload_oxum: ``octets.streamcount`` of the payload.
        file_count: payload files.
        bytes: payload bytes.
        tagmanifest_sha256: SHA-256 (hex) of tagmanifest-sha256.txt, the file a signature covers.
        manifest: payload path (``data/...``) -> SHA-256 hex.
    """

    path: Path
    payload_oxum: str
    file_count: int
    bytes: int
    tagmanifest_sha256: str
    manifest: dict[str, str]


@dataclass
class BagReport:
    """What verify_bag found. ``problems`` name the file and say what is wrong.

    Attributes:
        valid: complete, every checksum and the Payload-Oxum agree, nothing hostile.
        complete: every listed file is present and every payload file is listed.
        problems: one line each; empty when valid.
        payload_oxum: ``octets.streamcount`` of the payload actually present.
        file_count: payload files present.
        bytes: payload bytes present.
        info: bag-info.txt, label -> values in order.
        tag_files: small top-level tag files, name -> bytes (for a signature check).
        tagmanifest_sha256: SHA-256 hex of tagmanifest-sha256.txt, when there is one.
        algorithms: algorithms of the payload manifests.
        warnings: things that do not make the bag invalid (unsupported extra manifests).
        payload_files: payload paths present (``data/...``), sorted.
        verified_tag_files: tag files whose checksums a tag manifest confirmed.
        version: BagIt version from bagit.txt, e.g. "1.0".
    """

    valid: bool
    complete: bool
    problems: list[str]
    payload_oxum: str
    file_count: int
    bytes: int
    info: dict[str, list[str]]
    tag_files: dict[str, builtins.bytes]
    tagmanifest_sha256: str | None
    algorithms: list[str]
    warnings: list[str] = field(default_factory=list)
    payload_files: list[str] = field(default_factory=list)
    verified_tag_files: list[str] = field(default_factory=list)
    version: str | None = None


# --- names ------------------------------------------------------------------------------


def path_problem(path: str) -> str | None:
    """Why a bag-relative, ``/``-separated path is unsafe, or None when it is fine."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "contains a NUL character"
    if "\\" in path:
        return "contains a backslash"
    if path.startswith("/"):
        return "is absolute"
    if _DRIVE.match(path):
        return "starts with a drive letter"
    parts = path.split("/")
    if ".." in parts:
        return "contains '..' (it would escape the bag)"
    if any(part in ("", ".") for part in parts):
        return "has an empty or '.' component"
    return None


def collision_key(name: str) -> str:
    """Equal for names that some file system would treat as the same file."""
    # Unicode canonical caseless matching: NFD(casefold(NFD(x))).
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def encode_manifest_path(path: str) -> str:
    """Percent-encode ``%``, CR and LF as RFC 8493 §2.1.3 requires."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_manifest_path(text: str) -> str:
    """Undo encode_manifest_path (only %25, %0A and %0D are special)."""
    return _DECODE.sub(lambda m: _DECODED[m.group(1)], text)


def human_size(octets: int) -> str:
    """Bag-Size style: "512 bytes", "2.1 GB" (decimal units)."""
    if octets < 1000:
        return "1 byte" if octets == 1 else f"{octets} bytes"
    value = float(octets)
    for unit in ("KB", "MB", "GB", "TB", "PB"):
        value /= 1000
        if value < 999.95 or unit == "PB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _mapping_items(info: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for label, values in info.items():
        if isinstance(values, str):
            items.append((label, values))
        else:
            items.extend((label, v) for v in values)
    return items


def _info_line(label: str, value: str) -> str:
    if not label or label != label.strip() or any(c in label for c in ":\r\n\x00"):
        raise BagError(
            f"bag-info label {label!r} is not allowed (no colon, line break or surrounding spaces)"
        )
    if any(c in value for c in "\r\n\x00"):
        raise BagError(f"bag-info value for {label} contains a line break; put it on one line")
    value = value.strip()
    line = f"{label}: {value}"
    if len(line) <= _FOLD_WIDTH:
        return line + "\n"
    words = _FOLD_POINT.split(value)
    lines = [f"{label}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= _FOLD_WIDTH:
            lines[-1] += " " + word
        else:
            lines.append("  " + word)
    return "\n".join(lines) + "\n"


def _manifest_text(entries: Iterable[tuple[str, str]]) -> bytes:
    """Manifest lines ``CHECKSUM  PATH``, sorted by path for determinism."""
    lines = sorted((encode_manifest_path(path), sha) for path, sha in entries)
    return "".join(f"{sha}  {path}\n" for path, sha in lines).encode("utf-8")


def _split_lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- writer -----------------------------------------------------------------------------


class _PayloadStream(io.RawIOBase):
    """What open_payload yields: writes go to the bag and into the hash."""

    def __init__(self, writer: BagWriter, sink: IO[bytes], rel: str) -> None:
        super().__init__()
        self._writer = writer
        self._sink = sink
        self._rel = rel
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        view = memoryview(b).cast("B")
        self.digest.update(view)
        self._sink.write(view)
        n = len(view)
        self.size += n
        self._writer._tick(n, self._rel, force=False)
        return n


class BagWriter:
    """Builds a bag in a staging place next to the target; nothing appears at target until finish().

    A folder target gets a staging folder ``.<name>.partial-<random>``; a .zip
    target is streamed into ``.<stem>.partial-<random>.zip`` (stored, zip64)
    with the bag in one top folder named after the stem. finish() renames the
    staging place into the target; abort() (or any failure once writing has
    begun, or a cancel) removes it.

    Use as a context manager: an exception inside, or leaving without
    finish(), aborts.
    """

    def __init__(
        self,
        target: Path,
        *,
        as_zip: bool | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressCallback | None = None,
        expected_bytes: int = 0,
    ) -> None:
        """Prepare the staging place.

        Args:
            target: the bag folder or .zip to create; must not exist.
            as_zip: None means zip iff ``target`` ends in ``.zip``.
            cancel: checked between files and every few MiB inside one.
            progress: called with bytes written so far (``total`` is
                ``expected_bytes``, 0 when unknown) and the payload name.
            expected_bytes: payload size announced to ``progress``.

        Raises:
            BagError: the target exists or its folder does not.
        """
        self.target = Path(target).absolute()
        self.as_zip = self.target.suffix.lower() == ".zip" if as_zip is None else as_zip
        self._cancel = cancel
        self._progress = progress
        self._expected = expected_bytes
        parent = self.target.parent
        if not parent.is_dir():
            raise BagError(f"folder {parent} does not exist")
        if _lexists(self.target):
            raise BagError(f"{self.target} already exists; choose another name")
        token = secrets.token_hex(6)
        self._files: dict[str, tuple[str, int]] = {}  # "data/..." -> (sha256, size)
        self._file_keys: dict[str, str] = {}  # collision key -> rel
        self._dir_keys: dict[str, str] = {}
        self._tag_files: dict[str, bytes] = {}
        self._dirs: set[Path] = set()
        self._done = 0
        self._since_report = 0
        self._busy = False
        self._state = "open"
        self._zip: zipfile.ZipFile | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._syncer: ThreadPoolExecutor | None = None
        self._syncs: deque[Future[None]] = deque()
        self._stamp = max(time.localtime()[:6], (1980, 1, 1, 0, 0, 0))
        if self.as_zip:
            self._top = (
                self.target.stem if self.target.suffix.lower() == ".zip" else self.target.name
            )
            self._staging = parent / f".{self._top}.partial-{token}.zip"
            try:
                self._zip = zipfile.ZipFile(
                    self._staging, "x", compression=zipfile.ZIP_STORED, allowZip64=True
                )
            except OSError as e:
                raise BagError(f"cannot write in {parent}: {e.strerror or e}") from e
        else:
            self._top = self.target.name
            self._staging = parent / f".{self._top}.partial-{token}"
            try:
                self._staging.mkdir()
                (self._staging / "data").mkdir()
            except OSError as e:
                shutil.rmtree(self._staging, ignore_errors=True)
                raise BagError(f"cannot write in {parent}: {e.strerror or e}") from e
            self._dirs.update({self._staging, self._staging / "data"})

    # -- context manager

    def __enter__(self) -> BagWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._state == "open":
            self.abort()

    # -- payload

    @property
    def staging(self) -> Path:
        """Where the bag is being built (gone after finish() or abort())."""
        return self._staging

    def add_file(self, rel: str, src: Path) -> str:
        """Copy ``src`` to ``data/<rel>``, hashing it on the way; returns its SHA-256 hex.

        Raises:
            BagError: bad or colliding name, unreadable source (the bag is aborted).
            CancelledError: cancelled (the bag is aborted).
        """
        full = self._reserve(rel)
        try:
            self._check_cancel()
            with open(src, "rb", buffering=0) as f:
                size = os.fstat(f.fileno()).st_size
                digest = hashlib.sha256()
                with self._open_sink(full, size) as out:
                    if size >= _THREADED_FROM:
                        written = self._copy_threaded(f.readinto, out.write, digest, rel)
                    else:
                        written = 0
                        buf = bytearray(CHUNK)
                        view = memoryview(buf)
                        while n := f.readinto(buf):
                            chunk = view[:n]
                            digest.update(chunk)
                            out.write(chunk)
                            written += n
                            self._tick(n, rel, force=False)
            sha = digest.hexdigest()
            self._files[full] = (sha, written)
            self._tick(0, rel, force=True)
            return sha
        except OSError as e:
            self.abort()
            raise BagError(f"cannot add {src} to the bag: {e.strerror or e}") from e
        except BaseException:
            self.abort()
            raise

    def _copy_threaded(
        self,
        readinto: Callable[[bytearray], int | None],
        write: Callable[[memoryview], object],
        digest: hashlib._Hash,
        rel: str,
    ) -> int:
        """Copy with SHA-256 on the helper thread, overlapping the read, write and CRC-32.

        Two buffers: while chunk k is hashed, it is written and chunk k+1 is
        read into the other buffer; updates stay in order because chunk k's
        hash is awaited before chunk k+1's is submitted.
        """
        pool = self._pool()
        bufs = (bytearray(CHUNK), bytearray(CHUNK))
        views = (memoryview(bufs[0]), memoryview(bufs[1]))
        pending: Future[None] | None = None
        written = 0
        i = 0
        try:
            while n := readinto(bufs[i]):
                chunk = views[i][:n]
                if pending is not None:
                    pending.result()
                pending = pool.submit(digest.update, chunk)
                write(chunk)
                written += n
                self._tick(n, rel, force=False)
                i ^= 1
        finally:
            if pending is not None:
                pending.result()
        return written

    def _pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bag-hash")
        return self._threads

    def _sync_later(self, job: Callable[[], None]) -> None:
        """Run an fsync on the background thread so the disk writes while we copy on."""
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bag-fsync")
        while len(self._syncs) >= _MAX_PENDING_SYNCS:
            self._syncs.popleft().result()
        self._syncs.append(self._syncer.submit(job))

    def _wait_syncs(self) -> None:
        while self._syncs:
            self._syncs.popleft().result()

    def _stop_threads(self) -> None:
        for pool in (self._threads, self._syncer):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._threads = self._syncer = None
        for job in self._syncs:
            with contextlib.suppress(Exception):
                job.result()
        self._syncs.clear()

    def add_bytes(self, rel: str, data: bytes) -> str:
        """Write ``data`` to ``data/<rel>``; returns its SHA-256 hex."""
        with self.open_payload(rel, size=len(data)) as f:
            f.write(data)
        return self._files["data/" + rel][0]

    def open_payload(
        self, rel: str, *, size: int | None = None
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        """Stream-write ``data/<rel>``, hashing as it goes.

        Args:
            rel: the payload name under data/.
            size: the final size when known (a zip entry of unknown size is
                written with zip64 sizes).

        An exception inside the ``with`` block aborts the whole bag (a zip
        entry cannot be taken back).
        """
        return self._payload(rel, size)

    @contextlib.contextmanager
    def _payload(self, rel: str, size: int | None) -> Iterator[BinaryIO]:
        full = self._reserve(rel)
        try:
            self._check_cancel()
            with self._open_sink(full, size) as out:
                stream = _PayloadStream(self, out, rel)
                yield cast(BinaryIO, stream)
            self._files[full] = (stream.digest.hexdigest(), stream.size)
            self._tick(0, rel, force=True)
        except BaseException:
            self.abort()
            raise

    def add_tag_file(self, name: str, data: bytes) -> None:
        """Add a tag file (outside data/) that the tag manifest will cover."""
        self._ensure_open()
        self._check_tag_name(name, set(self._tag_files))
        self._tag_files[name] = bytes(data)

    # -- finish / abort

    def finish(
        self,
        info: BagInfo | Mapping[str, str | Sequence[str]],
        sign: Callable[[bytes], Mapping[str, bytes]] | None = None,
    ) -> BagResult:
        """Write the tag files, sign, and move the bag into place.

        Args:
            info: bag-info.txt elements (Payload-Oxum and Bag-Size are computed).
            sign: given tagmanifest-sha256.txt, returns extra top-level tag
                files (signature, signer key) written but not listed in it.

        Raises:
            BagError: bad bag-info, bad signature file names, or the target
                appeared meanwhile; nothing is left behind.
        """
        self._ensure_open()
        try:
            self._check_cancel()
            manifest = _manifest_text((p, sha) for p, (sha, _) in self._files.items())
            octets = sum(size for _, size in self._files.values())
            count = len(self._files)
            oxum = f"{octets}.{count}"
            tags: dict[str, bytes] = {
                "bagit.txt": BAGIT_TXT,
                "bag-info.txt": self._bag_info(info, oxum, octets),
                "manifest-sha256.txt": manifest,
            }
            tags.update(self._tag_files)
            tagmanifest = _manifest_text(
                (name, hashlib.sha256(data).hexdigest()) for name, data in tags.items()
            )
            tags["tagmanifest-sha256.txt"] = tagmanifest
            if sign is not None:
                extra = dict(sign(tagmanifest))
                for name, data in extra.items():
                    self._check_tag_name(name, set(tags))
                    tags[name] = bytes(data)
            self._check_cancel()
            self._write_tags(tags)
            self._commit()
            self._stop_threads()
        except BaseException as e:
            self.abort()
            if isinstance(e, OSError):
                raise BagError(f"cannot write {self.target}: {e.strerror or e}") from e
            raise
        self._state = "finished"
        return BagResult(
            path=self.target,
            payload_oxum=oxum,
            file_count=count,
            bytes=octets,
            tagmanifest_sha256=hashlib.sha256(tagmanifest).hexdigest(),
            manifest={p: sha for p, (sha, _) in sorted(self._files.items())},
        )

    def abort(self) -> None:
        """Remove everything staged; idempotent, and a no-op after finish()."""
        if self._state != "open":
            return
        self._state = "aborted"
        self._stop_threads()
        if self.as_zip:
            if self._zip is not None:
                with contextlib.suppress(Exception):
                    # Close the file without writing a central directory.
                    fp = self._zip.fp
                    self._zip.fp = None
                    if fp is not None:
                        fp.close()
                self._zip = None
            with contextlib.suppress(FileNotFoundError):
                self._staging.unlink()
        else:
            shutil.rmtree(self._staging, ignore_errors=True)

    # -- internals

    def _ensure_open(self) -> None:
        if self._state != "open":
            raise BagError(f"the bag {self.target.name} is already {self._state}")
        if self._busy:
            raise BagError("finish writing the open payload file first")

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.cancelled:
            raise CancelledError("cancelled; the bag was not written")

    def _tick(self, n: int, rel: str, *, force: bool) -> None:
        self._done += n
        self._since_report += n
        if force or self._since_report >= _CHECK_EVERY:
            self._since_report = 0
            self._check_cancel()
            if self._zip is not None and self._zip.fp is not None and not self._syncs:
                # Let the disk catch up with the archive while we go on writing.
                self._sync_later(functools.partial(os.fsync, self._zip.fp.fileno()))
            if self._progress is not None:
                self._progress(Progress(self._done, self._expected, rel))

    def _reserve(self, rel: str) -> str:
        self._ensure_open()
        if not isinstance(rel, str):
            raise BagError(f"payload name {rel!r} must be a string")
        why = path_problem(rel)
        if why is not None:
            raise BagError(f"payload name {rel!r} {why}")
        key = collision_key(rel)
        other = self._file_keys.get(key) or self._dir_keys.get(key)
        if other is not None:
            raise BagError(
                f"payload name {rel!r} collides with {other!r} (names must differ by more "
                "than letter case or Unicode normalisation)"
            )
        parts = rel.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            clash = self._file_keys.get(collision_key(prefix))
            if clash is not None:
                raise BagError(f"payload name {rel!r} needs a folder where {clash!r} is a file")
        self._file_keys[key] = rel
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            self._dir_keys.setdefault(collision_key(prefix), prefix)
        return "data/" + rel

    def _check_tag_name(self, name: str, taken: set[str]) -> None:
        why = path_problem(name)
        if why is not None:
            raise BagError(f"tag file name {name!r} {why}")
        first = name.split("/")[0]
        if collision_key(first) == collision_key("data") or _MANIFEST_NAME.match(name):
            raise BagError(f"tag file name {name!r} is reserved")
        reserved = {"bagit.txt", "bag-info.txt", "fetch.txt", *taken}
        if collision_key(name) in {collision_key(r) for r in reserved}:
            raise BagError(f"tag file name {name!r} is already taken")

    @contextlib.contextmanager
    def _open_sink(self, full: str, size: int | None) -> Iterator[IO[bytes]]:
        self._busy = True
        try:
            if self._zip is not None:
                zi = zipfile.ZipInfo(f"{self._top}/{full}", date_time=self._stamp)
                zi.compress_type = zipfile.ZIP_STORED
                zi.external_attr = (stat.S_IFREG | 0o644) << 16
                if size is not None:
                    zi.file_size = size
                with self._zip.open(zi, "w", force_zip64=size is None) as out:
                    yield out
            else:
                path = self._staging / full
                self._make_dirs(path.parent)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o644)
                try:
                    with open(fd, "wb", closefd=False) as out:
                        yield out
                except BaseException:
                    os.close(fd)
                    raise
                self._sync_later(functools.partial(_fsync_and_close, fd))
        finally:
            self._busy = False

    def _make_dirs(self, folder: Path) -> None:
        missing: list[Path] = []
        while folder not in self._dirs:
            missing.append(folder)
            folder = folder.parent
        for d in reversed(missing):
            d.mkdir(exist_ok=True)
            self._dirs.add(d)

    def _bag_info(
        self, info: BagInfo | Mapping[str, str | Sequence[str]], oxum: str, octets: int
    ) -> bytes:
        items = info.items() if isinstance(info, BagInfo) else _mapping_items(info)
        lines: list[str] = []
        has_date = False
        for label, value in items:
            if label in _COMPUTED_LABELS:
                raise BagError(f"{label} is computed by the bag writer; leave it out of bag-info")
            has_date = has_date or label == "Bagging-Date"
            lines.append(_info_line(label, str(value)))
        if not has_date:
            lines.append(_info_line("Bagging-Date", date.today().isoformat()))
        lines.append(_info_line("Payload-Oxum", oxum))
        lines.append(_info_line("Bag-Size", human_size(octets)))
        return "".join(lines).encode("utf-8")

    def _write_tags(self, tags: Mapping[str, bytes]) -> None:
        if self._zip is not None:
            for name, data in tags.items():
                zi = zipfile.ZipInfo(f"{self._top}/{name}", date_time=self._stamp)
                zi.compress_type = zipfile.ZIP_STORED
                zi.external_attr = (stat.S_IFREG | 0o644) << 16
                self._zip.writestr(zi, data)
            self._wait_syncs()
            self._zip.close()
            self._zip = None
            with open(self._staging, "rb+") as f:
                os.fsync(f.fileno())
            return
        for name, data in tags.items():
            path = self._staging / name
            self._make_dirs(path.parent)
            with open(path, "xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        self._wait_syncs()  # every payload file is on disk before the rename
        for d in sorted(self._dirs, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(d)

    def _commit(self) -> None:
        exists = BagError(f"{self.target} already exists; choose another name")
        if self.as_zip:
            try:
                # A hard link refuses an existing target atomically...
                os.link(self._staging, self.target)
            except FileExistsError:
                raise exists from None
            except OSError:
                # ...but FAT and exFAT sticks have none: check, then rename.
                if _lexists(self.target):
                    raise exists from None
                os.rename(self._staging, self.target)
            else:
                self._staging.unlink()
        else:
            if _lexists(self.target):
                raise exists
            os.rename(self._staging, self.target)
        _fsync_dir(self.target.parent)


# --- reading bags: folders and zips behind one interface ------------------------------------


class _Source:
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


class _FolderSource(_Source):
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
                    self.problems.append(f"{rel!r} {why}")
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
                    self.problems.append(f"{rel}: cannot be read ({e.strerror or e})")
                    self.rejected.add(rel)
                    continue
                kind = _kind_problem(st.st_mode)
                if kind is not None:
                    self.problems.append(f"{rel} {kind}")
                    self.rejected.add(rel)
                elif stat.S_ISDIR(st.st_mode):
                    if depth + 1 > limits.max_depth:
                        self.problems.append(
                            f"{rel} is nested more than {limits.max_depth} folders deep"
                        )
                        self.fatal = True
                        break
                    self.dirs.add(rel)
                    stack.append((rel, entry.path, depth + 1))
                elif st.st_nlink > 1:
                    self.problems.append(
                        f"{rel} is a hard link ({st.st_nlink} names for one file; links are "
                        "not allowed in a bag)"
                    )
                    self.rejected.add(rel)
                else:
                    if st.st_size > limits.max_entry_bytes:
                        self.problems.append(
                            f"{rel} is {st.st_size} bytes, more than the limit of "
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
        flags = os.O_RDONLY | _O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
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


class _ZipSource(_Source):
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
            is_dir = raw.endswith("/")
            name = raw[:-1] if is_dir else raw
            why = path_problem(name)
            if why is not None:
                refuse(name, f"zip entry {raw!r} {why}")
                continue
            if name in names:
                refuse(name, f"the zip holds {raw!r} more than once")
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
                refuse(name, f"zip entry {raw!r} {kind}")
                continue
            if is_dir:
                good.append((name + "/", info))
                continue
            if info.flag_bits & 0x1:
                refuse(name, f"zip entry {raw!r} is encrypted")
                continue
            if info.compress_type not in _ZIP_METHODS:
                refuse(
                    name,
                    f"zip entry {raw!r} uses compression method {info.compress_type}, "
                    "which is not supported",
                )
                continue
            if info.file_size > limits.max_entry_bytes:
                refuse(
                    name,
                    f"zip entry {raw!r} declares {info.file_size} bytes, more than the limit "
                    f"of {limits.max_entry_bytes}",
                )
                continue
            if info.file_size > limits.ratio_floor:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    refuse(
                        name,
                        f"zip entry {raw!r} expands {ratio:.0f}:1 (limit "
                        f"{limits.max_ratio:.0f}:1); refusing a possible zip bomb",
                    )
                    continue
            if info.header_offset + _LOCAL_HEADER.size + info.compress_size > archive_size:
                refuse(name, f"zip entry {raw!r} runs past the end of the archive")
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
                self.problems.append(
                    f"zip entries {a.orig_filename!r} and {b.orig_filename!r} overlap "
                    "(a crafted zip); refusing it"
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
                    self.problems.append(
                        f"zip entry {prefix + '/'.join(parts[:i])!r} is both a file and a folder"
                    )
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
            raise _ReadProblem(f"{path}: zip entry is corrupt ({e})") from e

    def _raw_reader(self, info: zipfile.ZipInfo) -> Callable[[bytearray], int]:
        if self._raw is None:
            self._raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        raw = self._raw
        raw.seek(info.header_offset)
        header = raw.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise _ReadProblem(f"{info.orig_filename}: zip entry is truncated")
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_MAGIC:
            raise _ReadProblem(f"{info.orig_filename}: zip entry has a bad local header")
        name_len, extra_len = fields[9], fields[10]
        name = raw.read(name_len)
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if name.decode(encoding, "replace") != info.orig_filename:
            raise _ReadProblem(
                f"{info.orig_filename}: zip entry's local name differs from its directory name"
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
                raise _ReadProblem(f"{info.orig_filename}: zip entry is truncated")
            left -= n
            position += n
            return n

        return readinto

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self.zf.close()


class _ReadProblem(Exception):
    """A file of the bag could not be read as declared (reported, not raised)."""


def _show(name: str) -> str:
    """A name for a message; escaped when it is not NFC, so NFC/NFD twins look different."""
    return repr(name) if unicodedata.is_normalized("NFC", name) else ascii(name)


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
def _open_source(path: Path, limits: BagLimits) -> Iterator[_Source]:
    path = Path(path)
    source: _Source
    if path.is_dir():
        if not (path / "bagit.txt").exists() and not (path / "bagit.txt").is_symlink():
            raise BagError(f"{path.name} has no bagit.txt; it is not a bag")
        source = _FolderSource(path, limits)
    elif path.is_file():
        source = _ZipSource(path, limits)
    elif path.exists():
        raise BagError(f"{path.name} is neither a folder nor a zip file")
    else:
        raise BagError(f"{path} does not exist")
    try:
        yield source
    finally:
        source.close()


def _pump(
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
            raise _ReadProblem(
                f"{path}: holds more than the {declared} bytes it declares; refusing it"
            )
        chunk = view[:n]
        for sink in sinks:
            sink(chunk)
        tick(n)
    if count != declared:
        raise _ReadProblem(f"{path}: holds {count} bytes, not the {declared} it declares")
    return count


# --- verify -------------------------------------------------------------------------------


# manifest name -> (algorithm, path -> expected checksum or None when unsupported)
_Manifests = dict[str, tuple[str, dict[str, str | None]]]


def verify_bag(
    path: Path,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    limits: BagLimits = DEFAULT_LIMITS,
) -> BagReport:
    """Check a bag folder or a .zip holding one, from any producer.

    Zips are read entry by entry, never extracted. Bag problems (bad
    checksums, missing or extra files, hostile entries) are reported in the
    BagReport, not raised.

    Raises:
        BagError: ``path`` is not a bag at all or cannot be read.
        CancelledError: cancelled.
    """
    with _open_source(path, limits) as source:
        return _Verifier(source, limits, cancel, progress).run()


class _Verifier:
    def __init__(
        self,
        source: _Source,
        limits: BagLimits,
        cancel: CancelToken | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.limits = limits
        self.cancel = cancel
        self.progress = progress
        self.problems: list[str] = list(source.problems)
        self.warnings: list[str] = []
        self.complete = True
        self.tag_bytes: dict[str, bytes] = {}
        self.encoding = "utf-8"

    def _report(
        self,
        *,
        info: dict[str, list[str]] | None = None,
        tag_files: dict[str, bytes] | None = None,
        algorithms: list[str] | None = None,
        verified_tag_files: list[str] | None = None,
        version: str | None = None,
    ) -> BagReport:
        """The report; a bag that could not be read far enough is neither valid nor complete."""
        files = {p: s for p, s in self.source.files.items() if p.startswith("data/")}
        octets = sum(files.values())
        finished = version is not None
        tagmanifest = (tag_files or {}).get("tagmanifest-sha256.txt")
        return BagReport(
            valid=finished and not self.problems,
            complete=finished and self.complete,
            problems=self.problems,
            payload_oxum=f"{octets}.{len(files)}",
            file_count=len(files),
            bytes=octets,
            info=info or {},
            tag_files=tag_files or {},
            tagmanifest_sha256=hashlib.sha256(tagmanifest).hexdigest() if tagmanifest else None,
            algorithms=algorithms or [],
            warnings=self.warnings,
            payload_files=sorted(files),
            verified_tag_files=verified_tag_files or [],
            version=version,
        )

    def _read_tag(self, name: str) -> bytes | None:
        if name in self.tag_bytes:
            return self.tag_bytes[name]
        size = self.source.files[name]
        if size > self.limits.max_tag_file_bytes:
            self.problems.append(
                f"{name} is {size} bytes, more than the limit of "
                f"{self.limits.max_tag_file_bytes} for a tag file"
            )
            return None
        out = io.BytesIO()
        try:
            with self.source.open(name) as reader:
                _pump(reader, [out.write], size, name, lambda n: None)
        except (_ReadProblem, BagError) as e:
            self.problems.append(str(e))
            return None
        except OSError as e:
            self.problems.append(f"{name}: cannot be read ({e.strerror or e})")
            return None
        data = out.getvalue()
        self.tag_bytes[name] = data
        return data

    def _decode(self, name: str, data: bytes) -> str | None:
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError:
            self.problems.append(f"{name} is not valid {self.encoding}")
            return None

    def run(self) -> BagReport:
        if self.source.fatal:
            return self._report()
        if "bagit.txt" not in self.source.files:
            if "bagit.txt" not in self.source.rejected:
                self.problems.append("bagit.txt is missing")
            return self._report()
        raw = self._read_tag("bagit.txt")
        if raw is None:
            return self._report()
        version = self._parse_bagit_txt(raw)
        if version is None:
            return self._report()
        info = self._parse_bag_info()
        manifests, tag_manifests, algorithms = self._read_manifests()
        payload = {p for p in self.source.files if p.startswith("data/")}
        if isinstance(self.source, _FolderSource) and "data" not in self.source.dirs:
            self.problems.append("the data/ folder is missing")
        checks = self._completeness(manifests, tag_manifests, payload)
        hashed = self._hash(checks)
        verified_tags = sorted(
            p for p, algs in checks.items() if not p.startswith("data/") and p in hashed
        )
        octets = sum(self.source.files[p] for p in payload)
        if not any(p.startswith("data/") for p in self.source.rejected):
            # With refused payload files the count is off anyway; they are reported.
            self._check_oxum(info, octets, len(payload))
        tag_files: dict[str, bytes] = {}
        for name, size in sorted(self.source.files.items()):
            if "/" in name:
                continue
            if name in self.tag_bytes:
                tag_files[name] = self.tag_bytes[name]
            elif size <= SMALL_TAG_FILE:
                data = self._read_tag(name)
                if data is not None:
                    tag_files[name] = data
        return self._report(
            info=info,
            tag_files=tag_files,
            algorithms=algorithms,
            verified_tag_files=verified_tags,
            version=version,
        )

    def _parse_bagit_txt(self, raw: bytes) -> str | None:
        bom = raw.startswith(codecs.BOM_UTF8)
        text_bytes = raw[len(codecs.BOM_UTF8) :] if bom else raw
        try:
            text = text_bytes.decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append("bagit.txt is not valid UTF-8")
            return None
        lines = _split_lines(text)
        if len(lines) != 2:
            self.problems.append(
                f"bagit.txt has {len(lines)} line{'' if len(lines) == 1 else 's'}; it must "
                "have exactly two (BagIt-Version, Tag-File-Character-Encoding)"
            )
            if not lines:
                return None
        first = _VERSION_LINE.match(lines[0])
        if first is None:
            self.problems.append(f"bagit.txt line 1 is {lines[0]!r}, not 'BagIt-Version: M.N'")
            return None
        version = (int(first.group(3)), int(first.group(4)))
        label = f"{version[0]}.{version[1]}"
        strict = version >= (1, 0)
        if strict and (first.group(1) or first.group(2) != " "):
            self.problems.append(
                f"bagit.txt line 1 is {lines[0]!r}: BagIt {label} wants exactly "
                "'BagIt-Version: M.N' (one space after the colon, none before)"
            )
        if version[0] not in (0, 1):
            self.problems.append(f"bagit.txt says BagIt version {label}, which is not supported")
        if bom and strict:
            self.problems.append(
                "bagit.txt starts with a byte-order mark, not allowed in BagIt 1.0"
            )
        if len(lines) >= 2:
            second = _ENCODING_LINE.match(lines[1])
            if second is None:
                self.problems.append(
                    f"bagit.txt line 2 is {lines[1]!r}, not 'Tag-File-Character-Encoding: ENCODING'"
                )
            else:
                if strict and (second.group(1) or second.group(2) != " "):
                    self.problems.append(
                        f"bagit.txt line 2 is {lines[1]!r}: BagIt {label} wants exactly one "
                        "space after the colon and none before"
                    )
                try:
                    self.encoding = codecs.lookup(second.group(3)).name
                except LookupError:
                    self.problems.append(
                        f"bagit.txt names the unknown encoding {second.group(3)!r}"
                    )
                    return None
        return label

    def _parse_bag_info(self) -> dict[str, list[str]]:
        info: dict[str, list[str]] = {}
        name = "bag-info.txt"
        if name not in self.source.files:
            if "package-info.txt" in self.source.files:  # BagIt 0.96 and older
                name = "package-info.txt"
            else:
                return info
        raw = self._read_tag(name)
        if raw is None:
            return info
        text = self._decode(name, raw)
        if text is None:
            return info
        label: str | None = None
        for number, line in enumerate(_split_lines(text), 1):
            if not line.strip():
                continue
            if line[0] in " \t":
                if label is None:
                    self.problems.append(f"{name} line {number} continues nothing")
                    continue
                info[label][-1] = f"{info[label][-1]} {line.strip()}".strip()
                continue
            if ":" not in line:
                self.problems.append(f"{name} line {number} has no 'Label: value'")
                label = None
                continue
            label, _, value = line.partition(":")
            if label != label.strip() or not label:
                self.problems.append(f"{name} line {number}: label {label!r} has spaces around it")
                label = label.strip()
            info.setdefault(label, []).append(value.strip())
        return info

    def _read_manifests(self) -> tuple[_Manifests, _Manifests, list[str]]:
        payload: _Manifests = {}
        tags: _Manifests = {}
        for name in sorted(self.source.files):
            match = _MANIFEST_NAME.match(name)
            if match is None:
                continue
            algorithm = match.group(2).lower()
            supported = algorithm in SUPPORTED_ALGORITHMS
            if not supported:
                self.warnings.append(
                    f"{name} uses the unsupported algorithm {algorithm}; its checksums "
                    "were not checked"
                )
            entries = self._parse_manifest(name, algorithm if supported else None)
            if entries is None:
                continue
            (tags if match.group(1) else payload)[name] = (algorithm, entries)
        algorithms = sorted(algorithm for algorithm, _ in payload.values())
        if not payload:
            self.problems.append("no payload manifest (manifest-<algorithm>.txt) was found")
        elif not set(algorithms) & set(SUPPORTED_ALGORITHMS):
            self.problems.append(
                "no payload manifest uses a supported algorithm (md5, sha1, sha256, sha512)"
            )
        return payload, tags, algorithms

    def _parse_manifest(self, name: str, algorithm: str | None) -> dict[str, str | None] | None:
        raw = self._read_tag(name)
        if raw is None:
            return None
        text = self._decode(name, raw)
        if text is None:
            return None
        is_tag = name.startswith("tag")
        entries: dict[str, str | None] = {}
        for number, line in enumerate(_split_lines(text), 1):
            if not line.strip():
                continue
            parts = re.split(r"[ \t]+", line, maxsplit=1)
            if len(parts) != 2 or not parts[1]:
                self.problems.append(f"{name} line {number} is not 'CHECKSUM PATH'")
                continue
            checksum, encoded = parts
            path = decode_manifest_path(encoded)
            why = path_problem(path)
            if why is not None:
                self.problems.append(f"{name} line {number}: path {path!r} {why}; refused")
                continue
            if algorithm is not None and (
                not _HEX.match(checksum) or len(checksum) != _HEX_LENGTH[algorithm]
            ):
                self.problems.append(
                    f"{name} line {number}: {checksum!r} is not a {algorithm} checksum"
                )
                continue
            if is_tag and path.startswith("data/"):
                self.problems.append(f"{name} lists the payload file {path}")
                continue
            if not is_tag and not path.startswith("data/"):
                self.problems.append(f"{name} lists {path}, which is outside data/")
                continue
            if path in entries:
                self.problems.append(f"{name} lists {path} more than once")
                continue
            entries[path] = checksum.lower() if algorithm is not None else None
        return entries

    def _completeness(
        self, manifests: _Manifests, tag_manifests: _Manifests, payload: set[str]
    ) -> dict[str, list[tuple[str, str, str]]]:
        """Missing and unlisted files; returns path -> [(algorithm, expected, manifest)]."""
        checks: dict[str, list[tuple[str, str, str]]] = {}
        normalised: dict[str, list[str]] = {}
        for p in self.source.files:
            normalised.setdefault(unicodedata.normalize("NFC", p), []).append(p)

        def resolve(listed: str, manifest: str) -> str | None:
            if listed in self.source.files:
                return listed
            if listed in self.source.rejected:
                return None  # already reported as hostile
            candidates = normalised.get(unicodedata.normalize("NFC", listed), [])
            if len(candidates) == 1:
                self.warnings.append(
                    f"{manifest} lists {listed!r}, found as {candidates[0]!r} (a different "
                    "Unicode normalisation)"
                )
                return candidates[0]
            self.problems.append(f"{listed} is listed in {manifest} but is missing")
            self.complete = False
            return None

        for group in (manifests, tag_manifests):
            for manifest, (algorithm, entries) in group.items():
                found: set[str] = set()
                for listed, expected in entries.items():
                    actual = resolve(listed, manifest)
                    if actual is None:
                        continue
                    found.add(actual)
                    if expected is not None:
                        checks.setdefault(actual, []).append((algorithm, expected, manifest))
                if group is manifests:
                    for extra in sorted(payload - found):
                        self.problems.append(f"{extra} is not listed in {manifest}")
                        self.complete = False
        return checks

    def _hash(self, checks: dict[str, list[tuple[str, str, str]]]) -> set[str]:
        """Hash every listed file once with all its algorithms; returns the files that agree."""
        good: set[str] = set()
        total = sum(self.source.files[p] for p in checks)
        done = 0
        since = 0

        def tick(n: int) -> None:
            nonlocal done, since
            done += n
            since += n
            if since >= _CHECK_EVERY:
                since = 0
                self._check_cancel()
                if self.progress is not None:
                    self.progress(Progress(done, total, current))

        for current in self.source.order(checks):
            self._check_cancel()
            wanted = checks[current]
            hashers = {alg: hashlib.new(alg) for alg, _, _ in wanted}
            cached = self.tag_bytes.get(current)
            try:
                if cached is not None:
                    for h in hashers.values():
                        h.update(cached)
                else:
                    with self.source.open(current) as reader:
                        _pump(
                            reader,
                            [h.update for h in hashers.values()],
                            self.source.files[current],
                            current,
                            tick,
                        )
            except (_ReadProblem, BagError) as e:
                self.problems.append(str(e))
                continue
            except OSError as e:
                self.problems.append(f"{current}: cannot be read ({e.strerror or e})")
                continue
            ok = True
            for algorithm, expected, manifest in wanted:
                if hashers[algorithm].hexdigest() != expected:
                    self.problems.append(
                        f"{current}: {algorithm} checksum does not match {manifest}"
                    )
                    ok = False
            if ok:
                good.add(current)
            if self.progress is not None:
                self.progress(Progress(done, total, current))
        return good

    def _check_oxum(self, info: dict[str, list[str]], octets: int, count: int) -> None:
        values = info.get("Payload-Oxum")
        if not values:
            return
        if len(values) > 1:
            self.problems.append("bag-info.txt has more than one Payload-Oxum")
            return
        match = _OXUM.match(values[0])
        if match is None:
            self.problems.append(
                f"Payload-Oxum in bag-info.txt is {values[0]!r}, not 'OCTETS.STREAMCOUNT'"
            )
            return
        if (int(match.group(1)), int(match.group(2))) != (octets, count):
            self.problems.append(
                f"Payload-Oxum in bag-info.txt is {values[0]}, but the payload holds "
                f"{octets}.{count} ({count} files, {octets} bytes)"
            )

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()


# --- unpack -------------------------------------------------------------------------------


def unpack_bag(
    path: Path,
    dest_parent: Path,
    *,
    limits: BagLimits = DEFAULT_LIMITS,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Copy a bag (folder or zip) into a fresh staging folder under ``dest_parent``.

    ``progress`` hears the bytes copied so far of the declared total, every few
    megabytes and after each file.

    Refuses links, devices, unsafe or colliding names and bombs, never
    follows a link and never writes outside the new folder. It checks
    structure and sizes, not checksums: run verify_bag on the returned copy
    (which nobody else can change) before trusting it.

    Returns:
        The new bag folder (``dest_parent/.<stem>.unpack-<random>``); the caller
        removes it when done.

    Raises:
        BagError: not a bag, hostile, or cannot be written; nothing is left behind.
        CancelledError: cancelled; nothing is left behind.
    """
    dest_parent = Path(dest_parent)
    if not dest_parent.is_dir():
        raise BagError(f"folder {dest_parent} does not exist")
    with _open_source(path, limits) as source:
        if source.problems:
            more = len(source.problems) - 1
            raise BagError(
                f"refusing {Path(path).name}: {source.problems[0]}"
                + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
            )
        stem = Path(path).stem if Path(path).is_file() else Path(path).name
        staging = Path(tempfile.mkdtemp(prefix=f".{stem}.unpack-", dir=dest_parent))
        try:
            for folder in sorted(source.dirs, key=lambda d: d.count("/")):
                (staging / folder).mkdir(exist_ok=True)
            total = 0
            expected = sum(source.files.values())
            copied = 0
            for rel in source.order(source.files):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                declared = source.files[rel]
                total += declared
                if total > limits.max_total_bytes:
                    raise BagError(
                        f"refusing {Path(path).name}: more than {limits.max_total_bytes} bytes"
                    )
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)

                def tick(n: int, rel: str = rel) -> None:
                    nonlocal copied
                    before, copied = copied, copied + n
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    if progress is not None and copied // _CHECK_EVERY != before // _CHECK_EVERY:
                        progress(Progress(copied, expected, rel))

                with source.open(rel) as reader, open(target, "xb") as out:
                    _pump(reader, [out.write], declared, rel, tick)
                if progress is not None:
                    progress(Progress(copied, expected, rel))
            return staging
        except _ReadProblem as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise BagError(f"refusing {Path(path).name}: {e}") from e
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise BagError(f"cannot unpack {Path(path).name}: {e.strerror or e}") from e
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
