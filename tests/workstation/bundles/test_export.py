"""Evidence bundles end to end on real libraries: export, redaction, signing,
encryption, verification with other tools, tampering, import into a second library."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import bagit
import pymupdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from db.models import BundleImport, Provenance, Source
from tests import samples
from tests.conftest import run_cli
from tests.w3c_rules import problems
from tests.workstation.bundles import bag_samples
from workstation.annotations.anchors import AnnotationData, RegionAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.bagit import verify_bag
from workstation.bundles.errors import BundleError
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.import_ import BundleMerger, MergeSummary, open_bundle
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import PARTNER, Profile, save_profile
from workstation.core.errors import CancelledError
from workstation.core.library import Library
from workstation.core.progress import CancelToken
from workstation.entities.register import add_entity, link_annotation
from workstation.keys.keyring import KeyService, Signer
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import resolve_source

ROOT = Path(__file__).resolve().parents[3]

SECRET = "Kim Chol-su"
PDF_PAGE_1 = f"Informant {SECRET} reported\na shipment of shells at Rajin.\n보고서: 포탄 선적."
PDF_PAGE_2 = "Снаряды прибыли в порт Раджин\nна судне AMBER TIDE."
REGION_SECRET = RegionAnchor("rect", ((20.0, 20.0), (120.0, 100.0)))
REGION_KEPT = RegionAnchor("rect", ((200.0, 150.0), (380.0, 280.0)))
PASSPHRASE = b"correct horse battery"


@pytest.fixture
def evidence(library: Library, tmp_path: Path) -> Library:
    """A library with a PDF, a photo and an article, marked and partly redacted."""
    folder = tmp_path / "in"
    samples.make_pdf(folder, pages=2, texts=[PDF_PAGE_1, PDF_PAGE_2], name="report.pdf")
    samples.make_jpeg(folder, size=(400, 300), name="port.jpg")
    samples.make_article_html(folder)
    report = ImportService(library).import_paths([folder], case="Rajin")
    assert not [r for r in report.results if r.status == "failed"]
    service = AnnotationService(library)
    with library.writer() as session:
        by_kind = {s.kind: s for s in session.scalars(select(Source))}
        pdf, image, article = by_kind["pdf"], by_kind["image"], by_kind["article"]
        service.create(session, pdf.id, find_quote(session, pdf, SECRET), redact=True)
        shells = service.create(
            session,
            pdf.id,
            find_quote(session, pdf, "a shipment of shells"),
            categories=["arms.ammunition"],
            note=f"Source {SECRET} is protected; shipment seen by two sources.",
        )
        service.create(
            session,
            pdf.id,
            find_quote(session, pdf, "AMBER TIDE", page=2),
            categories=["maritime"],
        )
        service.create(session, image.id, REGION_SECRET, redact=True)
        service.create(session, image.id, REGION_KEPT, categories=["arms"], note="containers")
        service.create(
            session, article.id, find_quote(session, article, "registered owner"), redact=True
        )
        service.create(
            session,
            article.id,
            find_quote(session, article, "refined petroleum products"),
            categories=["petroleum"],
        )
        vessel = add_entity(
            library, session, "vessel", "AMBER TIDE", identifiers={"imo": "9074729"}
        )
        link_annotation(library, session, shells.uuid, vessel.uuid)
    return library


def _export(lib: Library, out: Path, profile: str | None = None, **kw: object) -> object:
    scope = kw.pop("scope", ExportScope())
    assert isinstance(scope, ExportScope)
    plan = plan_export(lib, scope, profile, redact=bool(kw.pop("redact", False)))
    return BundleExporter(lib).export(plan, ExportOptions(out=out, **kw))  # type: ignore[arg-type]


def _partner_profile(lib: Library) -> None:
    with lib.writer() as session:
        save_profile(lib, session, Profile("partner", "RESTRICTED — MSMT PARTNERS ONLY"))


def _all_text(bag: Path) -> str:
    """Everything readable in a bag: text files as text, PDFs' extracted text."""
    chunks = []
    for path in sorted(bag.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            with pymupdf.open(path) as doc:
                chunks.extend(page.get_text() for page in doc)
        else:
            chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(chunks)


def _merge(lib: Library, bundle: Path) -> MergeSummary:
    with open_bundle(lib, bundle) as opened:
        return BundleMerger(lib).merge(opened, accept_untrusted=True)


def _reexport_changed(lib: Library, uuid: str, note: str, out: Path, **kw: object) -> None:
    with lib.writer() as session:
        AnnotationService(lib).update(session, uuid, note=note)
    _export(lib, out, **kw)


def _signer(lib: Library, name: str = "Alice (MSMT)") -> Signer:
    """A new signing key of ``lib``, unlocked (a bundle updates only what its signer sent)."""
    keys = KeyService(lib)
    with lib.writer() as session:
        made = keys.generate(session, name, PASSPHRASE)
    with lib.reader() as session:
        return keys.signer(session, made.fingerprint, PASSPHRASE)


def _annotations(lib: Library) -> list[AnnotationData]:
    with lib.reader() as session:
        return AnnotationService(lib).find(session, AnnotationFilter())


# --- export ---------------------------------------------------------------------------


def test_export_is_a_bag_the_loc_tool_validates(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = _export(
        evidence, out, organisation="MSMT", contact="alice", scope=ExportScope(case="Rajin")
    )
    bag = bagit.Bag(str(out))
    bag.validate()  # raises on any problem
    assert bag.info["Source-Organization"] == "MSMT"
    assert bag.info["External-Identifier"].startswith("urn:uuid:")
    assert bag.info["Releasability-Marking"]
    for name in ("case.json", "annotations.jsonld", "report.pdf", "README.txt"):
        assert (out / "data" / name).is_file()
    assert verify_bag(out).valid
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    assert {s["kind"] for s in case["sources"]} == {"pdf", "image", "article"}
    assert case["case"]["name"] == "Rajin"
    assert {c["code"] for c in case["categories"]} >= {"arms", "arms.ammunition", "petroleum"}
    assert case["entities"][0]["identifiers"] == [{"scheme": "imo", "value": "9074729"}]
    # Internal profile: originals travel as they are, byte for byte.
    with evidence.reader() as session:
        shas = set(session.scalars(select(Source.sha256)))
    assert {s["sha256"] for s in case["sources"]} == shas
    assert result.redacted_sources == 0  # type: ignore[attr-defined]


def test_exported_annotations_pass_the_w3c_checker(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    _partner_profile(evidence)
    _export(evidence, out, "partner")
    doc = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    assert doc["first"]["items"], "the bundle should carry annotations to check"
    assert problems(doc) == []


def test_redaction_removes_text_pixels_and_metadata(evidence: Library, tmp_path: Path) -> None:
    _partner_profile(evidence)
    out = tmp_path / "bundle"
    result = _export(evidence, out, "partner")
    assert result.redacted_sources == 3  # type: ignore[attr-defined]
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    with evidence.reader() as session:
        originals = {s.kind: s.sha256 for s in session.scalars(select(Source))}
    by_kind = {s["kind"]: s for s in case["sources"]}
    for kind, sha in originals.items():
        assert by_kind[kind]["original_sha256"] == sha
        assert by_kind[kind]["sha256"] != sha
        assert by_kind[kind]["redacted"] is True
    # No original is in the bag.
    import hashlib

    in_bag = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "data").rglob("*") if p.is_file()
    }
    assert not in_bag & set(originals.values())
    # The redacted name is nowhere: not in the PDF, the notes, the dossier, case.json.
    text = _all_text(out)
    assert SECRET not in text
    assert "registered owner" not in text
    assert "a shipment of shells" in text  # what is not redacted still travels
    assert "[REDACTED]" in text
    # Image: pixels under the redaction are black, EXIF and GPS gone.
    photo = out / by_kind["image"]["bundle_path"]
    with Image.open(photo) as img:
        assert not img.getexif()
        px = img.convert("RGB").getpixel((70, 60))
        assert max(px) < 40  # type: ignore[arg-type]
        assert max(img.convert("RGB").getpixel((300, 200))) > 40  # type: ignore[arg-type]


def test_annotations_on_redacted_parts_are_left_out(evidence: Library, tmp_path: Path) -> None:
    _partner_profile(evidence)
    out = tmp_path / "bundle"
    result = _export(evidence, out, "partner")
    doc = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    items = doc["first"]["items"]
    # Redaction marks themselves are applied, not listed.
    assert not any(item.get("ew:redact") for item in items)
    quotes = [
        sel["exact"]
        for item in items
        for sel in _selectors(item["target"])
        if sel.get("type") == "TextQuoteSelector"
    ]
    assert "a shipment of shells" in quotes
    assert result.annotations == len(items)  # type: ignore[attr-defined]
    # The preview's count is what the bundle lists, plus what it had to withhold.
    plan = plan_export(evidence, ExportScope(), "partner")
    assert plan.annotation_count == result.annotations + result.withheld  # type: ignore[attr-defined]


def _selectors(target: dict[str, object]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "type" in value and str(value["type"]).endswith("Selector"):
                found.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(target)
    return found


def test_cancel_leaves_nothing(evidence: Library, tmp_path: Path) -> None:
    out_dir = tmp_path / "outs"
    out_dir.mkdir()
    cancel = CancelToken()
    cancel.cancel()
    plan = plan_export(evidence, ExportScope())
    with pytest.raises(CancelledError):
        BundleExporter(evidence).export(plan, ExportOptions(out=out_dir / "b.zip"), cancel=cancel)
    assert list(out_dir.iterdir()) == []


def test_existing_target_is_refused(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    with pytest.raises(BundleError, match="already exists"):
        _export(evidence, out)


def test_too_little_space_is_refused_before_anything_is_written(
    evidence: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workstation.bundles.plan as bundles

    plan = plan_export(evidence, ExportScope())
    need = bundles.space_needed(plan, encrypted=False)
    assert need > plan.total_bytes
    assert bundles.space_needed(plan, encrypted=True) >= need + plan.total_bytes
    real = shutil.disk_usage

    def nearly_full(path: object) -> object:
        usage = real(path)  # type: ignore[arg-type]
        return type(usage)(usage.total, usage.total - need + 1, need - 1)

    # The operating system's answer stands in for a full stick; our code is all real.
    monkeypatch.setattr(bundles.shutil, "disk_usage", nearly_full)
    before = sorted(tmp_path.iterdir())
    out = tmp_path / "bundle.zip"
    with pytest.raises(BundleError, match="not enough space") as refused:
        BundleExporter(evidence).export(plan, ExportOptions(out=out))
    assert "\n" not in str(refused.value)
    assert sorted(tmp_path.iterdir()) == before  # no bag, no staging, no scratch


def test_scope_by_tag_and_case(evidence: Library) -> None:
    plan = plan_export(evidence, ExportScope(tags=("petroleum",)))
    assert [s.kind for s in plan.sources] == ["article"]
    assert [a.categories for a in plan.sources[0].annotations] == [["petroleum"]]
    with pytest.raises(BundleError, match="nothing to export"):
        plan_export(evidence, ExportScope(case="Rajin", tags=("cyber",)))


# --- CLI: keys, signing, verify, tamper -----------------------------------------------


@pytest.fixture
def signed_bundle(evidence: Library, tmp_path: Path) -> tuple[Path, Path, Path]:
    lib = str(evidence.root)
    evidence.close()
    pw = tmp_path / "pw.txt"
    pw.write_text("correct horse battery\n", encoding="utf-8")
    r = run_cli(
        "--library", lib, "keys", "generate", "--name", "Alice (MSMT)", "--passphrase-file", str(pw)
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / "signed"
    r = run_cli(
        "--library", lib, "export", "--out", str(out), "--sign", "--passphrase-file", str(pw)
    )
    assert r.returncode == 0, r.stderr
    return Path(lib), out, pw


def test_signed_bundle_verifies_and_signature_checks_with_openssl(
    signed_bundle: tuple[Path, Path, Path],
) -> None:
    lib, out, _ = signed_bundle
    r = run_cli("--library", str(lib), "verify", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "signature: good, signer trusted" in r.stdout
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    checked = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer-ed25519.pub.pem",
            "-rawin",
            "-in",
            "tagmanifest-sha256.txt",
            "-sigfile",
            "tagmanifest-sha256.txt.sig",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The fingerprint the README tells a partner to compute, computed as it says.
    readme = (out / "data" / "README.txt").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if "tail -c 32" in line)
    printed = subprocess.run(
        command, shell=True, cwd=out, capture_output=True, text=True, check=True
    ).stdout.split()[0]
    signer = (out / "signer.txt").read_text(encoding="utf-8")
    assert printed in signer
    assert len(printed) == 64


def _verify(lib: Path, bag: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("--library", str(lib), "verify", str(bag), "--json")


@pytest.mark.parametrize("attack", ["byte", "added", "removed", "signature"])
def test_tampered_bundle_fails_verify(
    signed_bundle: tuple[Path, Path, Path], tmp_path: Path, attack: str
) -> None:
    lib, out, _ = signed_bundle
    report = next((out / "data").glob("report.pdf"))
    if attack == "byte":
        data = bytearray(report.read_bytes())
        data[len(data) // 2] ^= 0x01
        report.write_bytes(bytes(data))
    elif attack == "added":
        (out / "data" / "extra.txt").write_text("planted", encoding="utf-8")
    elif attack == "removed":
        report.unlink()
    else:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        other = Ed25519PrivateKey.generate()
        tm = (out / "tagmanifest-sha256.txt").read_bytes()
        (out / "tagmanifest-sha256.txt.sig").write_bytes(other.sign(tm))
    r = _verify(lib, out)
    assert r.returncode == 1, r.stdout
    verdict = json.loads(r.stdout)
    assert verdict["valid"] is False
    assert verdict["problems"]


# --- import into a second library -----------------------------------------------------


def _plain(annotations: list[AnnotationData]) -> set[tuple[object, ...]]:
    return {
        (a.uuid, tuple(sorted(a.categories)), a.note, a.redact, a.author, a.created, a.anchor)
        for a in annotations
    }


def test_round_trip_into_a_second_library(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    _export(evidence, out)
    before = _annotations(evidence)
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with open_bundle(other, out) as opened:
            assert opened.summary()["sources"] == 3
            summary = BundleMerger(other).merge(opened, accept_untrusted=True)
        assert summary.sources_added == 3
        assert summary.annotations_added == len(before)
        after = _annotations(other)
        assert _plain(after) == _plain(before)
        with other.reader() as session:
            assert session.scalar(select(func.count(Provenance.id))) >= 3 + len(before)
            src = resolve_source(session, before[0].source_sha256[:12])
            assert src.sha256 == before[0].source_sha256
            from workstation.sources.lookup import describe_source

            (came,) = describe_source(session, src)["bundles"]
            assert came["action"] == "added"
            assert came["bundle"] == opened.external_identifier
            assert came["signer"] is None
        # Searchable after the merge.
        from workstation.search.service import SearchService

        with other.reader() as session:
            hits = SearchService(session, other.search_index).search("Rajin")
        assert hits
        # The same bundle again changes nothing.
        with open_bundle(other, out) as opened:
            again = BundleMerger(other).merge(opened, accept_untrusted=True)
        assert again.already_imported
        with other.reader() as session:
            assert session.scalar(select(func.count(BundleImport.id))) == 1
        assert _plain(_annotations(other)) == _plain(before)
    finally:
        other.close()
    assert not list((tmp_path / "other" / "derived" / "bundle-staging").iterdir())


def test_changed_annotation_becomes_a_new_version(evidence: Library, tmp_path: Path) -> None:
    signer = _signer(evidence)
    first = tmp_path / "one.zip"
    _export(evidence, first, signer=signer)
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        _merge(other, first)
        target = next(a for a in _annotations(evidence) if a.note == "containers")
        second = tmp_path / "two.zip"
        _reexport_changed(evidence, target.uuid, "containers, 12 counted", second, signer=signer)
        summary = _merge(other, second)
        assert summary.annotations_updated == 1
        with other.reader() as session:
            from workstation.sources.lookup import describe_source

            src = resolve_source(session, target.source_sha256[:12])
            # The second bundle holds the same file: on record as "also in".
            assert [b["action"] for b in describe_source(session, src)["bundles"]] == [
                "added",
                "present",
            ]
        with other.reader() as session:
            got = AnnotationService(other).get(session, target.uuid)
            from db.models import Annotation

            row = session.scalar(select(Annotation).where(Annotation.uuid == target.uuid))
        assert got.note == "containers, 12 counted"
        assert row is not None
        assert row.version == 2
    finally:
        other.close()


def test_a_new_version_keeps_a_category_retired_here_and_gains_the_bundles_links(
    evidence: Library, tmp_path: Path
) -> None:
    from workstation.taxonomy.tree import deprecate_category

    signer = _signer(evidence)
    first = tmp_path / "one.zip"
    _export(evidence, first, signer=signer)
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        _merge(other, first)
        with other.writer() as session:
            deprecate_category(other, session, "arms.ammunition")  # retired here meanwhile
        target = next(a for a in _annotations(evidence) if "arms.ammunition" in a.categories)
        with evidence.writer() as session:
            port = add_entity(evidence, session, "location", "Rajin", aliases=["Najin"])
            link_annotation(evidence, session, target.uuid, port.uuid)
        second = tmp_path / "two.zip"
        _reexport_changed(evidence, target.uuid, "seen by three sources now", second, signer=signer)
        assert _merge(other, second).annotations_updated == 1
        with other.reader() as session:
            got = AnnotationService(other).get(session, target.uuid)
        assert got.note == "seen by three sources now"
        assert got.categories == ["arms.ammunition"]  # not dropped for being retired here
        with evidence.reader() as session:
            theirs = AnnotationService(evidence).get(session, target.uuid).entities
        assert port.uuid in theirs
        assert sorted(got.entities) == sorted(theirs)
    finally:
        other.close()


def test_unknown_categories_land_under_the_imported_branch_with_their_codes(
    evidence: Library, tmp_path: Path
) -> None:
    from workstation.taxonomy.tree import add_category, get_category, list_categories

    with evidence.writer() as session:
        add_category(evidence, session, "arms.drones", "Drones", legal_basis="UNSCR 1718 para 8")
        add_category(evidence, session, "fishing", "Fishing rights")
        add_category(evidence, session, "fishing.licences", "Sale of fishing licences")
        target = next(a for a in _annotations(evidence) if a.note == "containers")
        AnnotationService(evidence).update(
            session, target.uuid, categories=["arms.drones", "fishing.licences"]
        )
    out = tmp_path / "bundle.zip"
    _export(evidence, out)
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        summary = _merge(other, out)
        assert sorted(summary.categories_added) == [
            "arms.drones",
            "fishing",
            "fishing.licences",
            "imported",
        ]
        with other.reader() as session:
            parents = {
                node.code: node.parent
                for node in list_categories(session)
                if node.code in summary.categories_added
            }
            drones = get_category(session, "arms.drones")
            got = AnnotationService(other).get(session, target.uuid)
        # New arrivals are grouped for review; a chain keeps its shape under the branch.
        assert parents == {
            "imported": None,
            "arms.drones": "imported",
            "fishing": "imported",
            "fishing.licences": "fishing",
        }
        assert drones.label == "Drones"
        assert drones.legal_basis == "UNSCR 1718 para 8"
        assert sorted(got.categories) == ["arms.drones", "fishing.licences"]
        # A second bundle using the same codes adds nothing more.
        second = tmp_path / "two.zip"
        _reexport_changed(evidence, target.uuid, "changed", second)
        again = _merge(other, second)
        assert again.categories_added == []
    finally:
        other.close()


def test_unsigned_bundle_needs_consent(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    _export(evidence, out)
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with open_bundle(other, out) as opened:
            assert opened.trust == "unsigned"
            with pytest.raises(BundleError, match="not signed"):
                BundleMerger(other).merge(opened)
        with other.reader() as session:
            assert session.scalar(select(func.count(Source.id))) == 0
    finally:
        other.close()


def test_import_bundle_dry_run_shows_and_merges_nothing(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    _export(evidence, out, organisation="MSMT")
    other = tmp_path / "other"
    Library.open(other, reviewer="bob", create=True).close()
    r = run_cli("--library", str(other), "import-bundle", str(out), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "NOT signed" in r.stdout
    assert "3 source(s) (0 redacted)" in r.stdout
    assert "from: MSMT" in r.stdout
    assert "nothing merged" in r.stdout
    r = run_cli("--library", str(other), "import-bundle", str(out), "--dry-run", "--json")
    shown = json.loads(r.stdout)
    assert shown["merge"] is None
    assert shown["bundle"]["sources"] == 3
    lib = Library.open(other, reviewer="bob")
    try:
        _assert_nothing_merged(lib)
    finally:
        lib.close()
    # Then for real: one line on what came, and each source says where from.
    r = run_cli("--library", str(other), "import-bundle", str(out), "--accept-untrusted")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"imported {out}: NOT signed\n")
    r = run_cli("--library", str(other), "show", "1")
    assert "came in bundle " in r.stdout
    assert ", unsigned\n" in r.stdout


def test_tampered_payload_is_refused_and_leaves_nothing(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    _export(evidence, out)
    pdf = next((out / "data" / "sources").rglob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%tampered")
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with pytest.raises(BundleError, match="not valid"):
            open_bundle(other, out)
        _assert_nothing_merged(other)
    finally:
        other.close()


def test_zip_with_path_traversal_is_refused(evidence: Library, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    _export(evidence, out)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("../escaped.txt", b"owned")
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with pytest.raises(BundleError):
            open_bundle(other, evil)
    finally:
        other.close()
    assert not (tmp_path / "escaped.txt").exists()
    assert not list((tmp_path / "other" / "derived" / "bundle-staging").iterdir())


def _assert_nothing_merged(other: Library) -> None:
    with other.reader() as session:
        assert session.scalar(select(func.count(Source.id))) == 0
        assert session.scalar(select(func.count(BundleImport.id))) == 0
    assert not list((other.derived / "bundle-staging").iterdir())
    assert not list(other.blobs.iter_hashes())


@pytest.mark.parametrize("kind", sorted(bag_samples.HOSTILE))
def test_import_refuses_each_hostile_bundle_and_leaves_nothing(
    library: Library, tmp_path: Path, kind: str
) -> None:
    make, reason = bag_samples.HOSTILE[kind]
    path = make(tmp_path / f"{kind}.zip")
    with pytest.raises(BundleError, match="refusing") as caught:
        open_bundle(library, path)
    assert reason in str(caught.value)
    _assert_nothing_merged(library)
    assert not (tmp_path / "evil.txt").exists()


def test_import_bundle_with_a_swapped_signature_is_refused(
    signed_bundle: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, out, _ = signed_bundle
    tm = (out / "tagmanifest-sha256.txt").read_bytes()
    (out / "tagmanifest-sha256.txt.sig").write_bytes(Ed25519PrivateKey.generate().sign(tm))
    other = tmp_path / "other"
    Library.open(other, reviewer="bob", create=True).close()
    r = run_cli("--library", str(other), "import-bundle", str(out), "--accept-untrusted")
    assert r.returncode == 1, r.stdout
    assert "signature is bad" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # one clear line
    lib = Library.open(other, reviewer="bob")
    try:
        _assert_nothing_merged(lib)
    finally:
        lib.close()


def test_age_bundle_round_trip(evidence: Library, tmp_path: Path) -> None:
    from workstation.bundles.age import generate_identity

    secret, public = generate_identity()
    identity = tmp_path / "id.txt"
    identity.write_text(secret + "\n", encoding="utf-8")
    result = _export(evidence, tmp_path / "bundle", recipients=(public,))
    path = result.path  # type: ignore[attr-defined]
    assert path.name == "bundle.age"
    assert path.read_bytes().startswith(b"age-encryption.org/v1")
    if shutil.which("age") is not None:
        plain = tmp_path / "plain.zip"
        subprocess.run(["age", "-d", "-i", str(identity), "-o", str(plain), str(path)], check=True)
        unpacked = tmp_path / "unpacked"
        with zipfile.ZipFile(plain) as z:
            z.extractall(unpacked)
        (top,) = list(unpacked.iterdir())
        bagit.Bag(str(top)).validate()
    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    try:
        with pytest.raises(BundleError, match="identity"):
            open_bundle(other, path)
        with open_bundle(other, path, identity=identity) as opened:
            summary = BundleMerger(other).merge(opened, accept_untrusted=True)
        assert summary.sources_added == 3
    finally:
        other.close()


def test_age_identity_from_the_cli_receives_an_encrypted_bundle(
    evidence: Library, tmp_path: Path
) -> None:
    lib = str(evidence.root)
    evidence.close()
    identity = tmp_path / "me.age-identity"
    made = run_cli("--library", lib, "keys", "age-identity", "--out", str(identity))
    assert made.returncode == 0, made.stderr
    public = made.stdout.strip()
    assert public.startswith("age1")
    assert identity.stat().st_mode & 0o777 == 0o600  # a secret: the owner's only
    assert f"# public key: {public}" in identity.read_text(encoding="ascii")
    again = run_cli("--library", lib, "keys", "age-identity", "--out", str(identity))
    assert again.returncode == 1
    assert "already exists" in again.stderr

    out = tmp_path / "for-me"
    r = run_cli("--library", lib, "export", "--out", str(out), "--recipient", public)
    assert r.returncode == 0, r.stderr
    sealed = tmp_path / "for-me.age"
    r = run_cli("--library", lib, "verify", str(sealed), "--identity", str(identity), "--json")
    assert r.returncode == 4, r.stdout + r.stderr  # valid, but not signed
    assert json.loads(r.stdout)["valid"] is True
    assert json.loads(r.stdout)["verdict"] == "unsigned"
    if shutil.which("age") is not None:  # the standard tool reads the same identity file
        plain = tmp_path / "plain.zip"
        command = ["age", "-d", "-i", str(identity), "-o", str(plain), str(sealed)]
        subprocess.run(command, check=True)
        assert zipfile.is_zipfile(plain)


def test_profiles_from_the_cli(evidence: Library, tmp_path: Path) -> None:
    lib = str(evidence.root)
    evidence.close()
    r = run_cli(
        "--library",
        lib,
        "profiles",
        "add",
        "panel",
        "--marking",
        "UN PANEL ONLY",
        "--no-originals",
        "--keep-exif",
    )
    assert r.returncode == 0, r.stderr
    listed = json.loads(run_cli("--library", lib, "profiles", "list", "--json").stdout)
    panel = next(p for p in listed if p["name"] == "panel")
    assert panel["marking"] == "UN PANEL ONLY"
    assert panel["include_originals"] is False
    assert panel["strip_exif"] is False
    assert panel["apply_redactions"] is True
    assert any(p["name"] == "internal" for p in listed)  # the built-in ones are listed too
    partner = next(p for p in listed if p["name"] == "partner")  # the safer one (issue 14)
    assert partner["apply_redactions"] is True
    assert partner["strip_exif"] is True
    bad = run_cli("--library", lib, "export", "--out", str(tmp_path / "b"), "--profile", "nope")
    assert bad.returncode == 1
    assert bad.stderr.strip().endswith("(known: panel, partner, internal)")
    empty = run_cli("--library", lib, "profiles", "add", "blank", "--marking", "  ")
    assert empty.returncode == 1
    assert "\n" not in empty.stderr.strip()
    r = run_cli("--library", lib, "profiles", "remove", "panel")
    assert r.returncode == 0, r.stderr
    listed = json.loads(run_cli("--library", lib, "profiles", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["partner", "internal"]


def test_the_built_in_partner_profile_redacts_in_a_library_that_never_made_it(
    evidence: Library,
) -> None:
    plan = plan_export(evidence, ExportScope(), "partner")  # no --redact given
    assert plan.profile == PARTNER
    treatments = {s.filename: s.treatment for s in plan.sources}
    # Every source here has a redaction mark: none travels as its original.
    assert "original" not in treatments.values()
    assert treatments["report.pdf"] == "redacted"
    assert plan.redaction_count >= 3
