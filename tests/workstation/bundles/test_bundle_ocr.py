"""OCR layers travel: a scanned PDF's accepted layer goes out as data/ocr/<sha256>.json,
comes back into a second real library as its page text (search finds it); a malformed
layer file is refused in one line. Redacted layers: test_bundle_ocr_redaction.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bagit
import pymupdf
import pytest
from sqlalchemy import select

from db.models import OcrLayer, Source
from tests.scans import make_scanned_pdf
from tests.workstation.bundles import bag_samples
from tests.workstation.bundles.partners import merge, signed_export
from tests.workstation.bundles.refusals import (
    assert_cli_refuses_in_one_line,
    assert_refused_in_one_line,
)
from tests.workstation.ocr.support import needs_models
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.ocr.layers import OcrService
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService

LINES = ["The tanker SEA PIONEER, IMO 9123456,", "arrived at Nampo on 12 March 2024."]
WORD = "PIONEER"


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    return make_scanned_pdf(tmp_path / "in", [LINES], "eng", dpi=200)


def _ocr(lib: Library, scan: Path, languages: str = "eng") -> int:
    (result,) = ImportService(lib).import_paths([scan]).results
    assert result.source_id is not None
    with OcrService(lib, workers=1) as ocr:
        summary = ocr.run(result.source_id, languages, force=True)
    assert summary is not None
    return result.source_id


def _search(lib: Library, query: str) -> list[int]:
    with lib.writer() as session:
        return [h.source_id for h in SearchService(session, lib.search_index).search(query).hits]


@needs_models
def test_a_scanned_pdf_travels_with_its_ocr_layer_and_is_searchable_there(
    sender: Library, receiver: Library, scan: Path, tmp_path: Path
) -> None:
    sid = _ocr(sender, scan)
    with sender.writer() as session:
        source = session.get_one(Source, sid)
        mark = AnnotationService(sender).create(session, sid, find_quote(session, source, WORD))
    out = tmp_path / "bundle"
    signed_export(sender, out)

    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    (record,) = case["sources"]
    rel = f"data/ocr/{record['sha256']}.json"
    assert record["ocr"]["path"] == rel
    layer = json.loads((out / rel).read_text(encoding="utf-8"))
    assert (layer["engine"], layer["languages"]) == ("tesseract", "eng")
    assert layer["models"]
    assert layer["engine_version"]
    (page,) = layer["pages"]
    assert WORD in page["text"]
    word = next(w for w in page["words"] if WORD in w[0])
    assert len(word) == 7
    assert word[1] < word[3]
    assert word[2] < word[4]
    manifest = (out / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert f"  {rel}\n" in manifest
    bagit.Bag(str(out)).validate()
    assert "data/ocr/" in (out / "data" / "README.txt").read_text(encoding="utf-8")
    with pymupdf.open(out / "data" / "report.pdf") as doc:
        dossier = " ".join(" ".join(p.get_text() for p in doc).split())
    assert f"{mark.anchor.exact} (read by OCR)" in dossier  # type: ignore[union-attr]

    assert _search(receiver, WORD) == []
    summary = merge(receiver, out)
    assert (summary.sources_added, summary.ocr_layers_added) == (1, 1)
    # The layer is the page text before the marks arrive: the sender's mark anchors on it.
    assert (summary.annotations_added, summary.annotations_orphaned) == (1, 0)
    with receiver.reader() as session:
        source = session.scalars(select(Source)).one()
        here = session.scalars(select(OcrLayer)).one()
    assert here.accepted
    assert here.engine_version == layer["engine_version"]
    assert _search(receiver, WORD) == [source.id]


@needs_models
def test_a_source_with_its_own_layer_keeps_it_and_the_carried_one_waits(
    sender: Library, receiver: Library, scan: Path, tmp_path: Path
) -> None:
    _ocr(sender, scan)
    sid = _ocr(receiver, scan, "eng+rus")
    summary = merge(receiver, signed_export(sender, tmp_path / "bundle").path)
    assert (summary.ocr_layers_added, summary.ocr_layers_waiting) == (0, 1)
    with receiver.reader() as session:
        layers = list(session.scalars(select(OcrLayer).where(OcrLayer.source_id == sid)))
    assert [(x.languages, x.accepted) for x in layers] == [("eng+rus", True), ("eng", False)]


# --- malformed OCR layer files: one line, nothing merged -----------------------------------

SHA = "a" * 64
GOOD_PAGE: dict[str, Any] = {
    "page": 1,
    "text": "SEA PIONEER",
    "words": [["SEA", 1, 2, 3, 4, 90, 0]],
}


def _layer(**changes: Any) -> dict[str, Any]:
    layer: dict[str, Any] = {
        "engine": "tesseract",
        "engine_version": "5.3.0",
        "models": {"eng": "0" * 64},
        "languages": "eng",
        "pages": [GOOD_PAGE],
    }
    layer.update(changes)
    return layer


BAD_LAYERS: dict[str, tuple[str, Any, str]] = {
    "path-not-its-sha": (
        "data/ocr/" + "b" * 64 + ".json",
        _layer(),
        "sources[0].ocr.path must be data/ocr/<the source's sha256>.json",
    ),
    "missing-file": ("", None, f"the bundle has no data/ocr/{SHA}.json"),
    "not-json": ("", "{", f"data/ocr/{SHA}.json is not valid JSON"),
    "no-engine": ("", _layer(engine=None), "has no 'engine'"),
    "models": ("", _layer(models=[]), "models must be an object, not an array"),
    "word-fields": (
        "",
        _layer(pages=[{**GOOD_PAGE, "words": [["SEA", 1, 2]]}]),
        "pages[0].words[0] must hold 7 fields",
    ),
    "word-box": (
        "",
        _layer(pages=[{**GOOD_PAGE, "words": [["SEA", 1, "2", 3, 4, 90, 0]]}]),
        "pages[0].words[0][2] must be a number, not a string",
    ),
    "word-offset": (
        "",
        _layer(pages=[{**GOOD_PAGE, "words": [["SEA", 1, 2, 3, 4, 90, 500]]}]),
        "pages[0].words[0][6] must be an offset into the page's text",
    ),
    "page-twice": ("", _layer(pages=[GOOD_PAGE, GOOD_PAGE]), "pages[1].page repeats page 1"),
    "page-zero": ("", _layer(pages=[{**GOOD_PAGE, "page": 0}]), "must be a positive whole"),
}


def _bag(tmp_path: Path, case: str) -> tuple[Path, str]:
    path, layer, expected = BAD_LAYERS[case]
    rel = path or f"data/ocr/{SHA}.json"
    record = {"sha256": SHA, "bundle_path": "data/x", "ocr": {"path": rel}}
    files = {
        "data/case.json": json.dumps({"case": None, "sources": [record]}).encode(),
        "data/annotations.jsonld": b'{"type": "AnnotationCollection", "first": {"items": []}}',
    }
    if layer is not None:
        files[rel] = (layer if isinstance(layer, str) else json.dumps(layer)).encode()
    return bag_samples.write_folder(tmp_path / "bag", bag_samples.bag_members(files)), expected


@pytest.mark.parametrize("case", sorted(BAD_LAYERS))
def test_a_malformed_ocr_layer_gets_one_line_and_nothing_merged(
    receiver: Library, tmp_path: Path, case: str
) -> None:
    bag, expected = _bag(tmp_path, case)
    assert_refused_in_one_line(receiver, bag, expected)


def test_the_cli_refuses_a_malformed_ocr_layer_in_one_line(
    receiver: Library, tmp_path: Path
) -> None:
    bag, expected = _bag(tmp_path, "word-fields")
    assert_cli_refuses_in_one_line(receiver, bag, expected)
