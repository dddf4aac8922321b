"""The taxonomy of violations: the sanctions measures reviewers tag passages with.

Reviewers extend, rename, move, merge and retire categories, but a code stays
stable once it exists, because annotations, findings and exported bundles
refer to it. So codes are never rewritten or deleted here:

- ``move_category`` changes only the parent. The dotted prefix of a code says
  where it was created, not where it lives now (``arms.missiles`` moved under
  ``wmd`` keeps its code); the tree is given by the parent link alone, and new
  sub-categories extend the code of the parent they are created under.
- ``merge_categories`` moves the source's annotation tags (and findings and
  sub-categories) to the target, then deprecates the source and notes
  ``Merged into <code>.`` in its scope note, so old references still resolve.
- ``deprecate_category`` hides a category (and its sub-categories) from
  pickers; old annotations keep it.

The seed, export and import live in ``interchange``. Every change writes an audit event in the same
transaction, through the library given (typed ``AuditRecorder``: this module
needs nothing else of it, and the library seeds the taxonomy when it opens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, func, select, update
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationCategory, Category, Finding
from workstation.core.audit import AuditRecorder
from workstation.core.errors import NotFoundError, WorkstationError

MAX_CODE = 100
MAX_LABEL = 200
_SEGMENT = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CODE_RE = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")
COLOUR_RE = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
MERGED_RE = re.compile(rf"(?:^|\n)Merged into ({_SEGMENT}(?:\.{_SEGMENT})*)\.$")
CONCEPT_KEYS = ("code", "label", "parent", "legal_basis", "scope_note", "colour", "deprecated")


@dataclass(frozen=True)
class CategoryNode:
    """One category as pickers and lists show it.

    Attributes:
        code: the stable code, e.g. ``maritime.sts-transfer``.
        label: the name shown to reviewers.
        parent: the parent's code; None at the top level.
        legal_basis: the resolutions that created the measure, if recorded.
        scope_note: what belongs in the category (and what does not).
        colour: the stored highlight colour (``#rrggbb``), or None.
        display_colour: ``colour`` or, when unset, the nearest ancestor's.
        deprecated: hidden from pickers, kept for old annotations.
        depth: 0 for a top-level category.
        usage: number of (not deleted) annotations tagged with it.
        merged_into: the code it was merged into, if it was.
        sort_order: position among its siblings.
    """

    code: str
    label: str
    parent: str | None
    legal_basis: str | None
    scope_note: str | None
    colour: str | None
    display_colour: str | None
    deprecated: bool
    depth: int
    usage: int
    merged_into: str | None
    sort_order: int


@dataclass(frozen=True)
class MergeSummary:
    """What ``merge_categories`` moved from the source to the target."""

    source: str
    into: str
    annotations_moved: int
    duplicates_dropped: int
    findings_moved: int
    children_moved: tuple[str, ...]


# --- validation ------------------------------------------------------------


def check_code(code: str) -> str:
    """Refuse a code that is not a dotted path of lowercase words.

    Each dot-separated part is lowercase letters and digits, optionally joined
    by single hyphens (``sectoral-exports.iron-ore``).
    """
    if not isinstance(code, str) or not code:
        raise WorkstationError("a category code cannot be empty")
    if len(code) > MAX_CODE:
        raise WorkstationError(f"category code {code[:40]!r}... is over {MAX_CODE} characters")
    if CODE_RE.fullmatch(code) is None:
        raise WorkstationError(
            f"category code {code!r} is not valid: use lowercase letters, digits and '-', "
            "with '.' between levels (e.g. 'maritime.sts-transfer')"
        )
    return code


def clean_label(label: str) -> str:
    """Trim a label and refuse empty or over-long ones."""
    cleaned = " ".join(label.split()) if isinstance(label, str) else ""
    if not cleaned:
        raise WorkstationError("a category label cannot be empty")
    if len(cleaned) > MAX_LABEL:
        raise WorkstationError(f"a category label is at most {MAX_LABEL} characters")
    return cleaned


def clean_colour(colour: str | None) -> str | None:
    """Normalise a ``#rrggbb`` (or ``#rrggbbaa``) colour to lowercase."""
    if colour is None or colour == "":
        return None
    if not isinstance(colour, str) or COLOUR_RE.fullmatch(colour) is None:
        raise WorkstationError(f"colour {colour!r} is not a hex colour like '#3078c1'")
    return colour.lower()


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def merged_into(scope_note: str | None) -> str | None:
    """The code a merged category's scope note points to, if any."""
    if not scope_note:
        return None
    found = MERGED_RE.search(scope_note)
    return found.group(1) if found else None


# --- reading ---------------------------------------------------------------


def get_category(session: Session, code: str) -> Category:
    """The category with this code.

    Raises:
        NotFoundError: no category has that code.
    """
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFoundError(f"no category with code {code!r} (see 'workstation taxonomy list')")
    return category


def _children_map(categories: Iterable[Category]) -> dict[int | None, list[Category]]:
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.sort_order, c.code))
    return children


