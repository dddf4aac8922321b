"""OCR of a source into a layer kept beside the original, and accepting a layer as page text.

A run reads the pages that need it (detect.py; every page with ``force``; an image is one
page) in parallel worker processes, then stores one ``OcrLayer`` with its ``OcrPage``s in
one write transaction with an audit event: nothing is written if it fails or is
cancelled. Accepting a layer writes its text into the pages table, which is what search
indexes and annotations anchor on (the page text the import stored is kept on the
layer's pages and given back if the layer is set aside); the original blob never changes.
A new run on a source that already has an accepted layer is kept aside until accepted.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OcrLayer, OcrPage, Page, Source
from workstation.annotations.service import AnnotationService
from workstation.core.dates import utc_now
from workstation.core.errors import BadInputError, NotFoundError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.ocr.detect import image_looks_like_text, pdf_needs
from workstation.ocr.engine import ENGINE, check_engine, check_models, parse_languages, tessdata_dir
from workstation.ocr.reader import (
    MAX_DPI,
    MAX_PIXELS,
    MIN_DPI,
    OCR_DPI,
    PageJob,
    PageResult,
    read_page,
)
from workstation.sources.flags import FLAG_LOCKED
from workstation.sources.ingest import ImportResult
from workstation.sources.unlock import readable_pdf_path

pymupdf: Any = _pymupdf

OCR_KINDS = ("pdf", "image")


AS_SHOWN = "as shown: a picture's EXIF orientation applied before reading"
"""``settings['orientation']`` of a layer whose word boxes are in the picture as shown.
Layers read before it was recorded hold boxes in the picture as stored."""


def boxes_as_shown(settings: dict[str, Any] | None) -> bool:
    """Whether a layer's word boxes are in the picture as shown (EXIF orientation applied)."""
    return settings is not None and settings.get("orientation") == AS_SHOWN


@dataclass
class LayerSummary:
    """One OCR layer of a source, as the CLI and a viewer show it."""

    layer_id: int
    uuid: str
    source_id: int
    engine: str
    engine_version: str
    languages: str
    models: dict[str, Any]
    mean_confidence: float | None
    accepted: bool
    created_at: str
    seconds: float | None
    pages: list[dict[str, Any]] = field(default_factory=list)
    marks_moved: int | None = None
    """Set when this call accepted the layer: text marks re-anchored onto its text ..."""
    marks_orphaned: int | None = None
    """... and those whose quote is no longer on their page (listed, never dropped)."""

    def as_json(self) -> dict[str, Any]:
        """For --json output."""
        return {
            "layer": self.layer_id,
            "uuid": self.uuid,
            "source_id": self.source_id,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "languages": self.languages,
            "models": self.models,
            "mean_confidence": self.mean_confidence,
            "accepted": self.accepted,
            "created_at": self.created_at,
            "seconds": self.seconds,
            "pages": self.pages,
            "marks_moved": self.marks_moved,
            "marks_orphaned": self.marks_orphaned,
        }


# --- the service ------------------------------------------------------------------------


