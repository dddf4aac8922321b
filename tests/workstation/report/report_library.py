"""A library for report tests: the demo library (F-0001 confirmed, F-0002 in review with
a letter) plus F-0003, F-0004 (a draft on F-0003's region) and F-0005 (rejected), made
here through the services. F-0003 carries what the demo does not: graded sources, three
sources in two independent groups (one publisher), a region on the satellite picture, a
confirmation that overrode the policy, and a letter whose deadline passed without a
reply; F-0001 gets a letter that was answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from db.models import Annotation, Source
from tests.conftest import run_cli
from workstation.core.library import Library
from workstation.demo.findings import SECOND_REVIEWER
from workstation.entities.register import find_entities
from workstation.findings.policy import Policy
from workstation.findings.replies import ReplyService
from workstation.findings.service import FindingService
from workstation.sources.lookup import update_source

AUTHOR = "Reviewer A (demo)"
TODAY = date(2026, 5, 1)
"""The day deadlines are judged on in these tests: after F-0003's deadline."""
OVERRIDE = "the satellite picture shows the transfer itself"
STATE = "Democratic People's Republic of Korea"
OWNER = "Nampo Tanker Management Co."
DRAFT_TITLE = "Containers stacked at Rajin"
REJECTED_TITLE = "A rumour from the quay"
SUMMARY = "denies that AMBER TIDE was off Nampo in May 2025"


@dataclass(frozen=True)
class Facts:
    """What the tests look for in the report."""

    root: Path
    article_sha: str  # graded B2
    image_sha: str  # graded A1
    crop_box: str


def build(root: Path) -> Facts:
    """Make the library at ``root`` and return what its report must show."""
    done = run_cli("--reviewer", AUTHOR, "demo", "--library", str(root), "--no-gui")
    assert done.returncode == 0, done.stderr
    with Library.open(root, reviewer=AUTHOR) as lib, lib.writer() as session:
        article = session.scalar(select(Source).where(Source.title.like("Tanker seen%")))
        feeder = session.scalar(select(Source).where(Source.title.like("Feeder ship%")))
        image = session.scalar(select(Source).where(Source.kind == "image"))
        assert article is not None
        assert feeder is not None
        assert image is not None
        update_source(lib, session, article.id, grade="B2")
        update_source(lib, session, image.id, grade="A1")
        # One publisher: the feeder story and the tanker story count once.
        update_source(lib, session, feeder.id, publisher=article.publisher)

        def mark(source: Source, kind: str) -> Annotation:
            row = session.scalar(
                select(Annotation)
                .where(Annotation.source_id == source.id, Annotation.anchor_kind == kind)
                .order_by(Annotation.id)
            )
            assert row is not None
            return row

        region = mark(image, "region")
        service = FindingService(lib)
        vessel = [e.uuid for e in find_entities(session, "AMBER TIDE", "vessel")][:1]
        row = service.create(
            session,
            title="AMBER TIDE seen alongside at Rajin",
            category="maritime",
            claim="AMBER TIDE was photographed alongside a DPRK tanker at Rajin in April 2025.",
            entities=vessel,
            places=["Rajin"],
            period_from="2025-04-28",
            confidence_term="highly likely",
            case="Demo: Rajin port",
        )
        service.add_evidence(
            session,
            row.uuid,
            [region.uuid, mark(article, "text").uuid, mark(feeder, "text").uuid],
        )
        service.submit(session, row.uuid)
        service.set_policy(session, Policy(3))
        # F-0004, a draft on the same region: one image of the annex serves both.
        draft = service.create(session, title=DRAFT_TITLE, category="maritime")
        service.add_evidence(session, draft.uuid, [region.uuid])
        # F-0005, rejected by the second reviewer: never reported.
        rejected = service.create(session, title=REJECTED_TITLE, category="maritime")
        service.submit(session, rejected.uuid)
        ReplyService(lib).add_letter(
            session, row, addressee=STATE, sent="2026-03-03", deadline="2026-04-03"
        )
        first = service.resolve(session, "F-0001")
        letter = ReplyService(lib).add_letter(
            session, first, addressee=OWNER, sent="2026-03-03", deadline="2026-04-03"
        )
        ReplyService(lib).record_reply(
            session, letter.uuid, received="2026-03-20", text="(letter)", summary=SUMMARY
        )
        points = (region.geometry or {})["points"]
        x, y = min(p[0] for p in points), min(p[1] for p in points)
        w, h = max(p[0] for p in points) - x, max(p[1] for p in points) - y
        facts = Facts(
            root, article.sha256, image.sha256, f"box x {x:.0f}, y {y:.0f}, {w:.0f} × {h:.0f}"
        )
    with Library.open(root, reviewer=SECOND_REVIEWER) as lib, lib.writer() as session:
        FindingService(lib).confirm(session, "F-0003", override_reason=OVERRIDE)
        FindingService(lib).reject(session, "F-0005", reason="one source only")
        FindingService(lib).set_policy(session, Policy(2))
    return facts
