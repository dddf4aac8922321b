"""SQLAlchemy models of the library database.

The schema is owned by the Alembic migrations in ``db/migrations``; these
models mirror it and a test checks that the two agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base; timestamps are ISO 8601 UTC strings (``...Z``)."""


# --- core: reviewers, sources, pages, cases, audit -------------------------


class LibraryInfo(Base):
    """Key/value facts about the library itself (its id, the audit head)."""

    __tablename__ = "library_info"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Reviewer(Base):
    """A person who changes the library; every change names one."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    initials: Mapped[str | None] = mapped_column(String(16))
    key_fingerprint: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[str] = mapped_column(String(32))


class Source(Base):
    """One imported item: an original kept byte-for-byte in the blob store."""

    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint(
            "reliability IS NULL OR reliability IN ('A','B','C','D','E','F')",
            name="reliability_grade",
        ),
        CheckConstraint(
            "credibility IS NULL OR credibility BETWEEN 1 AND 6", name="credibility_grade"
        ),
        Index("ix_sources_kind", "kind"),
        Index("ix_sources_published", "published"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    original_filename: Mapped[str] = mapped_column(Text)
    original_path: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    retrieved: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    reliability: Mapped[str | None] = mapped_column(String(1))
    credibility: Mapped[int | None] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    thumbnail: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(32))
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    indexed: Mapped[bool] = mapped_column(Boolean, default=False)

    imported_by: Mapped[Reviewer] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="source", order_by="Page.number", cascade="all, delete-orphan"
    )


class SourceRelation(Base):
    """A link between two sources, e.g. an e-mail and its attachment."""

    __tablename__ = "source_relations"

    parent_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    child_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    relation: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)


class Page(Base):
    """Extracted text of one page (or the whole body of an article)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("source_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="pages")


class SourceSignature(Base):
    """A source's text as near-duplicate detection compares it (db/minhash.py): its MinHash
    signature and shingle keys, stored when the text is extracted so no query recomputes
    them. Derived data, like the search index: not part of the audited state."""

    __tablename__ = "source_signatures"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[bytes] = mapped_column(LargeBinary)


class SourceBand(Base):
    """One LSH band key of a source's signature (``band << 40 | key``): sources sharing a
    key are near-duplicate candidates, found through the primary key's index, not a scan."""

    __tablename__ = "source_bands"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )


class Case(Base):
    """A line of inquiry grouping sources (e.g. 'Rajin arms transfers 2024')."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))


class CaseSource(Base):
    """Membership of a source in a case."""

    __tablename__ = "case_sources"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[str] = mapped_column(String(32))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))


class AuditEvent(Base):
    """One append-only, hash-chained record of a change."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Georeference(Base):
    """How an image's pixels lie on the Earth, or only their scale (one per source).

    ``transform`` is the affine pixel -> CRS map ``[a, b, c, d, e, f]`` (X = a*x + b*y + c,
    Y = d*x + e*y + f, pixel corners); ``gsd`` metres per pixel; ``residual`` the RMS
    error at the control points in metres; ``control_points`` ``[[x, y, lat, lon], ...]``.
    """

    __tablename__ = "georeferences"
    __table_args__ = (
        CheckConstraint("origin IN ('file','world-file','hand','gsd')", name="georeference_origin"),
    )

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    origin: Mapped[str] = mapped_column(String(16))
    crs: Mapped[str | None] = mapped_column(Text)
    transform: Mapped[list[float] | None] = mapped_column(JSON)
    gsd: Mapped[float | None] = mapped_column(Float)
    residual: Mapped[float | None] = mapped_column(Float)
    control_points: Mapped[list[list[float]] | None] = mapped_column(JSON)
    captured: Mapped[str | None] = mapped_column(String(32))
    sensor: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(Text)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    made_at: Mapped[str] = mapped_column(String(32))


