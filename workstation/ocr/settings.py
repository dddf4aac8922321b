"""The library's OCR defaults: whether imports OCR pages without text, and in which languages.

Kept in ``library_info`` (facts about the library, not evidence: no audit event). A
command's ``--ocr`` and ``--languages`` override them for one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import LibraryInfo
from workstation.core.errors import BadInputError
from workstation.ocr.engine import AUTO, parse_languages

MODE_KEY = "ocr.mode"
LANGUAGES_KEY = "ocr.languages"
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
