"""The taxonomy of violations: seed, edits that keep codes stable, export/import."""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import Annotation, AnnotationCategory, AuditEvent, Category
from tests import samples
from workstation.core.audit import verify_chain
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.taxonomy.interchange import (
    export_taxonomy,
    import_taxonomy,
    load_seed,
    seed_taxonomy,
)
from workstation.taxonomy.tree import (
    add_category,
    deprecate_category,
    get_category,
    list_categories,
    merge_categories,
    move_category,
    rename_category,
)

TOP_LEVEL = {
    "arms": ["1718", "1874", "2270"],
    "wmd": ["1718", "2087", "2094", "2270"],
    "military-cooperation": ["1718", "1874", "2270", "2321"],
    "petroleum": ["2375", "2397"],
    "sectoral-exports": ["2270", "2321", "2371", "2375", "2397"],
    "restricted-imports": ["1718", "2094", "2397"],
    "workers": ["2371", "2375", "2397"],
    "maritime": ["2270", "2321", "2371", "2375", "2397"],
    "finance": ["1718", "2094", "2270", "2321", "2375"],
    "cyber": ["Panel"],
    "designated": ["1718"],
}


def seeded(library: Library) -> Library:
    with library.writer() as session:
        seed_taxonomy(library, session)
    return library


def events(library: Library, action: str) -> list[AuditEvent]:
    with library.reader() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def assert_chain_ok(library: Library) -> None:
    with library.reader() as session:
        assert verify_chain(session).ok


def contrast(hex_colour: str, other: float) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    light, dark = max(lum, other), min(lum, other)
    return (light + 0.05) / (dark + 0.05)


# --- seed ------------------------------------------------------------------


def test_seed_gives_the_eleven_measures_with_legal_bases(library: Library) -> None:
    with library.reader() as session:
        before = session.scalar(select(func.count()).select_from(Category))
    with library.writer() as session:
        added = seed_taxonomy(library, session)
    expected = len(load_seed()["concepts"])
    assert added == (expected if before == 0 else 0)
    with library.reader() as session:
        nodes = list_categories(session)
    top = [n for n in nodes if n.parent is None]
    assert [n.code for n in top] == list(TOP_LEVEL)
    for node in top:
        assert node.depth == 0
        assert node.label
        assert node.scope_note
        assert node.legal_basis is not None
        for number in TOP_LEVEL[node.code]:
            assert number in node.legal_basis, (node.code, number)
    assert {"maritime.sts-transfer", "petroleum.refined", "cyber.crypto-theft"} <= {
        n.code for n in nodes
    }
    assert len(events(library, "taxonomy.seed")) == 1
    assert_chain_ok(library)


def test_seed_runs_once(library: Library) -> None:
    seeded(library)
    with library.writer() as session:
        assert seed_taxonomy(library, session) == 0
    assert len(events(library, "taxonomy.seed")) == 1


def test_seed_colours_are_distinct_and_readable_under_black_and_white_text() -> None:
    top = [c for c in load_seed()["concepts"] if c["parent"] is None]
    colours = [c["colour"] for c in top]
    assert len(set(colours)) == len(colours) == 11
    for colour in colours:
        assert re.fullmatch(r"#[0-9a-f]{6}", colour)
        assert contrast(colour, 0.0) >= 4.5, colour  # black text
        assert contrast(colour, 1.0) >= 4.5, colour  # white text


def test_tree_order_and_inherited_colour(library: Library) -> None:
    seeded(library)
    with library.reader() as session:
        nodes = list_categories(session)
    seen: set[str] = set()
    for node in nodes:
        assert node.parent is None or node.parent in seen
        seen.add(node.code)
    sts = next(n for n in nodes if n.code == "maritime.sts-transfer")
    maritime = next(n for n in nodes if n.code == "maritime")
    assert sts.depth == 1
    assert sts.colour is None
    assert sts.display_colour == maritime.colour


# --- edits -----------------------------------------------------------------


