"""What a received bundle says about itself (case.json, annotations.jsonld), read as hostile.

A signature says who sent a file, not that its JSON is sane: wrong types, missing keys,
nesting 200,000 deep or a 50 MB title must each end in one line that names the place,
before anything is merged, and no message may quote more than a few dozen characters of it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workstation.bundles.bagit import shown
from workstation.bundles.errors import BundleError

#: Largest case.json / annotations.jsonld read (bytes).
MAX_JSON_BYTES = 512 * 1024 * 1024
#: Deepest nesting of arrays and objects (ours go five levels deep).
MAX_DEPTH = 64
#: Longest string anywhere in either file (characters): notes and quotes are far shorter.
MAX_STRING = 1_000_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_OPTIONAL_TEXT = (
    "title",
    "author",
    "publisher",
    "published",
    "retrieved",
    "url",
    "language",
    "filename",
    "media_type",
    "kind",
)


def read_json(path: Path, name: str) -> Any:
    """The parsed JSON of ``data/<name>``, within the size, depth and string limits.

    Raises:
        BundleError: missing, too large, not UTF-8 JSON, nested too deep, or a
            string too long; one line naming the file and, for the limits, where.
    """
    if not path.is_file():
        raise BundleError(f"the bundle has no data/{name}")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise BundleError(f"data/{name} is larger than {MAX_JSON_BYTES // 2**20} MiB")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"data/{name} is not UTF-8 (byte {exc.start})") from exc
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"data/{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise BundleError(
            f"data/{name} nests arrays or objects deeper than {MAX_DEPTH} levels"
        ) from exc
    check_limits(value, f"data/{name}")
    return value


def check_limits(value: Any, name: str) -> None:
    """Refuse nesting beyond MAX_DEPTH and strings (keys too) beyond MAX_STRING.

    Walked without recursion, so the check itself cannot be the stack overflow.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING:
                raise BundleError(
                    f"{name}: the text at {where or 'the top'} is {len(item):,} characters "
                    f"long (limit {MAX_STRING:,})"
                )
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise BundleError(
                f"{name}: {where or 'the top'} nests arrays or objects deeper than "
                f"{MAX_DEPTH} levels"
            )
        if isinstance(item, dict):
            for key, child in item.items():
                if len(key) > MAX_STRING:
                    raise BundleError(
                        f"{name}: a key in {where or 'the top'} is {len(key):,} characters long"
                    )
                stack.append(
                    (child, f"{where}.{shown(key, 40)}" if where else shown(key, 40), depth + 1)
                )
        else:
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), "null")