def _tree_order(categories: list[Category]) -> list[tuple[Category, int]]:
    """Categories parent-first, siblings by sort order then code, with depth."""
    children = _children_map(categories)
    ordered: list[tuple[Category, int]] = []
    stack: list[tuple[Category, int]] = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        category, depth = stack.pop()
        ordered.append((category, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(category.id, [])))
    return ordered


def list_categories(session: Session, *, include_deprecated: bool = False) -> list[CategoryNode]:
    """Every category in tree order (parent before children).

    Args:
        session: any session.
        include_deprecated: also list deprecated categories; without it a
            deprecated category and everything under it are left out, as a
            picker needs.
    """
    categories = list(session.scalars(select(Category)))
    by_id = {c.id: c for c in categories}
    usage: dict[int, int] = {
        category_id: count
        for category_id, count in session.execute(
            select(AnnotationCategory.category_id, func.count())
            .join(Annotation, Annotation.id == AnnotationCategory.annotation_id)
            .where(Annotation.deleted_at.is_(None))
            .group_by(AnnotationCategory.category_id)
        )
    }
    nodes: list[CategoryNode] = []
    hidden: set[int] = set()
    shown_colour: dict[int, str | None] = {}
    for category, depth in _tree_order(categories):
        parent = by_id.get(category.parent_id) if category.parent_id is not None else None
        colour = category.colour or (shown_colour.get(parent.id) if parent else None)
        shown_colour[category.id] = colour
        if not include_deprecated and (
            category.deprecated or (parent is not None and parent.id in hidden)
        ):
            hidden.add(category.id)
            continue
        nodes.append(
            CategoryNode(
                code=category.code,
                label=category.label,
                parent=parent.code if parent else None,
                legal_basis=category.legal_basis,
                scope_note=category.scope_note,
                colour=category.colour,
                display_colour=colour,
                deprecated=category.deprecated,
                depth=depth,
                usage=usage.get(category.id, 0),
                merged_into=merged_into(category.scope_note),
                sort_order=category.sort_order,
            )
        )
    return nodes


def _ancestor_ids(session: Session, category: Category) -> set[int]:
    seen: set[int] = set()
    parent_id = category.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent_id = session.scalar(select(Category.parent_id).where(Category.id == parent_id))
    return seen


def next_sort_order(session: Session, parent_id: int | None) -> int:
    current = session.scalar(
        select(func.max(Category.sort_order)).where(
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
        )
    )
    return 0 if current is None else current + 1


def _rowcount(session: Session, statement: Executable) -> int:
    """Run a bulk DELETE/UPDATE and say how many rows it touched."""
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount


def _descendants(session: Session, category: Category) -> list[Category]:
    children = _children_map(session.scalars(select(Category)))
    found: list[Category] = []
    stack = list(children.get(category.id, []))
    while stack:
        child = stack.pop(0)
        found.append(child)
        stack.extend(children.get(child.id, []))
    return found


# --- changing --------------------------------------------------------------


