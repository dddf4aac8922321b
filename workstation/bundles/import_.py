"""Importing an evidence bundle: merge what ``receive.open_bundle`` checked, in one transaction.

The merge matches sources by hash, annotations and findings by UUID, entities
by identifier and categories by code, records where each merged item came
from, and commits once: a failure leaves the library as it was.

A bundle never overwrites what it did not create: a record whose UUID is
already here is changed only when its local version came from a bundle of the
same signer, unchanged since, and the incoming one is newer; anything else is a
conflict, reported, and the local record stays as it is.

Findings are merged by ``merge_findings.FindingMerger`` under the same rule,
through the provenance, conflict and reviewer helpers this merger shares.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    AnnotationCategory,
    AnnotationEntity,
    BundleImport,
    Category,
    Entity,
    EntityIdentifier,
    Provenance,
    Reviewer,
    Source,
)
from workstation.annotations.anchors import AnnotationData, TextAnchor
from workstation.annotations.service import (
    AnnotationError,
    AnnotationService,
    reanchor,
)
from workstation.bundles.bagit import shown
from workstation.bundles.carried import CarriedLayers
from workstation.bundles.errors import BundleError
from workstation.bundles.image_pairs import merge_pairs
from workstation.bundles.merge_findings import FindingMerger
from workstation.bundles.receive import QUOTED_CHARS, TRUST_WORDS, OpenedBundle, open_bundle
from workstation.core.audit import canonical_json
from workstation.core.dates import utc_now
from workstation.core.errors import BadInputError, WorkstationError
from workstation.core.library import Library
from workstation.entities.register import add_entity, identifiers_of, update_entity
from workstation.keys.keyring import short_fingerprint
from workstation.sources.cases import add_to_case, ensure_case
from workstation.sources.lookup import page_text
from workstation.taxonomy.tree import add_category, move_category

IMPORTED_BRANCH_NOTE = "Imported from evidence bundle {bundle}"
#: Code of the top-level category under which categories new to this library land.
IMPORTED_BRANCH = "imported"

__all__ = ["TRUST_WORDS", "BundleMerger", "MergeSummary", "OpenedBundle", "open_bundle"]


# --- the merge ------------------------------------------------------------------------


@dataclass
class MergeSummary:
    """What a merge changed."""

    tagmanifest_sha256: str
    already_imported: str | None = None
    sources_added: int = 0
    sources_present: int = 0
    annotations_added: int = 0
    annotations_updated: int = 0
    annotations_unchanged: int = 0
    annotations_orphaned: int = 0
    entities_added: int = 0
    entities_matched: int = 0
    entities_updated: int = 0
    findings_added: int = 0
    findings_updated: int = 0
    findings_unchanged: int = 0
    #: Pictures that got the bundle's georeference / kept their own (same, or a conflict).
    georeferences_added: int = 0
    georeferences_unchanged: int = 0
    #: Image pairs kept from the bundle / already here (by uuid, or the same two pictures).
    pairs_added: int = 0
    pairs_unchanged: int = 0
    #: OCR layers stored and accepted as page text / stored beside the source's own,
    #: waiting for ``ocr accept`` / already here.
    ocr_layers_added: int = 0
    ocr_layers_waiting: int = 0
    ocr_layers_unchanged: int = 0
    categories_added: list[str] = field(default_factory=list)
    signer: str | None = None
    trust: str = "unsigned"
    conflicts: list[dict[str, str]] = field(default_factory=list)
    #: Each finding the bundle added or changed, as it stands here after the merge:
    #: ``{"uuid", "number", "status", "confirmed_by", "signature"}`` (signature: the
    #: standing confirmation's check in words, or None when unsigned).
    findings: list[dict[str, str | None]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The shape ``import-bundle --json`` prints."""
        out = dict(self.__dict__)
        out["conflicts"] = [dict(c) for c in self.conflicts]
        out["findings"] = [dict(f) for f in self.findings]
        return out

    def finding_lines(self) -> list[str]:
        """One line per finding the bundle added or changed: 'F-0001 confirmed by
        bruno, signature valid'."""
        lines = []
        for f in self.findings:
            status = str(f["status"]).replace("_", " ")
            by = f" by {f['confirmed_by']}" if f.get("confirmed_by") else ""
            signed = f", {f['signature']}" if f.get("signature") else ""
            lines.append(f"{f['number']} {status}{by}{signed}")
        return lines

    def conflict_lines(self) -> list[str]:
        """One line per conflict: what, which, and why the local record was kept."""
        return [
            f"{c['kind']} {c['uuid']}: {c['reason']}; kept as it is here" for c in self.conflicts
        ]


