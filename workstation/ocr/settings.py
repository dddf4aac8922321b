"""The library's OCR defaults: whether imports OCR pages without text, and in which languages.

Kept in ``library_info`` (facts about the library, not evidence: no audit event). A case
may name its own languages (a case of Korean port records: ``kor+eng``); a source in such
a case is read with them. A command's ``--ocr`` and ``--languages`` override both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseSource, LibraryInfo
from workstation.core.errors import BadInputError
from workstation.ocr.engine import AUTO, parse_languages
from workstation.sources.cases import find_case

MODE_KEY = "ocr.mode"
LANGUAGES_KEY = "ocr.languages"
CASE_LANGUAGES_KEY = "ocr.languages.case:"
"""Followed by the case's UUID."""
MODES = ("auto", "off")
"""auto: an import OCRs the pages that lack a usable text layer; off: never."""
DEFAULT_MODE = "auto"
DEFAULT_LANGUAGES = AUTO


@dataclass(frozen=True)
class OcrSettings:
    """The library's OCR defaults."""

    mode: str = DEFAULT_MODE
    languages: str = DEFAULT_LANGUAGES

    def as_json(self) -> dict[str, str]:
        """For --json output."""
        return {"mode": self.mode, "languages": self.languages}


def check_mode(mode: str) -> str:
    """``mode`` if it is one of MODES.

    Raises:
        BadInputError: Anything else.
    """
    if mode not in MODES:
        raise BadInputError(f"unknown OCR mode {mode!r} (auto or off)")
    return mode


def read_settings(session: Session) -> OcrSettings:
    """The stored defaults (the built-in ones where none is stored)."""
    mode = session.get(LibraryInfo, MODE_KEY)
    languages = session.get(LibraryInfo, LANGUAGES_KEY)
    return OcrSettings(
        mode.value if mode is not None else DEFAULT_MODE,
        languages.value if languages is not None else DEFAULT_LANGUAGES,
    )


def write_settings(
    session: Session, *, mode: str | None = None, languages: str | None = None
) -> OcrSettings:
    """Change the defaults given (checked first); returns them all.

    Raises:
        BadInputError: An unknown mode or language.
    """
    if mode is not None:
        session.merge(LibraryInfo(key=MODE_KEY, value=check_mode(mode)))
    if languages is not None:
        value = "+".join(parse_languages(languages))
        session.merge(LibraryInfo(key=LANGUAGES_KEY, value=value))
    session.flush()
    return read_settings(session)


def set_case_languages(session: Session, case_name: str, languages: str | None) -> str | None:
    """Name the languages a case's sources are read with (None: the library's again).

    Raises:
        NotFoundError: No such case.
        BadInputError: An unknown language.
    """
    case = find_case(session, case_name)
    key = CASE_LANGUAGES_KEY + case.uuid
    if languages is None:
        row = session.get(LibraryInfo, key)
        if row is not None:
            session.delete(row)
        return None
    value = "+".join(parse_languages(languages))
    session.merge(LibraryInfo(key=key, value=value))
    session.flush()
    return value


def case_languages(session: Session) -> dict[str, str]:
    """Case name -> the languages its sources are read with, for cases that name some."""
    rows = session.execute(
        select(Case.name, LibraryInfo.value).join(
            LibraryInfo, LibraryInfo.key == CASE_LANGUAGES_KEY + Case.uuid
        )
    )
    return {name: value for name, value in rows}


def languages_for_source(session: Session, source_id: int) -> str:
    """The languages to read a source with: its case's (the oldest case that names some),
    else the library's."""
    found = session.scalar(
        select(LibraryInfo.value)
        .join(Case, LibraryInfo.key == CASE_LANGUAGES_KEY + Case.uuid)
        .join(CaseSource, CaseSource.case_id == Case.id)
        .where(CaseSource.source_id == source_id)
        .order_by(Case.id)
        .limit(1)
    )
    return found if found is not None else read_settings(session).languages
