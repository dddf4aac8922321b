"""Linked entities appear against their marks in the bundle's dossier (issue 14):
a vessel linked to a passage is named under it with its identifiers; a redacted
mark shows no links (they would say whom the passage names), and an entity whose
name is redacted is named nowhere."""

from __future__ import annotations

from pathlib import Path

import pymupdf
from sqlalchemy import select

from db.models import Source
from tests import samples
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import Profile, save_profile
from workstation.core.library import Library
from workstation.entities.register import add_entity, link_annotation
from workstation.sources.ingest import ImportService

SECRET = "Kim Chol-su"
TEXT = f"Informant {SECRET} reported\nthat AMBER TIDE loaded coal at Nampo.\nNo more."


def _dossier_text(library: Library, tmp_path: Path, profile: str | None) -> str:
    out = tmp_path / f"bundle-{profile}"
    plan = plan_export(library, ExportScope(), profile)
    BundleExporter(library).export(plan, ExportOptions(out=out))
    with pymupdf.open(out / "data" / "report.pdf") as doc:
        return " ".join(" ".join(page.get_text() for page in doc).split())


def test_entities_are_named_against_their_marks(library: Library, tmp_path: Path) -> None:
    samples.make_pdf(tmp_path / "in", texts=[TEXT], name="report.pdf")
    ImportService(library).import_paths([tmp_path / "in"])
    service = AnnotationService(library)
    with library.writer() as session:
        pdf = session.scalar(select(Source))
        assert pdf is not None
        secret = service.create(session, pdf.id, find_quote(session, pdf, SECRET), redact=True)
        coal = service.create(
            session, pdf.id, find_quote(session, pdf, "AMBER TIDE loaded coal"), note="coal"
        )
        vessel = add_entity(
            library, session, "vessel", "AMBER TIDE", identifiers={"imo": "9074729"}
        )
        person = add_entity(library, session, "person", SECRET)
        link_annotation(library, session, coal.uuid, vessel.uuid)
        link_annotation(library, session, secret.uuid, person.uuid)
        link_annotation(library, session, secret.uuid, vessel.uuid)
        save_profile(library, session, Profile("partner", "RESTRICTED"))

    inside = _dossier_text(library, tmp_path, None)  # internal: nothing redacted
    assert inside.count("Entities:") == 2
    assert "AMBER TIDE (vessel, IMO 9074729)" in inside
    assert f"{SECRET} (person)" in inside

    shared = _dossier_text(library, tmp_path, "partner")
    # The coal mark's block names its vessel, before its note.
    block = shared[shared.index("AMBER TIDE loaded coal") - 200 :]
    assert block.index("Entities: AMBER TIDE (vessel, IMO 9074729)") < block.index("Note: coal")
    assert shared.count("Entities:") == 1  # the redacted mark shows none
    assert SECRET not in shared
