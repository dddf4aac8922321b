"""``workstation check``: does the library agree with itself?

Re-hashes every blob, runs SQLite's integrity check, verifies the audit
chain against its witnesses, recomputes every record's state and compares it
with the last audit event that vouched for it, and matches records to blobs
both ways. Damage to committed evidence is a problem; what an interrupted
import or export leaves behind is a note (like ``git fsck``'s dangling
objects), swept by ``--repair`` or the next import. Nothing is ever deleted
that could be evidence: a blob no record claims is moved to ``quarantine/``.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import AuditEvent, Source
from workstation.core import audit, state
from workstation.core.dates import utc_now
from workstation.core.library import Library
from workstation.core.progress import Progress, ProgressCallback
from workstation.core.witness import Head, check_heads, parse_heads

#: Problems of one class shown one a line; the rest are counted.
MAX_LINES = 50

QUARANTINE = "quarantine"

log = logging.getLogger(__name__)


@dataclass
class AuditReport:
    """The audit trail against the records and the witnesses."""

    events: int = 0
    chain_ok: bool = True
    broken_seq: int | None = None
    chain_problem: str | None = None
    bound_since: int | None = None
    records_checked: int = 0
    state_problems: list[audit.StateProblem] = field(default_factory=list)
    witness_problems: list[str] = field(default_factory=list)
    witness_notes: list[str] = field(default_factory=list)
    witnesses_checked: int = 0

    @property
    def ok(self) -> bool:
        """True when the chain, every record's state and every witness agree."""
        return (
            self.chain_ok
            and (self.bound_since is not None or not self.records_checked)
            and not self.state_problems
            and not self.witness_problems
        )

    def problems(self) -> list[str]:
        """One line per problem, for people."""
        lines = []
        if not self.chain_ok:
            lines.append(f"audit trail: {self.chain_problem}")
        lines += [f"audit witness: {line}" for line in self.witness_problems]
        if self.bound_since is None and self.records_checked:
            lines.append(
                "audit trail: no event binds the state of the records (the audit.bind event "
                "is missing: the trail was cut, or this library was never opened writable "
                "since state binding came in)"
            )
        else:
            lines += _capped([p.line() for p in self.state_problems], "records")
        return lines

    def as_json(self) -> dict[str, object]:
        """The shape ``audit verify --json`` prints."""
        return {
            "ok": self.ok,
            "events": self.events,
            "broken_event": self.broken_seq,
            "reason": self.chain_problem,
            "records_checked": self.records_checked,
            "records": [p.as_json() for p in self.state_problems],
            "witnesses_checked": self.witnesses_checked,
            "problems": self.problems(),
            "notes": self.witness_notes,
        }


def _capped(lines: list[str], what: str) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"and {len(lines) - MAX_LINES} more {what} like these"]


def _own_witness(library: Library, report: AuditReport) -> list[Head]:
    """The heads in the library's witness file; a missing file is a problem
    once the trail binds states (every commit since then appended a head)."""
    path = library.witness_path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        report.witness_problems.append(f"cannot read {path.name}: {exc.strerror or exc}")
        return []
    heads, bad = parse_heads(raw.decode("utf-8", "replace"), path.name)
    report.witness_problems += bad[:5]
    return heads


