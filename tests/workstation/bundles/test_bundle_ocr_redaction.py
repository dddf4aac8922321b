"""Redacting what OCR read: a passage marked on a scanned page (a PDF, a picture) leaves the
export with the pixels under its word boxes filled and its words out of the OCR layer that
travels, and nowhere else in the bag; a partner's search finds the words that stay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bagit
import pymupdf
import pytest
from PIL import Image
from sqlalchemy import select

from bench.ocr_testset import page_lines
from db.models import OcrLayer, Source
from tests.conftest import run_cli
from tests.samples import make_text
from tests.scans import CLEAN, image_bytes, make_scanned_image, make_scanned_pdf, render_scan
from tests.workstation.bundles.partners import merge, signed_export
from tests.workstation.ocr.support import needs_models
from workstation.annotations.anchors import (
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
    text_anchor,
)
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles import redaction
from workstation.bundles.carried import OCR_REDACTED
from workstation.bundles.errors import RedactionLeakError
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import Profile, save_profile
from workstation.bundles.redaction import RedactionError
from workstation.core.library import Library
from workstation.ocr.engine import tessdata_dir
from workstation.ocr.layers import AS_SHOWN, OcrService, boxes_as_shown, ocr_words
from workstation.ocr.reader import PageJob, PageResult, read_page
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import page_text

LINES = ["The tanker SEA PIONEER, IMO 9123456,", "arrived at Nampo on 12 March 2024."]
SECRET = "SEA PIONEER"
GONE = ("SEA", "PIONEER")
KEPT = ("tanker", "Nampo", "March")
#: The darkest the exported file may be at a filled pixel (grey, 0-255): JPEG rings a little.
DARK = 40


def _ocr(lib: Library, path: Path) -> int:
    (result,) = ImportService(lib).import_paths([path]).results
    assert result.source_id is not None
    with OcrService(lib, workers=1) as ocr:
        assert ocr.run(result.source_id, "eng", force=True) is not None
    return result.source_id


def _mark(lib: Library, sid: int, quote: str, *, redact: bool = False) -> AnnotationData:
    with lib.writer() as session:
        source = session.get_one(Source, sid)
        anchor = find_quote(session, source, quote, page=1)  # a picture counts no pages
        return AnnotationService(lib).create(session, sid, anchor, redact=redact)


def _boxes(lib: Library, sid: int, texts: tuple[str, ...]) -> list[tuple[float, ...]]:
    with lib.reader() as session:
        words = ocr_words(session, sid, 1)
    assert words is not None
    found = [tuple(w[1:5]) for w in words if w[0].strip(",.") in texts]
    assert len(found) == len(texts), words
    return found


def _layer(bag: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    case = json.loads((bag / "data" / "case.json").read_text(encoding="utf-8"))
    (record,) = case["sources"]
    return record, json.loads((bag / record["ocr"]["path"]).read_text(encoding="utf-8"))


def _words(layer: dict[str, Any]) -> list[str]:
    return [w[0].strip(",.") for page in layer["pages"] for w in page["words"]]


def _assert_consistent(layer: dict[str, Any]) -> None:
    """Every word that stays is where its offset says in the page text."""
    for page in layer["pages"]:
        for word in page["words"]:
            assert page["text"][word[6] : word[6] + len(word[0])] == word[0], word


def _assert_nowhere(bag: Path, secret: str) -> None:
    """The words are in no file of the bag: text read from PDFs, bytes of the rest."""
    needles = [s.lower() for s in secret.split() if len(s) > 3]
    for path in bag.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            with pymupdf.open(path) as doc:
                text = " ".join(page.get_text() for page in doc)
                text += json.dumps(doc.metadata) + (doc.get_xml_metadata() or "")
        else:
            text = path.read_bytes().decode("latin-1")
        for needle in needles:
            assert needle not in text.lower(), (path, needle)


def _search(lib: Library, query: str) -> list[int]:
    with lib.writer() as session:
        return [h.source_id for h in SearchService(session, lib.search_index).search(query).hits]


def _dark(picture: Image.Image, box: tuple[float, ...], scale: float = 1.0) -> int:
    """The lightest pixel wholly inside ``box`` (times ``scale``), as grey."""
    x0, y0, x1, y1 = (v * scale for v in box)
    inner = picture.convert("L").crop((int(x0) + 2, int(y0) + 2, int(x1) - 2, int(y1) - 2))
    return int(inner.getextrema()[1])  # type: ignore[index]


def _scan_image(doc: Any) -> tuple[Image.Image, float]:
    """The picture of a one-page scanned PDF as stored in it, and its pixels per point."""
    page = doc[0]
    (info,) = page.get_image_info(xrefs=True)
    pixmap = pymupdf.Pixmap(doc, info["xref"])
    mode = {1: "L", 3: "RGB"}[pixmap.n]
    picture = Image.frombytes(mode, (pixmap.width, pixmap.height), pixmap.samples)
    return picture, pixmap.width / page.rect.width


def _read_and_redact(src: Path, language: str, quote: str) -> tuple[Any, TextAnchor, Any]:
    """Read a one-page scanned PDF by OCR, mark ``quote`` and redact it beside the file:
    the reading, the mark, and redact_pdf's result."""
    read = read_page(PageJob(str(src), "pdf", 1, "asked", (language,), str(tessdata_dir())))
    start = read.text.index(quote)
    mark = text_anchor(read.text, start, start + len(quote), page=1)
    scanned = {1: redaction.OcrPageText(read.text, read.words)}
    out = src.with_name(f"{src.stem}-redacted.pdf")
    return read, mark, redaction.redact_pdf(src, out, [mark], ocr=scanned)


