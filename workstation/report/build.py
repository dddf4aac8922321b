"""The report's contents read from a library: which findings it carries, and for each its
numbered paragraphs, the notes citing its sources, its crops and the vessels it names.

Everything is read through ``FindingService.show`` (evidence, groups, review, replies),
so the report says what ``finding show`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    AnnotationEntity,
    Case,
    Category,
    Entity,
    Finding,
    FindingEntity,
    Source,
)
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.records import geo_of
from workstation.bundles.profiles import DEFAULT_MARKING
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.entities.register import identifiers_of, mmsi_flag
from workstation.findings.details import Evidence, FindingDetails
from workstation.findings.policy import number_label
from workstation.findings.replies import reply_status, today_utc
from workstation.findings.service import FindingService
from workstation.geo.labels import geometry_label
from workstation.geo.records import georeferences_of
from workstation.report.model import (
    Crop,
    Note,
    NothingToReportError,
    Paragraph,
    Report,
    ReportError,
    ReportFinding,
    Span,
    Vessel,
)
from workstation.report.words import (
    corroboration_sentence,
    long_date,
    note_text,
    reply_sentences,
    review_sentence,
)
from workstation.sources.cases import find_case
from workstation.sources.unlock import readable_pdf_path

REPORTED = ("confirmed",)
"""Statuses a report carries by default."""
DRAFTS = ("draft", "in_review")
"""Statuses a report carries only when asked (and marks)."""
MAX_MARKING = 200
_ROLE_LEADS = {
    "supports": "The evidence: ",
    "contradicts": "Against it: ",
    "context": "For context: ",
}


def draft_label(status: str) -> str:
    """'DRAFT — not confirmed (in review)': how a finding that is not confirmed is marked."""
    return f"DRAFT — not confirmed ({status.replace('_', ' ')})"


def _tool_version() -> str:
    try:
        return version("evidence-workstation")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _select(
    session: Session, service: FindingService, case: str | None, refs: Sequence[str]
) -> tuple[list[Finding], Case | None]:
    case_row = find_case(session, case) if case is not None else None
    if refs:
        rows = list({row.id: row for row in (service.resolve(session, r) for r in refs)}.values())
        rows.sort(key=lambda r: r.number or 0)
        if case_row is not None:
            for row in rows:
                if row.case_id != case_row.id:
                    raise NotFoundError(
                        f"{number_label(row.number)} is not in case {case_row.name!r}"
                    )
        return rows, case_row
    stmt = select(Finding).order_by(Finding.number)
    if case_row is not None:
        stmt = stmt.where(Finding.case_id == case_row.id)
    return list(session.scalars(stmt)), case_row


def build_report(
    library: Library,
    session: Session,
    *,
    case: str | None = None,
    findings: Sequence[str] = (),
    include_drafts: bool = False,
    marking: str | None = None,
    today: date | None = None,
) -> Report:
    """The report of a library's confirmed findings (and drafts when asked).

    Args:
        library: The library (its blobs give the crops).
        session: A read session.
        case: Only the findings of this case.
        findings: Only these findings (F-0001 or UUID prefixes), in number order.
        include_drafts: Carry findings in draft or in review too, marked as such.
        marking: The releasability marking on every page (default: the internal one).
        today: The day reply deadlines are judged on (default: today in UTC).

    Raises:
        NotFoundError: an unknown finding or case, or a finding outside the case.
        NothingToReportError: no finding left to carry (none confirmed, say).
        ReportError: a marking that is empty or too long.
    """
    day = today or today_utc()
    mark = " ".join((marking if marking is not None else DEFAULT_MARKING).split())
    if not mark:
        raise ReportError("a releasability marking cannot be empty (e.g. 'RESTRICTED — MSMT')")
    if len(mark) > MAX_MARKING:
        raise ReportError(f"a releasability marking is at most {MAX_MARKING} characters")
    service = FindingService(library)
    rows, case_row = _select(session, service, case, findings)
    allowed = REPORTED + (DRAFTS if include_drafts else ())
    kept = [r for r in rows if r.status in allowed]
    excluded = [
        f"{number_label(r.number)} ({r.status.replace('_', ' ')})"
        for r in rows
        if r.status not in allowed
    ]
    if not kept:
        where = f" in case {case_row.name!r}" if case_row is not None else ""
        drafts = sum(1 for r in rows if r.status in DRAFTS)
        hint = (
            f"; {drafts} in draft or in review: add --include-drafts to report them"
            if drafts and not include_drafts
            else ""
        )
        rejected = sum(1 for r in rows if r.status == "rejected")
        if rejected:
            hint += f"; {rejected} rejected (a rejected finding is never reported)"
        named = " among the findings named" if findings else ""
        raise NothingToReportError(f"no confirmed finding to report{where}{named}{hint}")
    writer = _Writer(library, session, day)
    for row in kept:
        writer.add(service.show(session, row.uuid, today=day))
    title = f"Findings report: {case_row.name}" if case_row is not None else "Findings report"
    return Report(
        title=title,
        marking=mark,
        case=case_row.name if case_row is not None else None,
        created=utc_now(),
        today=day.isoformat(),
        author=library.reviewer,
        tool_version=_tool_version(),
        findings=writer.findings,
        crops=writer.crops,
        vessels=_vessels(session, [(r.id, number_label(r.number)) for r in kept], writer),
        excluded=excluded,
    )


class _Writer:
    """Numbers paragraphs, notes and crops continuously across the findings."""

    def __init__(self, library: Library, session: Session, today: date) -> None:
        self.library = library
        self.session = session
        self.today = today
        self.findings: list[ReportFinding] = []
        self.crops: list[Crop] = []
        self.annotations: dict[str, list[str]] = {}  # finding number -> annotation uuids
        self._paragraph = 0
        self._note = 0

    def _para(self, kind: str, spans: Sequence[Span]) -> Paragraph:
        self._paragraph += 1
        return Paragraph(self._paragraph, tuple(spans), kind)

    def add(self, info: FindingDetails) -> None:
        sources = {
            s.id: s
            for s in self.session.scalars(
                select(Source).where(Source.id.in_({e.source_id for e in info.evidence}))
            )
        }
        notes: dict[int, Note] = {}  # by source id: a source is cited by one note
        for item in info.evidence:
            if item.source_id not in notes:
                self._note += 1
                source = sources[item.source_id]
                notes[item.source_id] = Note(
                    self._note,
                    note_text(
                        item.title or source.original_filename,
                        source.publisher,
                        source.published,
                        item.grade,
                        source.sha256,
                    ),
                    source.sha256,
                    item.grade,
                )
        paragraphs = [self._para("claim", [Span(_claim(info))])]
        paragraphs.append(self._para("measure", [Span(self._measure(info))]))
        for role in ("supports", "contradicts", "context"):
            items = [e for e in info.evidence if e.role == role]
            if items:
                spans = self._evidence(info.number, role, items, sources, notes)
                paragraphs.append(self._para("evidence", spans))
        if not info.evidence:
            paragraphs.append(self._para("evidence", [Span("No evidence is linked yet.")]))
        explanations = [line for group in info.groups for line in group.explanations]
        corroboration = corroboration_sentence(info.independent, info.sources, explanations)
        if info.policy.get("shortfall") and info.status != "confirmed":
            corroboration += f" Below the confirmation policy: it {info.policy['shortfall']}."
        paragraphs.append(self._para("corroboration", [Span(corroboration)]))
        review = review_sentence(info.status, info.review, info.override_reason)
        paragraphs.append(self._para("review", [Span(review)]))
        finding_row = self.session.scalar(select(Finding).where(Finding.uuid == info.uuid))
        assert finding_row is not None
        letters = reply_status(self.session, finding_row, self.today).letters
        reply = " ".join(reply_sentences(letters, self.today))
        paragraphs.append(self._para("reply", [Span(reply)]))
        self.annotations[info.number] = [e.annotation for e in info.evidence]
        self.findings.append(
            ReportFinding(
                number=info.number,
                uuid=info.uuid,
                title=info.title,
                status=info.status,
                draft_label=None if info.status == "confirmed" else draft_label(info.status),
                paragraphs=paragraphs,
                notes=sorted(notes.values(), key=lambda n: n.number),
            )
        )

    def _measure(self, info: FindingDetails) -> str:
        if info.category is None:
            return "No measure is recorded for this finding."
        category = self.session.scalar(select(Category).where(Category.code == info.category))
        label = category.label if category is not None else info.category
        basis, holder = info.legal_basis, category
        # A narrower category (arms.ammunition) rests on its parent's legal basis.
        while not basis and holder is not None and holder.parent_id is not None:
            holder = self.session.get(Category, holder.parent_id)
            basis = holder.legal_basis if holder is not None else None
        if not basis:
            return (
                f"The measure concerned is {label} ({info.category}); "
                "no legal basis is recorded in the taxonomy."
            )
        return (
            f"The measure concerned is {label} ({info.category}); legal basis: resolutions {basis}."
        )

    def _evidence(
        self,
        number: str,
        role: str,
        items: Sequence[Evidence],
        sources: dict[int, Source],
        notes: dict[int, Note],
    ) -> list[Span]:
        spans = [Span(_ROLE_LEADS[role])]
        for index, item in enumerate(items):
            source = sources[item.source_id]
            title = item.title or source.original_filename
            where = f", page {item.page}," if item.page is not None and source.kind == "pdf" else ""
            note = notes[item.source_id].number
            lead = "; " if index else ""
            if item.region is not None:
                crop = self._crop(number, item, source, note)
                shows = f"{lead}{title}{where} shows the region in Image {crop} of the annex"
                spans.append(Span(shows, note))
            elif item.quote:
                spans.append(Span(f"{lead}{title}{where} reads "))
                spans.append(Span(f"“{item.quote}”", note, quote=True))
            else:
                page = f"page {item.page} of " if item.page is not None else ""
                spans.append(Span(f"{lead}{page}{title} as a whole", note))
        spans.append(Span("."))
        return spans

    def _crop(self, number: str, item: Evidence, source: Source, note: int) -> int:
        # A region several findings rest on is one image of the annex, naming them all.
        for index, seen in enumerate(self.crops):
            if seen.annotation == item.annotation:
                self.crops[index] = replace(
                    seen,
                    findings=[*seen.findings, number]
                    if number not in seen.findings
                    else seen.findings,
                    notes=[*seen.notes, note] if note not in seen.notes else seen.notes,
                )
                return seen.number
        geometry = item.region or {}
        points = tuple((float(p[0]), float(p[1])) for p in geometry.get("points", []))
        region = RegionAnchor(geometry.get("shape", "rect"), points, item.page)
        x, y, w, h = region.bbox if points else (0.0, 0.0, 0.0, 0.0)
        is_pdf = source.kind == "pdf"
        unit = "points" if is_pdf else "pixels"
        page = f"page {item.page}, " if is_pdf and item.page is not None else ""
        shape = {"rect": "rectangle", "polygon": "polygon", "points": "count markers"}.get(
            region.shape, region.shape
        )
        box = f"{page}{shape}, box x {x:.0f}, y {y:.0f}, {w:.0f} × {h:.0f} {unit}"
        path = (
            readable_pdf_path(self.library, source)
            if is_pdf
            else self.library.blobs.path_for(source.sha256)
        )
        crop = Crop(
            **self._place(source, region),
            number=len(self.crops) + 1,
            annotation=item.annotation,
            findings=[number],
            source_title=item.title or source.original_filename,
            file=path,
            kind=source.kind,
            media_type=source.media_type,
            sha256=source.sha256,
            region=region,
            page=item.page if is_pdf else None,
            box=box,
            notes=[note],
        )
        self.crops.append(crop)
        return crop.number

    def _place(self, source: Source, region: RegionAnchor) -> dict[str, Any]:
        """What a picture's crop prints about its place: scale, north, centre, date, provider."""
        if source.kind == "pdf":
            return {}
        g = georeferences_of(self.session, [source.id]).get(source.id)
        if g is None:
            return {}
        from workstation.geo.places import north_angle  # lazy: pyproj, georeferenced only

        return {
            "gsd": g.gsd,
            "north": north_angle(g, 0.0, 0.0),
            "place": geometry_label(geo_of({source.id: g}, source.id, region)),
            "captured": g.capture.captured,
            "provider": g.capture.provider,
        }


