"""What `workstation report` costs: reading the findings, the PDF and the Word file, for
the demo library and for one with many findings, beside bare PyMuPDF and python-docx
writing the same words with nothing of ours around them.

Run: `uv run python bench/bench_report.py [--findings N] [--rounds R]`. Prints figures and
ratios, never a verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
from pathlib import Path
from typing import Any

import docx
import pymupdf
from sqlalchemy import select

from bench.bench_baselines import median_seconds
from db.models import Annotation
from ui.cli.main import main as cli_main
from workstation.core.library import Library
from workstation.demo.findings import SECOND_REVIEWER
from workstation.findings.service import FindingService
from workstation.report import Report, build_report, write_report
from workstation.report.pdf import REPORT_CSS

AUTHOR = "Reviewer A (bench)"


def demo_library(root: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["--reviewer", AUTHOR, "demo", "--library", str(root), "--no-gui"])
    assert code == 0


def add_findings(root: Path, count: int) -> None:
    """``count`` more confirmed findings, each on three of the demo's marks."""
    with Library.open(root, reviewer=AUTHOR) as lib, lib.writer() as session:
        marks = list(session.scalars(select(Annotation.uuid).order_by(Annotation.id)))
        service = FindingService(lib)
        made = []
        for n in range(count):
            row = service.create(
                session,
                title=f"Bench finding {n}",
                category="maritime",
                claim=f"Vessel {n} took part in a ship-to-ship transfer off Nampo in 2025.",
                period_from="2025",
                confidence_term="likely",
            )
            picked = [marks[(n + k) % len(marks)] for k in range(3)]
            service.add_evidence(session, row.uuid, picked)
            service.submit(session, row.uuid)
            made.append(row.uuid)
    with Library.open(root, reviewer=SECOND_REVIEWER) as lib, lib.writer() as session:
        service = FindingService(lib)
        for uuid in made:
            service.confirm(session, uuid, override_reason="bench")


def bare_pdf(report: Report) -> bytes:
    """The report's paragraphs as one Story on A4 pages: no blocks, marking or notes."""
    html = "".join(
        f'<p class="para">{p.number}. {p.text}</p>' for f in report.findings for p in f.paragraphs
    )
    story = pymupdf.Story(html=f"<html><body>{html}</body></html>", user_css=REPORT_CSS)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    more = True
    while more:
        device = writer.begin_page(pymupdf.paper_rect("a4"))
        more, _ = story.place(pymupdf.Rect(56, 70, 539, 772))
        story.draw(device)
        writer.end_page()
    writer.close()
    return buffer.getvalue()


def bare_docx(report: Report) -> bytes:
    """The report's paragraphs in a python-docx document: no footnotes, tables or images."""
    document: Any = docx.Document()
    for finding in report.findings:
        document.add_heading(finding.title, level=1)
        for paragraph in finding.paragraphs:
            document.add_paragraph(f"{paragraph.number}. {paragraph.text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def measure(root: Path, rounds: int, label: str) -> None:
    with Library.open(root, reviewer="reader") as lib:

        def build() -> Report:
            with lib.reader() as session:
                return build_report(lib, session)

        report = build()
        out = root.parent / "out"
        out.mkdir(exist_ok=True)
        t_build = median_seconds(build, rounds)
        t_pdf = median_seconds(lambda: write_report(report, out / "r.pdf"), rounds)
        t_docx = median_seconds(lambda: write_report(report, out / "r.docx"), rounds)
        t_bare_pdf = median_seconds(lambda: bare_pdf(report), rounds)
        t_bare_docx = median_seconds(lambda: bare_docx(report), rounds)
        with pymupdf.open(out / "r.pdf") as doc:
            pages = doc.page_count
    print(
        f"{label}: {len(report.findings)} findings, {report.paragraphs} paragraphs, "
        f"{report.notes} notes, {len(report.crops)} images, {pages} PDF pages"
    )
    print(f"  read findings (build_report)   {t_build * 1000:8.1f} ms")
    print(
        f"  PDF  written                   {t_pdf * 1000:8.1f} ms   bare Story "
        f"{t_bare_pdf * 1000:7.1f} ms   ratio {t_pdf / t_bare_pdf:5.1f}x"
    )
    print(
        f"  DOCX written                   {t_docx * 1000:8.1f} ms   bare python-docx "
        f"{t_bare_docx * 1000:7.1f} ms   ratio {t_docx / t_bare_docx:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, default=100, help="findings added to the demo")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo" / "lib"
        demo.parent.mkdir()
        demo_library(demo)
        measure(demo, args.rounds, "demo library")
        big = Path(folder) / "big" / "lib"
        big.parent.mkdir()
        demo_library(big)
        add_findings(big, args.findings)
        measure(big, args.rounds, f"demo library + {args.findings} findings")


if __name__ == "__main__":
    main()
