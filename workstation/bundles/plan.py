"""What an export will hold, read before any file is written: the export dialog's preview.

``plan_export`` turns a scope and a recipient profile into plain data (sources with their
treatment, annotations, redaction marks, categories, entities, findings) that the exporter
then writes without going back to the database; ``check_space`` refuses a disk too small.

With redaction on, every passage marked for redaction anywhere in the library is removed
wherever else it stands in what travels: unmarked on another page or in another source,
in the text OCR read on a scanned page or picture, in an image's EXIF or XMP, in a PDF's
document information. The plan finds those occurrences (``ExportPlan.occurrences``) and a
source that holds one travels as a redacted derivative (or, an image whose metadata alone
holds it, without its metadata) instead of its original.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    CaseSource,
    Category,
    Entity,
    Finding,
    FindingAnnotation,
    FindingComment,
    FindingLetter,
    FindingReply,
    FindingReview,
    OcrLayer,
    OcrPage,
    Page,
    Reviewer,
    Source,
)
from workstation.annotations.anchors import AnnotationData, PageAnchor, TextAnchor
from workstation.annotations.queries import AnnotationFilter, annotation_page
from workstation.bundles.bagit import human_size
from workstation.bundles.errors import BundleError
from workstation.bundles.occurrences import (
    Occurrence,
    Passage,
    count_in,
    image_metadata_text,
    passage_pattern,
    pdf_metadata_text,
    raw_text,
    text_occurrences,
)
from workstation.bundles.profiles import INTERNAL, Profile, get_profile
from workstation.bundles.scrubber import MIN_LEAK_CHARS, Scrubber
from workstation.core.library import Library
from workstation.entities.register import identifiers_of
from workstation.findings.signatures import entity_uuids_of, signature_json, standing_check
from workstation.geo.records import georeference_json
from workstation.keys.keyring import KeyService
from workstation.sources.cases import find_case
from workstation.sources.lookup import get_source, grade_of
from workstation.taxonomy.tree import get_category

Treatment = Literal["original", "redacted", "metadata-stripped", "sanitised"]


@dataclass(frozen=True)
class ExportScope:
    """Which sources and annotations: a case, categories, named sources (all: the library).

    ``tags`` keep only annotations tagged with one of the codes (or a
    sub-category) and the sources that carry them. Redaction marks apply
    whatever the tags say.
    """

    case: str | None = None
    tags: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()


@dataclass
class PlannedSource:
    """One source as it will travel."""

    source_id: int
    sha256: str
    kind: str
    media_type: str
    title: str | None
    filename: str
    size: int
    treatment: Treatment
    record: dict[str, Any]
    pages: list[str] = field(default_factory=list)
    annotations: list[AnnotationData] = field(default_factory=list)
    redactions: list[AnnotationData] = field(default_factory=list)
    also_removed: list[TextAnchor] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    #: Pages whose text OCR read (the source's accepted layer): quoted "(read by OCR)".
    ocr_pages: frozenset[int] = frozenset()

    @property
    def redacted(self) -> bool:
        """Whether the bundle holds a redacted derivative instead of the original."""
        return self.treatment == "redacted"

    @property
    def occurrence_count(self) -> int:
        """Occurrences of redacted passages removed beyond this source's own marks."""
        return sum(o.count for o in self.occurrences)


@dataclass
class ExportPlan:
    """What an export will hold, before any file is written (the dialog's preview)."""

    profile: Profile
    scope: ExportScope
    case: dict[str, Any] | None
    sources: list[PlannedSource]
    categories: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    #: finding uuid -> its standing confirmation's signature check in words (None:
    #: not confirmed, or unsigned), for the dossier
    finding_checks: dict[str, str | None] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)

    @property
    def occurrences(self) -> list[Occurrence]:
        """Where occurrences of redacted passages are removed beyond the marks themselves."""
        return [o for s in self.sources for o in s.occurrences]

    @property
    def occurrence_count(self) -> int:
        """How many occurrences of redacted passages are removed beyond the marks."""
        return sum(o.count for o in self.occurrences)

    @property
    def annotation_count(self) -> int:
        """Annotations that will be listed (before withholding): a redaction mark on a
        source that travels redacted is applied, not listed."""
        return sum(1 for s in self.sources for a in s.annotations if not (a.redact and s.redacted))

    @property
    def redaction_count(self) -> int:
        """Redaction marks that will be applied."""
        return sum(len(s.redactions) for s in self.sources if s.redacted)

    @property
    def total_bytes(self) -> int:
        """Bytes of the sources (originals' sizes; derivatives are close)."""
        return sum(s.size for s in self.sources)