class ImagePair(Base):
    """Two pictures of the same place kept as a before and after (``workstation.geo.pairs``).

    ``alignment`` is the two-point alignment made in the Compare window, or None:
    ``[[x_before, y_before, x_after, y_after], ...]``, the same places in each
    picture's pixels. The earlier capture is ``before`` when both dates are known.
    """

    __tablename__ = "image_pairs"
    __table_args__ = (
        CheckConstraint("before_id <> after_id", name="image_pair_two_pictures"),
        UniqueConstraint("before_id", "after_id"),
        Index("ix_image_pairs_after", "after_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    before_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    after_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    alignment: Mapped[list[list[float]] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    made_at: Mapped[str] = mapped_column(String(32))
    modified_at: Mapped[str] = mapped_column(String(32))


# --- review: taxonomy, entities, annotations, findings ---------------------


class Category(Base):
    """A node of the violation taxonomy, with a stable code."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    label: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    scope_note: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(9))
    deprecated: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Entity(Base):
    """A vessel, company, person, location, aircraft or bank."""

    __tablename__ = "entities"
    __table_args__ = (Index("ix_entities_kind_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[str] = mapped_column(String(32))


class EntityIdentifier(Base):
    """An identifier of an entity (IMO, MMSI, registry number...)."""

    __tablename__ = "entity_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    scheme: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))


class Annotation(Base):
    """A mark on a source: a text passage, a region or a whole page."""

    __tablename__ = "annotations"
    __table_args__ = (
        Index("ix_annotations_source", "source_id"),
        Index("ix_annotations_order", "source_id", "page", "start", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    anchor_kind: Mapped[str] = mapped_column(String(16))
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    exact: Mapped[str | None] = mapped_column(Text)
    prefix: Mapped[str | None] = mapped_column(Text)
    suffix: Mapped[str | None] = mapped_column(Text)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    redact: Mapped[bool] = mapped_column(Boolean, default=False)
    orphaned: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    created_at: Mapped[str] = mapped_column(String(32))
    modified_at: Mapped[str] = mapped_column(String(32))
    deleted_at: Mapped[str | None] = mapped_column(String(32))


class AnnotationCategory(Base):
    """Tag of an annotation with a category."""

    __tablename__ = "annotation_categories"

    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)


class AnnotationEntity(Base):
    """Link from an annotation to an entity it mentions."""

    __tablename__ = "annotation_entities"

    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)


class Finding(Base):
    """A claim backed by annotations from independent sources."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','in_review','confirmed','rejected')", name="finding_status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(Text)
    claim: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    created_at: Mapped[str] = mapped_column(String(32))
    modified_at: Mapped[str] = mapped_column(String(32))
    # F-0001 in a report; per library, never reused (library_info "findings.last_number").
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    places: Mapped[list[str] | None] = mapped_column(JSON)
    period_from: Mapped[str | None] = mapped_column(String(10))  # 2025, 2025-05, 2025-05-17
    period_to: Mapped[str | None] = mapped_column(String(10))
    confidence: Mapped[str | None] = mapped_column(String(32))  # a PHIA yardstick term
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)


class FindingAnnotation(Base):
    """An annotation cited as evidence for a finding, with its role."""

    __tablename__ = "finding_annotations"
    __table_args__ = (
        CheckConstraint("role IN ('supports','contradicts','context')", name="finding_role"),
    )

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True
    )
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="supports", server_default="supports")


class FindingEntity(Base):
    """A vessel, company or person a finding is about."""

    __tablename__ = "finding_entities"

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)


class FindingComment(Base):
    """One message of a finding's discussion thread."""

    __tablename__ = "finding_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    at: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class FindingReview(Base):
    """One step of a finding's review: submit, confirm, reject, reopen, return."""

    __tablename__ = "finding_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    at: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    # A signed step (findings/signatures.py): the key, the canonical JSON signed, and
    # the base64 Ed25519 signature; all empty when the step is not signed.
    key_fingerprint: Mapped[str | None] = mapped_column(String(64))
    public_key: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(String(88))


class FindingLetter(Base):
    """A right-of-reply letter sent to a state, company or person about a finding."""

    __tablename__ = "finding_letters"
    __table_args__ = (
        CheckConstraint(
            "addressee_kind IN ('state','company','person')", name="letter_addressee_kind"
        ),
        Index("ix_finding_letters_finding", "finding_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    addressee: Mapped[str] = mapped_column(Text)
    addressee_kind: Mapped[str | None] = mapped_column(String(16))
    sent_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    deadline: Mapped[str | None] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))  # the letter
    created_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    created_at: Mapped[str] = mapped_column(String(32))


