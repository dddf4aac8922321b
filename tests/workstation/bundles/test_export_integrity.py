"""Exports never carry damaged or stale material, on real libraries and real bundles:
a damaged original is refused, a redacted name goes from every place it stands, the
leak check names where one survived, the bag carries the audit head, and an export
killed with SIGKILL leaves no plaintext beside its target and is swept by the next."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from sqlalchemy import select

from db.models import Source
from tests import samples
from tests.conftest import ROOT, run_cli, run_cli_subprocess
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.age import generate_identity
from workstation.bundles.bagit import verify_bag
from workstation.bundles.errors import DamagedSourceError, RedactionLeakError
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.leaks import json_leaks, leak_message, page_leaks
from workstation.bundles.occurrences import image_metadata_text
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.scrubber import Scrubber
from workstation.bundles.staging import ExportStaging, sweep_exports
from workstation.core import audit
from workstation.core.library import Library
from workstation.keys.keyring import KeyService
from workstation.sources.ingest import ImportService

NAME = "Kim Chol-su"


def _kinds(lib: Library) -> dict[str, Source]:
    with lib.reader() as session:
        return {s.original_filename: s for s in session.scalars(select(Source))}


def _damage(lib: Library, sha256: str) -> None:
    """Flip one byte of a stored original, as a failing disk or a careless hand would."""
    blob = lib.blobs.path_for(sha256)
    blob.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    blob.chmod(stat.S_IRUSR)


def _hidden_or_partial(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def reports(library: Library, tmp_path: Path) -> Library:
    """Two PDFs, one with a passage marked for redaction."""
    folder = tmp_path / "in"
    samples.make_pdf(
        folder, pages=1, texts=[f"Informant {NAME} reported shells at Rajin."], name="report.pdf"
    )
    samples.make_pdf(folder, pages=1, texts=["Containers seen at Nampo."], name="annex.pdf")
    ImportService(library).import_paths([folder])
    with library.writer() as session:
        report = session.scalar(select(Source).where(Source.original_filename == "report.pdf"))
        assert report is not None
        AnnotationService(library).create(
            session, report.id, find_quote(session, report, NAME), redact=True
        )
    return library


# --- a damaged original is refused --------------------------------------------------------


@pytest.mark.parametrize(
    ("damaged", "redact", "target"),
    [
        ("annex.pdf", False, "bundle"),  # travels as the original: hashed on the copy
        ("annex.pdf", False, "bundle.zip"),
        ("report.pdf", True, "bundle.zip"),  # a redacted derivative is made from it
    ],
)
def test_a_damaged_original_is_refused_and_nothing_is_written(
    reports: Library, tmp_path: Path, damaged: str, redact: bool, target: str
) -> None:
    source = _kinds(reports)[damaged]
    _damage(reports, source.sha256)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    plan = plan_export(reports, ExportScope(), redact=redact)
    with pytest.raises(DamagedSourceError) as refused:
        BundleExporter(reports).export(plan, ExportOptions(out=out_dir / target))
    message = str(refused.value)
    assert f"source {source.id} ({damaged}, 'Sample report')" in message
    assert "no longer hashes" in message
    assert "workstation check" in message
    assert "\n" not in message
    assert list(out_dir.iterdir()) == []  # no bag, no partial, nothing signed
    assert list((reports.derived / "bundle-staging").iterdir()) == []


def test_cli_refuses_a_damaged_original_in_one_line(reports: Library, tmp_path: Path) -> None:
    source = _kinds(reports)["annex.pdf"]
    _damage(reports, source.sha256)
    with reports.writer() as session:  # a key, so the damaged bytes could have been signed
        KeyService(reports).generate(session, "Alice", b"correct horse battery")
    lib = str(reports.root)
    reports.close()
    pw = tmp_path / "pw.txt"
    pw.write_text("correct horse battery\n", encoding="utf-8")
    out = tmp_path / "signed.zip"
    r = run_cli_subprocess(
        "--library", lib, "export", "--out", str(out), "--sign", "--passphrase-file", str(pw)
    )
    assert r.returncode == 1, r.stdout
    assert r.stderr.startswith("workstation: refusing to export source")
    assert len(r.stderr.strip().splitlines()) == 1
    assert "annex.pdf" in r.stderr
    assert not out.exists()


# --- a redacted passage goes from every place it stands -------------------------------------


@pytest.fixture
def everywhere(reports: Library, tmp_path: Path) -> Library:
    """The name marked once, and standing unmarked on another page, in another PDF's text,
    in a PDF's document information, in a photo's EXIF and XMP, and in an article."""
    folder = tmp_path / "more"
    samples.make_pdf(
        folder,
        pages=2,
        texts=["Statement, page one.", "Signed: KIM  CHOL-SU, Rajin, 2024."],
        name="statement.pdf",
    )
    samples.make_pdf(folder, pages=1, texts=["Cover sheet."], author=NAME, name="cover.pdf")
    photo = folder / "photo.jpg"
    exif = Image.Exif()
    exif[0x013B] = NAME  # Artist
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{NAME}</dc:creator></x:xmpmeta>'
    samples.sample_picture((120, 90)).save(photo, "JPEG", exif=exif, xmp=xmp.encode())
    samples.make_article_html(folder, author=NAME)
    result = ImportService(reports).import_paths([folder])
    assert not [r for r in result.results if r.status == "failed"]
    return reports


def test_a_name_marked_once_is_removed_wherever_it_stands(
    everywhere: Library, tmp_path: Path
) -> None:
    plan = plan_export(everywhere, ExportScope(), redact=True)  # internal: EXIF would travel
    by_name = {ps.filename: ps for ps in plan.sources}
    assert by_name["report.pdf"].treatment == "redacted"
    assert by_name["statement.pdf"].treatment == "redacted"  # unmarked, but holds the name
    assert by_name["cover.pdf"].treatment == "redacted"  # the name is its Author
    assert by_name["photo.jpg"].treatment == "metadata-stripped"
    assert by_name["annex.pdf"].treatment == "original"  # nothing to remove
    found = {(o.title, o.page, o.where): o.count for o in plan.occurrences}
    statement = by_name["statement.pdf"].title or "statement.pdf"
    assert found[(statement, 2, "text")] == 1  # case and spacing differ, still the name
    assert (statement, 1, "text") not in found
    assert found[(by_name["cover.pdf"].title or "cover.pdf", None, "metadata")] >= 1
    assert found[(by_name["photo.jpg"].title or "photo.jpg", None, "metadata")] >= 2
    assert any(o.title == (by_name["article.html"].title or "") for o in plan.occurrences)

    out = tmp_path / "bundle"
    result = BundleExporter(everywhere).export(plan, ExportOptions(out=out))
    assert verify_bag(out).valid
    removed = result.as_json()["occurrences_removed"]
    assert {"source_id": by_name["statement.pdf"].source_id, "page": 2, "count": 1} in [
        {k: o[k] for k in ("source_id", "page", "count")} for o in removed
    ]
    # Nothing in the bag still reads the name: texts, PDFs' text and metadata, JPEG bytes.
    readable = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        readable.append(path.read_bytes().decode("utf-8", "replace"))
        if path.suffix == ".pdf":
            with pymupdf.open(path) as doc:
                readable.extend(page.get_text() for page in doc)
                readable.extend(str(v) for v in doc.metadata.values())
        if path.suffix == ".jpg":
            readable.append(image_metadata_text(path))
    text = " ".join(" ".join(readable).split()).casefold()
    assert " ".join(NAME.split()).casefold() not in text
    assert "kim chol-su" not in text


def test_export_json_from_the_cli_says_where_occurrences_were_removed(
    everywhere: Library, tmp_path: Path
) -> None:
    lib = str(everywhere.root)
    everywhere.close()
    out = tmp_path / "bundle.zip"
    r = run_cli_subprocess("--library", lib, "export", "--out", str(out), "--redact", "--json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    pages = {(o["title"], o["page"], o["where"]) for o in shown["occurrences_removed"]}
    assert any(page == 2 and where == "text" for _t, page, where in pages)
    assert any(where == "metadata" for _t, _p, where in pages)
    assert sum(o["count"] for o in shown["occurrences_removed"]) >= 5
    with zipfile.ZipFile(out) as bag:
        info = bag.read("bundle/bag-info.txt").decode("utf-8")
    assert f"Audit-Head: {shown['audit_head']}\n" in info
    text = run_cli("--library", lib, "export", "--out", str(tmp_path / "b2"), "--redact")
    assert text.returncode == 0, text.stderr
    assert "other occurrence(s) of redacted passages removed" in text.stdout
    assert "on page 2" in text.stdout


def test_the_leak_check_says_where_a_passage_survived(everywhere: Library, tmp_path: Path) -> None:
    plan = plan_export(everywhere, ExportScope(), redact=True)
    statement = next(ps for ps in plan.sources if ps.filename == "statement.pdf")
    # A plan that missed an occurrence (as one made before the name was marked would):
    # the last check must catch it, name the file and page, and write nothing.
    statement.treatment = "original"
    statement.also_removed = []
    out = tmp_path / "bundle.zip"
    with pytest.raises(RedactionLeakError) as caught:
        BundleExporter(everywhere).export(plan, ExportOptions(out=out))
    message = str(caught.value)
    assert f"data/sources/{statement.sha256[:16]}/statement.pdf page 2" in message
    redaction = plan.passages[0].mark
    assert redaction[:8] in message
    assert "nothing was written" in message
    assert "\n" not in message
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_leak_places_name_json_fields_and_pages() -> None:
    scrubber = Scrubber([NAME], marks={NAME: "0123456789abcdef"})
    doc = json.dumps({"sources": [{"title": "ok"}, {"title": f"Report by {NAME}"}]})
    leaks = json_leaks(scrubber, "data/case.json", doc.encode())
    leaks += page_leaks(scrubber, "data/report.pdf", ["clean", f"...{NAME.upper()}..."])
    message = leak_message(leaks)
    assert "data/case.json at sources[1].title" in message
    assert "data/report.pdf page 2" in message
    assert "(mark 01234567)" in message


# --- the audit head travels in bag-info.txt -------------------------------------------------


def test_every_bundle_carries_the_libraries_audit_head(reports: Library, tmp_path: Path) -> None:
    from workstation.core.witness import read_heads

    with reports.reader() as session:
        seq, digest = audit.read_head(session)
    assert seq > 0
    out = tmp_path / "bundle.zip"
    result = BundleExporter(reports).export(
        plan_export(reports, ExportScope()), ExportOptions(out=out)
    )
    assert result.audit_head == f"{seq}:{digest}"
    assert result.as_json()["audit_head"] == f"{seq}:{digest}"
    (head,) = read_heads(out)  # what 'audit verify --witness BUNDLE' reads
    assert (head.seq, head.digest) == (seq, digest)
    folder = tmp_path / "folder-bag"
    BundleExporter(reports).export(plan_export(reports, ExportScope()), ExportOptions(out=folder))
    info = (folder / "bag-info.txt").read_text(encoding="utf-8")
    assert f"Audit-Head: {seq}:{digest}\n" in info


# --- an interrupted export leaves nothing behind ---------------------------------------------

EXPORTER = """
import sys, time
from pathlib import Path
from workstation.core.library import Library
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
lib = Library.open(Path(sys.argv[1]), reviewer="crash")
recipients = tuple(sys.argv[3:])
def progress(p):
    print(f"step {p.done}", flush=True)
    if p.done == 3:
        time.sleep(600)  # the test kills us here, mid-bag
