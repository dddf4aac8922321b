"""The annotation list of a source and of the library, on a real library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from db.models import Source
from tests import samples
from ui.desktop.annotations.annotation_panel import (
    ANNOTATION_ROLE,
    BLOCK,
    DETAIL_ROLE,
    PAGE_ROLE,
    UUID_ROLE,
    AnnotationListModel,
    AnnotationPanel,
)
from ui.desktop.app.controller import LibraryController
from workstation.annotations.anchors import PageAnchor, RegionAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.sources.ingest import ImportService


@pytest.fixture
def sources(library: Library, tmp_path: Path) -> dict[str, int]:
    folder = tmp_path / "evidence"
    samples.make_pdf(
        folder,
        pages=3,
        name="report.pdf",
        texts=["Summary page.", "The tanker SKY VENUS met AMBER TIDE off Nampo.", "Annex."],
    )
    samples.make_jpeg(folder, size=(400, 300))
    report = ImportService(library).import_paths([folder])
    return {r.kind or "": r.source_id for r in report.results if r.source_id is not None}


@pytest.fixture
def marked(library: Library, sources: dict[str, int], library_path: Path) -> dict[str, str]:
    """A passage, a PDF region and a whole page by alice; an image region by bob."""
    service = AnnotationService(library)
    pdf = sources["pdf"]
    with library.writer() as session:
        source = session.get(Source, pdf)
        assert source is not None
        text = service.create(
            session,
            pdf,
            find_quote(session, source, "AMBER TIDE"),
            categories=["maritime.sts-transfer"],
            note="Seen by satellite on 3 March.",
        )
        region = service.create(
            session,
            pdf,
            RegionAnchor("rect", ((50, 60), (250, 100)), page=2),
            categories=["petroleum.refined", "maritime"],
        )
        page = service.create(session, pdf, PageAnchor(3), categories=["designated"], redact=True)
    bob = Library.open(library_path, reviewer="bob")
    try:
        with bob.writer() as session:
            image = AnnotationService(bob).create(
                session,
                sources["image"],
                RegionAnchor("rect", ((10, 10), (110, 60))),
                categories=["maritime.flagging"],
            )
    finally:
        bob.close()
    return {"text": text.uuid, "region": region.uuid, "page": page.uuid, "image": image.uuid}


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


def _panel(qtbot: QtBot, controller: LibraryController, source_id: int | None) -> AnnotationPanel:
    panel = AnnotationPanel(controller, source_id)
    qtbot.addWidget(panel)
    _wait_loaded(qtbot, panel)
    return panel


def _wait_loaded(qtbot: QtBot, panel: AnnotationPanel) -> None:
    qtbot.waitUntil(lambda: not panel.model.loading)


def _uuids(model: AnnotationListModel) -> list[str]:
    return [model.index(r).data(UUID_ROLE) for r in range(model.rowCount())]


def test_lists_text_region_and_page_annotations(
    qtbot: QtBot, controller: LibraryController, sources: dict[str, int], marked: dict[str, str]
) -> None:
    panel = _panel(qtbot, controller, sources["pdf"])
    model = panel.model
    # The service's order: page, then position (a region has none, so it comes first).
    assert _uuids(model) == [marked["region"], marked["text"], marked["page"]]
    rows = [model.index(r) for r in range(3)]
    assert rows[1].data() == "“AMBER TIDE”"
    # A region reads by its categories (no note) and where it is; its size is in the tip.
    labels = ", ".join(model.label_of(c) for c in ("maritime", "petroleum.refined"))
    assert rows[0].data() == f"{labels} — region on page 2"
    assert "200 × 40 pt" in rows[0].data(Qt.ItemDataRole.ToolTipRole)
    assert rows[2].data() == "Whole page 3"
    assert [r.data(PAGE_ROLE) for r in rows] == [2, 2, 3]
    assert (
        rows[1]
        .data(DETAIL_ROLE)
        .startswith("maritime.sts-transfer · Seen by satellite on 3 March. · alice · ")
    )
    assert rows[0].data(DETAIL_ROLE).startswith("maritime, petroleum.refined · alice")
    # A redaction mark says so first: it is what decides what leaves the library.
    assert rows[2].data(DETAIL_ROLE).startswith("REDACT on export · designated · alice")
    assert panel.count_label.text() == "3 marks"
    # Not paged: one source's annotations come in one read.
    assert not model.canFetchMore(QModelIndex())

    image_panel = _panel(qtbot, controller, sources["image"])
    only = image_panel.model.index(0)
    assert only.data() == f"{image_panel.model.label_of('maritime.flagging')} — region"
    assert only.data(PAGE_ROLE) == 1
    assert "bob" in only.data(DETAIL_ROLE)


def test_filters_by_category_and_author(
    qtbot: QtBot, controller: LibraryController, sources: dict[str, int], marked: dict[str, str]
) -> None:
    panel = _panel(qtbot, controller, None)
    assert set(_uuids(panel.model)) == set(marked.values())
    # Library-wide, each row names its source (one source's list does not need to).
    details = {
        panel.model.index(r).data(UUID_ROLE): panel.model.index(r).data(DETAIL_ROLE)
        for r in range(panel.model.rowCount())
    }
    with controller.library.reader() as session:
        names = {
            kind: (row.title or row.original_filename)
            for kind in ("pdf", "image")
            if (row := session.get(Source, sources[kind])) is not None
        }
    assert details[marked["text"]].startswith(f"maritime.sts-transfer · {names['pdf']} · ")
    assert f" · {names['image']} · " in details[marked["image"]]
    # The choices arrive from their own read.
    qtbot.waitUntil(lambda: panel.author_box.findData("bob") >= 0)
    assert panel.category_box.findData("maritime.sts-transfer") >= 0

    panel.choose_category("maritime")  # includes the sub-categories
    _wait_loaded(qtbot, panel)
    assert set(_uuids(panel.model)) == {marked["text"], marked["region"], marked["image"]}
    assert panel.count_label.text() == "3 marks (filtered)"

    panel.choose_author("bob")
    _wait_loaded(qtbot, panel)
    assert _uuids(panel.model) == [marked["image"]]

    panel.choose_category("designated")
    _wait_loaded(qtbot, panel)
    assert _uuids(panel.model) == []
    assert panel.count_label.text() == "0 marks (filtered)"

    panel.choose_author(None)
    _wait_loaded(qtbot, panel)
    assert _uuids(panel.model) == [marked["page"]]


def test_click_and_enter_activate_with_uuid_and_page(
    qtbot: QtBot, controller: LibraryController, sources: dict[str, int], marked: dict[str, str]
) -> None:
    panel = _panel(qtbot, controller, sources["pdf"])
    panel.resize(400, 300)
    panel.show()
    qtbot.waitExposed(panel)
    index = panel.model.index(2)
    rect = panel.view.visualRect(index)
    with qtbot.waitSignal(panel.annotationActivated) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [marked["page"], 3]

    panel.view.setCurrentIndex(panel.model.index(1))
    with qtbot.waitSignal(panel.annotationActivated) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == [marked["text"], 2]

    with qtbot.waitSignal(panel.deleteRequested) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert blocker.args == [marked["text"]]
    panel.close()


def test_refresh_shows_a_new_annotation_and_keeps_the_selection(
    qtbot: QtBot,
    library: Library,
    controller: LibraryController,
    sources: dict[str, int],
    marked: dict[str, str],
) -> None:
    panel = _panel(qtbot, controller, sources["pdf"])
    assert panel.select(marked["region"])
    with library.writer() as session:
        added = AnnotationService(library).create(
            session, sources["pdf"], PageAnchor(1), categories=["finance.banking"]
        )
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4)
    assert _uuids(panel.model)[0] == added.uuid  # page 1 sorts first
    assert panel.current_uuid() == marked["region"]
    assert panel.count_label.text() == "4 marks"


@pytest.mark.slow
def test_library_wide_list_pages_in_blocks(
    qtbot: QtBot, library: Library, controller: LibraryController, sources: dict[str, int]
) -> None:
    service = AnnotationService(library)
    block = 500
    wanted = 2 * block + 100
    categories = ["arms", "maritime.sts-transfer", "finance"]
    with library.writer() as session:
        for n in range(wanted):
            service.create(
                session, sources["pdf"], PageAnchor(n % 3 + 1), categories=[categories[n % 3]]
            )
    panel = AnnotationPanel(controller, None)
    qtbot.addWidget(panel)
    panel.model.block = block
    panel.refresh()
    _wait_loaded(qtbot, panel)
    model = panel.model
    assert BLOCK >= 1000  # the real block; the test uses a smaller one to stay quick
    assert model.total == wanted
    assert model.rowCount() == block
    assert panel.count_label.text() == f"{wanted:,} marks, {block:,} loaded"
    fetches = 0
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        model.fetchMore(QModelIndex())  # a second call while the first runs is ignored
        qtbot.waitUntil(lambda before=before: model.rowCount() > before)  # type: ignore[misc]
        fetches += 1
    assert fetches == 2
    assert model.rowCount() == wanted
    assert panel.count_label.text() == f"{wanted:,} marks"
    # The same annotations, in the same order, as the service's own full list.
    with library.reader() as session:
        everything = service.find(session, AnnotationFilter())
    shown = [model.index(r).data(ANNOTATION_ROLE) for r in range(model.rowCount())]
    assert shown == everything


def test_one_source_reads_the_same_data_as_the_service(
    qtbot: QtBot,
    library: Library,
    controller: LibraryController,
    sources: dict[str, int],
    marked: dict[str, str],
) -> None:
    panel = _panel(qtbot, controller, sources["pdf"])
    with library.reader() as session:
        expected = AnnotationService(library).find(
            session, AnnotationFilter(source_id=sources["pdf"])
        )
    shown = [panel.model.index(r).data(ANNOTATION_ROLE) for r in range(panel.model.rowCount())]
    assert shown == expected


def test_rows_fit_a_narrow_dock_with_the_page_number_in_view(
    qtbot: QtBot, controller: LibraryController, sources: dict[str, int], marked: dict[str, str]
) -> None:
    panel = _panel(qtbot, controller, sources["pdf"])
    panel.resize(230, 400)
    panel.show()
    qtbot.waitExposed(panel)
    viewport = panel.view.viewport()
    for row in range(panel.model.rowCount()):
        rect = panel.view.visualRect(panel.model.index(row))
        assert rect.left() >= 0
        assert rect.right() <= viewport.width()  # "p. N" is drawn at the row's right end
    assert not panel.view.horizontalScrollBar().isVisible()


def test_count_markers_read_as_a_count() -> None:
    from ui.desktop.annotations.annotation_panel import summary
    from workstation.annotations.anchors import AnnotationData

    markers = RegionAnchor("points", ((1.0, 1.0), (5.0, 5.0), (9.0, 2.0)))
    data = AnnotationData(
        uuid="u", source_sha256="s", source_media_type="image/png", anchor=markers
    )
    assert summary(data) == "Uncategorised — 3 counted"
    noted = AnnotationData(
        uuid="u",
        source_sha256="s",
        source_media_type="image/png",
        anchor=RegionAnchor("rect", ((0, 0), (218, 372)), page=4),
        categories=["arms"],
        note="Crates on the quay\nsecond line",
    )
    # A region with a note reads by its note, not "Region (218 × 372 px)".
    assert summary(noted) == "Crates on the quay second line — region on page 4"


def test_a_region_on_a_georeferenced_image_says_where_it_is(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    report = ImportService(library).import_paths([samples.make_geotiff(tmp_path)])
    sid = report.results[0].source_id
    assert sid is not None
    with library.writer() as session:
        AnnotationService(library).create(
            session, sid, RegionAnchor("rect", ((20.0, 10.0), (120.0, 60.0)))
        )
    panel = _panel(qtbot, controller, sid)
    tooltip = panel.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "\nCentre: 42.2" in tooltip
    assert "° N, 130.2" in tooltip