@needs_models
def test_an_ocr_passage_on_a_scanned_pdf_is_exported_redacted(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, make_scanned_pdf(tmp_path / "in", [LINES], "eng", dpi=200))
    _mark(sender, sid, SECRET, redact=True)
    kept = _mark(sender, sid, "Nampo")
    boxes = _boxes(sender, sid, GONE)
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert not result.warnings

    record, layer = _layer(out)
    assert record["redacted"]
    assert record["ocr"]["redacted"]
    assert not any(w in GONE for w in _words(layer))
    assert all(w in _words(layer) for w in KEPT)
    (page,) = layer["pages"]
    assert page["text"].startswith("The tanker [REDACTED] IMO")
    _assert_consistent(layer)

    with pymupdf.open(out / record["bundle_path"]) as doc:
        assert "PIONEER" not in doc[0].get_text()
        # The scan's own pixels under the word boxes are gone (not only drawn over) ...
        picture, scale = _scan_image(doc)
        for box in boxes:
            assert _dark(picture, box, scale) <= DARK
        # ... and the page shows it; the words that stay are still ink on paper.
        shown = doc[0].get_pixmap(dpi=144, colorspace=pymupdf.csGRAY).pil_image()
        for box in boxes:
            assert _dark(shown, box, 2.0) <= DARK
        (nampo,) = _boxes(sender, sid, ("Nampo",))
        assert _dark(picture, nampo, scale) > 200

    _assert_nowhere(out, SECRET)
    with pymupdf.open(out / "data" / "report.pdf") as doc:
        dossier = " ".join(" ".join(p.get_text() for p in doc).split())
    assert "Nampo (read by OCR)" in dossier
    marks = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    (travelled,) = marks["first"]["items"]
    assert travelled["id"].endswith(kept.uuid)
    bagit.Bag(str(out)).validate()

    summary = merge(receiver, out)
    assert (summary.sources_added, summary.ocr_layers_added) == (1, 1)
    assert (summary.annotations_added, summary.annotations_orphaned) == (1, 0)
    (here,) = _search(receiver, "Nampo")
    assert _search(receiver, "tanker") == [here]
    assert _search(receiver, "PIONEER") == []


