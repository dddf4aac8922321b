"""The findings report written from a real library as PDF and Word, read back as text:
claim, measure with legal basis, footnotes with grade and SHA-256 prefix, corroboration,
review (with an override), right of reply with its dates, the image annex, the vessel
table, the marking on every page; drafts left out unless asked for and then marked."""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pymupdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Source
from workstation.bundles.dossier import BODY_BOTTOM, BODY_TOP
from workstation.core.errors import CancelledError, NotFoundError
from workstation.core.library import Library
from workstation.core.progress import CancelToken
from workstation.demo.findings import SECOND_REVIEWER
from workstation.findings.details import ReviewStep
from workstation.findings.replies import LetterView, ReplyView
from workstation.geo.model import ControlPoint
from workstation.geo.service import GeorefService
from workstation.report import (
    NothingToReportError,
    Report,
    ReportError,
    build_report,
    write_report,
)
from workstation.report.model import Note, Paragraph, ReportFinding, Span, Vessel
from workstation.report.words import (
    corroboration_sentence,
    long_date,
    reply_sentences,
    review_sentence,
)

from .reading import docx_text, pdf_pages
from .report_library import AUTHOR, OVERRIDE, OWNER, STATE, SUMMARY, TODAY, Facts, build

MARKING = "RESTRICTED — MSMT PARTNERS"


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    return build(tmp_path_factory.mktemp("report") / "lib")


