"""The date an article or a note gives for itself, read from its first lines.

"Published: 18 Jul. 2025", "Опубликовано 18 июля 2025 г.", "입력 2025.07.18",
"2025年7月18日 公開": a label a reviewer would read as the publication date, or a
full year-month-day in Korean or Japanese form, near the top of the text. The
date words of four languages are parsed by dateparser (the library htmldate,
and so trafilatura, use), not by hand.
"""

from __future__ import annotations

import re
from datetime import date, datetime

SCAN_LINES = 40
SCAN_CHARS = 4000
_VALUE_WORDS = 6  # a date is at most this many words after its label

_LABEL = re.compile(
    r"^[\W_]*(?:first\s+published|published|posted|updated|dated|date|"
    r"опубликовано|дата\s+публикации|дата|обновлено|"
    r"입력|게시|등록|수정|발행|"
    r"公開日?|掲載日?|更新日?|配信日?|発行日?|投稿日?)"
    r"(?:\s+on)?\s*[:：]?\s*(?P<value>\S.{3,80})$",
    re.IGNORECASE | re.MULTILINE,
)
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_LANGUAGES = ["en", "ru", "ko", "ja"]
_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


def date_in_text(text: str, *, today: date | None = None) -> str | None:
    """The publication date the start of ``text`` states, as YYYY-MM-DD, or None.

    A labelled date wins ("Published: 18 Jul. 2025"); else the first full
    Korean or Japanese date. Dates before 1900 or after ``today`` are ignored.
    """
    head = "\n".join(text[:SCAN_CHARS].split("\n")[:SCAN_LINES])
    latest = today or date.today()
    for match in _LABEL.finditer(head):
        found = _parse(match.group("value"))
        if found is not None and date(1900, 1, 1) <= found <= latest:
            return found.isoformat()
    for match in _CJK_DATE.finditer(head):
        try:
            found = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        if date(1900, 1, 1) <= found <= latest:
            return found.isoformat()
    return None


def _parse(value: str) -> date | None:
    """The date at the start of ``value`` (what follows it, a byline, is left out)."""
    import dateparser  # lazy: loads its language data (0.4 s), needed only on import

    words = value.replace("|", " | ").replace("·", " · ").split()[:_VALUE_WORDS]
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count]).rstrip(",;|·")
        if not any(c.isdigit() for c in candidate):
            continue
        found = dateparser.parse(candidate, languages=_LANGUAGES, settings=_SETTINGS)
        if isinstance(found, datetime):
            return found.date()
    return None
