"""The findings report: what a reader at a mission reads, as a Panel of Experts would
write it (numbered paragraphs per confirmed finding, sources cited in footnotes with
their grade and SHA-256, corroboration, review and right of reply, an annex of image
crops and a table of vessels), as PDF or Word, the releasability marking on every page.

``build_report`` reads it from a library into plain data (model.py); ``write_report``
writes that as FILE.pdf (the evidence dossier's layout) or FILE.docx (python-docx).
"""

from workstation.report.build import build_report, draft_label
from workstation.report.model import NothingToReportError, Report, ReportError
from workstation.report.write import FORMATS, report_format, write_report

__all__ = [
    "FORMATS",
    "NothingToReportError",
    "Report",
    "ReportError",
    "build_report",
    "draft_label",
    "report_format",
    "write_report",
]
