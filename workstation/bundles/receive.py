"""Receiving an evidence bundle: decrypt, check where it lies, unpack, verify, read.

A bundle from a partner is hostile until proven otherwise: its manifests, tag
files and signature are checked where it lies, before a byte of payload is
copied; then it is unpacked into a staging folder under the library with the
hostile-input checks of ``workstation.bundles.bagit`` and verified there in
full before anything is read from it. ``open_bundle`` gives the reviewer what
the bundle holds and who signed it; ``import_.BundleMerger`` merges it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workstation.annotations import w3c
from workstation.annotations.anchors import AnnotationData
from workstation.bundles.age import decrypt_file, is_age_file
from workstation.bundles.bagit import BagReport, inspect_bag, shown, unpack_bag, verify_bag
from workstation.bundles.carried import read_ocr_layers
from workstation.bundles.errors import BundleError
from workstation.bundles.incoming import annotation_items, check_case, read_json
from workstation.bundles.signing import SignatureCheck, check_signature
from workstation.bundles.verify import signature_coverage_problem
from workstation.core.errors import BadInputError, WorkstationError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.keys.keyring import KeyService

#: How each trust verdict of ``OpenedBundle.trust`` reads to a reviewer.
TRUST_WORDS = {
    "trusted": "signed by a trusted key",
    "known": "signed by a known key that is NOT trusted",
    "unknown": "signed by an UNKNOWN key",
    "unsigned": "NOT signed",
}


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
    #: The OCR layers case.json names (``data/ocr/``), checked, by the source's SHA-256.
    ocr: dict[str, dict[str, Any]] = field(default_factory=dict)

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
        # The manifests, tag files and signature first, where the bag lies: a payload
        # file the manifests do not list, or a bad signature, is refused before a
        # byte of payload is copied.
        inspected = inspect_bag(bag_source, cancel=cancel)
        _refuse_invalid(inspected, path.name)
        check = _signature(inspected)
        # Then unpack (names, links, sizes checked on the way) and verify the copy we
        # merge from in full: nobody else can change it between check and use.
        bag = unpack_bag(bag_source, scratch, cancel=cancel, progress=_step(progress, "unpacking"))
        report = verify_bag(bag, cancel=cancel, progress=_step(progress, "checking"))
        _refuse_invalid(report, path.name)
        if report.tagmanifest_sha256 != inspected.tagmanifest_sha256:
            raise BundleError("the bundle changed while it was being read; try again")
        tagmanifest = report.tag_files["tagmanifest-sha256.txt"]
        trust = "unsigned"
        if check.status == "good" and check.fingerprint:
            with library.reader() as session:
                trust = KeyService(library).trust_of(session, check.fingerprint)
        case = check_case(read_json(bag / "data" / "case.json", "case.json"))
        annotations = _read_annotations(bag / "data" / "annotations.jsonld")
        ocr = read_ocr_layers(bag, case)
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
            ocr=ocr,
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


def _refuse_invalid(report: BagReport, name: str) -> None:
    if not report.valid:
        reasons = "; ".join(report.problems[:5]) or "it is not a complete bag"
        more = f" (and {len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
        raise BundleError(f"refusing {shown(name)}: the bundle is not valid: {reasons}{more}")


def _signature(report: BagReport) -> SignatureCheck:
    """The signature of an inspected bag, refusing what no signature would protect."""
    tagmanifest = report.tag_files.get("tagmanifest-sha256.txt")
    coverage = signature_coverage_problem(report)
    if coverage is not None:
        raise BundleError(f"the bundle's signature is bad: {coverage}")
    if tagmanifest is None:
        raise BundleError("the bundle has no tagmanifest-sha256.txt; it cannot be ours")
    covered = set(report.verified_by.get("tagmanifest-sha256.txt", []))
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
    return check


#: Longest quotation of a bundle's own words in an error message.
QUOTED_CHARS = 60


def _read_annotations(path: Path) -> list[AnnotationData]:
    items = annotation_items(read_json(path, "annotations.jsonld"))
    out: list[AnnotationData] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BundleError(f"annotations.jsonld item {n} is not an object")
        try:
            out.append(w3c.from_w3c(item))
        except BadInputError as exc:
            raise BundleError(f"annotations.jsonld item {n}: {shown(exc.message, 200)}") from exc
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            # A shape the W3C reader did not foresee: still one line, never a traceback.
            raise BundleError(
                f"annotations.jsonld item {n} is malformed ({type(exc).__name__}: "
                f"{shown(str(exc), QUOTED_CHARS)})"
            ) from exc
    return out