class FindingReply(Base):
    """A reply received to a letter: its text or the document (a source), and a summary.

    ``finding_id`` repeats the letter's finding so the reply is part of the finding's
    audited state (state.py binds a table to its owner by one column)."""

    __tablename__ = "finding_replies"
    __table_args__ = (
        CheckConstraint("text IS NOT NULL OR source_id IS NOT NULL", name="reply_body"),
        Index("ix_finding_replies_letter", "letter_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("finding_letters.id", ondelete="CASCADE"))
    received_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    text: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    recorded_at: Mapped[str] = mapped_column(String(32))


# --- bundles: keys, recipient profiles, what came from which bundle ---------


class SigningKey(Base):
    """An Ed25519 key: a reviewer's own (private part encrypted) or a partner's.

    ``fingerprint`` is the SHA-256 of the raw 32-byte public key, in hex.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(Text)
    private_key: Mapped[str | None] = mapped_column(Text)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))


class RecipientProfile(Base):
    """What a partner may receive: marking, originals, metadata, redactions."""

    __tablename__ = "recipient_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    marking: Mapped[str] = mapped_column(Text)
    include_originals: Mapped[bool] = mapped_column(Boolean, default=True)
    strip_exif: Mapped[bool] = mapped_column(Boolean, default=True)
    apply_redactions: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(32))
    modified_at: Mapped[str] = mapped_column(String(32))


class BundleImport(Base):
    """One evidence bundle merged into the library.

    ``tagmanifest_sha256`` identifies the bag's content (it covers every
    manifest, which covers every payload file), so the same bundle is
    recognised however it was packed (folder, zip, age).
    """

    __tablename__ = "bundle_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tagmanifest_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    external_identifier: Mapped[str | None] = mapped_column(Text)
    signer_fingerprint: Mapped[str | None] = mapped_column(String(64))
    signer_trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[str] = mapped_column(String(32))
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Provenance(Base):
    """Where a merged record came from: which bundle added or changed it."""

    __tablename__ = "provenance"
    __table_args__ = (Index("ix_provenance_object", "object_type", "object_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_import_id: Mapped[int] = mapped_column(
        ForeignKey("bundle_imports.id", ondelete="CASCADE")
    )
    object_type: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))


# --- OCR: text read from scanned pages and images, kept beside the original ----


class OcrLayer(Base):
    """One OCR run over a source: what read it, with which models and languages.

    A source may have several layers (other languages, another engine version); at
    most one is ``accepted``, and only the accepted one's text is the page text that
    search indexes and annotations anchor on. The original is never changed.
    """

    __tablename__ = "ocr_layers"
    __table_args__ = (
        Index("ix_ocr_layers_source", "source_id"),
        Index(
            "ux_ocr_layers_accepted",
            "source_id",
            unique=True,
            sqlite_where=sql_text("accepted = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    engine: Mapped[str] = mapped_column(String(32))
    engine_version: Mapped[str] = mapped_column(String(64))
    models: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    languages: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mean_confidence: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float | None] = mapped_column(Float)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))


class OcrPage(Base):
    """The words OCR read on one page of a layer.

    ``words`` is a list of ``[text, x0, y0, x1, y1, confidence, offset]``: the box in
    PDF points on the page as displayed (pixels for an image), the confidence 0-100,
    and where the word starts in ``text``. ``replaced_text`` is the page text the
    import stored, given back if the layer is ever set aside. ``source_id`` repeats
    the layer's source so the page is part of the source's audited state.
    """

    __tablename__ = "ocr_pages"
    __table_args__ = (UniqueConstraint("layer_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("ocr_layers.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mean_confidence: Mapped[float | None] = mapped_column(Float)
    languages: Mapped[str] = mapped_column(String(200))
    script: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    replaced_text: Mapped[str | None] = mapped_column(Text)
