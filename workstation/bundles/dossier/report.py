"""``write_report``: the dossier PDF written atomically, from its chapters and their layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

from workstation.bundles.dossier.layout import layout_pdf
from workstation.bundles.dossier.model import Dossier, ReportError, check_cancel
from workstation.bundles.dossier.sections import build_chapters
from workstation.core.files import write_whole
from workstation.core.progress import CancelToken, ProgressCallback

# PyMuPDF's annotations are partial (Archive is untyped); use it as untyped.
pymupdf: Any = _pymupdf


def write_report(
    dossier: Dossier,
    dst: Path,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the dossier PDF to ``dst`` atomically (temp file next to it, then rename).

    Progress goes through two phases: one step per source (crops are made), then one
    step per page drawn (``total`` is the page count).

    Args:
        dossier: What to show.
        dst: The PDF to write; replaced if it exists.
        cancel: Checked between sources and between pages.
        progress: Called after each step.

    Raises:
        CancelledError: Cancelled; nothing is left at ``dst`` or next to it.
        ReportError: A source file cannot be read for a crop, or ``dst`` cannot be written.
    """
    dst = Path(dst)
    if not dst.parent.is_dir():
        raise ReportError(f"cannot write the report: folder {dst.parent} does not exist")
    try:
        archive = pymupdf.Archive()
        chapters = build_chapters(dossier, archive, cancel, progress)
        data = layout_pdf(dossier, chapters, archive, cancel, progress)
        check_cancel(cancel)
        write_whole(dst, data)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {dst}: {exc.strerror or exc}") from exc
