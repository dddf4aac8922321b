"""A text's shingles and MinHash signature: the near-duplicate index's stored form.

Counting one wire story twice is the classic corroboration error, so every source's text
is reduced, once, when it is extracted, to what near-duplicate detection compares
(``workstation/findings/near_duplicates.py``): its shingle keys, a 256-bin MinHash and 128
LSH band keys, kept in ``source_signatures`` and ``source_bands``. It lives here, beside the
search analyser, because the migration that fills those tables for older libraries must
compute them and may not import the workstation; it is pure: text in, values out.

- Tokens: NFKC, casefold (and Russian ё as е), separators inside numbers dropped ("1,200",
  "1 200" and "1200" are one token), punctuation dropped. A token is a word, or one character
  of Chinese, Japanese or Korean: Chinese and Japanese put no spaces between words, and
  Korean endings change with light edits.
- Shingles: every run of five words (``SHINGLE_WORDS``) or six CJK characters
  (``SHINGLE_CHARACTERS``), a mixed run in between, hashed with BLAKE2b: stable across
  processes and machines, so a signature can be stored and compared later.
- ``Signature``: a one-permutation MinHash (Li, Owen & Zhang 2012) of 256 bins, empty bins
  filled by optimal densification (Shrivastava 2017): one hash per shingle instead of one
  per bin, 1,038 bytes stored (``to_bytes``). Its header names the scheme, so a signature
  stored by another version is refused (``StaleSignatureError``) and recomputed.
- Band keys: 128 bands of 2 bins, each a 40-bit key; stored as ``band << 40 | key`` so
  one SQL index answers "which sources share a band with this one".
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import sys
import unicodedata
from array import array
from dataclasses import dataclass

SHINGLE_WORDS = 5
"""Words in a shingle."""

SHINGLE_CHARACTERS = 6
"""Chinese, Japanese or Korean characters in a shingle (a character carries less than a word)."""

BINS = 256
"""MinHash bins in a signature (a power of two, at most 256)."""

BAND_ROWS = 2
"""Bins per LSH band; BINS // BAND_ROWS bands (the band keys assume two)."""

BANDS = BINS // BAND_ROWS

SIGN_AT_IMPORT_CHARS = 300_000
"""Texts up to this many characters (about a hundred dense pages) are signed when they are
imported or migrated; a longer one when it becomes a finding's evidence: signing costs about
1 ms of CPU a page, more than extracting it (workstation/sources/signatures.py)."""


# A shingle is a window of tokens weighing SHINGLE_WORDS * SHINGLE_CHARACTERS: five words,
# six CJK characters, or a mix (a Korean sentence quoting an English name) in between. The
# window never depends on the text as a whole, so trimming a bilingual text cannot change it.
_WORD_WEIGHT = SHINGLE_CHARACTERS
_CJK_WEIGHT = SHINGLE_WORDS
_WINDOW = SHINGLE_WORDS * SHINGLE_CHARACTERS

_M32 = 0xFFFF_FFFF
_M64 = 0xFFFF_FFFF_FFFF_FFFF
_EMPTY = _M32
_BIN_SHIFT = 64 - (BINS.bit_length() - 1)  # the top bits of a shingle hash choose its bin
_MAGIC = b"NDS1"
_HEADER = struct.Struct("<4sBBBxHI")  # magic, words, characters, flags, bins, shingle count
_FLAG_CJK = 1

_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(f"([{_CJK}])|[^\\W_{_CJK}]+")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,.'’ ](?=\d{3}(?!\d))")


class StaleSignatureError(ValueError):
    """Stored signature bytes are not a signature of this scheme: recompute from the text."""


def _mix64(x: int) -> int:
    """The SplitMix64 finaliser: a fixed, well-spread 64-bit permutation."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
    return x ^ (x >> 31)


def tokens(text: str) -> list[str]:
    """The text's tokens after normalising: words, and single CJK characters."""
    return _tokenise(text)[0]