def test_add_validates_and_audits(library: Library) -> None:
    seeded(library)
    with library.writer() as session:
        added = add_category(
            library, session, "arms.drones", "Drones", parent="arms", colour="#AA3344"
        )
        assert added.colour == "#aa3344"
        add_category(library, session, "maritime.fishing-rights", "Fishing rights")
    with library.reader() as session:
        assert get_category(session, "maritime.fishing-rights").parent_id == (
            get_category(session, "maritime").id
        )
        codes = [n.code for n in list_categories(session)]
    arms_children = [c for c in codes if c.startswith("arms.")]
    assert arms_children[-1] == "arms.drones"
    assert [e.object_id for e in events(library, "category.add")] == [
        "arms.drones",
        "maritime.fishing-rights",
    ]
    bad: list[tuple[str, str, str | None, str]] = [
        ("Arms.Drones", "x", "arms", "not valid"),
        ("arms..x", "x", "arms", "not valid"),
        ("wmd.drones", "x", "arms", "needs a code like 'arms.<name>'"),
        ("arms.drones.big.x", "x", "arms", "needs a code like"),
        ("arms.drones", "x", "arms", "already exists"),
        ("arms.lasers", "  ", "arms", "cannot be empty"),
    ]
    for code, label, parent, message in bad:
        with pytest.raises(WorkstationError, match=re.escape(message)), library.writer() as s:
            add_category(library, s, code, label, parent=parent)
    with pytest.raises(NotFoundError), library.writer() as session:
        add_category(library, session, "nowhere.x", "X")
    with pytest.raises(WorkstationError, match="hex colour"), library.writer() as session:
        add_category(library, session, "arms.lasers", "Lasers", colour="red")
    assert len(events(library, "category.add")) == 2
    assert_chain_ok(library)


def test_rename_keeps_the_code(library: Library) -> None:
    seeded(library)
    with library.writer() as session:
        rename_category(library, session, "maritime.sts-transfer", "Ship-to-ship transfer")
        rename_category(library, session, "maritime.sts-transfer", "Ship-to-ship transfer")
    with library.reader() as session:
        assert get_category(session, "maritime.sts-transfer").label == "Ship-to-ship transfer"
    (event,) = events(library, "category.rename")
    assert event.object_id == "maritime.sts-transfer"
    assert json.loads(event.details)["to"] == "Ship-to-ship transfer"
    with pytest.raises(NotFoundError, match="no category"), library.writer() as session:
        rename_category(library, session, "maritime.nothing", "X")
    assert_chain_ok(library)


def test_move_keeps_the_code_and_refuses_cycles(library: Library) -> None:
    seeded(library)
    with library.writer() as session:
        move_category(library, session, "arms.missiles", "wmd")
        # A new child extends the code of the parent it is created under.
        add_category(library, session, "arms.missiles.cruise", "Cruise missiles")
    with library.reader() as session:
        nodes = {n.code: n for n in list_categories(session)}
    assert nodes["arms.missiles"].parent == "wmd"
    assert nodes["arms.missiles.cruise"].parent == "arms.missiles"
    assert nodes["arms.missiles.cruise"].depth == 2
    (event,) = events(library, "category.move")
    details = json.loads(event.details)
    assert details.pop("record_state")  # the category's state, bound to the trail
    assert details == {"from": "arms", "to": "wmd"}
    with pytest.raises(WorkstationError, match="sub-categories"), library.writer() as session:
        move_category(library, session, "wmd", "arms.missiles.cruise")
    with pytest.raises(WorkstationError, match="itself"), library.writer() as session:
        move_category(library, session, "wmd", "wmd")
    with library.writer() as session:
        move_category(library, session, "arms.missiles", None)
    with library.reader() as session:
        assert get_category(session, "arms.missiles").parent_id is None
    assert len(events(library, "category.move")) == 2
    assert_chain_ok(library)


