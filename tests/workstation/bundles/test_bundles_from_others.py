"""Bundles from others, on real libraries and real bundles: a bundle never overwrites what
it did not create, a bag is checked before a byte of its payload is copied, ``verify``
says in its exit status what it found, and malformed case.json / annotations.jsonld get
one clear line each."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import BundleImport, Entity, Source
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from tests.workstation.bundles import bag_samples
from tests.workstation.bundles.refusals import assert_refused_in_one_line
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.errors import BundleError
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.import_ import BundleMerger, MergeSummary, open_bundle
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.signing import signature_files
from workstation.core.library import Library
from workstation.core.progress import Progress
from workstation.entities.register import add_entity, update_entity
from workstation.keys.keyring import KeyService, Signer
from workstation.sources.ingest import ImportService

PASSPHRASE = b"correct horse battery"
QUOTE = "Kim Chol-su"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """One PDF both libraries import: the same bytes, so the same source."""
    return samples.make_pdf(
        tmp_path / "shared",
        pages=1,
        texts=[f"Informant {QUOTE} reported shells at Rajin."],
        name="report.pdf",
    )


def _open(path: Path, reviewer: str, report: Path | None = None) -> Library:
    lib = Library.open(path, reviewer=reviewer, create=True)
    if report is not None:
        ImportService(lib).import_paths([report])
    return lib


@pytest.fixture
def ours(tmp_path: Path, report: Path) -> Iterator[Library]:
    lib = _open(tmp_path / "ours", "alice", report)
    yield lib
    lib.close()


@pytest.fixture
def theirs(tmp_path: Path, report: Path) -> Iterator[Library]:
    lib = _open(tmp_path / "theirs", "partner", report)
    yield lib
    lib.close()


def _signer(lib: Library, name: str) -> Signer:
    keys = KeyService(lib)
    with lib.writer() as session:
        made = keys.generate(session, name, PASSPHRASE)
    with lib.reader() as session:
        return keys.signer(session, made.fingerprint, PASSPHRASE)


def _know(receiver: Library, sender: Library, signer: Signer, *, trusted: bool) -> None:
    with sender.reader() as session:
        pem = KeyService(sender).export_public(session, signer.fingerprint)
    with receiver.writer() as session:
        KeyService(receiver).import_public(session, pem, "Partner", trusted=trusted)


def _export(lib: Library, out: Path, signer: Signer | None = None) -> Path:
    plan = plan_export(lib, ExportScope())
    BundleExporter(lib).export(plan, ExportOptions(out=out, signer=signer))
    return out


def _merge(lib: Library, bundle: Path) -> MergeSummary:
    with open_bundle(lib, bundle) as opened:
        return BundleMerger(lib).merge(opened, accept_untrusted=True)


def _mark(lib: Library, **kw: Any) -> str:
    service = AnnotationService(lib)
    with lib.writer() as session:
        source = session.scalar(select(Source))
        assert source is not None
        return service.create(session, source.id, find_quote(session, source, QUOTE), **kw).uuid


def _edit(lib: Library, uuid: str, **kw: Any) -> None:
    with lib.writer() as session:
        AnnotationService(lib).update(session, uuid, **kw)


def _get(lib: Library, uuid: str) -> Any:
    with lib.reader() as session:
        return AnnotationService(lib).get(session, uuid)


# --- a bundle never overwrites what it did not create -----------------------------------


def test_a_bundle_cannot_clear_a_local_redaction_mark_by_reusing_its_uuid(
    ours: Library, theirs: Library, tmp_path: Path
) -> None:
    uuid = _mark(ours, redact=True, note="protect the informant")
    # The other side makes a mark with the same UUID, not redacted, and signs it with a
    # key we do not trust (merged anyway: --accept-untrusted is a common habit).
    service = AnnotationService(theirs)
    with theirs.writer() as session:
        source = session.scalar(select(Source))
        assert source is not None
        anchor = find_quote(session, source, QUOTE)
        service.create(session, source.id, anchor, note="nothing to hide", annotation_uuid=uuid)
    bundle = _export(theirs, tmp_path / "bundle.zip", _signer(theirs, "Mallory"))
    summary = _merge(ours, bundle)
    assert summary.annotations_updated == 0
    assert [(c["kind"], c["uuid"]) for c in summary.conflicts] == [("annotation", uuid)]
    assert "made in this library" in summary.conflicts[0]["reason"]
    kept = _get(ours, uuid)
    assert kept.redact is True
    assert kept.note == "protect the informant"
    with ours.reader() as session:
        row = session.scalar(select(BundleImport))
        assert row is not None
        assert row.summary["conflicts"][0]["uuid"] == uuid


def test_import_bundle_json_reports_the_conflict(
    ours: Library, theirs: Library, tmp_path: Path
) -> None:
    uuid = _mark(ours, redact=True)
    service = AnnotationService(theirs)
    with theirs.writer() as session:
        source = session.scalar(select(Source))
        assert source is not None
        service.create(session, source.id, find_quote(session, source, QUOTE), annotation_uuid=uuid)
    bundle = _export(theirs, tmp_path / "bundle")
    lib = str(ours.root)
    ours.close()
    r = run_cli_subprocess("--library", lib, "import-bundle", str(bundle), "--accept-untrusted")
    assert r.returncode == 0, r.stderr
    assert "1 conflict(s): the bundle did not change what it did not create" in r.stdout
    assert f"annotation {uuid}: " in r.stdout
    # Another bundle with the same content: the JSON carries the conflicts too.
    again = _export(theirs, tmp_path / "again.zip")
    r = run_cli("--library", lib, "import-bundle", str(again), "--accept-untrusted", "--json")
    assert r.returncode == 0, r.stderr
    conflicts = json.loads(r.stdout)["merge"]["conflicts"]
    assert [c["uuid"] for c in conflicts] == [uuid]
    reopened = Library.open(Path(lib), reviewer="alice")
    try:
        assert _get(reopened, uuid).redact is True
    finally:
        reopened.close()


def test_replaying_an_older_signed_bundle_does_not_roll_back(
    ours: Library, theirs: Library, tmp_path: Path
) -> None:
    signer = _signer(theirs, "Partner")
    _know(ours, theirs, signer, trusted=True)
    uuid = _mark(theirs, note="first reading")
    older = _export(theirs, tmp_path / "older.zip", signer)
    _edit(theirs, uuid, note="second reading, corrected")
    newer = _export(theirs, tmp_path / "newer.zip", signer)
    assert _merge(ours, newer).annotations_added == 1
    summary = _merge(ours, older)  # an old bundle, validly signed, sent again
    assert summary.annotations_updated == 0
    (conflict,) = summary.conflicts
    assert conflict["uuid"] == uuid
    assert "is not newer than the one here" in conflict["reason"]
    assert _get(ours, uuid).note == "second reading, corrected"


def test_the_same_signers_newer_version_updates_but_not_over_a_local_edit(
    ours: Library, theirs: Library, tmp_path: Path
) -> None:
    signer = _signer(theirs, "Partner")
    _know(ours, theirs, signer, trusted=True)
    uuid = _mark(theirs, note="v1")
    _merge(ours, _export(theirs, tmp_path / "v1.zip", signer))
    _edit(theirs, uuid, note="v2")
    assert _merge(ours, _export(theirs, tmp_path / "v2.zip", signer)).annotations_updated == 1
    assert _get(ours, uuid).note == "v2"
    # A reviewer here changes it; the sender's next version must not undo that.
    _edit(ours, uuid, note="v2, checked against the port log here")
    _edit(theirs, uuid, note="v3")
    summary = _merge(ours, _export(theirs, tmp_path / "v3.zip", signer))
    assert summary.annotations_updated == 0
    assert "changed in this library since" in summary.conflicts[0]["reason"]
    assert _get(ours, uuid).note == "v2, checked against the port log here"
    # And another signer, trusted or not, cannot update what the partner sent.
    _edit(theirs, uuid, note="v4")
    forged = _export(theirs, tmp_path / "v4.zip", _signer(theirs, "Someone else"))
    assert "another sender" in _merge(ours, forged).conflicts[0]["reason"]


def test_entities_follow_the_same_rule(ours: Library, theirs: Library, tmp_path: Path) -> None:
    signer = _signer(theirs, "Partner")
    _know(ours, theirs, signer, trusted=True)
    uuid = _mark(theirs)
    with theirs.writer() as session:
        vessel = add_entity(theirs, session, "vessel", "AMBER TIDE", identifiers={"imo": "9074729"})
        from workstation.entities.register import link_annotation

        link_annotation(theirs, session, uuid, vessel.uuid)
    assert _merge(ours, _export(theirs, tmp_path / "one.zip", signer)).entities_added == 1
    with theirs.writer() as session:
        update_entity(theirs, session, vessel.uuid, name="AMBER TIDE II", aliases=["AMBER"])
    summary = _merge(ours, _export(theirs, tmp_path / "two.zip", signer))
    assert summary.entities_updated == 1
    with ours.reader() as session:
        here = session.scalar(select(Entity).where(Entity.uuid == vessel.uuid))
        assert here is not None
        assert (here.name, here.aliases) == ("AMBER TIDE II", ["AMBER"])
    # Renamed here: the partner's next rename is a conflict, ours stays.
    with ours.writer() as session:
        update_entity(ours, session, vessel.uuid, name="AMBER TIDE (ex-SEA STAR)")
    with theirs.writer() as session:
        update_entity(theirs, session, vessel.uuid, name="AMBER TIDE III")
    summary = _merge(ours, _export(theirs, tmp_path / "three.zip", signer))
    assert [c["kind"] for c in summary.conflicts] == ["entity"]
    with ours.reader() as session:
        assert session.scalar(select(Entity.name).where(Entity.uuid == vessel.uuid)) == (
            "AMBER TIDE (ex-SEA STAR)"
        )


# --- the manifests and signature are checked before anything large is copied -------------


def test_an_unlisted_payload_file_is_refused_before_a_byte_is_written(
    ours: Library, tmp_path: Path
) -> None:
    bundle = bag_samples.zip_with_sparse_entry(
        tmp_path / "huge.zip", bag_samples.bag_members(), "data/huge.bin", 8 << 30
    )
    assert bundle.stat().st_size > 8 << 30  # 8 GiB declared, stored...
    assert bundle.stat().st_blocks * 512 < 1 << 20  # ...and a hole on disk
    staging = ours.derived / "bundle-staging"
    copied: list[Progress] = []

    def progress(p: Progress) -> None:
        if (p.current or "").startswith("unpacking"):
            copied.append(p)
            raise AssertionError("payload was being copied before the manifests were checked")

    with pytest.raises(BundleError) as refused:
        open_bundle(ours, bundle, progress=progress)
    assert copied == []
    assert "data/huge.bin is not listed in manifest-sha256.txt" in str(refused.value)
    assert list(staging.iterdir()) == []
    with ours.reader() as session:
        assert session.scalar(select(func.count(BundleImport.id))) == 0


def test_the_cli_refuses_an_unlisted_payload_in_one_line(ours: Library, tmp_path: Path) -> None:
    bundle = bag_samples.zip_with_sparse_entry(
        tmp_path / "huge.zip", bag_samples.bag_members(), "data/huge.bin", 8 << 30
    )
    lib = str(ours.root)
    ours.close()
    r = run_cli_subprocess("--library", lib, "import-bundle", str(bundle), "--accept-untrusted")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1
    assert "refusing huge.zip" in r.stderr
    assert "not listed" in r.stderr
    assert list((Path(lib) / "derived" / "bundle-staging").iterdir()) == []


# --- verify's exit status says what it found ----------------------------------------------


@pytest.fixture
def signed(theirs: Library, tmp_path: Path) -> tuple[Path, Signer]:
    signer = _signer(theirs, "Partner")
    return _export(theirs, tmp_path / "signed", signer), signer


def _verify(lib: Library | None, bundle: Path, *extra: str) -> Any:
    where = ("--library", str(lib.root)) if lib is not None else ()
    return run_cli(*where, "verify", str(bundle), *extra)


def test_verify_exit_codes_say_trusted_unsigned_untrusted_or_invalid(
    ours: Library, theirs: Library, signed: tuple[Path, Signer], tmp_path: Path
) -> None:
    bundle, signer = signed
    unknown = _verify(ours, bundle)
    assert unknown.returncode == 5, unknown.stdout
    assert "signer UNKNOWN" in unknown.stdout
    _know(ours, theirs, signer, trusted=False)
    known = _verify(ours, bundle, "--json")
    assert known.returncode == 5
    assert json.loads(known.stdout)["trust"] == "known"
    assert json.loads(known.stdout)["verdict"] == "untrusted"
    with ours.writer() as session:
        KeyService(ours).trust(session, signer.fingerprint)
    trusted = _verify(ours, bundle)
    assert trusted.returncode == 0, trusted.stdout
    assert "signer trusted" in trusted.stdout
    unsigned = _export(theirs, tmp_path / "unsigned.zip")
    r = _verify(ours, unsigned)
    assert r.returncode == 4
    assert "not signed" in r.stdout
    (bundle / "data" / "case.json").write_text("{}", encoding="utf-8")
    r = run_cli_subprocess("--library", str(ours.root), "verify", str(bundle))
    assert r.returncode == 1
    assert "INVALID" in r.stdout


def test_signature_files_without_a_tag_manifest_are_invalid(
    ours: Library, signed: tuple[Path, Signer]
) -> None:
    bundle, _ = signed
    (bundle / "tagmanifest-sha256.txt").unlink()
    r = run_cli_subprocess("--library", str(ours.root), "verify", str(bundle), "--json")
    assert r.returncode == 1, r.stdout
    verdict = json.loads(r.stdout)
    assert verdict["valid"] is False
    assert any("no tagmanifest-sha256.txt" in p for p in verdict["problems"])
    with pytest.raises(BundleError, match="signature"):
        open_bundle(ours, bundle)


def test_a_tag_manifest_that_leaves_out_a_tag_file_is_invalid_even_with_a_good_signature(
    ours: Library, theirs: Library, signed: tuple[Path, Signer]
) -> None:
    bundle, signer = signed
    _know(ours, theirs, signer, trusted=True)
    # Drop bag-info.txt from the tag manifest and sign that again with the real key:
    # the signature is good, but bag-info.txt (marking, audit head) is unprotected.
    tagmanifest = bundle / "tagmanifest-sha256.txt"
    lines = tagmanifest.read_text(encoding="utf-8").splitlines(keepends=True)
    tagmanifest.write_text(
        "".join(line for line in lines if not line.rstrip().endswith(" bag-info.txt")),
        encoding="utf-8",
    )
    for name, data in signature_files(signer, tagmanifest.read_bytes()).items():
        (bundle / name).write_bytes(data)
    r = _verify(ours, bundle)
    assert r.returncode == 1, r.stdout
    assert "tagmanifest-sha256.txt does not cover bag-info.txt" in r.stdout
    with pytest.raises(BundleError, match="does not cover bag-info.txt"):
        open_bundle(ours, bundle)


# --- malformed case.json and annotations.jsonld --------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000


def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "bundle": {"id": "urn:uuid:x", "created": "2024-01-01T00:00:00Z"},
        "case": {"name": "Rajin"},
        "sources": [],
        "categories": [],
        "entities": [],
        "findings": [],
    }
    case.update(changes)
    return case


ANNOTATIONS = {"type": "AnnotationCollection", "first": {"items": []}}

MALFORMED: dict[str, tuple[str, Callable[[], str | bytes], str]] = {
    "case-not-an-object": (
        "case.json",
        (lambda: "[]"),
        "case.json must be a JSON object, not an array",
    ),
    "case-wrong-type": (
        "case.json",
        (lambda: json.dumps(_case(case="Rajin"))),
        "case.json: case must be an object or null, not a string",
    ),
    "source-wrong-type": (
        "case.json",
        (lambda: json.dumps(_case(sources=[{"sha256": 5, "bundle_path": "data/x"}]))),
        "case.json: sources[0].sha256 must be a string, not a number",
    ),
    "source-missing-key": (
        "case.json",
        (lambda: json.dumps(_case(sources=[{"sha256": "a" * 64}]))),
        "case.json: sources[0] has no 'bundle_path'",
    ),
    "entity-aliases": (
        "case.json",
        (
            lambda: json.dumps(
                _case(entities=[{"uuid": "u", "name": "n", "kind": "vessel", "aliases": "x"}])
            )
        ),
        "case.json: entities[0].aliases must be an array, not a string",
    ),
    "finding-status": (
        "case.json",
        (lambda: json.dumps(_case(findings=[{"uuid": "u", "title": "t", "status": "done"}]))),
        "case.json: findings[0].status must be one of draft, in_review, confirmed, rejected",
    ),
    "finding-evidence-role": (
        "case.json",
        (
            lambda: json.dumps(
                _case(
                    findings=[
                        {
                            "uuid": "u",
                            "title": "t",
                            "status": "draft",
                            "evidence": [{"annotation": "x", "role": "proves"}],
                        }
                    ]
                )
            )
        ),
        "case.json: findings[0].evidence[0].role must be one of supports, contradicts, context",
    ),
    "finding-number": (
        "case.json",
        (
            lambda: json.dumps(
                _case(findings=[{"uuid": "u", "title": "t", "status": "draft", "number": "F-1"}])
            )
        ),
        "case.json: findings[0].number must be a positive whole number",
    ),
    "finding-review-step": (
        "case.json",
        (
            lambda: json.dumps(
                _case(
                    findings=[
                        {"uuid": "u", "title": "t", "status": "draft", "review": [{"action": 1}]}
                    ]
                )
            )
        ),
        "case.json: findings[0].review[0].action must be a string, not a number",
    ),
    "no-sources": ("case.json", (lambda: json.dumps({"case": None})), "case.json lists no sources"),
    "case-deep": ("case.json", (lambda: DEEP), "nests arrays or objects deeper than 64 levels"),
    "case-deep-inside": (
        "case.json",
        (lambda: json.dumps(_case(findings=[json.loads("[" * 100 + "]" * 100)]))),
        "case.json: findings[0]",
    ),
    "case-huge-string": (
        "case.json",
        (
            lambda: json.dumps(
                _case(sources=[{"sha256": "a" * 64, "bundle_path": "d", "title": "x" * (50 << 20)}])
            )
        ),
        "case.json: the text at sources[0].title is 52,428,800 characters long",
    ),
    "case-not-utf8": ("case.json", (lambda: b"\xff\xfe{}"), "data/case.json is not UTF-8"),
    "annotations-first": (
        "annotations.jsonld",
        (lambda: json.dumps({"type": "AnnotationCollection", "first": "x"})),
        "annotations.jsonld: first must be an object, not a string",
    ),
    "annotations-item": (
        "annotations.jsonld",
        (lambda: json.dumps({"type": "AnnotationCollection", "first": {"items": [{"type": 5}]}})),
        "annotations.jsonld item 1",
    ),
    "annotations-deep": ("annotations.jsonld", (lambda: DEEP), "deeper than 64 levels"),
    "annotations-huge-note": (
        "annotations.jsonld",
        (
            lambda: json.dumps(
                {"type": "AnnotationCollection", "first": {"items": [{"body": "y" * (50 << 20)}]}}
            )
        ),
        "is 52,428,800 characters long",
    ),
}


def _bag_with(tmp_path: Path, name: str, content: str | bytes) -> Path:
    files = {
        "data/case.json": json.dumps(_case()).encode(),
        "data/annotations.jsonld": json.dumps(ANNOTATIONS).encode(),
    }
    files[f"data/{name}"] = content.encode() if isinstance(content, str) else content
    return bag_samples.write_folder(tmp_path / "bag", bag_samples.bag_members(files))


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_json_gets_one_clear_line(ours: Library, tmp_path: Path, case: str) -> None:
    name, content, expected = MALFORMED[case]
    bag = _bag_with(tmp_path, name, content())
    assert_refused_in_one_line(ours, bag, expected)


@pytest.mark.parametrize(
    "case", ["case-deep", "case-huge-string", "source-wrong-type", "finding-status"]
)
def test_the_cli_says_so_in_one_short_line(ours: Library, tmp_path: Path, case: str) -> None:
    name, content, expected = MALFORMED[case]
    bag = _bag_with(tmp_path, name, content())
    lib = str(ours.root)
    ours.close()
    r = run_cli_subprocess("--library", lib, "import-bundle", str(bag), "--dry-run")
    assert r.returncode == 1
    assert r.stderr.startswith("workstation: ")
    assert "internal error" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert len(r.stderr) < 400
    assert expected in r.stderr
    shutil.rmtree(bag)
