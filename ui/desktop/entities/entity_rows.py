"""The entities as the entity dialogs and window show them, and the reads and
writes they share (each run by the controller, off the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import ENTITIES
from workstation.annotations.service import AnnotationHistory
from workstation.core.library import Library
from workstation.entities.register import find_entities, identifiers_of, link_annotation
from workstation.sources.lookup import get_source, source_id_for_sha256


@dataclass(frozen=True)
class EntityRow:
    """An entity as the widgets show it, read inside the worker's session."""

    uuid: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def identifier_text(self) -> str:
        """``IMO 9074729 · MMSI 445123456`` (empty when it has none)."""
        return " · ".join(f"{scheme_label(s)} {v}" for s, v in self.identifiers)

    def describe(self) -> str:
        """``AMBER TIDE (vessel) · IMO 9074729``: one line for a list."""
        text = f"{self.name} ({self.kind})"
        return f"{text} · {self.identifier_text}" if self.identifiers else text


def scheme_label(scheme: str) -> str:
    """How an identifier scheme is written: ``IMO``, ``MMSI``, else as stored."""
    return scheme.upper() if scheme in ("imo", "mmsi") else scheme


def entity_row(session: Any, entity: Any) -> EntityRow:
    """The plain data of an entity (identifiers read in ``session``)."""
    attributes = dict(entity.attributes or {})
    former = attributes.get("former_names", [])
    return EntityRow(
        uuid=entity.uuid,
        kind=entity.kind,
        name=entity.name,
        aliases=tuple(entity.aliases or ()),
        former_names=tuple(n for n in former if isinstance(n, str)),
        identifiers=tuple(identifiers_of(session, entity)),
        attributes=attributes,
    )


def source_title(session: Session, sha256: str) -> str:
    """A source's title (else its file name), by the SHA-256 annotations name it with."""
    source = get_source(session, source_id_for_sha256(session, sha256))
    return source.title or source.original_filename


def link_undoably(
    library: Library,
    session: Any,
    history: AnnotationHistory | None,
    annotation_uuid: str,
    entity_uuid: str,
) -> bool:
    """Link through the window's undo history when there is one (Ctrl+Z takes it back)."""
    if history is not None:
        return history.link(session, annotation_uuid, entity_uuid)
    return link_annotation(library, session, annotation_uuid, entity_uuid)


def run_write(
    controller: LibraryController,
    work: Callable[[Library, Any], Any],
    label: str,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> None:
    """Run ``work(library, session)`` in one write transaction on the write pool.

    Entities and their links changed: announced as such, so the marks lists and
    entity views refresh.
    """
    library = controller.library
    controller.write(
        lambda session: work(library, session),
        on_done,
        changes=ENTITIES,
        label=label,
        on_error=on_error,
    )


def read_rows(session: Session, text: str, kind: str | None = None) -> list[EntityRow]:
    """The entities ``find_entities`` finds (runs on the read pool)."""
    return [entity_row(session, e) for e in find_entities(session, text, kind)]


def fact_text(value: Any) -> str:
    """An attribute's value on one line (a list is comma-separated)."""
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return " ".join(text.split())


def fact_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


ATTRIBUTES_SHOWN_ELSEWHERE = ("former_names", "merged_from")
