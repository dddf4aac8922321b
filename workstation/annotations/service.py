"""Annotations: marks on sources, tagged with categories, kept with history.

Every change goes through this service in a write transaction with its
audit event; a deleted annotation is marked deleted, never erased. The
``AnnotationHistory`` gives the desktop app undo and redo that run through
the same service (so undo is audited too).
"""

from __future__ import annotations

import difflib
import uuid as uuidlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationCategory, Category, Source
from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    RegionAnchor,
    TextAnchor,
    text_anchor,
)
from workstation.annotations.queries import AnnotationFilter, annotation_page
from workstation.annotations.quotes import quote_pattern, shown_quote
from workstation.annotations.records import anchor_of, store_anchor, to_data
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library
from workstation.entities.register import (
    EntityError,
    get_entity,
    link_annotation,
    unlink_annotation,
)
from workstation.sources.lookup import page_text
from workstation.sources.unlock import readable_pdf_path

MAX_NOTE = 20_000
FUZZY_MIN_RATIO = 0.8


class AnnotationError(WorkstationError):
    """An annotation cannot be made or changed as asked."""


# --- anchors from what a reviewer gives ---------------------------------------


def find_quote(
    session: Session, source: Source, quote: str, *, page: int | None = None, occurrence: int = 1
) -> TextAnchor:
    """Anchor the ``occurrence``-th appearance of ``quote`` (on ``page``, or anywhere).

    The quote matches across typographic variants (' and ’, " and “ ”, spaces and
    no-break spaces, a word hyphenated at a line end: ``annotations/quotes.py``);
    the anchor holds the text as it is in the source.

    Raises:
        AnnotationError: the quote is empty or not found that many times.
    """
    if not quote.strip():
        raise AnnotationError("the quote is empty")
    if occurrence < 1:
        raise AnnotationError("--occurrence counts from 1")
    pattern = quote_pattern(quote)
    image = source.kind == "image"  # one page of text once OCR read it
    pages = [page] if page is not None else list(range(1, (1 if image else source.page_count) + 1))
    seen = 0
    for number in pages:
        text = (
            _image_text(session, source, number) if image else page_text(session, source.id, number)
        )
        for match in pattern.finditer(text):
            seen += 1
            if seen == occurrence:
                return text_anchor(text, match.start(), match.end(), page=number)
    where = f"on page {page}" if page is not None else "in the source"
    if seen == 0:
        raise AnnotationError(f"the quote “{shown_quote(quote)}” is not {where}")
    raise AnnotationError(f"the quote appears {seen} time(s) {where}, not {occurrence}")


def _check_anchor(
    session: Session, source: Source, anchor: Anchor, blob: Path | None = None
) -> Anchor:
    if isinstance(anchor, TextAnchor):
        if source.kind == "image":
            text = _image_text(session, source, anchor.page)
        else:
            text = page_text(session, source.id, anchor.page)
        if text[anchor.start : anchor.end] != anchor.exact or anchor.start >= anchor.end:
            raise AnnotationError(
                f"the passage {anchor.start}-{anchor.end} on page {anchor.page} does not match "
                "the stored text"
            )
        # Context always comes from the stored text.
        return text_anchor(text, anchor.start, anchor.end, page=anchor.page)
    if isinstance(anchor, RegionAnchor):
        return _check_region(source, anchor, blob)
    if not 1 <= anchor.page <= max(source.page_count, 1):
        raise AnnotationError(f"source {source.id} has no page {anchor.page}")
    return anchor


def _image_text(session: Session, source: Source, page: int) -> str:
    """An image's text is its accepted OCR layer's, on page 1 (a picture is one page)."""
    try:
        text = page_text(session, source.id, 1) if page == 1 else ""
    except NotFoundError:
        text = ""
    if not text:
        raise AnnotationError(
            "this image has no text to mark (run OCR on it first, or draw a region)"
            if page == 1
            else "an image's text is on page 1"
        )
    return text


