"""Evidence bundles for partner states: the plan's sources, redacted how, packed as a BagIt bag.

The exporter builds the bag from a ``plan`` (plain data, off the database): originals or
redacted derivatives, ``annotations.jsonld`` (W3C), ``case.json``, ``report.pdf`` and a
README, signs the tag manifest and optionally encrypts the zipped bag with age.
Nothing appears at the target until the whole bundle is written; and before
it is, every generated file is searched for the redacted passages, so a
redacted name cannot travel by a side door (a note, a title, the dossier).

An original is re-hashed as it is copied into the bag (and before a derivative is
made of it): bytes that no longer hash to their name are refused, never shipped as
evidence. Plaintext is staged in the library (``staging.py``), never beside an
``.age`` target, and what a killed export left is swept by the next one.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from workstation.annotations import w3c
from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
    text_anchor,
)
from workstation.annotations.service import reanchor
from workstation.bundles.age import encrypt_file
from workstation.bundles.bagit import BagWriter, shown
from workstation.bundles.carried import OcrExport, accepted_layer_json
from workstation.bundles.errors import BundleError, DamagedSourceError, RedactionLeakError
from workstation.bundles.image_pairs import dossier_pairs, travelling_pairs
from workstation.bundles.leaks import (
    Leak,
    info_leaks,
    json_leaks,
    leak_message,
    page_leaks,
    text_leaks,
)
from workstation.bundles.occurrences import (
    Occurrence,
    image_metadata_text,
    pdf_metadata_text,
    raw_text,
)
from workstation.bundles.plan import ExportPlan, PlannedSource, check_space
from workstation.bundles.profiles import Profile
from workstation.bundles.scrubber import REDACTION_MARKER, Scrubber, touches_redaction
from workstation.bundles.signing import SIGNATURE_FILE, SIGNER_KEY_FILE, signature_files
from workstation.bundles.staging import ExportStaging, staging_root, sweep_exports
from workstation.core import audit
from workstation.core.dates import utc_now
from workstation.core.errors import CancelledError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.core.witness import BAG_INFO_LABEL
from workstation.findings.policy import number_label
from workstation.geo.labels import geometry_label
from workstation.geo.records import from_json
from workstation.ocr.layers import AS_SHOWN
from workstation.sources.lookup import get_source
from workstation.sources.unlock import readable_pdf_path

if TYPE_CHECKING:
    from workstation.bundles.redaction import OcrPageText


def tool_version() -> str:
    """``Evidence Workstation X.Y.Z`` for bag-info.txt and case.json."""
    try:
        return f"Evidence Workstation {version('evidence-workstation')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "Evidence Workstation"


@dataclass(frozen=True)
class ExportOptions:
    """How to write a bundle (the plan says what goes in)."""

    out: Path
    signer: Any = None  # workstation.keys.keyring.Signer
    recipients: tuple[str, ...] = ()
    organisation: str | None = None
    contact: str | None = None
    description: str | None = None


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    bundle_id: str
    sources: int
    redacted_sources: int
    annotations: int
    withheld: int
    files: int
    payload_bytes: int
    tagmanifest_sha256: str
    signed_by: str | None
    encrypted_for: list[str]
    warnings: list[str]
    audit_head: str | None = None
    occurrences: list[Occurrence] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The shape ``export --json`` prints."""
        return {
            "audit_head": self.audit_head,
            "occurrences_removed": [o.as_json() for o in self.occurrences],
            "path": str(self.path),
            "bundle_id": self.bundle_id,
            "sources": self.sources,
            "redacted_sources": self.redacted_sources,
            "annotations": self.annotations,
            "withheld": self.withheld,
            "files": self.files,
            "payload_bytes": self.payload_bytes,
            "tagmanifest_sha256": self.tagmanifest_sha256,
            "signed_by": self.signed_by,
            "encrypted_for": self.encrypted_for,
            "warnings": self.warnings,
        }


