"""Image pairs in bundles: carried in case.json by the files' SHA-256, merged on import,
and printed in the dossier as before and after pages.

A pair travels when both its pictures do; on import it is kept when both pictures are
in the library after the merge and they are not paired yet (the sender's uuid, maker
and time kept, with provenance). Shape checks are in ``incoming.check_case``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImagePair as PairRow
from db.models import Source
from workstation.bundles.errors import BundleError
from workstation.bundles.scrubber import Scrubber
from workstation.core.library import Library
from workstation.geo.pairs import ImagePair, PairError, PairService, list_pairs, pair_between
from workstation.geo.records import georeference_json, georeference_of

if TYPE_CHECKING:
    from workstation.bundles.dossier import DossierPair, DossierSource
    from workstation.bundles.import_ import BundleMerger, MergeSummary
    from workstation.bundles.plan import PlannedSource

Shipped = Sequence[tuple["PlannedSource", str, str, str, Path]]


def _shipped_pairs(library: Library, originals: Sequence[str]) -> list[ImagePair]:
    """The library's pairs whose two pictures are both among ``originals`` (SHA-256)."""
    wanted = set(originals)
    with library.reader() as session:
        ids = session.scalars(select(Source.id).where(Source.sha256.in_(wanted))).all()
        found = list_pairs(session, ids)
    return [p for p in found if {p.before.sha256, p.after.sha256} <= wanted]


def travelling_pairs(
    library: Library, shipped: Shipped, scrubber: Scrubber
) -> list[dict[str, Any]]:
    """case.json's ``pairs``: each pair both of whose pictures travel, by the files' SHA-256."""
    in_bundle = {ps.sha256: sha for ps, sha, *_ in shipped}
    return [
        {
            "uuid": p.uuid,
            "before": in_bundle[p.before.sha256],
            "after": in_bundle[p.after.sha256],
            "alignment": [list(a) for a in p.alignment] or None,
            "note": scrubber.text(p.note),
            "made_by": p.made_by,
            "made_at": p.made_at,
        }
        for p in _shipped_pairs(library, list(in_bundle))
    ]


def dossier_pairs(
    library: Library, sources: Sequence[DossierSource], scrubber: Scrubber
) -> list[DossierPair]:
    """The dossier's before and after pages: each pair both of whose pictures travel."""
    from workstation.bundles.dossier import DossierPair  # lazy: PyMuPDF, the dossier only

    pictures = {s.original_sha256: (n, s) for n, s in enumerate(sources, 1) if s.kind == "image"}
    found = _shipped_pairs(library, list(pictures))
    out = []
    with library.reader() as session:
        for p in found:
            (nb, before), (na, after) = pictures[p.before.sha256], pictures[p.after.sha256]
            boxes = shared_boxes(session, p.before.source_id, p.after.source_id)
            out.append(DossierPair(before, after, (nb, na), scrubber.text(p.note), boxes))
    return out


def shared_boxes(
    session: Session, before_id: int, after_id: int
) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]] | None:
    """The pixels of each picture that show the ground both cover, when both are
    georeferenced and overlap; None otherwise (the pages show the whole pictures)."""
    from workstation.geo.overlap import shared_footprint  # lazy: the dossier only
    from workstation.geo.places import lonlat_pixel  # lazy: pyproj

    found = []
    for sid in (before_id, after_id):
        source = session.get(Source, sid)
        doc = georeference_json(session, source) if source is not None else None
        if source is None or doc is None or "footprint" not in doc:
            return None
        found.append((source, doc["footprint"]["coordinates"][0]))
    shared = shared_footprint(found[0][1], found[1][1])
    if not shared:
        return None
    boxes = []
    for source, _ring in found:
        g = georeference_of(session, source.id)
        assert g is not None
        meta = source.meta or {}
        width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
        pixels = [lonlat_pixel(g, lon, lat) for lon, lat in shared]
        xs = [p[0] for p in pixels if p is not None]
        ys = [p[1] for p in pixels if p is not None]
        if len(xs) < 3:
            return None
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(width, int(max(xs) + 0.999)), min(height, int(max(ys) + 0.999))
        if x1 - x0 < 8 or y1 - y0 < 8:  # a sliver: the whole pictures say more
            return None
        boxes.append((x0, y0, x1, y1))
    return boxes[0], boxes[1]


def merge_pairs(
    merger: BundleMerger,
    session: Session,
    items: Sequence[dict[str, Any]],
    by_sha: dict[str, int],
    summary: MergeSummary,
) -> None:
    """Keep the bundle's pairs (checked by ``incoming.check_case``) whose two pictures are
    here; a pair already here (by uuid, or the same two pictures) is left as it is."""
    service = PairService(merger.library)
    for i, item in enumerate(items):
        before, after = by_sha.get(item["before"]), by_sha.get(item["after"])
        if before is None or after is None:
            continue
        known = session.scalar(select(PairRow.id).where(PairRow.uuid == item["uuid"]))
        if known is not None or pair_between(session, before, after) is not None:
            summary.pairs_unchanged += 1
            continue
        maker = merger.reviewer(session, item["made_by"]) if item.get("made_by") else None
        try:
            service.create(
                session,
                before,
                after,
                note=item.get("note"),
                alignment=item.get("alignment") or (),
                pair_uuid=item["uuid"],
                made_by_id=maker,
                made_at=item.get("made_at"),
            )
        except PairError as exc:
            raise BundleError(f"case.json: pairs[{i}]: {exc.message}") from exc
        merger.provenance(session, "pair", item["uuid"], "added")
        summary.pairs_added += 1
