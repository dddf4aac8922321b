"""What a bundle carries about its sources beyond their bytes: georeferences (in case.json)
and OCR layers (``data/ocr/<sha256>.json``), merged under the bundle rule.

A source without one here gets the carried one (audited, with provenance); a source
that has its own keeps it, and a carried one that differs is a conflict in the summary.
An OCR layer is stored beside the source's own (accepted when it has none, waiting for
``ocr accept`` when it has), since a second reading of a page is not a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import OcrLayer, OcrPage, Source
from workstation.bundles.bagit import shown
from workstation.bundles.errors import BundleError
from workstation.bundles.incoming import check_ocr_layer, read_json
from workstation.bundles.scrubber import REDACTION_MARKER, Scrubber
from workstation.core.library import Library
from workstation.geo.records import as_json, from_json, georeference_of
from workstation.geo.service import store
from workstation.ocr.layers import AS_SHOWN, boxes_as_shown, store_layer
from workstation.ocr.reader import PageResult

if TYPE_CHECKING:
    from workstation.bundles.import_ import BundleMerger, MergeSummary
    from workstation.bundles.plan import PlannedSource
    from workstation.bundles.redaction import OcrPageText

#: What ``data/ocr/<sha256>.json`` says it is.
OCR_FORMAT = "evidence-workstation/ocr-layer/1"
#: The order of a word's fields in an OCR layer file.
WORD_FIELDS = ["text", "x0", "y0", "x1", "y1", "confidence", "offset"]
#: Why a source travels without its OCR layer.
OCR_REDACTED = (
    "it has redactions, and its OCR word boxes do not match the redacted picture "
    "(its EXIF orientation turns it)"
)
OCR_LEAK = "its OCR text holds a passage redacted for this recipient"


def ocr_path(sha256: str) -> str:
    """Where the OCR layer of the bundle file with SHA-256 ``sha256`` lies in the bag."""
    return f"data/ocr/{sha256}.json"


# --- out: the OCR layers an export carries -------------------------------------------------


def accepted_layer_json(session: Session, source_id: int) -> dict[str, Any] | None:
    """The source's accepted OCR layer as the bundle carries it; None when its text is not
    from OCR."""
    layer = session.scalars(
        select(OcrLayer).where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
    ).first()
    if layer is None:
        return None
    pages = session.scalars(
        select(OcrPage).where(OcrPage.layer_id == layer.id).order_by(OcrPage.number)
    )
    return {
        "format": OCR_FORMAT,
        "engine": layer.engine,
        "engine_version": layer.engine_version,
        "models": dict(layer.models),
        "languages": layer.languages,
        "mean_confidence": layer.mean_confidence,
        "created_at": layer.created_at,
        "word_fields": WORD_FIELDS,
        "pages": [
            {
                "page": p.number,
                "text": p.text,
                "words": [list(w) for w in p.words],
                "mean_confidence": p.mean_confidence,
                "languages": p.languages,
                "script": p.script,
                "reason": p.reason,
            }
            for p in pages
        ],
        **({"orientation": AS_SHOWN} if boxes_as_shown(layer.settings) else {}),
    }


@dataclass
class OcrExport:
    """The OCR layers one export carries, and the ones it leaves out (never a leak)."""

    files: dict[str, bytes] = field(default_factory=dict)
    """Bytes by path under ``data/`` (``ocr/<sha256>.json``)."""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """case.json's ``ocr`` entry by the bundle file's SHA-256."""
    withheld: dict[str, str] = field(default_factory=dict)
    """Why a source's layer stays home, by the bundle file's SHA-256."""
    warnings: list[str] = field(default_factory=list)

    def add(
        self,
        library: Library,
        ps: PlannedSource,
        sha: str,
        scrubber: Scrubber,
        redacted: Mapping[int, OcrPageText] | None = None,
    ) -> None:
        """Carry the accepted OCR layer of ``ps`` (shipped as the file ``sha``), if any.

        A redacted source's layer travels as ``redacted`` gives its pages (the words under
        its redactions taken out, ``redaction.redact_ocr_pages``); without them it stays
        home. So does any layer whose text still holds a redacted passage.
        """
        if ps.kind not in ("pdf", "image"):
            return
        with library.reader() as session:
            doc = accepted_layer_json(session, ps.source_id)
        if doc is None:
            return
        why = None
        if ps.redacted and redacted is None:
            why = OCR_REDACTED
        elif ps.redacted and redacted is not None:
            doc = _with_pages(doc, redacted)
        if why is None and scrubber.quotes and any(_leaks(scrubber, p) for p in doc["pages"]):
            why = OCR_LEAK
        if why is not None:
            self.withheld[sha] = why
            name = shown(scrubber.text(ps.filename) or "", 60)
            self.warnings.append(
                f"source {ps.source_id} ({name}) travels without its OCR layer: {why}"
            )
            return
        self.files[f"ocr/{sha}.json"] = _dump({**doc, "source_sha256": sha})
        self.records[sha] = {
            "path": ocr_path(sha),
            "engine": doc["engine"],
            "engine_version": doc["engine_version"],
            "languages": doc["languages"],
            "mean_confidence": doc["mean_confidence"],
            "pages": [p["page"] for p in doc["pages"]],
            "redacted": bool(doc.get("redacted")),
        }

    def apply(self, case: dict[str, Any]) -> None:
        """Name each carried layer (or why it stayed home) in case.json's source records."""
        for record in case["sources"]:
            sha = record["sha256"]
            if sha in self.records:
                record["ocr"] = self.records[sha]
            elif sha in self.withheld:
                record["ocr_withheld"] = self.withheld[sha]

    def readme_lines(self) -> list[str]:
        """What README.txt says about the OCR layers."""
        lines = []
        if self.files:
            lines += [
                "  data/ocr/                the text OCR read on scanned sources, one file per",
                "                           source file's SHA-256: engine, version, models,",
                "                           languages, and per page the words with boxes and",
                "                           confidences (case.json names each source's file).",
                "                           A redacted source's layer has the words under its",
                f"                           redactions taken out; {REDACTION_MARKER} stands in",
                "                           the page text where they were (it has no box)",
            ]
        if self.withheld:
            lines += [
                f"  {len(self.withheld)} source(s) travel without their OCR layer (it could not",
                "  be redacted safely, or a redacted passage would be in it; case.json says why",
                "  under ocr_withheld).",
            ]
        return lines


