"""One edit to several sources at once: a case to add them to, a publisher, a grade,
a date. Each source is changed (and audited) as ``update_source`` changes one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from workstation.core.library import Library
from workstation.sources.cases import add_to_case, ensure_case
from workstation.sources.lookup import update_source


@dataclass(frozen=True)
class SourcesEdit:
    """What to change on every source; None leaves a field alone, "" empties it.

    Attributes:
        case: Add the sources to this case (made when missing).
        publisher: The publisher.
        grade: An Admiralty grade such as 'B2'.
        published: A date (YYYY, YYYY-MM, YYYY-MM-DD or ISO 8601).
    """

    case: str | None = None
    publisher: str | None = None
    grade: str | None = None
    published: str | None = None

    @property
    def empty(self) -> bool:
        """Whether it changes nothing."""
        return all(v is None for v in (self.case, self.publisher, self.grade, self.published))


def edit_sources(
    library: Library, session: Session, source_ids: Sequence[int], edit: SourcesEdit
) -> int:
    """Apply ``edit`` to each source, in the caller's transaction: a bad value or a
    missing source raises and nothing is kept. Returns how many sources were edited.

    Raises:
        NotFoundError: a source is not in the library.
        WorkstationError: a malformed date or grade, or an empty or over-long case name.
    """
    case = ensure_case(library, session, edit.case) if edit.case is not None else None
    for source_id in source_ids:
        update_source(
            library,
            session,
            source_id,
            published=edit.published,
            grade=edit.grade,
            publisher=edit.publisher,
        )
        if case is not None:
            add_to_case(library, session, case, source_id)
    return len(source_ids)