class _Shape:
    """Checks one document and raises at the first thing that does not fit."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, what: str) -> BundleError:
        return BundleError(f"{self.name}: {where} {what}")

    def need(self, value: Any, where: str, kind: type | tuple[type, ...], words: str) -> Any:
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise self.fail(where, f"must be {words}, not {_kind(value)}")
        return value

    def text(self, item: dict[str, Any], key: str, where: str, *, required: bool = False) -> None:
        if key not in item or item[key] is None:
            if required:
                raise self.fail(where, f"has no {key!r}")
            return
        value = self.need(item[key], f"{where}.{key}", str, "a string")
        if required and not value.strip():
            raise self.fail(f"{where}.{key}", "is empty")

    def array(self, doc: dict[str, Any], key: str, check: Callable[[Any, str], None]) -> None:
        value = doc.get(key)
        if value is None:
            return
        self.need(value, key, list, "an array")
        for i, item in enumerate(value):
            check(item, f"{key}[{i}]")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


_ORIGINS = ("file", "world-file", "hand", "gsd")


def _numbers(shape: _Shape, value: Any, where: str, count: int) -> None:
    shape.need(value, where, list, "an array")
    if len(value) != count:
        raise shape.fail(where, f"must hold {count} numbers, not {len(value)}")
    for i, x in enumerate(value):
        _number(shape, x, f"{where}[{i}]")


def _number(shape: _Shape, value: Any, where: str) -> None:
    shape.need(value, where, (int, float), "a number")
    if not math.isfinite(value):
        raise shape.fail(where, "must be a finite number")


def _georeference(shape: _Shape, item: Any, where: str) -> None:
    """A source's georeference as ``geo.records.as_json`` writes it."""
    shape.need(item, where, dict, "an object")
    if item.get("origin") not in _ORIGINS:
        raise shape.fail(f"{where}.origin", f"must be one of {', '.join(_ORIGINS)}")
    for key in ("crs", "captured", "sensor", "provider", "made_by", "made_at"):
        shape.text(item, key, where)
    if item.get("transform") is not None:
        _numbers(shape, item["transform"], f"{where}.transform", 6)
    elif item["origin"] != "gsd":
        raise shape.fail(where, f"has no 'transform' (origin {item['origin']})")
    for key in ("gsd_metres", "residual_metres"):
        if item.get(key) is not None:
            _number(shape, item[key], f"{where}.{key}")
    gsd = item.get("gsd_metres")
    if item["origin"] == "gsd" and (gsd is None or gsd <= 0):
        raise shape.fail(f"{where}.gsd_metres", "must be a positive number (origin gsd)")
    points = item.get("control_points")
    if points is not None:
        shape.need(points, f"{where}.control_points", list, "an array")
        for i, point in enumerate(points):
            _numbers(shape, point, f"{where}.control_points[{i}]", 4)


def _pair(shape: _Shape, item: Any, where: str, shas: set[str]) -> None:
    """An image pair as ``bundles.image_pairs.travelling_pairs`` writes it."""
    shape.need(item, where, dict, "an object")
    for key in ("uuid", "before", "after"):
        shape.text(item, key, where, required=True)
    for key in ("before", "after"):
        if item[key] not in shas:
            raise shape.fail(f"{where}.{key}", "names no source of the bundle (by its sha256)")
    if item["before"] == item["after"]:
        raise shape.fail(where, "pairs a picture with itself")
    for key in ("note", "made_by", "made_at"):
        shape.text(item, key, where)
    alignment = item.get("alignment")
    if alignment is not None:
        shape.need(alignment, f"{where}.alignment", list, "an array")
        for i, point in enumerate(alignment):
            _numbers(shape, point, f"{where}.alignment[{i}]", 4)


_FINDING_TEXT = (
    "claim",
    "category",
    "confidence",
    "author",
    "confirmed_by",
    "rejected_by",
    "override_reason",
    "created",
    "modified",
)
_FINDING_STATUSES = ("draft", "in_review", "confirmed", "rejected")
_ROLES = ("supports", "contradicts", "context")


