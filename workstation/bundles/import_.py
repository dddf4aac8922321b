"""Importing an evidence bundle: decrypt, verify, show, then merge in one transaction.

A bundle from a partner is hostile until proven otherwise: it is verified
(BagIt checksums, signature) and unpacked into a staging folder under the
library with the hostile-input checks of ``workstation.bundles.bagit`` before anything
is read from it. The merge matches sources by hash, annotations by UUID
(a changed one becomes a new version through the annotation service),
entities by identifier and categories by code, records where each merged
item came from, and commits once: a failure leaves the library as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
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
from workstation.annotations import w3c
from workstation.annotations.anchors import AnnotationData, TextAnchor
from workstation.annotations.service import (
    AnnotationError,
    AnnotationService,
    reanchor,
)
from workstation.bundles.age import decrypt_file, is_age_file
from workstation.bundles.bagit import unpack_bag, verify_bag
from workstation.bundles.errors import BundleError
from workstation.bundles.signing import KeyService, check_signature
from workstation.core.dates import utc_now
from workstation.core.errors import BadInputError, WorkstationError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.entities.register import add_entity
from workstation.sources.cases import add_to_case, ensure_case
from workstation.sources.lookup import page_text
from workstation.taxonomy.tree import add_category, move_category

#: Largest case.json / annotations.jsonld read (bytes).
MAX_JSON_BYTES = 512 * 1024 * 1024
IMPORTED_BRANCH_NOTE = "Imported from evidence bundle {bundle}"
#: How each trust verdict of ``OpenedBundle.trust`` reads to a reviewer.
TRUST_WORDS = {
    "trusted": "signed by a trusted key",
    "known": "signed by a known key that is NOT trusted",
    "unknown": "signed by an UNKNOWN key",
    "unsigned": "NOT signed",
}
#: Code of the top-level category under which categories new to this library land.
IMPORTED_BRANCH = "imported"


@dataclass
class OpenedBundle:
    """A verified bundle unpacked into staging, ready to show and merge. Close it."""

    given: Path
    bag: Path
    scratch: Path
    problems: list[str]
    signature: str  # good / unsigned
    signer_fingerprint: str | None
    trust: str  # trusted / known / unknown / unsigned
    tagmanifest_sha256: str
    info: dict[str, list[str]]
    case: dict[str, Any]
    annotations: list[AnnotationData]

    @property
    def external_identifier(self) -> str | None:
        """The bundle id from bag-info.txt."""
        values = self.info.get("External-Identifier") or []
        return values[0] if values else None

    def summary(self) -> dict[str, Any]:
        """What the bundle holds, for the CLI and the dialog."""
        sources = self.case.get("sources") or []
        return {
            "bundle": str(self.given),
            "id": self.external_identifier,
            "marking": _first(self.info, "Releasability-Marking"),
            "organisation": _first(self.info, "Source-Organization"),
            "signature": self.signature,
            "signer": self.signer_fingerprint,
            "trust": self.trust,
            "sources": len(sources),
            "redacted_sources": sum(1 for s in sources if s.get("redacted")),
            "annotations": len(self.annotations),
            "entities": len(self.case.get("entities") or []),
            "categories": len(self.case.get("categories") or []),
        }

    def close(self) -> None:
        """Remove the staging folder (idempotent)."""
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first(info: dict[str, list[str]], label: str) -> str | None:
    values = info.get(label) or []
    return values[0] if values else None


def open_bundle(
    library: Library,
    path: Path,
    *,
    identity: Path | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> OpenedBundle:
    """Decrypt (``.age`` with ``identity``), verify and unpack a bundle into staging.

    ``progress`` hears each step in bytes, its ``current`` naming the step
    ("decrypting", "unpacking", "checking") and the file.

    Raises:
        BundleError: not a bundle, not valid (with the reasons), a bad
            signature, or hostile content; nothing is left behind.
    """
    path = Path(path).expanduser().absolute()
    if not path.exists():
        raise BundleError(f"no bundle at {path}")
    staging_root = library.derived / "bundle-staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=staging_root))
    try:
        bag_source = path
        if path.is_file() and is_age_file(path):
            if identity is None:
                raise BundleError(
                    f"{path.name} is encrypted with age; give the key with --identity KEYFILE"
                )
            bag_source = scratch / "bundle.zip"
            decrypt_file(
                path, bag_source, identity, cancel=cancel, progress=_step(progress, "decrypting")
            )
        # Unpack first (names, links, sizes checked on the way), then verify the
        # copy we merge from: nobody else can change it between check and use.
        bag = unpack_bag(bag_source, scratch, cancel=cancel, progress=_step(progress, "unpacking"))
        report = verify_bag(bag, cancel=cancel, progress=_step(progress, "checking"))
        if not report.valid:
            reasons = "; ".join(report.problems[:5])
            more = f" (and {len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
            raise BundleError(f"the bundle is not valid: {reasons}{more}")
        tagmanifest = report.tag_files.get("tagmanifest-sha256.txt")
        if tagmanifest is None:
            raise BundleError("the bundle has no tagmanifest-sha256.txt; it cannot be ours")
        covered = set(report.verified_tag_files)
        missing = {"bag-info.txt", "manifest-sha256.txt"} - covered
        if missing:
            raise BundleError(
                "tagmanifest-sha256.txt does not cover "
                + ", ".join(sorted(missing))
                + "; the signature would not protect them"
            )
        check = check_signature(report.tag_files, tagmanifest)
        if check.status == "bad":
            raise BundleError(f"the bundle's signature is bad: {check.reason}")
        trust = "unsigned"
        if check.status == "good" and check.fingerprint:
            with library.reader() as session:
                trust = KeyService(library).trust_of(session, check.fingerprint)
        case = _read_json(bag / "data" / "case.json", "case.json")
        if not isinstance(case, dict):
            raise BundleError("case.json is not a JSON object")
        annotations = _read_annotations(bag / "data" / "annotations.jsonld")
        return OpenedBundle(
            given=path,
            bag=bag,
            scratch=scratch,
            problems=list(report.problems),
            signature=check.status,
            signer_fingerprint=check.fingerprint,
            trust=trust,
            tagmanifest_sha256=hashlib.sha256(tagmanifest).hexdigest(),
            info=dict(report.info),
            case=case,
            annotations=annotations,
        )
    except WorkstationError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        if isinstance(exc, BundleError):
            raise
        raise BundleError(exc.message) from exc
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def _step(progress: ProgressCallback | None, step: str) -> ProgressCallback | None:
    if progress is None:
        return None

    def report(p: Progress) -> None:
        progress(Progress(p.done, p.total, f"{step} {p.current or ''}".strip()))

    return report


def _read_json(path: Path, name: str) -> Any:
    if not path.is_file():
        raise BundleError(f"the bundle has no data/{name}")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise BundleError(f"data/{name} is larger than {MAX_JSON_BYTES // 2**20} MiB")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"data/{name} is not valid JSON: {exc}") from exc


def _read_annotations(path: Path) -> list[AnnotationData]:
    doc = _read_json(path, "annotations.jsonld")
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and doc.get("type") == "AnnotationCollection":
        items = list((doc.get("first") or {}).get("items") or [])
    else:
        raise BundleError("annotations.jsonld is neither an AnnotationCollection nor a list")
    out: list[AnnotationData] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BundleError(f"annotations.jsonld item {n} is not an object")
        try:
            out.append(w3c.from_w3c(item))
        except BadInputError as exc:
            raise BundleError(f"annotations.jsonld item {n}: {exc.message}") from exc
    return out


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
    categories_added: list[str] = field(default_factory=list)
    signer: str | None = None
    trust: str = "unsigned"

    def as_json(self) -> dict[str, Any]:
        """The shape ``import-bundle --json`` prints."""
        return dict(self.__dict__)


class BundleMerger:
    """Merges opened bundles into one library."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.annotations = AnnotationService(library)

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
                    self._provenance(session, "source", source.sha256, "added")
                summary.sources_added = len(prepared)
                for sha in present:
                    sid = session.scalar(select(Source.id).where(Source.sha256 == sha))
                    assert sid is not None
                    by_sha[sha] = sid
                    summary.sources_present += 1
                    # Already here: the bundle's team holds the same file, worth knowing
                    # when weighing how independent two sources are.
                    self._provenance(session, "source", sha, "present")
                if case_row is not None:
                    for sid in by_sha.values():
                        add_to_case(self.library, session, case_row, sid)
                self._merge_categories(session, opened, summary)
                entity_ids = self._merge_entities(session, opened, summary)
                for data in opened.annotations:
                    self._merge_annotation(session, data, by_sha, entity_ids, summary)
                row.summary = summary.as_json()
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
                    },
                )
        except BaseException:
            for _record, stored, _extracted, _thumb in prepared:
                importer.discard(stored)
            raise
        importer.index_sources(added)
        return summary

    # --- pieces -----------------------------------------------------------------------

    def _provenance(self, session: Session, kind: str, key: str, action: str) -> None:
        session.add(
            Provenance(
                bundle_import_id=self._bundle_id, object_type=kind, object_key=key, action=action
            )
        )

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
            self._provenance(session, "category", code, "added")

        for code in sorted(wanted):
            ensure(code)

    def _merge_entities(
        self, session: Session, opened: OpenedBundle, summary: MergeSummary
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        for item in opened.case.get("entities") or []:
            if not isinstance(item, dict) or not item.get("uuid") or not item.get("name"):
                raise BundleError("case.json has an entity without uuid or name")
            pairs = [
                (str(i["scheme"]), str(i["value"]))
                for i in item.get("identifiers") or []
                if isinstance(i, dict) and "scheme" in i and "value" in i
            ]
            found: int | None = None
            for scheme, value in pairs:
                found = session.scalar(
                    select(EntityIdentifier.entity_id).where(
                        EntityIdentifier.scheme == scheme, EntityIdentifier.value == value
                    )
                )
                if found is not None:
                    break
            if found is None:
                found = session.scalar(select(Entity.id).where(Entity.uuid == item["uuid"]))
            if found is not None:
                summary.entities_matched += 1
                ids[item["uuid"]] = found
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
                    f"entity {item['name']!r} from the bundle: {exc.message}"
                ) from exc
            entity.uuid = str(item["uuid"])
            session.flush()
            ids[item["uuid"]] = entity.id
            summary.entities_added += 1
            self._provenance(session, "entity", entity.uuid, "added")
        return ids

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
            if same or existing.deleted_at is not None:
                summary.annotations_unchanged += 1
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
            self._provenance(session, "annotation", data.uuid, "updated")
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
            raise BundleError(f"annotation {data.uuid}: {exc.message}") from exc
        row = session.scalar(select(Annotation).where(Annotation.uuid == data.uuid))
        assert row is not None
        _attach(session, row, data, usable, entity_ids)
        row.author_id = _reviewer(session, data.author or "unknown")
        row.created_at = data.created or row.created_at
        row.modified_at = data.modified or row.modified_at
        summary.annotations_added += 1
        self._provenance(session, "annotation", data.uuid, "added")


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


def _reviewer(session: Session, name: str) -> int:
    found = session.scalar(select(Reviewer.id).where(Reviewer.name == name))
    if found is not None:
        return found
    row = Reviewer(name=name[:200], created_at=utc_now())
    session.add(row)
    session.flush()
    return row.id