#: Room kept free beyond the sources: the dossier, case.json, manifests, file system.
SPACE_MARGIN = 32 * 1024 * 1024


def space_needed(plan: ExportPlan, *, encrypted: bool) -> int:
    """Bytes the export writes at its peak next to the target.

    The bag (sources at their original sizes, which derivatives stay close to),
    redacted derivatives made in a scratch folder first, and with age the
    plain zip beside the encrypted copy until it is removed.
    """
    sources = plan.total_bytes
    derivatives = sum(s.size for s in plan.sources if s.redacted)
    return sources + derivatives + (sources if encrypted else 0) + SPACE_MARGIN


def check_space(
    folder: Path, plan: ExportPlan, *, encrypted: bool, staging: Path | None = None
) -> None:
    """Refuse before writing anything when the target's disk cannot take the bundle.

    ``staging`` is the library's staging folder, where redacted derivatives and,
    with age, the plain zip are made: on another disk than the target, each disk
    is asked for its own part; on the same one, for the sum.
    """
    if staging is None or _same_disk(folder, staging):
        _need(folder, space_needed(plan, encrypted=encrypted))
        return
    derivatives = sum(s.size for s in plan.sources if s.redacted)
    _need(folder, plan.total_bytes + SPACE_MARGIN)
    _need(staging, derivatives + (plan.total_bytes if encrypted else 0) + SPACE_MARGIN)


