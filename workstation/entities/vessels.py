"""A vessel's registered size: length overall (LOA) and beam, in metres.

Kept in the entity's attributes as ``loa_metres`` and ``beam_metres``, the keys
``workstation measure --entity`` and the desktop Measure tool compare a measured
length with ("measured 182 ± 3 m; registered LOA 183 m").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationEntity, Entity
from workstation.core.library import Library
from workstation.entities.register import EntityError, find_entities, get_entity, update_entity

SIZE_KEYS = {"loa": "loa_metres", "beam": "beam_metres"}
_NAMES = {"loa": "LOA", "beam": "beam"}
LARGEST = 1000.0  # metres: the largest ships afloat are under 460 m


def size_value(what: str, value: object) -> float | None:
    """A size as given (a number, text, or None/blank for none) as metres, checked.

    Raises:
        EntityError: not a number, or not between 0 and 1000 m.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        metres = float(str(value).strip().removesuffix("m").strip().replace(",", "."))
    except ValueError:
        raise EntityError(f"{_NAMES[what]} must be a number of metres, not {value!r}") from None
    if not 0 < metres < LARGEST:
        raise EntityError(f"{_NAMES[what]} must be between 0 and {LARGEST:g} metres")
    return metres


def with_size(
    kind: str, attributes: Mapping[str, Any], loa: object, beam: object
) -> dict[str, Any]:
    """``attributes`` with the registered LOA and beam replaced (None or blank removes one).

    Raises:
        EntityError: a size on an entity that is not a vessel, or a bad figure.
    """
    out = dict(attributes)
    for what, value in (("loa", loa), ("beam", beam)):
        metres = size_value(what, value)
        if metres is not None and kind != "vessel":
            raise EntityError(f"only a vessel has a registered {_NAMES[what]}, not a {kind}")
        if metres is None:
            out.pop(SIZE_KEYS[what], None)
        else:
            out[SIZE_KEYS[what]] = metres
    return out


def set_vessel_size(
    library: Library,
    session: Session,
    entity_uuid: str,
    *,
    loa: object = ...,
    beam: object = ...,
) -> Entity:
    """Set (a figure), remove (None) or keep (not given) a vessel's registered LOA and beam.

    Audited as an ``entity.edit`` through ``update_entity``.

    Raises:
        NotFoundError: no such entity.
        EntityError: not a vessel, or a bad figure.
    """
    entity = get_entity(session, entity_uuid)
    stored = dict(entity.attributes or {})
    keep = {what: stored.get(SIZE_KEYS[what]) for what in SIZE_KEYS}
    attributes = with_size(
        entity.kind,
        stored,
        keep["loa"] if loa is ... else loa,
        keep["beam"] if beam is ... else beam,
    )
    return update_entity(library, session, entity.uuid, attributes=attributes)


@dataclass(frozen=True)
class VesselChoice:
    """A vessel a measurement can be compared with, as plain data for a widget."""

    uuid: str
    name: str
    sizes: dict[str, float]  # ``loa_metres`` / ``beam_metres`` where registered
    linked: bool  # linked to a mark on the picture being measured


def vessel_choices(session: Session, source_id: int) -> list[VesselChoice]:
    """The vessels, those linked to a mark on ``source_id`` first, then by name."""
    linked = set(
        session.scalars(
            select(AnnotationEntity.entity_id)
            .join(Annotation, Annotation.id == AnnotationEntity.annotation_id)
            .where(Annotation.source_id == source_id)
        )
    )
    choices = [
        VesselChoice(
            e.uuid,
            e.name,
            {
                key: float(value)
                for key in SIZE_KEYS.values()
                if isinstance(value := (e.attributes or {}).get(key), int | float)
            },
            e.id in linked,
        )
        for e in find_entities(session, kind="vessel")
    ]
    return sorted(choices, key=lambda c: not c.linked)  # stable: by name within each
