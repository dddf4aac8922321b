"""Names from outside (file names, titles) made safe to show: no hidden characters.

A file name can carry a newline (a fake second line of output), a bidi
override such as U+202E (``report‮fdp.exe`` shows as ``reportexe.pdf``) or
bytes that are not UTF-8 at all (Python keeps them as lone surrogates). Every
place that shows such a name to a person runs it through ``printable``; JSON
output keeps the exact text, with the same characters written as ``\\uXXXX``
escapes (``escape_json``), so it stays valid and lossless.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls and DEL; bidi marks, embeddings, overrides and isolates;
# line and paragraph separators; lone surrogates (undecodable file-name bytes).
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# In JSON text the C0 controls are already escaped by json.dumps.
_JSON_HIDDEN = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every hidden or undecodable character as a visible escape.

    Args:
        text: A name or title from outside.

    Returns:
        The same text where newlines read ``\\n``, a bidi override ``\\u202e``
        and an undecodable byte ``\\xff``; anything else is left alone.
    """
    return _HIDDEN.sub(_visible, text)


def has_hidden(text: str) -> bool:
    """Whether ``printable`` would change ``text``."""
    return _HIDDEN.search(text) is not None


def is_unicode(text: str) -> bool:
    """False when ``text`` holds undecodable bytes (lone surrogates) and cannot be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable_name(name: str) -> tuple[str, str | None]:
    """A file name as the database can hold it, and its raw bytes when it needed changing.

    Args:
        name: A name from the file system (``os.fsdecode``: undecodable bytes
            are lone surrogates).

    Returns:
        The name, with undecodable bytes written ``\\xNN``, and the exact
        bytes in hex when there were any (None otherwise).
    """
    if is_unicode(name):
        return name, None
    raw = os.fsencode(name)
    text = re.sub("[\ud800-\udfff]", _visible, name)
    return text, raw.hex()


def escape_json(dumped: str) -> str:
    """JSON text with hidden characters written as ``\\uXXXX`` escapes (same value, visible).

    Args:
        dumped: The output of ``json.dumps(..., ensure_ascii=False)``.

    Returns:
        Equivalent JSON that shows no bidi override, control or undecodable
        byte raw in a terminal and can always be written as UTF-8.
    """
    return _JSON_HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
