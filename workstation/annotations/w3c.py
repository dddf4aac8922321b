"""W3C Web Annotation Data Model (JSON-LD) for our annotations, both ways.

Export bundles carry annotations in the one open format other annotation tools
read, and an imported bundle must give back exactly what was exported, so this
module is a lossless mapping between ``AnnotationData`` and W3C JSON-LD:

- The source is named by its content, RFC 6920 ``ni:///sha-256;<base64url>``
  (a registered URI scheme for hash names; ``urn:sha256:<hex>`` is accepted on
  input). Its media type sits on the source object as ``format``.
- Text anchors are a ``TextQuoteSelector`` plus a ``TextPositionSelector``
  (Unicode code points, as the model says); on a PDF each is the refinement of
  an RFC 3778 ``page=N`` fragment. Rectangles are Media Fragments ``xywh`` on
  images and RFC 3778 ``viewrect`` on PDF pages; polygons and count markers
  are inline SVG. Whole pages are ``page=N``.
- Categories are tagging bodies, the note a commenting body, linked entities
  ``identifying`` SpecificResource bodies whose source is ``urn:uuid:<entity>``.
- The redaction flag has no W3C term: it is ``ew:redact`` in our namespace.

Coordinates are written as plain decimals from the float's shortest repr, and a
rectangle's width is computed in exact decimal arithmetic, so every float reads
back bit for bit. ``from_w3c`` is strict: anything it cannot map exactly raises
``W3CFormatError`` with a one-line reason instead of guessing.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any

from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
)
from workstation.core.errors import BadInputError

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
RFC3778 = "http://tools.ietf.org/rfc/rfc3778"
MEDIA_FRAGS = "http://www.w3.org/TR/media-frags/"
SVG_NS = "http://www.w3.org/2000/svg"
#: Our extension vocabulary. The ``.example`` host is a reserved placeholder
#: until the project has a domain of its own; the IRI only has to be stable.
EXTENSION_NS = "https://evidence-workstation.example/ns/anno#"
REDACT_KEY = "ew:redact"
#: A region's place on the Earth: a GeoJSON geometry (RFC 7946, WGS84 lon/lat) as a
#: JSON literal (JSON-LD 1.1 ``@json``); derived from the image's georeference.
GEO_KEY = "ew:geo"
_GEO_TYPES = {"Point", "MultiPoint", "LineString", "Polygon"}
PDF = "application/pdf"

#: Largest coordinate accepted (pixels or points); keeps decimals short.
MAX_COORD = 1e9
#: Radius of the circle drawn for a count marker; decoration, ignored on read.
MARKER_RADIUS = "3"
#: Longest SVG selector value read, in characters.
MAX_SVG_CHARS = 5_000_000

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TRAILING_UUID_RE = re.compile(
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_NI_RE = re.compile(r"ni://[^/?#]*/sha-256;([A-Za-z0-9_-]{43})")
_URN_SHA256_RE = re.compile(r"urn:sha256:([0-9a-fA-F]{64})")
_MEDIA_TYPE_RE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
_PAGE_RE = re.compile(r"page=([1-9][0-9]{0,8})")
_DECIMAL = r"[0-9]{1,10}(?:\.[0-9]{1,400})?"
_DECIMAL_RE = re.compile(_DECIMAL)
_VIEWRECT_RE = re.compile(
    rf"page=([1-9][0-9]{{0,8}})&viewrect=({_DECIMAL}),({_DECIMAL}),({_DECIMAL}),({_DECIMAL})"
)
_XYWH_RE = re.compile(r"xywh=(?:pixel:)?([0-9]{1,10}),([0-9]{1,10}),([0-9]{1,10}),([0-9]{1,10})")
_COMMENT_PURPOSES = {"commenting", "describing"}


class W3CFormatError(BadInputError):
    """An annotation cannot be mapped to or from the W3C model; says why in one line."""


# --------------------------------------------------------------------------- writing


def to_w3c(a: AnnotationData, *, base_id: str = "urn:uuid:") -> dict[str, Any]:
    """One annotation as a W3C Web Annotation (JSON-LD, compacted).

    Args:
        a: The annotation.
        base_id: Prefix of the annotation's IRI; the UUID is appended.

    Returns:
        A JSON-serialisable dict.

    Raises:
        W3CFormatError: the annotation holds something the format cannot carry
            exactly (a malformed UUID, hash or timestamp, a negative or
            non-finite coordinate, a page on a source without pages).
    """
    _check_data(a)
    extension: dict[str, Any] = {"ew": EXTENSION_NS}
    if a.geo is not None:
        extension[GEO_KEY] = {"@type": "@json"}
    doc: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, extension] if a.redact or a.geo else ANNO_CONTEXT,
        "id": base_id + a.uuid,
        "type": "Annotation",
        "motivation": _motivation(a),
    }
    if a.created:
        doc["created"] = a.created
    if a.modified:
        doc["modified"] = a.modified
    if a.author:
        doc["creator"] = {"type": "Person", "name": a.author}
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": code} for code in a.categories
    ]
    if a.note is not None:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/plain",
                "value": a.note,
            }
        )
    bodies.extend(
        {"type": "SpecificResource", "purpose": "identifying", "source": "urn:uuid:" + entity}
        for entity in a.entities
    )
    if bodies:
        doc["body"] = bodies[0] if len(bodies) == 1 else bodies
    doc["target"] = _target(a)
    if a.redact:
        doc[REDACT_KEY] = True
    if a.geo is not None:
        doc[GEO_KEY] = a.geo
    return doc


def collection(
    annotations: Iterable[AnnotationData], *, label: str, id: str | None = None
) -> dict[str, Any]:
    """Annotations as one ``AnnotationCollection`` with a single embedded page.

    Each item keeps its own ``@context`` so it stays a complete annotation
    when taken out of the collection (the W3C checker requires it per item).

    Args:
        annotations: The annotations, in the order they should appear.
        label: A human-readable name for the collection.
        id: The collection's IRI; by default a UUID derived from the
            annotation ids and label, so the same export gives the same id.

    Returns:
        A JSON-serialisable dict; ``first`` is omitted when there are no
        annotations (a page must hold at least one).
    """
    items = [to_w3c(a) for a in annotations]
    if id is None:
        seed = "\n".join([label, *(str(item["id"]) for item in items)])
        id = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    doc: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
    }
    if items:
        page_id = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, id + "#page-1"))
        doc["first"] = {
            "id": page_id,
            "type": "AnnotationPage",
            "partOf": id,
            "startIndex": 0,
            "items": items,
        }
    return doc


def _motivation(a: AnnotationData) -> str:
    if a.note is not None:
        return "commenting"
    if a.categories:
        return "tagging"
    if a.entities:
        return "identifying"
    return "highlighting"


def _target(a: AnnotationData) -> dict[str, Any]:
    source = {"id": _ni(a.source_sha256), "format": a.source_media_type}
    anchor = a.anchor
    pdf = a.source_media_type == PDF
    selector: dict[str, Any] | list[dict[str, Any]]
    if isinstance(anchor, PageAnchor):
        if not pdf:
            return source  # the whole (single-page) resource
        selector = _page_fragment(anchor.page)
    elif isinstance(anchor, TextAnchor):
        quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": anchor.exact}
        if anchor.prefix:
            quote["prefix"] = anchor.prefix
        if anchor.suffix:
            quote["suffix"] = anchor.suffix
        position = {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end}
        if pdf:
            selector = [
                _page_fragment(anchor.page, refined_by=quote),
                _page_fragment(anchor.page, refined_by=position),
            ]
        else:
            selector = [quote, position]
    else:
        selector = _region_selector(anchor, pdf)
    return {"source": source, "selector": selector}


def _region_selector(anchor: RegionAnchor, pdf: bool) -> dict[str, Any]:
    if anchor.shape == "rect":
        (x1, y1), (x2, y2) = anchor.points
        if pdf:
            value = (
                f"page={anchor.page}&viewrect={_num(x1)},{_num(y1)},{_diff(x2, x1)},{_diff(y2, y1)}"
            )
            return {"type": "FragmentSelector", "conformsTo": RFC3778, "value": value}
        if all(v == int(v) for v in (x1, y1, x2, y2)):
            xywh = ",".join(str(int(v)) for v in (x1, y1, x2 - x1, y2 - y1))
            return {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGS, "value": "xywh=" + xywh}
        width, height = _diff(x2, x1), _diff(y2, y1)
        shape = f'<rect x="{_num(x1)}" y="{_num(y1)}" width="{width}" height="{height}"/>'
    elif anchor.shape == "polygon":
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in anchor.points)
        shape = f'<polygon points="{points}"/>'
    else:
        shape = "".join(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{MARKER_RADIUS}"/>' for x, y in anchor.points
        )
    svg = {"type": "SvgSelector", "value": f'<svg xmlns="{SVG_NS}">{shape}</svg>'}
    if pdf:
        assert anchor.page is not None  # checked by _check_data
        return _page_fragment(anchor.page, refined_by=svg)
    return svg


def _page_fragment(page: int, refined_by: dict[str, Any] | None = None) -> dict[str, Any]:
    selector: dict[str, Any] = {
        "type": "FragmentSelector",
        "conformsTo": RFC3778,
        "value": f"page={page}",
    }
    if refined_by is not None:
        selector["refinedBy"] = refined_by
    return selector


def _ni(sha256_hex: str) -> str:
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).rstrip(b"=").decode("ascii")
    return "ni:///sha-256;" + digest


def _num(v: float) -> str:
    """A float as a plain decimal (no exponent) that parses back to the same float."""
    text = format(Decimal(repr(float(v) + 0.0)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _diff(b: float, a: float) -> str:
    """``b - a`` exactly, as a plain decimal, so ``a + (b - a)`` reads back as ``b``."""
    with localcontext() as ctx:
        ctx.prec = 1000
        text = format(Decimal(repr(float(b))) - Decimal(repr(float(a))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_data(a: AnnotationData) -> None:
    """Refuse what cannot be written (and so could not be read back)."""
    if not isinstance(a.uuid, str) or not _UUID_RE.fullmatch(a.uuid):
        raise W3CFormatError(f"annotation id {a.uuid!r} is not a lower-case UUID")
    if not _SHA256_RE.fullmatch(a.source_sha256):
        raise W3CFormatError(f"source hash {a.source_sha256!r} is not 64 lower-case hex digits")
    if not _MEDIA_TYPE_RE.fullmatch(a.source_media_type):
        raise W3CFormatError(f"source media type {a.source_media_type!r} is not valid")
    for name, stamp in (("created", a.created), ("modified", a.modified)):
        if stamp and not _is_utc_timestamp(stamp):
            raise W3CFormatError(f"{name} {stamp!r} is not an ISO 8601 UTC time ending in Z")
    for entity in a.entities:
        if not _UUID_RE.fullmatch(entity):
            raise W3CFormatError(f"entity id {entity!r} is not a lower-case UUID")
    _check_anchor(a.anchor, a.source_media_type == PDF)


def _check_anchor(anchor: Anchor, pdf: bool) -> None:
    """The anchor invariants both directions rely on."""
    if isinstance(anchor, TextAnchor):
        _check_page(anchor.page, pdf)
        if not 0 <= anchor.start < anchor.end:
            raise W3CFormatError(f"text position {anchor.start}-{anchor.end} is not a range")
        if len(anchor.exact) != anchor.end - anchor.start:
            raise W3CFormatError("quoted text length does not match its position")
    elif isinstance(anchor, PageAnchor):
        _check_page(anchor.page, pdf)
    elif isinstance(anchor, RegionAnchor):
        if pdf:
            if anchor.page is None:
                raise W3CFormatError("a region on a PDF needs a page")
            _check_page(anchor.page, pdf)
        elif anchor.page is not None:
            raise W3CFormatError("a region on a source without pages cannot name a page")
        for point in anchor.points:
            if len(point) != 2:
                raise W3CFormatError("a region point must have two coordinates")
            for v in point:
                if not (isinstance(v, int | float) and math.isfinite(v) and 0 <= v <= MAX_COORD):
                    raise W3CFormatError(f"coordinate {v!r} is outside 0-{MAX_COORD:g}")
        n = len(anchor.points)
        if anchor.shape == "rect":
            if n != 2:
                raise W3CFormatError("a rectangle needs exactly two points")
            (x1, y1), (x2, y2) = anchor.points
            if not (x1 < x2 and y1 < y2):
                raise W3CFormatError("a rectangle needs top-left then bottom-right, non-empty")
        elif anchor.shape == "polygon":
            if n < 3:
                raise W3CFormatError("a polygon needs at least three points")
        elif anchor.shape == "points":
            if n < 1:
                raise W3CFormatError("a set of markers needs at least one point")
        else:
            raise W3CFormatError(f"unknown region shape {anchor.shape!r}")
    else:
        raise W3CFormatError(f"unknown anchor {type(anchor).__name__}")


def _check_page(page: int, pdf: bool) -> None:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise W3CFormatError(f"page {page!r} is not a page number (1-based)")
    if page > 999_999_999:
        raise W3CFormatError(f"page {page} is out of range")
    if not pdf and page != 1:
        raise W3CFormatError(f"page {page} on a source that has a single page")


def _is_utc_timestamp(text: str) -> bool:
    if not _TIMESTAMP_RE.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- reading


def from_w3c(doc: dict[str, Any]) -> AnnotationData:
    """Read one W3C Web Annotation back into our data.

    Accepts exactly what ``to_w3c`` writes, and annotations by other tools that
    use the same selectors (quote + position, RFC 3778 pages, Media Fragments
    ``xywh``, inline SVG polygon/rect/circles) on a source named by hash.

    Args:
        doc: The parsed JSON of one annotation.

    Returns:
        The annotation.

    Raises:
        W3CFormatError: the document is not an annotation we can map exactly;
            the message says what is wrong in one line.
    """
    if not isinstance(doc, dict):
        raise W3CFormatError("an annotation must be a JSON object")
    redact = _read_context(doc)
    types = _strings(doc.get("type"), "type")
    if "Annotation" not in types:
        raise W3CFormatError("type is not 'Annotation'")
    annotation_id = doc.get("id")
    if not isinstance(annotation_id, str) or not _URI_RE.fullmatch(annotation_id):
        raise W3CFormatError("id is missing or not an IRI")
    match = _TRAILING_UUID_RE.search(annotation_id)
    if match:
        annotation_uuid = match.group(1).lower()
    else:  # someone else's IRI: a stable UUID for it, so re-imports merge
        annotation_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, annotation_id))
    categories, note, entities = _read_bodies(doc)
    sha256, media_type, anchor = _read_target(doc)
    return AnnotationData(
        uuid=annotation_uuid,
        source_sha256=sha256,
        source_media_type=media_type,
        anchor=anchor,
        categories=categories,
        note=note,
        redact=redact,
        author=_read_creator(doc.get("creator")),
        created=_read_time(doc.get("created"), "created"),
        modified=_read_time(doc.get("modified"), "modified"),
        entities=entities,
        geo=_read_geo(doc),
    )


def _read_geo(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The ``ew:geo`` GeoJSON geometry, checked for shape (its numbers are not re-derived)."""
    geo = doc.get(GEO_KEY, doc.get(EXTENSION_NS + "geo"))
    if geo is None:
        return None
    if (
        not isinstance(geo, dict)
        or geo.get("type") not in _GEO_TYPES
        or not isinstance(geo.get("coordinates"), list)
    ):
        raise W3CFormatError(f"'{GEO_KEY}' is not a GeoJSON point, line or polygon")
    return geo


