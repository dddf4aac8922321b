"""The report's text read back: PDF pages with PyMuPDF, the Word file with python-docx
(body, footnotes part, headers and footers)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pymupdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> list[str]:
    """Each page's words; a line that ends on a word's own hyphen ("DPRK-") joins the next
    without a space, as the text was written (the layout breaks after hyphens)."""
    with pymupdf.open(path) as doc:
        return [_flat(page.get_text().replace("-\n", "-")) for page in doc]


def docx_text(path: Path) -> tuple[str, dict[str, str], list[str]]:
    """Body text (paragraphs and tables), footnotes by id, and header/footer texts."""
    document = docx.Document(str(path))
    body = [p.text for p in document.paragraphs]
    for table in document.tables:
        body += [" | ".join(c.text for c in row.cells) for row in table.rows]
    (part,) = [
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes")
    ]
    notes = {}
    for note in ET.fromstring(part.blob).iter(f"{W}footnote"):
        notes[note.get(f"{W}id")] = _flat("".join(t.text or "" for t in note.iter(f"{W}t")))
    furniture = []
    for section in document.sections:
        furniture += [p.text for p in section.header.paragraphs]
        furniture += [p.text for p in section.footer.paragraphs]
    references = [r.get(f"{W}id") for r in document.element.body.iter(f"{W}footnoteReference")]
    assert references, "the body cites no footnote"
    assert set(references) <= set(notes), "a reference points at no footnote"
    # Word shows a footnote once: a second reference to one would show an empty note.
    assert len(references) == len(set(references)), "a footnote is cited twice"
    return _flat("\n".join(body)), notes, furniture
