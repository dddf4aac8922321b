"""The dossier's contents as HTML blocks: title page, table of sources, one chapter per
source with every mark quoted or cropped, and the annexes of categories and entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workstation.bundles.dossier.crops import CropStore
from workstation.bundles.dossier.layout import Block, Chapter
from workstation.bundles.dossier.model import Dossier, DossierMark, DossierSource, check_cancel
from workstation.bundles.dossier.pairs import pair_chapters
from workstation.bundles.dossier.text import esc, prepared_with, readable_time
from workstation.core.progress import CancelToken, Progress, ProgressCallback

PASSAGE_WITHHELD = "[passage withheld]"
"""Shown instead of a quote that is redacted for this recipient."""
READ_BY_OCR = "(read by OCR)"
"""After a quote whose text OCR read on a scanned page (it may hold misreadings)."""
REGION_WITHHELD = "[region withheld]"
"""Shown instead of the crop of a redacted region."""


def build_chapters(
    dossier: Dossier,
    archive: Any,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
) -> list[Chapter]:
    """The body: title page, table of sources, one chapter per source, the annex."""
    chapters = [_title_page(dossier), _sources_table(dossier)]
    if dossier.findings:
        chapters.append(_findings_table(dossier))
    crops = CropStore(archive)
    for index, source in enumerate(dossier.sources, start=1):
        check_cancel(cancel)
        chapters.append(_source_section(index, source, crops, cancel))
        if progress is not None:
            progress(Progress(index, len(dossier.sources), f"source {source.title}"))
    chapters += pair_chapters(dossier.pairs, archive)
    chapters.append(_annex(dossier))
    return chapters


def _title_page(dossier: Dossier) -> Chapter:
    marks = sum(len(source.marks) for source in dossier.sources)
    regions = sum(1 for s in dossier.sources for m in s.marks if m.kind == "region")
    withheld = sum(1 for s in dossier.sources for m in s.marks if m.withheld)
    redacted = sum(1 for source in dossier.sources if source.redacted)
    rows: list[tuple[str, str]] = [
        (label, esc(value))
        for label, value in (
            ("Case", dossier.case),
            ("Releasability", dossier.marking),
        )
        if value
    ]
    rows.append(("Bundle ID", f'<span class="mono">{esc(dossier.bundle_id)}</span>'))
    rows += [
        (label, esc(value))
        for label, value in (
            ("Date", readable_time(dossier.created)),
            ("Organisation", dossier.organisation),
            ("Contact", dossier.contact),
            ("Recipient profile", dossier.profile),
            ("Prepared with", prepared_with(dossier.tool_version)),
        )
        if value
    ]
    counts = [
        ("Sources", f"{len(dossier.sources)} ({redacted} redacted)"),
        ("Marks", f"{marks} ({regions} regions, {withheld} withheld)"),
        ("Categories", str(len(dossier.categories))),
        ("Entities", str(len(dossier.entities))),
    ]
    title = (
        '<div class="titleblock">'
        '<p class="kicker">EVIDENCE DOSSIER</p>'
        f"<h1>{esc(dossier.title)}</h1>"
        '<p class="lede">Sources, annotated passages and image regions carried in the evidence '
        "bundle, with the SHA-256 of every file so each can be checked against the bundle's "
        "manifest (manifest-sha256.txt).</p>"
        "</div>" + _key_table(rows)
    )
    contents = "<h3>Contents</h3>" + _key_table([(label, esc(value)) for label, value in counts])
    return [Block(title, "Title page"), Block(contents)]


def _key_table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of labels and (already escaped) values."""
    cells = "".join(f'<tr><td class="key">{esc(k)}</td><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{cells}</table>"


def _sources_table(dossier: Dossier) -> Chapter:
    rows = []
    for index, source in enumerate(dossier.sources, start=1):
        rows.append(
            "<tr>"
            f"<td>{index}</td>"
            f"<td>{esc(source.title)}<br/>"
            f'<span class="mono">{esc(source.sha256)}</span></td>'
            f"<td>{esc(source.kind)}{'<br/>redacted' if source.redacted else ''}</td>"
            f"<td>{esc(source.grade or '–')}</td>"
            "</tr>"
        )
    if not rows:
        return [Block("<h2>Sources</h2><p>The bundle holds no sources.</p>", "Sources")]
    return [
        Block(
            "<h2>Sources</h2>",
            "Sources",
            header='<tr><th class="num">#</th><th>Title and SHA-256 of the file in the bundle</th>'
            '<th class="kind">Kind</th><th class="grade">Grade</th></tr>',
            rows=tuple(rows),
        )
    ]


def _findings_table(dossier: Dossier) -> Chapter:
    rows = []
    for f in dossier.findings:
        status = f.status.replace("_", " ")
        if f.confirmed_by:
            status += f" by {esc(f.confirmed_by)}"
        if f.signature:
            status += f", {esc(f.signature)}"
        held = f"<br/>{f.withheld} withheld" if f.withheld else ""
        claim = f"<br/>{esc(f.claim)}" if f.claim else ""
        rows.append(
            "<tr>"
            f"<td>{esc(f.number)}</td>"
            f"<td><b>{esc(f.title)}</b>{claim}</td>"
            f"<td>{status}</td>"
            f"<td>{f.evidence}{held}</td>"
            "</tr>"
        )
    return [
        Block(
            "<h2>Findings</h2><p>The findings this bundle carries (case.json), with their "
            "review status as the sender's library checked it.</p>",
            "Findings",
            header='<tr><th class="num">#</th><th>Title and claim</th><th>Status</th>'
            '<th class="kind">Evidence</th></tr>',
            rows=tuple(rows),
        )
    ]


def _source_section(
    index: int, source: DossierSource, crops: CropStore, cancel: CancelToken | None
) -> Chapter:
    meta: list[tuple[str, str]] = [
        ("Kind", esc(f"{source.kind} ({source.media_type})")),
        ("Grade", esc(source.grade or "not graded")),
    ]
    for key, value in (
        ("Published", source.published),
        ("Publisher", source.publisher),
        ("Author", source.author),
        ("URL", source.url),
    ):
        if value:
            meta.append((key, esc(value)))
    meta.append(("File in bundle", f'<span class="mono">{esc(source.bundle_path)}</span>'))
    meta.append(("SHA-256", f'<span class="mono">{esc(source.sha256)}</span>'))
    if source.redacted:
        meta.append(
            (
                "Redacted",
                '<span class="redacted">redacted derivative of</span><br/>'
                f'<span class="mono">{esc(source.original_sha256)}</span>',
            )
        )
    meta.append(("Marks", str(len(source.marks))))
    blocks = [
        Block(
            f"<h2>{index}. {esc(source.title)}</h2>" + _key_table(meta), f"{index}. {source.title}"
        )
    ]
    for number, mark in enumerate(source.marks, start=1):
        check_cancel(cancel)
        blocks.append(Block(_mark_html(index, number, source, mark, crops)))
    if not source.marks:
        blocks.append(Block('<p class="small">No marks on this source.</p>'))
    return blocks


def _mark_html(
    index: int, number: int, source: DossierSource, mark: DossierMark, crops: CropStore
) -> str:
    page = mark.page if mark.page is not None else (mark.region.page if mark.region else None)
    where = f" · p. {page}" if page is not None else ""
    kind = {"text": "passage", "region": "region", "page": "whole page"}.get(mark.kind, mark.kind)
    parts = [f'<div class="mark"><p class="markhead">Mark {index}.{number} · {kind}{where}</p>']
    for category in mark.categories:
        parts.append(f'<p class="cat"><b>{esc(category.code)}</b> — {esc(category.label)}</p>')
    if mark.entities:
        named = " · ".join(
            f"{esc(e.name)} ({esc(', '.join([e.kind, *e.identifiers]))})" for e in mark.entities
        )
        parts.append(f'<p class="cat"><span class="label">Entities: </span>{named}</p>')
    if mark.kind == "region":
        if mark.withheld:
            parts.append(f'<p class="withheld">{REGION_WITHHELD}</p>')
        elif mark.region is None:
            parts.append('<p class="small">[no region recorded]</p>')
        else:
            parts.append(crops.html(source, mark.region, page))
            facts = [f"Centre: {mark.place}"] if mark.place else []
            if source.captured:
                facts.append(f"captured {source.captured}")
            if source.provider:
                facts.append(source.provider)
            if facts:
                parts.append(f'<p class="small">{esc(" · ".join(facts))}</p>')
        if mark.quote and not mark.withheld:
            parts.append(f'<p class="quote">{esc(mark.quote)}</p>')
    elif mark.quote is None or mark.withheld:
        parts.append(f'<p class="quote"><span class="withheld">{PASSAGE_WITHHELD}</span></p>')
    else:
        read = f' <span class="small">{READ_BY_OCR}</span>' if mark.ocr else ""
        parts.append(f'<p class="quote">{esc(mark.quote)}{read}</p>')
    if mark.note:
        parts.append(f'<p class="note"><span class="label">Note: </span>{esc(mark.note)}</p>')
    parts.append(
        f'<p class="byline">{esc(mark.author)} · {esc(readable_time(mark.created))} · '
        f'<span class="mono">{esc(mark.uuid)}</span></p></div>'
    )
    return "".join(parts)


def _annex(dossier: Dossier) -> Chapter:
    title_a = "Annex A. Categories and legal bases"
    if dossier.categories:
        category_rows = tuple(
            f"<tr><td><b>{esc(c.code)}</b></td><td>{esc(c.label)}</td>"
            f"<td>{esc(c.legal_basis or '–')}</td></tr>"
            for c in dossier.categories
        )
        blocks = [
            Block(
                f"<h2>{title_a}</h2>",
                title_a,
                header="<tr><th>Code</th><th>Category</th><th>Legal basis</th></tr>",
                rows=category_rows,
            )
        ]
    else:
        blocks = [
            Block(f"<h2>{title_a}</h2><p>No categories are used in this bundle.</p>", title_a)
        ]
    title_b = "Annex B. Entities"
    heading_b = f'<h2 class="annexb">{title_b}</h2>'
    if dossier.entities:
        entity_rows = tuple(
            f"<tr><td>{esc(e.kind)}</td><td>{esc(e.name)}</td>"
            f"<td>{'<br/>'.join(esc(i) for i in e.identifiers) or '–'}</td></tr>"
            for e in dossier.entities
        )
        blocks.append(
            Block(
                heading_b,
                title_b,
                header="<tr><th>Kind</th><th>Name</th><th>Identifiers</th></tr>",
                rows=entity_rows,
            )
        )
    else:
        blocks.append(Block(f"{heading_b}<p>No entities are recorded in this bundle.</p>", title_b))
    return blocks