def _read_context(doc: dict[str, Any]) -> bool:
    """Check ``@context``; return the redaction flag it makes readable."""
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if ANNO_CONTEXT not in contexts and "https://www.w3.org/ns/anno.jsonld" not in contexts:
        raise W3CFormatError(f"@context does not include {ANNO_CONTEXT}")
    prefix_ok = any(isinstance(c, dict) and c.get("ew") == EXTENSION_NS for c in contexts)
    if REDACT_KEY in doc and not prefix_ok:
        raise W3CFormatError(f"'{REDACT_KEY}' is used but 'ew' is not mapped to {EXTENSION_NS}")
    values = [doc[k] for k in (REDACT_KEY, EXTENSION_NS + "redact") if k in doc]
    if any(not isinstance(v, bool) for v in values):
        raise W3CFormatError("the redaction flag must be true or false")
    return any(values)


def _read_creator(creator: object) -> str:
    if creator is None:
        return ""
    if isinstance(creator, list):
        if len(creator) != 1:
            raise W3CFormatError("more than one creator")
        creator = creator[0]
    if isinstance(creator, str):
        return creator
    if isinstance(creator, dict):
        name = creator.get("name", creator.get("nickname", creator.get("id")))
        if isinstance(name, list) and len(name) == 1:
            name = name[0]
        if isinstance(name, str):
            return name
    raise W3CFormatError("creator has no single name")


