"""The report's sentences: dates as a reader writes them, the note citing a source, and
the corroboration, review and right-of-reply lines, the same in the PDF and Word files.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from workstation.findings.details import ReviewStep
from workstation.findings.replies import LetterView

SHA_PREFIX = 16
"""Hex digits of a source's SHA-256 a note prints: enough to find it in any manifest."""

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(value: str | None) -> str:
    """'2026-03-03' as '3 March 2026', '2025-05' as 'May 2025', '2025' as is; a time is
    shown as its day (UTC); anything else as given."""
    if not value:
        return ""
    text = value.strip()
    try:
        if len(text) > 10:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return _day(moment.date())
        if len(text) == 10:
            return _day(date.fromisoformat(text))
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            return f"{_MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return text
    return text


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def plural(count: int, noun: str) -> str:
    """'1 source', '3 sources'."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def note_text(
    title: str, publisher: str | None, published: str | None, grade: str | None, sha256: str
) -> str:
    """A footnote citing a source by title, publisher, date, Admiralty grade and SHA-256
    prefix: 'Tanker seen…, East Sea Monitor, 14 May 2025. Admiralty grade B2. SHA-256
    d9c6f8a57e7b0f4d.'"""
    parts = [title]
    if publisher:
        parts.append(publisher)
    parts.append(long_date(published) if published else "undated")
    grading = f"Admiralty grade {grade}" if grade else "Not graded"
    return f"{', '.join(parts)}. {grading}. SHA-256 {sha256[:SHA_PREFIX]}."


def corroboration_sentence(independent: int, sources: int, explanations: Sequence[str]) -> str:
    """'Corroborated by 2 independent groups of 3 sources: B and C are one story: 87 %
    shared text.'"""
    head = (
        f"Corroborated by {independent} independent "
        f"{'group' if independent == 1 else 'groups'} of {plural(sources, 'source')}"
    )
    if sources == 0:
        return "No supporting source is linked to this finding."
    if not explanations:
        return f"{head}; each source stands on its own."
    return f"{head}: {'; '.join(e.rstrip('.') for e in explanations)}."


def signature_words(step: ReviewStep) -> str | None:
    """What the report says of a review step's signature, as ``finding show`` checks it
    (``findings/signatures.py``): 'signature valid', 'signature valid (key ... is not
    trusted here)', 'signature valid for the finding as confirmed; since then ...' or
    'signature INVALID: why'; None when the step is not signed."""
    if step.signature is not None:
        return str(step.signature["label"])
    return "signed" if step.signed else None


def review_sentence(status: str, steps: Sequence[ReviewStep], override: str | None) -> str:
    """'Submitted by alice on 6 March 2026; confirmed by Reviewer B on 7 March 2026,
    signature valid.' The last submission and what followed it; an override of the
    confirmation policy is quoted."""
    submitted = next((s for s in reversed(steps) if s.action == "submit"), None)
    decided = next((s for s in reversed(steps) if s.action in ("confirm", "reject")), None)
    if submitted is None:
        return "Not yet submitted for review."
    parts = [f"Submitted by {submitted.reviewer} on {long_date(submitted.at)}"]
    if status == "confirmed" and decided is not None and decided.action == "confirm":
        signature = signature_words(decided)
        parts.append(
            f"confirmed by {decided.reviewer} on {long_date(decided.at)}"
            + (f", {signature}" if signature else "")
        )
        if override:
            parts.append(f"the confirmation overrode the policy: {override}")
    elif status == "in_review":
        parts.append("awaiting confirmation by a second reviewer")
    else:
        parts.append("not confirmed")
    return "; ".join(parts) + "."


def reply_sentences(letters: Sequence[LetterView], today: date) -> list[str]:
    """One sentence per letter: 'A letter was sent to X on 3 March 2026; no reply had
    been received by 3 April 2026.' / '...; X replied on 20 March 2026: summary.'"""
    if not letters:
        return ["No letter has been sent to the parties concerned."]
    out = []
    for letter in letters:
        sent = f"A letter was sent to {letter.addressee} on {long_date(letter.sent)}"
        deadline = f" with a deadline of {long_date(letter.deadline)}" if letter.deadline else ""
        if letter.replies:
            answers = []
            for reply in letter.replies:
                late = " (after the deadline)" if reply.late_days else ""
                said = reply.summary or reply.text
                answers.append(
                    f"{letter.addressee} replied on {long_date(reply.date)}{late}"
                    + (f": {said.rstrip('.')}" if said else " (the reply is a document)")
                )
            out.append(f"{sent}; {'; '.join(answers)}.")
        elif letter.status == "no reply by deadline" and letter.deadline:
            out.append(f"{sent}; no reply had been received by {long_date(letter.deadline)}.")
        else:
            out.append(f"{sent}{deadline}; no reply had been received by {_day(today)}.")
    return out
