"""Check a bundle without importing it: the verdict ``workstation verify`` prints and
File > Verify Bundle shows.

A bag folder or zip is read in place; an ``.age`` bundle is decrypted with the
reviewer's identity into a private temporary folder first (in the library's
``derived/bundle-staging`` when a library is given), removed afterwards.
The signature is judged against a library's keys when one is given (trusted,
known but not trusted, unknown); without one, a good signature has an unknown
signer. A bag that carries signature files must have a tag manifest that covers
every other tag file, or the signature would vouch for files it never saw.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from workstation.bundles.age import decrypt_file, is_age_file
from workstation.bundles.bagit import BagReport, shown, verify_bag
from workstation.bundles.bagit.names import MANIFEST_NAME
from workstation.bundles.errors import BundleError
from workstation.bundles.signing import (
    SIGNATURE_FILE,
    SIGNED_FILE,
    SIGNER_INFO_FILE,
    SIGNER_KEY_FILE,
    check_signature,
)
from workstation.core.library import Library
from workstation.core.progress import CancelToken, ProgressCallback
from workstation.keys.keyring import KeyService

#: The files a signature adds to a bag; they cannot be in the manifest they sign.
SIGNATURE_FILES = (SIGNATURE_FILE, SIGNER_KEY_FILE, SIGNER_INFO_FILE)
#: At most this many problems are printed as lines (``--json`` carries them all).
MAX_PROBLEM_LINES = 50

Verdict = Literal["trusted", "unsigned", "untrusted", "invalid"]


def signature_coverage_problem(report: BagReport) -> str | None:
    """Why a signature on this bag would not protect all of it, or None.

    A bag with none of the signature files is simply unsigned. One with any of them
    needs ``tagmanifest-sha256.txt`` (what the signature covers), and that manifest
    must confirm every tag file but itself, other tag manifests and the signature
    files: otherwise bag-info.txt or a manifest could be swapped under a good
    signature.
    """
    present = set(report.tag_file_names)
    if not present & set(SIGNATURE_FILES):
        return None
    if SIGNED_FILE not in present:
        return (
            f"the bundle carries signature files but no {SIGNED_FILE}, so the signature "
            "covers nothing"
        )
    covered = set(report.verified_by.get(SIGNED_FILE, []))
    needed = {
        name
        for name in present
        if name not in SIGNATURE_FILES
        and not ((m := MANIFEST_NAME.match(name)) is not None and m.group(1))
    }
    missing = sorted(needed - covered)
    if not missing:
        return None
    listed = ", ".join(shown(n) for n in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return (
        f"{SIGNED_FILE} does not cover {listed}{more}; the signature would not protect "
        f"{'it' if len(missing) == 1 else 'them'}"
    )


@dataclass(frozen=True)
class BundleVerdict:
    """What a check of a bundle found.

    Attributes:
        path: the bundle as given.
        valid: every checksum, Payload-Oxum and the signature (when present) are right.
        complete: every file the manifests list is there.
        problems: one line each, empty when valid.
        files: payload files.
        bytes: payload bytes.
        payload_oxum: as bag-info.txt states it.
        signature: ``good``, ``bad`` or ``unsigned``.
        signer: the signing key's fingerprint, when signed.
        signer_name: its name in the library, when the library knows it.
        trust: ``trusted``, ``known``, ``unknown`` or ``unsigned``.
    """

    path: Path
    valid: bool
    complete: bool
    problems: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    payload_oxum: str | None = None
    signature: str = "unsigned"
    signer: str | None = None
    signer_name: str | None = None
    trust: str = "unsigned"

    @property
    def verdict(self) -> Verdict:
        """``invalid``; else ``trusted`` (signed by a key the library trusts),
        ``unsigned``, or ``untrusted`` (signed by a key that is known but not
        trusted, or unknown: ``trust`` says which)."""
        if not self.valid:
            return "invalid"
        if self.signature == "good" and self.trust == "trusted":
            return "trusted"
        if self.signature == "unsigned":
            return "unsigned"
        return "untrusted"

    def as_json(self) -> dict[str, Any]:
        """The shape ``verify --json`` prints."""
        return {
            "verdict": self.verdict,
            "bundle": str(self.path),
            "valid": self.valid,
            "complete": self.complete,
            "problems": self.problems,
            "files": self.files,
            "bytes": self.bytes,
            "payload_oxum": self.payload_oxum,
            "signature": self.signature,
            "signer": self.signer,
            "signer_name": self.signer_name,
            "trust": self.trust,
        }

    def lines(self) -> list[str]:
        """The verdict for a reviewer, a line each (what ``verify`` prints)."""
        if self.valid:
            out = [f"valid: {self.files} file(s), {self.bytes:,} bytes, every checksum matches"]
        else:
            out = ["INVALID:", *(f"  {p}" for p in self.problems[:MAX_PROBLEM_LINES])]
            if len(self.problems) > MAX_PROBLEM_LINES:
                more = len(self.problems) - MAX_PROBLEM_LINES
                out.append(f"  ... and {more} more (--json lists them all)")
        if self.signature == "good":
            who = f" ({self.signer_name})" if self.signer_name else ""
            verdict = {"trusted": "signer trusted", "known": "signer known but NOT trusted"}.get(
                self.trust, "signer UNKNOWN"
            )
            out.append(f"signature: good, {verdict}: {self.signer or ''}{who}")
        elif self.signature == "unsigned":
            out.append("signature: none (the bundle is not signed)")
        return out


def verify_bundle(
    path: Path,
    *,
    identity: Path | None = None,
    library: Library | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> BundleVerdict:
    """Check a bag folder, a zipped bag, or an age-encrypted zipped bag.

    Raises:
        BundleError: there is no bundle at ``path``, or it is encrypted and no
            identity was given, or the identity does not open it.
        CancelledError: cancelled.
    """
    path = Path(path).expanduser().absolute()
    if not path.exists():
        raise BundleError(f"no bundle at {path}")
    # A decrypted copy goes where 'check --repair' finds it should the process die.
    where = None
    if library is not None and library.read_only is None:  # else the system's temp folder
        where = library.derived / "bundle-staging"
        where.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".verify-", dir=where))
    try:
        target = path
        if path.is_file() and is_age_file(path):
            if identity is None:
                raise BundleError(f"{path.name} is encrypted with age; give the key (identity)")
            target = scratch / "bundle.zip"
            decrypt_file(path, target, identity, cancel=cancel, progress=progress)
        report = verify_bag(target, cancel=cancel, progress=progress)
        tagmanifest = report.tag_files.get("tagmanifest-sha256.txt")
        check = check_signature(report.tag_files, tagmanifest) if tagmanifest else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    trust = "unsigned"
    signer_name = None
    if check is not None and check.status == "good" and check.fingerprint:
        trust = "unknown"
        if library is not None:
            with library.reader() as session:
                keys = KeyService(library)
                trust = keys.trust_of(session, check.fingerprint)
                if trust != "unknown":
                    signer_name = keys.get(session, check.fingerprint).name
    signature = check.status if check is not None else "unsigned"
    problems = list(report.problems)
    if signature == "bad":
        problems.append(f"signature: {check.reason if check else 'bad'}")
    coverage = signature_coverage_problem(report)
    if coverage is not None:
        problems.append(f"signature: {coverage}")
        if signature == "unsigned":
            signature = "bad"  # signature files without a tag manifest to sign
    return BundleVerdict(
        path=path,
        valid=report.valid and signature != "bad" and coverage is None,
        complete=report.complete,
        problems=problems,
        files=report.file_count,
        bytes=report.bytes,
        payload_oxum=report.payload_oxum,
        signature=signature,
        signer=check.fingerprint if check else None,
        signer_name=signer_name,
        trust=trust,
    )
