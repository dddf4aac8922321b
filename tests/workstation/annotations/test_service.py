"""The annotation service on a real library: anchors in code points, regions
in source coordinates, categories, edits, deletion, undo/redo, re-anchoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from db.models import AuditEvent, Category, Page
from tests import samples
from workstation.annotations.anchors import PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations.service import (
    AnnotationError,
    AnnotationFilter,
    AnnotationHistory,
    AnnotationService,
    find_quote,
    reanchor,
)
from workstation.core.audit import verify_chain
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import resolve_source

KOREAN = "😀 보고서: 북한이 러시아에 포탄을 보냈다. Снаряды прибыли в порт Раджин."


@pytest.fixture
def lib(library: Library) -> Library:
    # A new library is seeded with the DPRK sanctions taxonomy; add a retired code.
    with library.writer() as session:
        assert session.scalar(select(Category).where(Category.code == "arms.ammunition"))
        session.add(Category(code="old-code", label="Old", deprecated=True))
    return library


@pytest.fixture
def sources(lib: Library, tmp_path: Path) -> dict[str, int]:
    samples.make_text(tmp_path, name="ko.txt", text=KOREAN)
    samples.make_pdf(
        tmp_path,
        pages=2,
        texts=["First page about Nampo.", "Second page: the AMBER TIDE at Nampo."],
    )
    samples.make_jpeg(tmp_path, size=(400, 300))
    report = ImportService(lib).import_paths([tmp_path])
    return {r.kind or "": r.source_id for r in report.results if r.source_id}  # type: ignore[misc]


def _service(lib: Library) -> AnnotationService:
    return AnnotationService(lib)


def test_text_anchor_counts_code_points(lib: Library, sources: dict[str, int]) -> None:
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        anchor = find_quote(session, source, "포탄을")
        assert KOREAN[anchor.start : anchor.end] == "포탄을"
        # The emoji is one code point (two UTF-16 units): offsets must not count it twice.
        assert anchor.start == KOREAN.index("포탄을")
        data = _service(lib).create(
            session,
            source.id,
            anchor,
            categories=["arms.ammunition"],
            note="Shells, per the Korean report",
        )
    assert data.anchor == anchor
    assert data.categories == ["arms.ammunition"]
    assert data.author == "alice"
    with lib.reader() as session:
        ru = find_quote(session, resolve_source(session, str(sources["text"])), "Снаряды")
        assert KOREAN[ru.start : ru.end] == "Снаряды"


def test_quote_on_a_pdf_page_and_occurrence(lib: Library, sources: dict[str, int]) -> None:
    with lib.reader() as session:
        pdf = resolve_source(session, str(sources["pdf"]))
        second = find_quote(session, pdf, "Nampo", occurrence=2)
        assert second.page == 2
        assert find_quote(session, pdf, "Nampo", page=2).page == 2
        with pytest.raises(AnnotationError, match="appears 2 time"):
            find_quote(session, pdf, "Nampo", occurrence=3)
        with pytest.raises(AnnotationError, match="not in the source"):
            find_quote(session, pdf, "Vladivostok")


def test_mismatched_passage_is_refused(lib: Library, sources: dict[str, int]) -> None:
    with lib.writer() as session, pytest.raises(AnnotationError, match="does not match"):
        _service(lib).create(session, sources["text"], TextAnchor(1, 0, 4, "nope"))


def test_regions_in_source_coordinates(lib: Library, sources: dict[str, int]) -> None:
    svc = _service(lib)
    with lib.writer() as session:
        rect = svc.create(
            session,
            sources["image"],
            RegionAnchor("rect", ((10.123, 20.0), (110.0, 80.0))),
            categories=["maritime"],
        )
        assert rect.anchor == RegionAnchor("rect", ((10.12, 20.0), (110.0, 80.0)), None)
        svc.create(
            session,
            sources["image"],
            RegionAnchor("points", ((5.0, 5.0), (50.0, 60.0), (70.0, 80.0))),
        )
        on_page = svc.create(
            session,
            sources["pdf"],
            RegionAnchor("polygon", ((50, 50), (200, 60), (120, 300)), page=2),
        )
        assert on_page.anchor.page == 2  # type: ignore[union-attr]
        svc.create(session, sources["pdf"], PageAnchor(1), redact=True)
    with lib.writer() as session, pytest.raises(AnnotationError, match="outside the image"):
        svc.create(session, sources["image"], RegionAnchor("rect", ((300, 200), (500, 290))))
    with lib.writer() as session, pytest.raises(AnnotationError, match="outside the page"):
        svc.create(session, sources["pdf"], RegionAnchor("rect", ((0, 0), (5000, 10)), page=1))
    with lib.writer() as session, pytest.raises(AnnotationError, match="no page 3"):
        svc.create(session, sources["pdf"], RegionAnchor("rect", ((0, 0), (5, 5)), page=3))
    with lib.writer() as session, pytest.raises(AnnotationError, match="regions go on"):
        svc.create(session, sources["text"], RegionAnchor("rect", ((0, 0), (5, 5))))


def test_categories_must_exist_and_be_current(lib: Library, sources: dict[str, int]) -> None:
    with lib.writer() as session:
        anchor = find_quote(session, resolve_source(session, str(sources["text"])), "북한")
    with lib.writer() as session, pytest.raises(AnnotationError, match="no category"):
        _service(lib).create(session, sources["text"], anchor, categories=["nuclear-ish"])
    with lib.writer() as session, pytest.raises(AnnotationError, match="deprecated"):
        _service(lib).create(session, sources["text"], anchor, categories=["old-code"])


def test_edit_delete_restore_are_audited(lib: Library, sources: dict[str, int]) -> None:
    svc = _service(lib)
    with lib.writer() as session:
        anchor = find_quote(session, resolve_source(session, str(sources["text"])), "러시아에")
        made = svc.create(session, sources["text"], anchor, categories=["arms"])
    with lib.writer() as session:
        edited = svc.update(session, made.uuid, categories=["arms", "maritime"], note="by sea")
    assert edited.categories == ["arms", "maritime"]
    assert edited.note == "by sea"
    with lib.writer() as session:
        svc.delete(session, made.uuid)
    with lib.reader() as session:
        assert svc.find(session, AnnotationFilter(source_id=sources["text"])) == []
        kept = svc.find(session, AnnotationFilter(source_id=sources["text"], include_deleted=True))
        assert [a.uuid for a in kept] == [made.uuid]
        actions = [
            e.action
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.object_id == made.uuid).order_by(AuditEvent.seq)
            )
        ]
        assert actions == ["annotation.create", "annotation.edit", "annotation.delete"]
        assert verify_chain(session).ok
    with lib.writer() as session:
        svc.restore(session, made.uuid)
        assert svc.get(session, made.uuid).note == "by sea"


def test_filters(lib: Library, sources: dict[str, int]) -> None:
    svc = _service(lib)
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        svc.create(session, source.id, find_quote(session, source, "북한"), categories=["arms"])
        svc.create(
            session, source.id, find_quote(session, source, "포탄"), categories=["arms.ammunition"]
        )
        svc.create(
            session, source.id, find_quote(session, source, "Раджин"), categories=["maritime"]
        )
    with lib.reader() as session:
        assert len(svc.find(session, AnnotationFilter(category="arms"))) == 2
        assert len(svc.find(session, AnnotationFilter(category="maritime"))) == 1
        assert len(svc.find(session, AnnotationFilter(author="alice"))) == 3
        assert svc.find(session, AnnotationFilter(author="bob")) == []


def test_undo_redo(lib: Library, sources: dict[str, int]) -> None:
    history = AnnotationHistory(_service(lib))
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        made = history.create(
            session, source.id, find_quote(session, source, "북한"), categories=["arms"]
        )
        history.update(session, made.uuid, note="first note")
    with lib.writer() as session:
        history.undo(session)  # the note
        assert history.service.get(session, made.uuid).note is None
        history.undo(session)  # the creation
        assert history.service.find(session, AnnotationFilter(source_id=source.id)) == []
        assert not history.can_undo
        history.redo(session)
        history.redo(session)
        again = history.service.get(session, made.uuid)
        assert again.note == "first note"
        assert again.categories == ["arms"]
        assert not history.can_redo


def test_undo_redo_of_entity_links(lib: Library, sources: dict[str, int]) -> None:
    from workstation.entities.register import add_entity

    history = AnnotationHistory(_service(lib))
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        made = history.service.create(session, source.id, find_quote(session, source, "북한"))
        port = add_entity(lib, session, "location", "Rajin", aliases=["Najin"]).uuid
        assert history.link(session, made.uuid, port)
        assert not history.link(session, made.uuid, port)  # already: nothing to undo twice
        assert history.unlink(session, made.uuid, port)

    def links() -> list[str]:
        with lib.reader() as session:
            return history.service.get(session, made.uuid).entities

    assert links() == []
    with lib.writer() as session:
        history.undo(session)  # the unlink
    assert links() == [port]
    with lib.writer() as session:
        history.undo(session)  # the link
        assert not history.can_undo
    assert links() == []
    with lib.writer() as session:
        history.redo(session)
        history.redo(session)
    assert links() == []
    with lib.writer() as session:
        history.undo(session)
    assert links() == [port]


def test_undo_of_a_link_to_an_entity_merged_since_is_refused_and_changes_nothing(
    lib: Library, sources: dict[str, int]
) -> None:
    from workstation.entities.register import (
        EntityError,
        add_entity,
        link_annotation,
        merge_entities,
    )

    history = AnnotationHistory(_service(lib))
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        made = history.service.create(session, source.id, find_quote(session, source, "북한"))
        kept = add_entity(lib, session, "location", "Rajin").uuid
        twin = add_entity(lib, session, "location", "Najin").uuid
        link_annotation(lib, session, made.uuid, kept)  # the kept entity's own link
        history.link(session, made.uuid, twin)
        merge_entities(lib, session, twin, kept)
    with pytest.raises(EntityError, match="merged into Rajin"), lib.writer() as session:
        history.undo(session)
    with lib.reader() as session:
        assert history.service.get(session, made.uuid).entities == [kept]  # not unlinked


def test_reanchor_after_text_changes(lib: Library, sources: dict[str, int]) -> None:
    svc = _service(lib)
    with lib.writer() as session:
        source = resolve_source(session, str(sources["text"]))
        shells = svc.create(session, source.id, find_quote(session, source, "포탄을 보냈다"))
        port = svc.create(session, source.id, find_quote(session, source, "порт Раджин"))
        gone = svc.create(session, source.id, find_quote(session, source, "보고서"))
    new_text = "[OCR] 북한이 러시아에 포탄를 보냈다!! Снаряды прибыли в порт Раджин."
    with lib.writer() as session:
        session.execute(update(Page).where(Page.source_id == sources["text"]).values(text=new_text))
        moved, orphaned = svc.reanchor_source(session, sources["text"])
    assert (moved, orphaned) == (2, 1)
    with lib.reader() as session:
        port_now = svc.get(session, port.uuid).anchor
        assert isinstance(port_now, TextAnchor)
        assert new_text[port_now.start : port_now.end] == "порт Раджин"
        fuzzy = svc.get(session, shells.uuid).anchor
        assert isinstance(fuzzy, TextAnchor)
        assert "포탄" in new_text[fuzzy.start : fuzzy.end]
        assert [a.uuid for a in svc.orphaned(session)] == [gone.uuid]


def test_reanchor_prefers_context() -> None:
    text = "Nampo was busy. Later, at Nampo again, the tanker left."
    old = TextAnchor(1, 30, 35, "Nampo", prefix="Later, at ", suffix=" again")
    moved = reanchor("Prefix added. " + text, old)
    assert moved is not None
    assert moved.start == len("Prefix added. ") + text.index("Nampo again")
