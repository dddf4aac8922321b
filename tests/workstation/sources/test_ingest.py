"""Import of real files into a real library: statuses, records, blobs,
audit, duplicates, cases, attachments, bad input and cancellation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, CaseSource, Page, Source, SourceRelation
from tests import samples
from workstation.core.audit import verify_chain
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService


def _count(lib: Library, model: type) -> int:
    with lib.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _search_total(lib: Library, query: str) -> int:
    with lib.reader() as session:
        return SearchService(session, lib.search_index).search(query).total


def test_import_mixed_folder(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    pdf = samples.make_pdf(folder, pages=3)
    jpeg = samples.make_jpeg(folder / "sub")
    html = samples.make_article_html(folder)
    txt = samples.make_text(folder / "sub")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    seen: list[Progress] = []
    report = ImportService(library).import_paths([folder], progress=seen.append)

    by_path = {Path(r.path).name: r for r in report.results}
    assert set(by_path) == {pdf.name, jpeg.name, html.name, txt.name}
    assert all(r.status == "imported" for r in report.results), report.results
    assert seen[-1].done == seen[-1].total == 4
    assert {r.kind for r in report.results} == {"pdf", "image", "article", "text"}

    with library.reader() as session:
        src = session.scalar(select(Source).where(Source.id == by_path[pdf.name].source_id))
        assert src is not None
        assert src.page_count == 3
        assert src.media_type == "application/pdf"
        assert src.original_filename == pdf.name
        assert src.imported_by.name == "alice"
        assert src.indexed
        assert library.blobs.path_for(src.sha256).read_bytes() == pdf.read_bytes()
        assert src.thumbnail is not None
        assert (library.root / src.thumbnail).is_file()
        pages = session.scalars(
            select(Page.number).where(Page.source_id == src.id).order_by(Page.number)
        ).all()
        assert pages == [1, 2, 3]
        imports = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "source.import")
        ).all()
        assert len(imports) == 4
        assert json.loads(imports[0].details)["sha256"]
        assert verify_chain(session).ok


def test_same_bytes_twice_is_one_source(library: Library, tmp_path: Path) -> None:
    a = samples.make_text(tmp_path, name="a.txt", text="Vessel CHON MA SAN at Nampo.")
    b = tmp_path / "copy-of-a.md"
    b.write_bytes(a.read_bytes())
    report = ImportService(library).import_paths([a, b], case="Nampo")
    assert [r.status for r in report.results] == ["imported", "duplicate"]
    assert report.results[0].source_id == report.results[1].source_id
    assert _count(library, Source) == 1
    assert len(list(library.blobs.iter_hashes())) == 1
    assert _count(library, CaseSource) == 1
    again = ImportService(library).import_paths([a])
    assert again.results[0].status == "duplicate"


def test_case_membership_for_new_and_duplicate(library: Library, tmp_path: Path) -> None:
    a = samples.make_text(tmp_path, name="a.txt", text="first")
    ImportService(library).import_paths([a])
    ImportService(library).import_paths([a], case="Rajin arms transfers")
    with library.reader() as session:
        from workstation.sources.lookup import list_sources

        rows = list_sources(session, case="Rajin arms transfers")
    assert [r.original_filename for r in rows] == ["a.txt"]


def test_email_attachments_become_linked_sources(library: Library, tmp_path: Path) -> None:
    eml = samples.make_eml(tmp_path)
    report = ImportService(library).import_paths([eml])
    statuses = [(Path(r.path).name, r.status) for r in report.results]
    assert statuses[0] == (eml.name, "imported")
    children = [r for r in report.results[1:] if r.status == "imported"]
    assert children, report.results
    assert all(r.parent_id == report.results[0].source_id for r in children)
    with library.reader() as session:
        links = session.scalars(select(SourceRelation)).all()
    assert {link.child_id for link in links} == {r.source_id for r in children}


def test_pdf_with_javascript_is_imported_and_flagged(library: Library, tmp_path: Path) -> None:
    pdf = samples.make_pdf_with_javascript(tmp_path)
    result = ImportService(library).import_paths([pdf]).results[0]
    assert result.status == "imported"
    assert "pdf-javascript" in result.flags
    with library.reader() as session:
        src = session.get(Source, result.source_id)
        assert src is not None
        assert "pdf-javascript" in src.flags


BAD_INPUTS = [
    ("empty", lambda d: samples.make_empty(d), "empty"),
    ("random binary", lambda d: samples.make_random_binary(d), "not a supported"),
    ("truncated pdf", lambda d: samples.make_garbage_pdf(d), "pdf"),
    ("truncated jpeg", lambda d: samples.make_truncated_jpeg(d), "truncated"),
    ("png bomb", lambda d: samples.make_png_bomb(d), "gigapixel"),
]


@pytest.mark.parametrize(("label", "make", "reason"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_reported_and_leaves_nothing(
    library: Library, tmp_path: Path, label: str, make: object, reason: str
) -> None:
    good_before = samples.make_text(tmp_path, name="before.txt", text="before the bad file")
    bad = make(tmp_path)  # type: ignore[operator]
    good_after = samples.make_text(tmp_path, name="after.txt", text="after the bad file")
    report = ImportService(library).import_paths([good_before, bad, good_after])
    statuses = [r.status for r in report.results]
    assert statuses == ["imported", "failed", "imported"], report.results
    failed = report.results[1]
    assert failed.error
    assert "\n" not in failed.error
    assert reason.lower() in failed.error.lower()
    assert _count(library, Source) == 2
    check = check_library(library)
    assert check.ok, check.problems()


def test_encrypted_pdf_with_empty_password_imports(library: Library, tmp_path: Path) -> None:
    pdf = samples.make_encrypted_pdf_empty_user_password(tmp_path)
    result = ImportService(library).import_paths([pdf]).results[0]
    assert result.status == "imported", result.error
    assert "pdf-password-empty" in result.flags


def test_missing_path_is_a_failed_result(library: Library, tmp_path: Path) -> None:
    report = ImportService(library).import_paths([tmp_path / "nope.pdf"])
    assert report.results[0].status == "failed"
    assert report.results[0].error == "no such file"


def test_cancel_stops_between_files(library: Library, tmp_path: Path) -> None:
    files = [samples.make_text(tmp_path, name=f"{i}.txt", text=f"note {i}") for i in range(6)]
    token = CancelToken()

    def on_progress(p: Progress) -> None:
        if p.done == 2:
            token.cancel()

    report = ImportService(library).import_paths(files, progress=on_progress, cancel=token)
    assert report.cancelled
    assert len(report.results) == 2
    assert _count(library, Source) == 2
    assert _search_total(library, "note") == 2


def test_multilingual_text_is_searchable_after_import(library: Library, tmp_path: Path) -> None:
    samples.make_text(tmp_path, name="ko.txt", text="북한이 러시아에 포탄을 보냈다")
    samples.make_text(tmp_path, name="ja.txt", text="北朝鮮がロシアに砲弾を送った")
    samples.make_text(tmp_path, name="ru.txt", text="Снаряды отправлены через порт Раджин")
    ImportService(library).import_paths([tmp_path])
    assert _search_total(library, "북한") == 1
    assert _search_total(library, "北朝鮮") == 1
    assert _search_total(library, "СНАРЯДЫ") == 1


def test_content_date_falls_back_to_capture_and_creation(library: Library, tmp_path: Path) -> None:
    jpeg = samples.make_jpeg(tmp_path)
    pdf = samples.make_pdf(tmp_path, pages=1)
    results = ImportService(library).import_paths([jpeg, pdf]).results
    with library.reader() as session:
        image = session.get(Source, results[0].source_id)
        report = session.get(Source, results[1].source_id)
        assert image is not None
        assert report is not None
        assert image.published == image.meta["captured"]
        assert report.published == report.meta["created"]


def test_check_notes_and_repairs_stale_caches(library: Library, tmp_path: Path) -> None:
    jpeg = samples.make_jpeg(tmp_path)
    result = ImportService(library).import_paths([jpeg]).results[0]
    with library.reader() as session:
        source = session.get(Source, result.source_id)
        assert source is not None
        assert source.thumbnail is not None
        real_thumb = library.root / source.thumbnail
    gone = "ab" + "c" * 62
    stale_thumb = library.derived / "thumbs" / "ab" / f"{gone}.jpg"
    stale_tiles = library.derived / "tiles" / "ab" / f"{gone}.tif"
    for path in (stale_thumb, stale_tiles):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"cache of a source that no longer exists")
    report = check_library(library)
    assert report.ok  # caches are clutter, not problems
    assert len(report.notes()) == 2
    repaired = check_library(library, repair=True)
    assert len(repaired.repaired) == 2
    assert not stale_thumb.exists()
    assert not stale_tiles.exists()
    assert real_thumb.is_file()
    assert check_library(library).notes() == []


def test_check_notes_and_removes_bundles_left_unpacked_by_an_interrupted_import(
    library: Library,
) -> None:
    import os
    import time

    from workstation.core.check import STAGING_STALE_AFTER

    staging = library.derived / "bundle-staging"
    old = staging / "import-killed"
    (old / "bag" / "data").mkdir(parents=True)
    (old / "bag" / "data" / "informant.txt").write_text("decrypted partner material")
    young = staging / "import-running"  # another process may be importing right now
    young.mkdir()
    then = time.time() - STAGING_STALE_AFTER - 60
    os.utime(old, (then, then))
    report = check_library(library)
    assert report.ok
    assert [n for n in report.notes() if "interrupted" in n] == [
        f"{Path('derived', 'bundle-staging', 'import-killed')} holds the unpacked copy of a "
        "bundle whose import was interrupted ('check --repair' removes it)"
    ]
    repaired = check_library(library, repair=True)
    assert any("import-killed" in line for line in repaired.repaired)
    assert not old.exists()
    assert young.is_dir()
