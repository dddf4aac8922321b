"""Bags written by other tools, and hostile bags, for the bag tests.

Hostile zips are built entry by entry with zipfile (which writes whatever
name and mode it is given), so each sample holds exactly one attack on top
of an otherwise valid bag.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

PAYLOAD: dict[str, bytes] = {
    "data/report.txt": b"Ship-to-ship transfer observed at 38.7N 124.1E.\n",
    "data/images/port.bin": bytes(range(256)) * 64,
}


def foreign_bag(
    folder: Path,
    name: str,
    files: Mapping[str, bytes],
    *,
    checksums: Iterable[str] = ("sha256",),
    info: Mapping[str, str | list[str]] | None = None,
) -> Path:
    """A bag made by the Library of Congress ``bagit`` package (BagIt 0.97)."""
    import bagit

    bag = folder / name
    for rel, data in files.items():
        path = bag / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    bagit.make_bag(str(bag), bag_info=dict(info or {}), checksums=list(checksums))
    return bag


def bag_members(
    payload: Mapping[str, bytes] = PAYLOAD,
    *,
    bagit_txt: bytes = BAGIT_TXT,
    manifest_extra: Iterable[tuple[str, str]] = (),
) -> dict[str, bytes]:
    """The files of a small valid bag by bag-relative name.

    Args:
        payload: ``data/...`` name -> bytes.
        bagit_txt: the bagit.txt to use (malformed ones for tests).
        manifest_extra: extra (checksum, path-as-written) manifest lines.
    """
    lines = [f"{hashlib.sha256(d).hexdigest()}  {p}" for p, d in sorted(payload.items())]
    lines += [f"{c}  {p}" for c, p in manifest_extra]
    manifest = ("\n".join(lines) + "\n").encode()
    octets = sum(len(d) for d in payload.values())
    info = f"Source-Organization: Test\nPayload-Oxum: {octets}.{len(payload)}\n".encode()
    members = {
        "bagit.txt": bagit_txt,
        "bag-info.txt": info,
        "manifest-sha256.txt": manifest,
        **payload,
    }
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
    members["tagmanifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(members[t]).hexdigest()}  {t}\n" for t in tags
    ).encode()
    return members


def write_folder(folder: Path, members: Mapping[str, bytes]) -> Path:
    """Write ``members`` as a bag folder."""
    for rel, data in members.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def _info(name: str, mode: int = stat.S_IFREG | 0o644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
    info.external_attr = mode << 16
    info.create_system = 3  # Unix, so the mode bits mean what they say
    return info


def write_zip(
    path: Path,
    members: Mapping[str, bytes],
    *,
    prefix: str = "bag/",
    extra: Iterable[tuple[zipfile.ZipInfo, bytes]] = (),
) -> Path:
    """Zip ``members`` under ``prefix`` (stored), then add raw ``extra`` entries as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for rel, data in members.items():
            zf.writestr(_info(prefix + rel), data)
        with warnings.catch_warnings():
            # zipfile warns about the duplicate names some samples are made of.
            warnings.simplefilter("ignore", UserWarning)
            for info, data in extra:
                zf.writestr(info, data)
    return path


def zip_with_entry(
    path: Path, name: str, data: bytes = b"evil\n", *, mode: int = stat.S_IFREG | 0o644
) -> Path:
    """A valid zipped bag plus one entry called ``name`` with file ``mode``."""
    return write_zip(path, bag_members(), extra=[(_info(name, mode), data)])


def zip_symlink(path: Path) -> Path:
    """A zipped bag whose payload holds a symbolic link to /etc/passwd."""
    return zip_with_entry(path, "bag/data/passwd", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)


def zip_case_twins(path: Path) -> Path:
    """``data/a.txt`` and ``Data/A.txt``: one file on Windows and macOS."""
    return write_zip(
        path,
        bag_members({**PAYLOAD, "data/a.txt": b"one\n"}),
        extra=[(_info("bag/Data/A.txt"), b"two\n")],
    )


def zip_unicode_twins(path: Path) -> Path:
    """``café.txt`` written once in NFC and once in NFD."""
    nfc = "data/caf\u00e9.txt"
    nfd = "data/cafe\u0301.txt"
    return write_zip(
        path,
        bag_members({**PAYLOAD, nfc: b"nfc\n"}),
        extra=[(_info("bag/" + nfd), b"nfd\n")],
    )