def check_case(doc: Any) -> dict[str, Any]:
    """``doc`` as case.json, checked for what the merge reads; returned as a dict.

    Raises:
        BundleError: one line naming the first field of the wrong type or missing.
    """
    shape = _Shape("case.json")
    if not isinstance(doc, dict):
        raise BundleError(f"case.json must be a JSON object, not {_kind(doc)}")
    case = doc.get("case")
    if case is not None:
        shape.need(case, "case", dict, "an object or null")
        shape.text(case, "name", "case", required=True)
    sources = doc.get("sources")
    if sources is None:
        raise BundleError("case.json lists no sources (no 'sources' array)")
    shape.need(sources, "sources", list, "an array")

    def source(item: Any, where: str) -> None:
        shape.need(item, where, dict, "an object")
        shape.text(item, "sha256", where, required=True)
        if not _SHA256.match(item["sha256"]):
            raise shape.fail(f"{where}.sha256", "is not 64 lowercase hexadecimal digits")
        shape.text(item, "bundle_path", where, required=True)
        for key in _OPTIONAL_TEXT:
            shape.text(item, key, where)
        grade = item.get("grade")
        if grade is not None:
            shape.need(grade, f"{where}.grade", dict, "an object")
        if item.get("georeference") is not None:
            _georeference(shape, item["georeference"], f"{where}.georeference")
        if item.get("ocr") is not None:
            ocr = shape.need(item["ocr"], f"{where}.ocr", dict, "an object")
            shape.text(ocr, "path", f"{where}.ocr", required=True)
            if ocr["path"] != f"data/ocr/{item['sha256']}.json":
                raise shape.fail(f"{where}.ocr.path", "must be data/ocr/<the source's sha256>.json")

    for i, item in enumerate(sources):
        source(item, f"sources[{i}]")

    def category(item: Any, where: str) -> None:
        shape.need(item, where, dict, "an object")
        shape.text(item, "code", where, required=True)
        for key in ("label", "legal_basis", "scope_note", "parent", "colour"):
            shape.text(item, key, where)

    def entity(item: Any, where: str) -> None:
        shape.need(item, where, dict, "an object")
        for key in ("uuid", "name", "kind"):
            shape.text(item, key, where, required=True)
        aliases = item.get("aliases")
        if aliases is not None:
            shape.need(aliases, f"{where}.aliases", list, "an array")
            for j, alias in enumerate(aliases):
                shape.need(alias, f"{where}.aliases[{j}]", str, "a string")
        identifiers = item.get("identifiers")
        if identifiers is not None:
            shape.need(identifiers, f"{where}.identifiers", list, "an array")
            for j, ident in enumerate(identifiers):
                at = f"{where}.identifiers[{j}]"
                shape.need(ident, at, dict, "an object")
                shape.text(ident, "scheme", at, required=True)
                shape.text(ident, "value", at, required=True)
        attributes = item.get("attributes")
        if attributes is not None:
            shape.need(attributes, f"{where}.attributes", dict, "an object")

    def strings(item: dict[str, Any], key: str, where: str) -> None:
        value = item.get(key)
        if value is not None:
            shape.need(value, f"{where}.{key}", list, "an array")
            for j, x in enumerate(value):
                shape.need(x, f"{where}.{key}[{j}]", str, "a string")

    def objects(item: dict[str, Any], key: str, where: str) -> list[tuple[dict[str, Any], str]]:
        value = item.get(key)
        if value is None:
            return []
        shape.need(value, f"{where}.{key}", list, "an array")
        for j, x in enumerate(value):
            shape.need(x, f"{where}.{key}[{j}]", dict, "an object")
        return [(x, f"{where}.{key}[{j}]") for j, x in enumerate(value)]

    def finding(item: Any, where: str) -> None:
        shape.need(item, where, dict, "an object")
        for key in ("uuid", "title"):
            shape.text(item, key, where, required=True)
        for key in _FINDING_TEXT:
            shape.text(item, key, where)
        number = item.get("number")
        if number is not None and (
            not isinstance(number, int) or isinstance(number, bool) or number < 1
        ):
            raise shape.fail(f"{where}.number", "must be a positive whole number")
        if item.get("status") not in _FINDING_STATUSES:
            raise shape.fail(f"{where}.status", f"must be one of {', '.join(_FINDING_STATUSES)}")
        strings(item, "entities", where)
        strings(item, "places", where)
        period = item.get("period")
        if period is not None:
            shape.need(period, f"{where}.period", dict, "an object")
            shape.text(period, "from", f"{where}.period")
            shape.text(period, "to", f"{where}.period")
        for ev, at in objects(item, "evidence", where):
            shape.text(ev, "annotation", at, required=True)
            if ev.get("role") not in _ROLES:
                raise shape.fail(f"{at}.role", f"must be one of {', '.join(_ROLES)}")
        for step, at in objects(item, "review", where):
            for key in ("action", "reviewer", "at"):
                shape.text(step, key, at, required=True)
            shape.text(step, "reason", at)
            signature = step.get("signature")
            if signature is not None:
                shape.need(signature, f"{at}.signature", dict, "an object")
                for key in ("key", "public_key", "payload", "value"):
                    shape.text(signature, key, f"{at}.signature", required=True)
        for comment, at in objects(item, "comments", where):
            for key in ("author", "at", "text"):
                shape.text(comment, key, at, required=True)
        for letter, at in objects(item, "letters", where):
            for key in ("uuid", "addressee", "sent_on"):
                shape.text(letter, key, at, required=True)
            for key in ("addressee_kind", "deadline", "reference", "document", "created_by"):
                shape.text(letter, key, at)
            for reply, rat in objects(letter, "replies", at):
                for key in ("uuid", "received_on"):
                    shape.text(reply, key, rat, required=True)
                for key in ("text", "summary", "document", "recorded_by", "recorded_at"):
                    shape.text(reply, key, rat)

    shape.array(doc, "categories", category)
    shape.array(doc, "entities", entity)
    shape.array(doc, "findings", finding)
    shas = {item["sha256"] for item in sources}
    shape.array(doc, "pairs", lambda item, where: _pair(shape, item, where, shas))
    return doc