def add_category(
    library: AuditRecorder,
    session: Session,
    code: str,
    label: str,
    *,
    parent: str | None = None,
    legal_basis: str | None = None,
    scope_note: str | None = None,
    colour: str | None = None,
) -> Category:
    """Add a category.

    A sub-category's code is its parent's code plus one more part
    (``arms`` -> ``arms.drones``). With a dotted code and no ``parent``, the
    parent is taken from the code (``arms.drones`` goes under ``arms``).

    Raises:
        WorkstationError: invalid code, label or colour; the code is taken;
            the code does not extend the parent's; the parent is deprecated.
        NotFoundError: the parent does not exist.
    """
    check_code(code)
    cleaned_label = clean_label(label)
    cleaned_colour = clean_colour(colour)
    if parent is None and "." in code:
        parent = code.rsplit(".", 1)[0]
    parent_row = get_category(session, parent) if parent is not None else None
    if parent_row is not None:
        prefix = parent_row.code + "."
        if not code.startswith(prefix) or "." in code[len(prefix) :]:
            raise WorkstationError(
                f"a sub-category of {parent_row.code!r} needs a code like "
                f"'{prefix}<name>', not {code!r}"
            )
        if parent_row.deprecated:
            raise WorkstationError(
                f"category {parent_row.code!r} is deprecated; restore it before adding under it"
            )
    if session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise WorkstationError(f"category code {code!r} already exists; codes are unique")
    parent_id = parent_row.id if parent_row else None
    category = Category(
        code=code,
        parent_id=parent_id,
        label=cleaned_label,
        legal_basis=clean_text(legal_basis),
        scope_note=clean_text(scope_note),
        colour=cleaned_colour,
        deprecated=False,
        sort_order=next_sort_order(session, parent_id),
    )
    session.add(category)
    session.flush()
    library.record(
        session,
        "category.add",
        "category",
        code,
        {
            "label": category.label,
            "parent": parent_row.code if parent_row else None,
            "legal_basis": category.legal_basis,
            "scope_note": category.scope_note,
            "colour": category.colour,
        },
    )
    return category


def rename_category(library: AuditRecorder, session: Session, code: str, label: str) -> Category:
    """Change a category's label; its code stays as it is.

    Renaming to the current label changes and records nothing.
    """
    category = get_category(session, code)
    cleaned = clean_label(label)
    if cleaned == category.label:
        return category
    old = category.label
    category.label = cleaned
    library.record(session, "category.rename", "category", code, {"from": old, "to": cleaned})
    return category


def update_category(
    library: AuditRecorder,
    session: Session,
    code: str,
    *,
    legal_basis: str | None,
    scope_note: str | None,
    colour: str | None,
) -> Category:
    """Set a category's legal basis, scope note and colour ('' or None clears).

    Records one ``category.edit`` event with what changed; nothing changed,
    nothing recorded.
    """
    category = get_category(session, code)
    wanted = {
        "legal_basis": clean_text(legal_basis),
        "scope_note": clean_text(scope_note),
        "colour": clean_colour(colour),
    }
    changes = {
        key: [getattr(category, key), value]
        for key, value in wanted.items()
        if getattr(category, key) != value
    }
    for key, (_old, value) in changes.items():
        setattr(category, key, value)
    if changes:
        library.record(session, "category.edit", "category", code, changes)
    return category


def move_category(
    library: AuditRecorder, session: Session, code: str, new_parent: str | None
) -> Category:
    """Put a category (with its sub-categories) under another parent.

    The code does not change: a moved code keeps the prefix of where it was
    created, and only the parent link says where it belongs now. It goes last
    among its new siblings. ``new_parent=None`` makes it top-level. Moving to
    the current parent changes and records nothing.

    Raises:
        WorkstationError: the move would make a cycle, or the new parent is
            deprecated.
        NotFoundError: either code is unknown.
    """
    category = get_category(session, code)
    target = get_category(session, new_parent) if new_parent is not None else None
    target_id = target.id if target else None
    if target_id == category.parent_id:
        return category
    if target is not None:
        if target.id == category.id or category.id in _ancestor_ids(session, target):
            raise WorkstationError(
                f"cannot move {code!r} under {target.code!r}: it is {code!r} itself "
                "or one of its sub-categories"
            )
        if target.deprecated:
            raise WorkstationError(
                f"category {target.code!r} is deprecated; restore it before moving anything "
                "under it"
            )
    old_parent = session.get(Category, category.parent_id) if category.parent_id else None
    category.parent_id = target_id
    category.sort_order = next_sort_order(session, target_id)
    session.flush()
    library.record(
        session,
        "category.move",
        "category",
        code,
        {"from": old_parent.code if old_parent else None, "to": target.code if target else None},
    )
    return category


