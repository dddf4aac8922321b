"""``workstation check``: does the library agree with itself?

Re-hashes every blob, runs SQLite's integrity check, matches records to
blobs both ways (a blob without a record is an orphan left by an
interrupted import) and verifies the audit chain.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from db.models import Source
from workstation.core import audit
from workstation.core.library import Library
from workstation.core.progress import Progress, ProgressCallback


@dataclass
class CheckReport:
    """Findings of a check; ``ok`` only when everything agrees."""

    blobs_checked: int = 0
    sqlite: str = "ok"
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    stray_temp: list[str] = field(default_factory=list)
    audit_events: int = 0
    audit_ok: bool = True
    audit_problem: str | None = None
    repaired: list[str] = field(default_factory=list)
    stale_caches: list[str] = field(default_factory=list)
    stale_staging: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (repaired orphans count as fixed)."""
        return (
            self.sqlite == "ok"
            and not self.missing
            and not self.corrupt
            and not self.orphans
            and not self.stray_temp
            and self.audit_ok
        )

    def problems(self) -> list[str]:
        """One line per problem, for people."""
        lines = []
        if self.sqlite != "ok":
            lines.append(f"database integrity check: {self.sqlite}")
        lines += [f"missing blob {sha} (its source record has no original)" for sha in self.missing]
        lines += [f"blob {sha} no longer matches its hash" for sha in self.corrupt]
        lines += [
            f"orphan blob {sha} (left by an interrupted import; 'check --repair' removes it)"
            for sha in self.orphans
        ]
        lines += [
            f"stray temporary file {name} ('check --repair' removes it)" for name in self.stray_temp
        ]
        if not self.audit_ok:
            lines.append(f"audit trail: {self.audit_problem}")
        return lines

    def notes(self) -> list[str]:
        """Things worth knowing that are not problems (regenerable caches)."""
        return [
            f"cached file {name} belongs to no source ('check --repair' removes it)"
            for name in self.stale_caches
        ] + [
            f"{name} holds the unpacked copy of a bundle whose import was interrupted "
            "('check --repair' removes it)"
            for name in self.stale_staging
        ]


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


def check_library(
    library: Library, *, repair: bool = False, progress: ProgressCallback | None = None
) -> CheckReport:
    """Check blobs, database and audit chain; with ``repair``, remove orphans."""
    report = CheckReport()
    with library.reader() as session:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        report.sqlite = "ok" if result == ["ok"] else "; ".join(str(r) for r in result[:5])
        known = set(session.scalars(select(Source.sha256)))
        chain = audit.verify_chain(session)
    report.audit_events = chain.events
    report.audit_ok = chain.ok
    report.audit_problem = chain.reason
    on_disk = set(library.blobs.iter_hashes())
    report.missing = sorted(known - on_disk)
    present = sorted(known & on_disk)
    for n, sha in enumerate(present, start=1):
        if library.blobs.hash_of(sha) != sha:
            report.corrupt.append(sha)
        report.blobs_checked += 1
        if progress:
            progress(Progress(n, len(present), sha))
    report.orphans = sorted(on_disk - known)
    report.stray_temp = [p.name for p in library.blobs.stray_temp_files()]
    stale = _stale_cache_files(library, known)
    report.stale_caches = [str(p.relative_to(library.root)) for p in stale]
    staging = _stale_staging(library)
    report.stale_staging = [str(p.relative_to(library.root)) for p in staging]
    if repair:
        for sha in report.orphans:
            library.blobs.remove(sha)
            report.repaired.append(f"removed orphan blob {sha}")
        for path in library.blobs.stray_temp_files():
            path.unlink()
            report.repaired.append(f"removed temporary file {path.name}")
        for path in stale:
            path.unlink(missing_ok=True)
            report.repaired.append(f"removed stale cache {path.relative_to(library.root)}")
        report.stale_caches = []
        for path in staging:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            report.repaired.append(f"removed unpacked bundle {path.relative_to(library.root)}")
        report.stale_staging = []
        if report.repaired:
            with library.writer() as session:
                library.record(
                    session, "library.repair", "library", None, {"actions": report.repaired}
                )
        report.orphans = []
        report.stray_temp = []
    return report
