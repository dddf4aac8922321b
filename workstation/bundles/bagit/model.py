"""The vocabulary shared by the bag writer, readers, verifier and unpacker.

The error, the limits a received bag must keep, bag-info elements, what a written
or verified bag reports, and the I/O sizes every part reads and writes in.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workstation.core.errors import WorkstationError

CHUNK = 1 << 20
# Cancel and progress are looked at this often inside one big file.
CHECK_EVERY = 8 * CHUNK
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


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
        return items + mapping_items(self.extra)


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
        tag_file_names: every file outside data/ that is present, sorted.
        verified_by: manifest name -> the files whose checksums it confirmed.
        payload_checked: False for inspect_bag's report, where only the tag files
            were hashed (a payload file's checksum is not known to be right).
        fetch: payload paths fetch.txt lists (to be fetched; never fetched here).
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
    tag_file_names: list[str] = field(default_factory=list)
    verified_by: dict[str, list[str]] = field(default_factory=dict)
    payload_checked: bool = True
    fetch: list[str] = field(default_factory=list)


def mapping_items(info: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    """Bag-info elements as (label, value) pairs; a sequence of values gives one pair each."""
    items: list[tuple[str, str]] = []
    for label, values in info.items():
        if isinstance(values, str):
            items.append((label, values))
        else:
            items.extend((label, v) for v in values)
    return items
