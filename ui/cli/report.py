"""The findings report (``report``): confirmed findings as a PDF or Word file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ui.cli.common import EXIT_OK, open_library, print_json


def cmd_report(args: argparse.Namespace) -> int:
    from workstation.core.printable import printable  # lazy: start-up
    from workstation.report import build_report, report_format, write_report  # lazy: start-up

    out = Path(args.out).expanduser()
    report_format(out)  # a bad suffix or folder says so before any work
    with open_library(args) as lib:
        with lib.reader() as session:
            report = build_report(
                lib,
                session,
                case=args.case,
                findings=args.finding or (),
                include_drafts=args.include_drafts,
                marking=args.marking,
            )
        size = write_report(report, out)
    summary = {
        "path": str(out.resolve()),
        "format": out.suffix.lower().lstrip("."),
        "bytes": size,
        "case": report.case,
        "marking": report.marking,
        "findings": [
            {"number": f.number, "uuid": f.uuid, "status": f.status, "draft": bool(f.draft_label)}
            for f in report.findings
        ],
        "excluded": list(report.excluded),
        "paragraphs": report.paragraphs,
        "notes": report.notes,
        "images": len(report.crops),
        "vessels": len(report.vessels),
    }
    if args.json:
        print_json(summary)
        return EXIT_OK
    numbers = ", ".join(f.number for f in report.findings)
    left = f"; left out {', '.join(report.excluded)}" if report.excluded else ""
    print(
        f"report {printable(str(out))}: {len(report.findings)} finding(s) ({numbers}), "
        f"{report.paragraphs} paragraphs, {report.notes} notes, {len(report.crops)} images, "
        f"{len(report.vessels)} vessels{left}"
    )
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``report`` to the parser."""
    p = sub.add_parser(
        "report",
        help="write the findings report (PDF or Word)",
        description="Write the confirmed findings as a Panel-style report: numbered "
        "paragraphs, sources in footnotes, corroboration, review, right of reply, images "
        "and vessels; the releasability marking on every page.",
        parents=[common],
    )
    p.add_argument("--case", metavar="NAME", help="only the findings of this case")
    p.add_argument(
        "--finding",
        action="append",
        metavar="FINDING",
        help="only this finding: F-0001 or a UUID prefix (repeatable)",
    )
    p.add_argument(
        "--include-drafts",
        action="store_true",
        help="also findings in draft or in review, marked 'DRAFT — not confirmed'",
    )
    p.add_argument(
        "--marking",
        metavar="TEXT",
        help="releasability marking on every page (default: INTERNAL — NOT FOR RELEASE)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.docx")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=cmd_report)
