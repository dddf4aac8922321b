"""The taxonomy as a document: the shipped seed, export and import.

The seed (``resources/taxonomy/dprk-sanctions.json``) and the export/import
format are the same SKOS-like JSON document, so a taxonomy travels between
libraries; import merges by code and never deletes or renames a code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Category, LibraryInfo
from workstation.core.audit import AuditRecorder
from workstation.core.errors import WorkstationError
from workstation.taxonomy.tree import (
    CONCEPT_KEYS,
    check_code,
    clean_colour,
    clean_label,
    clean_text,
    list_categories,
    next_sort_order,
)

SEED_RESOURCE = ("taxonomy", "dprk-sanctions.json")
SCHEME_KEY = "taxonomy_scheme"


@dataclass(frozen=True)
class ImportSummary:
    """Codes an import added, updated or left as they were."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def load_seed() -> dict[str, Any]:
    """The taxonomy document shipped with the program."""
    resource = files("resources").joinpath(*SEED_RESOURCE)
    doc: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return doc


def _scheme(session: Session) -> dict[str, Any]:
    row = session.get(LibraryInfo, SCHEME_KEY)
    if row is None:
        return {"title": "Violation categories", "version": None}
    stored: dict[str, Any] = json.loads(row.value)
    return stored


def export_taxonomy(session: Session) -> dict[str, Any]:
    """The whole taxonomy, deprecated categories included, as a JSON-ready dict.

    ``{"scheme": {...}, "concepts": [{"code", "label", "parent", "legal_basis",
    "scope_note", "colour", "deprecated", "sort_order"}, ...]}`` in tree
    order; ``import_taxonomy`` reads it back.
    """
    concepts = [
        {
            "code": node.code,
            "label": node.label,
            "parent": node.parent,
            "legal_basis": node.legal_basis,
            "scope_note": node.scope_note,
            "colour": node.colour,
            "deprecated": node.deprecated,
            "sort_order": node.sort_order,
        }
        for node in list_categories(session, include_deprecated=True)
    ]
    return {"scheme": _scheme(session), "concepts": concepts}


@dataclass(frozen=True)
class _Concept:
    code: str
    label: str
    parent: str | None
    legal_basis: str | None
    scope_note: str | None
    colour: str | None
    deprecated: bool
    sort_order: int | None
    present: frozenset[str]


def _optional_text(where: str, concept: Mapping[str, Any], key: str) -> str | None:
    value = concept.get(key)
    if value is not None and not isinstance(value, str):
        raise WorkstationError(f"{where}: '{key}' must be text or null")
    return clean_text(value)


def _parse_document(
    doc: object, known: Mapping[str, str | None]
) -> tuple[dict[str, Any], list[_Concept]]:
    """Check a taxonomy document completely; nothing is written here.

    Args:
        doc: the decoded JSON.
        known: code -> parent code of the categories already in the library.
    """
    if not isinstance(doc, dict):
        raise WorkstationError("taxonomy document: expected a JSON object with 'concepts'")
    scheme = doc.get("scheme", {})
    if not isinstance(scheme, dict):
        raise WorkstationError("taxonomy document: 'scheme' must be an object")
    if "title" in scheme and not isinstance(scheme["title"], str):
        raise WorkstationError("taxonomy document: the scheme 'title' must be text")
    raw = doc.get("concepts")
    if not isinstance(raw, list):
        raise WorkstationError("taxonomy document: 'concepts' must be a list")
    concepts: list[_Concept] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"taxonomy document, concept {number}"
        if not isinstance(item, dict):
            raise WorkstationError(f"{where}: expected an object")
        code = item.get("code")
        if not isinstance(code, str):
            raise WorkstationError(f"{where}: 'code' must be text")
        where = f"{where} ({code!r})"
        try:
            check_code(code)
            label_value = item.get("label")
            if not isinstance(label_value, str):
                raise WorkstationError("'label' must be text")
            label = clean_label(label_value)
            colour_value = item.get("colour")
            if colour_value is not None and not isinstance(colour_value, str):
                raise WorkstationError("'colour' must be text or null")
            colour = clean_colour(colour_value)
        except WorkstationError as exc:
            raise WorkstationError(f"{where}: {exc.message}") from exc
        if code in seen:
            raise WorkstationError(f"{where}: code {code!r} appears twice")
        seen.add(code)
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise WorkstationError(f"{where}: 'parent' must be a code or null")
        if parent == code:
            raise WorkstationError(f"{where}: a category cannot be its own parent")
        deprecated = item.get("deprecated", False)
        if not isinstance(deprecated, bool):
            raise WorkstationError(f"{where}: 'deprecated' must be true or false")
        sort_order = item.get("sort_order")
        if sort_order is not None and (
            isinstance(sort_order, bool) or not isinstance(sort_order, int)
        ):
            raise WorkstationError(f"{where}: 'sort_order' must be a whole number")
        concepts.append(
            _Concept(
                code=code,
                label=label,
                parent=parent,
                legal_basis=_optional_text(where, item, "legal_basis"),
                scope_note=_optional_text(where, item, "scope_note"),
                colour=colour,
                deprecated=deprecated,
                sort_order=sort_order,
                present=frozenset(k for k in (*CONCEPT_KEYS, "sort_order") if k in item),
            )
        )
    # The tree after the import: the library's links, overridden by the document's.
    parents: dict[str, str | None] = dict(known)
    for concept in concepts:
        if (
            concept.parent is not None
            and concept.parent not in seen
            and concept.parent not in known
        ):
            raise WorkstationError(
                f"taxonomy document: {concept.code!r} has parent {concept.parent!r}, "
                "which is neither in the document nor in the library"
            )
        parents[concept.code] = concept.parent
    for concept in concepts:
        chain = [concept.code]
        current = parents.get(concept.code)
        while current is not None:
            if current in chain:
                raise WorkstationError(
                    f"taxonomy document: parents form a cycle ({' -> '.join([*chain, current])})"
                )
            chain.append(current)
            current = parents.get(current)
    return scheme, concepts


