"""The report as a Word file (python-docx), for the team that drafts its reports in Word.

The notes are real Word footnotes: python-docx has no footnote API, so the footnotes part
(``word/footnotes.xml``, its two separators and the footnotes) is written here and each
citation is a ``w:footnoteReference`` run. Word then keeps them at the foot of the page
and renumbers them as a drafter edits, which numbered "Notes" would not do. A Word
footnote is cited once: a source cited twice (two marks on it, or its image in the
annex) gets a footnote each time, with the same text, so numbers past the first repeat
can run ahead of the PDF's.
The marking is in every section's header and footer, so it is on every page.
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime
from typing import Any

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from workstation.bundles.dossier.crops import crop_image
from workstation.bundles.dossier.model import check_cancel
from workstation.bundles.dossier.text import clean, prepared_with, readable_time
from workstation.core.progress import CancelToken
from workstation.report.model import Crop, Note, Paragraph, Report
from workstation.report.pdf import crop_source

_RED = RGBColor(0xA0, 0x00, 0x00)


def docx_bytes(report: Report, *, cancel: CancelToken | None = None) -> bytes:
    """The report as a .docx file's bytes."""
    document: Any = Document()
    _properties(document, report)
    _furniture(document, report.marking)
    notes = _Footnotes({n.number: n for f in report.findings for n in f.notes})
    _title_page(document, report)
    for finding in report.findings:
        check_cancel(cancel)
        document.add_heading(clean(f"{finding.number}. {finding.title}"), level=1)
        if finding.draft_label:
            run = document.add_paragraph().add_run(clean(finding.draft_label))
            run.bold = True
            run.font.color.rgb = _RED
        for paragraph in finding.paragraphs:
            _paragraph(document, paragraph, notes)
    _annex(document, report, notes, cancel)
    notes.write_part(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _properties(document: Any, report: Report) -> None:
    props = document.core_properties
    props.title = clean(report.title)
    props.subject = "Findings report"
    props.author = clean(report.author)
    props.keywords = clean(report.marking)
    props.comments = clean("Prepared with " + prepared_with(report.tool_version))
    with contextlib.suppress(ValueError):
        props.created = datetime.fromisoformat(report.created.replace("Z", "+00:00"))


def _furniture(document: Any, marking: str) -> None:
    """The marking above and below every page's body; 'page N of M' in the footer."""
    for section in document.sections:
        for part, folio in ((section.header, False), (section.footer, True)):
            paragraph = part.paragraphs[0]
            paragraph.alignment = 1  # centre
            run = paragraph.add_run(clean(marking))
            run.bold = True
            run.font.size = Pt(9)
            run.font.color.rgb = _RED
            if folio:
                line = part.add_paragraph()
                line.alignment = 1
                line.add_run("page ").font.size = Pt(8)
                _field(line, "PAGE")
                line.add_run(" of ").font.size = Pt(8)
                _field(line, "NUMPAGES")


def _field(paragraph: WordParagraph, code: str) -> None:
    """A simple field (PAGE, NUMPAGES) Word fills in when it lays the page out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")  # half-points: 8 pt, as the words around it
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _title_page(document: Any, report: Report) -> None:
    document.add_heading(clean(report.title), level=0)
    rows = report.front_matter(readable_time(report.created))
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in rows:
        cells = table.add_row().cells
        cells[0].text = clean(key)
        cells[1].text = clean(value)
    document.add_page_break()


def _paragraph(document: Any, paragraph: Paragraph, notes: _Footnotes) -> None:
    out = document.add_paragraph()
    out.add_run(f"{paragraph.number}. ").bold = True
    for span in paragraph.spans:
        run = out.add_run(clean(span.text))
        run.italic = span.quote
        if span.note is not None:
            notes.cite(out, span.note)


def _superscript_run() -> Any:
    """An empty ``w:r`` set superscript (a note's number)."""
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    props.append(align)
    run.append(props)
    return run


def _annex(document: Any, report: Report, notes: _Footnotes, cancel: CancelToken | None) -> None:
    document.add_page_break()
    document.add_heading("Annex A. Images", level=1)
    if not report.crops:
        document.add_paragraph("No finding in this report rests on an image region.")
    for crop in report.crops:
        check_cancel(cancel)
        _crop(document, crop, notes)
    document.add_heading("Annex B. Vessels", level=1)
    if not report.vessels:
        document.add_paragraph("No vessel is named by these findings.")
        return
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells, ("Vessel", "IMO", "MMSI", "Flag", "Findings"), strict=True
    ):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for vessel in report.vessels:
        cells = table.add_row().cells
        values = (vessel.name, vessel.imo, vessel.mmsi, vessel.flag, ", ".join(vessel.findings))
        for cell, value in zip(cells, values, strict=True):
            cell.text = clean(value or "–")


def _crop(document: Any, crop: Crop, notes: _Footnotes) -> None:
    document.add_heading(f"Image {crop.number} ({', '.join(crop.findings)})", level=2)
    caption = document.add_paragraph(
        clean(f"{crop.source_title}: {crop.box}; the region is outlined in red.")
    )
    notes.cite(caption, crop.notes[0])  # one source: its note once
    data, _suffix, (width, _height), scale = crop_image(crop_source(crop), crop.region, crop.page)
    document.add_picture(io.BytesIO(data), width=Pt(width))
    below = " · ".join(text for text in (scale, crop.facts) if text)
    if below:
        document.add_paragraph(clean(below))


class _Footnotes:
    """Gives each citation its own Word footnote (ids 1, 2, ... in the order cited) with
    the text of the report's note, and writes them as word/footnotes.xml."""

    def __init__(self, notes: dict[int, Note]) -> None:
        self._notes = notes
        self._cited: list[str] = []

    def cite(self, paragraph: WordParagraph, number: int) -> None:
        """A footnote reference run at the end of ``paragraph``, citing note ``number``."""
        self._cited.append(self._notes[number].text)
        run = _superscript_run()
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(len(self._cited)))
        run.append(reference)
        paragraph._p.append(run)

    def write_part(self, document: Any) -> None:
        """Write word/footnotes.xml (the two separators, then the footnotes) and relate it."""
        root = OxmlElement("w:footnotes")
        for kind, number in (("separator", -1), ("continuationSeparator", 0)):
            footnote = OxmlElement("w:footnote")
            footnote.set(qn("w:type"), kind)
            footnote.set(qn("w:id"), str(number))
            paragraph = OxmlElement("w:p")
            run = OxmlElement("w:r")
            run.append(OxmlElement(f"w:{kind}"))
            paragraph.append(run)
            footnote.append(paragraph)
            root.append(footnote)
        for number, words in enumerate(self._cited, start=1):
            footnote = OxmlElement("w:footnote")
            footnote.set(qn("w:id"), str(number))
            paragraph = OxmlElement("w:p")
            mark = _superscript_run()
            mark.append(OxmlElement("w:footnoteRef"))
            paragraph.append(mark)
            run = OxmlElement("w:r")
            run_props = OxmlElement("w:rPr")
            size = OxmlElement("w:sz")
            size.set(qn("w:val"), "16")  # half-points: 8 pt
            run_props.append(size)
            run.append(run_props)
            text = OxmlElement("w:t")
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            text.text = clean(f" {words}")
            run.append(text)
            paragraph.append(run)
            footnote.append(paragraph)
            root.append(footnote)
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, root, document.part.package
        )
        document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