def verify_audit(
    library: Library, session: Session, witnesses: Iterable[Head] = ()
) -> tuple[AuditReport, audit.ChainScan]:
    """Chain, record states and witnesses, in one read transaction (``session``).

    Args:
        library: whose witness file to read.
        session: a read session (one snapshot for the chain and the records).
        witnesses: heads from elsewhere (a bundle's bag-info, a copied witness).
    """
    report = AuditReport()
    own = _own_witness(library, report)
    extra = list(witnesses)
    scan = audit.scan_chain(session, want={h.seq for h in own} | {h.seq for h in extra})
    report.events = scan.report.events
    report.chain_ok = scan.report.ok
    report.broken_seq = scan.report.broken_seq
    report.chain_problem = scan.report.reason
    report.bound_since = scan.bound_since
    current = state.compute_all(session)
    report.records_checked = len(current)
    report.state_problems = audit.compare_states(scan.bindings, current)
    if scan.bound_since is not None and not library.witness_path.exists():
        report.witness_problems.append(
            f"{library.witness_path.name} is missing: every change since event "
            f"{scan.bound_since} appended its head there"
        )
    report.witness_problems += check_heads(own, scan.last_seq, scan.hashes)
    report.witness_problems += check_heads(extra, scan.last_seq, scan.hashes)
    report.witnesses_checked = len(own) + len(extra)
    if own and scan.last_seq > max(h.seq for h in own) and not report.witness_problems:
        report.witness_notes.append(
            f"{library.witness_path.name} ends at event {max(h.seq for h in own)}, the chain "
            f"at {scan.last_seq} (a crash between a commit and its witness line)"
        )
    return report, scan


@dataclass
class CheckReport:
    """Findings of a check; ``ok`` only when every committed record is intact."""

    blobs_checked: int = 0
    sqlite: str = "ok"
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)  # blob -> its source.import event
    leftovers: list[str] = field(default_factory=list)
    stray_temp: list[str] = field(default_factory=list)
    audit: AuditReport = field(default_factory=AuditReport)
    repaired: list[str] = field(default_factory=list)
    stale_caches: list[str] = field(default_factory=list)
    stale_staging: list[str] = field(default_factory=list)

    @property
    def audit_events(self) -> int:
        """How many events the chain holds."""
        return self.audit.events

    @property
    def audit_ok(self) -> bool:
        """Chain, states and witnesses agree."""
        return self.audit.ok

    @property
    def audit_problem(self) -> str | None:
        """The first audit problem, if any."""
        found = self.audit.problems()
        return found[0] if found else None

    @property
    def orphans(self) -> list[str]:
        """Blobs no record refers to (lost evidence and leftovers alike)."""
        return sorted([*self.lost, *self.leftovers])

    @property
    def ok(self) -> bool:
        """True when every committed record and its original are intact."""
        return (
            self.sqlite == "ok"
            and not self.missing
            and not self.corrupt
            and not self.lost
            and self.audit.ok
        )

    def problems(self) -> list[str]:
        """One line per problem, for people."""
        lines = []
        if self.sqlite != "ok":
            lines.append(f"database integrity check: {self.sqlite}")
        lines += [f"missing blob {sha} (its source record has no original)" for sha in self.missing]
        lines += [
            f"blob {sha} no longer matches its hash (import the original file again to repair it)"
            for sha in self.corrupt
        ]
        lines += [
            f"blob {sha} was imported (audit event {seq}) but no source record refers to it "
            "any more ('check --repair' moves it to quarantine/)"
            for sha, seq in sorted(self.lost.items())
        ]
        return lines + self.audit.problems()

    def notes(self) -> list[str]:
        """Things worth knowing that are not problems (leftovers, caches)."""
        return (
            [
                f"blob {sha} belongs to no record: left by an interrupted import "
                "('check --repair' or the next import moves it to quarantine/)"
                for sha in self.leftovers
            ]
            + [
                f"temporary file {name} left by an interrupted write ('check --repair' removes it)"
                for name in self.stray_temp
            ]
            + [
                f"cached file {name} belongs to no source ('check --repair' removes it)"
                for name in self.stale_caches
            ]
            + [
                f"{name} holds the unpacked copy of a bundle whose import was interrupted "
                "('check --repair' removes it)"
                for name in self.stale_staging
            ]
            + self.audit.witness_notes
        )


