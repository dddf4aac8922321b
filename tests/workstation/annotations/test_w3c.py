"""W3C Web Annotation export: valid per the W3C MUST checker, lossless, strict on input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.w3c_rules import problems
from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
    text_anchor,
)
from workstation.annotations.w3c import W3CFormatError, collection, from_w3c, to_w3c
from workstation.core.errors import WorkstationError

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
UUID = "0b9f3c2e-5d1a-4c7e-9a8b-1f2e3d4c5b6a"
ENTITY = "6f1c1b8e-2a9d-4f7b-8c3e-5d6a7b8c9d0e"
NOW = "2026-11-23T17:25:44.123456Z"
PAGE_TEXT = "Судно «Раджин» 라진항에 정박했다 🚢 cargo: coal, 12 000 t."


def _anno(media_type: str, anchor: Anchor, **extra: Any) -> AnnotationData:
    return AnnotationData(
        uuid=UUID, source_sha256=SHA, source_media_type=media_type, anchor=anchor, **extra
    )


FULL = {
    "categories": ["SAN-COAL", "SAN-SHIP"],
    "note": "Seen at berth 3 — 석탄 하역",
    "author": "Алиса",
    "created": NOW,
    "modified": NOW,
    "entities": [ENTITY],
}

CASES: dict[str, AnnotationData] = {
    "text-pdf": _anno("application/pdf", text_anchor(PAGE_TEXT, 6, 14, page=3), **FULL),
    "text-pdf-bare": _anno("application/pdf", text_anchor(PAGE_TEXT, 15, 18, page=1)),
    "text-article": _anno("text/html", text_anchor(PAGE_TEXT, 15, 33), **FULL),
    "text-email": _anno("message/rfc822", text_anchor(PAGE_TEXT, 0, 5), note=""),
    "rect-image": _anno(
        "image/jpeg", RegionAnchor("rect", ((10.0, 20.0), (410.0, 320.0))), categories=["X"]
    ),
    "rect-image-fractional": _anno(
        "image/png", RegionAnchor("rect", ((10.25, 20.5), (410.75, 320.0))), redact=True
    ),
    "rect-pdf": _anno(
        "application/pdf",
        RegionAnchor("rect", ((72.0, 100.5), (300.25, 180.0)), page=2),
        redact=True,
        **FULL,
    ),
    "polygon-image": _anno(
        "image/png", RegionAnchor("polygon", ((0.1, 0.2), (100.0, 5.5), (50.0, 80.3)))
    ),
    "polygon-pdf": _anno(
        "application/pdf",
        RegionAnchor("polygon", ((10.0, 10.0), (20.0, 10.0), (15.5, 30.0)), page=7),
        note="fence",
    ),
    "points-image": _anno(
        "image/tiff", RegionAnchor("points", ((5.0, 5.0), (6.5, 7.25), (1000.0, 2.0)))
    ),
    "points-pdf": _anno(
        "application/pdf", RegionAnchor("points", ((5.0, 5.0),), page=1), entities=[ENTITY]
    ),
    "page-pdf": _anno("application/pdf", PageAnchor(12), redact=True),
    "page-image": _anno("image/png", PageAnchor(1), categories=["X"]),
}


def _problems(paths: list[Path]) -> dict[str, list[str]]:
    """The W3C MUST rules each file breaks (our checker, written from the specification)."""
    found = {p.name: problems(json.loads(p.read_text(encoding="utf-8"))) for p in paths}
    return {name: found_here for name, found_here in found.items() if found_here}


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- conformance


def test_every_anchor_kind_meets_the_w3c_musts(tmp_path: Path) -> None:
    paths = [_write(tmp_path / f"{name}.json", to_w3c(a)) for name, a in CASES.items()]
    assert _problems(paths) == {}


def test_a_collection_meets_the_w3c_musts(tmp_path: Path) -> None:
    doc = collection(CASES.values(), label="Case 17: coal at Rajin")
    assert doc["type"] == "AnnotationCollection"
    assert doc["total"] == len(CASES)
    assert doc["first"]["type"] == "AnnotationPage"
    assert _problems([_write(tmp_path / "collection.json", doc)]) == {}
    assert [from_w3c(item) for item in doc["first"]["items"]] == list(CASES.values())


def test_collection_is_deterministic_and_empty_has_no_page() -> None:
    assert collection(CASES.values(), label="a") == collection(CASES.values(), label="a")
    empty = collection([], label="nothing")
    assert empty["total"] == 0
    assert "first" not in empty


def test_the_checker_rejects_a_broken_annotation(tmp_path: Path) -> None:
    """Guards the conformance tests: the checker must be able to fail."""
    doc = to_w3c(CASES["text-pdf"])
    del doc["target"]
    bad_time = to_w3c(CASES["rect-image"])
    bad_time["created"] = "yesterday"
    found = _problems([_write(tmp_path / "a.json", doc), _write(tmp_path / "b.json", bad_time)])
    assert sorted(found) == ["a.json", "b.json"]
    assert any("target" in line for line in found["a.json"])
    assert any("created" in line for line in found["b.json"])


# --------------------------------------------------------------------------- shapes


def test_text_on_a_pdf_refines_rfc3778_page_fragments() -> None:
    doc = to_w3c(CASES["text-pdf"])
    assert doc["id"] == f"urn:uuid:{UUID}"
    assert doc["target"]["source"] == {
        "id": "ni:///sha-256;n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
        "format": "application/pdf",
    }
    quote, position = doc["target"]["selector"]
    assert quote["value"] == position["value"] == "page=3"
    assert quote["conformsTo"] == "http://tools.ietf.org/rfc/rfc3778"
    assert quote["refinedBy"]["exact"] == PAGE_TEXT[6:14]
    assert position["refinedBy"] == {"type": "TextPositionSelector", "start": 6, "end": 14}
    assert doc["motivation"] == "commenting"


def test_text_in_an_article_has_no_page_fragment() -> None:
    selectors = to_w3c(CASES["text-article"])["target"]["selector"]
    assert [s["type"] for s in selectors] == ["TextQuoteSelector", "TextPositionSelector"]


def test_region_shapes() -> None:
    assert to_w3c(CASES["rect-image"])["target"]["selector"] == {
        "type": "FragmentSelector",
        "conformsTo": "http://www.w3.org/TR/media-frags/",
        "value": "xywh=10,20,400,300",
    }
    assert to_w3c(CASES["rect-pdf"])["target"]["selector"]["value"] == (
        "page=2&viewrect=72,100.5,228.25,79.5"
    )
    svg = to_w3c(CASES["points-pdf"])["target"]["selector"]["refinedBy"]
    assert svg["type"] == "SvgSelector"
    assert "<circle " in svg["value"]
    assert to_w3c(CASES["page-pdf"])["target"]["selector"]["value"] == "page=12"
    assert to_w3c(CASES["page-pdf"])["ew:redact"] is True


def test_sha256_may_also_be_a_urn() -> None:
    doc = to_w3c(CASES["rect-image"])
    doc["target"]["source"] = f"urn:sha256:{SHA.upper()}"
    doc["target"]["format"] = "image/jpeg"
    assert from_w3c(doc) == CASES["rect-image"]


def test_reads_a_plain_annotation_from_another_tool() -> None:
    doc = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno/17",
        "type": "Annotation",
        "created": "2015-01-28T12:00:00+01:00",
        "creator": "http://example.org/user1",
        "bodyValue": "Comment text",
        "target": {
            "source": {"id": f"urn:sha256:{SHA}", "format": "image/png"},
            "selector": {
                "type": "SvgSelector",
                "value": "<svg><polygon points='1 2, 3 4 5,6'/></svg>",
            },
        },
    }
    a = from_w3c(doc)
    assert a.note == "Comment text"
    assert a.created == "2015-01-28T11:00:00.000000Z"
    assert a.anchor == RegionAnchor("polygon", ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)))
    assert len(a.uuid) == 36
    assert from_w3c(doc).uuid == a.uuid  # stable, so a re-import merges


# --------------------------------------------------------------------------- round trip

_TEXT = st.text(
    st.one_of(
        st.sampled_from(list("Раджин 라진항 석탄 🚢🛢️👩‍⚖️ \n\t\"'<>&\\")),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
_COORD = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
_MEDIA = st.sampled_from(
    ["application/pdf", "image/png", "image/jpeg", "text/html", "text/plain", "message/rfc822"]
)
_STAMP = st.one_of(
    st.just(""),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ),
)


@st.composite
def _anchors(draw: st.DrawFn, pdf: bool) -> Anchor:
    kind = draw(st.sampled_from(["text", "rect", "polygon", "points", "page"]))
    page = draw(st.integers(1, 5000)) if pdf else 1
    if kind == "text":
        exact = draw(_TEXT.filter(bool))
        start = draw(st.integers(0, 10**7))
        return TextAnchor(page, start, start + len(exact), exact, draw(_TEXT), draw(_TEXT))
    if kind == "page":
        return PageAnchor(page)
    region_page = page if pdf else None
    if kind == "rect":
        xs = sorted(draw(st.lists(_COORD, min_size=2, max_size=2, unique=True)))
        ys = sorted(draw(st.lists(_COORD, min_size=2, max_size=2, unique=True)))
        integral = draw(st.booleans())
        if integral:
            xs, ys = [float(int(v)) for v in xs], [float(int(v)) for v in ys]
            if xs[0] == xs[1] or ys[0] == ys[1]:
                xs, ys = [xs[0], xs[0] + 1], [ys[0], ys[0] + 1]
        return RegionAnchor("rect", ((xs[0], ys[0]), (xs[1], ys[1])), region_page)
    points = draw(
        st.lists(st.tuples(_COORD, _COORD), min_size=3 if kind == "polygon" else 1, max_size=8)
    )
    return RegionAnchor(kind, tuple(points), region_page)  # type: ignore[arg-type]


@st.composite
def _annotations(draw: st.DrawFn) -> AnnotationData:
    media_type = draw(_MEDIA)
    return AnnotationData(
        uuid=str(draw(st.uuids())),
        source_sha256=draw(st.binary(min_size=32, max_size=32)).hex(),
        source_media_type=media_type,
        anchor=draw(_anchors(media_type == "application/pdf")),
        categories=draw(st.lists(_TEXT, max_size=3)),
        note=draw(st.one_of(st.none(), _TEXT)),
        redact=draw(st.booleans()),
        author=draw(_TEXT),
        created=draw(_STAMP),
        modified=draw(_STAMP),
        entities=draw(st.lists(st.uuids().map(str), max_size=3)),
    )


@settings(max_examples=300, deadline=None)
@given(_annotations())
def test_round_trip_is_exact(a: AnnotationData) -> None:
    doc = to_w3c(a)
    through_json = json.loads(json.dumps(doc, ensure_ascii=False))
    assert through_json == doc
    assert from_w3c(through_json) == a


@settings(max_examples=200, deadline=None)
@given(_COORD, _COORD)
def test_rect_edges_survive_decimal_width(x: float, w: float) -> None:
    x1, x2 = sorted((x, w))
    if x1 == x2:
        return
    a = _anno("application/pdf", RegionAnchor("rect", ((x1, x1), (x2, x2)), page=1))
    back = from_w3c(to_w3c(a)).anchor
    assert isinstance(back, RegionAnchor)
    assert back.points == ((x1, x1), (x2, x2))


# --------------------------------------------------------------------------- hostile input


def _mutated(name: str, change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(to_w3c(CASES[name]))
    change(doc)
    return doc


HOSTILE: dict[str, Any] = {
    "not an object": ["Annotation"],
    "wrong type": _mutated("text-pdf", lambda d: d.update(type="Highlight")),
    "no context": _mutated("text-pdf", lambda d: d.pop("@context")),
    "no target": _mutated("text-pdf", lambda d: d.pop("target")),
    "two targets": _mutated("rect-image", lambda d: d.update(target=[d["target"]] * 2)),
    "url source": _mutated(
        "rect-image", lambda d: d["target"]["source"].update(id="http://example.org/a.jpg")
    ),
    "no format": _mutated("rect-image", lambda d: d["target"]["source"].pop("format")),
    "unknown selector": _mutated(
        "text-article",
        lambda d: d["target"].update(selector={"type": "CssSelector", "value": "#x"}),
    ),
    "negative position": _mutated(
        "text-article", lambda d: d["target"]["selector"][1].update(start=-2)
    ),
    "position not matching quote": _mutated(
        "text-article", lambda d: d["target"]["selector"][1].update(end=10**6)
    ),
    "float position": _mutated(
        "text-article", lambda d: d["target"]["selector"][1].update(start=1.5)
    ),
    "page zero": _mutated("page-pdf", lambda d: d["target"]["selector"].update(value="page=0")),
    "page on an image": _mutated(
        "rect-image",
        lambda d: d["target"].update(
            selector={
                "type": "FragmentSelector",
                "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
                "value": "page=2",
            }
        ),
    ),
    "pages disagree": _mutated(
        "text-pdf", lambda d: d["target"]["selector"][1].update(value="page=4")
    ),
    "percent xywh": _mutated(
        "rect-image", lambda d: d["target"]["selector"].update(value="xywh=percent:1,2,3,4")
    ),
    "negative viewrect": _mutated(
        "rect-pdf", lambda d: d["target"]["selector"].update(value="page=2&viewrect=-1,0,5,5")
    ),
    "svg entity": _mutated(
        "polygon-image",
        lambda d: d["target"]["selector"].update(
            value='<!DOCTYPE svg [<!ENTITY a "1,1 2,2 3,3">]><svg><polygon points="&a;"/></svg>'
        ),
    ),
    "svg path": _mutated(
        "polygon-image",
        lambda d: d["target"]["selector"].update(value="<svg><path d='M0 0L1 1'/></svg>"),
    ),
    "svg broken": _mutated(
        "polygon-image", lambda d: d["target"]["selector"].update(value="<svg><polygon")
    ),
    "svg exponent": _mutated(
        "points-image",
        lambda d: d["target"]["selector"].update(value="<svg><circle cx='1e3' cy='2'/></svg>"),
    ),
    "two comments": _mutated(
        "text-pdf", lambda d: d["body"].append({"type": "TextualBody", "value": "again"})
    ),
    "body and bodyValue": _mutated("text-pdf", lambda d: d.update(bodyValue="x")),
    "entity not a uuid": _mutated(
        "points-pdf", lambda d: d["body"].update(source="http://example.org/e/1")
    ),
    "redact not boolean": _mutated("page-pdf", lambda d: d.update({"ew:redact": "yes"})),
    "redact without our context": _mutated(
        "page-pdf", lambda d: d.update({"@context": "http://www.w3.org/ns/anno.jsonld"})
    ),
    "naive time": _mutated("text-pdf", lambda d: d.update(created="2026-01-01T00:00:00")),
    "bad id": _mutated("text-pdf", lambda d: d.update(id="not an iri")),
    "non-canonical ni": _mutated(
        "rect-image",
        lambda d: d["target"]["source"].update(id=d["target"]["source"]["id"][:-1] + "t"),
    ),
    "whole pdf": _mutated(
        "page-image",
        lambda d: d.update(target={"id": "urn:sha256:" + SHA, "format": "application/pdf"}),
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gets_a_one_line_reason(name: str) -> None:
    with pytest.raises(WorkstationError) as caught:
        from_w3c(HOSTILE[name])
    assert isinstance(caught.value, W3CFormatError)
    assert "\n" not in str(caught.value)
    assert str(caught.value)


@pytest.mark.parametrize(
    "bad",
    [
        {"uuid": "not-a-uuid"},
        {"source_sha256": "abc"},
        {"created": "2026-01-01 00:00"},
        {"entities": ["Q42"]},
        {"anchor": RegionAnchor("rect", ((5.0, 5.0), (1.0, 1.0)))},
        {"anchor": RegionAnchor("polygon", ((-1.0, 5.0), (1.0, 1.0), (2.0, 2.0)))},
        {"anchor": RegionAnchor("points", ((float("nan"), 5.0),))},
        {"anchor": RegionAnchor("points", ((1.0, 5.0),), page=2)},
        {"anchor": TextAnchor(2, 0, 1, "x")},
        {"anchor": TextAnchor(1, 0, 5, "x")},
    ],
)
def test_to_w3c_refuses_what_it_could_not_read_back(bad: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "uuid": UUID,
        "source_sha256": SHA,
        "source_media_type": "image/png",
        "anchor": PageAnchor(1),
    }
    with pytest.raises(W3CFormatError):
        to_w3c(AnnotationData(**(fields | bad)))