_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str, fallback: str) -> str:
    """A file name that is safe in any bag and on any file system."""
    name = unicodedata.normalize("NFC", name).replace("/", "_").replace("\\", "_")
    name = _SAFE_NAME.sub("_", name).strip(" .")
    return name[:120] or fallback


class BundleExporter:
    """Writes evidence bundles of one library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def export(
        self,
        plan: ExportPlan,
        options: ExportOptions,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> ExportResult:
        """Write the bundle ``plan`` describes to ``options.out``.

        ``out`` ending in ``.zip`` gives a zipped bag; with recipients the
        zipped bag is encrypted with age into ``out`` (``.age`` is added when
        missing); otherwise a bag folder.

        Raises:
            BundleError: the target exists or cannot be written.
            RedactionLeakError: a redacted passage would remain readable.
            CancelledError: cancelled; nothing is left behind.
        """
        self.library.require_writable()  # an export is audited: refuse before writing a byte
        out = Path(options.out).expanduser().absolute()
        if options.recipients and out.suffix != ".age":
            out = out.with_name(out.name + ".age")
        if out.exists():
            raise BundleError(f"{out} already exists; choose another name")
        if not out.parent.is_dir():
            raise BundleError(f"folder {out.parent} does not exist")
        sweep_exports(self.library)  # what an export killed earlier left behind
        check_space(
            out.parent,
            plan,
            encrypted=bool(options.recipients),
            staging=staging_root(self.library),
        )
        cancel = cancel or CancelToken()
        bundle_id = str(uuidlib.uuid4())
        scrubber = Scrubber(
            (p.quote for p in plan.passages), marks={p.quote: p.mark for p in plan.passages}
        )
        head = self._audit_head()
        with ExportStaging(self.library) as staging:
            try:
                return self._write(
                    plan, options, out, bundle_id, head, scrubber, staging, progress, cancel
                )
            except CancelledError:
                raise CancelledError("export cancelled; nothing was written") from None

    def _write(
        self,
        plan: ExportPlan,
        options: ExportOptions,
        out: Path,
        bundle_id: str,
        head: str,
        scrubber: Scrubber,
        staging: ExportStaging,
        progress: ProgressCallback | None,
        cancel: CancelToken,
    ) -> ExportResult:
        scratch = staging.folder
        if options.recipients:
            # The plain zip stays in the library's staging; only ciphertext reaches out.
            bag_target = scratch / (out.name.removesuffix(".age").removesuffix(".zip") + ".zip")
        else:
            bag_target = out
        total = len(plan.sources) + 3
        step = 0

        def tick(current: str) -> None:
            nonlocal step
            cancel.raise_if_cancelled()
            step += 1
            if progress:
                progress(Progress(step, total, current))

        with BagWriter(bag_target, cancel=cancel, on_staging=staging.note) as writer:
            shipped: list[tuple[PlannedSource, str, str, str, Path]] = []
            annotations: list[AnnotationData] = []
            dossier_marks: dict[int, list[tuple[AnnotationData, bool]]] = {}
            withheld = 0
            ocr = OcrExport()
            for ps in plan.sources:
                tick(ps.title or ps.filename)
                path, media_type, texts, layer = self._ship_source(
                    ps, plan.profile, scratch, cancel
                )
                name = safe_filename(scrubber.text(ps.filename) or "", "source")
                if media_type != ps.media_type:
                    name = _rename_for(name, media_type)
                sha = writer.add_file(f"sources/{ps.sha256[:16]}/{name}", path)
                if ps.treatment == "original" and sha != ps.sha256:
                    # Hashed on the copy into the bag: what would travel is not the evidence.
                    raise _damaged(ps)
                rel = f"data/sources/{ps.sha256[:16]}/{name}"
                shipped.append((ps, sha, media_type, rel, path))
                ocr.add(self.library, ps, sha, scrubber, layer)
                removed = [a.anchor for a in ps.redactions] + list(ps.also_removed)
                marks: list[tuple[AnnotationData, bool]] = []
                for a in ps.annotations:
                    if a.redact and ps.redacted:
                        continue  # the mark itself: applied, not listed
                    if ps.redacted and touches_redaction(a, removed):
                        withheld += 1
                        marks.append((a, True))
                        continue
                    moved = _retarget(a, sha, media_type, texts, scrubber)
                    if moved is None:
                        withheld += 1
                        marks.append((a, True))
                        continue
                    annotations.append(moved)
                    marks.append((moved, False))
                dossier_marks[ps.source_id] = marks

            tick("annotations.jsonld")
            doc = w3c.collection(annotations, label=f"Evidence bundle {bundle_id}")
            jsonld = _dump(doc)
            case_doc = self._case_json(
                plan, shipped, bundle_id, withheld, scrubber, {a.uuid for a in annotations}
            )
            ocr.apply(case_doc)
            case_doc["pairs"] = travelling_pairs(self.library, shipped, scrubber)
            case_bytes = _dump(case_doc)
            readme = _readme(plan, bundle_id, options, shipped, ocr).encode("utf-8")
            tick("report.pdf")
            report_path = scratch / "report.pdf"
            self._report(
                plan,
                shipped,
                dossier_marks,
                bundle_id,
                options,
                scrubber,
                report_path,
                cancel,
                case_doc["findings"],
            )
            info = _bag_info(plan, bundle_id, options, scrubber, head)
            leaks = _leaks(
                scrubber,
                {"annotations.jsonld": jsonld, "case.json": case_bytes, **ocr.files},
                readme,
                info,
                report_path,
                shipped,
            )
            if leaks:
                raise RedactionLeakError(leak_message(leaks))
            writer.add_bytes("annotations.jsonld", jsonld)
            writer.add_bytes("case.json", case_bytes)
            for rel_path, data in ocr.files.items():
                writer.add_bytes(rel_path, data)
            writer.add_file("report.pdf", report_path)
            writer.add_bytes("README.txt", readme)
            tick("manifests")
            sign = None
            if options.signer is not None:
                signer = options.signer

                def sign(tagmanifest: bytes) -> dict[str, bytes]:
                    return dict(signature_files(signer, tagmanifest))

            bag = writer.finish(info, sign=sign)
        encrypted: list[str] = []
        if options.recipients:
            encrypt_file(
                bag.path, out, list(options.recipients), cancel=cancel, on_temp=staging.note
            )
            encrypted = list(options.recipients)
        return ExportResult(
            path=out,
            bundle_id=bundle_id,
            sources=len(shipped),
            redacted_sources=sum(1 for s in shipped if s[0].redacted),
            annotations=len(annotations),
            withheld=withheld,
            files=bag.file_count,
            payload_bytes=bag.bytes,
            tagmanifest_sha256=bag.tagmanifest_sha256,
            signed_by=getattr(options.signer, "fingerprint", None),
            encrypted_for=encrypted,
            warnings=list(plan.warnings) + ocr.warnings,
            audit_head=head,
            occurrences=plan.occurrences,
        )

    def _audit_head(self) -> str:
        """``seq:hash`` of the library's audit chain now, for bag-info's Audit-Head."""
        with self.library.reader() as session:
            seq, digest = audit.read_head(session)
        return f"{seq}:{digest}"

    # --- pieces ---------------------------------------------------------------------

    def _ship_source(
        self, ps: PlannedSource, profile: Profile, scratch: Path, cancel: CancelToken
    ) -> tuple[Path, str, list[str] | None, dict[int, OcrPageText] | None]:
        """The file that travels for ``ps``, its media type, its page texts when changed,
        and, when OCR read it, its OCR layer's pages (redacted alike when it is)."""
        from workstation.bundles import redaction  # lazy: +260 ms to open the export dialog

        blob = self.library.blobs.path_for(ps.sha256)
        if not blob.is_file():
            raise BundleError(
                f"the original of source {ps.source_id} is missing from the library "
                "(run 'workstation check')"
            )
        work = scratch / f"src-{ps.source_id}"
        if ps.treatment == "original":
            return blob, ps.media_type, None, None  # re-hashed as it is copied into the bag
        # A derivative is made from the original, so the original is checked first.
        with open(blob, "rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != ps.sha256:
                raise _damaged(ps)
        marks = [a.anchor for a in ps.redactions] + list(ps.also_removed) if ps.redacted else []
        # Text marks on OCR pages anchor on it, redacted or not.
        scanned, as_shown = self._ocr_pages(ps)
        if ps.kind == "pdf":
            with self.library.reader() as session:  # an unlocked PDF is redacted from its copy
                readable = readable_pdf_path(self.library, get_source(session, ps.source_id))
            result = redaction.redact_pdf(
                readable, work.with_suffix(".pdf"), marks, ocr=scanned, cancel=cancel
            )
            texts = _pdf_texts(result.dst)
            layer = redaction.redact_ocr_pages(scanned, marks) if scanned else None
            for number, page in (layer or {}).items():
                if number <= len(texts):
                    texts[number - 1] = page.text  # what the partner's marks anchor on
            return result.dst, result.media_type, texts, layer
        if ps.kind == "image":
            dst = work.with_suffix(_suffix_of(blob, ps))
            regions = [m for m in marks if isinstance(m, RegionAnchor)]
            passages = [m for m in marks if isinstance(m, TextAnchor)]
            if any(isinstance(m, PageAnchor) for m in marks):
                regions.append(redaction.whole_picture(blob))  # a picture is one page
            if passages and 1 not in scanned:
                raise redaction.RedactionError(
                    f"cannot find the passage '{shown(passages[0].exact, 40)}' on the picture "
                    f"{ps.filename}: it has no OCR text; delete that redaction"
                )
            boxes = redaction.ocr_regions(scanned[1], passages) if passages else []
            if regions or boxes:
                result = redaction.redact_image(
                    blob,
                    dst,
                    regions,
                    strip_metadata=True,
                    ocr_boxes=boxes,
                    ocr_as_shown=as_shown,
                    cancel=cancel,
                )
            else:
                result = redaction.strip_image_metadata(blob, dst)
            layer = None
            # An older layer's boxes are in the picture as stored, not in the upright copy.
            if scanned and (as_shown or not redaction.turned_by_exif(blob)):
                layer = redaction.redact_ocr_pages(scanned, marks)
            read = [layer[1].text] if layer and 1 in layer else None
            return result.dst, result.media_type, read, layer
        # Articles, texts and e-mails travel as their extracted text.
        text_marks = [m for m in marks if isinstance(m, TextAnchor | PageAnchor)]
        pages = redaction.redact_pages_text(ps.pages, text_marks) if text_marks else list(ps.pages)
        dst = work.with_suffix(".txt")
        dst.write_text("\f".join(pages), encoding="utf-8")
        return dst, "text/plain", pages, None

    def _ocr_pages(self, ps: PlannedSource) -> tuple[dict[int, OcrPageText], bool]:
        """The pages of ``ps``'s accepted OCR layer, by number ({} when OCR read none), and
        whether its boxes are in the picture as shown (EXIF orientation applied)."""
        from workstation.bundles.redaction import OcrPageText  # lazy: as redaction above

        if not ps.ocr_pages or ps.kind not in ("pdf", "image"):
            return {}, False
        with self.library.reader() as session:
            doc = accepted_layer_json(session, ps.source_id)
        if doc is None:
            return {}, False
        pages = {p["page"]: OcrPageText(p["text"], p["words"]) for p in doc["pages"]}
        return pages, doc.get("orientation") == AS_SHOWN

    def _case_json(
        self,
        plan: ExportPlan,
        shipped: Sequence[tuple[PlannedSource, str, str, str, Path]],
        bundle_id: str,
        withheld: int,
        scrubber: Scrubber,
        exported: set[str],
    ) -> dict[str, Any]:
        sources = []
        for ps, sha, media_type, rel, _path in shipped:
            record = scrubber.deep(dict(ps.record))
            record.update(
                {
                    "bundle_path": rel,
                    "sha256": sha,
                    "media_type": media_type,
                    "original_sha256": ps.sha256,
                    "treatment": ps.treatment,
                    "redacted": ps.redacted,
                    "redactions_applied": len(ps.redactions) if ps.redacted else 0,
                }
            )
            if ps.treatment == "original":
                record.pop("original_sha256")
            sources.append(record)
        entities = [
            e
            for e in plan.entities
            if not any(scrubber.leaks(n) for n in [e["name"], *e["aliases"]])
        ]
        return {
            "bundle": {
                "id": f"urn:uuid:{bundle_id}",
                "created": utc_now(),
                "tool": tool_version(),
                "profile": plan.profile.as_json(),
                "marking": plan.profile.marking,
                "annotations_withheld": withheld,
            },
            "case": scrubber.deep(plan.case),
            "sources": sources,
            "categories": scrubber.deep(plan.categories),
            "entities": scrubber.deep(entities),
            "findings": scrubber.deep(
                _travelling_findings(
                    plan.findings,
                    exported,
                    {ps.sha256: sha for ps, sha, *_ in shipped},
                    {e["uuid"] for e in entities},
                )
            ),
        }

    def _report(
        self,
        plan: ExportPlan,
        shipped: Sequence[tuple[PlannedSource, str, str, str, Path]],
        marks: dict[int, list[tuple[AnnotationData, bool]]],
        bundle_id: str,
        options: ExportOptions,
        scrubber: Scrubber,
        dst: Path,
        cancel: CancelToken,
        findings: Sequence[dict[str, Any]] = (),
    ) -> None:
        from workstation.bundles import dossier as rp  # lazy: +270 ms to open the export dialog

        cats = {c["code"]: c for c in plan.categories}

        def dcat(code: str) -> Any:
            c = cats.get(code, {"label": code, "legal_basis": None})
            return rp.DossierCategory(code, c["label"], c["legal_basis"])

        # Annex B's entities (none whose name is redacted), and so those shown by marks.
        linked = {
            e["uuid"]: rp.DossierEntity(
                e["kind"],
                e["name"],
                [f"{i['scheme'].upper()} {i['value']}" for i in e["identifiers"]],
            )
            for e in scrubber.deep(plan.entities)
            if REDACTION_MARKER not in e["name"]
        }
        sources = []
        for ps, sha, media_type, rel, path in shipped:
            s = scrubber
            dmarks = []
            for a, held in marks.get(ps.source_id, []):
                anchor = a.anchor
                kind: Literal["text", "region", "page"] = (
                    "text"
                    if isinstance(anchor, TextAnchor)
                    else "region"
                    if isinstance(anchor, RegionAnchor)
                    else "page"
                )
                dmarks.append(
                    rp.DossierMark(
                        uuid=a.uuid,
                        kind=kind,
                        page=getattr(anchor, "page", None),
                        quote=None if held or not isinstance(anchor, TextAnchor) else anchor.exact,
                        categories=[dcat(c) for c in a.categories],
                        note=None if held else s.text(a.note),
                        region=None if held or not isinstance(anchor, RegionAnchor) else anchor,
                        author=a.author,
                        created=a.created,
                        withheld=held,
                        place=None if held else geometry_label(a.geo),
                        ocr=isinstance(anchor, TextAnchor) and anchor.page in ps.ocr_pages,
                        entities=[] if held else [linked[u] for u in a.entities if u in linked],
                    )
                )
            rec = ps.record
            sources.append(
                rp.DossierSource(
                    title=s.text(ps.title or ps.filename) or "",
                    kind=ps.kind,
                    media_type=media_type,
                    sha256=sha,
                    original_sha256=ps.sha256,
                    bundle_path=rel,
                    file=path,
                    redacted=ps.redacted,
                    published=rec.get("published"),
                    publisher=s.text(rec.get("publisher")),
                    author=s.text(rec.get("author")),
                    url=s.text(rec.get("url")),
                    grade=rec["grade"]["display"],
                    marks=dmarks,
                    **_scale_facts(rec.get("georeference"), s),
                )
            )
        entities = list(linked.values())
        case_name = plan.case["name"] if plan.case else None
        dossier = rp.Dossier(
            title=options.description
            or (f"Evidence bundle: {case_name}" if case_name else "Evidence bundle"),
            marking=plan.profile.marking,
            case=case_name,
            profile=plan.profile.name,
            organisation=options.organisation,
            contact=options.contact or self.library.reviewer,
            created=utc_now(),
            tool_version=tool_version(),
            bundle_id=f"urn:uuid:{bundle_id}",
            sources=sources,
            categories=[
                rp.DossierCategory(c["code"], c["label"], c["legal_basis"]) for c in plan.categories
            ],
            entities=entities,
            pairs=dossier_pairs(self.library, sources, scrubber),
            findings=[
                rp.DossierFinding(
                    number=number_label(f["number"]) if f.get("number") else "F-?",
                    title=f["title"],
                    claim=f.get("claim"),
                    status=f["status"],
                    confirmed_by=f.get("confirmed_by"),
                    signature=plan.finding_checks.get(f["uuid"]),
                    evidence=len(f["evidence"]),
                    withheld=f["evidence_withheld"],
                )
                for f in findings  # as case.json carries them: scrubbed, evidence that travels
            ],
        )
        rp.write_report(dossier, dst, cancel=cancel)


def _damaged(ps: PlannedSource) -> DamagedSourceError:
    title = f", {shown(ps.title, 60, quote=True)}" if ps.title else ""
    return DamagedSourceError(
        f"refusing to export source {ps.source_id} ({shown(ps.filename, 60)}{title}): its "
        f"stored original no longer hashes to {ps.sha256[:16]}… (damaged on disk; run "
        "'workstation check'); nothing was written"
    )


def _leaks(
    scrubber: Scrubber,
    documents: dict[str, bytes],
    readme: bytes,
    info: dict[str, str],
    report: Path,
    shipped: Sequence[tuple[PlannedSource, str, str, str, Path]],
) -> list[Leak]:
    """Every place a redacted passage is still readable in what is about to travel."""
    if not scrubber.quotes:
        return []
    found: list[Leak] = []
    for name, data in documents.items():
        found += json_leaks(scrubber, f"data/{name}", data)
    found += text_leaks(scrubber, "data/README.txt", readme.decode("utf-8"))
    found += info_leaks(scrubber, "bag-info.txt", info)
    found += page_leaks(scrubber, "data/report.pdf", _pdf_texts(report))
    for ps, _sha, media_type, rel, path in shipped:
        if media_type == "text/plain" and ps.treatment != "original":
            found += page_leaks(scrubber, rel, path.read_text(encoding="utf-8").split("\f"))
        elif media_type == "application/pdf":
            texts = list(ps.pages) if ps.treatment == "original" else _pdf_texts(path)
            found += page_leaks(scrubber, rel, texts)
            found += text_leaks(scrubber, rel, pdf_metadata_text(path), "metadata")
            if ps.ocr_pages and not ps.redacted:  # its scans show what OCR read there
                found += page_leaks(scrubber, rel, ps.pages)
        elif ps.kind == "image":
            found += text_leaks(scrubber, rel, image_metadata_text(path), "metadata")
            if not ps.redacted:  # the picture shows what OCR read on it
                found += page_leaks(scrubber, rel, ps.pages)
        elif ps.treatment == "original":
            found += page_leaks(scrubber, rel, ps.pages)
            found += text_leaks(scrubber, rel, raw_text(path))
    return found


def _scale_facts(georeference: dict[str, Any] | None, scrubber: Scrubber) -> dict[str, Any]:
    """What a picture's crops print about its place: scale, north, capture date, provider."""
    if not georeference:
        return {}
    from workstation.geo.places import north_angle  # lazy: pyproj, georeferenced pictures only

    g = from_json(georeference)
    return {
        "gsd": g.gsd,
        "north": north_angle(g, 0.0, 0.0),
        "captured": g.capture.captured,
        "provider": scrubber.text(g.capture.provider),
    }


def _retarget(
    a: AnnotationData,
    sha: str,
    media_type: str,
    texts: list[str] | None,
    scrubber: Scrubber,
) -> AnnotationData | None:
    """``a`` pointing at the file in the bundle (re-anchored when its text changed)."""
    anchor: Anchor = a.anchor
    if isinstance(anchor, TextAnchor) and texts is not None:
        if not 1 <= anchor.page <= len(texts):
            return None
        page = texts[anchor.page - 1]
        found = reanchor(page, anchor)
        if found is None:
            return None
        moved = text_anchor(page, found.start, found.end, page=anchor.page)
        if REDACTION_MARKER in moved.exact and REDACTION_MARKER not in anchor.exact:
            return None  # its words went under a redaction (a region over OCR words)
        anchor = moved
    if isinstance(anchor, TextAnchor) and scrubber.leaks(
        f"{anchor.prefix}{anchor.exact}{anchor.suffix}"
    ):
        return None  # it quotes what another source's redaction removes
    note = scrubber.text(a.note)
    return replace(a, source_sha256=sha, source_media_type=media_type, anchor=anchor, note=note)


def _pdf_texts(path: Path) -> list[str]:
    """Page texts of a PDF exactly as the library stores them on import."""
    import pymupdf  # lazy: +120 ms to open the export dialog

    with pymupdf.open(path) as doc:
        return [page.get_text().replace("\x00", "") for page in doc]


def _suffix_of(blob: Path, ps: PlannedSource) -> str:
    return Path(ps.filename).suffix.lower() or {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/tiff": ".tif",
        "image/webp": ".webp",
    }.get(ps.media_type, ".png")


_EXT = {"text/plain": ".txt", "image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}


def _rename_for(name: str, media_type: str) -> str:
    ext = _EXT.get(media_type)
    if ext is None or name.lower().endswith(ext):
        return name
    return f"{Path(name).stem or 'source'}{ext}"


def _dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _bag_info(
    plan: ExportPlan, bundle_id: str, options: ExportOptions, scrubber: Scrubber, head: str
) -> dict[str, str]:
    case = plan.case["name"] if plan.case else None
    description = options.description or (
        f"Evidence bundle for case {case}" if case else "Evidence bundle"
    )
    info = {
        "Source-Organization": scrubber.text(options.organisation) or "not stated",
        "Contact-Name": scrubber.text(options.contact) or "not stated",
        "External-Description": scrubber.text(description) or description,
        "External-Identifier": f"urn:uuid:{bundle_id}",
        "Releasability-Marking": plan.profile.marking,
        "Recipient-Profile": plan.profile.name,
        "Bundle-Software": tool_version(),
        # The library's audit head when the bundle was made: a witness outside the
        # library that 'audit verify --witness BUNDLE' checks the chain against.
        BAG_INFO_LABEL: head,
    }
    if case:
        info["Case-Name"] = scrubber.text(case) or case
    return info


def _readme(
    plan: ExportPlan,
    bundle_id: str,
    options: ExportOptions,
    shipped: Sequence[tuple[PlannedSource, str, str, str, Path]],
    ocr: OcrExport,
) -> str:
    redacted = sum(1 for s in shipped if s[0].redacted)
    lines = [
        f"EVIDENCE BUNDLE   {plan.profile.marking}",
        "",
        f"Bundle id: urn:uuid:{bundle_id}",
        f"Written by: {tool_version()}",
        f"Sources: {len(shipped)} ({redacted} redacted)",
        "",
        "This folder is a BagIt bag (RFC 8493). Every file under data/ is listed with its",
        "SHA-256 in manifest-sha256.txt; the tag files are listed in tagmanifest-sha256.txt.",
        "",
        "WHAT IS HERE",
        "  data/report.pdf          the dossier: every source, every marked passage and region",
        "  data/case.json           sources with metadata and grades, categories, entities",
        "  data/annotations.jsonld  the marks as W3C Web Annotations (JSON-LD)",
        "  data/sources/            the sources (originals, or redacted derivatives: case.json",
        "                           gives each derivative's original SHA-256)",
        *ocr.readme_lines(),
        "",
        "HOW TO CHECK IT WITHOUT OUR SOFTWARE",
        "  1. The checksums, with the Library of Congress bagit tool:",
        "       pip install bagit && bagit.py --validate BAG_FOLDER",
        "     or with coreutils, inside the bag folder:",
        "       sha256sum -c manifest-sha256.txt && sha256sum -c tagmanifest-sha256.txt",
        "     (file names with %, CR or LF are percent-encoded in the manifests, per RFC 8493).",
        "  2. The signature (when the bag carries one), with OpenSSL 3:",
        f"       openssl pkeyutl -verify -pubin -inkey {SIGNER_KEY_FILE} -rawin \\",
        f"         -in tagmanifest-sha256.txt -sigfile {SIGNATURE_FILE}",
        "     It must print 'Signature Verified Successfully'. Then compare the key's",
        "     fingerprint (signer.txt; SHA-256 of the raw 32-byte key) with the one the sender",
        "     gave you through another channel. To compute it yourself:",
        f"       openssl pkey -pubin -in {SIGNER_KEY_FILE} -outform DER | tail -c 32 | sha256sum",
        "     A good signature over tagmanifest-sha256.txt plus valid checksums covers every",
        "     file in the bag.",
        "  3. An .age file is this bag, zipped and encrypted:",
        "       age -d -i KEYFILE BUNDLE.age > bag.zip",
        "",
        "Redaction removes content (text and pixels are gone from the derivative files); it does",
        "not draw boxes over it. Annotations on redacted parts are left out.",
    ]
    return "\n".join(lines) + "\n"


__all__ = ["BundleExporter", "ExportOptions", "ExportResult", "safe_filename"]


def _travelling_findings(
    findings: list[dict[str, Any]],
    exported: set[str],
    shipped: dict[str, str],
    entities: set[str],
) -> list[dict[str, Any]]:
    """The findings as they travel: evidence only among the exported annotations
    (``evidence_withheld`` says how many links stayed home), entities only among
    the exported ones, a letter's or reply's document only when that source travels
    (by its SHA-256 in the bundle; ``document_withheld`` otherwise). A finding none
    of whose evidence travels stays home."""
    out = []
    for f in findings:
        evidence = [e for e in f["evidence"] if e["annotation"] in exported]
        if not evidence:
            continue
        letters = []
        for letter in f["letters"]:
            replies = [_document(dict(r), shipped) for r in letter["replies"]]
            letters.append({**_document(dict(letter), shipped), "replies": replies})
        out.append(
            {
                **f,
                "evidence": evidence,
                "evidence_withheld": len(f["evidence"]) - len(evidence),
                "entities": [e for e in f["entities"] if e in entities],
                "letters": letters,
            }
        )
    return out


def _document(item: dict[str, Any], shipped: dict[str, str]) -> dict[str, Any]:
    sha = item.get("document")
    item["document"] = shipped.get(sha) if sha else None
    item["document_withheld"] = bool(sha) and item["document"] is None
    return item
