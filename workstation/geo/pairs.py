"""Image pairs: two pictures of the same place kept in the library as a before and after.

A pair made by hand (the Compare window's chooser, ``workstation pair``) is a record of
its own (``pair`` in the audit trail, by uuid), so it travels in bundles and every
change is audited and state-bound. Footprint overlaps (``geo.overlap``) stay
suggestions until a reviewer keeps one. The earlier capture is the "before" when both
capture dates are known; otherwise the order the reviewer gave.
"""

from __future__ import annotations

import math
import uuid as uuid_
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from db.models import ImagePair as PairRow
from db.models import Reviewer, Source
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.geo.model import GeorefError
from workstation.geo.records import georeferences_of

Point = tuple[float, float, float, float]
"""One alignment point: (x, y) in the before picture, (x, y) of the same place in the after."""

_NOTE_LIMIT = 2000  # characters: a caption, not a report


class PairError(GeorefError):
    """A pair cannot be made or changed; the message says why in one line."""


@dataclass(frozen=True)
class PairSide:
    """One picture of a pair, as far as the library knows it."""

    source_id: int
    sha256: str
    title: str
    captured: str | None
    provider: str | None


@dataclass(frozen=True)
class ImagePair:
    """A before and after kept in the library.

    Attributes:
        alignment: The two-point alignment (or more points), () when none: each point
            (x, y) in the before picture and (x, y) of the same place in the after.
    """

    id: int
    uuid: str
    before: PairSide
    after: PairSide
    alignment: tuple[Point, ...]
    note: str | None
    made_by: str
    made_at: str

    def side(self, source_id: int) -> int:
        """0 when ``source_id`` is the before picture, 1 the after."""
        return 0 if source_id == self.before.source_id else 1

    @property
    def points(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """The alignment as (before's pixels, after's pixels), what the Compare window uses."""
        return [(p[0], p[1]) for p in self.alignment], [(p[2], p[3]) for p in self.alignment]


def pair_json(p: ImagePair) -> dict[str, Any]:
    """The pair as plain JSON (``pairs --json``; the audit trail names its sources by hash)."""

    def side(s: PairSide) -> dict[str, Any]:
        return {
            "source": s.source_id,
            "sha256": s.sha256,
            "title": s.title,
            "captured": s.captured,
            "provider": s.provider,
        }

    return {
        "id": p.id,
        "uuid": p.uuid,
        "before": side(p.before),
        "after": side(p.after),
        "alignment": [list(a) for a in p.alignment] or None,
        "note": p.note,
        "made_by": p.made_by,
        "made_at": p.made_at,
    }


def check_alignment(points: Sequence[Sequence[float]]) -> tuple[Point, ...]:
    """Alignment points as stored, checked: two or more, finite, fixing a usable similarity.

    Raises:
        PairError: too few, not four numbers each, or the points collapse the picture.
    """
    if not points:
        return ()
    if len(points) < 2:
        raise PairError(f"an alignment needs at least 2 points in each picture, not {len(points)}")
    out: list[Point] = []
    for p in points:
        values = tuple(float(v) for v in p)
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise PairError("an alignment point is four finite numbers: x, y before; x, y after")
        out.append((values[0], values[1], values[2], values[3]))
    from workstation.geo.transform import check_shape, pixel_similarity  # lazy: pyproj

    try:
        check_shape(pixel_similarity([p[:2] for p in out], [p[2:] for p in out]))
    except (GeorefError, ZeroDivisionError) as exc:
        raise PairError(f"the alignment points do not fit: {exc}") from None
    return tuple(out)


def _image(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source {source_id}")
    if source.kind != "image":
        raise PairError(f"source {source_id} is a {source.kind}, not an image: only pictures pair")
    return source


def _row(session: Session, pair_id: int) -> PairRow:
    row = session.get(PairRow, pair_id)
    if row is None:
        raise NotFoundError(f"no image pair {pair_id} (list them with 'workstation pairs')")
    return row


def pair_between(session: Session, first_id: int, second_id: int) -> PairRow | None:
    """The stored pair of these two pictures, in either order, or None."""
    ids = ((first_id, second_id), (second_id, first_id))
    return session.scalar(
        select(PairRow).where(
            or_(*((PairRow.before_id == a) & (PairRow.after_id == b) for a, b in ids))
        )
    )


def list_pairs(session: Session, source_ids: Iterable[int] | None = None) -> list[ImagePair]:
    """The stored pairs (those with either picture among ``source_ids``), oldest first."""
    before, after = aliased(Source), aliased(Source)
    stmt = (
        select(PairRow, before, after, Reviewer.name)
        .join(before, before.id == PairRow.before_id)
        .join(after, after.id == PairRow.after_id)
        .join(Reviewer, Reviewer.id == PairRow.made_by_id)
        .order_by(PairRow.id)
    )
    if source_ids is not None:
        ids = sorted(set(source_ids))
        stmt = stmt.where(or_(PairRow.before_id.in_(ids), PairRow.after_id.in_(ids)))
    rows = session.execute(stmt).all()
    georefs = georeferences_of(session, [s.id for _r, b, a, _n in rows for s in (b, a)])

    def side(source: Source) -> PairSide:
        g = georefs.get(source.id)
        return PairSide(
            source.id,
            source.sha256,
            source.title or source.original_filename,
            g.capture.captured if g else None,
            g.capture.provider if g else None,
        )

    return [
        ImagePair(
            row.id,
            row.uuid,
            side(b),
            side(a),
            tuple((p[0], p[1], p[2], p[3]) for p in row.alignment or ()),
            row.note,
            name,
            row.made_at,
        )
        for row, b, a, name in rows
    ]


def get_pair(session: Session, pair_id: int) -> ImagePair:
    """One stored pair by its id.

    Raises:
        NotFoundError: there is no such pair.
    """
    _row(session, pair_id)
    return next(p for p in list_pairs(session) if p.id == pair_id)


def pair_of(session: Session, source_id: int) -> ImagePair | None:
    """The pair this picture was last put in (by hand), or None."""
    found = list_pairs(session, [source_id])
    return max(found, key=lambda p: (p.made_at, p.id)) if found else None


def _clean_note(note: str | None) -> str | None:
    text = " ".join((note or "").split())
    if len(text) > _NOTE_LIMIT:
        raise PairError(f"a pair's note is at most {_NOTE_LIMIT} characters, not {len(text)}")
    return text or None


class PairService:
    """Makes, changes and removes the image pairs of one library, audited."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def _record(self, session: Session, action: str, row: PairRow, **details: Any) -> None:
        before, after = session.get(Source, row.before_id), session.get(Source, row.after_id)
        assert before is not None
        assert after is not None
        self.library.record(
            session,
            action,
            "pair",
            row.uuid,
            {"id": row.id, "before": before.sha256, "after": after.sha256, **details},
        )

    def create(
        self,
        session: Session,
        first_id: int,
        second_id: int,
        *,
        note: str | None = None,
        alignment: Sequence[Sequence[float]] = (),
        pair_uuid: str | None = None,
        made_by_id: int | None = None,
        made_at: str | None = None,
    ) -> ImagePair:
        """Pair two pictures. The earlier capture becomes the before when both dates are
        known; otherwise ``first_id`` is. ``alignment`` points are given first -> second.

        Args:
            pair_uuid, made_by_id, made_at: A pair merged from a bundle keeps the
                sender's (by default: a new uuid, this reviewer, now).

        Raises:
            NotFoundError: no such source.
            PairError: the same picture twice, not a picture, already paired, or an
                alignment that does not fit.
        """
        lib = self.library
        lib.require_writable()
        if first_id == second_id:
            raise PairError(f"a pair is two different pictures, not source {first_id} twice")
        _image(session, first_id)
        _image(session, second_id)
        existing = pair_between(session, first_id, second_id)
        if existing is not None:
            raise PairError(
                f"sources {first_id} and {second_id} are already image pair {existing.id}"
            )
        points = check_alignment(alignment)
        note = _clean_note(note)
        dates = georeferences_of(session, [first_id, second_id])
        d1, d2 = (dates[i].capture.captured if i in dates else None for i in (first_id, second_id))
        if d1 and d2 and d2 < d1:
            first_id, second_id = second_id, first_id
            points = tuple((p[2], p[3], p[0], p[1]) for p in points)
        now = utc_now()
        row = PairRow(
            uuid=pair_uuid or str(uuid_.uuid4()),
            before_id=first_id,
            after_id=second_id,
            alignment=[list(p) for p in points] or None,
            note=note,
            made_by_id=made_by_id or lib.reviewer_id(session),
            made_at=made_at or now,
            modified_at=now,
        )
        session.add(row)
        session.flush()
        self._record(session, "pair.create", row, alignment=row.alignment, note=note)
        return get_pair(session, row.id)

    def align(
        self, session: Session, pair_id: int, alignment: Sequence[Sequence[float]]
    ) -> ImagePair:
        """Store (or, with no points, clear) the pair's alignment, points before -> after."""
        self.library.require_writable()
        row = _row(session, pair_id)
        points = check_alignment(alignment)
        row.alignment = [list(p) for p in points] or None
        row.modified_at = utc_now()
        session.flush()
        self._record(session, "pair.align", row, alignment=row.alignment)
        return get_pair(session, pair_id)

    def set_note(self, session: Session, pair_id: int, note: str | None) -> ImagePair:
        """Change (or, empty, remove) the pair's note."""
        self.library.require_writable()
        row = _row(session, pair_id)
        row.note = _clean_note(note)
        row.modified_at = utc_now()
        session.flush()
        self._record(session, "pair.note", row, note=row.note)
        return get_pair(session, pair_id)

    def remove(self, session: Session, pair_id: int) -> ImagePair:
        """Remove the pair (the pictures stay); returns what it was.

        Raises:
            NotFoundError: there is no such pair.
        """
        self.library.require_writable()
        gone = get_pair(session, pair_id)
        row = _row(session, pair_id)
        self._record(session, "pair.remove", row)
        session.delete(row)
        session.flush()
        return gone
