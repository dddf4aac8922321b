"""BagIt 1.0 (RFC 8493) bags written atomically: staged next to the target, moved into place.

Evidence bundles travel as bags, so a partner can check them with standard tools.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import secrets
import shutil
import stat
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from workstation.bundles.bagit.model import (
    CHECK_EVERY,
    CHUNK,
    O_NOFOLLOW,
    BagError,
    BagInfo,
    BagResult,
    mapping_items,
)
from workstation.bundles.bagit.names import (
    MANIFEST_NAME,
    collision_key,
    human_size,
    info_line,
    manifest_text,
    path_problem,
)
from workstation.core.errors import CancelledError
from workstation.core.progress import CancelToken, Progress, ProgressCallback

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
# Files at least this big are hashed on a helper thread while they are copied.
_THREADED_FROM = 4 * CHUNK
# Finished files waiting for their background fsync (each holds an open descriptor).
_MAX_PENDING_SYNCS = 64
_COMPUTED_LABELS = ("Payload-Oxum", "Bag-Size")


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
        on_staging: Callable[[Path], None] | None = None,
    ) -> None:
        """Prepare the staging place.

        Args:
            target: the bag folder or .zip to create; must not exist.
            as_zip: None means zip iff ``target`` ends in ``.zip``.
            cancel: checked between files and every few MiB inside one.
            progress: called with bytes written so far (``total`` is
                ``expected_bytes``, 0 when unknown) and the payload name.
            expected_bytes: payload size announced to ``progress``.
            on_staging: told the staging path before it is created, so whoever
                must sweep it after a crash (SIGKILL, power cut) knows its name.

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
            if on_staging is not None:
                on_staging(self._staging)
            try:
                self._zip = zipfile.ZipFile(
                    self._staging, "x", compression=zipfile.ZIP_STORED, allowZip64=True
                )
            except OSError as e:
                raise BagError(f"cannot write in {parent}: {e.strerror or e}") from e
        else:
            self._top = self.target.name
            self._staging = parent / f".{self._top}.partial-{token}"
            if on_staging is not None:
                on_staging(self._staging)
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
            manifest = manifest_text((p, sha) for p, (sha, _) in self._files.items())
            octets = sum(size for _, size in self._files.values())
            count = len(self._files)
            oxum = f"{octets}.{count}"
            tags: dict[str, bytes] = {
                "bagit.txt": BAGIT_TXT,
                "bag-info.txt": self._bag_info(info, oxum, octets),
                "manifest-sha256.txt": manifest,
            }
            tags.update(self._tag_files)
            tagmanifest = manifest_text(
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
        if force or self._since_report >= CHECK_EVERY:
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
        if collision_key(first) == collision_key("data") or MANIFEST_NAME.match(name):
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
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW, 0o644)
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
        items = info.items() if isinstance(info, BagInfo) else mapping_items(info)
        lines: list[str] = []
        has_date = False
        for label, value in items:
            if label in _COMPUTED_LABELS:
                raise BagError(f"{label} is computed by the bag writer; leave it out of bag-info")
            has_date = has_date or label == "Bagging-Date"
            lines.append(info_line(label, str(value)))
        if not has_date:
            lines.append(info_line("Bagging-Date", date.today().isoformat()))
        lines.append(info_line("Payload-Oxum", oxum))
        lines.append(info_line("Bag-Size", human_size(octets)))
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