@needs_models
def test_a_region_redaction_on_a_scanned_page_takes_its_words_out_of_the_layer(
    sender: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, make_scanned_pdf(tmp_path / "in", [LINES], "eng", dpi=200))
    (x0, y0, x1, y1) = _boxes(sender, sid, ("PIONEER",))[0]
    with sender.writer() as session:
        box = RegionAnchor("rect", ((x0 - 1, y0 - 1), (x1 + 1, y1 + 1)), page=1)
        AnnotationService(sender).create(session, sid, box, redact=True)
    with sender.writer() as session:  # the whole page: one of its words goes, so it stays home
        text = page_text(session, sid, 1)
        whole = text_anchor(text, 0, len(text.rstrip()), page=1)
        under = AnnotationService(sender).create(session, sid, whole)
    kept = _mark(sender, sid, "Nampo")
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)

    assert not any("without its OCR layer" in w for w in result.warnings)
    assert result.withheld == 1
    marks = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    assert [m["id"].rsplit(":", 1)[-1] for m in marks["first"]["items"]] == [kept.uuid]
    assert under.uuid not in json.dumps(marks)
    record, layer = _layer(out)
    assert "ocr_withheld" not in record
    words = _words(layer)
    assert "PIONEER" not in words
    assert all(w in words for w in ("SEA", *KEPT))
    assert "[REDACTED]" in layer["pages"][0]["text"]
    _assert_consistent(layer)
    assert "travel without their OCR layer" not in (out / "data" / "README.txt").read_text(
        encoding="utf-8"
    )
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert b"PIONEER" not in path.read_bytes(), path


def _crew_list(lib: Library, tmp_path: Path) -> None:
    """A note in the library whose mention of the secret is marked for redaction: the
    passage goes wherever else it stands, a picture's OCR text included."""
    crew = make_text(tmp_path / "in", f"Crew list of the {SECRET}.", name="crew.txt")
    (note,) = ImportService(lib).import_paths([crew]).results
    assert note.source_id is not None
    _mark(lib, note.source_id, SECRET, redact=True)


@needs_models
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP"])
def test_an_ocr_passage_on_a_scanned_picture_is_exported_redacted(
    sender: Library, receiver: Library, tmp_path: Path, fmt: str
) -> None:
    name = f"scan.{fmt.lower()}"
    sid = _ocr(sender, make_scanned_image(tmp_path / "in", LINES, "eng", 200, fmt=fmt, name=name))
    _crew_list(sender, tmp_path)
    boxes = _boxes(sender, sid, GONE)
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert not result.warnings

    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    record = next(r for r in case["sources"] if r["kind"] == "image")
    assert record["redacted"]
    layer = json.loads((out / record["ocr"]["path"]).read_text(encoding="utf-8"))
    assert not any(w in GONE for w in _words(layer))
    assert all(w in _words(layer) for w in KEPT)
    _assert_consistent(layer)
    with Image.open(out / record["bundle_path"]) as picture:
        for box in boxes:
            assert _dark(picture, box) <= DARK
        (nampo,) = _boxes(sender, sid, ("Nampo",))
        assert _dark(picture, nampo) > 200
    _assert_nowhere(out, SECRET)

    merge(receiver, out)
    with receiver.reader() as session:
        (here,) = session.scalars(select(Source.id).where(Source.kind == "image"))
    assert _search(receiver, "Nampo") == [here]
    assert _search(receiver, "PIONEER") == []


@needs_models
def test_a_passage_marked_on_a_pictures_ocr_text_is_exported_redacted(
    sender: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, make_scanned_image(tmp_path / "in", LINES, "eng", 200, name="bol.png"))
    _mark(sender, sid, SECRET, redact=True)  # on the picture itself, as the viewer marks it
    boxes = _boxes(sender, sid, GONE)
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert not result.warnings
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    (record,) = case["sources"]
    assert record["redacted"]
    layer = json.loads((out / record["ocr"]["path"]).read_text(encoding="utf-8"))
    assert not any(w in GONE for w in _words(layer))
    assert all(w in _words(layer) for w in KEPT)
    with Image.open(out / record["bundle_path"]) as picture:
        for box in boxes:
            assert _dark(picture, box) <= DARK
    _assert_nowhere(out, SECRET)


def _turned(tmp_path: Path) -> Path:
    """A phone's photo of a page: the pixels stored sideways (turned a quarter to the left)
    and the EXIF orientation (6: turn 90 degrees clockwise to show) that shows it upright."""
    path = make_scanned_image(tmp_path / "in", LINES, "eng", 200, fmt="JPEG", name="turned.jpg")
    with Image.open(path) as picture:
        exif = picture.getexif()
        exif[0x0112] = 6
        sideways = picture.transpose(Image.Transpose.ROTATE_90)
        sideways.save(path.with_name("t.jpg"), exif=exif, quality=90)
    return path.with_name("t.jpg").replace(path)


