"""What the findings report shows, as plain data (no database): numbered paragraphs per
finding, the notes that cite each source, the annex of crops and the table of vessels.

``build.py`` fills it from a library; ``pdf.py`` and ``word.py`` write it. Both writers
print the same sentences, made once here and in ``words.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workstation.annotations.anchors import RegionAnchor
from workstation.core.errors import WorkstationError


class ReportError(WorkstationError):
    """The report cannot be written as asked (bad file type, unwritable folder)."""


class NothingToReportError(ReportError):
    """No finding matched what the report was asked to carry."""


@dataclass(frozen=True)
class Note:
    """A footnote citing one source: its number in the report and its text.

    Attributes:
        number: 1-based, continuous through the report.
        text: "Title, Publisher, 14 May 2025. Admiralty grade B2. SHA-256 d9c6f8a57e7b0f4d."
        sha256: The source's full SHA-256 (the note prints a prefix).
        grade: The source's Admiralty grade, None when ungraded.
    """

    number: int
    text: str
    sha256: str
    grade: str | None


@dataclass(frozen=True)
class Span:
    """A run of a paragraph's text, optionally followed by a footnote reference.

    Attributes:
        text: The words (no markup).
        note: The number of the note cited right after them, if any.
        quote: The words are a quotation from a source (set in italics).
    """

    text: str
    note: int | None = None
    quote: bool = False


@dataclass(frozen=True)
class Paragraph:
    """One numbered paragraph of the report: runs of text with their note references.

    Attributes:
        number: 1-based, continuous through the report (as a Panel report numbers them).
        spans: The text, in order.
        kind: What the paragraph says: 'claim', 'measure', 'evidence', 'corroboration',
            'review', 'reply' (tests and styles pick paragraphs by it).
    """

    number: int
    spans: Sequence[Span]
    kind: str

    @property
    def text(self) -> str:
        """The paragraph's words without note references."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True)
class Crop:
    """A region of a source shown in the annex, with its box.

    Attributes:
        number: "Image 1", "Image 2"... in the annex.
        annotation: The region mark's UUID.
        findings: The numbers of the findings that rest on it (F-0001).
        source_title: The source the region is on.
        file: The original's blob, the crop is drawn from it.
        kind: The source's kind ('pdf', 'image'...).
        media_type: The source's media type.
        sha256: The original's SHA-256.
        region: The marked shape, in source coordinates.
        page: 1-based page for a PDF, None for a picture.
        box: "x 120, y 80, 240 × 160 pixels" (points on a PDF page).
        notes: The footnotes citing the source (one a finding).
        gsd: Metres per pixel of a georeferenced (or scaled) picture: a scale bar.
        north: Degrees clockwise from the picture's up to true north: an arrow.
        place: The region's centre, "42.2423° N, 130.3105° E", when georeferenced.
        captured: When the picture was taken.
        provider: Who provides the picture (imagery provider, licence holder).
    """

    number: int
    annotation: str
    findings: Sequence[str]
    source_title: str
    file: Path
    kind: str
    media_type: str
    sha256: str
    region: RegionAnchor
    page: int | None
    box: str
    notes: Sequence[int]
    gsd: float | None = None
    north: float | None = None
    place: str | None = None
    captured: str | None = None
    provider: str | None = None

    @property
    def facts(self) -> str | None:
        """ "Centre: 42.2423° N, 130.3105° E · captured 2026-03-04 · Maxar", or None."""
        facts = [f"Centre: {self.place}"] if self.place else []
        if self.captured:
            facts.append(f"captured {self.captured}")
        if self.provider:
            facts.append(self.provider)
        return " · ".join(facts) or None


@dataclass(frozen=True)
class Vessel:
    """A row of the table of vessels.

    Attributes:
        name: The vessel's name.
        imo: IMO numbers, comma-separated ('' when none is known).
        mmsi: MMSIs, comma-separated.
        flag: The recorded flag, else the one the MMSI's first digits stand for.
        findings: The numbers of the findings that name it or whose evidence does.
    """

    name: str
    imo: str
    mmsi: str
    flag: str
    findings: Sequence[str]


@dataclass(frozen=True)
class ReportFinding:
    """One finding as the report carries it.

    Attributes:
        number: F-0001.
        uuid: The finding's UUID.
        title: Its title (the section heading).
        status: draft, in_review, confirmed.
        draft_label: "DRAFT — not confirmed (in review)" for a finding that is not
            confirmed, None for a confirmed one.
        paragraphs: Its numbered paragraphs.
        notes: The notes its paragraphs cite, by number.
    """

    number: str
    uuid: str
    title: str
    status: str
    draft_label: str | None
    paragraphs: Sequence[Paragraph]
    notes: Sequence[Note]


@dataclass(frozen=True)
class Report:
    """Everything the report shows.

    Attributes:
        title: "Findings report: Demo: Rajin port".
        marking: Releasability marking printed on every page.
        case: The case, when the report was limited to one.
        created: ISO 8601 UTC time it was made.
        today: The day reply deadlines are judged on (ISO date).
        author: The reviewer who made it.
        tool_version: The program's version.
        findings: The findings, by number.
        crops: The annex of image crops.
        vessels: The table of vessels.
        excluded: Findings left out and why ("F-0002 (in review)").
    """

    title: str
    marking: str
    case: str | None
    created: str
    today: str
    author: str
    tool_version: str
    findings: Sequence[ReportFinding]
    crops: Sequence[Crop] = field(default_factory=tuple)
    vessels: Sequence[Vessel] = field(default_factory=tuple)
    excluded: Sequence[str] = field(default_factory=tuple)

    @property
    def notes(self) -> int:
        """How many notes the report has."""
        return sum(len(f.notes) for f in self.findings)

    @property
    def paragraphs(self) -> int:
        """How many numbered paragraphs the report has."""
        return sum(len(f.paragraphs) for f in self.findings)

    def front_matter(self, when: str) -> list[tuple[str, str]]:
        """The title page's table: label and value rows (``when``: the date as shown)."""
        rows = [
            ("Case", self.case or "all cases"),
            ("Releasability", self.marking),
            ("Date", when),
            ("Prepared by", self.author),
            ("Findings", ", ".join(f.number for f in self.findings)),
        ]
        drafts = [f.number for f in self.findings if f.draft_label]
        if drafts:
            rows.append(("Not confirmed", ", ".join(drafts) + " (marked DRAFT)"))
        if self.excluded:
            rows.append(("Left out", ", ".join(self.excluded)))
        return rows
