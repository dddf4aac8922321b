"""What the viewers need of a source's accepted OCR layer: its pages as text layers with
character boxes (from the word boxes), and a line on where the text came from.

Plain data only: the desktop reads these through its read pool and gets no ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OcrLayer, OcrPage
from workstation.sources.pages import PageText, WordBox, page_text_from_words


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


def _engine(name: str, version: str) -> str:
    """'tesseract 5.5.4' whether or not the stored version names the engine."""
    return version if version.lower().startswith(name.lower()) else f"{name} {version}".strip()