def _as_read_before(lib: Library, sid: int) -> None:
    """Store the accepted reading again as a layer from before pictures were read as shown
    (no ``orientation`` in its settings): its boxes are taken to be the picture as stored."""
    with lib.reader() as session:
        words = ocr_words(session, sid, 1)
        text = page_text(session, sid, 1)
    assert words is not None
    assert text is not None
    page = PageResult(1, text, words, None, "eng", "Latin", "image", 0.0)
    with OcrService(lib, workers=1) as ocr:
        ocr.save(
            sid, [page], engine_version="5", models={}, languages="eng", settings={}, accept=True
        )


@needs_models
def test_a_turned_picture_is_read_upright_and_its_passage_exported_redacted(
    sender: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, _turned(tmp_path))
    with sender.reader() as session:
        assert "SEA PIONEER" in (page_text(session, sid, 1) or "")  # read the right way up
    boxes = _boxes(sender, sid, GONE)
    _mark(sender, sid, SECRET, redact=True)
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert not result.warnings
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    (record,) = case["sources"]
    layer = json.loads((out / record["ocr"]["path"]).read_text(encoding="utf-8"))
    assert layer["orientation"] == AS_SHOWN
    assert not any(w in GONE for w in _words(layer))
    with Image.open(out / record["bundle_path"]) as picture:  # written upright
        assert picture.getexif().get(0x0112) in (None, 1)
        for box in boxes:
            assert _dark(picture, box) <= DARK
    _assert_nowhere(out, SECRET)


