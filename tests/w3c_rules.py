"""The W3C Web Annotation Data Model's MUST rules, as a plain-Python checker.

Why this exists: CI runs the W3C web-annotation test suite (its JSON schemas and
``validate.py``) as a separate conformance step, but that suite lives outside
the repository, so a bare clone cannot run it. This module restates the model's
MUST / MUST NOT rules, written by us from the Recommendation of 23 February 2017
(https://www.w3.org/TR/annotation-model/), so ``uv run pytest`` can check what
we export without it. SHOULDs and MAYs (one creator, ``format`` being a media
type, ``TextualBody`` in ``type``, ...) are not enforced.

Deliberate differences from the W3C suite, each following the model's text:
Annotations inside a Page may omit ``@context`` (they inherit it); timestamps
must be UTC written ``Z``; IRIs may be non-ASCII; a one-element ``@context``
list is an error (3.1); ``SvgSelector`` values must be well-formed XML with an
``svg`` root (4.2.7); ``styleClass`` without a ``stylesheet`` is allowed (that
MUST is on consumers) and a ``TimeState`` may carry only ``cached``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from typing import Any, TypeGuard
from xml.parsers import expat

__all__ = ["ANNO_CONTEXT", "MOTIVATIONS", "problems"]

Obj = dict[str, Any]
Pred = Callable[[Any], bool]
Check = Callable[[Obj, str], None] | None

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: The Motivation instances of 3.3.5; any other motivation or purpose must be an IRI.
MOTIVATIONS = tuple(
    "assessing bookmarking classifying commenting describing editing highlighting"  # noqa: SIM905
    " identifying linking moderating questioning replying tagging".split()
)
DIRECTIONS = ("ltr", "rtl", "auto")
#: Selector and State classes of section 4, with the section defining each.
SELECTORS = {
    "FragmentSelector": "4.2.1",
    "CssSelector": "4.2.2",
    "XPathSelector": "4.2.3",
    "TextQuoteSelector": "4.2.4",
    "TextPositionSelector": "4.2.5",
    "DataPositionSelector": "4.2.6",
    "SvgSelector": "4.2.7",
    "RangeSelector": "4.2.8",
}
STATES = {"TimeState": "4.3.1", "HttpRequestState": "4.3.2"}

# An absolute IRI (RFC 3987): scheme ":" then no spaces, controls or the
# characters IRIs exclude, "%" only as %HH, and at most one "#".
_IRI_CHAR = r"(?:[^\x00-\x20\x7f-\x9f<>\"{}|\\^`%#]|%[0-9A-Fa-f]{2})"
_IRI_RE = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_IRI_CHAR}*(?:#{_IRI_CHAR}*)?")
# xsd:dateTime in UTC, "Z" (3.3.1): [-]YYYY-MM-DDThh:mm:ss[.s+]Z
_UTC_RE = re.compile(r"-?(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z")


def _is_iri(v: object) -> TypeGuard[str]:
    return isinstance(v, str) and _IRI_RE.fullmatch(v) is not None


def _is_str(v: object) -> bool:
    return isinstance(v, str)


def _is_literal(v: object) -> bool:
    """A Property value (1.4): any JSON value but an object."""
    return not isinstance(v, dict | list)


def _is_count(v: object) -> bool:
    """An xsd:nonNegativeInteger (JSON booleans are not numbers here)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_ref(v: object) -> bool:
    return _is_iri(v) or isinstance(v, dict)


def _is_mailto(v: object) -> bool:
    return _is_iri(v) and v.startswith("mailto:")


def _is_motive(v: object) -> bool:
    return v in MOTIVATIONS or _is_iri(v)  # a tuple: ``in`` works on unhashable JSON too


def _is_utc(v: object) -> bool:
    if not isinstance(v, str) or not (m := _UTC_RE.fullmatch(v)):
        return False
    year_text = m.group(1)
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    if year == 0 or (len(year_text) > 4 and year_text[0] == "0") or not 1 <= month <= 12:
        return False
    if not 1 <= day <= calendar.monthrange(2000 if calendar.isleap(year) else 2001, month)[1]:
        return False
    if hour == 24:  # 24:00:00 is the end of the day; nothing after it
        return minute == second == 0 and not (m.group(7) or "").strip("0")
    return hour < 24 and minute < 60 and second < 60


