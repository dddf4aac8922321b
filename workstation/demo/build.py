"""Fill a library with the demo corpus and a morning's marks and findings: what
`workstation demo` and the desktop's "Open the demo library" both do."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from workstation.core.library import Library
from workstation.demo.corpus import write_demo_corpus
from workstation.demo.findings import DemoFinding, make_demo_findings
from workstation.demo.marks import mark_demo
from workstation.sources.ingest import ImportReport, ImportService

DEMO_CASE = "Demo: Rajin port"


@dataclass(frozen=True)
class DemoBuilt:
    """What filling the demo library did (nothing new on a second run)."""

    report: ImportReport
    marks: int
    findings: list[DemoFinding]


def build_demo(library: Library) -> DemoBuilt:
    """Import the invented corpus into ``library``, then mark it and make findings."""
    with tempfile.TemporaryDirectory(prefix="workstation-demo-") as tmp:
        files = write_demo_corpus(Path(tmp))
        report = ImportService(library).import_paths(files, case=DEMO_CASE)
    marks = mark_demo(library)
    findings = make_demo_findings(library)
    return DemoBuilt(report, marks, findings)
