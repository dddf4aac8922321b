"""Plain text and Markdown sources: decoding that never guesses wrong silently.

Bytes become text through ``encoding.decode_bytes`` (BOM, UTF-8, else a
measured guess of the legacy encoding, flagged when the evidence is thin).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from workstation.core.errors import BadInputError, TooLargeError
from workstation.sources.extract.encoding import decode_bytes
from workstation.sources.extract.model import Extracted, ExtractedPage, Limits, megabytes
from workstation.sources.extract.text_dates import date_in_text

TITLE_MAX_CHARS = 200
HEADLINE_MAX_CHARS = 120
# The end of a first sentence: . ! ? (and the CJK full stops) before a space or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?=\s)|(?<=[。！？])")

# C0 controls other than tab, newlines, form feed, escape and the DOS end-of-file mark.
_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0e-\x19\x1c-\x1f\x7f]")
_BINARY_CHECK_CHARS = 1_000_000
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`)")
_FRONT_MATTER_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_TITLE_SCAN_LINES = 2000


def decode_text(data: bytes, *, partial: bool = False) -> tuple[str, str]:
    """Decode bytes of unknown encoding (see ``encoding.decode_bytes``).

    Args:
        data: The bytes.
        partial: True when data is only the start of a file, so a character
            cut in half at the end is not an error.

    Returns:
        The text (without BOM) and the name of the codec used.
    """
    decoded = decode_bytes(data, partial=partial)
    return decoded.text, decoded.encoding


def looks_binary(text: str) -> bool:
    """True when decoded text is really binary data: NULs or many control characters.

    Args:
        text: Decoded text.

    Returns:
        Whether the text should be refused as binary.
    """
    if "\x00" in text:
        return True
    sample = text[:_BINARY_CHECK_CHARS]
    if not sample:
        return False
    return len(_CONTROL_CHARS.findall(sample)) > max(2, len(sample) // 100)


def extract_text(path: Path, media_type: str, limits: Limits) -> Extracted:
    """Read a plain text or Markdown file as one page.

    Args:
        path: The file.
        media_type: 'text/plain' or 'text/markdown'.
        limits: Size limits; max_text_bytes applies.

    Returns:
        The extracted text with a title guessed from the first heading or line.

    Raises:
        TooLargeError: The file is larger than limits.max_text_bytes.
        BadInputError: The file holds binary data.
    """
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        raise TooLargeError(
            f"text file is {megabytes(size)}, above the {megabytes(limits.max_text_bytes)} limit"
        )
    decoded = decode_bytes(path.read_bytes())
    text = decoded.text
    if looks_binary(text):
        raise BadInputError("not a supported file type (binary data, not text)")
    text = normalise_newlines(text)
    markdown = media_type == "text/markdown"
    front = front_matter(text) if markdown else {}
    title = front.get("title") or (markdown_title(text) if markdown else None) or headline(text)
    metadata: dict[str, object] = {**decoded.metadata(), "characters": len(text)}
    if front:
        metadata["front_matter"] = front
    return Extracted(
        kind="text",
        media_type=media_type,
        title=truncate_title(title) if title else None,
        author=front.get("author") or None,
        published=_iso_date(front.get("date", "")) or date_in_text(text),
        language=front.get("lang") or front.get("language") or None,
        pages=[ExtractedPage(number=1, text=text)],
        metadata=metadata,
        flags=decoded.flags,
    )


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line ends into LF, so offsets mean the same everywhere.

    Args:
        text: Any text.

    Returns:
        The text with LF line ends only.
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def truncate_title(title: str) -> str:
    """Collapse whitespace and cut a title to TITLE_MAX_CHARS characters.

    Args:
        title: A title of any length.

    Returns:
        The title on one line, at most TITLE_MAX_CHARS long (ending in '…' if cut).
    """
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    return title[: TITLE_MAX_CHARS - 1].rstrip() + "…"


def first_line(text: str) -> str | None:
    """Return the first line with something on it, or None.

    Args:
        text: Any text.

    Returns:
        The stripped first non-blank line, or None for blank text.
    """
    for line in text[:100_000].split("\n"):
        if line.strip():
            return line.strip()
    return None


def headline(text: str) -> str | None:
    """A title for plain text: its first line when short, else that line's first
    sentence, cut at a word to about HEADLINE_MAX_CHARS characters ('…' when cut).

    A note whose first line is a whole paragraph was titled by all of it before.
    """
    line = first_line(text)
    if line is None:
        return None
    line = " ".join(line.split())
    if len(line) <= HEADLINE_MAX_CHARS:
        return line
    end = _SENTENCE_END.search(line)
    sentence = line[: end.start()].strip() if end else line
    if len(sentence) <= HEADLINE_MAX_CHARS:
        return sentence
    cut = sentence[: HEADLINE_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > HEADLINE_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def markdown_title(text: str) -> str | None:
    """Return the text of the first Markdown heading (ATX or setext), outside code fences.

    Args:
        text: Markdown source with LF line ends.

    Returns:
        The heading text without markup, or None when there is no heading.
    """
    lines = text.split("\n", _TITLE_SCAN_LINES)[:_TITLE_SCAN_LINES]
    in_fence = False
    previous = ""
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
            previous = ""
            continue
        if in_fence:
            continue
        heading = _ATX_HEADING.match(line)
        if heading and heading.group(2).strip():
            return _strip_inline_markup(heading.group(2))
        if previous.strip() and _SETEXT_UNDERLINE.match(line) and not _is_list_or_rule(previous):
            return _strip_inline_markup(previous)
        previous = line
    return None


def _is_list_or_rule(line: str) -> bool:
    """True for a line that is a list item or a thematic break, not a setext heading."""
    stripped = line.strip()
    return stripped[:1] in "-*+>|" or stripped.startswith("---")


def _strip_inline_markup(text: str) -> str:
    """Drop link targets and emphasis marks from a heading."""
    text = _MD_LINK.sub(r"\1", text)
    return _MD_MARKS.sub("", text).strip()


def front_matter(text: str) -> dict[str, str]:
    """Parse simple 'key: value' YAML front matter at the top of a Markdown file.

    Args:
        text: Markdown source with LF line ends.

    Returns:
        Lower-cased keys to unquoted string values; empty without front matter.
    """
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 3, 16_384)
    if end < 0:
        return {}
    values: dict[str, str] = {}
    for line in text[4:end].split("\n"):
        match = _FRONT_MATTER_KEY.match(line)
        if match and match.group(2):
            values[match.group(1).lower()] = match.group(2).strip("'\"")
    return values


def _iso_date(value: str) -> str | None:
    """Return YYYY-MM-DD for a value starting with an ISO date, else None."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None
