"""A small library holding a record of every audited kind, made through the services.

Sources (text, PDF, image with an OCR layer, paired with a later image) in a case,
annotations with tags and entity links, an entity with identifiers, a recipient
profile, a signing key, a finding with a letter and its reply, and a bundle merged
from a partner's library (bundle_imports and provenance rows), so the state-binding
tests can edit any audited table of a real library.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from db.models import Source
from tests import samples
from workstation.annotations.anchors import RegionAnchor, TextAnchor
from workstation.annotations.service import AnnotationService
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.import_ import BundleMerger, open_bundle
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import Profile, save_profile
from workstation.core.library import Library
from workstation.entities.register import add_entity, link_annotation
from workstation.findings.replies import ReplyService
from workstation.findings.service import FindingService
from workstation.geo.pairs import PairService
from workstation.keys.keyring import KeyService
from workstation.ocr.layers import OcrService, PageResult
from workstation.sources.ingest import ImportService


@dataclass(frozen=True)
class Made:
    """What the library holds, by audit key."""

    root: Path
    text_source: int
    pdf_source: int
    image_source: int
    note: str  # annotation uuid: a tagged passage with a note
    redaction: str  # annotation uuid: a redaction mark
    region: str  # annotation uuid: a region on the image
    entity: str  # entity uuid
    finding: str  # finding uuid


def build(folder: Path) -> Made:
    """Make the library in ``folder / 'lib'`` (inputs in ``folder / 'in'``)."""
    inputs = folder / "in"
    text = samples.make_text(
        inputs, name="memo.txt", text="The tanker CHON MA SAN (IMO 9074729) loaded at Nampo."
    )
    pdf = samples.make_pdf(inputs, pages=2, texts=["Annex 4: containers at Rajin.", "Page two."])
    image = samples.make_jpeg(inputs)
    # Georeferenced by a world file beside it: the source owns a georeferences row.
    samples.make_world_file(image, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75])
    image.with_suffix(".prj").write_text("EPSG:32652", encoding="ascii")
    mail = samples.make_eml(inputs)  # and its attachment: a source with a parent
    later = samples.make_jpeg(inputs, name="later.jpg", size=(320, 240))  # paired with image
    partner = _partner_bundle(folder)
    with Library.open(folder / "lib", reviewer="alice", create=True) as lib:
        paths = [text, pdf, image, mail, later]
        results = ImportService(lib).import_paths(paths, case="Rajin 2024")
        ids = {r.path: r.source_id for r in results.results if r.status == "imported"}
        assert len(ids) == 6, results.results
        t, p, i, i2 = (int(ids[str(path)] or 0) for path in (text, pdf, image, later))
        service = AnnotationService(lib)
        with lib.writer() as session:
            note = service.create(
                session,
                t,
                TextAnchor(1, 4, 25, "tanker CHON MA SAN (I"),
                categories=["maritime"],
                note="loaded at night",
            )
            redaction = service.create(
                session, p, TextAnchor(1, 0, 8, "Annex 4:"), categories=["arms"], redact=True
            )
            region = service.create(
                session, i, RegionAnchor("rect", ((1.0, 2.0), (20.0, 30.0))), categories=["arms"]
            )
            entity = add_entity(
                lib,
                session,
                "vessel",
                "CHON MA SAN",
                aliases=["Chon Ma San"],
                identifiers={"imo": "9074729"},
            )
            link_annotation(lib, session, note.uuid, entity.uuid)
            save_profile(lib, session, Profile("MSMT partners", "MSMT RELEASABLE"))
            KeyService(lib).generate(session, "alice's key", b"correct horse battery")
            finding = _finding(lib, session, [note.uuid, region.uuid], entity.uuid)
            PairService(lib).create(session, i, i2, note="before and after")
        _ocr_layer(lib, i)
        with open_bundle(lib, partner) as opened:
            BundleMerger(lib).merge(opened, accept_untrusted=True)
        return Made(
            folder / "lib", t, p, i, note.uuid, redaction.uuid, region.uuid, entity.uuid, finding
        )


def _ocr_layer(lib: Library, image: int) -> None:
    """An OCR layer on the image, as read (stored as data: no Tesseract model needed here)."""
    words: list[list[object]] = [["Rajin", 3.0, 4.0, 30.0, 12.0, 91.5, 0]]
    result = PageResult(1, "Rajin\n", words, 91.5, "eng", None, "image", 0.1)
    OcrService(lib, workers=1).save(
        image,
        [result],
        engine_version="tesseract 5.5.4",
        models={"eng": "eng.traineddata sha256:0"},
        languages="eng",
        settings={},
    )


def _finding(lib: Library, session: object, annotations: list[str], entity: str) -> str:
    """A finding with evidence, an entity, a comment and a review step (the findings service)."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    service = FindingService(lib)
    row = service.create(
        session,
        title="Munitions loaded at Rajin",
        claim="Containers of artillery shells were loaded at Rajin.",
        entities=[entity],
        places=["Rajin"],
        period_from="2024-03",
        confidence_term="likely",
    )
    service.add_evidence(session, row.uuid, annotations)
    service.comment(session, row.uuid, "The second image needs a date.")
    service.submit(session, row.uuid)
    replies = ReplyService(lib)
    letter = replies.add_letter(
        session, row, addressee="Rajin port authority", sent="2024-04-02", deadline="2024-05-02"
    )
    replies.record_reply(session, letter.uuid, received="2024-04-20", text="No comment.")
    return row.uuid


def _partner_bundle(folder: Path) -> Path:
    """A bundle exported from another library: one source with one annotation."""
    theirs = folder / "partner"
    report = samples.make_pdf(folder / "partner-in", pages=1, texts=["Tanker seen off Vanino."])
    with Library.open(theirs, reviewer="partner", create=True) as lib:
        (result,) = ImportService(lib).import_paths([report]).results
        assert result.source_id is not None
        with lib.writer() as session:
            AnnotationService(lib).create(
                session, result.source_id, TextAnchor(1, 0, 6, "Tanker"), categories=["petroleum"]
            )
        out = folder / "partner-bundle"
        BundleExporter(lib).export(plan_export(lib, ExportScope()), ExportOptions(out=out))
    return out


def copy_library(made: Made, target: Path) -> Path:
    """A copy of the library folder to tamper with (the original stays clean)."""
    shutil.copytree(made.root, target)
    return target


def sql(root: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Edit the database behind the program's back, as anyone with sqlite3 could."""
    with sqlite3.connect(root / "library.sqlite") as raw:
        for statement in statements:
            raw.execute(statement, params)
    raw.close()


def source_key(root: Path, sha256: str) -> str:
    """The audit key of the source holding ``sha256``."""
    with Library.open(root, reviewer="alice") as lib, lib.reader() as session:
        found = session.scalar(select(Source.id).where(Source.sha256 == sha256))
    assert found is not None
    return str(found)
