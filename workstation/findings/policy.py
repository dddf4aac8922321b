"""What a finding is measured against: the confidence yardstick, partial dates, the
confirmation policy (a library setting) and Admiralty grades compared with a minimum.

Plain values and the ``library_info`` settings; the findings service applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from db.models import LibraryInfo
from workstation.core.errors import WorkstationError


class FindingError(WorkstationError):
    """A finding cannot be made or changed as asked."""


@dataclass(frozen=True)
class Confidence:
    """One term of the UK PHIA probability yardstick and the range it stands for (percent)."""

    term: str
    low: int
    high: int

    @property
    def range(self) -> str:
        """ "55-75 %"."""
        return f"{self.low}-{self.high} %"


YARDSTICK: tuple[Confidence, ...] = (
    Confidence("remote chance", 0, 5),
    Confidence("highly unlikely", 10, 20),
    Confidence("unlikely", 25, 35),
    Confidence("realistic possibility", 40, 50),
    Confidence("likely or probable", 55, 75),
    Confidence("highly likely", 80, 90),
    Confidence("almost certain", 95, 100),
)
"""The Professional Head of Intelligence Assessment yardstick (UK, 2019): the one scale
a finding's analytic confidence is stored in (by term; the range comes from here)."""

_ALIASES = {"likely": "likely or probable", "probable": "likely or probable"}


def confidence(term: str) -> Confidence:
    """The yardstick entry for ``term`` (case and spaces ignored; 'likely'/'probable' alias)."""
    key = " ".join(term.casefold().replace("_", " ").replace("-", " ").split())
    key = _ALIASES.get(key, key)
    for entry in YARDSTICK:
        if entry.term == key:
            return entry
    terms = ", ".join(e.term for e in YARDSTICK)
    raise FindingError(f"{term!r} is not a PHIA yardstick term; use one of: {terms}")


_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date(value: str) -> str:
    """A date of which only the year or the month may be known: 2025, 2025-05, 2025-05-17."""
    text = value.strip()
    m = _PARTIAL.match(text)
    try:
        if m is None:
            raise ValueError
        date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise FindingError(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return text


MIN_INDEPENDENT_KEY = "findings.min_independent"
MIN_GRADE_KEY = "findings.min_grade"
LAST_NUMBER_KEY = "findings.last_number"
DEFAULT_MIN_INDEPENDENT = 2
_GRADE = re.compile(r"^([A-F])([1-6])$")


@dataclass(frozen=True)
class Policy:
    """What confirmation needs: independent groups among the supporting evidence, and
    optionally a minimum Admiralty grade (a source below it is not counted)."""

    min_independent: int = DEFAULT_MIN_INDEPENDENT
    min_grade: str | None = None

    def counts(self, grade: str | None) -> bool:
        """Whether a source of this grade counts towards corroboration."""
        return self.min_grade is None or meets(grade, self.min_grade)


def meets(grade: str | None, minimum: str) -> bool:
    """B2 meets C3 (reliability at least as good, credibility at least as good); an
    ungraded source meets no minimum."""
    if grade is None:
        return False
    return grade[0] <= minimum[0] and int(grade[1]) <= int(minimum[1])


def clean_grade(text: str) -> str:
    """An Admiralty grade such as B2."""
    cleaned = text.strip().upper()
    if not _GRADE.match(cleaned):
        raise FindingError(f"{text!r} is not an Admiralty grade; use A-F and 1-6, e.g. B2")
    return cleaned


def _setting(session: Session, key: str) -> str | None:
    row = session.get(LibraryInfo, key)
    return row.value if row is not None else None


def _put(session: Session, key: str, value: str | None) -> None:
    row = session.get(LibraryInfo, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(LibraryInfo(key=key, value=value))
    else:
        row.value = value


def read_policy(session: Session) -> Policy:
    """The library's confirmation policy (default: two independent groups, any grade)."""
    raw = _setting(session, MIN_INDEPENDENT_KEY)
    minimum = int(raw) if raw and raw.isdigit() else DEFAULT_MIN_INDEPENDENT
    return Policy(minimum, _setting(session, MIN_GRADE_KEY) or None)


def write_policy(session: Session, policy: Policy) -> None:
    """Store the policy (the caller records the audit event)."""
    if policy.min_independent < 1:
        raise FindingError("a finding needs at least one independent source to be confirmed")
    _put(session, MIN_INDEPENDENT_KEY, str(policy.min_independent))
    _put(session, MIN_GRADE_KEY, clean_grade(policy.min_grade) if policy.min_grade else None)


def next_number(session: Session, highest_used: int) -> int:
    """The next finding number: never one given before, even to a finding since removed."""
    raw = _setting(session, LAST_NUMBER_KEY)
    last = max(int(raw) if raw and raw.isdigit() else 0, highest_used)
    _put(session, LAST_NUMBER_KEY, str(last + 1))
    return last + 1


def number_label(number: int | None) -> str:
    """F-0001."""
    return f"F-{number:04d}" if number is not None else "F-????"
