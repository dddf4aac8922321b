"""What a bundle carries about its sources beyond their bytes: georeferences (in case.json)
and OCR layers (``data/ocr/<sha256>.json``), merged under the bundle rule.

A source without one here gets the carried one (audited, with provenance); a source
that has its own keeps it, and a carried one that differs is a conflict in the summary.
An OCR layer is stored beside the source's own (accepted when it has none, waiting for
``ocr accept`` when it has), since a second reading of a page is not a conflict.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from db.models import Source
from workstation.geo.records import as_json, from_json, georeference_of
from workstation.geo.service import store

if TYPE_CHECKING:
    from workstation.bundles.import_ import BundleMerger, MergeSummary

#: The keys of a georeference that say where a picture lies (not who made it, or when).
_PLACE_KEYS = (
    "origin",
    "crs",
    "transform",
    "control_points",
    "captured",
    "sensor",
    "provider",
)


def _place(doc: dict[str, Any]) -> dict[str, Any]:
    """What two georeferences must share to be the same, rounded past JSON's float noise."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return float(f"{value:.9g}")
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value

    out = {key: rounded(doc.get(key)) for key in _PLACE_KEYS}
    if doc.get("transform") is None:  # a scale alone: the scale is the place
        out["gsd_metres"] = rounded(doc.get("gsd_metres"))
    return out


class CarriedLayers:
    """Merges the georeferences and OCR layers of one bundle, inside the merge's transaction."""

    def __init__(self, merger: BundleMerger, summary: MergeSummary, bundle: str) -> None:
        self.merger = merger
        self.summary = summary
        self.bundle = bundle

    def georeference(self, session: Session, source_id: int, doc: dict[str, Any]) -> None:
        """Give ``source_id`` the carried georeference ``doc`` (checked by incoming.py)."""
        source = session.get_one(Source, source_id)
        if source.kind != "image":
            return
        sha = source.sha256
        local = georeference_of(session, source_id)
        if local is not None:
            if _place(as_json(local)) != _place(doc):
                self.summary.georeferences_unchanged += 1
                self.merger.conflict(
                    session,
                    self.summary,
                    "georeference",
                    sha,
                    f"the picture has its own georeference here ({local.origin}, "
                    f"{local.crs or 'no CRS'}) and the bundle's differs ({doc['origin']}, "
                    f"{doc.get('crs') or 'no CRS'})",
                )
            else:
                self.summary.georeferences_unchanged += 1
            return
        g = from_json(doc)
        made_by = self.merger.reviewer(session, g.made_by or "unknown")
        saved = store(session, source, replace(g, made_by="", made_at=g.made_at), made_by)
        self.merger.library.record(
            session,
            "source.georeference",
            "source",
            source_id,
            {
                "how": f"from bundle {self.bundle}",
                "georeference": as_json(replace(saved, made_by="", made_at="")),
            },
        )
        self.merger.provenance(session, "georeference", sha, "added")
        self.summary.georeferences_added += 1


__all__ = ["CarriedLayers"]