def _is_svg(v: object) -> bool:
    """Well-formed XML whose root element is ``svg`` (any prefix)."""
    if not isinstance(v, str):
        return False
    names: list[str] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: names.append(name)
    try:
        parser.Parse(v, True)
    except expat.ExpatError:
        return False
    return bool(names) and names[0].rpartition(":")[2] == "svg"


def _values(v: object) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _types(obj: Obj) -> list[Any]:
    return _values(obj["type"]) if "type" in obj else []


def _each(obj: Obj, key: str, path: str) -> list[tuple[Any, str]]:
    """Every value of ``obj[key]`` with its path; empty when the key is absent."""
    if key not in obj:
        return []
    where = f"{path}.{key}" if path else key
    value = obj[key]
    if isinstance(value, list):
        return [(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return [(value, where)]


class _Checker:
    def __init__(self) -> None:
        self.found: list[str] = []

    def bad(self, section: str, path: str, message: str) -> None:
        self.found.append(f"{section}: {message}" + (f" (at {path})" if path else ""))

    # ------------------------------------------------------------ generic shapes

    def prop(self, obj: Obj, key: str, path: str, s: str, card: str, ok: Pred, what: str) -> None:
        """Cardinality ("1" exactly one, "?" at most one, "*" any) and each value's shape."""
        if key not in obj:
            if card == "1":
                self.bad(s, path, f"{key!r} is required (exactly 1 value)")
            return
        count = len(_values(obj[key]))
        if card == "1" and count != 1:
            self.bad(s, path, f"{key!r} must have exactly 1 value, not {count}")
        elif card == "?" and count > 1:
            self.bad(s, path, f"{key!r} must not have more than 1 value")
        for v, p in _each(obj, key, path):
            if not ok(v):
                self.bad(s, p, f"{key!r} must be {what}")

    def ref(
        self, obj: Obj, key: str, path: str, s: str, card: str = "*", check: Check = None
    ) -> None:
        """A Relationship (1.4): IRIs, or objects checked by ``check`` (default: having an id)."""
        self.prop(obj, key, path, s, card, _is_ref, "an IRI or an object")
        for v, p in _each(obj, key, path):
            if isinstance(v, dict):
                (check or (lambda o, q: self.ident(o, q, s, required=True)))(v, p)

    def ident(self, obj: Obj, path: str, section: str, *, required: bool) -> None:
        if "id" not in obj:
            if required:
                self.bad(section, path, "'id' is required (exactly 1 IRI)")
        elif not isinstance(obj["id"], str):
            self.bad(section, path, "'id' must be exactly 1 IRI (a single string)")
        elif not _is_iri(obj["id"]):
            self.bad(section, path, f"'id' must be an IRI, not {obj['id']!r}")

    def context(self, obj: Obj, path: str, section: str, *, required: bool) -> None:
        if "@context" not in obj:
            if required:
                self.bad(section, path, f"@context is required and must include {ANNO_CONTEXT}")
            return
        ctx = obj["@context"]
        if ANNO_CONTEXT not in _values(ctx):
            self.bad(section, path, f"@context must include {ANNO_CONTEXT}")
        elif section == "3.1" and isinstance(ctx, list) and len(ctx) == 1:
            self.bad(section, path, "a single @context value must be a string, not a list")

    def typed(self, obj: Obj, path: str, section: str, cls: str) -> None:
        self.prop(obj, "type", path, section, "*", _is_str, "a class name (string)")
        if cls not in _types(obj):
            self.bad(section, path, f"'type' must include {cls!r}")

    def motives(self, obj: Obj, key: str, path: str) -> None:
        self.prop(obj, key, path, "3.3.5", "*", _is_motive, "a Motivation of 3.3.5 or an IRI")

    # ------------------------------------------------------------ 3.1 and 5

    def annotation(self, a: object, path: str, *, embedded: bool) -> None:
        if not isinstance(a, dict):
            self.bad("3.1", path, "an Annotation must be a JSON object")
            return
        self.context(a, path, "3.1", required=not embedded)
        self.ident(a, path, "3.1", required=True)
        self.typed(a, path, "3.1", "Annotation")
        targets = _each(a, "target", path)
        if not targets:
            self.bad("3.1", path, "an Annotation must have 1 or more 'target'")
        for target, p in targets:
            self.resource(target, p, "target")
        for body, p in _each(a, "body", path):
            self.resource(body, p, "body")
        if "bodyValue" in a:
            if "body" in a:
                self.bad("3.2.5", path, "'bodyValue' and 'body' must not both be present")
            self.prop(a, "bodyValue", path, "3.2.5", "?", _is_str, "a single plain string")
        self.motives(a, "motivation", path)
        self.ref(a, "stylesheet", path, "4.4", "?", self.stylesheet)
        self.other(a, path)

    def collection(self, c: Obj, path: str) -> None:
        s = "5.1"
        self.context(c, path, s, required=True)
        self.ident(c, path, s, required=True)
        self.typed(c, path, s, "AnnotationCollection")
        self.prop(c, "label", path, s, "*", _is_str, "a string")
        self.prop(c, "total", path, s, "?", _is_count, "a non-negative integer")
        total = _values(c.get("total")) or [None]
        firsts = _each(c, "first", path)
        if len(firsts) > 1 or (not firsts and _is_count(total[0]) and total[0] > 0):
            self.bad(s, path, "a Collection with annotations must have exactly 1 'first' page")
        for first, p in firsts:
            if isinstance(first, dict):
                self.page(first, p, embedded=True)
            elif not _is_iri(first):
                self.bad(s, p, "'first' must be an IRI or an embedded AnnotationPage")
        self.ref(c, "last", path, s)
        self.other(c, path)

    def page(self, pg: Obj, path: str, *, embedded: bool) -> None:
        s = "5.2"
        self.context(pg, path, s, required=not embedded)
        self.ident(pg, path, s, required=True)
        self.typed(pg, path, s, "AnnotationPage")
        for key in ("partOf", "next", "prev"):
            self.ref(pg, key, path, s)
        self.prop(pg, "startIndex", path, s, "?", _is_count, "a non-negative integer")
        items = pg.get("items")
        if not isinstance(items, list) or not items:
            self.bad(s, path, "'items' must be an array of 1 or more Annotations")
        for item, p in _each(pg, "items", path):
            if isinstance(item, str) and not _is_iri(item):
                self.bad(s, p, "an Annotation listed by reference must be an IRI")
            elif not isinstance(item, str):
                self.annotation(item, p, embedded=True)
        self.other(pg, path)

    # ------------------------------------------------------------ 3.2 bodies and targets

    def resource(self, v: object, path: str, role: str) -> None:
        if isinstance(v, str):
            if not _is_iri(v):
                self.bad("3.2", path, f"a {role} given as a string must be an IRI")
            return
        if not isinstance(v, dict):
            self.bad("3.2", path, f"a {role} must be an IRI or an object")
            return
        kinds = [k for k in ("source", "items", "value") if k in v]
        if len(kinds) > 1:
            self.bad("3.2", path, f"a {role} cannot have both {kinds[0]!r} and {kinds[1]!r}")
        types = _types(v)
        if "source" in v or "SpecificResource" in types:
            self.specific(v, path)
        elif "items" in v or "Choice" in types:
            self.choice(v, path, role)
        elif "value" in v or "TextualBody" in types:
            if role == "target":
                self.bad("3.2", path, "a target cannot be an embedded TextualBody")
            self.textual(v, path)
        else:
            self.external(v, path)

    def common(self, obj: Obj, path: str) -> None:
        """3.2.1 / 3.2.2 properties shared by External Web Resources and bodies."""
        self.prop(obj, "type", path, "3.2.2", "*", _is_str, "a class name (string)")
        for key in ("format", "language"):
            self.prop(obj, key, path, "3.2.1", "*", _is_literal, "a literal, not an object")
        self.prop(obj, "processingLanguage", path, "3.2.1", "?", _is_literal, "a literal")
        self.prop(
            obj, "textDirection", path, "3.2.1", "?", lambda v: v in DIRECTIONS, "ltr/rtl/auto"
        )
        self.prop(obj, "accessibility", path, "3.3.4", "*", _is_literal, "a literal")
        self.other(obj, path)

    def external(self, obj: Obj, path: str) -> None:
        self.ident(obj, path, "3.2.1", required=True)
        if "purpose" in obj:
            self.bad("4.1", path, "give an External Web Resource a purpose via a SpecificResource")
        self.common(obj, path)

    def textual(self, obj: Obj, path: str) -> None:
        self.ident(obj, path, "3.2.4", required=False)
        self.prop(obj, "value", path, "3.2.4", "1", _is_str, "a string")
        self.motives(obj, "purpose", path)
        self.common(obj, path)

    def choice(self, obj: Obj, path: str, role: str) -> None:
        if _types(obj) != ["Choice"]:
            self.bad("3.2.7", path, "a resource with 'items' must have exactly 1 type, 'Choice'")
        self.ident(obj, path, "3.2.7", required=False)
        items = obj.get("items")
        if not isinstance(items, list) or not items:
            self.bad("3.2.7", path, "a Choice must list its resources in a non-empty 'items' array")
        if "purpose" in obj:
            self.bad("3.3.5", path, "a Choice cannot have a 'purpose'; give it to its items")
        for item, p in _each(obj, "items", path):
            self.resource(item, p, role)
        self.other(obj, path)

    # ------------------------------------------------------------ 4 specific resources

    def specific(self, obj: Obj, path: str) -> None:
        self.ident(obj, path, "4", required=False)
        sources = _each(obj, "source", path)
        if len(sources) != 1:
            self.bad("4", path, f"a SpecificResource needs exactly 1 'source', not {len(sources)}")
        for src, p in sources:
            if isinstance(src, dict) and not {"source", "items", "value"} & src.keys():
                self.external(src, p)
            elif not _is_iri(src):
                self.bad("4", p, "'source' must be an IRI or an External Web Resource")
        self.motives(obj, "purpose", path)
        for selector, p in _each(obj, "selector", path):
            self.specifier(selector, p, SELECTORS, "4.2")
        for state, p in _each(obj, "state", path):
            self.specifier(state, p, STATES, "4.3")
        self.prop(obj, "styleClass", path, "4.4", "*", _is_str, "a CSS class name (string)")
        self.ref(obj, "renderedVia", path, "4.5")
        self.ref(obj, "scope", path, "4.6")
        self.common(obj, path)

    def specifier(self, v: object, path: str, classes: dict[str, str], section: str) -> None:
        """A Selector (4.2) or State (4.3): an IRI, a class of the model, or an external one."""
        noun = "selector" if classes is SELECTORS else "state"
        if isinstance(v, str):
            if not _is_iri(v):
                self.bad(section, path, f"a {noun} given as a string must be an IRI")
            return
        if not isinstance(v, dict):
            self.bad(section, path, f"a {noun} must be an IRI or an object")
            return
        types = _types(v)
        known = [t for t in types if isinstance(t, str) and t in classes]
        if known:
            cls, s = known[0], classes[known[0]]
            if len(types) != 1:
                self.bad(s, path, f"a {cls} must have exactly 1 type, {cls!r}")
            self.ident(v, path, s, required=False)
            getattr(self, "_" + cls)(v, path, s)
        elif "id" in v:  # described elsewhere, by its IRI
            self.ident(v, path, section, required=True)
        else:
            self.bad(section, path, f"{noun} type {types} is not one of {sorted(classes)}")
        refinements = SELECTORS if classes is SELECTORS else STATES | SELECTORS
        for r, p in _each(v, "refinedBy", path):
            self.specifier(r, p, refinements, "4.2.9" if classes is SELECTORS else "4.3.3")

    def _value(self, v: Obj, path: str, s: str) -> None:
        self.prop(v, "value", path, s, "1", _is_str, "a string")

    def _FragmentSelector(self, v: Obj, path: str, s: str) -> None:
        self._value(v, path, s)
        self.prop(v, "conformsTo", path, s, "?", _is_iri, "an IRI")

    _CssSelector = _XPathSelector = _HttpRequestState = _value

    def _TextQuoteSelector(self, v: Obj, path: str, s: str) -> None:
        self.prop(v, "exact", path, s, "1", _is_str, "a string")
        for key in ("prefix", "suffix"):
            self.prop(v, key, path, s, "?", _is_str, "a string")

    def _TextPositionSelector(self, v: Obj, path: str, s: str) -> None:
        for key in ("start", "end"):
            self.prop(v, key, path, s, "1", _is_count, "a non-negative integer")

    _DataPositionSelector = _TextPositionSelector

    def _SvgSelector(self, v: Obj, path: str, s: str) -> None:
        self.prop(v, "value", path, s, "?", _is_svg, "well-formed SVG XML")
        if "value" not in v and "id" not in v:
            self.bad(s, path, "an SvgSelector needs its SVG: a 'value' or an 'id'")

    def _RangeSelector(self, v: Obj, path: str, s: str) -> None:
        for key in ("startSelector", "endSelector"):
            self.prop(v, key, path, s, "1", lambda x: isinstance(x, str | dict), "a Selector")
            for sel, p in _each(v, key, path):
                self.specifier(sel, p, SELECTORS, s)

    def _TimeState(self, v: Obj, path: str, s: str) -> None:
        when = 'an xsd:dateTime in UTC, ending in "Z"'
        self.prop(v, "sourceDate", path, s, "*", _is_utc, when)
        for key in ("sourceDateStart", "sourceDateEnd"):
            self.prop(v, key, path, s, "?", _is_utc, when)
        if "sourceDate" in v and {"sourceDateStart", "sourceDateEnd"} & v.keys():
            self.bad(s, path, "'sourceDate' excludes 'sourceDateStart' and 'sourceDateEnd'")
        if ("sourceDateStart" in v) != ("sourceDateEnd" in v):
            self.bad(s, path, "'sourceDateStart' and 'sourceDateEnd' must be given together")
        self.ref(v, "cached", path, s)

    def stylesheet(self, sheet: Obj, path: str) -> None:
        self.ident(sheet, path, "4.4", required=False)
        if "type" in sheet and _types(sheet) != ["CssStylesheet"]:
            self.bad("4.4", path, "a stylesheet's 'type', if given, must be 'CssStylesheet'")
        self.prop(sheet, "value", path, "4.4", "?", _is_str, "a string of CSS")

    # ------------------------------------------------------------ 3.3 other properties

    def other(self, obj: Obj, path: str) -> None:
        when = 'an xsd:dateTime in UTC, ending in "Z"'
        for key in ("created", "modified", "generated"):
            self.prop(obj, key, path, "3.3.1", "?", _is_utc, when)
        for key in ("creator", "generator"):
            self.ref(obj, key, path, "3.3.1", check=self.agent)
        self.ref(obj, "audience", path, "3.3.3", check=self.audience)
        self.prop(obj, "rights", path, "3.3.6", "*", _is_iri, "an IRI")
        self.prop(obj, "canonical", path, "3.3.7", "?", _is_iri, "an IRI")
        self.prop(obj, "via", path, "3.3.7", "*", _is_iri, "an IRI")

    def agent(self, ag: Obj, path: str) -> None:
        s = "3.3.2"
        self.ident(ag, path, s, required=False)
        self.prop(ag, "type", path, s, "*", _is_str, "a class name (string)")
        self.prop(ag, "name", path, s, "*", _is_str, "a string")
        self.prop(ag, "nickname", path, s, "?", _is_str, "a string")
        self.prop(ag, "email", path, s, "*", _is_mailto, "a mailto: IRI")
        self.prop(ag, "email_sha1", path, s, "*", _is_str, "a string")
        self.ref(ag, "homepage", path, s)

    def audience(self, aud: Obj, path: str) -> None:
        self.ident(aud, path, "3.3.3", required=False)
        for key in aud:
            if key not in ("id", "type") and not key.startswith(("schema:", "@")):
                self.bad("3.3.3", path, f"audience property {key!r} must be prefixed 'schema:'")


def problems(doc: object) -> list[str]:
    """Every MUST-rule violation in ``doc``; an empty list means it conforms.

    Args:
        doc: Parsed JSON: an Annotation, or an AnnotationCollection or
            AnnotationPage (then its own rules and every embedded Annotation
            in ``items`` / ``first.items`` are checked).

    Returns:
        One short line per violation, starting with the model's section
        number, e.g. ``"4.2.4: 'exact' is required (exactly 1 value) (at target.selector)"``.
    """
    if not isinstance(doc, dict):
        return ["3.1: the document must be a JSON object (Annotation, Collection or Page)"]
    checker = _Checker()
    types = _types(doc)
    if "AnnotationCollection" in types:
        checker.collection(doc, "")
    elif "AnnotationPage" in types:
        checker.page(doc, "", embedded=False)
    else:
        checker.annotation(doc, "", embedded=False)
    return checker.found
