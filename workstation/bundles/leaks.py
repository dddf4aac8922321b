"""The exporter's last line of defence: a redacted passage still readable somewhere in the
bundle, found and named by file and place.

The plan removes every occurrence it can find and the scrubber every one in the files the
exporter writes itself; this check reads back what is about to travel, and names where a
passage survived (a file and a page, a JSON field, a bag-info label, image metadata), so
the reviewer can act on it rather than guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workstation.bundles.bagit import shown
from workstation.bundles.scrubber import Scrubber

#: Places named in the message before "and N more".
SHOWN_PLACES = 5


@dataclass(frozen=True)
class Leak:
    """A redacted passage readable in ``file`` at ``place`` (a page, a field; "" for
    the whole file); ``mark`` is the redaction mark's UUID when known."""

    file: str
    place: str
    mark: str | None

    def describe(self) -> str:
        """``data/report.pdf page 3``, ``data/case.json at sources[0].title``..."""
        if not self.place:
            return self.file
        if self.place.startswith("page ") or self.place == "metadata":
            return f"{self.file} {self.place}"
        return f"{self.file} at {self.place}"


def text_leaks(scrubber: Scrubber, file: str, text: str, place: str = "") -> list[Leak]:
    """Leaks in one text (a whole file, a page, a metadata block)."""
    return [Leak(file, place, scrubber.mark_of(found)) for found in scrubber.leaks(text)]


def page_leaks(scrubber: Scrubber, file: str, pages: Sequence[str]) -> list[Leak]:
    """Leaks in a paged text, each named by its 1-based page."""
    out: list[Leak] = []
    for number, page in enumerate(pages, start=1):
        out.extend(text_leaks(scrubber, file, page, f"page {number}"))
    return out


def json_leaks(scrubber: Scrubber, file: str, data: bytes) -> list[Leak]:
    """Leaks in a JSON file, each named by the path of the string that holds it."""
    out: list[Leak] = []
    stack: list[tuple[Any, str]] = [(json.loads(data.decode("utf-8")), "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            out.extend(text_leaks(scrubber, file, value, where or "the top"))
        elif isinstance(value, dict):
            for key, child in value.items():
                at = f"{where}.{shown(key, 40)}" if where else shown(key, 40)
                out.extend(text_leaks(scrubber, file, key, f"a key of {where or 'the top'}"))
                stack.append((child, at))
        elif isinstance(value, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(value))
    out.reverse()  # the stack walked the document backwards
    return out


def info_leaks(scrubber: Scrubber, file: str, info: Mapping[str, str]) -> list[Leak]:
    """Leaks in bag-info.txt elements, each named by its label."""
    out: list[Leak] = []
    for label, value in info.items():
        out.extend(text_leaks(scrubber, file, value, label))
    return out


def leak_message(leaks: Iterable[Leak]) -> str:
    """One line: which mark(s), where, and that nothing was written."""
    found = list(dict.fromkeys(leaks))
    places = list(dict.fromkeys(leak.describe() for leak in found))
    marks = sorted({leak.mark[:8] for leak in found if leak.mark})
    which = f" (mark {', '.join(marks)})" if marks else ""
    more = f" and {len(places) - SHOWN_PLACES} more places" if len(places) > SHOWN_PLACES else ""
    return (
        f"a redacted passage{which} would still be readable in "
        f"{'; '.join(places[:SHOWN_PLACES])}{more}; nothing was written (mark it there for "
        "redaction, or leave that source out of the bundle)"
    )


__all__ = ["Leak", "info_leaks", "json_leaks", "leak_message", "page_leaks", "text_leaks"]