def _tokenise(text: str) -> tuple[list[str], list[int]]:
    """The tokens, and each one's weight in a shingle window."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    found: list[str] = []
    weights: list[int] = []
    for match in _TOKEN.finditer(_DIGIT_GROUP.sub("", folded)):
        found.append(match.group())
        weights.append(_CJK_WEIGHT if match.lastindex else _WORD_WEIGHT)
    return found, weights


def _windows(found: list[str], weights: list[int]) -> list[str]:
    """Every shingle: from each token, the shortest run reaching the window's weight.

    A text lighter than one window is one shingle.
    """
    grams: list[str] = []
    end = 0
    weight = 0
    count = len(found)
    for start in range(count):
        while end < count and weight < _WINDOW:
            weight += weights[end]
            end += 1
        grams.append(" ".join(found[start:end]))
        if end == count:
            break
        weight -= weights[start]
    return grams


# --- signatures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """A text's MinHash: small, storable, enough to estimate its similarity to another.

    Attributes:
        count: distinct shingles in the text.
        minima: BINS little-endian 32-bit minima, densified (no empty bin unless count is 0).
        cjk: most of the text's tokens are Chinese, Japanese or Korean characters (for the
            wording of explanations: "five-character" rather than "five-word" sequences).
    """

    count: int
    minima: bytes
    cjk: bool = False

    def to_bytes(self) -> bytes:
        """1,038 bytes: a header naming the scheme, then the minima."""
        flags = _FLAG_CJK if self.cjk else 0
        head = _HEADER.pack(_MAGIC, SHINGLE_WORDS, SHINGLE_CHARACTERS, flags, BINS, self.count)
        return head + self.minima

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """The signature stored by ``to_bytes``.

        Raises:
            StaleSignatureError: the bytes are not a signature of this scheme (another
                shingle size, bin count or format): recompute it from the text.
        """
        size = _HEADER.size + 4 * BINS
        if len(data) != size:
            raise StaleSignatureError(
                f"near-duplicate signature: {len(data)} bytes, expected {size}; recompute it"
            )
        magic, words, characters, flags, bins, count = _HEADER.unpack_from(data)
        if (magic, words, characters, bins) != (_MAGIC, SHINGLE_WORDS, SHINGLE_CHARACTERS, BINS):
            raise StaleSignatureError(
                f"near-duplicate signature of another scheme ({magic!r}, shingles of "
                f"{words} words or {characters} characters, {bins} bins); recompute it"
            )
        return cls(count, bytes(data[_HEADER.size :]), bool(flags & _FLAG_CJK))

    def to_text(self) -> str:
        """The stored bytes as ASCII (base64), for JSON."""
        return base64.b64encode(self.to_bytes()).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> Signature:
        """The signature written by ``to_text``; raises StaleSignatureError like from_bytes."""
        try:
            data = base64.b64decode(text.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError) as exc:
            raise StaleSignatureError("near-duplicate signature: not base64") from exc
        return cls.from_bytes(data)

    def values(self) -> memoryview:
        """The minima as 32-bit integers (only ever compared for equality)."""
        return memoryview(self.minima).cast("I")


@dataclass(frozen=True)
class Shingles:
    """A text's shingle set (32-bit keys, for exact comparison) and its signature."""

    keys: frozenset[int]
    signature: Signature

    @property
    def count(self) -> int:
        """Distinct shingles."""
        return len(self.keys)


def shingles(text: str) -> Shingles:
    """The text's shingles and signature, in one pass over its tokens."""
    found, weights = _tokenise(text)
    cjk = weights.count(_CJK_WEIGHT) * 2 > len(weights)
    blake2b = hashlib.blake2b
    hashes = {
        int.from_bytes(blake2b(gram.encode(), digest_size=8).digest(), "little")
        for gram in _windows(found, weights)
    }
    # Bits 0-31: the exact key; bits 32-55: the value in the bin; the top bits: the bin.
    keys = frozenset(h & _M32 for h in hashes)
    minima = [_EMPTY] * BINS
    for h in hashes:
        b = h >> _BIN_SHIFT
        v = (h >> 32) & 0xFF_FFFF
        if v < minima[b]:
            minima[b] = v
    values = array("I", _densify(minima))
    if sys.byteorder == "big":
        values.byteswap()
    return Shingles(keys, Signature(len(keys), values.tobytes(), cjk))


