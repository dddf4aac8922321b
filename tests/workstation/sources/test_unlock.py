"""Password-protected PDFs are evidence too: kept locked on import, read on unlock (issue 12)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Page, Source
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService
from workstation.sources.pages import PdfDocument
from workstation.sources.unlock import (
    NotLockedError,
    WrongPasswordError,
    decrypted_copy_path,
    readable_pdf_path,
    unlock_source,
)

PASSWORD = "Nampo-2024!"


def _import_locked(library: Library, tmp_path: Path) -> tuple[int, Path]:
    pdf = samples.make_encrypted_pdf(tmp_path, user_password=PASSWORD)
    [result] = ImportService(library).import_paths([pdf]).results
    assert result.status == "imported", result.error
    assert result.flags == ["locked"]
    assert result.source_id is not None
    return result.source_id, pdf


def _audit_events(library: Library) -> int:
    with library.reader() as session:
        return int(session.scalar(select(func.count(AuditEvent.seq))) or 0)


def _search(library: Library, query: str) -> list[int]:
    with library.reader() as session:
        return [
            h.source_id for h in SearchService(session, library.search_index).search(query).hits
        ]


def test_import_keeps_the_encrypted_original_flagged_locked(
    library: Library, tmp_path: Path
) -> None:
    source_id, pdf = _import_locked(library, tmp_path)
    with library.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert source.meta["locked_reason"] == "encrypted, password needed"
        assert source.page_count == 0
        sha = source.sha256
    assert sha == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert library.blobs.path_for(sha).read_bytes() == pdf.read_bytes()
    assert _search(library, "Confidential") == []
    report = check_library(library)
    assert report.ok, report.problems()


def test_wrong_password_changes_nothing(library: Library, tmp_path: Path) -> None:
    source_id, _pdf = _import_locked(library, tmp_path)
    before = _audit_events(library)
    with pytest.raises(WrongPasswordError) as caught, library.writer() as session:
        unlock_source(library, session, source_id, "not-it")
    assert caught.value.message == f"wrong password for source {source_id}; nothing was changed"
    assert _audit_events(library) == before
    with library.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert source.flags == ["locked"]
        sha = source.sha256
    assert not decrypted_copy_path(library, sha).exists()


def test_unlock_reads_indexes_and_audits_without_keeping_the_password(
    library: Library, tmp_path: Path
) -> None:
    source_id, pdf = _import_locked(library, tmp_path)
    with library.writer() as session:
        result = unlock_source(library, session, source_id, PASSWORD)
    assert (result.pages, result.flags) == (1, ["pdf-password"])
    assert library.index_pending() == 1
    assert _search(library, "Confidential") == [source_id]

    with library.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert source.title == "Annex"
        assert "locked_reason" not in source.meta
        assert source.meta["unlocked"]["by"] == "alice"
        pages = session.scalar(select(func.count(Page.id)).where(Page.source_id == source_id))
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "source.unlock")
        ).one()
        assert pages == 1
        assert json.loads(event.details)["pages"] == 1
        # The original is untouched; viewers get the decrypted copy.
        assert library.blobs.path_for(source.sha256).read_bytes() == pdf.read_bytes()
        copy = readable_pdf_path(library, source)
    assert copy == decrypted_copy_path(library, source.sha256)
    with PdfDocument(copy) as document:
        assert "Confidential annex." in document.text(1)
    # Not in the database, its journal or anything else the library holds.
    secret = PASSWORD.encode()
    library.close()
    for path in library.root.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_unlocking_what_is_not_locked_is_one_line(library: Library, tmp_path: Path) -> None:
    pdf = samples.make_pdf(tmp_path)
    [result] = ImportService(library).import_paths([pdf]).results
    with pytest.raises(NotLockedError) as caught, library.writer() as session:
        unlock_source(library, session, result.source_id or 0, PASSWORD)
    assert caught.value.message.endswith("is not locked; nothing to unlock")


def test_cli_unlock_as_a_user_runs_it(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    pdf = samples.make_encrypted_pdf(tmp_path, user_password=PASSWORD)
    wrong, right = tmp_path / "wrong.txt", tmp_path / "right.txt"
    wrong.write_text("guess\n", encoding="utf-8")
    right.write_text(PASSWORD + "\n", encoding="utf-8")
    assert run_cli_subprocess("init", "--library", str(library)).returncode == 0

    imported = run_cli_subprocess("import", "--library", str(library), str(pdf))
    assert imported.returncode == 0, imported.stderr
    assert "[locked]" in imported.stdout
    assert "workstation unlock 1 --password-file FILE" in imported.stdout

    refused = run_cli_subprocess(
        "unlock", "1", "--library", str(library), "--password-file", str(wrong)
    )
    assert refused.returncode == 1
    assert refused.stderr == "workstation: wrong password for source 1; nothing was changed\n"

    done = run_cli_subprocess(
        "unlock", "1", "--library", str(library), "--password-file", str(right)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "unlocked 1: 1 page read and indexed\n"
    found = run_cli_subprocess("search", "--library", str(library), "--json", "Confidential")
    assert json.loads(found.stdout)["total"] == 1
    log = run_cli("audit", "log", "--library", str(library), "--json")
    actions = [event["action"] for event in json.loads(log.stdout)]
    assert "source.unlock" in actions
    for output in (imported, refused, done, found, log):
        assert PASSWORD not in output.stdout + output.stderr

    again = run_cli("unlock", "1", "--library", str(library), "--password-file", str(right))
    assert again.returncode == 1
    assert again.stderr == "workstation: source 1 is not locked; nothing to unlock\n"


def test_password_from_stdin_and_bad_password_files(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    pdf = samples.make_encrypted_pdf(tmp_path, user_password=PASSWORD)
    assert run_cli("init", "--library", str(library)).returncode == 0
    assert run_cli("import", "--library", str(library), str(pdf)).returncode == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    no_file = run_cli("unlock", "1", "--library", str(library), "--password-file", str(empty))
    assert no_file.stderr == f"workstation: password file {empty} has an empty first line\n"
    piped = run_cli(
        "unlock", "1", "--library", str(library), "--password-file", "-",
        input_text=PASSWORD + "\r\n",
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr


def test_an_unlocked_pdf_takes_region_marks_and_a_redacted_export(
    library: Library, tmp_path: Path
) -> None:
    from workstation.annotations.anchors import RegionAnchor
    from workstation.annotations.service import AnnotationService, find_quote
    from workstation.bundles.export import BundleExporter, ExportOptions
    from workstation.bundles.plan import ExportScope, plan_export

    source_id, _pdf = _import_locked(library, tmp_path)
    with library.writer() as session:
        unlock_source(library, session, source_id, PASSWORD)
    service = AnnotationService(library)
    with library.writer() as session:  # the page size comes from the readable copy
        region = service.create(
            session, source_id, RegionAnchor("rect", ((50.0, 50.0), (200.0, 120.0)), page=1)
        )
        source = session.get(Source, source_id)
        assert source is not None
        service.create(session, source_id, find_quote(session, source, "Confidential"), redact=True)
    assert region.anchor.page == 1  # type: ignore[attr-defined]
    plan = plan_export(library, ExportScope(), redact=True)
    out = tmp_path / "bundle"
    BundleExporter(library).export(plan, ExportOptions(out=out))
    [derivative] = list((out / "data" / "sources").rglob("*.pdf"))
    text = PdfDocument(derivative).page_text(1).text
    assert "Confidential" not in text
    assert "annex" in text