def _check_region(source: Source, anchor: RegionAnchor, blob: Path | None) -> RegionAnchor:
    need = {"rect": 2, "polygon": 3, "points": 1}[anchor.shape]
    if len(anchor.points) < need:
        raise AnnotationError(f"a {anchor.shape} needs at least {need} point(s)")
    points = tuple((round(float(x), 2), round(float(y), 2)) for x, y in anchor.points)
    if source.kind == "image":
        if anchor.page not in (None, 1):
            raise AnnotationError("an image has no pages; leave the page out")
        width = float(source.meta.get("width") or 0)
        height = float(source.meta.get("height") or 0)
        bounds = (width, height)
        page = None
    elif source.kind == "pdf":
        page = anchor.page or 1
        if not 1 <= page <= source.page_count:
            raise AnnotationError(f"source {source.id} has no page {page}")
        bounds = _pdf_page_size(blob, page)
    else:
        raise AnnotationError(f"regions go on images and PDF pages, not on a {source.kind}")
    x, y, w, h = RegionAnchor(anchor.shape, points).bbox
    if anchor.shape == "rect" and (w <= 0 or h <= 0):
        raise AnnotationError("the rectangle has no area")
    if (
        bounds[0]
        and bounds[1]
        and (x < 0 or y < 0 or x + w > bounds[0] + 0.01 or y + h > bounds[1] + 0.01)
    ):
        raise AnnotationError(
            f"the region {x:g},{y:g},{w:g},{h:g} lies outside the "
            f"{'image' if page is None else 'page'} ({bounds[0]:g} x {bounds[1]:g})"
        )
    return RegionAnchor(anchor.shape, points, page)


def _pdf_page_size(blob: Path | None, page: int) -> tuple[float, float]:
    """Width and height of a PDF page in points, as the viewer shows it."""
    if blob is None:
        return (0.0, 0.0)
    from workstation.sources.pages import PdfDocument  # lazy: PyMuPDF, ~200 ms; PDF regions only

    doc = PdfDocument(blob)
    try:
        width, height = doc.page_size(page)
    finally:
        doc.close()
    return float(width), float(height)


# --- categories, notes and audit snapshots (rows <-> data: records.py) ---------------


def _categories(session: Session, codes: Sequence[str]) -> list[Category]:
    found: list[Category] = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        category = session.scalar(select(Category).where(Category.code == code))
        if category is None:
            raise AnnotationError(f"no category {code!r} (see 'workstation taxonomy list')")
        if category.deprecated:
            raise AnnotationError(f"category {code!r} is deprecated; pick its replacement")
        found.append(category)
    return found


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    cleaned = note.strip()
    if len(cleaned) > MAX_NOTE:
        raise AnnotationError(f"a note is at most {MAX_NOTE:,} characters")
    return cleaned or None


def _snapshot(data: AnnotationData) -> dict[str, Any]:
    return {
        "categories": data.categories,
        "note": data.note,
        "redact": data.redact,
        "anchor": _anchor_json(data.anchor),
    }


def _anchor_json(anchor: Anchor) -> dict[str, Any]:
    if isinstance(anchor, TextAnchor):
        return {
            "kind": "text",
            "page": anchor.page,
            "start": anchor.start,
            "end": anchor.end,
            "exact": anchor.exact,
        }
    if isinstance(anchor, RegionAnchor):
        return {
            "kind": "region",
            "page": anchor.page,
            "shape": anchor.shape,
            "points": [list(p) for p in anchor.points],
        }
    return {"kind": "page", "page": anchor.page}


# --- the service ----------------------------------------------------------------------