def test_deprecate_hides_the_subtree_and_restore_is_explicit(library: Library) -> None:
    seeded(library)
    with library.writer() as session:
        changed = deprecate_category(library, session, "cyber")
        assert deprecate_category(library, session, "cyber") == []
    assert changed[0] == "cyber"
    assert "cyber.crypto-theft" in changed
    with library.reader() as session:
        shown = {n.code for n in list_categories(session)}
        every = {n.code for n in list_categories(session, include_deprecated=True)}
    assert not any(c.startswith("cyber") for c in shown)
    assert {"cyber", "cyber.crypto-theft"} <= every
    with pytest.raises(WorkstationError, match="restore it"), library.writer() as session:
        deprecate_category(library, session, "cyber.crypto-theft", deprecated=False)
    with pytest.raises(WorkstationError, match="restore it"), library.writer() as session:
        add_category(library, session, "cyber.ransomware", "Ransomware")
    with library.writer() as session:
        assert deprecate_category(library, session, "cyber", deprecated=False) == ["cyber"]
    with library.reader() as session:
        shown = {n.code for n in list_categories(session)}
    assert "cyber" in shown
    assert "cyber.crypto-theft" not in shown
    assert len(events(library, "category.deprecate")) == 1
    assert len(events(library, "category.restore")) == 1
    assert_chain_ok(library)


# --- merge -----------------------------------------------------------------


