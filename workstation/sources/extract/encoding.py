"""Bytes of unknown encoding to text: what was declared, else UTF-8, else a measured guess.

Reviewers get Russian, Korean, Japanese and Chinese pages and files saved in
the legacy encodings of their region, usually without a word about it. The
order is the HTML standard's: a byte-order mark, then a declared charset
(HTML meta, HTTP-equiv, an e-mail's Content-Type) when it decodes the bytes
cleanly, then UTF-8 when the bytes are valid UTF-8, then a guess by chardetng,
Firefox's detector for unlabelled legacy pages (MIT; measured against
charset-normalizer and chardet in ``bench/bench_encodings.py``: it needs the
fewest characters to get every field encoding right).

A guess made from less evidence than ``RELIABLE_GUESS_BYTES`` non-ASCII bytes
is not trusted: the text is still decoded (the best reading there is), and
the source is flagged ``encoding-uncertain`` so a reviewer checks it. Valid
UTF-8 is always read as UTF-8; a legacy text whose only few non-ASCII bytes
happen to form valid UTF-8 (Korean 채 in EUC-KR is the bytes of UTF-8 ä) is
misread, which the bench saw only with 4 non-ASCII bytes or fewer.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any, Literal

import chardetng_py

FLAG_ENCODING_UNCERTAIN = "encoding-uncertain"

RELIABLE_GUESS_BYTES = 48
"""Non-ASCII bytes a guess needs before it is trusted without a flag.

Measured by ``bench/bench_encodings.py`` on every window (1 to 650
characters) of a paragraph in windows-1251, KOI8-R, EUC-KR, CP949,
Shift_JIS, EUC-JP, GBK, GB18030, Big5 and windows-1252: the last wrong guess
rested on 41 non-ASCII bytes (Russian read as Hebrew); 48 leaves a margin.
That is about a sentence of Russian, 24 CJK characters. Korean, Chinese and
Japanese are right from 8 to 26 bytes; Russian is the weak case (a window of
16 letters is read right 90 % of the time, the rest taken for windows-1252).
"""

LATIN_GUESS_MIN_BYTES = 60
LATIN_GUESS_MAX_SHARE = 0.2
"""A Latin code-page guess is also trusted for text of at least 60 bytes of
which at most a fifth are non-ASCII: accented letters among plain ones, as
in German or French. Cyrillic, Greek, Hebrew and CJK text is mostly non-ASCII,
so it cannot pass for Latin this way (no window of the bench did). Which
Latin code page (Windows-1252 or 1250) stays a guess for a few letters."""

_LATIN_CODECS = frozenset(
    {"cp1252", "cp1250", "cp1254", "cp1257", "iso8859-2", "iso8859-3", "iso8859-4",
     "iso8859-9", "iso8859-13", "iso8859-15", "iso8859-16", "mac-roman"}
)  # fmt: skip

How = Literal["bom", "declared", "utf-8", "guessed"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# What a label means when decoding, as browsers read it (WHATWG Encoding
# standard): the legacy labels name the superset their writers really used.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "cp1252": "cp1252",
    "euc_kr": "cp949",
    "cp949": "cp949",
    "ksc5601": "cp949",
    "ks_c_5601_1987": "cp949",
    "shift_jis": "cp932",
    "cp932": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
}
_EXTRA_LABELS = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-949": "cp949",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso8859_8",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-user-defined": "cp1252",
}
_SINGLE_BYTE_PREFIXES = ("cp1", "cp8", "iso8859", "koi8", "mac_", "latin", "ascii", "tis")


def _latin1_for_holes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read the five bytes Windows-1252 leaves undefined as Latin-1."""
    if isinstance(exc, UnicodeDecodeError):
        return exc.object[exc.start : exc.end].decode("latin-1"), exc.end
    raise exc


codecs.register_error("workstation.latin1", _latin1_for_holes)


@dataclass(frozen=True)
class Decoded:
    """Text and how it was read.

    Attributes:
        text: The decoded text, without a byte-order mark.
        encoding: The Python codec used (``cp1251``, ``utf-8``, ...).
        how: ``bom``, ``declared``, ``utf-8`` (the bytes are valid UTF-8) or
            ``guessed``.
        confident: False for a guess made from too little evidence.
        declared: The charset the document declared, when it declared one.
        replaced: How many byte sequences could not be decoded (each became U+FFFD).
    """

    text: str
    encoding: str
    how: How
    confident: bool = True
    declared: str | None = None
    replaced: int = 0

    @property
    def flags(self) -> list[str]:
        """``encoding-uncertain`` for a weak guess, else nothing."""
        return [] if self.confident else [FLAG_ENCODING_UNCERTAIN]

    def metadata(self) -> dict[str, Any]:
        """What a source records about its encoding (JSON-friendly)."""
        facts: dict[str, Any] = {"encoding": self.encoding, "encoding_from": self.how}
        if self.declared is not None and (self.how != "declared"):
            facts["encoding_declared"] = self.declared
        if not self.confident:
            facts["encoding_confident"] = False
        if self.replaced:
            facts["encoding_replaced"] = self.replaced
        return facts