class OcrService:
    """Runs OCR on a library's sources and keeps the layers.

    The worker processes start with the first source that has two pages to read and
    serve every later one; close() (or the with-block's end) stops them.

    Args:
        library: An open library.
        workers: Worker processes for pages in parallel (default: the machine's cores, at
            most 4); 1 reads in this process.
    """

    def __init__(self, library: Library, *, workers: int | None = None) -> None:
        self._lib = library
        self._workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> OcrService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _workers_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the parent holds SQLite connections and index threads.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=context, initializer=_ignore_sigint
            )
        return self._pool

    # -- planning --

    def pages_to_read(self, source_id: int, *, force: bool = False) -> tuple[Source, list[Any]]:
        """The source and its pages that need OCR, as ``(number, reason)``.

        Raises:
            NotFoundError: No such source.
            BadInputError: The source is not a PDF or an image, or is locked.
        """
        with self._lib.reader() as session:
            source = session.get(Source, source_id)
            if source is None:
                raise NotFoundError(f"no source {source_id}")
            session.expunge(source)
        if source.kind not in OCR_KINDS:
            raise BadInputError(
                f"source {source_id} is {_a(source.kind)}: OCR reads PDFs and images"
            )
        if FLAG_LOCKED in (source.flags or []):
            raise BadInputError(f"source {source_id} is password-protected: unlock it first")
        if source.kind == "image":
            if force or image_looks_like_text(self._path_of(source), MAX_PIXELS):
                return source, [(1, "image")]
            return source, []
        with self._lib.reader() as session:
            rows = session.execute(
                select(Page.number, Page.text).where(Page.source_id == source_id)
            )
            stored: dict[int, str] = {number: text for number, text in rows}
        doc = pymupdf.open(self._path_of(source))
        try:
            if force:
                return source, [(n, "asked") for n in range(1, doc.page_count + 1)]
            needs = pdf_needs(doc, stored)
            return source, [(need.number, need.reason) for need in needs if need.needs_ocr]
        finally:
            doc.close()

    def _path_of(self, source: Source) -> Path:
        if source.kind == "pdf":
            return readable_pdf_path(self._lib, source)
        return self._lib.blobs.path_for(source.sha256)

    # -- running --

    def run(
        self,
        source_id: int,
        languages: str,
        *,
        force: bool = False,
        accept: bool | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> LayerSummary | None:
        """OCR the pages of a source that need it and store the layer.

        Args:
            source_id: The source.
            languages: 'kor+eng', or 'auto' to detect each page's script.
            force: Read every page, text layer or not.
            accept: True: make it the page text now; False: keep it aside; None: accept
                it when the source has no accepted layer yet.
            progress: Told after each page.
            cancel: Checked between pages; a cancelled run stores nothing.

        Returns:
            The new layer, or None when no page needed OCR.

        Raises:
            UnknownLanguageError, OcrModelMissingError: Before anything is read.
            CancelledError: cancel was set.
        """
        codes = parse_languages(languages)
        version = check_engine()
        models = check_models(codes)
        source, wanted = self.pages_to_read(source_id, force=force)
        if not wanted:
            return None
        path = str(self._path_of(source))
        folder = str(tessdata_dir())
        jobs = [PageJob(path, source.kind, n, reason, codes, folder) for n, reason in wanted]
        started = time.perf_counter()
        results = self._read_all(jobs, progress, cancel)
        seconds = round(time.perf_counter() - started, 2)
        settings: dict[str, Any] = {
            "dpi": f"the scan's own, {MIN_DPI}-{MAX_DPI}; else {OCR_DPI}",
            "psm": "6 (5 for jpn_vert)",
            "workers": self._workers,
            "imo_check": "IMO numbers failing the check digit read again, digits only",
            "orientation": AS_SHOWN,
        }
        rereads = {str(r.number): r.rereads for r in results if r.rereads}
        if rereads:  # page -> [[word index, first reading, kept, passes the check]]
            settings["imo_rereads"] = rereads
        return self.save(
            source_id,
            results,
            engine_version=version,
            models=models,
            languages="+".join(codes),
            settings=settings,
            seconds=seconds,
            accept=accept,
        )

    def save(
        self,
        source_id: int,
        results: list[PageResult],
        *,
        engine_version: str,
        models: dict[str, str],
        languages: str,
        settings: dict[str, Any],
        seconds: float | None = None,
        accept: bool | None = None,
    ) -> LayerSummary:
        """Store pages read by OCR as a new layer of a source (run() and a layer that came
        from elsewhere, e.g. a bundle), with an audit event; accept it as run() says."""
        with self._lib.writer() as session:
            layer, marks = store_layer(
                session,
                self._lib,
                source_id,
                results,
                engine_version=engine_version,
                models=models,
                languages=languages,
                settings=settings,
                seconds=seconds,
                accept=accept,
            )
            layer_id = layer.id
        self._lib.index_pending(source_ids=[source_id])
        return self._summary(layer_id, marks)

    def _summary(self, layer_id: int, marks: tuple[int, int] | None) -> LayerSummary:
        with self._lib.reader() as session:
            summary = summarise(session, session.get_one(OcrLayer, layer_id))
        if marks is not None:
            summary.marks_moved, summary.marks_orphaned = marks
        return summary

    def _read_all(
        self,
        jobs: list[PageJob],
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> list[PageResult]:
        total = len(jobs)
        done: list[PageResult] = []

        def tell(result: PageResult) -> None:
            done.append(result)
            if progress is not None:
                progress(Progress(len(done), total, f"page {result.number}", result))

        if progress is not None:
            progress(Progress(0, total))
        if self._workers <= 1 or total <= 1:
            for job in jobs:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                tell(read_page(job))
            return sorted(done, key=lambda r: r.number)
        pool = self._workers_pool()
        pending: set[Future[PageResult]] = {pool.submit(read_page, job) for job in jobs}
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in finished:
                    tell(future.result())
                if cancel is not None:
                    cancel.raise_if_cancelled()
        except BaseException:
            for future in pending:
                future.cancel()
            wait(pending)  # the pages being read finish; nothing is kept of them
            raise
        return sorted(done, key=lambda r: r.number)

    # -- accepting and reading back --

    def accept(self, layer_id: int) -> LayerSummary:
        """Make a layer the source's page text (the one accepted before is set aside).

        Raises:
            NotFoundError: No such layer.
        """
        with self._lib.writer() as session:
            layer = session.get(OcrLayer, layer_id)
            if layer is None:
                raise NotFoundError(f"no OCR layer {layer_id}")
            source_id = layer.source_id
            marks = None if layer.accepted else _accept(session, self._lib, layer)
        self._lib.index_pending(source_ids=[source_id])
        return self._summary(layer_id, marks)


def store_layer(
    session: Session,
    library: Library,
    source_id: int,
    results: list[PageResult],
    *,
    engine_version: str,
    models: dict[str, str],
    languages: str,
    settings: dict[str, Any],
    seconds: float | None = None,
    accept: bool | None = None,
    engine: str = ENGINE,
) -> tuple[OcrLayer, tuple[int, int] | None]:
    """``OcrService.save`` inside the caller's transaction (a bundle merge stores the
    layers it carries in its own): the layer, its ``ocr.run`` event, and accepting it
    (None: only when the source has no accepted layer yet).

    The caller indexes the source after it commits (``Library.index_pending``).

    Returns:
        (the layer, (marks moved, marks orphaned) when it was accepted, else None).
    """
    layer = _store(
        session,
        library.reviewer_id(session),
        source_id,
        engine_version,
        models,
        languages,
        settings,
        results,
        seconds,
        engine,
    )
    library.record(
        session,
        "ocr.run",
        "source",
        source_id,
        {"layer": layer.uuid, "languages": layer.languages, "pages": len(results)},
    )
    has_accepted = _accepted_layer(session, source_id) is not None
    marks = None
    if accept or (accept is None and not has_accepted):
        marks = _accept(session, library, layer)
    return layer, marks


def _ignore_sigint() -> None:
    """In a worker: Ctrl+C reaches the whole process group; the parent decides (it cancels
    between pages), so a worker never dies of it mid-page and breaks the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _store(
    session: Session,
    reviewer_id: int,
    source_id: int,
    version: str,
    models: dict[str, str],
    languages: str,
    settings: dict[str, Any],
    results: list[PageResult],
    seconds: float | None,
    engine: str = ENGINE,
) -> OcrLayer:
    confidences = [w[5] for r in results for w in r.words]
    layer = OcrLayer(
        uuid=str(uuid.uuid4()),
        source_id=source_id,
        engine=engine,
        engine_version=version,
        models=models,
        languages=languages,
        settings=settings,
        mean_confidence=round(sum(confidences) / len(confidences), 1) if confidences else None,
        seconds=seconds,
        accepted=False,
        created_at=utc_now(),
        created_by_id=reviewer_id,
    )
    session.add(layer)
    session.flush()
    for result in results:
        session.add(
            OcrPage(
                layer_id=layer.id,
                source_id=source_id,
                number=result.number,
                text=result.text,
                words=result.words,
                mean_confidence=result.mean_confidence,
                languages=result.languages,
                script=result.script,
                reason=result.reason,
            )
        )
    session.flush()
    return layer


def _accepted_layer(session: Session, source_id: int) -> OcrLayer | None:
    return session.scalars(
        select(OcrLayer).where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
    ).first()


def _pages_of(session: Session, layer_id: int) -> list[OcrPage]:
    return list(
        session.scalars(
            select(OcrPage).where(OcrPage.layer_id == layer_id).order_by(OcrPage.number)
        )
    )


def _accept(session: Session, library: Library, layer: OcrLayer) -> tuple[int, int]:
    """Write ``layer``'s text into the pages table, giving back what a previous layer
    replaced, and re-anchor the source's text marks onto it.

    Returns:
        (marks moved, marks orphaned).
    """
    source_id = layer.source_id
    stored = {p.number: p for p in session.scalars(select(Page).where(Page.source_id == source_id))}
    imported: dict[int, str] = {n: p.text for n, p in stored.items()}
    previous = _accepted_layer(session, source_id)
    if previous is not None:
        for old in _pages_of(session, previous.id):
            imported[old.number] = old.replaced_text or ""
        previous.accepted = False
        previous.accepted_at = None
        session.flush()  # the unique index allows one accepted layer per source
    new_pages = _pages_of(session, layer.id)
    for number, text in imported.items():
        if number in stored and stored[number].text != text:
            stored[number].text = text  # a page the old layer had and the new one has not
    for ocr_page in new_pages:
        ocr_page.replaced_text = imported.get(ocr_page.number, "")
        row = stored.get(ocr_page.number)
        if row is None:  # an image has no page until it is read
            session.add(Page(source_id=source_id, number=ocr_page.number, text=ocr_page.text))
        else:
            row.text = ocr_page.text
    layer.accepted = True
    layer.accepted_at = utc_now()
    source = session.get_one(Source, source_id)
    source.indexed = False
    library.record(
        session,
        "ocr.accept",
        "source",
        source_id,
        {
            "layer": layer.uuid,
            "languages": layer.languages,
            "pages": [p.number for p in new_pages],
            "replaces": previous.uuid if previous is not None else None,
        },
    )
    session.flush()
    return AnnotationService(library).reanchor_source(session, source_id)


def summarise(session: Session, layer: OcrLayer) -> LayerSummary:
    """A layer and its pages (number, reason, languages, script, mean confidence, words)."""
    pages = [
        {
            "page": p.number,
            "reason": p.reason,
            "languages": p.languages,
            "script": p.script,
            "mean_confidence": p.mean_confidence,
            "words": len(p.words),
        }
        for p in _pages_of(session, layer.id)
    ]
    return LayerSummary(
        layer.id,
        layer.uuid,
        layer.source_id,
        layer.engine,
        layer.engine_version,
        layer.languages,
        dict(layer.models),
        layer.mean_confidence,
        layer.accepted,
        layer.created_at,
        layer.seconds,
        pages,
    )


def layers_of(session: Session, source_id: int) -> list[LayerSummary]:
    """Every OCR layer of a source, oldest first."""
    found = session.scalars(
        select(OcrLayer).where(OcrLayer.source_id == source_id).order_by(OcrLayer.id)
    )
    return [summarise(session, layer) for layer in found]


def sources_without_layer(session: Session) -> list[int]:
    """PDFs and images (not locked) that have no OCR layer yet, by id."""
    has_layer = select(OcrLayer.source_id)
    rows = session.execute(
        select(Source.id, Source.flags)
        .where(Source.kind.in_(OCR_KINDS), Source.id.not_in(has_layer))
        .order_by(Source.id)
    )
    return [source_id for source_id, flags in rows if FLAG_LOCKED not in (flags or [])]


def ocr_words(session: Session, source_id: int, number: int) -> list[list[Any]] | None:
    """The accepted layer's words on one page (for highlight boxes), None if not OCRed."""
    row = session.execute(
        select(OcrPage.words)
        .join(OcrLayer, OcrLayer.id == OcrPage.layer_id)
        .where(
            OcrLayer.source_id == source_id,
            OcrLayer.accepted.is_(True),
            OcrPage.number == number,
        )
    ).first()
    return None if row is None else list(row.words)


def passage_boxes(
    words: list[list[Any]], start: int, end: int
) -> list[tuple[float, float, float, float]]:
    """The boxes covering page text [start, end) on an OCR page, one per line of words.

    For highlights and redaction: a word counts when any of its characters is in the
    range (its whole box, OCR gives no finer one). Words on one line (overlapping
    vertically, left to right) are joined into one box.

    Args:
        words: An OCR page's words, ``[text, x0, y0, x1, y1, confidence, offset]``.
        start: First offset of the passage in the page text.
        end: Offset just past it.
    """
    boxes: list[list[float]] = []
    for text, x0, y0, x1, y1, _confidence, offset in words:
        if offset >= end or offset + len(text) <= start:
            continue
        last = boxes[-1] if boxes else None
        if last is not None and y0 < last[3] and y1 > last[1] and x0 >= last[0]:
            last[2], last[1], last[3] = max(last[2], x1), min(last[1], y0), max(last[3], y1)
        else:
            boxes.append([x0, y0, x1, y1])
    return [(b[0], b[1], b[2], b[3]) for b in boxes]


def redact_words(
    text: str,
    words: Sequence[Sequence[Any]],
    spans: Sequence[tuple[int, int]],
    boxes: Sequence[tuple[float, float, float, float]],
    marker: str,
) -> tuple[str, list[list[Any]]]:
    """An OCR page's text and words with every word under a redaction taken out.

    A word goes when any of its characters is in one of ``spans`` (a redacted passage) or
    its box overlaps one of ``boxes`` (a redacted region): OCR gives no finer box than a
    word, so a word is kept or removed whole. Each run of removed words (and the passage
    text between them on one line) becomes one ``marker`` in the text; the words that stay
    keep their boxes and get offsets into the new text.

    Args:
        text: The page text (``words_to_text``).
        words: Its words, ``[text, x0, y0, x1, y1, confidence, offset]``.
        spans: Redacted passages, as [start, end) offsets into ``text``.
        boxes: Redacted regions, in the words' coordinates.
        marker: What stands in the text for removed words ('' leaves nothing).

    Returns:
        (the new text, the words that stay).
    """

    def in_box(x0: float, y0: float, x1: float, y1: float) -> bool:
        return any(x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1 for bx0, by0, bx1, by1 in boxes)

    cut = [(max(0, s), min(len(text), e)) for s, e in spans if max(0, s) < min(len(text), e)]
    kept: list[Sequence[Any]] = []
    for word in words:
        word_text, x0, y0, x1, y1, _confidence, offset = word
        end = offset + len(word_text)
        if any(offset < e and s < end for s, e in cut) or in_box(x0, y0, x1, y1):
            cut.append((offset, end))
        else:
            kept.append(word)
    merged: list[list[int]] = []
    for start, end in sorted(cut):
        # One marker for a run: overlapping, touching, or apart by spaces on one line.
        if merged and not text[merged[-1][1] : start].strip(" \t"):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    position = 0
    moves: list[tuple[int, int]] = []  # (old offset from which, shift) in text order
    shift = 0
    for start, end in merged:
        pieces += [text[position:start], marker]
        shift += len(marker) - (end - start)
        moves.append((end, shift))
        position = end
    pieces.append(text[position:])

    def moved(offset: int) -> int:
        by = 0
        for after, total in moves:
            if offset < after:
                break
            by = total
        return offset + by

    out = [[*w[:6], moved(int(w[6]))] for w in kept]
    return "".join(pieces), out


def read_after_import(results: Iterable[ImportResult]) -> list[int]:
    """The sources an import brought in that OCR may read: PDFs and images imported now
    (not duplicates or failures), not locked by a password."""
    return [
        r.source_id
        for r in results
        if r.status == "imported"
        and r.source_id is not None
        and r.kind in ("pdf", "image")
        and FLAG_LOCKED not in r.flags
    ]
