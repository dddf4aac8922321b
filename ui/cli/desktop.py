"""Commands that open the desktop app: gui and demo (Qt is imported only when it opens)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from ui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    open_library,
)


def command_name() -> str:
    """How the user can run this command again from where they stand: ``uv run
    workstation`` when uv started it (``workstation`` is then on no PATH outside
    the project), ``workstation`` when it is on the PATH, else the module."""
    if os.environ.get("UV_RUN_RECURSION_DEPTH"):
        return "uv run workstation"
    if shutil.which("workstation"):
        return "workstation"
    return f"{Path(sys.executable).name} -m ui.cli"


def display_available() -> bool:
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch_gui(path: Path, reviewer: str | None, create: bool, show: Sequence[int] = ()) -> int:
    """Open the desktop app on a library; Qt is loaded here and nowhere earlier."""
    if not display_available():
        raise UsageError(
            "no display to open the desktop app on (set DISPLAY, or use the other commands)"
        )
    from ui.desktop.app.app import run_gui  # lazy: start-up

    return run_gui(path, reviewer=reviewer, create=create, show=show)


def cmd_gui(args: argparse.Namespace) -> int:
    from workstation.core.config import LIBRARY_ENV, resolve_library_path  # lazy: start-up

    path = resolve_library_path(args.library)
    create = not args.library and not os.environ.get(LIBRARY_ENV)
    show: list[int] = []
    if getattr(args, "open", None):
        # Resolved before any window opens: a wrong one is one line and exit 1.
        from workstation.sources.lookup import resolve_source  # lazy: start-up

        with open_library(args) as lib, lib.reader() as session:
            show = [resolve_source(session, ref).id for ref in args.open]
    return launch_gui(path, args.reviewer, create, show)


def cmd_demo(args: argparse.Namespace) -> int:
    from workstation.core.config import default_library_path, resolve_reviewer  # lazy: start-up
    from workstation.core.library import Library  # lazy: start-up
    from workstation.demo.build import build_demo  # lazy: start-up
    from workstation.sources.ingest import import_error_summary  # lazy: start-up
    from workstation.sources.lookup import list_sources, rows_for  # lazy: start-up

    if args.library:
        path = Path(args.library).expanduser()
    else:
        path = default_library_path().with_name("demo-library")
    with Library.open(path, reviewer=resolve_reviewer(args.reviewer), create=True) as lib:
        built = build_demo(lib)
        report, marks, findings = built.report, built.marks, built.findings
        with lib.reader() as session:
            rows = list_sources(session)
            extents = {
                sid: item.extent
                for sid, item in rows_for(session, [r.source_id for r in rows]).items()
            }
        print(f"demo library at {lib.root}: {import_error_summary(report)}")
        for r in rows:
            extent = extents.get(r.source_id, "")
            print(f"  {r.source_id:>3}  {r.kind:<8} {extent:>15}  {r.title or r.original_filename}")
        if marks:
            print(f"  {marks} marks made, as a reviewer would: passages, a region, counted ships")
        for f in findings:
            print(f"  finding {f.number} [{f.status}]: {f.title} ({f.note})")
        if marks:
            print(
                "  the two satellite pictures of the quay are a before/after pair "
                "(Image > Compare; 'workstation pairs')"
            )
        print(f"try: {command_name()} --library {lib.root} search 'Rajin'")
        root = lib.root
        # Open the report beside the satellite image of the port it describes.
        show = [r.source_id for r in rows if r.kind == "pdf"][:1] + [
            r.source_id for r in rows if r.kind == "image"
        ][:1]
    if report.count("failed"):
        return EXIT_ERROR
    if args.no_gui:
        return EXIT_OK
    if not display_available():
        print(f"no display here; open it on a desktop with: {command_name()} --library {root} gui")
        return EXIT_OK
    return launch_gui(root, args.reviewer, False, show)
