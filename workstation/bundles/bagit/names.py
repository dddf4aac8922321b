"""Names and lines inside a bag: which paths are safe, how manifests encode them,
and how tag-file lines are folded, written and split (RFC 8493 §2.1.3, §2.2.2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from workstation.bundles.bagit.model import BagError

MANIFEST_NAME = re.compile(r"^(tag)?manifest-([A-Za-z0-9]+)\.txt$")
_FOLD_WIDTH = 79
_DRIVE = re.compile(r"^[A-Za-z]:")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DECODE = re.compile(r"%(25|0[AaDd])")
_DECODED = {"25": "%", "0A": "\n", "0a": "\n", "0D": "\r", "0d": "\r"}
# Break folded bag-info lines only at a single space between words, so that
# unfolding (drop the break and indentation, put back one space) is exact.
_FOLD_POINT = re.compile(r"(?<=\S) (?=\S)")


#: Longest piece of a bag's own text (a name, a line) quoted in a message.
SHOWN_CHARS = 120


def shown(value: str, limit: int = SHOWN_CHARS, *, quote: bool = False) -> str:
    """``value`` fit for a one-line message: at most ``limit`` characters, control and
    bidi characters escaped, and the full length said when it was cut.

    A hostile bag can put megabytes on one line or a right-to-left override in a name;
    neither may reach the reviewer's terminal as is.
    """
    cut = value[:limit]
    text = repr(cut) if quote or not cut.isprintable() else cut
    if len(value) > limit:
        text += f"... ({len(value):,} characters)"
    return text


def strip_dot_slash(path: str) -> str:
    """``path`` without leading ``./`` segments, as older bags write manifest paths
    (``./data/x`` names ``data/x``, relative to the base directory)."""
    while path.startswith("./"):
        path = path[2:]
    return path


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


def info_line(label: str, value: str) -> str:
    """One bag-info element as ``Label: value`` lines, folded at 79 characters.

    Raises:
        BagError: the label or value cannot be written on a tag-file line.
    """
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


def manifest_text(entries: Iterable[tuple[str, str]]) -> bytes:
    """Manifest lines ``CHECKSUM  PATH``, sorted by path for determinism."""
    lines = sorted((encode_manifest_path(path), sha) for path, sha in entries)
    return "".join(f"{sha}  {path}\n" for path, sha in lines).encode("utf-8")


def split_lines(text: str) -> list[str]:
    """Tag-file lines, split at CRLF, CR or LF; no empty last line for a final break."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
