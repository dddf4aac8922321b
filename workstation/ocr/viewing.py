"""What the viewers need of a source's accepted OCR layer: its pages as text layers with
character boxes (from the word boxes), the words read with low confidence, and a line on
where the text came from.

Plain data only: the desktop reads these through its read pool and gets no ORM rows.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OcrLayer, OcrPage
from workstation.sources.pages import PageText, WordBox, page_text_from_words

LOW_CONFIDENCE = 60.0
"""Words Tesseract read with a confidence (0-100) under this are "low confidence": on our
test set nearly every misread word is under it, and few correct ones are."""


@dataclass(frozen=True)
class OcrOrigin:
    """Where a source's page texts came from, when an accepted OCR layer gave them.

    Attributes:
        engine: The engine's name and version ("tesseract 5.5.4").
        languages: The languages asked for ("auto", "kor+eng").
        read_as: The models the pages were read with, in page order, each once.
        mean_confidence: Mean word confidence over the layer, 0-100 (None: no words).
        pages: The page numbers whose text is OCR text.
    """

    engine: str
    languages: str
    read_as: tuple[str, ...]
    mean_confidence: float | None
    pages: tuple[int, ...]


def ocr_origin(session: Session, source_id: int) -> OcrOrigin | None:
    """The accepted OCR layer of a source, described; None when it has none."""
    layer = session.scalars(
        select(OcrLayer).where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
    ).first()
    if layer is None:
        return None
    rows = session.execute(
        select(OcrPage.number, OcrPage.languages)
        .where(OcrPage.layer_id == layer.id)
        .order_by(OcrPage.number)
    ).all()
    read_as: list[str] = []
    for _number, languages in rows:
        for language in (languages or "").split("+"):
            if language and language not in read_as:
                read_as.append(language)
    return OcrOrigin(
        engine=_engine(layer.engine, layer.engine_version),
        languages=layer.languages,
        read_as=tuple(read_as),
        mean_confidence=layer.mean_confidence,
        pages=tuple(number for number, _ in rows),
    )


def ocr_page_texts(session: Session, source_id: int) -> list[PageText]:
    """The accepted OCR layer's pages as text layers for a PDF viewer ([] without one).

    Their text is the text the library stores for those pages (accepting a layer wrote
    it there), so a selection's offsets and quote anchor as on any other page.
    """
    rows = session.execute(
        select(OcrPage.number, OcrPage.text, OcrPage.words)
        .join(OcrLayer, OcrLayer.id == OcrPage.layer_id)
        .where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
        .order_by(OcrPage.number)
    ).all()
    made: list[PageText] = []
    for number, text, words in rows:
        boxes: list[WordBox] = [
            (str(w[0]), float(w[1]), float(w[2]), float(w[3]), float(w[4]), int(w[6]))
            for w in words or []
        ]
        made.append(page_text_from_words(number, text or "", boxes))
    return made


@dataclass(frozen=True)
class LowWord:
    """A word read with low confidence: its box (page points, or image pixels) and score."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float


class LowWords:
    """The low-confidence words of one page, found by area or by point without a scan of
    every word (a viewer asks on each paint and each mouse move).

    Args:
        words: The page's low-confidence words, in any order.
    """

    def __init__(self, words: Iterable[LowWord]) -> None:
        self.words = sorted(words, key=lambda w: w.y0)
        self._tops = [w.y0 for w in self.words]
        self._tallest = max((w.y1 - w.y0 for w in self.words), default=0.0)

    def __len__(self) -> int:
        return len(self.words)

    def in_rect(self, x0: float, y0: float, x1: float, y1: float) -> list[LowWord]:
        """The words whose box meets the rectangle [x0, x1] x [y0, y1]."""
        first = bisect.bisect_left(self._tops, y0 - self._tallest)
        last = bisect.bisect_right(self._tops, y1)
        return [w for w in self.words[first:last] if w.y1 >= y0 and w.x0 <= x1 and w.x1 >= x0]

    def at(self, x: float, y: float) -> LowWord | None:
        """The word whose box holds (x, y), if any."""
        hits = self.in_rect(x, y, x, y)
        return hits[0] if hits else None


def low_confidence_words(
    session: Session, source_id: int, below: float = LOW_CONFIDENCE
) -> dict[int, LowWords]:
    """Per page of the accepted OCR layer, the words read with confidence under ``below``
    ({} without a layer); pages with none are left out."""
    rows = session.execute(
        select(OcrPage.number, OcrPage.words)
        .join(OcrLayer, OcrLayer.id == OcrPage.layer_id)
        .where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
        .order_by(OcrPage.number)
    ).all()
    found: dict[int, LowWords] = {}
    for number, words in rows:
        low = [
            LowWord(str(w[0]), float(w[1]), float(w[2]), float(w[3]), float(w[4]), float(w[5]))
            for w in words or []
            if float(w[5]) < below
        ]
        if low:
            found[number] = LowWords(low)
    return found


def _engine(name: str, version: str) -> str:
    """'tesseract 5.5.4' whether or not the stored version names the engine."""
    return version if version.lower().startswith(name.lower()) else f"{name} {version}".strip()