@needs_models
def test_an_older_layer_on_a_turned_picture_refuses_a_passage_in_one_line(
    sender: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, _turned(tmp_path))
    _as_read_before(sender, sid)
    _crew_list(sender, tmp_path)
    out = tmp_path / "bundle"
    with pytest.raises(RedactionError) as caught:
        signed_export(sender, out, redact=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "turned by its EXIF orientation" in message
    assert not out.exists()


@needs_models
def test_an_older_layer_on_a_turned_picture_with_a_region_redaction_stays_home(
    sender: Library, tmp_path: Path
) -> None:
    sid = _ocr(sender, _turned(tmp_path))
    _as_read_before(sender, sid)
    with sender.writer() as session:
        box = RegionAnchor("rect", ((10, 10), (60, 60)), page=1)
        AnnotationService(sender).create(session, sid, box, redact=True)
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert not (out / "data" / "ocr").exists()
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    (record,) = case["sources"]
    assert record["ocr_withheld"] == OCR_REDACTED
    assert any("travels without its OCR layer" in w for w in result.warnings)


@needs_models
def test_a_passage_on_a_scan_turned_by_the_pages_rotate_is_removed(tmp_path: Path) -> None:
    """A scanner that stores the picture sideways and sets /Rotate: OCR's boxes are on the
    page as shown, the picture's pixels are turned; the right ones go."""
    upright = render_scan(LINES, "eng", 200)
    sideways = upright.rotate(90, expand=True)
    src = tmp_path / "rotated.pdf"
    with pymupdf.open() as doc:
        page = doc.new_page(width=sideways.width * 72 / 200, height=sideways.height * 72 / 200)
        page.insert_image(page.rect, stream=image_bytes(sideways, "JPEG"))
        page.set_rotation(90)
        doc.save(src)
    read, mark, result = _read_and_redact(src, "eng", SECRET)

    boxes = [tuple(w[1:5]) for w in read.words if w[0].strip(",") in GONE]
    nampo = next(tuple(w[1:5]) for w in read.words if w[0] == "Nampo")
    with pymupdf.open(result.dst) as doc:
        shown = doc[0].get_pixmap(dpi=144, colorspace=pymupdf.csGRAY).pil_image()
        picture, _scale = _scan_image(doc)
    for box in boxes:
        assert _dark(shown, box, 2.0) <= DARK
    assert _dark(shown, nampo, 2.0) > 200
    # The stored picture is sideways; turned back, it is the page as shown, at 200 dpi.
    turned = picture.rotate(-90, expand=True)
    for box in boxes:
        assert _dark(turned, box, 200 / 72) <= DARK
    assert _dark(turned, nampo, 200 / 72) > 200


@needs_models
def test_a_passage_on_a_bilevel_scan_is_removed(tmp_path: Path) -> None:
    """Office scanners and faxes write one bit a pixel (CCITT G4): the pixels go there too."""
    page_picture = render_scan(LINES, "eng", 200, CLEAN).convert("1")
    src = tmp_path / "fax.pdf"
    with pymupdf.open() as doc:
        page = doc.new_page(
            width=page_picture.width * 72 / 200, height=page_picture.height * 72 / 200
        )
        page.insert_image(page.rect, stream=image_bytes(page_picture, "TIFF"))
        doc.save(src)
    read, mark, result = _read_and_redact(src, "eng", SECRET)
    boxes = [tuple(w[1:5]) for w in read.words if w[0].strip(",") in GONE]
    with pymupdf.open(result.dst) as doc:
        picture, scale = _scan_image(doc)
    for box in boxes:
        assert _dark(picture, box, scale) <= DARK
    nampo = next(tuple(w[1:5]) for w in read.words if w[0] == "Nampo")
    assert _dark(picture, nampo, scale) > 200


@needs_models
@pytest.mark.parametrize(
    ("language", "quote"), [("kor", "전문가 패널"), ("chi_sim", "南浦港"), ("jpn", "南浦港")]
)
def test_a_passage_read_in_korean_chinese_or_japanese_is_removed(
    tmp_path: Path, language: str, quote: str
) -> None:
    """CJK words come as single characters or short runs: the passage's boxes still cover
    it, and the layer loses it."""
    src = make_scanned_pdf(tmp_path / "in", [list(page_lines(language))], language, dpi=200)
    read, mark, result = _read_and_redact(src, language, quote)
    layer = redaction.redact_ocr_pages({1: redaction.OcrPageText(read.text, read.words)}, [mark])

    assert quote not in layer[1].text
    assert "[REDACTED]" in layer[1].text
    assert "9379301" in layer[1].text  # the IMO number on the line before stays
    _assert_consistent({"pages": [{"text": layer[1].text, "words": layer[1].words}]})
    gone = [tuple(w[1:5]) for w in read.words if mark.start <= w[6] < mark.end]
    assert gone
    with pymupdf.open(result.dst) as doc:
        picture, scale = _scan_image(doc)
    for box in gone:
        assert _dark(picture, box, scale) <= DARK


@needs_models
def test_a_page_redaction_on_a_scanned_pdf_empties_that_page_of_the_layer(
    sender: Library, tmp_path: Path
) -> None:
    scan = make_scanned_pdf(tmp_path / "in", [LINES, ["Cargo: coal from Nampo."]], "eng")
    sid = _ocr(sender, scan)
    with sender.writer() as session:
        AnnotationService(sender).create(session, sid, PageAnchor(1), redact=True)
    out = tmp_path / "bundle"
    signed_export(sender, out, redact=True)
    _record, layer = _layer(out)
    first, second = layer["pages"]
    assert (first["text"], first["words"]) == ("[REDACTED]", [])
    assert "coal" in _words({"pages": [second]})
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert b"PIONEER" not in path.read_bytes(), path


@needs_models
def test_the_pixel_checks_see_ink_left_under_a_passage(sender: Library, tmp_path: Path) -> None:
    """What redact_pdf and redact_image read back after writing: run on an unredacted scan,
    they refuse it (so a redaction that left the pixels would be refused too)."""
    scan = make_scanned_pdf(tmp_path / "in", [LINES], "eng", dpi=200)
    sid = _ocr(sender, scan)
    (box,) = _boxes(sender, sid, ("PIONEER",))
    with pymupdf.open(scan) as doc, pytest.raises(RedactionError, match="still shows ink"):
        redaction._check_pixels_gone(doc, doc[0], [box])
    picture = make_scanned_image(tmp_path / "in", LINES, "eng", 200)
    region = RegionAnchor("rect", ((0, 0), (picture_width(picture), 600)), page=1)
    with pytest.raises(RedactionError, match="not filled"):
        redaction._verify_image(picture, size_of(picture), [region])


def picture_width(path: Path) -> int:
    with Image.open(path) as picture:
        return picture.width


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as picture:
        return picture.size


@needs_models
def test_the_cli_exports_a_passage_on_a_turned_picture_redacted(tmp_path: Path) -> None:
    library = str(tmp_path / "lib")
    assert run_cli("init", "--library", library).returncode == 0
    crew = make_text(tmp_path / "in", f"Crew list of the {SECRET}.", name="crew.txt")
    imported = run_cli("--library", library, "import", str(_turned(tmp_path)), str(crew), "--json")
    picture, note = (str(row["source_id"]) for row in json.loads(imported.stdout))
    assert run_cli("--library", library, "ocr", picture, "--lang", "eng", "--force").returncode == 0
    marked = run_cli("--library", library, "annotate", note, "--quote", SECRET, "--redact")
    assert marked.returncode == 0, marked.stderr

    out = tmp_path / "out"
    result = run_cli("--library", library, "export", "--out", str(out), "--redact")

    assert result.returncode == 0, result.stderr
    _assert_nowhere(out, SECRET)


@needs_models
def test_the_leak_check_reads_what_ocr_read_on_a_picture_that_would_travel_unredacted(
    sender: Library, tmp_path: Path
) -> None:
    """The last line of defence: were the plan to miss the passage in a picture's OCR text,
    the picture would show it; the export stops and names the picture."""
    _ocr(sender, make_scanned_image(tmp_path / "in", LINES, "eng", 200))
    _crew_list(sender, tmp_path)
    plan = plan_export(sender, ExportScope(), redact=True)
    (picture,) = (ps for ps in plan.sources if ps.kind == "image")
    assert picture.redacted  # the plan found it; undo that, as a plan with a gap would
    picture.treatment, picture.also_removed, picture.occurrences = "original", [], []
    out = tmp_path / "bundle"
    with pytest.raises(RedactionLeakError) as caught:
        BundleExporter(sender).export(plan, ExportOptions(out=out))
    assert "data/sources/" in str(caught.value)
    assert "page 1" in str(caught.value)
    assert not out.exists()


@needs_models
def test_a_page_redaction_on_a_scanned_picture_fills_it_and_empties_its_layer(
    sender: Library, tmp_path: Path
) -> None:
    """A picture is one page: redacting the page leaves a black picture (it used to be
    ignored, and the picture travelled as it was) and a layer with no words."""
    sid = _ocr(sender, make_scanned_image(tmp_path / "in", LINES, "eng", 200))
    with sender.writer() as session:
        AnnotationService(sender).create(session, sid, PageAnchor(1), redact=True)
        ship = RegionAnchor("rect", ((100, 100), (400, 200)))
        AnnotationService(sender).create(session, sid, ship, note="the tanker")
    out = tmp_path / "bundle"
    result = signed_export(sender, out, redact=True)
    assert (result.annotations, result.withheld) == (0, 1)  # a mark on what went

    record, layer = _layer(out)
    with Image.open(out / record["bundle_path"]) as picture:
        assert picture.convert("L").getextrema() == (0, 0)
    ((page),) = layer["pages"]
    assert (page["text"], page["words"]) == ("[REDACTED]", [])
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert b"PIONEER" not in path.read_bytes(), path


@needs_models
def test_a_mark_on_an_ocr_page_travels_with_a_sanitised_copy(
    sender: Library, tmp_path: Path
) -> None:
    """A profile without originals sends a rewritten copy of a scan, which has no text of
    its own: the marks anchor on its OCR layer (they used to be withheld)."""
    sid = _ocr(sender, make_scanned_pdf(tmp_path / "in", [LINES], "eng", dpi=200))
    kept = _mark(sender, sid, "Nampo")
    with sender.writer() as session:
        save_profile(sender, session, Profile("copies", "RESTRICTED", include_originals=False))
    plan = plan_export(sender, ExportScope(), "copies")
    assert plan.sources[0].treatment == "sanitised"
    out = tmp_path / "bundle"
    result = BundleExporter(sender).export(plan, ExportOptions(out=out))
    assert (result.annotations, result.withheld) == (1, 0)
    marks = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    (travelled,) = marks["first"]["items"]
    assert travelled["id"].endswith(kept.uuid)


@needs_models
def test_a_layer_read_as_shown_stays_so_on_the_partners_side(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    _ocr(sender, _turned(tmp_path))
    out = tmp_path / "bundle"
    signed_export(sender, out)
    merge(receiver, out)
    with receiver.reader() as session:
        (settings,) = session.scalars(select(OcrLayer.settings).where(OcrLayer.accepted))
    assert boxes_as_shown(settings)