plan = plan_export(lib, ExportScope(), redact=True)
BundleExporter(lib).export(plan, ExportOptions(out=Path(sys.argv[2]), recipients=recipients),
                           progress=progress)
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("target", ["bundle.age", "bundle.zip", "bundle"])
def test_sigkill_mid_export_leaves_no_plaintext_beside_the_target_and_is_swept(
    reports: Library, tmp_path: Path, target: str
) -> None:
    folder = tmp_path / "more"
    for i in range(4):
        samples.make_pdf(folder, pages=3, name=f"annex-{i}.pdf")
    ImportService(reports).import_paths([folder])
    lib = reports.root
    reports.close()
    _, public = generate_identity()
    out_dir = tmp_path / "stick"
    out_dir.mkdir()
    recipients = [public] if target.endswith(".age") else []
    proc = subprocess.Popen(
        [sys.executable, "-c", EXPORTER, str(lib), str(out_dir / target), *recipients],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "step 3":
            break
    else:  # pragma: no cover - the exporter died first
        raise AssertionError("the exporter never reached its third source")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    staging = lib / "derived" / "bundle-staging"
    (left,) = [p for p in staging.iterdir() if p.name.startswith("export-")]
    beside = _hidden_or_partial(out_dir)
    if target.endswith(".age"):
        # The plaintext bag was staged inside the library, never on the stick.
        assert beside == []
        assert list(left.rglob("*.zip")), "the killed export's plaintext was in the library"
    else:
        # A plain bag is plaintext by design; its staging beside the target is named...
        assert len(beside) == 1
        assert beside[0].startswith(f".{target.removesuffix('.zip')}.partial-")
        assert str(out_dir / beside[0]) in (left / "leftovers.txt").read_text(encoding="utf-8")

    again = Library.open(lib, reviewer="alice")
    try:
        second = out_dir / f"second-{target}"
        BundleExporter(again).export(
            plan_export(again, ExportScope(), redact=True),
            ExportOptions(out=second, recipients=tuple(recipients)),
        )
    finally:
        again.close()
    # ...and the next export sweeps it, with the killed export's folder in the library.
    assert not left.exists()
    assert list(staging.iterdir()) == []
    assert _hidden_or_partial(out_dir) == [second.name]


def test_a_running_export_is_never_swept(library: Library) -> None:
    with ExportStaging(library) as running:
        (running.folder / "plain.zip").write_bytes(b"plaintext in progress")
        assert sweep_exports(library) == []
        assert running.folder.is_dir()
    assert not running.folder.exists()  # its own close removes it
