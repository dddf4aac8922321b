"""tests/w3c_rules.py, one W3C Web Annotation rule family at a time.

The checker stands in for the W3C suite on a bare clone, so every family gets
conforming documents (no problems at all) and violating ones (problems naming
exactly that family's section): a checker that let everything through, or that
flagged everything, fails here. The last tests run it over realistic, complete
documents of the kinds we export: a quote on a PDF page, an image region, and a
collection with one page.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.w3c_rules import ANNO_CONTEXT, MOTIVATIONS, problems

Doc = dict[str, Any]

ID = "urn:uuid:3f2b8a4e-5c1d-4e7a-9b6f-0d2c4a8e1f37"
PAGE = "http://example.org/page1"
PDF = "ni:///sha-256;47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
RFC3778 = "http://tools.ietf.org/rfc/rfc3778"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><polygon points="1,1 9,1 5,8"/></svg>'
Z = "2025-03-14T09:26:53Z"


def anno(**fields: Any) -> Doc:
    """A minimal conforming Annotation, with ``fields`` added or replaced."""
    return {"@context": ANNO_CONTEXT, "id": ID, "type": "Annotation", "target": PAGE, **fields}


def without(doc: Doc, *keys: str) -> Doc:
    return {k: v for k, v in doc.items() if k not in keys}


def on_source(**fields: Any) -> Doc:
    """An Annotation whose target is a SpecificResource of a PDF."""
    return anno(target={"type": "SpecificResource", "source": PDF, **fields})


def selected(selector: Any) -> Doc:
    return on_source(selector=selector)


def in_state(state: Any) -> Doc:
    return on_source(state=state)


def agent(**fields: Any) -> Doc:
    return anno(creator={"id": "http://example.org/alice", "type": "Person", **fields})


def collection(**fields: Any) -> Doc:
    page = {"id": "urn:uuid:p1", "type": "AnnotationPage", "startIndex": 0, "items": [anno()]}
    return {
        "@context": ANNO_CONTEXT,
        "id": "urn:uuid:c1",
        "type": "AnnotationCollection",
        "label": "Bundle annotations",
        "total": 1,
        "first": page,
        **fields,
    }


def page(**fields: Any) -> Doc:
    return {
        "@context": ANNO_CONTEXT,
        "id": "urn:uuid:p1",
        "type": "AnnotationPage",
        "partOf": {"id": "urn:uuid:c1", "label": "Bundle annotations", "total": 1},
        "startIndex": 0,
        "items": [without(anno(), "@context")],
        **fields,
    }


def sections(doc: object) -> set[str]:
    """The section numbers the problems of ``doc`` name."""
    found = problems(doc)
    assert all(re.fullmatch(r"\d(\.\d+)*: \S.*", p) for p in found), found
    return {p.split(":", 1)[0] for p in found}


QUOTE = {"type": "TextQuoteSelector", "exact": "MV Ocean Star", "prefix": "the ", "suffix": " was"}
FRAGMENT = {"type": "FragmentSelector", "conformsTo": RFC3778, "value": "page=3"}

GOOD: list[Any] = [
    # 3.1 Annotations
    pytest.param(anno(), id="3.1-minimal-no-body"),
    pytest.param(
        anno(**{"@context": [ANNO_CONTEXT, {"ew": "https://x.example/ns#"}]}), id="3.1-ctx"
    ),
    pytest.param(anno(type=["Annotation", "http://example.org/Note"]), id="3.1-two-types"),
    pytest.param(anno(id="http://example.org/anno/é"), id="3.1-non-ascii-iri"),
    # 3.2 bodies and targets
    pytest.param(anno(body=PAGE, target=[PAGE, "http://example.org/b#x"]), id="3.2-iris"),
    pytest.param(
        anno(
            target={
                "id": "http://example.gov/patent1.pdf",
                "type": "Text",
                "format": "application/pdf",
                "language": ["en", "ar"],
                "textDirection": "ltr",
                "processingLanguage": "en",
                "accessibility": "captions",
            }
        ),
        id="3.2.1-external",
    ),
    pytest.param(anno(body={"type": "TextualBody", "value": "<p>j'adore</p>"}), id="3.2.4-text"),
    pytest.param(anno(bodyValue="Comment text"), id="3.2.5-body-value"),
    pytest.param(
        anno(body={"type": "Choice", "items": [{"id": PAGE, "language": "en"}, "urn:x:2"]}),
        id="3.2.7-choice",
    ),
    # 3.3 other properties
    pytest.param(
        anno(created=Z, modified="2025-03-15T10:00:00.125Z", generated="2024-02-29T24:00:00Z"),
        id="3.3.1-times",
    ),
    pytest.param(anno(creator=["http://example.org/alice", {"name": "Bob"}]), id="3.3.1-creators"),
    pytest.param(
        agent(
            name="Alice",
            nickname="al",
            email="mailto:alice@example.org",
            email_sha1="58bad08927902ff9307b621c54716dcc5083e339",
            homepage=["http://example.org/~alice", {"id": "http://example.org/al"}],
        ),
        id="3.3.2-agent",
    ),
    pytest.param(
        anno(generator={"id": "http://example.org/client", "type": "Software", "name": "EW"}),
        id="3.3.2-generator",
    ),
    pytest.param(
        anno(audience={"type": "schema:EducationalAudience", "schema:educationalRole": "teacher"}),
        id="3.3.3-audience",
    ),
    pytest.param(anno(motivation=sorted(MOTIVATIONS)), id="3.3.5-every-motivation"),
    pytest.param(anno(motivation="http://example.org/motivations/flagging"), id="3.3.5-iri"),
    pytest.param(
        anno(body={"type": "TextualBody", "value": "x", "purpose": ["tagging", "oa:describing"]}),
        id="3.3.5-purpose",
    ),
    pytest.param(
        anno(rights=["https://creativecommons.org/publicdomain/zero/1.0/"], via=PAGE),
        id="3.3.6-rights",
    ),
    pytest.param(anno(canonical="urn:uuid:dbfb1861-0ecf-41ad-be94-a584e5c4f1df"), id="3.3.7"),
    # 4 specific resources
    pytest.param(anno(body={"source": PAGE, "purpose": "identifying"}), id="4.1-purpose"),
    pytest.param(
        on_source(source={"id": PDF, "format": "application/pdf", "created": Z}), id="4-source"
    ),
    pytest.param(selected("http://example.org/selectors/1"), id="4.2-by-iri"),
    pytest.param(selected({"id": "http://example.org/selectors/2"}), id="4.2-external"),
    pytest.param(selected(FRAGMENT), id="4.2.1-fragment"),
    pytest.param(selected({"type": "CssSelector", "value": "#id > p"}), id="4.2.2-css"),
    pytest.param(selected({"type": "XPathSelector", "value": "/html/body/p[2]"}), id="4.2.3"),
    pytest.param(selected({"type": "TextQuoteSelector", "exact": ""}), id="4.2.4-bare-quote"),
    pytest.param(selected(QUOTE), id="4.2.4-quote"),
    pytest.param(selected({"type": "TextPositionSelector", "start": 0, "end": 7}), id="4.2.5"),
    pytest.param(
        selected({"type": "DataPositionSelector", "start": 4096, "end": 4104}), id="4.2.6"
    ),
    pytest.param(selected({"type": "SvgSelector", "value": SVG}), id="4.2.7-svg-value"),
    pytest.param(selected({"type": "SvgSelector", "value": "<svg:svg> </svg:svg>"}), id="4.2.7-ns"),
    pytest.param(selected({"type": "SvgSelector", "id": "http://example.org/s.svg"}), id="4.2.7"),
    pytest.param(
        selected({"type": "RangeSelector", "startSelector": QUOTE, "endSelector": QUOTE}),
        id="4.2.8-range",
    ),
    pytest.param(selected({**FRAGMENT, "refinedBy": [QUOTE, FRAGMENT]}), id="4.2.9-refined"),
    pytest.param(
        in_state({"type": "TimeState", "sourceDate": [Z, Z], "cached": "http://a.example/1"}),
        id="4.3.1-time",
    ),
    pytest.param(
        in_state({"type": "TimeState", "sourceDateStart": Z, "sourceDateEnd": Z}), id="4.3.1"
    ),
    pytest.param(in_state({"type": "TimeState", "cached": "http://a.example/1"}), id="4.3.1-cache"),
    pytest.param(in_state({"id": "http://example.org/state1"}), id="4.3-external"),
    pytest.param(
        in_state({"type": "HttpRequestState", "value": "Accept: application/pdf"}), id="4.3.2"
    ),
    pytest.param(
        in_state(
            {"type": "TimeState", "sourceDate": Z, "refinedBy": {**FRAGMENT, "refinedBy": QUOTE}}
        ),
        id="4.3.3-refined",
    ),
    pytest.param(
        {
            **on_source(styleClass=["red", "wide"]),
            "stylesheet": {"type": "CssStylesheet", "value": ".red{}"},
        },
        id="4.4-embedded",
    ),
    pytest.param(on_source(styleClass="red"), id="4.4-style-without-sheet"),
    pytest.param(anno(stylesheet="http://example.org/style1"), id="4.4-sheet-iri"),
    pytest.param(
        on_source(renderedVia={"id": "http://example.com/pdf-lib", "type": "Software"}), id="4.5"
    ),
    pytest.param(on_source(scope=["http://example.org/page1"]), id="4.6-scope"),
    # 5 collections
    pytest.param(collection(), id="5.1-embedded-page"),
    pytest.param(collection(first="urn:uuid:p1", last="urn:uuid:p9", total=42023), id="5.1-iris"),
    pytest.param(without(collection(total=0), "first"), id="5.1-empty"),
    pytest.param(page(next="urn:uuid:p2", prev="urn:uuid:p0"), id="5.2-page"),
    pytest.param(page(items=["urn:uuid:a1", anno()]), id="5.2-items-by-iri"),
]


@pytest.mark.parametrize("doc", GOOD)
def test_conforming_documents_have_no_problems(doc: Doc) -> None:
    assert problems(doc) == []


BAD: list[Any] = [
    # 3.1 Annotations
    (without(anno(), "@context"), "3.1"),
    (anno(**{"@context": "http://www.w3.org/ns/oa.jsonld"}), "3.1"),
    (anno(**{"@context": "https://www.w3.org/ns/anno.jsonld"}), "3.1"),
    (anno(**{"@context": [ANNO_CONTEXT]}), "3.1"),
    (without(anno(), "id"), "3.1"),
    (anno(id=["urn:x:1", "urn:x:2"]), "3.1"),
    (anno(id="anno 1"), "3.1"),
    (without(anno(), "type"), "3.1"),
    (anno(type="Note"), "3.1"),
    (without(anno(body=PAGE), "target"), "3.1"),
    (anno(target=[]), "3.1"),
    # 3.2 bodies and targets
    (anno(body="this is not an iri"), "3.2"),
    (anno(target=9), "3.2"),
    (anno(target={"type": "TextualBody", "value": "a target cannot be embedded text"}), "3.2"),
    (anno(body={"source": PAGE, "value": "both"}), "3.2"),
    (anno(body={"format": "text/plain"}), "3.2.1"),
    (anno(body={"id": "not an iri", "format": "text/plain"}), "3.2.1"),
    (anno(target={"id": PAGE, "textDirection": "up"}), "3.2.1"),
    (anno(target={"id": PAGE, "textDirection": ["ltr", "rtl"]}), "3.2.1"),
    (anno(target={"id": PAGE, "processingLanguage": ["en", "de"]}), "3.2.1"),
    (anno(target={"id": PAGE, "format": {"media": "text/html"}}), "3.2.1"),
    (anno(body={"id": PAGE, "type": 5}), "3.2.2"),
    (anno(body={"type": "TextualBody", "format": "text/plain"}), "3.2.4"),
    (anno(body={"type": "TextualBody", "value": ["two", "values"]}), "3.2.4"),
    (anno(body={"type": "TextualBody", "value": 23}), "3.2.4"),
    (anno(body={"type": "TextualBody", "value": "x"}, bodyValue="x"), "3.2.5"),
    (anno(bodyValue=["body", "doppelganger"]), "3.2.5"),
    (anno(bodyValue=23), "3.2.5"),
    (anno(bodyValue={"@value": "Kommentar", "@language": "de"}), "3.2.5"),
    (anno(body={"type": "Choice"}), "3.2.7"),
    (anno(body={"type": "Choice", "items": []}), "3.2.7"),
    (anno(body={"items": [PAGE]}), "3.2.7"),
    (anno(body={"type": ["Choice", "List"], "items": [PAGE]}), "3.2.7"),
    (anno(target={"type": "Composite", "items": [PAGE, "urn:x:2"]}), "3.2.7"),
    (anno(body={"type": "Choice", "items": ["not an iri"]}), "3.2"),
    # 3.3.1 lifecycle
    (anno(created="2025-03-14T09:26:53+01:00"), "3.3.1"),
    (anno(created="2025-03-14T09:26:53"), "3.3.1"),
    (anno(created="2025-03-14"), "3.3.1"),
    (anno(created="yesterday"), "3.3.1"),
    (anno(modified="2025-02-29T12:00:00Z"), "3.3.1"),
    (anno(modified="2025-03-14T24:00:01Z"), "3.3.1"),
    (anno(modified=[Z, Z]), "3.3.1"),
    (anno(generated=1741944413), "3.3.1"),
    (anno(body={"id": PAGE, "created": "2014-06-02 17:00:00Z"}), "3.3.1"),
    (anno(creator=6), "3.3.1"),
    (anno(generator=["http://example.org/client1", 42]), "3.3.1"),
    # 3.3.2 agents
    (agent(id=["http://example.org/a", "http://example.org/b"]), "3.3.2"),
    (anno(creator={"id": "alice", "name": "Alice"}), "3.3.2"),
    (agent(email="alice@example.org"), "3.3.2"),
    (agent(email="http://example.org/contact/alice"), "3.3.2"),
    (agent(homepage="not a uri"), "3.3.2"),
    (agent(nickname=["al", "ally"]), "3.3.2"),
    (agent(name={"first": "Alice"}), "3.3.2"),
    (agent(email_sha1=5), "3.3.2"),
    (agent(type=7), "3.3.2"),
    # 3.3.3 - 3.3.7
    (anno(audience={"type": "schema:EducationalAudience", "educationalRole": "teacher"}), "3.3.3"),
    (anno(audience=5), "3.3.3"),
    (anno(target={"id": PAGE, "accessibility": {"captions": True}}), "3.3.4"),
    (anno(motivation="squirrel"), "3.3.5"),
    (anno(motivation=["commenting", "Commenting"]), "3.3.5"),
    (anno(body={"type": "TextualBody", "value": "x", "purpose": "flagging"}), "3.3.5"),
    (anno(body={"type": "Choice", "items": [PAGE], "purpose": "tagging"}), "3.3.5"),
    (anno(rights="CC BY 4.0"), "3.3.6"),
    (anno(body={"id": PAGE, "rights": {"id": "https://creativecommons.org/"}}), "3.3.6"),
    (anno(canonical=["urn:x:1", "urn:x:2"]), "3.3.7"),
    (anno(via="here"), "3.3.7"),
    # 4 specific resources
    (anno(target={"type": "SpecificResource", "selector": FRAGMENT}), "4"),
    (on_source(source=[PDF, PAGE]), "4"),
    (on_source(source="not an iri"), "4"),
    (on_source(source={"type": "Choice", "items": [PDF]}), "4"),
    (anno(body={"id": PAGE, "purpose": "tagging"}), "4.1"),
    (on_source(purpose="squirrel"), "3.3.5"),
    (selected(5), "4.2"),
    (selected("not an iri"), "4.2"),
    (selected({"type": "PageSelector", "value": "3"}), "4.2"),
    (selected({"type": "FragmentSelector"}), "4.2.1"),
    (selected({**FRAGMENT, "value": ["xxx", "yyy"]}), "4.2.1"),
    (selected({**FRAGMENT, "conformsTo": [RFC3778, "http://www.w3.org/TR/media-frags/"]}), "4.2.1"),
    (selected({**FRAGMENT, "conformsTo": "RFC 3778"}), "4.2.1"),
    (selected({**FRAGMENT, "type": ["FragmentSelector", "CssSelector"]}), "4.2.1"),
    (selected({"type": "CssSelector"}), "4.2.2"),
    (selected({"type": "XPathSelector", "value": 3}), "4.2.3"),
    (selected({"type": "TextQuoteSelector", "prefix": "the "}), "4.2.4"),
    (selected({**QUOTE, "exact": ["MV", "Ocean"]}), "4.2.4"),
    (selected({**QUOTE, "prefix": ["a ", "the "]}), "4.2.4"),
    (selected({**QUOTE, "suffix": 5}), "4.2.4"),
    (selected({"type": "TextPositionSelector", "start": -1, "end": 7}), "4.2.5"),
    (selected({"type": "TextPositionSelector", "start": 0, "end": "7"}), "4.2.5"),
    (selected({"type": "TextPositionSelector", "start": True, "end": 7}), "4.2.5"),
    (selected({"type": "TextPositionSelector", "start": 1.5, "end": 7}), "4.2.5"),
    (selected({"type": "TextPositionSelector", "start": 0}), "4.2.5"),
    (selected({"type": "DataPositionSelector", "start": 4096}), "4.2.6"),
    (selected({"type": "DataPositionSelector", "start": -4, "end": 4}), "4.2.6"),
    (selected({"type": "SvgSelector"}), "4.2.7"),
    (selected({"type": "SvgSelector", "value": "<svg><polygon></svg>"}), "4.2.7"),
    (selected({"type": "SvgSelector", "value": "<html><body/></html>"}), "4.2.7"),
    (selected({"type": "SvgSelector", "value": "polygon 1,1 9,1 5,8"}), "4.2.7"),
    (selected({"type": "RangeSelector", "startSelector": QUOTE}), "4.2.8"),
    (
        selected({"type": "RangeSelector", "startSelector": [QUOTE, QUOTE], "endSelector": QUOTE}),
        "4.2.8",
    ),
    (selected({"type": "RangeSelector", "startSelector": QUOTE, "endSelector": {}}), "4.2.8"),
    (
        selected(
            {
                "type": "RangeSelector",
                "startSelector": QUOTE,
                "endSelector": {"type": "CssSelector"},
            }
        ),
        "4.2.2",
    ),
    (selected({**FRAGMENT, "refinedBy": {"type": "TimeState", "sourceDate": Z}}), "4.2.9"),
    (
        selected(
            {**FRAGMENT, "refinedBy": {**FRAGMENT, "refinedBy": {"type": "TextQuoteSelector"}}}
        ),
        "4.2.4",
    ),
    (in_state(5), "4.3"),
    (in_state({**FRAGMENT}), "4.3"),
    (
        in_state({"type": "TimeState", "sourceDate": Z, "sourceDateStart": Z, "sourceDateEnd": Z}),
        "4.3.1",
    ),
    (in_state({"type": "TimeState", "sourceDateStart": Z}), "4.3.1"),
    (in_state({"type": "TimeState", "sourceDateEnd": Z}), "4.3.1"),
    (in_state({"type": "TimeState", "sourceDate": "2015-07-20T13:30:00+00:00"}), "4.3.1"),
    (in_state({"type": "TimeState", "sourceDateStart": [Z, Z], "sourceDateEnd": Z}), "4.3.1"),
    (in_state({"type": "TimeState", "sourceDate": Z, "cached": "a copy"}), "4.3.1"),
    (in_state({"type": "HttpRequestState"}), "4.3.2"),
    (in_state({"type": "HttpRequestState", "value": ["Accept: a/b", "Accept: c/d"]}), "4.3.2"),
    (in_state({"type": "TimeState", "sourceDate": Z, "refinedBy": {"type": "Version"}}), "4.3.3"),
    (on_source(styleClass=5), "4.4"),
    (anno(stylesheet={"type": "CssStyle", "value": ".red{}"}), "4.4"),
    (anno(stylesheet=["http://example.org/s1", "http://example.org/s2"]), "4.4"),
    (anno(stylesheet={"type": "CssStylesheet", "value": 5}), "4.4"),
    (on_source(renderedVia="pdf.js"), "4.5"),
    (on_source(renderedVia={"type": "Software", "name": "pdf.js"}), "4.5"),
    (on_source(scope=5), "4.6"),
    # 5 collections
    (without(collection(), "@context"), "5.1"),
    (without(collection(), "id"), "5.1"),
    (collection(type=["OrderedCollection", "AnnotationCollection"], label=5), "5.1"),
    (collection(total=-1), "5.1"),
    (collection(total="1"), "5.1"),
    (collection(total=[1, 1]), "5.1"),
    (without(collection(total=2), "first"), "5.1"),
    (collection(first=["urn:uuid:p1", "urn:uuid:p2"]), "5.1"),
    (collection(first="page one"), "5.1"),
    (collection(last="last page"), "5.1"),
    (collection(first={"id": "urn:uuid:p1", "items": [anno()]}), "5.2"),
    (without(page(), "@context"), "5.2"),
    (without(page(), "id"), "5.2"),
    (page(items=[]), "5.2"),
    (without(page(), "items"), "5.2"),
    (page(items=anno()), "5.2"),
    (page(items=["not an iri"]), "5.2"),
    (page(startIndex=-1), "5.2"),
    (page(startIndex=[0, 1]), "5.2"),
    (page(partOf={"label": "Bundle annotations"}), "5.2"),
    (page(next="page 2"), "5.2"),
    (page(items=[without(anno(), "target")]), "3.1"),
    (collection(first={**page(), "items": [anno(body="not an iri")]}), "3.2"),
]


@pytest.mark.parametrize(
    ("doc", "section"), [pytest.param(d, s, id=f"{s}-{i}") for i, (d, s) in enumerate(BAD)]
)
def test_each_violation_is_reported_under_its_section(doc: Doc, section: str) -> None:
    assert sections(doc) == {section}, problems(doc)


def test_a_problem_says_the_rule_and_where_it_is() -> None:
    assert problems(anno(**{"@context": "http://example.org/ctx"})) == [
        "3.1: @context must include http://www.w3.org/ns/anno.jsonld"
    ]
    [deep] = problems(selected({**FRAGMENT, "refinedBy": [QUOTE, {"type": "TextQuoteSelector"}]}))
    assert deep.startswith("4.2.4: 'exact' is required")
    assert deep.endswith("(at target.selector.refinedBy[1])")


def test_every_violation_is_listed_not_just_the_first() -> None:
    doc = {"type": "Annotation", "motivation": "squirrel", "target": {"source": PDF}}
    assert len(problems(doc)) == 3  # @context, id, motivation
    assert problems({}) == [
        f"3.1: @context is required and must include {ANNO_CONTEXT}",
        "3.1: 'id' is required (exactly 1 IRI)",
        "3.1: 'type' must include 'Annotation'",
        "3.1: an Annotation must have 1 or more 'target'",
    ]


@pytest.mark.parametrize("doc", [None, "http://example.org/anno1", [anno()], 3])
def test_a_document_must_be_a_json_object(doc: object) -> None:
    assert sections(doc) == {"3.1"}


def test_annotations_in_a_page_inherit_its_context_but_alone_need_their_own() -> None:
    item = without(anno(), "@context")
    assert problems(page(items=[item])) == []
    assert problems(collection(first={**page(items=[item]), "@context": ANNO_CONTEXT})) == []
    assert problems(item) == [f"3.1: @context is required and must include {ANNO_CONTEXT}"]


# --------------------------------------------------------------------------- realistic documents

PDF_QUOTE: Doc = {
    "@context": ANNO_CONTEXT,
    "id": "urn:uuid:6f1c1c4e-8d9a-4c53-9f0e-2b7d7c1d1a01",
    "type": "Annotation",
    "motivation": "commenting",
    "created": "2025-03-14T09:26:53.589Z",
    "modified": "2025-03-15T10:00:00Z",
    "creator": {"type": "Person", "name": "Alice Reviewer"},
    "generator": {"id": "https://evidence-workstation.example/", "type": "Software"},
    "body": [
        {"type": "TextualBody", "purpose": "tagging", "value": "sanctions-evasion"},
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/plain",
            "language": "en",
            "value": "Renamed two weeks after the designation; same IMO number.",
        },
        {
            "type": "SpecificResource",
            "purpose": "identifying",
            "source": "urn:uuid:0b5c8f8e-3c44-4f0e-8a59-6a4b2d9c7e10",
        },
    ],
    "target": {
        "type": "SpecificResource",
        "source": {"id": PDF, "type": "Text", "format": "application/pdf"},
        "selector": {
            "type": "FragmentSelector",
            "conformsTo": RFC3778,
            "value": "page=3",
            "refinedBy": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "MV Ocean Star",
                    "prefix": "the vessel ",
                    "suffix": " was renamed",
                },
                {"type": "TextPositionSelector", "start": 1042, "end": 1055},
            ],
        },
        "state": {"type": "TimeState", "sourceDate": "2025-03-14T09:00:00Z"},
    },
}

IMAGE_REGION: Doc = {
    "@context": [ANNO_CONTEXT, {"ew": "https://evidence-workstation.example/ns/anno#"}],
    "id": "urn:uuid:9a7d4c2b-1e3f-4a5b-8c6d-7e8f9a0b1c2d",
    "type": "Annotation",
    "motivation": "highlighting",
    "created": "2025-01-02T03:04:05Z",
    "stylesheet": {"type": "CssStylesheet", "value": ".flag { stroke: red }"},
    "target": {
        "type": "SpecificResource",
        "source": {"id": "http://example.org/port/photo-17.jpg", "type": "Image"},
        "styleClass": "flag",
        "selector": [
            {
                "type": "SvgSelector",
                "value": (
                    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 1200">'
                    '<polygon points="100,100 400,120 380,300 90,280"/></svg>'
                ),
            },
            {
                "type": "FragmentSelector",
                "conformsTo": "http://www.w3.org/TR/media-frags/",
                "value": "xywh=90,100,310,200",
            },
        ],
    },
    "ew:redact": True,
}


def one_page_collection(*items: Doc) -> Doc:
    return {
        "@context": ANNO_CONTEXT,
        "id": "urn:uuid:5e0d3b1a-7c2f-4d8e-9a6b-1f4c3e2d5a70",
        "type": "AnnotationCollection",
        "label": "Evidence bundle 2025-03: annotations",
        "total": len(items),
        "first": {
            "id": "urn:uuid:5e0d3b1a-7c2f-4d8e-9a6b-1f4c3e2d5a71",
            "type": "AnnotationPage",
            "partOf": "urn:uuid:5e0d3b1a-7c2f-4d8e-9a6b-1f4c3e2d5a70",
            "startIndex": 0,
            "items": list(items),
        },
        "last": "urn:uuid:5e0d3b1a-7c2f-4d8e-9a6b-1f4c3e2d5a71",
    }


def test_a_quote_on_a_pdf_page_conforms_and_its_faults_are_found() -> None:
    assert problems(PDF_QUOTE) == []
    doc = copy.deepcopy(PDF_QUOTE)
    del doc["target"]["selector"]["refinedBy"][0]["exact"]
    doc["target"]["selector"]["refinedBy"][1]["end"] = -1
    doc["created"] = "2025-03-14T10:26:53+01:00"
    assert problems(doc) == [
        "4.2.4: 'exact' is required (exactly 1 value) (at target.selector.refinedBy[0])",
        "4.2.5: 'end' must be a non-negative integer (at target.selector.refinedBy[1].end)",
        "3.3.1: 'created' must be an xsd:dateTime in UTC, ending in \"Z\" (at created)",
    ]


def test_an_image_region_conforms_and_its_faults_are_found() -> None:
    assert problems(IMAGE_REGION) == []
    doc = copy.deepcopy(IMAGE_REGION)
    doc["target"]["selector"][0]["value"] = doc["target"]["selector"][0]["value"][:-6]
    doc["stylesheet"]["type"] = "text/css"
    assert sections(doc) == {"4.2.7", "4.4"}
    assert any(p.endswith("(at target.selector[0].value)") for p in problems(doc))


def test_a_collection_with_one_page_conforms_and_its_faults_are_found() -> None:
    bare = [without(a, "@context") for a in (PDF_QUOTE, IMAGE_REGION)]
    assert problems(one_page_collection(PDF_QUOTE, IMAGE_REGION)) == []
    assert problems(one_page_collection(*bare)) == []

    doc = one_page_collection(PDF_QUOTE, copy.deepcopy(IMAGE_REGION))
    doc["first"]["items"][1]["target"]["source"] = "not an iri"
    assert problems(doc) == [
        "4: 'source' must be an IRI or an External Web Resource (at first.items[1].target.source)"
    ]
    empty = one_page_collection()
    assert sections(empty) == {"5.2"}  # a page holds 1 or more annotations
    assert sections(without(one_page_collection(PDF_QUOTE), "first")) == {"5.1"}
