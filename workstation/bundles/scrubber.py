"""Keeping redacted passages out of the files the exporter writes itself.

A redaction removes a passage from the source's derivative; the ``Scrubber`` removes it
from every note, title, case.json and dossier string too, and finds it if it still
slipped through, while ``touches_redaction`` says which marks must be withheld.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from workstation.annotations.anchors import AnnotationData, PageAnchor, RegionAnchor, TextAnchor

REDACTION_MARKER = "[REDACTED]"
WITHHELD = "[passage withheld]"
#: Shortest redacted quote searched for in generated files; shorter ones
#: ("a", "of") would match everywhere and say nothing.
MIN_LEAK_CHARS = 3


class Scrubber:
    """Replaces redacted passages in every string the bundle's own files carry."""

    def __init__(self, quotes: Iterable[str]) -> None:
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
        if self._pattern is None:
            return []
        norm = " ".join(unicodedata.normalize("NFC", text).split())
        return sorted({m.group(0) for m in self._pattern.finditer(norm)})


def _loose(quote: str) -> str:
    """A pattern for ``quote`` that allows any run of whitespace between its words."""
    return r"\s+".join(re.escape(part) for part in quote.split())


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _bbox_overlap(a: RegionAnchor, b: RegionAnchor) -> bool:
    ax, ay, aw, ah = a.bbox
    bx, by, bw, bh = b.bbox
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def touches_redaction(a: AnnotationData, redactions: Sequence[AnnotationData]) -> bool:
    """Whether ``a`` marks something a redaction removes (so it must be withheld)."""
    for r in redactions:
        ra, aa = r.anchor, a.anchor
        page_a = getattr(aa, "page", None)
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