def _with_pages(doc: dict[str, Any], pages: Mapping[int, OcrPageText]) -> dict[str, Any]:
    """``doc`` (accepted_layer_json) with its pages' text and words replaced by ``pages``
    and the confidences counted again over the words that stay."""
    out = []
    confidences: list[float] = []
    for page in doc["pages"]:
        new = pages.get(page["page"])
        if new is None:  # every page of the layer is given; refuse rather than guess
            raise BundleError(f"the redacted OCR layer lacks page {page['page']}")
        mine = [float(w[5]) for w in new.words]
        confidences += mine
        out.append(
            {
                **page,
                "text": new.text,
                "words": [list(w) for w in new.words],
                "mean_confidence": round(sum(mine) / len(mine), 1) if mine else None,
            }
        )
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return {**doc, "pages": out, "mean_confidence": mean, "redacted": True}


def _leaks(scrubber: Scrubber, page: dict[str, Any]) -> bool:
    """Whether a layer page's text, or its words read in order, hold a redacted passage."""
    words = " ".join(str(w[0]) for w in page["words"])
    return bool(scrubber.leaks(page["text"]) or scrubber.leaks(words))


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def read_ocr_layers(bag: Path, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Read and check every OCR layer file case.json names, by the source's SHA-256.

    Raises:
        BundleError: a file missing or malformed; one line naming it.
    """
    found: dict[str, dict[str, Any]] = {}
    for record in case.get("sources") or []:
        entry = record.get("ocr")
        if entry is None:
            continue
        rel = entry["path"]  # check_case: exactly data/ocr/<its sha256>.json
        name = rel.removeprefix("data/")
        found[record["sha256"]] = check_ocr_layer(read_json(bag / rel, name), f"data/{name}")
    return found


# --- in: georeferences and OCR layers merged --------------------------------------------------

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
        #: Sources whose page text a carried layer replaced: index them after the commit.
        self.reindex: list[int] = []

    def ocr(self, session: Session, source_id: int, doc: dict[str, Any]) -> None:
        """Store a carried OCR layer (checked by incoming.py) beside the source's own:
        accepted when it has none, waiting for ``ocr accept`` when it has."""
        source = session.get_one(Source, source_id)
        if source.kind not in ("pdf", "image"):
            return
        pages = doc["pages"]
        last = max(source.page_count, 1)
        for page in pages:
            if page["page"] > last:
                raise BundleError(
                    f"data/ocr/{source.sha256[:16]}….json reads page {page['page']} of a "
                    f"source with {last} page(s)"
                )
        texts = [(p["page"], p["text"]) for p in pages]
        for layer in session.scalars(select(OcrLayer).where(OcrLayer.source_id == source_id)):
            here = session.execute(
                select(OcrPage.number, OcrPage.text)
                .where(OcrPage.layer_id == layer.id)
                .order_by(OcrPage.number)
            ).all()
            same = (layer.engine_version, layer.languages) == (
                doc["engine_version"],
                doc["languages"],
            )
            if same and [tuple(r) for r in here] == sorted(texts):
                self.summary.ocr_layers_unchanged += 1
                return
        has_layer = session.scalar(select(OcrLayer.id).where(OcrLayer.source_id == source_id))
        results = [
            PageResult(
                number=p["page"],
                text=p["text"],
                words=p["words"],
                mean_confidence=p.get("mean_confidence"),
                languages=p.get("languages") or doc["languages"],
                script=p.get("script"),
                reason=p.get("reason") or "bundle",
                seconds=0.0,
            )
            for p in sorted(pages, key=lambda p: p["page"])
        ]
        layer, _marks = store_layer(
            session,
            self.merger.library,
            source_id,
            results,
            engine=doc["engine"],
            engine_version=doc["engine_version"],
            models={str(k): str(v) for k, v in doc["models"].items()},
            languages=doc["languages"],
            settings={
                "from_bundle": self.bundle,
                **({"orientation": AS_SHOWN} if doc.get("orientation") == AS_SHOWN else {}),
            },
            accept=has_layer is None,
        )
        self.merger.provenance(session, "ocr_layer", layer.uuid, "added")
        if layer.accepted:
            self.summary.ocr_layers_added += 1
            self.reindex.append(source_id)
        else:
            self.summary.ocr_layers_waiting += 1

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


__all__ = [
    "OCR_FORMAT",
    "CarriedLayers",
    "OcrExport",
    "accepted_layer_json",
    "ocr_path",
    "read_ocr_layers",
]