def check_ocr_layer(doc: Any, name: str) -> dict[str, Any]:
    """``doc`` as an OCR layer file (``data/ocr/<sha256>.json``), checked for what the merge
    stores: engine, version, models, languages, and pages of words with boxes.

    Raises:
        BundleError: one line naming the file and the first field that does not fit.
    """
    shape = _Shape(name)
    if not isinstance(doc, dict):
        raise BundleError(f"{name} must be a JSON object, not {_kind(doc)}")
    for key in ("engine", "engine_version", "languages"):
        shape.text(doc, key, "the layer", required=True)
    models = shape.need(doc.get("models"), "models", dict, "an object")
    for key, value in models.items():
        shape.need(value, f"models.{shown(key, 40)}", str, "a string")
    pages = shape.need(doc.get("pages"), "pages", list, "an array")
    seen: set[int] = set()
    for i, page in enumerate(pages):
        where = f"pages[{i}]"
        shape.need(page, where, dict, "an object")
        number = page.get("page")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise shape.fail(f"{where}.page", "must be a positive whole number")
        if number in seen:
            raise shape.fail(f"{where}.page", f"repeats page {number}")
        seen.add(number)
        text = page.get("text")
        shape.need(text, f"{where}.text", str, "a string")
        for key in ("languages", "script", "reason"):
            shape.text(page, key, where)
        if page.get("mean_confidence") is not None:
            _number(shape, page["mean_confidence"], f"{where}.mean_confidence")
        words = shape.need(page.get("words"), f"{where}.words", list, "an array")
        for j, word in enumerate(words):
            at = f"{where}.words[{j}]"
            shape.need(word, at, list, "an array")
            if len(word) != 7:
                raise shape.fail(
                    at,
                    f"must hold 7 fields (text, x0, y0, x1, y1, confidence, "
                    f"offset), not {len(word)}",
                )
            shape.need(word[0], f"{at}[0]", str, "a string")
            for k in range(1, 6):
                _number(shape, word[k], f"{at}[{k}]")
            offset = word[6]
            if (
                not isinstance(offset, int)
                or isinstance(offset, bool)
                or not (0 <= offset <= len(text))
            ):
                raise shape.fail(f"{at}[6]", "must be an offset into the page's text")
    return doc


def annotation_items(doc: Any) -> list[Any]:
    """The annotations of annotations.jsonld: an AnnotationCollection or a plain array.

    Raises:
        BundleError: neither, or a collection whose ``first.items`` is not an array.
    """
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict) or doc.get("type") != "AnnotationCollection":
        raise BundleError(
            "annotations.jsonld is neither an AnnotationCollection nor an array of annotations"
        )
    first = doc.get("first")
    if first is None:
        return []
    if not isinstance(first, dict):
        raise BundleError(f"annotations.jsonld: first must be an object, not {_kind(first)}")
    items = first.get("items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise BundleError(f"annotations.jsonld: first.items must be an array, not {_kind(items)}")
    return items


__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "MAX_STRING",
    "annotation_items",
    "check_case",
    "check_limits",
    "check_ocr_layer",
    "read_json",
]