def zip_bomb(path: Path, size: int = 64 << 20) -> Path:
    """A bag whose one payload file is ``size`` zero bytes, deflated (about 1000:1).

    The manifests are right, so only the ratio limit stops it.
    """
    chunk = bytes(1 << 20)
    digest = hashlib.sha256()
    for _ in range(size // len(chunk)):
        digest.update(chunk)
    members = bag_members({"data/zeros.bin": b""})
    members["manifest-sha256.txt"] = f"{digest.hexdigest()}  data/zeros.bin\n".encode()
    members["bag-info.txt"] = f"Payload-Oxum: {size}.1\n".encode()
    del members["data/zeros.bin"]
    del members["tagmanifest-sha256.txt"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for rel, data in members.items():
            zf.writestr(_info("bag/" + rel), data)
        info = _info("bag/data/zeros.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as out:
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return path


def zip_lying_size(path: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A payload entry whose directory says it is smaller (1000 bytes) than it is."""
    data = b"sanctioned cargo " * 200_000  # 3.4 MB, compresses well but under 200:1
    members = bag_members({"data/cargo.txt": data})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for rel, content in members.items():
            info = _info("bag/" + rel)
            if rel == "data/cargo.txt":
                info.compress_type = compression
            zf.writestr(info, content)
    with zipfile.ZipFile(path) as zf:
        target = zf.getinfo("bag/data/cargo.txt")
    raw = bytearray(path.read_bytes())
    small = (1000).to_bytes(4, "little")
    # Uncompressed size: local header offset 22, central directory record offset 24.
    raw[target.header_offset + 22 : target.header_offset + 26] = small
    name = target.filename.encode()
    central = raw.find(b"PK\x01\x02", target.header_offset + 30)
    while central >= 0:
        name_len = int.from_bytes(raw[central + 28 : central + 30], "little")
        if raw[central + 46 : central + 46 + name_len] == name:
            raw[central + 24 : central + 28] = small
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(raw))
    return path


def zip_many_entries(path: Path, count: int) -> Path:
    """A valid bag with ``count`` small payload files."""
    payload = {f"data/f{i:05d}.txt": f"{i}\n".encode() for i in range(count)}
    return write_zip(path, bag_members(payload))


#: One hostile zip per attack, each with (maker, words the refusal must contain).
HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "dotdot": (lambda p: zip_with_entry(p, "bag/../evil.txt"), ".."),
    "dotdot_top": (lambda p: zip_with_entry(p, "../evil.txt"), ".."),
    "absolute": (lambda p: zip_with_entry(p, "/tmp/evil.txt"), "absolute"),
    "drive": (lambda p: zip_with_entry(p, "C:/evil.txt"), "drive letter"),
    "backslash": (lambda p: zip_with_entry(p, "bag\\..\\evil.txt"), "backslash"),
    "symlink": (zip_symlink, "symbolic link"),
    "device": (
        lambda p: zip_with_entry(p, "bag/data/dev", mode=stat.S_IFCHR | 0o600),
        "device",
    ),
    "duplicate": (lambda p: zip_with_entry(p, "bag/data/report.txt"), "more than once"),
    "case": (zip_case_twins, "letter case"),
    "unicode": (zip_unicode_twins, "Unicode normalisation"),
    "bomb": (zip_bomb, "zip bomb"),
}


def _local_header(name: bytes, crc: int, size: int, extra: bytes = b"") -> bytes:
    size32 = 0xFFFFFFFF if extra else size
    return struct.pack(
        "<4s5H3L2H",
        b"PK\x03\x04",
        45 if extra else 20,
        0x800,  # names are UTF-8
        zipfile.ZIP_STORED,
        0,
        0x21,  # 1980-01-01
        crc,
        size32,
        size32,
        len(name),
        len(extra),
    )


def zip_with_sparse_entry(
    path: Path, members: Mapping[str, bytes], name: str, size: int, *, prefix: str = "bag/"
) -> Path:
    """A stored zip of ``members`` plus ``name``: ``size`` zero bytes that take no disk.

    Written by hand (ZIP64 for the big entry and the directory after it) so the
    entry's data is a hole in a sparse file: an 8 GiB entry costs nothing to make,
    and only a reader that copies it would notice its size. Its CRC-32 is not
    computed (zero); readers that verify a stored entry by its manifest checksum
    never look at it.
    """
    central: list[bytes] = []
    with open(path, "wb") as out:
        for rel, data in members.items():
            raw = (prefix + rel).encode("utf-8")
            offset = out.tell()
            crc = zlib.crc32(data)
            out.write(_local_header(raw, crc, len(data)) + raw + data)
            central.append(_central_header(raw, crc, len(data), offset))
        raw = (prefix + name).encode("utf-8")
        offset = out.tell()
        extra = struct.pack("<HHQQ", 0x0001, 16, size, size)
        out.write(_local_header(raw, 0, size, extra) + raw + extra)
        out.seek(size, os.SEEK_CUR)  # the hole: zeros nobody wrote
        central.append(_central_header(raw, 0, size, offset, zip64=True))
        start = out.tell()
        for record in central:
            out.write(record)
        length = out.tell() - start
        end64 = out.tell()
        count = len(central)
        out.write(
            struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, length, start)
        )
        out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64, 1))
        out.write(
            struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
        )
    return path


def _central_header(name: bytes, crc: int, size: int, offset: int, *, zip64: bool = False) -> bytes:
    extra = struct.pack("<HHQQ", 0x0001, 16, size, size) if zip64 else b""
    size32 = 0xFFFFFFFF if zip64 else size
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            (3 << 8) | 45,  # made on Unix
            45 if zip64 else 20,
            0x800,
            zipfile.ZIP_STORED,
            0,
            0x21,
            crc,
            size32,
            size32,
            len(name),
            len(extra),
            0,
            0,
            0,
            (stat.S_IFREG | 0o644) << 16,
            offset,
        )
        + name
        + extra
    )
