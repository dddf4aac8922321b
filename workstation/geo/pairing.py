"""Pictures a reviewer may pair with one for a before and after, by hand.

Every other image in the library can be chosen: those whose georeferenced footprint
overlaps this one's come first (most overlap first), then the rest by title (pictures
without coordinates are paired by a two-point alignment in the Compare window).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Georeference as GeorefRow
from db.models import Source
from workstation.geo.overlap import overlapping


@dataclass(frozen=True)
class Candidate:
    """An image that may be paired with the picture."""

    source_id: int
    title: str
    captured: str | None
    overlap: float | None  # share of the smaller footprint; None: no shared ground known
    located: bool  # has a georeference with coordinates

    @property
    def label(self) -> str:
        """One line for the chooser: the title, then what is known of the pairing."""
        when = f" · {self.captured}" if self.captured else ""
        if self.overlap is not None:
            return f"{self.title}{when} · overlaps {self.overlap * 100:.0f} %"
        if self.located:
            return f"{self.title}{when} · georeferenced elsewhere"
        return f"{self.title}{when} · no coordinates (align by two points)"


def pair_candidates(session: Session, source_id: int) -> list[Candidate]:
    """Every other image: overlapping ones first (most first), then the rest by title."""
    overlaps = {o.source_id: o for o in overlapping(session, source_id)}
    georefs: dict[int, tuple[bool, str | None]] = {
        row.source_id: (row.transform is not None, row.captured)
        for row in session.scalars(select(GeorefRow))
    }
    images = session.scalars(
        select(Source).where(Source.kind == "image", Source.id != source_id).order_by(Source.id)
    )
    found = []
    for source in images:
        title = source.title or source.original_filename
        share = overlaps[source.id].share if source.id in overlaps else None
        located, captured = georefs.get(source.id, (False, None))
        found.append(Candidate(source.id, title, captured, share, located))
    return sorted(
        found,
        key=lambda c: (c.overlap is None, -(c.overlap or 0.0), c.title.casefold(), c.source_id),
    )


def image_with_sha(session: Session, sha256: str) -> int | None:
    """The id of the image with this content in the library, if it is there."""
    return session.scalar(select(Source.id).where(Source.sha256 == sha256, Source.kind == "image"))