def signature(text: str | Shingles | Signature) -> Signature:
    """The signature of a text (or the one a Shingles or Signature already carries)."""
    if isinstance(text, Signature):
        return text
    if isinstance(text, Shingles):
        return text.signature
    return shingles(text).signature


def _densify(minima: list[int]) -> list[int]:
    """Fill each empty bin from the first filled bin on its own fixed probe sequence.

    Optimal densification: the probe sequence depends only on the bin, so two texts fill a
    bin alike exactly as often as their shingle sets agree, and estimates stay unbiased.
    """
    if _EMPTY not in minima or minima.count(_EMPTY) == BINS:
        return minima
    out = list(minima)
    for i, value in enumerate(minima):
        if value != _EMPTY:
            continue
        attempt = 0
        while minima[j := _mix64((i << 32) | attempt) & (BINS - 1)] == _EMPTY:
            attempt += 1
        out[i] = minima[j]
    return out


def band_keys(sig: Signature) -> list[int]:
    """One 40-bit key per band: the band's two 24-bit minima, less 8 bits of the second.

    The minima are already uniform (BLAKE2b bits), so no further mixing is needed; bands
    are told apart by the caller (an index per band, or ``stored_band_keys``).
    """
    values = sig.values()
    return [(a << 24 | b) >> 8 for a, b in zip(values[0::2], values[1::2], strict=True)]


def stored_band_keys(sig: Signature) -> list[int]:
    """The band keys as stored in ``source_bands``: ``band << 40 | key``, one per band.

    An empty text has none: it shares text with nothing.
    """
    if not sig.count:
        return []
    return [band << 40 | key for band, key in enumerate(band_keys(sig))]


def keys_to_bytes(keys: frozenset[int]) -> bytes:
    """Shingle keys as stored: sorted little-endian 32-bit integers (4 bytes a shingle)."""
    values = array("I", sorted(keys))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def keys_from_bytes(data: bytes) -> frozenset[int]:
    """The shingle keys stored by ``keys_to_bytes``.

    Raises:
        StaleSignatureError: the bytes are not a whole number of keys.
    """
    if len(data) % 4:
        raise StaleSignatureError(f"shingle keys: {len(data)} bytes is not a multiple of 4")
    if sys.byteorder == "little":  # a list first: half the time of a set from the view
        return frozenset(memoryview(data).cast("I").tolist())
    values = array("I")
    values.frombytes(data)
    values.byteswap()
    return frozenset(values)


def count_shared(keys: frozenset[int], data: bytes) -> int:
    """How many of the shingle keys stored in ``data`` (``keys_to_bytes``) are in ``keys``,
    without building a set of them (a third of the time for a 5 KB article)."""
    if sys.byteorder == "big" or len(data) % 4:
        return len(keys.intersection(keys_from_bytes(data)))
    return len(keys.intersection(memoryview(data).cast("I")))


def source_text(pages: list[str]) -> str:
    """A source's text as it is signed: its pages in order, one line break between them."""
    return "\n".join(pages)


@dataclass(frozen=True)
class StoredForm:
    """What is stored for one source: a ``source_signatures`` row and its band keys."""

    signature: bytes
    shingles: bytes
    bands: list[int]


def stored_form(pages: list[str]) -> StoredForm:
    """The stored form of a source's page texts (an empty list for a source with no text)."""
    found = shingles(source_text(pages))
    return StoredForm(
        found.signature.to_bytes(), keys_to_bytes(found.keys), stored_band_keys(found.signature)
    )