def _read_time(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise W3CFormatError(f"{name} is not a string")
    if _is_utc_timestamp(value):
        return value  # already our form: keep it byte for byte
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise W3CFormatError(f"{name} {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise W3CFormatError(f"{name} {value[:40]!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _read_bodies(doc: dict[str, Any]) -> tuple[list[str], str | None, list[str]]:
    categories: list[str] = []
    entities: list[str] = []
    notes: list[str] = []
    if "bodyValue" in doc:
        if "body" in doc:
            raise W3CFormatError("both body and bodyValue")
        if not isinstance(doc["bodyValue"], str):
            raise W3CFormatError("bodyValue is not a string")
        notes.append(doc["bodyValue"])
    body = doc.get("body")
    bodies = [] if body is None else body if isinstance(body, list) else [body]
    for item in bodies:
        if not isinstance(item, dict):
            raise W3CFormatError("a body is not an object (external bodies are not supported)")
        purposes = _strings(item.get("purpose"), "body purpose") if "purpose" in item else []
        if len(purposes) > 1:
            raise W3CFormatError("a body has more than one purpose")
        purpose = purposes[0] if purposes else None
        if "value" in item:
            value = item["value"]
            if not isinstance(value, str):
                raise W3CFormatError("a textual body's value is not a string")
            if "source" in item:
                raise W3CFormatError("a textual body also has a source")
            if purpose == "tagging":
                categories.append(value)
            elif purpose is None or purpose in _COMMENT_PURPOSES:
                if item.get("format", "text/plain") != "text/plain":
                    raise W3CFormatError("a comment is not text/plain")
                notes.append(value)
            else:
                raise W3CFormatError(f"a textual body has unsupported purpose {purpose!r}")
        elif "source" in item:
            if purpose != "identifying":
                raise W3CFormatError(f"a resource body has unsupported purpose {purpose!r}")
            source = item["source"]
            if isinstance(source, dict):
                source = source.get("id")
            if not isinstance(source, str) or not source.startswith("urn:uuid:"):
                raise W3CFormatError("an identifying body's source is not urn:uuid:<entity>")
            entity = source.removeprefix("urn:uuid:").lower()
            if not _UUID_RE.fullmatch(entity):
                raise W3CFormatError("an identifying body's source is not urn:uuid:<entity>")
            entities.append(entity)
        else:
            raise W3CFormatError("a body has neither value nor source")
    if len(notes) > 1:
        raise W3CFormatError("more than one comment body")
    return categories, (notes[0] if notes else None), entities


def _read_target(doc: dict[str, Any]) -> tuple[str, str, Anchor]:
    if "target" not in doc:
        raise W3CFormatError("no target")
    target = doc["target"]
    if isinstance(target, list):
        if len(target) != 1:
            raise W3CFormatError("exactly one target is supported")
        target = target[0]
    if isinstance(target, str):
        raise W3CFormatError("the target has no media type (format)")
    if not isinstance(target, dict):
        raise W3CFormatError("the target is not an object")
    if "source" in target:
        source = target["source"]
        if isinstance(source, dict):
            source_id, media_type = source.get("id"), source.get("format", target.get("format"))
        else:
            source_id, media_type = source, target.get("format")
        whole = False
    else:  # an external web resource: the whole source
        source_id, media_type = target.get("id"), target.get("format")
        whole = True
    sha256 = _read_source_id(source_id)
    if isinstance(media_type, list) and len(media_type) == 1:
        media_type = media_type[0]
    if not isinstance(media_type, str) or not _MEDIA_TYPE_RE.fullmatch(media_type):
        raise W3CFormatError("the target has no valid media type (format)")
    pdf = media_type == PDF
    if whole:
        if pdf:
            raise W3CFormatError("a target on a whole PDF does not say which page")
        anchor: Anchor = PageAnchor(page=1)
    else:
        if "selector" not in target:
            raise W3CFormatError("the target has a source but no selector")
        anchor = _read_selectors(target["selector"], pdf)
    _check_anchor(anchor, pdf)
    return sha256, media_type, anchor


def _read_source_id(source_id: object) -> str:
    if not isinstance(source_id, str):
        raise W3CFormatError("the target source has no IRI")
    match = _NI_RE.fullmatch(source_id)
    if match:
        digest = match.group(1)
        raw = base64.urlsafe_b64decode(digest + "=")
        if len(raw) != 32 or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != digest:
            raise W3CFormatError("the ni: source is not a canonical SHA-256 digest")
        return raw.hex()
    match = _URN_SHA256_RE.fullmatch(source_id)
    if match:
        return match.group(1).lower()
    raise W3CFormatError(
        f"source {source_id[:60]!r} is not named by its SHA-256 (ni: or urn:sha256:)"
    )


@dataclass(frozen=True)
class _ViewRect:
    """A rectangle read from an RFC 3778 ``viewrect`` (internal)."""

    points: tuple[tuple[float, float], ...]


#: What one selector resolves to: a leaf selector, a view rectangle, or (None) a whole page.
_Leaf = dict[str, Any] | _ViewRect | None


def _read_selectors(selector: object, pdf: bool) -> Anchor:
    """Flatten (page, leaf selector) pairs and recognise one of our anchor shapes."""
    items = selector if isinstance(selector, list) else [selector]
    if not items:
        raise W3CFormatError("an empty selector list")
    pages: set[int | None] = set()
    leaves: list[_Leaf] = []
    for item in items:
        page, leaf = _split_page(item)
        pages.add(page)
        leaves.append(leaf)
    if len(pages) != 1:
        raise W3CFormatError("the selectors disagree about the page")
    page = pages.pop()
    if pdf and page is None:
        raise W3CFormatError("a selector on a PDF does not say which page")
    if not pdf and page is not None:
        raise W3CFormatError("a page fragment on a source that is not a PDF")
    if len(leaves) == 2 and all(isinstance(leaf, dict) for leaf in leaves):
        by_type = {leaf.get("type"): leaf for leaf in leaves if isinstance(leaf, dict)}
        quote, position = by_type.get("TextQuoteSelector"), by_type.get("TextPositionSelector")
        if quote is not None and position is not None:
            return _read_text(quote, position, page or 1)
    if len(leaves) != 1:
        raise W3CFormatError("unsupported combination of selectors")
    leaf = leaves[0]
    if leaf is None:
        assert page is not None  # only an RFC 3778 fragment gives a whole page
        return PageAnchor(page=page)
    if isinstance(leaf, _ViewRect):
        return RegionAnchor(shape="rect", points=leaf.points, page=page)
    kind = leaf.get("type")
    if kind == "FragmentSelector":
        return RegionAnchor(shape="rect", points=_read_xywh(leaf), page=page)
    if kind == "SvgSelector":
        return _read_svg(leaf, page)
    raise W3CFormatError(f"unsupported selector {str(kind)[:40]!r}")


def _split_page(selector: object) -> tuple[int | None, _Leaf]:
    """An RFC 3778 page fragment and what refines it, or no page and the selector."""
    if not isinstance(selector, dict):
        raise W3CFormatError("a selector is not an object")
    if selector.get("type") != "FragmentSelector" or selector.get("conformsTo") != RFC3778:
        if "refinedBy" in selector:
            raise W3CFormatError("refinedBy is only supported on an RFC 3778 page fragment")
        return None, selector
    value = selector.get("value")
    if not isinstance(value, str):
        raise W3CFormatError("a PDF fragment selector has no value")
    page_match = _PAGE_RE.fullmatch(value)
    rect_match = _VIEWRECT_RE.fullmatch(value)
    refined = selector.get("refinedBy")
    if isinstance(refined, list) and len(refined) == 1:
        refined = refined[0]
    if rect_match:
        if refined is not None:
            raise W3CFormatError("a viewrect fragment cannot be refined further")
        left, top, width, height = (rect_match.group(i) for i in range(2, 6))
        points = ((_float(left), _float(top)), (_sum(left, width), _sum(top, height)))
        return int(rect_match.group(1)), _ViewRect(points)
    zero = re.match(r"page=0*(?:[&]|$)", value)
    if zero:
        raise W3CFormatError("page 0 in a PDF fragment (RFC 3778 pages start at 1)")
    if not page_match:
        raise W3CFormatError(f"unsupported PDF fragment {value[:60]!r} (page=N or viewrect)")
    page = int(page_match.group(1))
    if refined is None:
        return page, None
    if not isinstance(refined, dict) or refined.get("type") not in (
        "TextQuoteSelector",
        "TextPositionSelector",
        "SvgSelector",
    ):
        raise W3CFormatError("a page fragment is refined by an unsupported selector")
    if "refinedBy" in refined:
        raise W3CFormatError("selectors nested more than one level deep are not supported")
    return page, refined


def _read_text(quote: dict[str, Any], position: dict[str, Any], page: int) -> TextAnchor:
    exact, prefix, suffix = quote.get("exact"), quote.get("prefix", ""), quote.get("suffix", "")
    if not isinstance(exact, str) or not exact:
        raise W3CFormatError("the text quote has no exact text")
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise W3CFormatError("the text quote prefix or suffix is not a string")
    start, end = position.get("start"), position.get("end")
    if not _is_int(start) or not _is_int(end):
        raise W3CFormatError("the text position start and end are not integers")
    assert isinstance(start, int)
    assert isinstance(end, int)
    if start < 0 or end <= start:
        raise W3CFormatError(f"text position start {start}, end {end} is not a range from 0")
    return TextAnchor(page=page, start=start, end=end, exact=exact, prefix=prefix, suffix=suffix)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_xywh(selector: dict[str, Any]) -> tuple[tuple[float, float], ...]:
    if selector.get("conformsTo") != MEDIA_FRAGS:
        raise W3CFormatError("a fragment selector that is neither RFC 3778 nor Media Fragments")
    value = selector.get("value")
    match = _XYWH_RE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise W3CFormatError("unsupported media fragment (xywh=x,y,w,h in pixels)")
    x, y, w, h = (int(match.group(i)) for i in range(1, 5))
    return ((float(x), float(y)), (float(x + w), float(y + h)))


def _read_svg(selector: dict[str, Any], page: int | None) -> RegionAnchor:
    value = selector.get("value")
    if not isinstance(value, str):
        raise W3CFormatError("an SVG selector without an inline value")
    if len(value) > MAX_SVG_CHARS or "<!" in value:
        raise W3CFormatError("the SVG selector is too large or has declarations")
    try:
        root = ET.fromstring(value)
    except ET.ParseError as exc:
        raise W3CFormatError(f"the SVG selector is not well-formed XML ({exc})") from None
    if _svg_tag(root) != "svg":
        raise W3CFormatError("the SVG selector's root is not <svg>")
    shapes = list(root)
    tags = [_svg_tag(child) for child in shapes]
    if tags and all(tag == "circle" for tag in tags):
        points = tuple((_attr(c, "cx"), _attr(c, "cy")) for c in shapes)
        return RegionAnchor(shape="points", points=points, page=page)
    if len(shapes) != 1:
        raise W3CFormatError("the SVG selector must hold one shape or only circles")
    shape = shapes[0]
    if tags[0] == "polygon":
        numbers = [n for n in re.split(r"[\s,]+", shape.get("points", "").strip()) if n]
        if len(numbers) % 2:
            raise W3CFormatError("the SVG polygon has an odd number of coordinates")
        values = [_float(n) for n in numbers]
        points = tuple(zip(values[::2], values[1::2], strict=True))
        return RegionAnchor(shape="polygon", points=points, page=page)
    if tags[0] == "rect":
        x, y = shape.get("x", "0"), shape.get("y", "0")
        width, height = shape.get("width"), shape.get("height")
        if width is None or height is None:
            raise W3CFormatError("the SVG rect has no width or height")
        points = ((_float(x), _float(y)), (_sum(x, width), _sum(y, height)))
        return RegionAnchor(shape="rect", points=points, page=page)
    raise W3CFormatError(f"unsupported SVG shape <{tags[0][:20]}>")


def _svg_tag(element: ET.Element) -> str:
    """The element's local name if it is in the SVG namespace (or none), else ''."""
    tag = element.tag
    if tag.startswith(f"{{{SVG_NS}}}"):
        return tag[len(SVG_NS) + 2 :]
    return "" if tag.startswith("{") else tag


def _attr(element: ET.Element, name: str) -> float:
    value = element.get(name)
    if value is None:
        raise W3CFormatError(f"an SVG <{_svg_tag(element)}> has no {name}")
    return _float(value)


def _float(text: str) -> float:
    if not _DECIMAL_RE.fullmatch(text):
        raise W3CFormatError(f"coordinate {text[:30]!r} is not a plain non-negative decimal")
    return float(text)


def _sum(a: str, b: str) -> float:
    """``a + b`` for two decimal strings, exactly, then rounded once to a float."""
    for text in (a, b):
        _float(text)
    with localcontext() as ctx:
        ctx.prec = 1000
        return float(Decimal(a) + Decimal(b))


def _strings(value: object, name: str) -> list[str]:
    """A JSON-LD value that may be one string or a list of strings."""
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise W3CFormatError(f"{name} is missing or not a string")
    return [str(v) for v in values]