def _topological(concepts: list[_Concept]) -> list[_Concept]:
    """Concepts ordered so a parent from the document comes before its children."""
    by_code = {c.code: c for c in concepts}
    ordered: list[_Concept] = []
    done: set[str] = set()

    def visit(concept: _Concept) -> None:
        if concept.code in done:
            return
        done.add(concept.code)
        if concept.parent in by_code:
            visit(by_code[concept.parent])
        ordered.append(concept)

    for concept in concepts:
        visit(concept)
    return ordered


def _apply(
    session: Session, concepts: list[_Concept]
) -> tuple[list[str], dict[str, dict[str, Any]], list[str]]:
    """Write validated concepts; returns (added, {code: changes}, unchanged)."""
    existing = {c.code: c for c in session.scalars(select(Category))}
    added: list[str] = []
    updated: dict[str, dict[str, Any]] = {}
    unchanged: list[str] = []
    for concept in _topological(concepts):
        parent_id = existing[concept.parent].id if concept.parent is not None else None
        row = existing.get(concept.code)
        if row is None:
            row = Category(
                code=concept.code,
                parent_id=parent_id,
                label=concept.label,
                legal_basis=concept.legal_basis,
                scope_note=concept.scope_note,
                colour=concept.colour,
                deprecated=concept.deprecated,
                sort_order=(
                    concept.sort_order
                    if concept.sort_order is not None
                    else next_sort_order(session, parent_id)
                ),
            )
            session.add(row)
            session.flush()
            existing[concept.code] = row
            added.append(concept.code)
            continue
        changes: dict[str, Any] = {}
        wanted: dict[str, Any] = {"label": concept.label}
        for key in ("legal_basis", "scope_note", "colour"):
            if key in concept.present:
                wanted[key] = getattr(concept, key)
        if "parent" in concept.present:
            wanted["parent_id"] = parent_id
        if concept.sort_order is not None:
            wanted["sort_order"] = concept.sort_order
        if concept.deprecated:
            # An import retires categories but never restores one.
            wanted["deprecated"] = True
        for attr, value in wanted.items():
            old = getattr(row, attr)
            if old != value:
                setattr(row, attr, value)
                changes[attr] = {"from": old, "to": value}
        if "parent_id" in changes:
            id_to_code = {c.id: c.code for c in existing.values()}
            changes["parent"] = {
                "from": id_to_code.get(changes["parent_id"]["from"]),
                "to": concept.parent,
            }
            del changes["parent_id"]
        if changes:
            session.flush()
            updated[concept.code] = changes
        else:
            unchanged.append(concept.code)
    return added, updated, unchanged


def _store_scheme(session: Session, scheme: Mapping[str, Any]) -> None:
    if scheme:
        session.merge(LibraryInfo(key=SCHEME_KEY, value=json.dumps(dict(scheme), sort_keys=True)))


def _known(session: Session) -> dict[str, str | None]:
    categories = list(session.scalars(select(Category)))
    by_id = {c.id: c.code for c in categories}
    return {c.code: (by_id[c.parent_id] if c.parent_id is not None else None) for c in categories}


def seed_taxonomy(library: AuditRecorder, session: Session) -> int:
    """Load the shipped taxonomy into a library that has no categories yet.

    Returns:
        How many categories were added (0 when the library already had some).
    """
    if session.scalar(select(func.count()).select_from(Category)):
        return 0
    scheme, concepts = _parse_document(load_seed(), {})
    added, _, _ = _apply(session, concepts)
    _store_scheme(session, scheme)
    library.record(
        session,
        "taxonomy.seed",
        "taxonomy",
        None,
        {"title": scheme.get("title"), "version": scheme.get("version"), "added": len(added)},
    )
    return len(added)


def import_taxonomy(library: AuditRecorder, session: Session, doc: object) -> ImportSummary:
    """Merge a taxonomy document into the library, by code.

    Unknown codes are added. Known codes take the document's label, legal
    basis, scope note, colour, parent and sort order (keys missing from a
    concept are left alone); ``deprecated: true`` retires a category, but an
    import never restores or deletes one. The whole document is checked
    before anything is written; one audit event lists what changed.

    Raises:
        WorkstationError: the document is malformed (wrong types, bad codes or
            colours, duplicate codes, unknown parents, cycles).
    """
    scheme, concepts = _parse_document(doc, _known(session))
    scheme_changed = bool(scheme) and dict(scheme) != _scheme(session)
    added, updated, unchanged = _apply(session, concepts)
    if added or updated or scheme_changed:
        _store_scheme(session, scheme)
        library.record(
            session,
            "taxonomy.import",
            "taxonomy",
            None,
            {
                "title": scheme.get("title"),
                "version": scheme.get("version"),
                "added": added,
                "updated": updated,
                "unchanged": len(unchanged),
            },
        )
    return ImportSummary(tuple(added), tuple(updated), tuple(unchanged))