def codec_for_label(label: str) -> str | None:
    """The Python codec that decodes what a charset label names, None when unknown.

    Labels mean what browsers make of them: ``iso-8859-1`` is read as
    Windows-1252, ``euc-kr`` as CP949, ``shift_jis`` as CP932, ``gb2312`` and
    ``gbk`` as GB18030, ``big5`` as Big5-HKSCS.

    Args:
        label: A charset label as written (``Windows-1251``, ``x-sjis``).

    Returns:
        A codec name ``bytes.decode`` accepts.
    """
    cleaned = label.strip().strip("\"'").lower()
    if not cleaned or len(cleaned) > 40:
        return None
    if cleaned in _EXTRA_LABELS:
        return _EXTRA_LABELS[cleaned]
    try:
        name = codecs.lookup(cleaned).name
    except LookupError:
        return None
    key = name.replace("-", "_")
    return _SUPERSETS.get(key, name)


def _is_single_byte(codec: str) -> bool:
    return codec.replace("-", "_").startswith(_SINGLE_BYTE_PREFIXES)


def _strict(data: bytes, codec: str, *, partial: bool) -> str | None:
    """``data`` decoded with ``codec``, or None when any byte does not fit."""
    try:
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        return str(decoder.decode(data, final=not partial))
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(data: bytes, codec: str, *, partial: bool) -> tuple[str, int]:
    """``data`` decoded with ``codec``; bytes that do not fit become U+FFFD (counted)."""
    errors = "workstation.latin1" if codec == "cp1252" else "replace"
    decoder = codecs.getincrementaldecoder(codec)(errors=errors)
    text = str(decoder.decode(data, final=not partial))
    return text, 0 if errors != "replace" else text.count("\ufffd")


def non_ascii_bytes(data: bytes) -> int:
    """How many bytes of ``data`` are above 0x7F: the evidence a guess rests on."""
    return len(data) - len(data.translate(None, bytes(range(128, 256)))) if data else 0


def guess_codec(data: bytes) -> tuple[str, bool]:
    """chardetng's guess for bytes that are not UTF-8, and whether to trust it.

    Args:
        data: The bytes (the first megabyte or so is plenty).

    Returns:
        The codec to decode with, and True when chardetng preferred it over
        the other candidates and it rests on at least ``RELIABLE_GUESS_BYTES``
        non-ASCII bytes (or is a Latin code page for mostly-ASCII text, see
        ``LATIN_GUESS_MAX_SHARE``).
    """
    detector: Any = chardetng_py.EncodingDetector()
    detector.feed(data, last=True)
    label, preferred = detector.guess_assess(tld=None, allow_utf8=False)
    codec = codec_for_label(str(label)) or "cp1252"
    evidence = non_ascii_bytes(data)
    latin = (
        codec in _LATIN_CODECS
        and len(data) >= LATIN_GUESS_MIN_BYTES
        and evidence <= LATIN_GUESS_MAX_SHARE * len(data)
    )
    confident = bool(preferred) and (evidence >= RELIABLE_GUESS_BYTES or latin)
    return codec, confident


GUESS_SAMPLE_BYTES = 1 << 20
"""How much of a file the guess reads: the rest is decoded with what it found."""


def decode_bytes(data: bytes, *, declared: str | None = None, partial: bool = False) -> Decoded:
    """Decode bytes of unknown encoding (see the module docstring for the order).

    Args:
        data: The bytes.
        declared: The charset label the document itself declares (HTML meta
            or HTTP-equiv, a MIME Content-Type), if any.
        partial: True when ``data`` is only the start of a file, so a
            character cut in half at the end is not an error.

    Returns:
        The text, the codec used, how it was chosen and whether a guess is
        trustworthy. Never raises on any bytes.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, replaced = _lenient(data[len(bom) :], codec, partial=partial)
            return Decoded(text, codec, "bom", declared=declared, replaced=replaced)
    as_utf8 = _strict(data, "utf-8", partial=partial)
    declared_codec = codec_for_label(declared) if declared else None
    if declared_codec is not None and declared_codec.startswith("utf-16"):
        declared_codec = "utf-8"  # a label readable as ASCII cannot be UTF-16
    # Pages re-saved as UTF-8 often keep their old single-byte declaration;
    # valid multi-byte UTF-8 read as Windows-1251 would be mojibake.
    resaved = as_utf8 is not None and not data.isascii()
    if declared_codec is not None and not (resaved and _is_single_byte(declared_codec)):
        fits = _strict(data, declared_codec, partial=partial)
        if fits is not None:
            return Decoded(fits, declared_codec, "declared", declared=declared)
    if as_utf8 is not None:
        return Decoded(as_utf8, "utf-8", "utf-8", declared=declared)
    codec, confident = guess_codec(data[:GUESS_SAMPLE_BYTES])
    text, replaced = _lenient(data, codec, partial=partial)
    return Decoded(
        text, codec, "guessed", confident=confident and not replaced, declared=declared,
        replaced=replaced,
    )  # fmt: skip
