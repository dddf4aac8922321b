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
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OcrLayer, OcrPage, Page, Source
from workstation.core.dates import utc_now
from workstation.core.errors import BadInputError, NotFoundError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.ocr.detect import image_looks_like_text, pdf_needs
from workstation.ocr.engine import (
    ENGINE,
    check_engine,
    check_models,
    parse_languages,
    read_picture,
    tessdata_dir,
    words_to_text,
)
from workstation.sources.flags import FLAG_LOCKED
from workstation.sources.unlock import readable_pdf_path

pymupdf: Any = _pymupdf

OCR_DPI = 300
"""A PDF page is rendered for reading at its scan's own resolution (the picture that
covers most of it), or at this one when it has none; resampling a 200-dpi scan to 300
doubled the error rate on the test set (docs/performance.md)."""
MIN_DPI, MAX_DPI = 150, 400
MAX_PIXELS = 60_000_000
"""A page render or image larger than this is not read (a 20000x20000 satellite image)."""
OCR_KINDS = ("pdf", "image")


@dataclass(frozen=True)
class PageJob:
    """One page to read, in a form a worker process can take (paths, no sessions)."""

    path: str
    kind: str
    number: int
    reason: str
    languages: tuple[str, ...]
    tessdata: str
    dpi: int = OCR_DPI


@dataclass(frozen=True)
class PageResult:
    """What was read on one page: text, words ``[text, x0, y0, x1, y1, conf, offset]``."""

    number: int
    text: str
    words: list[list[Any]]
    mean_confidence: float | None
    languages: str
    script: str | None
    reason: str
    seconds: float


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
        }


# --- reading one page (runs in a worker process) ----------------------------------------


def read_page(job: PageJob) -> PageResult:
    """Render or open the page, read it, and give boxes in the source's coordinates.

    PDF pages: boxes in points on the page as displayed. Images: pixels of the image.

    Raises:
        BadInputError: The file cannot be read, or the page is too large to read.
    """
    started = time.perf_counter()
    scale = 1.0
    dpi: int | None = job.dpi
    if job.kind == "pdf":
        picture, dpi = _render_pdf_page(Path(job.path), job.number, job.dpi)
        scale = 72 / dpi
    else:
        picture, dpi = _open_image(Path(job.path))
    reading = read_picture(picture, job.languages, dpi, Path(job.tessdata))
    text, offsets = words_to_text(reading.words)
    words = [
        [w.text, *(round(v * scale, 2) for v in w.box), round(w.confidence, 1), offset]
        for w, offset in zip(reading.words, offsets, strict=True)
    ]
    confidences = [w.confidence for w in reading.words]
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return PageResult(
        job.number,
        text,
        words,
        mean,
        reading.languages,
        reading.script,
        job.reason,
        time.perf_counter() - started,
    )


def scan_dpi(page: Any) -> int | None:
    """The resolution of the picture covering most of a page (a scan), if one covers half."""
    area = abs(page.rect)
    best: tuple[float, int] | None = None
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & page.rect
        if box.is_empty or abs(box) < area / 2 or box.width <= 0:
            continue
        dpi = round(int(info["width"]) / (pymupdf.Rect(info["bbox"]).width / 72))
        if best is None or abs(box) > best[0]:
            best = (abs(box), dpi)
    return None if best is None else max(MIN_DPI, min(MAX_DPI, best[1]))


def _render_pdf_page(path: Path, number: int, dpi: int) -> tuple[Image.Image, int]:
    """The page in greyscale at its scan's resolution (else ``dpi``), and the dpi used."""
    try:
        doc = pymupdf.open(path)
    except Exception as error:
        raise BadInputError(f"{path.name} cannot be opened as a PDF: {error}") from error
    try:
        page = doc.load_page(number - 1)
        dpi = scan_dpi(page) or dpi
        zoom = dpi / 72
        if page.rect.width * zoom * page.rect.height * zoom > MAX_PIXELS:
            raise BadInputError(f"page {number} is too large to read at {dpi} dpi")
        pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY)
        size = (int(pixmap.width), int(pixmap.height))
        picture = Image.frombytes("L", size, bytes(pixmap.samples), "raw", "L", pixmap.stride)
        return picture, dpi
    finally:
        doc.close()


def _open_image(path: Path) -> tuple[Image.Image, int | None]:
    """The image's first frame in greyscale, and its resolution if it says one."""
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BadInputError(
                    f"the image is too large to read ({image.width}x{image.height} pixels)"
                )
            image.seek(0)
            grey = image.convert("L")
            dpi = image.info.get("dpi")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise BadInputError(f"the image cannot be read: {error}") from error
    resolution = round(float(dpi[0])) if dpi and float(dpi[0]) >= 70 else None
    return grey, resolution


# --- the service ------------------------------------------------------------------------


class OcrService:
    """Runs OCR on a library's sources and keeps the layers.

    Args:
        library: An open library.
        workers: Worker processes for pages in parallel (default: the machine's cores, at
            most 4); 1 reads in this process.
    """

    def __init__(self, library: Library, *, workers: int | None = None) -> None:
        self._lib = library
        self._workers = workers or max(1, min(4, os.cpu_count() or 1))

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
            if force or image_looks_like_text(self._path_of(source)):
                return source, [(1, "image")]
            return source, []
        doc = pymupdf.open(self._path_of(source))
        try:
            if force:
                return source, [(n, "asked") for n in range(1, doc.page_count + 1)]
            return source, [(need.number, need.reason) for need in pdf_needs(doc) if need.needs_ocr]
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
        settings = {
            "dpi": f"the scan's own, {MIN_DPI}-{MAX_DPI}; else {OCR_DPI}",
            "psm": "6 (5 for jpn_vert)",
            "workers": self._workers,
        }
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
            layer = _store(
                session,
                self._lib.reviewer_id(session),
                source_id,
                engine_version,
                models,
                languages,
                settings,
                results,
                seconds,
            )
            self._lib.record(
                session,
                "ocr.run",
                "source",
                source_id,
                {"layer": layer.uuid, "languages": layer.languages, "pages": len(results)},
            )
            has_accepted = _accepted_layer(session, source_id) is not None
            if accept or (accept is None and not has_accepted):
                _accept(session, self._lib, layer)
            layer_id = layer.id
        self._lib.index_pending(source_ids=[source_id])
        with self._lib.reader() as session:
            return summarise(session, session.get_one(OcrLayer, layer_id))

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
        # spawn, not fork: the parent holds SQLite connections and index threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self._workers, total), mp_context=context) as pool:
            pending: set[Future[PageResult]] = {pool.submit(read_page, job) for job in jobs}
            try:
                while pending:
                    finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        tell(future.result())
                    if cancel is not None:
                        cancel.raise_if_cancelled()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
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
            if not layer.accepted:
                _accept(session, self._lib, layer)
        self._lib.index_pending(source_ids=[source_id])
        with self._lib.reader() as session:
            return summarise(session, session.get_one(OcrLayer, layer_id))


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
) -> OcrLayer:
    confidences = [w[5] for r in results for w in r.words]
    layer = OcrLayer(
        uuid=str(uuid.uuid4()),
        source_id=source_id,
        engine=ENGINE,
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


def _accept(session: Session, library: Library, layer: OcrLayer) -> None:
    """Write ``layer``'s text into the pages table, giving back what a previous layer replaced."""
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