def make_annotations(library: Library, tmp_path: Path, count: int) -> list[int]:
    samples.make_text(tmp_path, name="report.txt", text="Tanker NEW KONK alongside at Nampo.")
    report = ImportService(library).import_paths([tmp_path / "report.txt"])
    source_id = report.results[0].source_id
    assert source_id is not None
    ids: list[int] = []
    with library.writer() as session:
        author = library.reviewer_id(session)
        for n in range(count):
            row = Annotation(
                uuid=str(uuid.uuid4()),
                source_id=source_id,
                anchor_kind="text",
                page=1,
                start=n,
                end=n + 6,
                exact="Tanker",
                author_id=author,
                created_at=utc_now(),
                modified_at=utc_now(),
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def tag(library: Library, annotation_id: int, code: str) -> None:
    with library.writer() as session:
        category = get_category(session, code)
        session.add(AnnotationCategory(annotation_id=annotation_id, category_id=category.id))


def links(library: Library, code: str) -> set[int]:
    with library.reader() as session:
        category = get_category(session, code)
        return set(
            session.scalars(
                select(AnnotationCategory.annotation_id).where(
                    AnnotationCategory.category_id == category.id
                )
            )
        )


def test_merge_moves_tags_without_duplicates(library: Library, tmp_path: Path) -> None:
    seeded(library)
    a, b, c = make_annotations(library, tmp_path, 3)
    with library.writer() as session:
        add_category(library, session, "maritime.sts-transfer.night", "At night")
    tag(library, a, "maritime.identity-fraud")
    tag(library, b, "maritime.identity-fraud")
    tag(library, b, "maritime.ais-manipulation")
    tag(library, c, "maritime.ais-manipulation")
    with library.reader() as session:
        usage = {n.code: n.usage for n in list_categories(session)}
    assert usage["maritime.identity-fraud"] == 2
    assert usage["maritime.ais-manipulation"] == 2

    with library.writer() as session:
        summary = merge_categories(
            library, session, "maritime.identity-fraud", "maritime.ais-manipulation"
        )
    assert (summary.annotations_moved, summary.duplicates_dropped) == (1, 1)
    assert links(library, "maritime.ais-manipulation") == {a, b, c}
    assert links(library, "maritime.identity-fraud") == set()
    with library.reader() as session:
        nodes = {n.code: n for n in list_categories(session, include_deprecated=True)}
        shown = {n.code for n in list_categories(session)}
    source = nodes["maritime.identity-fraud"]
    assert source.deprecated
    assert source.merged_into == "maritime.ais-manipulation"
    assert source.scope_note is not None
    assert source.scope_note.endswith("Merged into maritime.ais-manipulation.")
    assert "maritime.identity-fraud" not in shown
    assert nodes["maritime.ais-manipulation"].usage == 3
    (event,) = events(library, "category.merge")
    assert event.object_id == "maritime.identity-fraud"
    details = json.loads(event.details)
    assert details["merged_into"] == "maritime.ais-manipulation"
    assert details["annotations_moved"] == 1
    assert details["duplicates_dropped"] == 1

    # Sub-categories of the source move under the target, codes unchanged.
    with library.writer() as session:
        summary = merge_categories(library, session, "maritime.sts-transfer", "maritime")
    assert summary.children_moved == ("maritime.sts-transfer.night",)
    with library.reader() as session:
        night = get_category(session, "maritime.sts-transfer.night")
        assert night.parent_id == get_category(session, "maritime").id

    refusals = [
        ("maritime", "maritime", "into itself"),
        ("maritime", "maritime.flagging", "own sub-category"),
        ("maritime.flagging", "maritime.identity-fraud", "deprecated"),
        ("maritime.identity-fraud", "maritime.flagging", "already merged"),
    ]
    for source_code, into, message in refusals:
        with pytest.raises(WorkstationError, match=message), library.writer() as session:
            merge_categories(library, session, source_code, into)
    with pytest.raises(WorkstationError, match="merged into"), library.writer() as session:
        deprecate_category(library, session, "maritime.identity-fraud", deprecated=False)
    assert len(events(library, "category.merge")) == 2
    assert_chain_ok(library)


# --- export / import -------------------------------------------------------


def test_export_round_trips_into_a_fresh_library(library: Library, tmp_path: Path) -> None:
    seeded(library)
    with library.writer() as session:
        add_category(library, session, "arms.drones", "Drones", legal_basis="1718 (2006)")
        rename_category(library, session, "petroleum.refined", "Refined products")
        move_category(library, session, "arms.missiles", "wmd")
        merge_categories(library, session, "cyber.bank-theft", "cyber.crypto-theft")
        deprecate_category(library, session, "workers.repatriation")
    with library.reader() as session:
        exported = export_taxonomy(session)
    text = json.dumps(exported)  # the document is plain JSON
    assert exported["scheme"]["title"] == load_seed()["scheme"]["title"]

    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with other.writer() as session:
            summary = import_taxonomy(other, session, json.loads(text))
        assert "arms.drones" in summary.added
        with other.reader() as session:
            assert export_taxonomy(session) == exported
        # Importing the same document again changes nothing and records nothing.
        before = len(events(other, "taxonomy.import"))
        with other.writer() as session:
            again = import_taxonomy(other, session, exported)
        assert again.added == again.updated == ()
        assert len(again.unchanged) == len(exported["concepts"])
        assert len(events(other, "taxonomy.import")) == before
        assert_chain_ok(other)
    finally:
        other.close()


def test_import_adds_and_updates_but_never_deletes(library: Library) -> None:
    seeded(library)
    doc: dict[str, Any] = {
        "scheme": {"title": "Partner taxonomy", "version": "7"},
        "concepts": [
            {"code": "arms", "label": "Arms", "parent": None, "colour": "#bb4444"},
            {"code": "arms.drones", "label": "Drones", "parent": "arms"},
            {"code": "petroleum", "label": "Petroleum", "parent": None, "deprecated": False},
        ],
    }
    with library.writer() as session:
        summary = import_taxonomy(library, session, doc)
    assert summary.added == ("arms.drones",)
    assert summary.updated == ("arms",)
    assert summary.unchanged == ("petroleum",)
    with library.reader() as session:
        arms = get_category(session, "arms")
        assert arms.label == "Arms"
        assert arms.colour == "#bb4444"
        assert arms.legal_basis is not None  # key absent: left alone
        codes = {n.code for n in list_categories(session)}
        assert export_taxonomy(session)["scheme"]["title"] == "Partner taxonomy"
    assert {"wmd", "maritime.sts-transfer", "arms.drones"} <= codes
    (event,) = events(library, "taxonomy.import")
    details = json.loads(event.details)
    assert details["added"] == ["arms.drones"]
    assert details["updated"]["arms"]["label"] == {
        "from": "Arms and related materiel",
        "to": "Arms",
    }
    assert_chain_ok(library)


def bad_documents(base: dict[str, Any]) -> list[tuple[object, str]]:
    def variant(change: Any) -> dict[str, Any]:
        doc = copy.deepcopy(base)
        change(doc)
        return doc

    def add(*concepts: dict[str, Any]) -> Any:
        return lambda d: d["concepts"].extend(concepts)

    def set_first(key: str, value: Any) -> Any:
        return lambda d: d["concepts"][0].__setitem__(key, value)

    def reparent(code: str, parent: str) -> Any:
        def change(doc: dict[str, Any]) -> None:
            next(c for c in doc["concepts"] if c["code"] == code)["parent"] = parent

        return change

    return [
        ([1, 2], "JSON object"),
        ({"concepts": "arms"}, "'concepts' must be a list"),
        (variant(set_first("label", 5)), "'label' must be text"),
        (variant(set_first("code", "Bad Code")), "not valid"),
        (variant(set_first("colour", "blue")), "hex colour"),
        (variant(set_first("deprecated", "no")), "true or false"),
        (variant(set_first("legal_basis", ["1718"])), "text or null"),
        (variant(add({"code": "arms", "label": "Again"})), "appears twice"),
        (variant(add({"code": "x.y", "label": "Y", "parent": "nowhere"})), "neither in"),
        (
            variant(
                add(
                    {"code": "p", "label": "P", "parent": "q"},
                    {"code": "q", "label": "Q", "parent": "p"},
                )
            ),
            "cycle",
        ),
        # A known category moved under its own descendant.
        (variant(reparent("maritime", "maritime.flagging")), "cycle"),
    ]


def test_bad_documents_are_rejected_with_nothing_changed(library: Library) -> None:
    seeded(library)
    with library.reader() as session:
        good = export_taxonomy(session)
        seq_before = session.scalar(select(func.max(AuditEvent.seq)))
    good["concepts"][0]["label"] = "Changed before the error"
    good["concepts"].append({"code": "zz-new", "label": "Would be added"})
    for doc, message in bad_documents(good):
        with pytest.raises(WorkstationError, match=message) as caught, library.writer() as s:
            import_taxonomy(library, s, doc)
        assert "\n" not in str(caught.value)
    with library.reader() as session:
        assert session.scalar(select(func.max(AuditEvent.seq))) == seq_before
        assert get_category(session, "arms").label == "Arms and related materiel"
        with pytest.raises(NotFoundError):
            get_category(session, "zz-new")
    assert_chain_ok(library)


def test_update_category_details_is_one_audited_edit(library: Library) -> None:
    from sqlalchemy import select as _select

    from db.models import AuditEvent
    from workstation.taxonomy.tree import get_category, update_category

    with library.writer() as session:
        update_category(
            library,
            session,
            "maritime",
            legal_basis="2397 (2017), para 9",
            scope_note="Ship-to-ship and AIS.",
            colour="#3078C1",
        )
    with library.writer() as session:
        update_category(
            library,
            session,
            "maritime",
            legal_basis="2397 (2017), para 9",
            scope_note="Ship-to-ship and AIS.",
            colour="#3078c1",
        )
    with library.reader() as session:
        category = get_category(session, "maritime")
        assert category.colour == "#3078c1"
        edits = session.scalars(
            _select(AuditEvent).where(AuditEvent.action == "category.edit")
        ).all()
    assert len(edits) == 1
    with library.writer() as session, pytest.raises(WorkstationError, match="hex colour"):
        update_category(
            library, session, "maritime", legal_basis=None, scope_note=None, colour="blue"
        )