def _claim(info: FindingDetails) -> str:
    text = (info.claim or info.title).strip()
    facts = []
    if info.period_from or info.period_to:
        if info.period_from and info.period_to and info.period_from != info.period_to:
            facts.append(f"period {long_date(info.period_from)} to {long_date(info.period_to)}")
        else:
            facts.append(f"period {long_date(info.period_from or info.period_to)}")
    if info.places:
        facts.append(f"{'places' if len(info.places) > 1 else 'place'} {', '.join(info.places)}")
    if info.confidence:
        facts.append(f"assessed {info.confidence['term']} ({info.confidence['range']})")
    if not facts:
        return text
    return f"{text} ({'; '.join(facts)}.)"


def _vessels(
    session: Session, findings: Sequence[tuple[int, str]], writer: _Writer
) -> list[Vessel]:
    """Vessels named by the findings or linked to their evidence, with IMO, MMSI and flag."""
    named: dict[int, set[str]] = {}
    for finding_id, number in findings:
        direct = session.scalars(
            select(FindingEntity.entity_id).where(FindingEntity.finding_id == finding_id)
        )
        marks = writer.annotations.get(number, [])
        linked = session.scalars(
            select(AnnotationEntity.entity_id)
            .join(Annotation, Annotation.id == AnnotationEntity.annotation_id)
            .where(Annotation.uuid.in_(marks))
        )
        for entity_id in {*direct, *linked}:
            named.setdefault(entity_id, set()).add(number)
    rows = session.scalars(
        select(Entity).where(Entity.id.in_(named), Entity.kind == "vessel").order_by(Entity.name)
    )
    out = []
    for entity in rows:
        ids = identifiers_of(session, entity)
        imo = [v for s, v in ids if s == "imo"]
        mmsi = [v for s, v in ids if s == "mmsi"]
        flag = str((entity.attributes or {}).get("flag") or "")
        if not flag and mmsi:
            flag = mmsi_flag(mmsi[0]) or ""
        out.append(
            Vessel(
                entity.name,
                ", ".join(imo),
                ", ".join(mmsi),
                flag,
                sorted(named[entity.id]),
            )
        )
    return out