class BundleMerger:
    """Merges opened bundles into one library."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.annotations = AnnotationService(library)
        self._signer: str | None = None
        self._trusted = False
        self._sent_at = ""
        # kind -> uuid -> {"state": version or digest, "time": the sender's time}: what
        # this import left each record as, so the next bundle can tell whether the
        # local version is still the one this signer sent.
        self._records: dict[str, dict[str, dict[str, str]]] = {}

    def merge(self, opened: OpenedBundle, *, accept_untrusted: bool = False) -> MergeSummary:
        """Merge ``opened`` in one transaction (see the module docstring).

        Raises:
            BundleError: an untrusted signer (without ``accept_untrusted``),
                a file that cannot be imported, or data that does not fit.
        """
        from workstation.sources.ingest import ImportService  # lazy: +230 ms; verify never merges

        summary = MergeSummary(
            opened.tagmanifest_sha256, signer=opened.signer_fingerprint, trust=opened.trust
        )
        self._signer = opened.signer_fingerprint if opened.signature == "good" else None
        self._trusted = opened.trust == "trusted"
        self._records = {"annotation": {}, "entity": {}, "finding": {}}
        bundle_info = opened.case.get("bundle")
        created = bundle_info.get("created") if isinstance(bundle_info, dict) else None
        self._sent_at = created if isinstance(created, str) else ""
        if opened.trust != "trusted" and not accept_untrusted:
            who = (
                "is not signed"
                if opened.trust == "unsigned"
                else f"is signed by a key that is not trusted ({opened.signer_fingerprint})"
            )
            raise BundleError(
                f"the bundle {who}; trust the sender's key ('workstation keys import/trust') "
                "or pass --accept-untrusted"
            )
        with self.library.reader() as session:
            before = session.scalar(
                select(BundleImport).where(
                    BundleImport.tagmanifest_sha256 == opened.tagmanifest_sha256
                )
            )
            if before is not None:
                summary.already_imported = before.imported_at
                return summary
            present = {
                sha
                for (sha,) in session.execute(
                    select(Source.sha256).where(
                        Source.sha256.in_([s.get("sha256") for s in _sources(opened)])
                    )
                )
            }
        importer = ImportService(self.library)
        prepared: list[tuple[dict[str, Any], Any, Any, str | None]] = []
        try:
            for record in _sources(opened):
                if record["sha256"] in present:
                    continue
                file = _payload(opened, record)
                try:
                    stored, extracted, thumb = importer.prepare_file(file)
                except BadInputError as exc:
                    raise BundleError(f"{record['bundle_path']}: {exc.message}") from exc
                if stored.sha256 != record["sha256"]:
                    importer.discard(stored)
                    raise BundleError(
                        f"{record['bundle_path']} does not match its SHA-256 in case.json"
                    )
                prepared.append((record, stored, extracted, thumb))
            added: list[tuple[int, Any]] = []
            with self.library.writer() as session:
                row = BundleImport(
                    tagmanifest_sha256=opened.tagmanifest_sha256,
                    external_identifier=opened.external_identifier,
                    signer_fingerprint=opened.signer_fingerprint,
                    signer_trusted=opened.trust == "trusted",
                    imported_at=utc_now(),
                    imported_by_id=self.library.reviewer_id(session),
                    summary={},
                )
                session.add(row)
                session.flush()
                self._bundle_id = row.id
                case = opened.case.get("case") or None
                case_row = ensure_case(self.library, session, case["name"]) if case else None
                by_sha: dict[str, int] = {}
                for record, stored, extracted, thumb in prepared:
                    source = importer.add_source(
                        session,
                        stored,
                        extracted,
                        record.get("filename") or stored.sha256,
                        None,
                        thumb,
                    )
                    _apply_metadata(source, record)
                    by_sha[source.sha256] = source.id
                    added.append((source.id, extracted))
                    self.provenance(session, "source", source.sha256, "added")
                summary.sources_added = len(prepared)
                for sha in present:
                    sid = session.scalar(select(Source.id).where(Source.sha256 == sha))
                    assert sid is not None
                    by_sha[sha] = sid
                    summary.sources_present += 1
                    # Already here: the bundle's team holds the same file, worth knowing
                    # when weighing how independent two sources are.
                    self.provenance(session, "source", sha, "present")
                if case_row is not None:
                    for sid in by_sha.values():
                        add_to_case(self.library, session, case_row, sid)
                carried = CarriedLayers(
                    self, summary, opened.external_identifier or opened.tagmanifest_sha256
                )
                for record in _sources(opened):
                    if isinstance(record.get("georeference"), dict):
                        carried.georeference(
                            session, by_sha[record["sha256"]], record["georeference"]
                        )
                    if record["sha256"] in opened.ocr:
                        sid = by_sha[record["sha256"]]
                        carried.ocr(session, sid, opened.ocr[record["sha256"]])
                merge_pairs(self, session, opened.case.get("pairs") or [], by_sha, summary)
                self._merge_categories(session, opened, summary)
                entity_ids = self._merge_entities(session, opened, summary)
                for data in opened.annotations:
                    self._merge_annotation(session, data, by_sha, entity_ids, summary)
                findings = FindingMerger(self)
                for item in opened.case.get("findings") or []:
                    outcome, why = findings.merge(session, item, by_sha, entity_ids, case_row)
                    if outcome == "conflict":
                        summary.findings_unchanged += 1
                        self.conflict(session, summary, "finding", str(item["uuid"]), str(why))
                    else:
                        counter = f"findings_{outcome}"
                        setattr(summary, counter, getattr(summary, counter) + 1)
                        if outcome != "unchanged":
                            summary.findings.append(findings.standing(session, item["uuid"]))
                row.summary = {**summary.as_json(), "records": self._records}
                self.library.record(
                    session,
                    "bundle.import",
                    "bundle",
                    opened.tagmanifest_sha256,
                    {
                        "bundle_id": opened.external_identifier,
                        "signer": opened.signer_fingerprint,
                        "trust": opened.trust,
                        **{
                            k: v
                            for k, v in summary.as_json().items()
                            if k.endswith(("added", "updated"))
                        },
                        "conflicts": len(summary.conflicts),
                    },
                )
        except BaseException:
            for _record, stored, _extracted, _thumb in prepared:
                importer.discard(stored)
            raise
        importer.index_sources([(sid, ex) for sid, ex in added if sid not in carried.reindex])
        if carried.reindex:  # page text from a carried OCR layer, not from the file
            self.library.index_pending(source_ids=carried.reindex)
        return summary

    # --- pieces -----------------------------------------------------------------------

    @property
    def signer(self) -> str | None:
        """The fingerprint of the key that signed the bundle being merged (None: unsigned)."""
        return self._signer

    @property
    def trusted(self) -> bool:
        """Whether that key is trusted here."""
        return self._trusted

    @property
    def sent_at(self) -> str:
        """When the sender made the bundle (its signed ``created`` time)."""
        return self._sent_at

    def provenance(self, session: Session, kind: str, key: str, action: str) -> None:
        session.add(
            Provenance(
                bundle_import_id=self._bundle_id, object_type=kind, object_key=key, action=action
            )
        )

    def remember(self, kind: str, key: str, state: str, sent_at: str) -> None:
        self._records[kind][key] = {"state": state, "time": sent_at}

    def conflict(
        self, session: Session, summary: MergeSummary, kind: str, key: str, reason: str
    ) -> None:
        summary.conflicts.append({"kind": kind, "uuid": key, "reason": reason})
        self.provenance(session, kind, key, "conflict")

    def why_not_update(
        self, session: Session, kind: str, key: str, local_state: str, sent_at: str
    ) -> str | None:
        """Why the bundle may not change the local record ``key``, or None when it may.

        It may when the local version came from a bundle signed by the same key,
        has not been changed here since, and the incoming version is newer (the
        sender's time, which the signature covers).
        """
        last = session.execute(
            select(Provenance, BundleImport)
            .join(BundleImport, BundleImport.id == Provenance.bundle_import_id)
            .where(
                Provenance.object_type == kind,
                Provenance.object_key == key,
                Provenance.action.in_(("added", "updated")),
            )
            .order_by(Provenance.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return "made in this library, not brought by a bundle"
        _prov, origin = last
        if self._signer is None:
            return "this bundle is not signed, so it cannot show it comes from the same sender"
        if origin.signer_fingerprint != self._signer:
            who = (
                f"key {short_fingerprint(origin.signer_fingerprint)}"
                if origin.signer_fingerprint
                else "an unsigned bundle"
            )
            return f"the version here came from another sender ({who})"
        records = origin.summary.get("records") if isinstance(origin.summary, dict) else None
        record = (records or {}).get(kind, {}).get(key)
        if not isinstance(record, dict):
            return "the library kept no record of the version the sender's last bundle left"
        if record.get("state") != local_state:
            return "changed in this library since the sender's last bundle brought it"
        before = str(record.get("time") or "")
        if not _newer(sent_at, before):
            return (
                f"the bundle's version ({shown(sent_at, 40) or 'undated'}) is not newer than "
                f"the one here ({before or 'undated'})"
            )
        return None

    def _merge_categories(
        self, session: Session, opened: OpenedBundle, summary: MergeSummary
    ) -> None:
        """Add the categories the bundle's annotations use and this library lacks.

        Each keeps its code (codes are what annotations and other bundles refer
        to). The topmost unknown one of each chain goes under the ``imported``
        branch, so a reviewer sees what arrived and moves it where it belongs;
        its sub-categories follow it there.
        """
        known = set(session.scalars(select(Category.code)))
        wanted = {c for a in opened.annotations for c in a.categories}
        wanted |= {
            str(f["category"]) for f in opened.case.get("findings") or [] if f.get("category")
        }
        described = {
            c["code"]: c
            for c in opened.case.get("categories") or []
            if isinstance(c, dict) and "code" in c
        }
        note = IMPORTED_BRANCH_NOTE.format(
            bundle=opened.external_identifier or opened.tagmanifest_sha256
        )

        def branch() -> str:
            if IMPORTED_BRANCH not in known:
                add_category(
                    self.library,
                    session,
                    IMPORTED_BRANCH,
                    "Imported from bundles",
                    scope_note="Categories that arrived in evidence bundles and were not "
                    "in this library's taxonomy; move each where it belongs.",
                )
                known.add(IMPORTED_BRANCH)
                summary.categories_added.append(IMPORTED_BRANCH)
            return IMPORTED_BRANCH

        def ensure(code: str) -> None:
            if code in known:
                return
            if code == IMPORTED_BRANCH:
                branch()
                return
            parent = code.rsplit(".", 1)[0] if "." in code else None
            if parent is not None:
                ensure(parent)
            info = described.get(code, {})
            try:
                add_category(
                    self.library,
                    session,
                    code,
                    str(info.get("label") or code),
                    parent=parent,
                    legal_basis=info.get("legal_basis"),
                    scope_note=" ".join(x for x in [info.get("scope_note"), note] if x),
                )
                if parent is None or parent not in summary.categories_added:
                    move_category(self.library, session, code, branch())
            except WorkstationError as exc:
                raise BundleError(f"category {code!r} from the bundle: {exc.message}") from exc
            known.add(code)
            summary.categories_added.append(code)
            self.provenance(session, "category", code, "added")

        for code in sorted(wanted):
            ensure(code)

    def _merge_entities(
        self, session: Session, opened: OpenedBundle, summary: MergeSummary
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        for item in opened.case.get("entities") or []:
            uuid = str(item["uuid"])
            pairs = [(str(i["scheme"]), str(i["value"])) for i in item.get("identifiers") or []]
            same_uuid = session.scalar(select(Entity).where(Entity.uuid == uuid))
            found: int | None = None
            for scheme, value in pairs:
                found = session.scalar(
                    select(EntityIdentifier.entity_id).where(
                        EntityIdentifier.scheme == scheme, EntityIdentifier.value == value
                    )
                )
                if found is not None:
                    break
            if found is None and same_uuid is not None:
                found = same_uuid.id
            if found is not None:
                ids[uuid] = found
                if same_uuid is not None and same_uuid.id == found:
                    self._merge_known_entity(session, same_uuid, item, pairs, summary)
                else:
                    summary.entities_matched += 1
                continue
            idents: dict[str, list[str]] = {}
            for scheme, value in pairs:
                idents.setdefault(scheme, []).append(value)
            try:
                entity = add_entity(
                    self.library,
                    session,
                    str(item.get("kind")),
                    str(item["name"]),
                    aliases=[str(a) for a in item.get("aliases") or []],
                    identifiers=idents,
                    attributes=item.get("attributes")
                    if isinstance(item.get("attributes"), dict)
                    else None,
                )
            except WorkstationError as exc:
                raise BundleError(
                    f"entity {shown(str(item['name']), QUOTED_CHARS, quote=True)} from the bundle: "
                    f"{exc.message}"
                ) from exc
            entity.uuid = uuid
            session.flush()
            ids[uuid] = entity.id
            summary.entities_added += 1
            self.provenance(session, "entity", entity.uuid, "added")
            self.remember("entity", uuid, _entity_state(session, entity), self._sent_at)
        return ids

    def _merge_known_entity(
        self,
        session: Session,
        entity: Entity,
        item: dict[str, Any],
        pairs: list[tuple[str, str]],
        summary: MergeSummary,
    ) -> None:
        """An entity whose UUID is here already: the same, an allowed update, or a conflict."""
        aliases = [str(a) for a in item.get("aliases") or []]
        here = (
            entity.kind,
            entity.name,
            sorted(entity.aliases),
            sorted(identifiers_of(session, entity)),
        )
        incoming = (str(item["kind"]), str(item["name"]), sorted(aliases), sorted(pairs))
        if here == incoming:
            summary.entities_matched += 1
            return
        if entity.kind != incoming[0]:
            reason: str | None = (
                f"it is a {entity.kind} here and a {shown(incoming[0], 20)} in the bundle"
            )
        else:
            reason = self.why_not_update(
                session, "entity", entity.uuid, _entity_state(session, entity), self._sent_at
            )
        if reason is not None:
            summary.entities_matched += 1
            self.conflict(session, summary, "entity", entity.uuid, reason)
            return
        idents: dict[str, list[str]] = {}
        for scheme, value in pairs:
            idents.setdefault(scheme, []).append(value)
        try:
            update_entity(
                self.library,
                session,
                entity.uuid,
                name=incoming[1],
                aliases=aliases,
                identifiers=idents,
            )
        except WorkstationError as exc:
            raise BundleError(
                f"entity {shown(incoming[1], QUOTED_CHARS, quote=True)} from the bundle: "
                f"{exc.message}"
            ) from exc
        session.flush()
        summary.entities_updated += 1
        self.provenance(session, "entity", entity.uuid, "updated")
        self.remember("entity", entity.uuid, _entity_state(session, entity), self._sent_at)

    def _merge_annotation(
        self,
        session: Session,
        data: AnnotationData,
        by_sha: dict[str, int],
        entity_ids: dict[str, int],
        summary: MergeSummary,
    ) -> None:
        source_id = by_sha.get(data.source_sha256)
        if source_id is None:
            raise BundleError(f"annotation {data.uuid} targets a source that is not in the bundle")
        anchor = data.anchor
        placed = True
        if isinstance(anchor, TextAnchor):
            try:
                text = page_text(session, source_id, anchor.page)
            except AnnotationError:
                text = ""
            found = reanchor(text, anchor)
            if found is None:
                placed = False
                summary.annotations_orphaned += 1
            else:
                anchor = found
        existing = session.scalar(select(Annotation).where(Annotation.uuid == data.uuid))
        usable = [c for c in data.categories if not _deprecated(session, c)]
        if existing is not None:
            current = self.annotations.get(session, data.uuid)
            same = (
                sorted(current.categories) == sorted(data.categories)
                and current.note == data.note
                and current.redact == data.redact
                and current.anchor == anchor
            )
            if same:
                summary.annotations_unchanged += 1
                return
            reason: str | None
            if existing.source_id != source_id:
                reason = "it marks another source here"
            elif existing.deleted_at is not None:
                reason = "it was deleted in this library"
            else:
                reason = self.why_not_update(
                    session, "annotation", data.uuid, str(existing.version), data.modified
                )
            if reason is not None:
                summary.annotations_unchanged += 1
                self.conflict(session, summary, "annotation", data.uuid, reason)
                return
            self.annotations.update(
                session,
                data.uuid,
                categories=usable,
                note=data.note or "",
                redact=data.redact,
                anchor=anchor if placed else None,
            )
            _attach(session, existing, data, usable, entity_ids)
            summary.annotations_updated += 1
            self.provenance(session, "annotation", data.uuid, "updated")
            session.flush()
            self.remember("annotation", data.uuid, str(existing.version), data.modified)
            return
        try:
            self.annotations.create(
                session,
                source_id,
                anchor,
                categories=usable,
                note=data.note,
                redact=data.redact,
                annotation_uuid=data.uuid,
                orphaned=not placed,
            )
        except AnnotationError as exc:
            raise BundleError(f"annotation {data.uuid}: {shown(exc.message, 200)}") from exc
        row = session.scalar(select(Annotation).where(Annotation.uuid == data.uuid))
        assert row is not None
        _attach(session, row, data, usable, entity_ids)
        row.author_id = self.reviewer(session, data.author or "unknown")
        row.created_at = data.created or row.created_at
        row.modified_at = data.modified or row.modified_at
        summary.annotations_added += 1
        self.provenance(session, "annotation", data.uuid, "added")
        self.remember("annotation", data.uuid, str(row.version), data.modified)

    # --- findings -------------------------------------------------------------------

    def reviewer(self, session: Session, name: str) -> int:
        """A reviewer named in the bundle: the local one of that name, else a new one (audited)."""
        found = session.scalar(select(Reviewer.id).where(Reviewer.name == name[:200]))
        if found is not None:
            return found
        row = Reviewer(name=name[:200], created_at=utc_now())
        session.add(row)
        session.flush()
        self.library.record(session, "reviewer.add", "reviewer", row.id, {"name": row.name})
        return row.id


def _sources(opened: OpenedBundle) -> list[dict[str, Any]]:
    sources = opened.case.get("sources")
    if not isinstance(sources, list):
        raise BundleError("case.json lists no sources")
    for s in sources:
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("sha256"), str)
            or not isinstance(s.get("bundle_path"), str)
        ):
            raise BundleError("case.json has a source without sha256 or bundle_path")
    return sources


def _payload(opened: OpenedBundle, record: dict[str, Any]) -> Path:
    rel = str(record["bundle_path"])
    target = (opened.bag / rel).resolve()
    data = (opened.bag / "data").resolve()
    if not rel.startswith("data/") or data not in target.parents or not target.is_file():
        raise BundleError(f"case.json names a file that is not in the bundle: {rel!r}")
    return target


def _apply_metadata(source: Source, record: dict[str, Any]) -> None:
    """Take the sender's descriptive metadata and grade over what extraction found."""
    for key in ("title", "author", "publisher", "published", "retrieved", "url", "language"):
        value = record.get(key)
        if isinstance(value, str) and value:
            setattr(source, key, value[:10_000])
    grade = record.get("grade") or {}
    if isinstance(grade, dict):
        rel, cred = grade.get("reliability"), grade.get("credibility")
        if rel in {"A", "B", "C", "D", "E", "F"}:
            source.reliability = rel
        if isinstance(cred, int) and 1 <= cred <= 6:
            source.credibility = cred
    if isinstance(record.get("filename"), str):
        source.original_filename = record["filename"][:1000]


def _attach(
    session: Session,
    row: Annotation,
    data: AnnotationData,
    usable: list[str],
    entity_ids: dict[str, int],
) -> None:
    """What the annotation service will not set: deprecated categories (kept for
    old annotations, refused for new marks) and the bundle's entity links that
    are not here yet (links made here stay)."""
    session.flush()
    have = set(
        session.scalars(
            select(AnnotationCategory.category_id).where(AnnotationCategory.annotation_id == row.id)
        )
    )
    for code in data.categories:
        if code not in usable:
            cat = session.scalar(select(Category).where(Category.code == code))
            if cat is not None and cat.id not in have:
                session.add(AnnotationCategory(annotation_id=row.id, category_id=cat.id))
    linked = set(
        session.scalars(
            select(AnnotationEntity.entity_id).where(AnnotationEntity.annotation_id == row.id)
        )
    )
    for ent in data.entities:
        if ent in entity_ids and entity_ids[ent] not in linked:
            session.add(AnnotationEntity(annotation_id=row.id, entity_id=entity_ids[ent]))
            linked.add(entity_ids[ent])


def _deprecated(session: Session, code: str) -> bool:
    return bool(session.scalar(select(Category.deprecated).where(Category.code == code)))


def _entity_state(session: Session, entity: Entity) -> str:
    """A digest of what an entity says, to tell later whether it was changed here."""
    body = canonical_json(
        {
            "kind": entity.kind,
            "name": entity.name,
            "aliases": sorted(entity.aliases or []),
            "identifiers": sorted(identifiers_of(session, entity)),
            "attributes": entity.attributes or {},
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _newer(incoming: str, before: str) -> bool:
    """Whether the ISO 8601 time ``incoming`` is later than ``before`` (undated: never)."""
    a, b = _instant(incoming), _instant(before)
    return a is not None and b is not None and a > b
