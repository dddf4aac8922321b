"""The marks a reviewer would have made on the demo corpus after a morning's work.

``workstation demo`` imports the corpus and then calls ``mark_demo``, so the app
opens on a library that shows what the tool is for: passages tagged with the
sanctions measure they point to, a region and counted ships on the satellite
image (paired with the same quay seven weeks earlier), a source's name marked for
redaction, the vessels and ports as entities linked to the marks, and a recipient
profile for partner teams.

Everything goes through the services, as a reviewer's clicks would, so the
audit trail records it. Marks are only made on a library that has none, so
running the demo twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Annotation, Source
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.profiles import Profile, save_profile
from workstation.core.errors import WorkstationError
from workstation.core.library import Library
from workstation.demo.corpus import BEFORE_PICTURE
from workstation.entities.register import add_entity, find_entities, link_annotation
from workstation.geo.pairs import PairService

#: (source title starts with, quote, categories, note, redact, entity names to link)
_PASSAGES: tuple[tuple[str, str, tuple[str, ...], str | None, bool, tuple[str, ...]], ...] = (
    (
        "Demo monitoring report",
        "held artillery shells",
        ("arms.ammunition",),
        "Single source so far; needs a second before it goes in a finding.",
        False,
        ("NORTHERN LANTERN",),
    ),
    (
        "Demo monitoring report",
        "A port source claims",
        (),
        "Protect the source: redact before release outside the Panel.",
        True,
        (),
    ),
    (
        "Demo monitoring report",
        "ship-to-ship transfer of refined petroleum",
        ("petroleum", "maritime"),
        None,
        False,
        ("AMBER TIDE", "Nampo"),
    ),
    (
        "Feeder ship returns to Rajin",
        "called at Rajin port for the third time this year",
        ("maritime",),
        "Matches the AIS gaps in the memo.",
        False,
        ("NORTHERN LANTERN", "Rajin"),
    ),
    (
        "Tanker seen alongside",
        "DPRK-flagged AMBER TIDE",
        ("petroleum",),
        None,
        False,
        ("AMBER TIDE",),
    ),
)


@dataclass(frozen=True)
class _Entity:
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    imo: str | None = None
    mmsi: str | None = None
    flag: str | None = None


_ENTITIES = (
    _Entity("location", "Rajin", ("Najin", "Rason", "라진", "나진", "Раджин", "羅津")),
    _Entity("location", "Nampo", ("Namp'o", "남포", "Нампхо", "南浦")),
    _Entity("vessel", "NORTHERN LANTERN", imo="9164029", mmsi="273419640", flag="Russia"),
    _Entity("vessel", "AMBER TIDE", imo="8830475", mmsi="445117390", flag="North Korea"),
    _Entity("company", "Primorye Coastal Logistics LLC"),
)

#: The yard on the Pier 3 apron and the ships alongside, in image pixels.
_YARD = RegionAnchor("rect", ((896.0, 254.0), (1114.0, 626.0)))
_SHIPS = RegionAnchor("points", ((1390.0, 504.0), (1330.0, 811.0), (1770.0, 900.0)))


def _source(session: Session, title: str) -> Source | None:
    return session.scalar(select(Source).where(Source.title.like(f"{title}%")).order_by(Source.id))


def mark_demo(library: Library) -> int:
    """Make the demo marks, entities and profile; returns how many marks were made.

    A library that already holds annotations is left alone (returns 0). A quote
    the extracted text does not hold is skipped, never guessed.
    """
    service = AnnotationService(library)
    made = 0
    with library.writer() as session:
        if session.scalar(select(func.count(Annotation.id))):
            return 0
        entities: dict[str, str] = {}
        for e in _ENTITIES:
            known = [x for x in find_entities(session, e.name, e.kind) if x.name == e.name]
            if known:
                entities[e.name] = known[0].uuid
                continue
            identifiers = {k: v for k, v in (("imo", e.imo), ("mmsi", e.mmsi)) if v}
            row = add_entity(
                library,
                session,
                e.kind,
                e.name,
                aliases=e.aliases,
                identifiers=identifiers,
                attributes={"flag": e.flag} if e.flag else None,
            )
            entities[e.name] = row.uuid
        for title, quote, categories, note, redact, linked in _PASSAGES:
            source = _source(session, title)
            if source is None:
                continue
            try:
                anchor = find_quote(session, source, quote)
            except WorkstationError:
                continue
            data = service.create(
                session, source.id, anchor, categories=categories, note=note, redact=redact
            )
            for name in linked:
                link_annotation(library, session, data.uuid, entities[name])
            made += 1
        image = session.scalar(select(Source).where(Source.kind == "image").order_by(Source.id))
        if image is not None:
            yard = service.create(
                session,
                image.id,
                _YARD,
                categories=["arms"],
                note="Container stacks on the Pier 3 yard, about 260 boxes (report, Annex B).",
            )
            link_annotation(library, session, yard.uuid, entities["Rajin"])
            service.create(
                session,
                image.id,
                _SHIPS,
                categories=["maritime"],
                note="Ships alongside; the first is the feeder in the report.",
            )
            made += 2
            earlier = session.scalar(
                select(Source).where(Source.original_filename == BEFORE_PICTURE)
            )
            if earlier is not None:
                PairService(library).create(
                    session,
                    earlier.id,
                    image.id,
                    note="The yard on the apron filled between March and April.",
                )
        save_profile(
            library,
            session,
            Profile("MSMT partners", "RESTRICTED — MSMT PARTNERS ONLY", include_originals=False),
        )
    return made
