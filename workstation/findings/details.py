"""What the findings service shows: a finding in detail and a line of a list.

Plain frozen data, so the CLI, the desktop and the report print the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence as a finding shows it."""

    annotation: str
    source_id: int
    sha256: str
    role: str
    page: int | None
    quote: str | None
    region: dict[str, Any] | None
    grade: str | None
    title: str | None
    publisher: str | None


@dataclass(frozen=True)
class Group:
    """Sources that count as one, with why."""

    source_ids: list[int]
    explanations: list[str]


@dataclass(frozen=True)
class ReviewStep:
    """One review action: who, when, why."""

    action: str
    reviewer: str
    at: str
    reason: str | None
    signed: bool = False
    signature: dict[str, Any] | None = None  # signatures.SignatureCheck.as_json()


@dataclass(frozen=True)
class Comment:
    """One message of the thread."""

    author: str
    at: str
    text: str


@dataclass(frozen=True)
class FindingDetails:
    """Everything ``finding show`` prints."""

    uuid: str
    number: str
    title: str
    claim: str | None
    status: str
    category: str | None
    legal_basis: str | None
    entities: list[dict[str, str]]
    places: list[str]
    period_from: str | None
    period_to: str | None
    confidence: dict[str, Any] | None
    case: str | None
    author: str
    created: str
    modified: str
    confirmed_by: str | None
    rejected_by: str | None
    override_reason: str | None
    evidence: list[Evidence]
    sources: int
    independent: int
    badge: str
    groups: list[Group]
    policy: dict[str, Any]
    review: list[ReviewStep] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    signed: bool = False  # the standing confirmation is signed
    signature: str | None = None  # its check in words: "signature valid", ...
    reply_status: str = "not sent"  # replies.py: with the days overdue

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values; ``groups`` are lists of source ids, explained in ``reasons``."""
        out = asdict(self)
        out["groups"] = [g.source_ids for g in self.groups]
        out["reasons"] = [g.explanations for g in self.groups]
        return out


@dataclass(frozen=True)
class FindingSummary:
    """One line of ``finding list``."""

    uuid: str
    number: str
    title: str
    status: str
    category: str | None
    case: str | None
    badge: str
    independent: int
    sources: int
    reply_status: str = "not sent"  # replies.py: with the days overdue


__all__ = ["Comment", "Evidence", "FindingDetails", "FindingSummary", "Group", "ReviewStep"]