class AnnotationService:
    """Creates, edits, deletes and lists annotations of one library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def _row(self, session: Session, annotation_uuid: str) -> Annotation:
        row = session.scalar(select(Annotation).where(Annotation.uuid == annotation_uuid))
        if row is None:
            raise NotFoundError(f"no annotation {annotation_uuid}")
        return row

    def create(
        self,
        session: Session,
        source_id: int,
        anchor: Anchor,
        *,
        categories: Sequence[str] = (),
        note: str | None = None,
        redact: bool = False,
        annotation_uuid: str | None = None,
        orphaned: bool = False,
    ) -> AnnotationData:
        """Mark a source; returns what was stored.

        ``orphaned`` stores a text anchor that cannot be found in the stored
        text as it came (from a bundle whose text differs), listed as orphaned.
        """
        source = session.get(Source, source_id)
        if source is None:
            raise NotFoundError(f"no source {source_id}")
        if orphaned and isinstance(anchor, TextAnchor):
            checked: Anchor = anchor
        else:
            orphaned = False
            blob = readable_pdf_path(self.library, source)  # an unlocked PDF: its copy
            checked = _check_anchor(session, source, anchor, blob)
        cats = _categories(session, categories)
        now = utc_now()
        row = Annotation(
            uuid=annotation_uuid or str(uuidlib.uuid4()),
            source_id=source.id,
            note=_clean_note(note),
            redact=redact,
            orphaned=orphaned,
            version=1,
            author_id=self.library.reviewer_id(session),
            created_at=now,
            modified_at=now,
            deleted_at=None,
        )
        store_anchor(row, checked)
        session.add(row)
        session.flush()
        for category in cats:
            session.add(AnnotationCategory(annotation_id=row.id, category_id=category.id))
        session.flush()
        data = to_data(session, row)
        self.library.record(
            session,
            "annotation.create",
            "annotation",
            row.uuid,
            {"source_id": source.id, **_snapshot(data)},
        )
        return data

    def update(
        self,
        session: Session,
        annotation_uuid: str,
        *,
        categories: Sequence[str] | None = None,
        note: str | None = None,
        redact: bool | None = None,
        anchor: Anchor | None = None,
    ) -> AnnotationData:
        """Change what is given; ``None`` leaves a field alone (note '' clears it)."""
        row = self._row(session, annotation_uuid)
        if row.deleted_at is not None:
            raise AnnotationError("this annotation was deleted; undo the deletion first")
        before = to_data(session, row)
        if anchor is not None:
            source = session.get(Source, row.source_id)
            assert source is not None
            blob = readable_pdf_path(self.library, source)  # an unlocked PDF: its copy
            store_anchor(row, _check_anchor(session, source, anchor, blob))
            row.orphaned = False
        if note is not None:
            row.note = _clean_note(note)
        if redact is not None:
            row.redact = redact
        if categories is not None:
            cats = _categories(session, categories)
            session.execute(
                delete(AnnotationCategory).where(AnnotationCategory.annotation_id == row.id)
            )
            for category in cats:
                session.add(AnnotationCategory(annotation_id=row.id, category_id=category.id))
        session.flush()
        after = to_data(session, row)
        if _snapshot(after) == _snapshot(before):
            return after
        row.version += 1
        row.modified_at = utc_now()
        self.library.record(
            session,
            "annotation.edit",
            "annotation",
            row.uuid,
            {"before": _snapshot(before), "after": _snapshot(after), "version": row.version},
        )
        return replace(after, modified=row.modified_at)

    def delete(self, session: Session, annotation_uuid: str) -> None:
        """Mark deleted (kept, and in the audit trail)."""
        row = self._row(session, annotation_uuid)
        if row.deleted_at is not None:
            return
        row.deleted_at = utc_now()
        self.library.record(
            session, "annotation.delete", "annotation", row.uuid, {"source_id": row.source_id}
        )

    def restore(self, session: Session, annotation_uuid: str) -> None:
        """Undo a deletion."""
        row = self._row(session, annotation_uuid)
        if row.deleted_at is None:
            return
        row.deleted_at = None
        self.library.record(
            session, "annotation.restore", "annotation", row.uuid, {"source_id": row.source_id}
        )

    def get(self, session: Session, annotation_uuid: str) -> AnnotationData:
        """One annotation."""
        return to_data(session, self._row(session, annotation_uuid))

    def find(self, session: Session, flt: AnnotationFilter | None = None) -> list[AnnotationData]:
        """Annotations in source and position order."""
        # One filter and one batched reader for the service and the paged
        # list views (5,000 marks of one source took 7.9 s read one by one).
        return annotation_page(session, flt)

    def orphaned(self, session: Session, source_id: int | None = None) -> list[AnnotationData]:
        """Annotations whose passage could not be found again."""
        stmt = select(Annotation).where(
            Annotation.orphaned.is_(True), Annotation.deleted_at.is_(None)
        )
        if source_id is not None:
            stmt = stmt.where(Annotation.source_id == source_id)
        return [to_data(session, r) for r in session.scalars(stmt)]

    def reanchor_source(self, session: Session, source_id: int) -> tuple[int, int]:
        """Find every text annotation of a source again after its text changed.

        Returns:
            (moved, orphaned): how many anchors moved and how many could not
            be placed (listed as orphaned, never dropped).
        """
        moved = orphaned = 0
        rows = session.scalars(
            select(Annotation).where(
                Annotation.source_id == source_id,
                Annotation.anchor_kind == "text",
                Annotation.deleted_at.is_(None),
            )
        )
        for row in rows:
            old = anchor_of(row)
            assert isinstance(old, TextAnchor)
            try:
                text = page_text(session, source_id, old.page)
            except AnnotationError:
                text = ""
            new = reanchor(text, old)
            if new is None:
                if not row.orphaned:
                    row.orphaned = True
                    orphaned += 1
                    self.library.record(
                        session,
                        "annotation.orphan",
                        "annotation",
                        row.uuid,
                        {"exact": old.exact[:200]},
                    )
            elif new != old or row.orphaned:
                store_anchor(row, new)
                row.orphaned = False
                moved += 1
                self.library.record(
                    session,
                    "annotation.reanchor",
                    "annotation",
                    row.uuid,
                    {"from": [old.start, old.end], "to": [new.start, new.end]},
                )
        return moved, orphaned


def reanchor(text: str, old: TextAnchor) -> TextAnchor | None:
    """Where ``old``'s passage is in ``text`` now, or None when it is gone.

    Exact position first, then the exact quote nearest the old position
    (context breaking ties), then the best approximate match scoring at
    least FUZZY_MIN_RATIO.
    """
    if text[old.start : old.end] == old.exact:
        return text_anchor(text, old.start, old.end, page=old.page)
    hits = []
    start = text.find(old.exact)
    while start != -1 and old.exact:
        context = 0
        if old.prefix and text[:start].endswith(old.prefix[-8:]):
            context += 1
        if old.suffix and text[start + len(old.exact) :].startswith(old.suffix[:8]):
            context += 1
        hits.append((-context, abs(start - old.start), start))
        start = text.find(old.exact, start + 1)
    if hits:
        best = min(hits)[2]
        return text_anchor(text, best, best + len(old.exact), page=old.page)
    return _fuzzy(text, old)


def _fuzzy(text: str, old: TextAnchor) -> TextAnchor | None:
    quote = old.exact
    if not quote or not text:
        return None
    n = len(quote)
    best: tuple[float, int, int] = (0.0, 0, 0)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    # Candidate windows start where a block of the quote matches the text.
    seeds = {
        m.a - m.b
        for m in difflib.SequenceMatcher(None, text, quote, autojunk=False).get_matching_blocks()
        if m.size >= 3
    }
    for seed in seeds:
        for length in (n - n // 10, n, n + n // 10):
            lo = max(0, seed)
            hi = min(len(text), lo + max(1, length))
            matcher.set_seq1(text[lo:hi])
            ratio = matcher.ratio()
            if ratio > best[0]:
                best = (ratio, lo, hi)
    if best[0] < FUZZY_MIN_RATIO:
        return None
    return text_anchor(text, best[1], best[2], page=old.page)


# --- undo / redo ----------------------------------------------------------------------


class ForeignStep(Protocol):
    """A change of another kind kept in the same undo history (a finding's edit), so
    one Ctrl+Z takes back whichever change came last; it applies itself."""

    @property
    def kind(self) -> str:
        """What it changes ("finding"): the window tells the panels that show it."""
        ...

    @property
    def uuid(self) -> str:
        """The record changed."""
        ...

    def apply(self, session: Session, *, undo: bool) -> None:
        """Take the change back (``undo``) or make it again."""
        ...


@dataclass
class _Step:
    kind: str
    uuid: str
    before: AnnotationData | None = None
    after: AnnotationData | None = None
    entity: str | None = None  # for "link" and "unlink"
    foreign: ForeignStep | None = None  # for "foreign"
    steps: list[_Step] = field(default_factory=list)  # for "group", in the order made
    label: str = ""  # for "group": what the reviewer did ("Mark on both")

    def uuids(self) -> list[str]:
        """The annotations this step changes (a group's, in order)."""
        if self.kind == "group":
            return [u for s in self.steps for u in s.uuids()]
        return [] if self.foreign is not None else [self.uuid]


@dataclass
class AnnotationHistory:
    """Undo and redo of annotation changes, run through the service.

    The desktop app keeps one per window; each call takes the session of the
    user's operation. Changes made inside ``group()`` are one step: one undo takes
    them all back (last first), one redo makes them all again.
    """

    service: AnnotationService
    limit: int = 200
    _undo: list[_Step] = field(default_factory=list)
    _redo: list[_Step] = field(default_factory=list)
    _open: list[_Step] = field(default_factory=list)  # groups being made, outermost first
    #: The annotations the last undo or redo changed (a group's, every one of them).
    last_changed: tuple[str, ...] = ()

    @contextmanager
    def group(self, label: str) -> Iterator[None]:
        """Keep the changes made inside as one undo step named ``label``.

        Use it inside the one transaction that makes them: when the block raises, the
        transaction rolls back and the group is dropped with it. Groups nest (the
        inner one is part of the outer); a group that changed nothing leaves no step.
        """
        step = _Step("group", "", label=label)
        self._open.append(step)
        try:
            yield
        except BaseException:
            self._open.pop()
            raise
        self._open.pop()
        if step.steps:
            step.uuid = step.steps[-1].uuid
            self._push(step)

    @property
    def can_undo(self) -> bool:
        """Whether there is something to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is something to redo."""
        return bool(self._redo)

    def _push(self, step: _Step) -> None:
        if self._open:
            self._open[-1].steps.append(step)
            return
        self._undo.append(step)
        del self._undo[: -self.limit]
        self._redo.clear()

    def create(self, session: Session, source_id: int, anchor: Anchor, **kw: Any) -> AnnotationData:
        """Create, remembering how to undo it."""
        data = self.service.create(session, source_id, anchor, **kw)
        self._push(_Step("create", data.uuid, after=data))
        return data

    def update(self, session: Session, annotation_uuid: str, **kw: Any) -> AnnotationData:
        """Edit, remembering the state before."""
        before = self.service.get(session, annotation_uuid)
        after = self.service.update(session, annotation_uuid, **kw)
        self._push(_Step("update", annotation_uuid, before=before, after=after))
        return after

    def delete(self, session: Session, annotation_uuid: str) -> None:
        """Delete, remembering how to restore."""
        self.service.delete(session, annotation_uuid)
        self._push(_Step("delete", annotation_uuid))

    def link(self, session: Session, annotation_uuid: str, entity_uuid: str) -> bool:
        """Link an entity to an annotation, remembering how to undo it; False if it was."""
        changed = link_annotation(self.service.library, session, annotation_uuid, entity_uuid)
        if changed:
            self._push(_Step("link", annotation_uuid, entity=entity_uuid))
        return changed

    def unlink(self, session: Session, annotation_uuid: str, entity_uuid: str) -> bool:
        """Remove an annotation-entity link, remembering how to undo it; False if none."""
        changed = unlink_annotation(self.service.library, session, annotation_uuid, entity_uuid)
        if changed:
            self._push(_Step("unlink", annotation_uuid, entity=entity_uuid))
        return changed

    def record(self, step: ForeignStep) -> None:
        """Keep another kind of change (already made) in this history."""
        self._push(_Step("foreign", step.uuid, foreign=step))

    def label(self, which: Literal["undo", "redo"]) -> str | None:
        """The name of the group ``undo`` (or ``redo``) would take back next, if a group."""
        steps = self._undo if which == "undo" else self._redo
        return steps[-1].label or None if steps else None

    def pending(self, which: Literal["undo", "redo"]) -> ForeignStep | None:
        """The foreign step ``undo`` (or ``redo``) would apply next; None when the next
        is an annotation's, or there is none."""
        steps = self._undo if which == "undo" else self._redo
        return steps[-1].foreign if steps else None

    def _apply(self, session: Session, step: _Step, *, undo: bool) -> None:
        svc = self.service
        if step.kind == "group":
            for part in reversed(step.steps) if undo else step.steps:
                self._apply(session, part, undo=undo)
            return
        if step.foreign is not None:
            step.foreign.apply(session, undo=undo)
            return
        if step.kind in ("link", "unlink"):
            assert step.entity is not None
            now = get_entity(session, step.entity)
            if now.uuid != step.entity:
                # Merged since: its links are the kept entity's now, and undo cannot
                # tell the one it made from one the kept entity had of its own.
                raise EntityError(
                    f"that entity was merged into {now.name} since; change its links "
                    "in the Entities window"
                )
            relink = (step.kind == "link") != undo
            change = link_annotation if relink else unlink_annotation
            change(svc.library, session, step.uuid, step.entity)
        elif step.kind == "create":
            if undo:
                svc.delete(session, step.uuid)
            else:
                svc.restore(session, step.uuid)
        elif step.kind == "delete":
            if undo:
                svc.restore(session, step.uuid)
            else:
                svc.delete(session, step.uuid)
        else:
            target = step.before if undo else step.after
            assert target is not None
            svc.update(
                session,
                step.uuid,
                categories=target.categories,
                note=target.note or "",
                redact=target.redact,
                anchor=target.anchor,
            )

    def undo(self, session: Session) -> str | None:
        """Undo the last change; returns the annotation's uuid (None if nothing)."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self._apply(session, step, undo=True)
        self._redo.append(step)
        self.last_changed = tuple(step.uuids())
        return step.uuid

    def redo(self, session: Session) -> str | None:
        """Redo the last undone change."""
        if not self._redo:
            return None
        step = self._redo.pop()
        self._apply(session, step, undo=False)
        self._undo.append(step)
        self.last_changed = tuple(step.uuids())
        return step.uuid