def _report(facts: Facts, **kw: object) -> Report:
    with Library.open(facts.root, reviewer="reader") as lib, lib.reader() as session:
        return build_report(lib, session, today=TODAY, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def written(facts: Facts, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    report = _report(facts, marking=MARKING)
    paths = {"pdf": out / "report.pdf", "docx": out / "report.docx"}
    for path in paths.values():
        write_report(report, path)
    return paths


def _expected(facts: Facts) -> list[str]:
    return [
        # the claim, and the measure with its legal basis from the taxonomy
        "AMBER TIDE was photographed alongside a DPRK tanker at Rajin in April 2025.",
        "The measure concerned is Maritime evasion (maritime); legal basis: resolutions "
        "2270 (2016), 2321 (2016), 2371 (2017), 2375 (2017), 2397 (2017).",
        # the evidence in prose
        "reads “DPRK-flagged AMBER TIDE”",
        "shows the region in Image 1 of the annex",
        # corroboration, with why two sources count once
        "Corroborated by 2 independent groups of 3 sources:",
        "have the same publisher: East Sea Monitor",
        # review, with the override reason
        f"Submitted by {AUTHOR} on",
        f"confirmed by {SECOND_REVIEWER} on",
        f"the confirmation overrode the policy: {OVERRIDE}",
        # the demo's F-0001: a signed confirmation, checked
        "signature valid.",
        # right of reply: no reply by the deadline, and a reply with its summary
        f"A letter was sent to {STATE} on 3 March 2026; no reply had been received by "
        "3 April 2026.",
        f"A letter was sent to {OWNER} on 3 March 2026; {OWNER} replied on 20 March 2026: "
        f"{SUMMARY}.",
    ]


def test_the_pdf_carries_each_part_of_a_finding(facts: Facts, written: dict[str, Path]) -> None:
    text = " ".join(pdf_pages(written["pdf"]))
    for expected in _expected(facts):
        assert expected in text
    # a footnote citing the graded article by title, publisher, date, grade and SHA prefix
    note = (
        "Tanker seen alongside DPRK-flagged ship off Nampo in suspected oil transfer, "
        f"East Sea Monitor, 22 April 2025. Admiralty grade B2. SHA-256 {facts.article_sha[:16]}."
    )
    assert note in text
    assert f"Admiralty grade A1. SHA-256 {facts.image_sha[:16]}." in text
    # the image annex names the box, the vessel table its IMO, MMSI and flag
    assert facts.crop_box in text
    assert "AMBER TIDE 8830475 445117390 North Korea F-0001, F-0003" in text
    assert "NORTHERN LANTERN 9164029 273419640 Russia F-0003" in text


def test_the_pdf_has_the_marking_on_every_page_and_the_crop_as_a_picture(
    written: dict[str, Path],
) -> None:
    pages = pdf_pages(written["pdf"])
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
    with pymupdf.open(written["pdf"]) as doc:
        for page in doc:
            places = [rect.y0 for rect in page.search_for(MARKING)]
            assert any(y < BODY_TOP for y in places), f"no marking above page {page.number + 1}"
            assert any(y > BODY_BOTTOM for y in places), f"no marking below page {page.number + 1}"
        annex = next(p for p in doc if "Annex A. Images" in p.get_text())
        assert annex.get_images(), "the annex shows no crop"


def test_the_word_file_carries_the_same_with_real_footnotes(
    facts: Facts, written: dict[str, Path]
) -> None:
    body, notes, furniture = docx_text(written["docx"])
    for expected in _expected(facts):
        assert expected in body
    assert facts.crop_box in body
    assert "AMBER TIDE | 8830475 | 445117390 | North Korea | F-0001, F-0003" in body
    # The notes are Word footnotes (not in the body text), numbered as in the PDF.
    cited = [text for text in notes.values() if facts.article_sha[:16] in text]
    assert cited
    assert all("East Sea Monitor, 22 April 2025. Admiralty grade B2." in t for t in cited)
    assert facts.article_sha[:16] not in body
    assert {"-1", "0"} <= set(notes)  # the separators Word expects
    # The marking in the header and the footer: Word repeats them on every page.
    assert furniture.count(MARKING) == 2
    document = docx.Document(str(written["docx"]))
    assert document.core_properties.keywords == MARKING
    assert document.inline_shapes, "the annex shows no crop"


def test_notes_are_numbered_through_the_report_and_each_paragraph(facts: Facts) -> None:
    report = _report(facts)
    numbers = [n.number for f in report.findings for n in f.notes]
    assert numbers == list(range(1, len(numbers) + 1))
    paragraphs = [p.number for f in report.findings for p in f.paragraphs]
    assert paragraphs == list(range(1, len(paragraphs) + 1))
    assert [f.number for f in report.findings] == ["F-0001", "F-0003"]


def test_drafts_are_left_out_unless_asked_for_and_then_marked(facts: Facts, tmp_path: Path) -> None:
    plain = _report(facts)
    assert "F-0002" not in [f.number for f in plain.findings]
    assert plain.excluded == ["F-0002 (in review)", "F-0004 (draft)", "F-0005 (rejected)"]
    with_drafts = _report(facts, include_drafts=True)
    labels = {f.number: f.draft_label for f in with_drafts.findings}
    assert labels == {
        "F-0001": None,
        "F-0002": "DRAFT — not confirmed (in review)",
        "F-0003": None,
        "F-0004": "DRAFT — not confirmed (draft)",
    }
    write_report(plain, tmp_path / "plain.pdf")
    write_report(with_drafts, tmp_path / "drafts.pdf")
    write_report(with_drafts, tmp_path / "drafts.docx")
    title = "Artillery shells shipped from Rajin on NORTHERN LANTERN"
    plain_text = " ".join(pdf_pages(tmp_path / "plain.pdf"))
    assert title not in plain_text
    assert "DRAFT" not in plain_text
    draft_text = " ".join(pdf_pages(tmp_path / "drafts.pdf"))
    assert f"F-0002. {title} DRAFT — not confirmed (in review)" in draft_text
    body, _, _ = docx_text(tmp_path / "drafts.docx")
    assert f"F-0002. {title} DRAFT — not confirmed (in review)" in body
    assert "awaiting confirmation by a second reviewer" in body
    assert "F-0004. Containers stacked at Rajin DRAFT — not confirmed (draft)" in draft_text
    assert "Not yet submitted for review." in draft_text
    assert "A rumour from the quay" not in draft_text


def test_a_region_two_findings_rest_on_is_one_image(facts: Facts, tmp_path: Path) -> None:
    report = _report(facts, include_drafts=True)
    (crop,) = report.crops
    assert crop.findings == ["F-0003", "F-0004"]
    assert len(crop.notes) == 2
    write_report(report, tmp_path / "drafts.pdf")
    text = " ".join(pdf_pages(tmp_path / "drafts.pdf"))
    assert text.count("shows the region in Image 1 of the annex") == 2
    assert (
        f"Image 1 (F-0003, F-0004) rajin-port_2025-04-28_demo-sat-1.jpg: "
        f"rectangle, {facts.crop_box}" in text
    )


def test_filters_by_finding_and_case(facts: Facts) -> None:
    only = _report(facts, findings=["f-3"])
    assert [f.number for f in only.findings] == ["F-0003"]
    assert [v.name for v in only.vessels] == ["AMBER TIDE", "NORTHERN LANTERN"]
    first = _report(facts, findings=[only.findings[0].uuid[:8], "F-0001"], case="Demo: Rajin port")
    assert [f.number for f in first.findings] == ["F-0001", "F-0003"]
    assert first.case == "Demo: Rajin port"


def test_bad_requests_say_why(facts: Facts) -> None:
    with pytest.raises(NotFoundError, match="no finding F-0042"):
        _report(facts, findings=["F-0042"])
    with pytest.raises(NotFoundError, match="no case called 'Nowhere'"):
        _report(facts, case="Nowhere")
    with pytest.raises(NothingToReportError, match="add --include-drafts"):
        _report(facts, findings=["F-0002"])
    with pytest.raises(NothingToReportError, match="1 rejected .a rejected finding is never"):
        _report(facts, findings=["F-0005"], include_drafts=True)
    with pytest.raises(NotFoundError, match="F-0004 is not in case 'Demo: Rajin port'"):
        _report(facts, findings=["F-0004"], case="Demo: Rajin port", include_drafts=True)
    with pytest.raises(ReportError, match="marking cannot be empty"):
        _report(facts, marking="  ")


def test_nothing_is_written_for_a_bad_suffix_a_missing_folder_or_a_cancel(
    facts: Facts, tmp_path: Path
) -> None:
    report = _report(facts)
    with pytest.raises(ReportError, match=r"FILE\.pdf or FILE\.docx, not '\.odt'"):
        write_report(report, tmp_path / "report.odt")
    with pytest.raises(ReportError, match="does not exist"):
        write_report(report, tmp_path / "missing" / "report.pdf")
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(ReportError, match="is not a folder"):
        write_report(report, tmp_path / "plain-file" / "report.pdf")
    cancel = CancelToken()
    cancel.cancel()
    for name in ("report.pdf", "report.docx"):
        with pytest.raises(CancelledError):
            write_report(report, tmp_path / name, cancel=cancel)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain-file"]


def test_an_earlier_report_is_replaced_whole(facts: Facts, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"an older report")
    size = write_report(_report(facts), target)
    assert target.stat().st_size == size
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


# --- the sentences -----------------------------------------------------------------


def test_dates_read_as_a_reader_writes_them() -> None:
    assert long_date("2026-03-03") == "3 March 2026"
    assert long_date("2025-05") == "May 2025"
    assert long_date("2025") == "2025"
    assert long_date("2026-04-03T23:30:00Z") == "3 April 2026"
    assert long_date("sometime") == "sometime"


def _letter(**kw: object) -> LetterView:
    fields: dict[str, object] = {
        "id": 1,
        "uuid": "u",
        "addressee": "Ministry X",
        "addressee_kind": "state",
        "sent": "2026-03-03",
        "deadline": "2026-04-03",
        "reference": None,
        "letter_source_id": None,
        "sent_by": "a",
        "status": "awaiting reply",
        "overdue_days": 0,
        "replies": [],
    }
    fields.update(kw)
    return LetterView(**fields)  # type: ignore[arg-type]


def test_reply_sentences_for_each_state() -> None:
    today = TODAY
    assert reply_sentences([], today) == ["No letter has been sent to the parties concerned."]
    assert reply_sentences([_letter(deadline="2026-06-01")], today) == [
        "A letter was sent to Ministry X on 3 March 2026 with a deadline of 1 June 2026; "
        "no reply had been received by 1 May 2026."
    ]
    assert reply_sentences([_letter(status="no reply by deadline", overdue_days=28)], today) == [
        "A letter was sent to Ministry X on 3 March 2026; no reply had been received by "
        "3 April 2026."
    ]
    late = ReplyView("r", "2026-04-10", None, 7, None, late_days=7)
    assert reply_sentences([_letter(status="replied", replies=[late])], today) == [
        "A letter was sent to Ministry X on 3 March 2026; Ministry X replied on 10 April 2026 "
        "(after the deadline) (the reply is a document)."
    ]


def test_review_and_corroboration_sentences() -> None:
    steps = [
        ReviewStep("submit", "A", "2026-03-01T10:00:00Z", None),
        ReviewStep("confirm", "B", "2026-03-02T10:00:00Z", None, signed=True),
    ]
    assert review_sentence("confirmed", steps, None) == (
        "Submitted by A on 1 March 2026; confirmed by B on 2 March 2026, signed."
    )
    assert review_sentence("draft", [], None) == "Not yet submitted for review."
    # A signed confirmation: its check's words, as findings/signatures.py gives them.
    for words in ("signature valid", "signature INVALID: it does not match the statement"):
        checked = ReviewStep("confirm", "B", "2026-03-02T10:00:00Z", None, True, {"label": words})
        assert review_sentence("confirmed", [steps[0], checked], None) == (
            f"Submitted by A on 1 March 2026; confirmed by B on 2 March 2026, {words}."
        )
    assert review_sentence("in_review", steps[:1], None) == (
        "Submitted by A on 1 March 2026; awaiting confirmation by a second reviewer."
    )
    assert corroboration_sentence(1, 1, []) == (
        "Corroborated by 1 independent group of 1 source; each source stands on its own."
    )
    assert corroboration_sentence(2, 3, ["B and C are one story: 87 % shared text."]) == (
        "Corroborated by 2 independent groups of 3 sources: B and C are one story: 87 % "
        "shared text."
    )
    assert re.search("No supporting source", corroboration_sentence(0, 0, []))


def test_user_text_is_shown_literally_in_both_formats(tmp_path: Path) -> None:
    """Markup, ampersands and control characters in a title, a quote or a vessel's name
    come out as written (controls dropped), never as markup or a broken file."""
    nasty = "Tanker <b>AMBER</b> & \x07SONS"
    shown = "Tanker <b>AMBER</b> & SONS"
    report = Report(
        title="Findings report: <case & co>",
        marking="RESTRICTED <&>",
        case="<case & co>",
        created="2026-03-03T10:00:00Z",
        today="2026-03-04",
        author="A & B",
        tool_version="test",
        findings=[
            ReportFinding(
                number="F-0001",
                uuid="u",
                title=nasty,
                status="draft",
                draft_label="DRAFT — not confirmed (draft)",
                paragraphs=[
                    Paragraph(1, [Span("The claim about "), Span(nasty, 1, quote=True)], "claim")
                ],
                notes=[Note(1, f"{nasty}, undated. Not graded. SHA-256 0123.", "0" * 64, None)],
            )
        ],
        vessels=[Vessel(nasty, "9074729", "", "", ["F-0001"])],
    )
    write_report(report, tmp_path / "r.pdf")
    write_report(report, tmp_path / "r.docx")
    text = " ".join(pdf_pages(tmp_path / "r.pdf"))
    body, notes, furniture = docx_text(tmp_path / "r.docx")
    for written in (text, body):
        assert f"F-0001. {shown}" in written
        assert f"The claim about {shown}" in written
        assert "9074729" in written
        assert "\x07" not in written
    assert f"{shown}, undated. Not graded. SHA-256 0123." in text
    assert notes["1"] == f"{shown}, undated. Not graded. SHA-256 0123."
    assert furniture.count("RESTRICTED <&>") == 2


def _with_image_georeference(
    facts: Facts, tmp_path: Path, change: Callable[[GeorefService, Session, int], object]
) -> Report:
    """The report of a copy of the library whose satellite picture's georeference
    ``change`` made (given the service, a write session and the picture's id)."""
    root = tmp_path / "lib"
    shutil.copytree(facts.root, root)
    with Library.open(root, reviewer="reader") as lib, lib.writer() as session:
        image = session.scalar(select(Source.id).where(Source.sha256 == facts.image_sha))
        assert image is not None
        assert change(GeorefService(lib), session, image)
    return _report(Facts(root, facts.article_sha, facts.image_sha, facts.crop_box))


def test_a_georeferenced_pictures_crop_has_scale_bar_north_and_centre(
    facts: Facts, tmp_path: Path
) -> None:
    # Rajin's quay, 0.5 m a pixel: two points 200 px apart along a parallel.
    lon_step = 200 * 0.5 / (111_320 * math.cos(math.radians(42.2423)))
    points = [
        ControlPoint(0, 0, 42.2423, 130.3105),
        ControlPoint(200, 0, 42.2423, 130.3105 + lon_step),
    ]
    report = _with_image_georeference(
        facts, tmp_path, lambda geo, session, image: geo.by_points(session, image, points)
    )
    [crop] = report.crops
    assert crop.gsd == pytest.approx(0.5, rel=0.01)
    assert crop.north == pytest.approx(0.0, abs=0.5)
    assert crop.place is not None
    assert crop.place.endswith("° E")
    pdf, word = tmp_path / "r.pdf", tmp_path / "r.docx"
    write_report(report, pdf)
    write_report(report, word)
    text = " ".join(pdf_pages(pdf))
    assert f"Centre: {crop.place}" in text
    assert re.search(r"Scale bar \d+ m · the arrow points to true north", text)
    body = docx_text(word)[0]
    assert f"Centre: {crop.place}" in body
    assert "the arrow points to true north" in body


def test_the_demo_pictures_world_file_gives_its_crop_scale_place_date_and_provider(
    written: dict[str, Path],
) -> None:
    text = " ".join(pdf_pages(written["pdf"]))
    assert re.search(r"Scale bar \d+ m · the arrow points to true north", text)
    assert re.search(
        r"Centre: 42\.24\d\d° N, 130\.30\d\d° E · captured 2025-04-28T02:14:09 · "
        r"Demo Imaging \(fictional provider\)",
        text,
    )


def test_a_crop_of_a_picture_without_georeference_has_no_scale(
    facts: Facts, tmp_path: Path
) -> None:
    report = _with_image_georeference(
        facts, tmp_path, lambda geo, session, image: geo.remove(session, image)
    )
    pdf = tmp_path / "r.pdf"
    write_report(report, pdf)
    text = " ".join(pdf_pages(pdf))
    assert "Image 1 (F-0003)" in text
    assert "Scale bar" not in text
    assert "Centre:" not in text
