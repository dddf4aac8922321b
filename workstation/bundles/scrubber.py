"""Keeping redacted passages out of the files the exporter writes itself.

A redaction removes a passage from the source's derivative; the ``Scrubber`` removes it
from every note, title, case.json and dossier string too, and finds it if it still
slipped through, while ``touches_redaction`` says which marks must be withheld.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
)

REDACTION_MARKER = "[REDACTED]"
WITHHELD = "[passage withheld]"
#: Shortest redacted quote searched for in generated files; shorter ones
#: ("a", "of") would match everywhere and say nothing.
MIN_LEAK_CHARS = 3


class Scrubber:
    """Replaces redacted passages in every string the bundle's own files carry."""

    def __init__(self, quotes: Iterable[str], marks: Mapping[str, str] | None = None) -> None:
        """Args:
        quotes: the redacted passages.
        marks: passage -> the UUID of the mark that redacts it, to name in messages.
        """
        quotes = list(quotes)
        self._marks = {_key(q): m for q, m in (marks or {}).items()}
        cleaned = {" ".join(q.split()) for q in quotes}
        self.quotes = sorted(
            (q for q in cleaned if len(q) >= MIN_LEAK_CHARS), key=len, reverse=True
        )
        self._pattern = (
            re.compile("|".join(_loose(q) for q in self.quotes), re.IGNORECASE)
            if self.quotes
            else None
        )

    def text(self, value: str | None) -> str | None:
        """``value`` with each redacted passage replaced by the marker."""
        if value is None or self._pattern is None:
            return value
        return self._pattern.sub(REDACTION_MARKER, value)

    def deep(self, value: Any) -> Any:
        """Scrub every string in a JSON-like value (keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.deep(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value

    def leaks(self, text: str) -> list[str]:
        """The redacted passages still readable in ``text``."""
        return sorted(set(self.find(text)))

    def find(self, text: str) -> list[str]:
        """Every occurrence of a redacted passage in ``text``, in order."""
        if self._pattern is None:
            return []
        norm = " ".join(unicodedata.normalize("NFC", text).split())
        return [m.group(0) for m in self._pattern.finditer(norm)]

    def mark_of(self, found: str) -> str | None:
        """The UUID of the mark that redacts the passage ``found`` (as leaks gave it)."""
        return self._marks.get(_key(found))


def _key(quote: str) -> str:
    return " ".join(unicodedata.normalize("NFC", quote).split()).casefold()


def _loose(quote: str) -> str:
    """A pattern for ``quote`` that allows any run of whitespace between its words."""
    return r"\s+".join(re.escape(part) for part in quote.split())


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _bbox_overlap(a: RegionAnchor, b: RegionAnchor) -> bool:
    ax, ay, aw, ah = a.bbox
    bx, by, bw, bh = b.bbox
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def touches_redaction(a: AnnotationData, redactions: Sequence[Anchor]) -> bool:
    """Whether ``a`` marks something one of the ``redactions`` removes (so it must be
    withheld): the marks' anchors and the other occurrences of their passages."""
    for ra in redactions:
        aa = a.anchor
        page_a = getattr(aa, "page", None) or 1  # a region on a picture has no page: 1
        if isinstance(ra, PageAnchor) and page_a == ra.page:
            return True
        if (
            isinstance(ra, TextAnchor)
            and isinstance(aa, TextAnchor)
            and aa.page == ra.page
            and _overlaps((aa.start, aa.end), (ra.start, ra.end))
        ):
            return True
        if (
            isinstance(ra, RegionAnchor)
            and isinstance(aa, RegionAnchor)
            and aa.page == ra.page
            and _bbox_overlap(aa, ra)
        ):
            return True
    return False
