"""What the dossier shows, as plain data the bundle exporter fills (no database), and
the error and the cancel check every part of the writing shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from workstation.annotations.anchors import RegionAnchor
from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken


class ReportError(WorkstationError):
    """The dossier PDF cannot be written (unreadable source file, unwritable folder)."""


@dataclass(frozen=True)
class DossierCategory:
    """A violation category as the dossier shows it.

    Attributes:
        code: Stable code, e.g. 'UNSC-2397-8'.
        label: Human name.
        legal_basis: The resolution text or citation, when known.
    """

    code: str
    label: str
    legal_basis: str | None = None


@dataclass(frozen=True)
class DossierMark:
    """One annotation on a source, already filtered by the recipient's redactions.

    Attributes:
        uuid: The annotation's stable UUID.
        kind: 'text' (a passage), 'region' (a shape) or 'page' (a whole page).
        page: 1-based page, None for images.
        quote: The passage; None when withheld (redacted) or when the mark has none.
        categories: Categories the mark is tagged with.
        note: The reviewer's note.
        region: The shape, in source coordinates (image pixels, PDF points as displayed).
        author: Reviewer who made the mark.
        created: ISO 8601 UTC.
        withheld: The quote or crop is withheld because the passage is redacted.
        place: Where a region on a georeferenced image lies ('42.2423° N, 130.3105° E').
        ocr: The quote is text OCR read on a scanned page, not the file's own text.
        entities: The vessels, companies, people... the mark is linked to (none when
            withheld: a link would say who a redacted passage names).
    """

    uuid: str
    kind: Literal["text", "region", "page"]
    page: int | None
    quote: str | None
    categories: Sequence[DossierCategory]
    note: str | None
    region: RegionAnchor | None
    author: str
    created: str
    withheld: bool = False
    place: str | None = None
    ocr: bool = False
    entities: Sequence[DossierEntity] = ()


@dataclass(frozen=True)
class DossierSource:
    """One source in the bundle and its marks.

    Attributes:
        title: Title shown for the source.
        kind: 'pdf', 'image', 'article', 'text' or 'email'.
        media_type: e.g. 'application/pdf'.
        sha256: Of the file in the bundle.
        original_sha256: Of the original (same as sha256 when not redacted).
        bundle_path: Where the file is in the bag, e.g. 'data/sources/<sha>/file.pdf'.
        file: The file in the bundle (original or redacted derivative); crops come from it.
        redacted: The file is a redacted derivative of the original.
        published: Publication date, when known.
        publisher: Publisher or site, when known.
        author: Author, when known.
        url: Where it was found, when known.
        grade: Admiralty reliability grade, e.g. 'B2'.
        marks: The marks on it, in reading order.
        gsd: Metres per pixel of a georeferenced (or scaled) picture: crops get a scale bar.
        north: Degrees clockwise from the picture's up to true north: crops get an arrow.
        captured: When the picture was taken, from its georeference's metadata.
        provider: Who provides the picture (imagery provider, licence holder).
    """

    title: str
    kind: str
    media_type: str
    sha256: str
    original_sha256: str
    bundle_path: str
    file: Path
    redacted: bool
    published: str | None = None
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    grade: str | None = None
    marks: Sequence[DossierMark] = field(default_factory=tuple)
    gsd: float | None = None
    north: float | None = None
    captured: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class DossierEntity:
    """A vessel, company, person... named in the bundle.

    Attributes:
        kind: 'vessel', 'company', 'person', ...
        name: Display name.
        identifiers: e.g. 'IMO 9123456', 'MMSI 445123000'.
    """

    kind: str
    name: str
    identifiers: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class DossierFinding:
    """A finding the bundle carries (in ``case.json``), as the dossier lists it.

    Attributes:
        number: 'F-0001' (the sender's).
        title: Its title.
        claim: The sentence a report carries, when written.
        status: 'draft', 'in_review', 'confirmed' or 'rejected'.
        confirmed_by: Who confirmed it, when confirmed.
        signature: The confirmation's signature check in words ('signature valid'),
            None when not confirmed or unsigned.
        evidence: Pieces of its evidence in the bundle.
        withheld: Pieces that stayed home (redaction, scope).
    """

    number: str
    title: str
    claim: str | None
    status: str
    confirmed_by: str | None
    signature: str | None
    evidence: int
    withheld: int


@dataclass(frozen=True)
class DossierPair:
    """Two pictures of the bundle kept as a before and after (``workstation.geo.pairs``).

    Attributes:
        before, after: The two sources (their capture dates, providers, scales).
        numbers: Their chapter numbers in the dossier (before, after).
        note: The pair's note.
        boxes: The part of each picture to show, (x0, y0, x1, y1) pixels: the ground both
            cover when both are georeferenced and overlap; None: the whole pictures.
    """

    before: DossierSource
    after: DossierSource
    numbers: tuple[int, int]
    note: str | None = None
    boxes: tuple[tuple[int, int, int, int], tuple[int, int, int, int]] | None = None


@dataclass(frozen=True)
class Dossier:
    """Everything the dossier PDF shows.

    Attributes:
        title: Title of the bundle.
        marking: Releasability marking printed on every page.
        case: Case name, when the export was scoped to one.
        profile: Recipient profile name.
        organisation: Sending organisation.
        contact: Contact person.
        created: ISO 8601 UTC time of the export.
        tool_version: Version of the program that wrote the bundle.
        bundle_id: The bundle's External-Identifier.
        sources: The sources, in the order to show them.
        categories: Categories used in the bundle, with legal bases.
        entities: Entities in the bundle.
        findings: Findings the bundle carries.
        pairs: Before and after pairs among the pictures, one page each.
    """

    title: str
    marking: str
    case: str | None
    profile: str | None
    organisation: str | None
    contact: str | None
    created: str
    tool_version: str
    bundle_id: str
    sources: Sequence[DossierSource]
    categories: Sequence[DossierCategory]
    entities: Sequence[DossierEntity]
    findings: Sequence[DossierFinding] = ()
    pairs: Sequence[DossierPair] = ()


def check_cancel(cancel: CancelToken | None) -> None:
    """Stop writing the dossier when ``cancel`` is set."""
    if cancel is not None and cancel.cancelled:
        raise CancelledError("report cancelled")
