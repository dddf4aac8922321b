"""User text made safe for the dossier's HTML and PDF metadata, and times made readable."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

# XML 1.0 forbids these; MuPDF's parser would drop or choke on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without the control characters XML and PDF strings cannot carry."""
    return _CONTROL.sub("", text)


def esc(text: str | None) -> str:
    """User text as HTML that shows literally; line breaks kept."""
    if text is None:
        return ""
    return html.escape(clean(text), quote=True).replace("\r\n", "\n").replace("\n", "<br/>")


def readable_time(value: str) -> str:
    """An ISO 8601 time as 'YYYY-MM-DD HH:MM UTC'; anything unparsable as given."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def pdf_date(value: str) -> str:
    """An ISO 8601 time as a PDF date string (D:YYYYMMDDHHmmSSZ); empty when unparsable."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def prepared_with(tool_version: str) -> str:
    """The program that wrote a dossier: ``Evidence Workstation 0.1.0``, whether the
    version was given bare or already named (it once read the name twice)."""
    name = "Evidence Workstation"
    return tool_version if tool_version.startswith(name) else f"{name} {tool_version}".strip()
