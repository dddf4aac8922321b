"""Writing the report file: PDF or Word by the name's suffix, atomically (a temp file
beside it, renamed into place), so a failure or a cancel leaves nothing half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

from workstation.core.files import write_whole
from workstation.core.progress import CancelToken, ProgressCallback
from workstation.report.model import Report, ReportError

FORMATS = (".pdf", ".docx")
"""The suffixes ``write_report`` understands."""


def report_format(dst: Path) -> str:
    """'.pdf' or '.docx' for a report written to ``dst``; checks the folder is there.

    Raises:
        ReportError: another suffix, or a folder that does not exist or is not one.
    """
    suffix = dst.suffix.lower()
    if suffix not in FORMATS:
        shown = f"'{dst.suffix}'" if dst.suffix else "no suffix"
        raise ReportError(f"a report is written as FILE.pdf or FILE.docx, not {shown} ({dst})")
    folder = dst.parent
    if not folder.exists():
        raise ReportError(f"cannot write the report: folder {folder} does not exist")
    if not folder.is_dir():
        raise ReportError(f"cannot write the report: {folder} is not a folder")
    if not os.access(folder, os.W_OK):
        raise ReportError(f"cannot write the report: folder {folder} is not writable")
    if dst.is_dir():
        raise ReportError(f"cannot write the report: {dst} is a folder")
    return suffix


def write_report(
    report: Report,
    dst: Path,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> int:
    """Write ``report`` to ``dst`` (.pdf or .docx), replacing it; returns its size in bytes.

    Raises:
        ReportError: a bad suffix, a folder that cannot be written, a crop that cannot be
            drawn.
        CancelledError: cancelled; nothing is left at ``dst`` or beside it.
    """
    dst = Path(dst)
    suffix = report_format(dst)
    if suffix == ".pdf":
        from workstation.report.pdf import pdf_bytes  # lazy: PyMuPDF only for a PDF

        data = pdf_bytes(report, cancel=cancel, progress=progress)
    else:
        from workstation.report.word import docx_bytes  # lazy: python-docx only for Word

        data = docx_bytes(report, cancel=cancel)
    try:
        write_whole(dst, data)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {dst}: {exc.strerror or exc}") from exc
    return len(data)