def _stale_cache_files(library: Library, known: set[str]) -> list[Path]:
    """Thumbnails and tile pyramids in ``derived/`` whose source is gone.

    They are caches, so they are never problems, only clutter; the names
    start with the blob's SHA-256.
    """
    stale: list[Path] = []
    for folder in ("thumbs", "tiles"):
        base = library.derived / folder
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*/*")):
            digest = path.name.split(".", 1)[0]
            if path.is_file() and len(digest) == 64 and digest not in known:
                stale.append(path)
    return stale


#: An unpacked bundle older than this is left from an import that did not finish;
#: a younger one may belong to an import running in another process.
STAGING_STALE_AFTER = 6 * 3600

#: A blob without a record, or a temporary file, older than this is a leftover
#: the next import sweeps; a younger one may be another process's import in flight.
LEFTOVER_STALE_AFTER = 3600
#: Imports look for leftovers at most this often (seconds); the time is kept in
#: ``derived/`` (a cache: losing it costs one more look).
SWEEP_EVERY = 600
SWEPT_MARKER = "last-sweep"


def _stale_staging(library: Library, now: float | None = None) -> list[Path]:
    """Unpacked bundles in ``derived/bundle-staging`` left by an interrupted import.

    They hold a partner's (possibly decrypted) material, so they should not
    linger; an import removes its own when it ends, however it ends, short of
    the process being killed.
    """
    base = library.derived / "bundle-staging"
    if not base.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - STAGING_STALE_AFTER
    return sorted(p for p in base.iterdir() if p.lstat().st_mtime < cutoff)


def quarantine_blob(library: Library, sha256: str, reason: str) -> Path:
    """Move a blob out of the store into ``quarantine/``, with a note saying why.

    Never a deletion: the bytes stay, byte for byte, beside a ``.txt`` that
    says when, who and why; importing the file again brings it back.
    """
    folder = library.root / QUARANTINE
    folder.mkdir(mode=0o700, exist_ok=True)
    target, n = folder / sha256, 1
    while target.exists() or target.with_name(target.name + ".txt").exists():
        n += 1
        target = folder / f"{sha256}.{n}"
    note = (
        f"Moved here from blobs/ by {library.reviewer} on {utc_now()}.\n"
        f"Why: {reason}\n"
        f"The bytes are unchanged (SHA-256 {sha256}). To bring them back into the library,\n"
        f"import this file again: workstation import {QUARANTINE}/{target.name}\n"
    )
    note_path = target.with_name(target.name + ".txt")
    fd = os.open(note_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(note)
        f.flush()
        os.fsync(f.fileno())
    os.replace(library.blobs.path_for(sha256), target)
    return target


def check_library(
    library: Library, *, repair: bool = False, progress: ProgressCallback | None = None
) -> CheckReport:
    """Check blobs, database, audit trail and record states; with ``repair``, tidy up.

    Repair moves blobs no record claims to ``quarantine/`` (never deletes
    them) and removes temporary files, stale caches and unpacked bundles.
    A damaged blob stays where it is: importing the good original replaces it.
    """
    if repair:
        library.require_writable()  # before anything is looked at, let alone moved
    report = CheckReport()
    with library.reader() as session:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        report.sqlite = "ok" if result == ["ok"] else "; ".join(str(r) for r in result[:5])
        known = set(session.scalars(select(Source.sha256)))
        report.audit, scan = verify_audit(library, session)
    on_disk = set(library.blobs.iter_hashes())
    report.missing = sorted(known - on_disk)
    present = sorted(known & on_disk)
    for n, sha in enumerate(present, start=1):
        if library.blobs.hash_of(sha) != sha:
            report.corrupt.append(sha)
        report.blobs_checked += 1
        if progress:
            progress(Progress(n, len(present), sha))
    for sha in sorted(on_disk - known):
        if sha in scan.imported:
            report.lost[sha] = scan.imported[sha]
        else:
            report.leftovers.append(sha)
    report.stray_temp = [p.name for p in library.blobs.stray_temp_files()]
    stale = _stale_cache_files(library, known)
    report.stale_caches = [str(p.relative_to(library.root)) for p in stale]
    staging = _stale_staging(library)
    report.stale_staging = [str(p.relative_to(library.root)) for p in staging]
    if repair:
        _repair(library, report, stale, staging)
    return report


def _repair(library: Library, report: CheckReport, stale: list[Path], staging: list[Path]) -> None:
    for sha, seq in sorted(report.lost.items()):
        moved = quarantine_blob(
            library,
            sha,
            f"'workstation check --repair' found no source record for it, though audit event "
            f"{seq} says it was imported: the record was removed outside the program",
        )
        report.repaired.append(f"moved blob {sha} to {moved.relative_to(library.root)}")
    for sha in report.leftovers:
        moved = quarantine_blob(
            library,
            sha,
            "'workstation check --repair' found no source record and no audit event for it: "
            "an import was interrupted after storing it",
        )
        report.repaired.append(f"moved blob {sha} to {moved.relative_to(library.root)}")
    for path in library.blobs.stray_temp_files():
        path.unlink(missing_ok=True)
        report.repaired.append(f"removed temporary file {path.name}")
    for path in stale:
        path.unlink(missing_ok=True)
        report.repaired.append(f"removed stale cache {path.relative_to(library.root)}")
    for path in staging:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        report.repaired.append(f"removed unpacked bundle {path.relative_to(library.root)}")
    if report.repaired:
        with library.writer() as session:
            library.record(session, "library.repair", "library", None, {"actions": report.repaired})
    report.lost, report.leftovers, report.stray_temp = {}, [], []
    report.stale_caches, report.stale_staging = [], []


def sweep_leftovers(library: Library, *, older_than: float = LEFTOVER_STALE_AFTER) -> list[str]:
    """Move what interrupted imports left (blobs no record or event claims) to quarantine.

    Run by each import when it ends, so leftovers do not pile up. Only what is
    older than ``older_than`` seconds: a younger blob may belong to an import
    running in another process right now. Blobs the audit trail says were
    imported are left for ``check`` to report. Never fails the import that
    calls it: what cannot be moved now is moved next time. Returns what was done.
    """
    now = time.time()
    marker = library.derived / SWEPT_MARKER
    # A leftover waits an hour anyway: looking more often than every few minutes
    # would only cost each small import a listing of the whole store.
    try:
        if marker.stat().st_mtime > now - SWEEP_EVERY:
            return []
    except FileNotFoundError:
        pass
    try:
        done = _sweep(library, now - older_than)
        marker.touch(mode=0o600)
    except OSError as exc:
        log.warning("could not sweep leftovers in %s: %s", library.root, exc)
        return []
    return done


def _blob_names(library: Library) -> set[str]:
    """Every blob name in the store (``BlobStore.iter_hashes`` unsorted, for speed)."""
    names: set[str] = set()
    with os.scandir(library.blobs.root / "sha256") as folders:
        for folder in folders:
            if folder.is_dir():
                with os.scandir(folder.path) as entries:
                    names.update(e.name for e in entries if e.is_file())
    return names


def _sweep(library: Library, cutoff: float) -> list[str]:
    on_disk = _blob_names(library)
    with library.reader() as session:
        orphans = on_disk - set(session.scalars(select(Source.sha256)))
        stale = [
            sha
            for sha in sorted(orphans)
            if _older(library.blobs.path_for(sha), cutoff) and not _imported(session, sha)
        ]
    done: list[str] = []
    for sha in stale:
        moved = quarantine_blob(
            library,
            sha,
            "an import found no source record and no audit event for it: an earlier "
            "import was interrupted after storing it",
        )
        done.append(f"moved blob {sha} to {moved.relative_to(library.root)}")
    for path in library.blobs.stray_temp_files():
        if _older(path, cutoff):
            path.unlink(missing_ok=True)
            done.append(f"removed temporary file {path.name}")
    if done:
        with library.writer() as session:
            library.record(session, "library.sweep", "library", None, {"actions": done})
    return done


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _imported(session: Session, sha256: str) -> bool:
    """Whether an audit event says a source with this blob was imported."""
    pattern = f'%"sha256":"{sha256}"%'
    found = session.execute(
        select(AuditEvent.seq)
        .where(AuditEvent.action == "source.import", AuditEvent.details.like(pattern))
        .limit(1)
    ).first()
    return found is not None
