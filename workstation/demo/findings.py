"""The two findings of the demo library: what the marks are for.

One is confirmed: the Nampo transfer, written by the demo reviewer on the report and the
news article (two independent sources, so the policy is met) and confirmed by a second
reviewer, as four eyes require, with a signed confirmation. The other is in review with a
right-of-reply letter sent to the company concerned, its deadline still ahead. Both go
through the services, so the audit trail records them; a library that already holds
findings is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Annotation, Finding, Source
from workstation.core.library import Library
from workstation.entities.register import find_entities
from workstation.findings.policy import number_label
from workstation.findings.replies import ReplyService, today_utc
from workstation.findings.service import FindingService
from workstation.keys.keyring import KeyService, Signer

#: The second reviewer who confirms the demo reviewer's finding.
SECOND_REVIEWER = "Reviewer B (demo)"
COMPANY = "Primorye Coastal Logistics LLC"


@dataclass(frozen=True)
class DemoFinding:
    """A finding the demo made, for the printed summary."""

    number: str
    title: str
    status: str
    note: str


def _mark(session: Session, title: str, quote: str) -> str | None:
    """The uuid of the demo mark on ``quote`` in the source titled ``title...``."""
    return session.scalar(
        select(Annotation.uuid)
        .join(Source, Source.id == Annotation.source_id)
        .where(Source.title.like(f"{title}%"), Annotation.exact.like(f"%{quote}%"))
        .order_by(Annotation.id)
    )


def _entity(session: Session, name: str, kind: str) -> list[str]:
    return [e.uuid for e in find_entities(session, name, kind) if e.name == name][:1]


def make_demo_findings(library: Library, *, today: date | None = None) -> list[DemoFinding]:
    """Make the demo findings; returns them, or [] when the library has findings or the
    demo marks they rest on are missing.

    Args:
        library: the demo library, its marks made (``mark_demo``).
        today: the day the letter's dates are counted from (default: today in UTC).
    """
    day = today or today_utc()
    service = FindingService(library)
    with library.writer() as session:
        if session.scalar(select(func.count(Finding.id))):
            return []
        report = _mark(session, "Demo monitoring report", "ship-to-ship transfer")
        article = _mark(session, "Tanker seen alongside", "DPRK-flagged AMBER TIDE")
        shells = _mark(session, "Demo monitoring report", "held artillery shells")
        feeder = _mark(session, "Feeder ship returns", "called at Rajin port")
        if None in (report, article, shells, feeder):
            return []
        transfer = service.create(
            session,
            title="AMBER TIDE ship-to-ship transfer off Nampo",
            category="petroleum",
            claim=(
                "The DPRK-flagged tanker AMBER TIDE took part in a ship-to-ship transfer of "
                "refined petroleum off Nampo in May 2025."
            ),
            entities=_entity(session, "AMBER TIDE", "vessel"),
            places=["Nampo"],
            period_from="2025-05",
            confidence_term="likely",
            case="Demo: Rajin port",
        )
        service.add_evidence(session, transfer.uuid, [str(report), str(article)])
        service.submit(session, transfer.uuid)
        shuttle = service.create(
            session,
            title="Artillery shells shipped from Rajin on NORTHERN LANTERN",
            category="arms.ammunition",
            claim=(
                "Containers of artillery shells were loaded at Rajin onto NORTHERN LANTERN, "
                "operated by Primorye Coastal Logistics LLC."
            ),
            entities=_entity(session, "NORTHERN LANTERN", "vessel")
            + _entity(session, COMPANY, "company"),
            places=["Rajin"],
            period_from="2025",
            confidence_term="realistic possibility",
            case="Demo: Rajin port",
        )
        service.add_evidence(session, shuttle.uuid, [str(shells), str(feeder)])
        service.submit(session, shuttle.uuid)
        sent = day - timedelta(days=7)
        ReplyService(library).add_letter(
            session,
            shuttle,
            addressee=COMPANY,
            addressee_kind="company",
            sent=sent.isoformat(),
            deadline=(sent + timedelta(days=60)).isoformat(),
            reference="DEMO/PE/2025/17",
        )
        transfer_uuid, shuttle_number = transfer.uuid, number_label(shuttle.number)
    second = Library.open(library.root, reviewer=SECOND_REVIEWER)
    try:
        # Reviewer B signs with a key of their own laptop: only its public part is
        # kept here, trusted, as a partner's key would be after comparing fingerprints.
        signer = Signer(Ed25519PrivateKey.generate(), SECOND_REVIEWER)
        with second.writer() as session:
            KeyService(second).import_public(
                session, signer.public_pem, SECOND_REVIEWER, trusted=True
            )
            confirmed = FindingService(second).confirm(session, transfer_uuid, signer=signer)
            transfer_number = number_label(confirmed.number)
            badge = FindingService(second).show(session, transfer_uuid).badge
    finally:
        second.close()
    return [
        DemoFinding(
            transfer_number,
            "AMBER TIDE ship-to-ship transfer off Nampo",
            "confirmed",
            f"{badge}, confirmed by {SECOND_REVIEWER}, signature valid",
        ),
        DemoFinding(
            shuttle_number,
            "Artillery shells shipped from Rajin on NORTHERN LANTERN",
            "in_review",
            f"letter sent to {COMPANY}, awaiting reply",
        ),
    ]
