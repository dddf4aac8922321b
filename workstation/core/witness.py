"""Audit heads kept outside the database, to check the chain against.

A hash chain proves its events follow one another, not that none were cut
off the end: whoever can write the database can delete the last events and
set the head to match. So every head is also appended, after its commit, to
``audit-witness.log`` in the library folder (append-only, fsynced), and every
exported bundle carries the head in ``bag-info.txt`` (``Audit-Head: seq:hash``).
A witnessed head the chain no longer contains, or a chain shorter than one,
is tampering. (Certificate Transparency's signed tree heads work the same way;
``docs/audit.md`` says what this can and cannot catch.)
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workstation.core.errors import WorkstationError

WITNESS_NAME = "audit-witness.log"
BAG_INFO_LABEL = "Audit-Head"

_HEAD = re.compile(r"^\s*(\d{1,18}):([0-9a-fA-F]{64})\s*$")
_MAX_TAG_FILE = 1 << 20  # bag-info.txt is a few lines; refuse to read a huge one


@dataclass(frozen=True)
class Head:
    """A witnessed head: event ``seq`` had hash ``digest``; ``where`` says who saw it."""

    seq: int
    digest: str
    where: str


def append_head(path: Path, seq: int, digest: str) -> None:
    """Append ``seq:digest`` to the witness file and fsync it (created 0600)."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{seq}:{digest}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def parse_heads(text: str, where: str) -> tuple[list[Head], list[str]]:
    """Heads of a witness file, one ``seq:hash`` a line; and its unreadable lines."""
    heads: list[Head] = []
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _HEAD.match(line)
        if match is None:
            bad.append(f"{where} line {number} is not an audit head (SEQ:SHA256)")
            continue
        heads.append(Head(int(match.group(1)), match.group(2).lower(), f"{where} line {number}"))
    return heads, bad


def bag_info_heads(text: str, where: str) -> list[Head]:
    """``Audit-Head`` elements of a bag-info.txt, read tolerantly.

    Labels match without regard to case or the spaces around them, and folded
    values (continuation lines starting with a space or tab) are joined, as
    RFC 8493 allows and older bags write them.
    """
    elements: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and elements:
            label, value = elements[-1]
            elements[-1] = (label, f"{value} {line.strip()}")
        elif ":" in line:
            label, _, value = line.partition(":")
            elements.append((label.strip(), value.strip()))
    heads = []
    for label, value in elements:
        if label.lower() != BAG_INFO_LABEL.lower():
            continue
        match = _HEAD.match(value.replace(" ", ""))
        if match is None:
            raise WorkstationError(f"{where}: {BAG_INFO_LABEL} {value[:80]!r} is not SEQ:SHA256")
        heads.append(Head(int(match.group(1)), match.group(2).lower(), where))
    return heads


def _zip_bag_info(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [
                i
                for i in zf.infolist()
                if i.filename.rstrip("/").split("/")[-1] == "bag-info.txt"
                and i.filename.count("/") <= 1
            ]
            if not names:
                raise WorkstationError(f"{path} holds no bag-info.txt")
            info = min(names, key=lambda i: i.filename.count("/"))
            if info.file_size > _MAX_TAG_FILE:
                raise WorkstationError(f"{path}: bag-info.txt is too large to be one")
            return zf.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkstationError(f"cannot read {path}: {exc}") from exc


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > 64 * _MAX_TAG_FILE:
            raise WorkstationError(f"{path} is too large to be a witness file")
        return path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise WorkstationError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_heads(path: Path) -> list[Head]:
    """The heads a witness holds: a file of heads, a bag-info.txt, or a bundle.

    A bundle is a bag folder or a ``.zip`` (an ``.age`` bundle must be
    decrypted first: its head is inside).

    Raises:
        WorkstationError: nothing there, unreadable, or no head in it.
    """
    if not path.exists():
        raise WorkstationError(f"no witness at {path}")
    where = str(path)
    if path.is_dir():
        info = path / "bag-info.txt"
        if not info.is_file():
            raise WorkstationError(f"{path} is a folder without bag-info.txt (not a bundle)")
        heads = bag_info_heads(_read_text(info), f"bundle {path}")
    elif path.suffix.lower() == ".age":
        raise WorkstationError(
            f"{path} is encrypted; decrypt it (age -d) and give the zip, or its bag-info.txt"
        )
    elif zipfile.is_zipfile(path):
        heads = bag_info_heads(_zip_bag_info(path), f"bundle {path}")
    else:
        text = _read_text(path)
        if path.name == "bag-info.txt" or re.search(
            rf"^\s*{BAG_INFO_LABEL}\s*:", text, re.IGNORECASE | re.MULTILINE
        ):
            heads = bag_info_heads(text, where)
        else:
            heads, bad = parse_heads(text, where)
            if bad:
                raise WorkstationError(bad[0])
    if not heads:
        raise WorkstationError(f"{path} holds no audit head ({BAG_INFO_LABEL}: SEQ:SHA256)")
    return heads


def check_heads(heads: Iterable[Head], last_seq: int, hashes: dict[int, str]) -> list[str]:
    """What the chain (ending at ``last_seq``; ``hashes`` by seq) says to each head.

    Returns one line per disagreeing head, the first few and then a count.
    """
    lines: list[str] = []
    for head in heads:
        if head.seq > last_seq:
            lines.append(
                f"{head.where} witnessed event {head.seq} ({head.digest[:12]}…), but the "
                f"chain ends at event {last_seq}: events were removed"
            )
        elif head.seq > 0 and hashes.get(head.seq) != head.digest:
            actual = hashes.get(head.seq)
            found = f"is {actual[:12]}…" if actual else "is not there"
            lines.append(
                f"{head.where} witnessed event {head.seq} as {head.digest[:12]}…, but the "
                f"chain's event {head.seq} {found}: the chain was rewritten (or the witness "
                "comes from another library)"
            )
    if len(lines) > 5:
        lines = [*lines[:5], f"and {len(lines) - 5} more witnessed heads disagree"]
    return lines
