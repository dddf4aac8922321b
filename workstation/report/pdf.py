"""The report as a PDF, laid out by the evidence dossier's machinery (A4, blocks kept
whole, the releasability marking and "page N of M" on every page, region crops).

Footnotes: each finding's notes follow its paragraphs (MuPDF's Story flows text, it
cannot reserve the foot of a page), numbered continuously as in the Word file.
"""

from __future__ import annotations

from typing import Any

import pymupdf as _pymupdf

from workstation.bundles.dossier.crops import CropStore
from workstation.bundles.dossier.layout import Block, Chapter, PdfInfo, layout_document
from workstation.bundles.dossier.model import DossierSource
from workstation.bundles.dossier.text import esc, prepared_with, readable_time
from workstation.core.progress import CancelToken, ProgressCallback
from workstation.report.model import Crop, Paragraph, Report, ReportFinding

# PyMuPDF's annotations are partial (Archive is untyped); use it as untyped.
pymupdf: Any = _pymupdf

REPORT_CSS = """
body { margin: 0; }
h2 { margin-top: 10pt; }
.para { margin: 0 0 6pt 0; text-align: justify; }
.num { font-family: sans-serif; font-weight: bold; }
.fnref { font-size: 7pt; vertical-align: super; }
.notes { margin: 2pt 0 10pt 0; padding-top: 3pt; border-top: 0.5pt solid #999999; }
.fn { font-size: 8pt; margin: 0 0 2pt 0; }
.draft { font-family: sans-serif; font-size: 10pt; font-weight: bold; color: #b00000;
         margin: 0 0 6pt 0; }
.cropcap { font-family: sans-serif; font-size: 8.5pt; color: #333333; margin: 0 0 2pt 0; }
.small { font-family: sans-serif; font-size: 8pt; color: #333333; margin: 0 0 2pt 0; }
"""


def pdf_bytes(
    report: Report,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> bytes:
    """The report laid out as a PDF."""
    archive = pymupdf.Archive()
    chapters = [_title_page(report), _findings(report), _annex(report, CropStore(archive))]
    info = PdfInfo(
        marking=report.marking,
        title=report.title,
        subject="Findings report",
        author=report.author,
        creator=prepared_with(report.tool_version),
        created=report.created,
    )
    return layout_document(
        chapters, archive, info, css=REPORT_CSS, cancel=cancel, progress=progress
    )


def _key_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td class="key">{esc(k)}</td><td>{esc(v)}</td></tr>' for k, v in rows)
    return f"<table>{cells}</table>"


def _title_page(report: Report) -> Chapter:
    rows = report.front_matter(readable_time(report.created))
    rows += [
        ("Paragraphs", str(report.paragraphs)),
        ("Sources cited", str(report.notes)),
        ("Images", str(len(report.crops))),
        ("Vessels", str(len(report.vessels))),
        ("Prepared with", prepared_with(report.tool_version)),
    ]
    html = (
        '<div class="titleblock"><p class="kicker">FINDINGS REPORT</p>'
        f"<h1>{esc(report.title)}</h1>"
        '<p class="lede">Findings confirmed by a second reviewer, each with the measure it '
        "concerns, its evidence with the sources cited in notes (Admiralty grade and SHA-256 "
        "of the original), how many independent sources corroborate it, its review and the "
        "right of reply.</p></div>" + _key_table(rows)
    )
    return [Block(html, "Title page")]


def _paragraph_html(paragraph: Paragraph) -> str:
    parts = [f'<p class="para"><span class="num">{paragraph.number}.</span> ']
    for span in paragraph.spans:
        text = f"<i>{esc(span.text)}</i>" if span.quote else esc(span.text)
        parts.append(text)
        if span.note is not None:
            parts.append(f'<span class="fnref">{span.note}</span>')
    parts.append("</p>")
    return "".join(parts)


def _finding_blocks(finding: ReportFinding) -> list[Block]:
    heading = f"<h2>{esc(finding.number)}. {esc(finding.title)}</h2>"
    if finding.draft_label:
        heading += f'<p class="draft">{esc(finding.draft_label)}</p>'
    paragraphs = [_paragraph_html(p) for p in finding.paragraphs]
    # The heading stays with the first paragraph.
    blocks = [Block(heading + paragraphs[0], f"{finding.number}. {finding.title}")]
    blocks += [Block(html) for html in paragraphs[1:]]
    if finding.notes:
        notes = "".join(
            f'<p class="fn"><span class="fnref">{n.number}</span> {esc(n.text)}</p>'
            for n in finding.notes
        )
        blocks.append(Block(f'<div class="notes">{notes}</div>'))
    return blocks


def _findings(report: Report) -> Chapter:
    blocks: list[Block] = []
    for finding in report.findings:
        blocks += _finding_blocks(finding)
    return blocks


def crop_source(crop: Crop) -> DossierSource:
    """The crop's source as the dossier's crop drawing takes it."""
    return DossierSource(
        title=crop.source_title,
        kind=crop.kind,
        media_type=crop.media_type,
        sha256=crop.sha256,
        original_sha256=crop.sha256,
        bundle_path=f"the library's original {crop.sha256[:16]}",
        file=crop.file,
        redacted=False,
        gsd=crop.gsd,
        north=crop.north,
        captured=crop.captured,
        provider=crop.provider,
    )


def _annex(report: Report, crops: CropStore) -> Chapter:
    title_a = "Annex A. Images"
    blocks = [Block(f"<h2>{title_a}</h2>", title_a)]
    if not report.crops:
        blocks.append(
            Block('<p class="small">No finding in this report rests on an image region.</p>')
        )
    for crop in report.crops:
        refs = ", ".join(f'<span class="fnref">{n}</span>' for n in crop.notes)
        caption = (
            f"<h3>Image {crop.number} ({esc(', '.join(crop.findings))})</h3>"
            f'<p class="cropcap">{esc(crop.source_title)}: {esc(crop.box)}; the region is '
            f"outlined in red. Source: {'note' if len(crop.notes) == 1 else 'notes'} {refs}.</p>"
        )
        facts = f'<p class="small">{esc(crop.facts)}</p>' if crop.facts else ""
        image = crops.html(crop_source(crop), crop.region, crop.page)
        blocks.append(Block(caption + image + facts))
    title_b = "Annex B. Vessels"
    heading_b = f'<h2 class="annexb">{title_b}</h2>'
    if not report.vessels:
        blocks.append(Block(f"{heading_b}<p>No vessel is named by these findings.</p>", title_b))
        return blocks
    rows = tuple(
        f"<tr><td>{esc(v.name)}</td><td>{esc(v.imo or '–')}</td><td>{esc(v.mmsi or '–')}</td>"
        f"<td>{esc(v.flag or '–')}</td><td>{esc(', '.join(v.findings))}</td></tr>"
        for v in report.vessels
    )
    blocks.append(
        Block(
            heading_b,
            title_b,
            header="<tr><th>Vessel</th><th>IMO</th><th>MMSI</th><th>Flag</th>"
            "<th>Findings</th></tr>",
            rows=rows,
        )
    )
    return blocks