def _same_disk(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return True


def _need(folder: Path, need: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < need:
        raise BundleError(
            f"not enough space in {folder}: the bundle needs about {human_size(need)}, "
            f"{human_size(free)} free"
        )


def _source_record(session: Session, source: Source) -> dict[str, Any]:
    record = {
        "source_uuid": source.uuid,
        "sha256": source.sha256,
        "media_type": source.media_type,
        "kind": source.kind,
        "filename": source.original_filename,
        "title": source.title,
        "author": source.author,
        "publisher": source.publisher,
        "published": source.published,
        "retrieved": source.retrieved,
        "url": source.url,
        "language": source.language,
        "pages": source.page_count,
        "grade": {
            "reliability": source.reliability,
            "credibility": source.credibility,
            "display": grade_of(source),
        },
        "imported_at": source.imported_at,
    }
    geo = georeference_json(session, source)
    if geo is not None:
        record["georeference"] = geo
    return record


def _ocr_pages(session: Session, source_id: int) -> frozenset[int]:
    return frozenset(
        session.scalars(
            select(OcrPage.number)
            .join(OcrLayer, OcrLayer.id == OcrPage.layer_id)
            .where(OcrLayer.source_id == source_id, OcrLayer.accepted.is_(True))
        )
    )


def _treatment(source: Source, profile: Profile, redact: bool, marks: int) -> Treatment:
    if redact and marks:
        return "redacted"
    if source.kind == "image" and profile.strip_exif:
        return "metadata-stripped"
    if not profile.include_originals:
        return "sanitised"
    return "original"


def _scoped_sources(session: Session, scope: ExportScope) -> list[Source]:
    if scope.sources:
        found = [get_source(session, sid) for sid in dict.fromkeys(scope.sources)]
    else:
        stmt = select(Source).order_by(Source.id)
        found = list(session.scalars(stmt))
    if scope.case:
        case = find_case(session, scope.case)
        members = set(
            session.scalars(select(CaseSource.source_id).where(CaseSource.case_id == case.id))
        )
        found = [s for s in found if s.id in members]
    return found


def plan_export(
    library: Library, scope: ExportScope, profile_name: str | None = None, *, redact: bool = False
) -> ExportPlan:
    """Read what an export of ``scope`` with ``profile_name`` will hold.

    Args:
        library: the open library.
        scope: which sources and annotations.
        profile_name: a recipient profile (None: the built-in ``internal``).
        redact: apply redaction marks even when the profile does not.

    Raises:
        NotFoundError: an unknown case, source, category code or profile.
        BundleError: nothing to export.
    """
    with library.reader() as session:
        profile = get_profile(session, profile_name) if profile_name else INTERNAL
        apply = redact or profile.apply_redactions
        for code in scope.tags:
            get_category(session, code)
        case_row = find_case(session, scope.case) if scope.case else None
        planned: list[PlannedSource] = []
        for source in _scoped_sources(session, scope):
            everything = annotation_page(session, AnnotationFilter(source_id=source.id))
            redactions = [a for a in everything if a.redact]
            if scope.tags:
                keep: dict[str, AnnotationData] = {}
                for code in scope.tags:
                    flt = AnnotationFilter(source_id=source.id, category=code)
                    for a in annotation_page(session, flt):
                        keep[a.uuid] = a
                listed = [a for a in everything if a.uuid in keep]
                if not listed:
                    continue
            else:
                listed = everything
            # A picture has a page of text only when OCR read it.
            pages = list(
                session.scalars(
                    select(Page.text).where(Page.source_id == source.id).order_by(Page.number)
                )
            )
            planned.append(
                PlannedSource(
                    source_id=source.id,
                    sha256=source.sha256,
                    kind=source.kind,
                    media_type=source.media_type,
                    title=source.title,
                    filename=source.original_filename,
                    size=source.size,
                    treatment=_treatment(source, profile, apply, len(redactions)),
                    record=_source_record(session, source),
                    pages=pages,
                    annotations=listed,
                    redactions=redactions,
                    ocr_pages=_ocr_pages(session, source.id),
                )
            )
        if not planned:
            raise BundleError("nothing to export: no source matches the scope")
        passages = _redacted_passages(session) if apply else []
        used_codes = {c for s in planned for a in s.annotations for c in a.categories}
        entity_uuids = {e for s in planned for a in s.annotations for e in a.entities}
        findings = _findings_json(session, {a.uuid for s in planned for a in s.annotations})
        entity_uuids |= {e for f in findings for e in f["entities"]}
        plan = ExportPlan(
            profile=profile,
            scope=scope,
            case=(
                {"uuid": case_row.uuid, "name": case_row.name, "description": case_row.description}
                if case_row
                else None
            ),
            sources=planned,
            categories=_categories_json(session, used_codes),
            entities=_entities_json(session, entity_uuids),
            findings=findings,
            passages=passages,
            finding_checks=_finding_checks(library, session, findings),
        )
    if passages:
        _find_occurrences(library, planned, passages)
    return plan


def _redacted_passages(session: Session) -> list[Passage]:
    """Every passage marked for redaction in the library (not only in the scope): a
    name protected in one source is protected wherever else it stands."""
    rows = session.execute(
        select(Annotation.exact, Annotation.uuid)
        .where(
            Annotation.redact.is_(True),
            Annotation.deleted_at.is_(None),
            Annotation.anchor_kind == "text",
        )
        .order_by(Annotation.id)
    )
    return [
        Passage(" ".join(exact.split()), uuid)
        for exact, uuid in rows
        if exact and len(" ".join(exact.split())) >= MIN_LEAK_CHARS
    ]


def _find_occurrences(
    library: Library, planned: list[PlannedSource], passages: list[Passage]
) -> None:
    """Mark each source that holds a redacted passage outside its marks, and where.

    Text occurrences become extra spans to remove (the source travels redacted);
    an image whose metadata holds one travels without metadata; a PDF or a text
    file whose original holds one outside its extracted text travels as a
    derivative, which carries neither document information nor markup.
    """
    scrubber = Scrubber(p.quote for p in passages)
    pattern = passage_pattern(passages)
    for ps in planned:
        title = ps.title or ps.filename
        blob = library.blobs.path_for(ps.sha256)
        if ps.kind == "image":
            found = count_in(scrubber, image_metadata_text(blob)) if blob.is_file() else 0
            if found:
                ps.occurrences.append(Occurrence(ps.source_id, title, None, found, "metadata"))
                if ps.treatment == "original":
                    ps.treatment = "metadata-stripped"
            if not ps.pages:
                continue  # else its OCR text: the words' pixels and the layer's words go
        own = [a.anchor for a in ps.redactions] if ps.redacted else []
        marked = [a for a in own if isinstance(a, TextAnchor)]
        whole = {a.page for a in own if isinstance(a, PageAnchor)}
        anchors, counts = text_occurrences(ps.pages, pattern, marked, whole)
        for page, count in sorted(counts.items()):
            ps.occurrences.append(Occurrence(ps.source_id, title, page, count, "text"))
        if anchors:
            ps.also_removed = anchors
            ps.treatment = "redacted"
        if ps.kind == "image" or not blob.is_file():
            continue  # the exporter refuses a missing original with its own message
        if ps.kind == "pdf":
            found = count_in(scrubber, pdf_metadata_text(blob))
            if found:
                ps.occurrences.append(Occurrence(ps.source_id, title, None, found, "metadata"))
                if ps.treatment == "original":
                    ps.treatment = "redacted"  # the derivative has no document information
        elif ps.treatment == "original" and not anchors:
            found = count_in(scrubber, raw_text(blob))
            if found:
                ps.occurrences.append(Occurrence(ps.source_id, title, None, found, "file"))
                ps.treatment = "redacted"  # travels as its extracted text


def _categories_json(session: Session, codes: set[str]) -> list[dict[str, Any]]:
    """The categories used, with every ancestor, parents first."""
    rows = {c.id: c for c in session.scalars(select(Category))}
    by_code = {c.code: c for c in rows.values()}
    wanted: dict[int, Category] = {}
    for code in codes:
        cat = by_code.get(code)
        while cat is not None and cat.id not in wanted:
            wanted[cat.id] = cat
            cat = rows.get(cat.parent_id) if cat.parent_id is not None else None
    ordered = sorted(wanted.values(), key=lambda c: (c.code.count("."), c.code))
    return [
        {
            "code": c.code,
            "label": c.label,
            "parent": rows[c.parent_id].code if c.parent_id in rows else None,
            "legal_basis": c.legal_basis,
            "scope_note": c.scope_note,
            "colour": c.colour,
        }
        for c in ordered
    ]


def _entities_json(session: Session, uuids: set[str]) -> list[dict[str, Any]]:
    if not uuids:
        return []
    rows = session.scalars(select(Entity).where(Entity.uuid.in_(uuids)).order_by(Entity.name))
    return [
        {
            "uuid": e.uuid,
            "kind": e.kind,
            "name": e.name,
            "aliases": list(e.aliases),
            "identifiers": [{"scheme": s, "value": v} for s, v in identifiers_of(session, e)],
            "attributes": dict(e.attributes),
        }
        for e in rows
    ]


def _finding_checks(
    library: Library, session: Session, findings: list[dict[str, Any]]
) -> dict[str, str | None]:
    keys = KeyService(library)
    out: dict[str, str | None] = {}
    for row in session.scalars(
        select(Finding).where(Finding.uuid.in_([f["uuid"] for f in findings]))
    ):
        check = standing_check(session, row, keys=keys)
        out[row.uuid] = check.label if check is not None else None
    return out


def _findings_json(session: Session, annotation_uuids: set[str]) -> list[dict[str, Any]]:
    """The findings citing an annotation in scope, whole: content, evidence with roles,
    review steps, comments, letters and replies (documents by SHA-256; the exporter
    keeps only what travels)."""
    linked = session.execute(
        select(FindingAnnotation.finding_id, Annotation.uuid, FindingAnnotation.role)
        .join(Annotation, Annotation.id == FindingAnnotation.annotation_id)
        .order_by(FindingAnnotation.finding_id, Annotation.uuid)
    ).all()
    evidence: dict[int, list[dict[str, str]]] = {}
    for finding_id, ann_uuid, role in linked:
        evidence.setdefault(finding_id, []).append({"annotation": ann_uuid, "role": role})
    wanted = [
        fid for fid, ev in evidence.items() if any(e["annotation"] in annotation_uuids for e in ev)
    ]
    names = {i: n for i, n in session.execute(select(Reviewer.id, Reviewer.name))}
    shas = {i: h for i, h in session.execute(select(Source.id, Source.sha256))}
    rows = session.scalars(select(Finding).where(Finding.id.in_(wanted)).order_by(Finding.id))
    return [finding_json(session, row, evidence[row.id], names, shas) for row in rows]


def finding_json(
    session: Session,
    row: Finding,
    evidence: list[dict[str, str]] | None = None,
    names: dict[int, str] | None = None,
    shas: dict[int, str] | None = None,
) -> dict[str, Any]:
    """One finding as case.json carries it (the merge compares a local one with it)."""
    if evidence is None:
        evidence = [
            {"annotation": a, "role": r}
            for a, r in session.execute(
                select(Annotation.uuid, FindingAnnotation.role)
                .join(FindingAnnotation, FindingAnnotation.annotation_id == Annotation.id)
                .where(FindingAnnotation.finding_id == row.id)
                .order_by(Annotation.uuid)
            )
        ]
    if names is None:
        names = {i: n for i, n in session.execute(select(Reviewer.id, Reviewer.name))}
    if shas is None:
        shas = {i: h for i, h in session.execute(select(Source.id, Source.sha256))}
    category = session.get(Category, row.category_id) if row.category_id else None
    entities = entity_uuids_of(session, row.id)
    reviews = session.scalars(
        select(FindingReview).where(FindingReview.finding_id == row.id).order_by(FindingReview.id)
    )
    comments = session.scalars(
        select(FindingComment)
        .where(FindingComment.finding_id == row.id)
        .order_by(FindingComment.id)
    )
    letters = []
    for letter in session.scalars(
        select(FindingLetter).where(FindingLetter.finding_id == row.id).order_by(FindingLetter.id)
    ):
        replies = session.scalars(
            select(FindingReply)
            .where(FindingReply.letter_id == letter.id)
            .order_by(FindingReply.id)
        )
        letters.append(
            {
                "uuid": letter.uuid,
                "addressee": letter.addressee,
                "addressee_kind": letter.addressee_kind,
                "sent_on": letter.sent_on,
                "deadline": letter.deadline,
                "reference": letter.reference,
                "document": shas.get(letter.source_id) if letter.source_id else None,
                "created_by": names.get(letter.created_by_id),
                "created_at": letter.created_at,
                "replies": [
                    {
                        "uuid": r.uuid,
                        "received_on": r.received_on,
                        "text": r.text,
                        "document": shas.get(r.source_id) if r.source_id else None,
                        "summary": r.summary,
                        "recorded_by": names.get(r.recorded_by_id),
                        "recorded_at": r.recorded_at,
                    }
                    for r in replies
                ],
            }
        )
    return {
        "uuid": row.uuid,
        "number": row.number,
        "title": row.title,
        "claim": row.claim,
        "category": category.code if category else None,
        "entities": list(entities),
        "places": list(row.places or []),
        "period": {"from": row.period_from, "to": row.period_to},
        "confidence": row.confidence,
        "status": row.status,
        "author": names.get(row.created_by_id),
        "confirmed_by": names.get(row.confirmed_by_id) if row.confirmed_by_id else None,
        "rejected_by": names.get(row.rejected_by_id) if row.rejected_by_id else None,
        "override_reason": row.override_reason,
        "created": row.created_at,
        "modified": row.modified_at,
        "evidence": evidence,
        "review": [
            {
                "action": r.action,
                "reviewer": names.get(r.reviewer_id),
                "at": r.at,
                "reason": r.reason,
                **({"signature": signed} if (signed := signature_json(r)) else {}),
            }
            for r in reviews
        ],
        "comments": [
            {"author": names.get(c.author_id), "at": c.at, "text": c.text} for c in comments
        ],
        "letters": letters,
    }