def merge_categories(
    library: AuditRecorder, session: Session, source_code: str, into_code: str
) -> MergeSummary:
    """Fold one category into another.

    The source's annotation tags move to the target (an annotation tagged
    with both keeps one tag), findings filed under the source move too, and
    its sub-categories move under the target with their codes unchanged. The
    source stays, deprecated, with ``Merged into <target>.`` appended to its
    scope note, so old references still resolve.

    Raises:
        WorkstationError: same category; the target is deprecated or lies
            under the source; the source was already merged.
        NotFoundError: either code is unknown.
    """
    source = get_category(session, source_code)
    target = get_category(session, into_code)
    if source.id == target.id:
        raise WorkstationError(f"cannot merge {source_code!r} into itself")
    if target.deprecated:
        raise WorkstationError(
            f"category {into_code!r} is deprecated; merge into a category in use"
        )
    if source.id in _ancestor_ids(session, target):
        raise WorkstationError(
            f"cannot merge {source_code!r} into its own sub-category {into_code!r}; "
            f"move {into_code!r} out first"
        )
    already = merged_into(source.scope_note)
    if already is not None:
        raise WorkstationError(f"category {source_code!r} was already merged into {already!r}")

    tagged_both = select(AnnotationCategory.annotation_id).where(
        AnnotationCategory.category_id == target.id
    )
    duplicates = _rowcount(
        session,
        delete(AnnotationCategory).where(
            AnnotationCategory.category_id == source.id,
            AnnotationCategory.annotation_id.in_(tagged_both),
        ),
    )
    moved = _rowcount(
        session,
        update(AnnotationCategory)
        .where(AnnotationCategory.category_id == source.id)
        .values(category_id=target.id),
    )
    findings = _rowcount(
        session,
        update(Finding).where(Finding.category_id == source.id).values(category_id=target.id),
    )
    children = list(
        session.scalars(
            select(Category)
            .where(Category.parent_id == source.id)
            .order_by(Category.sort_order, Category.code)
        )
    )
    for child in children:
        child.parent_id = target.id
        child.sort_order = next_sort_order(session, target.id)
        session.flush()
    note = f"Merged into {target.code}."
    source.scope_note = f"{source.scope_note}\n{note}" if source.scope_note else note
    source.deprecated = True
    session.flush()
    summary = MergeSummary(
        source=source.code,
        into=target.code,
        annotations_moved=moved,
        duplicates_dropped=duplicates,
        findings_moved=findings,
        children_moved=tuple(c.code for c in children),
    )
    library.record(
        session,
        "category.merge",
        "category",
        source.code,
        {
            "merged_into": target.code,
            "annotations_moved": moved,
            "duplicates_dropped": duplicates,
            "findings_moved": findings,
            "children_moved": list(summary.children_moved),
        },
    )
    return summary


def deprecate_category(
    library: AuditRecorder, session: Session, code: str, deprecated: bool = True
) -> list[str]:
    """Retire a category from pickers, or restore it.

    Deprecating also deprecates its sub-categories (one audit event names
    them all). Restoring applies to this category only, and needs its parent
    to be in use. Annotations keep their tags either way.

    Returns:
        The codes whose state changed (empty when nothing did).

    Raises:
        WorkstationError: restoring under a deprecated parent, or restoring a
            merged category.
        NotFoundError: the code is unknown.
    """
    category = get_category(session, code)
    if deprecated:
        changed = [c for c in [category, *_descendants(session, category)] if not c.deprecated]
        if not changed:
            return []
        for c in changed:
            c.deprecated = True
        codes = [c.code for c in changed]
        library.record(session, "category.deprecate", "category", code, {"codes": codes})
        return codes
    if not category.deprecated:
        return []
    into = merged_into(category.scope_note)
    if into is not None:
        raise WorkstationError(
            f"category {code!r} was merged into {into!r}; its tags live there now"
        )
    parent = session.get(Category, category.parent_id) if category.parent_id else None
    if parent is not None and parent.deprecated:
        raise WorkstationError(
            f"category {parent.code!r} is deprecated; restore it before {code!r}"
        )
    category.deprecated = False
    library.record(session, "category.restore", "category", code, {"codes": [code]})
    return [code]
