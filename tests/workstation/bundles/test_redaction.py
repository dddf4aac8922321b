"""Redacted derivatives: what a mark covers is gone from the exported file, the rest stays."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pymupdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageCms, ImageStat

from tests.samples import (
    KOREAN,
    RUSSIAN,
    make_bmp,
    make_gif,
    make_jpeg,
    make_pdf,
    make_pdf_with_embedded_file,
    make_pdf_with_javascript,
    make_png,
    make_tiff,
    make_truncated_jpeg,
    make_truncated_pdf,
    make_webp,
    sample_exif,
    sample_picture,
)
from workstation.annotations.anchors import PageAnchor, RegionAnchor, TextAnchor, text_anchor
from workstation.bundles.redaction import (
    POINT_RADIUS,
    RedactionError,
    RedactionResult,
    redact_image,
    redact_pages_text,
    redact_pdf,
    redact_text,
    strip_image_metadata,
)
from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken
from workstation.sources.extract.model import DEFAULT_LIMITS
from workstation.sources.extract.pdf import extract_pdf
from workstation.sources.imagery import ImagePyramid
from workstation.sources.pages import PdfDocument

ENGLISH = "The tanker Example Star met the barge Sample Dawn near Nampo."
SECRET_KO = "남포항에"  # "at Nampo port"
SECRET_RU = "нарушившее"  # "that violated"
SECRET_EN = "Example Star"
MIXED = f"{KOREAN}\n{RUSSIAN}\n{ENGLISH}"


# --- helpers -------------------------------------------------------------------------------


def stored_text(path: Path, page: int = 1) -> str:
    """The page text exactly as the import stores it."""
    return extract_pdf(path, "application/pdf", DEFAULT_LIMITS).pages[page - 1].text


def anchor_for(path: Path, quote: str, page: int = 1) -> TextAnchor:
    text = stored_text(path, page)
    start = text.index(quote)
    return text_anchor(text, start, start + len(quote), page)


def page_text(path: Path, page: int = 1) -> str:
    with pymupdf.open(path) as doc:
        return str(doc[page - 1].get_text())


def expanded_bytes(path: Path) -> bytes:
    """The whole file with every stream decompressed."""
    with pymupdf.open(path) as doc:
        return bytes(doc.tobytes(expand=255))


def utf16_hex(text: str) -> bytes:
    """How the built-in CJK fonts write text into a content stream (UCS-2 hex)."""
    return text.encode("utf-16-be").hex().encode()


def written_forms(text: str) -> list[bytes]:
    """The ways a content stream may spell text: plain, byte hex, UCS-2 hex (lower case)."""
    forms = [utf16_hex(text)]
    if text.isascii():
        forms += [text.encode().lower(), text.encode().hex().encode()]
    return forms


def holds(data: bytes, text: str) -> bool:
    lowered = data.lower()
    return any(form in lowered for form in written_forms(text))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def is_black(pixel: tuple[int, ...] | int, tolerance: int = 40) -> bool:
    values = (pixel,) if isinstance(pixel, int) else pixel[:3]
    return all(v <= tolerance for v in values)


# --- text ----------------------------------------------------------------------------------


def test_redact_text_counts_code_points_not_utf16_units() -> None:
    text = "😀🇰🇷 대북 제재: Kim Chol met the captain."
    start = text.index("Kim Chol")
    assert start == 11
    assert len(text[:start].encode("utf-16-le")) // 2 == 14  # what Qt would count

    assert redact_text(text, [(start, start + 8)]) == "😀🇰🇷 대북 제재: [REDACTED] met the captain."


def test_redact_text_merges_overlapping_and_touching_spans() -> None:
    text = "alpha beta gamma delta"

    assert redact_text(text, [(6, 10), (0, 5), (8, 16)], marker="█") == "█ █ delta"
    assert redact_text(text, [(0, 5), (5, 10)], marker="#") == "# gamma delta"


@pytest.mark.parametrize("span", [(5, 5), (-1, 2), (3, 99), (4, 2)])
def test_redact_text_refuses_bad_spans(span: tuple[int, int]) -> None:
    with pytest.raises(RedactionError, match="outside the text"):
        redact_text("short text", [span])


@given(
    st.text(alphabet=st.sampled_from("ab 대😀\n"), max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=5),
)
def test_redact_text_keeps_exactly_the_unmarked_code_points(
    text: str, raw: list[tuple[int, int]]
) -> None:
    spans = [(s, min(s + n, len(text))) for s, n in raw if s < len(text)]
    marked = {i for s, e in spans for i in range(s, e)}

    result = redact_text(text, spans, marker="\x00")

    assert result.replace("\x00", "") == "".join(ch for i, ch in enumerate(text) if i not in marked)
    runs = sum(1 for i in marked if i - 1 not in marked)
    assert result.count("\x00") == runs


def test_redact_pages_text_applies_passages_and_whole_pages() -> None:
    pages = ["Vessel A met Kim Chol at Nampo.", "Page two is secret.", "Kim Chol again."]
    marks = [text_anchor(pages[0], 13, 21, page=1), PageAnchor(2)]

    result = redact_pages_text(pages, marks)

    assert result == ["Vessel A met [REDACTED] at Nampo.", "[REDACTED]", "Kim Chol again."]


def test_redact_pages_text_removes_every_occurrence_on_the_page() -> None:
    pages = ["Kim Chol met KIM  CHOL's brother, not Kim."]

    result = redact_pages_text(pages, [text_anchor(pages[0], 0, 8)], marker="[X]")

    assert result == ["[X] met [X]'s brother, not Kim."]


def test_redact_pages_text_relocates_an_orphaned_quote() -> None:
    pages = ["Inserted sentence. Vessel A met Kim Chol at Nampo."]
    moved = TextAnchor(page=1, start=13, end=21, exact="Kim Chol")  # offsets of an old text

    assert redact_pages_text(pages, [moved]) == [
        "Inserted sentence. Vessel A met [REDACTED] at Nampo."
    ]


def test_redact_pages_text_refuses_a_quote_that_is_gone_and_a_missing_page() -> None:
    pages = ["Nothing to see."]
    lost = TextAnchor(page=1, start=0, end=8, exact="Kim Chol and a very long quote that goes on")

    with pytest.raises(RedactionError, match="'Kim Chol and a very long quote that goes\\.\\.\\.'"):
        redact_pages_text(pages, [lost])
    with pytest.raises(RedactionError, match="page 2 but the text has 1"):
        redact_pages_text(pages, [PageAnchor(2)])


# --- PDF: text -----------------------------------------------------------------------------


def test_pdf_passages_in_korean_russian_and_english_are_removed(tmp_path: Path) -> None:
    # Page 1 is set in a CJK font (text written as UCS-2 codes), page 2 in Helvetica
    # (text written as plain bytes): both ways a quote can sit in a content stream.
    src = make_pdf(tmp_path, texts=[MIXED, ENGLISH], name="mixed.pdf")
    original = src.read_bytes()
    marks = [anchor_for(src, q) for q in (SECRET_KO, SECRET_RU, SECRET_EN)]
    marks.append(anchor_for(src, SECRET_EN, page=2))
    dst = tmp_path / "out" / "mixed.pdf"
    dst.parent.mkdir()
    before = expanded_bytes(src)
    with pymupdf.open(src) as doc:
        second_page = bytes(doc[1].read_contents())
    assert SECRET_EN.encode().hex().encode() in second_page.lower()
    for quote in (SECRET_KO, SECRET_RU, SECRET_EN):
        assert utf16_hex(quote) in before.lower()

    result = redact_pdf(src, dst, marks)

    assert result == RedactionResult(
        dst, hashlib.sha256(dst.read_bytes()).hexdigest(), 4, "application/pdf"
    )
    assert src.read_bytes() == original
    first, second = page_text(dst, 1), page_text(dst, 2)
    for quote in (SECRET_KO, SECRET_RU, SECRET_EN):
        assert quote not in first
    assert SECRET_EN not in second
    for neighbour in ("선박이", "정박했다", "Судно,", "санкции,", "tanker", "met"):
        assert neighbour in first
    assert "The tanker" in second
    assert "met the barge" in second
    with pymupdf.open(dst) as doc:
        for quote in (SECRET_KO, SECRET_RU, SECRET_EN):
            assert doc[0].search_for(quote) == []
        assert doc[1].search_for(SECRET_EN) == []
    after = expanded_bytes(dst)
    for quote in (SECRET_KO, SECRET_RU, SECRET_EN):
        assert not holds(after, quote)
    assert leftovers(dst.parent) == []


def test_pdf_passage_over_two_lines_is_removed_on_both(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[MIXED])
    text = stored_text(src)
    start, end = text.index("barge"), text.index("Dawn") + len("Dawn")
    assert "\n" in text[start:end]  # the passage wraps
    dst = tmp_path / "wrapped.pdf"

    redact_pdf(src, dst, [text_anchor(text, start, end)])

    remaining = page_text(dst)
    assert "barge" not in remaining
    assert "Sample" not in remaining
    assert "Dawn" not in remaining
    assert "near Nampo." in remaining


def test_pdf_quote_elsewhere_on_the_page_is_removed_too(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=["Kim Chol met the captain. Later Kim Chol left."])
    text = stored_text(src)
    dst = tmp_path / "twice.pdf"

    redact_pdf(src, dst, [text_anchor(text, 0, 8)])

    assert "Kim Chol" not in page_text(dst)
    assert "captain" in page_text(dst)


def test_pdf_text_inside_a_form_xobject_is_removed(tmp_path: Path) -> None:
    inner = make_pdf(tmp_path, texts=[ENGLISH], name="inner.pdf")
    doc = pymupdf.open()
    page = doc.new_page()
    with pymupdf.open(inner) as shown:
        page.show_pdf_page(page.rect, shown, 0)  # the page draws the other as a form XObject
    src = tmp_path / "form.pdf"
    doc.save(src)
    doc.close()
    assert holds(expanded_bytes(src), SECRET_EN)
    dst = tmp_path / "form-redacted.pdf"

    redact_pdf(src, dst, [anchor_for(src, SECRET_EN)])

    assert SECRET_EN not in page_text(dst)
    assert "The tanker" in page_text(dst)
    assert not holds(expanded_bytes(dst), SECRET_EN)


def test_pdf_orphaned_anchor_is_found_by_its_quote(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[ENGLISH])
    moved = TextAnchor(page=1, start=0, end=12, exact=SECRET_EN)  # offsets no longer match
    dst = tmp_path / "orphan.pdf"

    redact_pdf(src, dst, [moved])

    assert SECRET_EN not in page_text(dst)
    assert "The tanker" in page_text(dst)


def test_pdf_passage_that_cannot_be_found_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[ENGLISH])
    lost = TextAnchor(
        page=1, start=0, end=5, exact="A name that is not on this page at all, really"
    )
    dst = tmp_path / "lost.pdf"

    with pytest.raises(RedactionError) as caught:
        redact_pdf(src, dst, [lost])

    message = str(caught.value)
    assert "'A name that is not on this page at all, ...'" in message
    assert "\n" not in message
    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_pdf_text_the_redaction_cannot_remove_is_caught_by_the_check(tmp_path: Path) -> None:
    # /ActualText in marked content replaces the glyphs' text on extraction; MuPDF removes
    # the glyphs but keeps the property list, so the quote would survive. The check after
    # saving must notice and leave nothing behind.
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Visible words here", fontname="helv", fontsize=12)
    xref = page.get_contents()[0]
    stream = doc.xref_stream(xref)
    first, last = stream.index(b"BT"), stream.rindex(b"ET") + 2
    doc.update_stream(
        xref,
        stream[:first]
        + b"/Span <</ActualText (KIMCHOL)>> BDC\n"
        + stream[first:last]
        + b"\nEMC"
        + stream[last:],
    )
    src = tmp_path / "actualtext.pdf"
    doc.save(src)
    doc.close()
    assert "KIMCHOL" in stored_text(src)
    dst = tmp_path / "actualtext-redacted.pdf"

    with pytest.raises(RedactionError, match="'KIMCHOL' is still in the text of page 1"):
        redact_pdf(src, dst, [anchor_for(src, "KIMCHOL")])

    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_pdf_rotated_page_loses_the_marked_text_not_its_neighbours(tmp_path: Path) -> None:
    made = make_pdf(tmp_path, texts=[ENGLISH, "Second page stays."], name="flat.pdf")
    doc = pymupdf.open(made)
    doc[0].set_rotation(90)
    src = tmp_path / "rotated.pdf"
    doc.save(src)
    doc.close()
    with PdfDocument(src) as viewer:
        layout = viewer.page_text(1)
        word = layout.text.index("barge")
        (box,) = layout.rects(word, word + len("barge"))
        assert viewer.page_size(1)[0] > viewer.page_size(1)[1]  # displayed in landscape
    # A region drawn by the viewer over "barge", in displayed coordinates.
    region = RegionAnchor("rect", ((box[0] + 1, box[1] + 1), (box[2] - 1, box[3] - 1)), page=1)
    dst = tmp_path / "rotated-redacted.pdf"

    redact_pdf(src, dst, [anchor_for(src, SECRET_EN), region])

    text = page_text(dst)
    assert SECRET_EN not in text
    assert "barge" not in text
    for neighbour in ("The tanker", "met the", "Sample"):
        assert neighbour in text
    with pymupdf.open(dst) as out:
        assert out[0].rotation == 90


# --- PDF: regions, pages, metadata ---------------------------------------------------------


def make_pdf_with_picture(folder: Path) -> Path:
    """A page with an orange 200 x 100 px picture at (100, 300)-(300, 400), text over it."""
    doc = pymupdf.open()
    page = doc.new_page()
    picture = Image.new("RGB", (200, 100), (255, 160, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    page.insert_image(pymupdf.Rect(100, 300, 300, 400), stream=buffer.getvalue())
    page.insert_text((110, 350), "Left Hidden Right", fontname="helv", fontsize=12)
    page.insert_text((72, 72), "Heading stays", fontname="helv", fontsize=12)
    path = folder / "picture.pdf"
    doc.save(path)
    doc.close()
    return path


def picture_pixels(path: Path) -> Image.Image:
    with pymupdf.open(path) as doc:
        (info,) = doc[0].get_images(full=True)
        extracted = doc.extract_image(info[0])
    return Image.open(io.BytesIO(extracted["image"])).convert("RGB")


def test_pdf_region_blackens_image_pixels_and_removes_text_under_it(tmp_path: Path) -> None:
    src = make_pdf_with_picture(tmp_path)
    with pymupdf.open(src) as doc:
        hidden = doc[0].search_for("Hidden")[0]
    # Page points 150..250 x 320..380 are image pixels 50..150 x 20..80.
    region = RegionAnchor("rect", ((hidden.x0 - 2, 320.0), (hidden.x1 + 2, 380.0)), page=1)
    dst = tmp_path / "picture-redacted.pdf"

    redact_pdf(src, dst, [region])

    text = page_text(dst)
    assert "Hidden" not in text
    assert "Left" in text
    assert "Heading stays" in text
    pixels = picture_pixels(dst)
    assert pixels.size == (200, 100)
    inside_x = round((hidden.x0 + hidden.x1) / 2 - 100)
    assert pixels.getpixel((inside_x, 50)) == (0, 0, 0)
    assert pixels.getpixel((round(hidden.x0 - 100 + 1), 22)) == (0, 0, 0)
    assert pixels.getpixel((5, 5)) == (255, 160, 0)
    assert pixels.getpixel((195, 95)) == (255, 160, 0)


def test_pdf_polygon_and_points_regions_remove_what_they_cover(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[ENGLISH])
    with pymupdf.open(src) as doc:
        tanker = doc[0].search_for("tanker")[0]
        dawn = doc[0].search_for("Dawn")[0]
    triangle = RegionAnchor(
        "polygon",
        (
            (tanker.x0 + 1, tanker.y0 + 2),
            (tanker.x1 - 1, tanker.y0 + 2),
            (tanker.x0 + 1, tanker.y1 - 2),
        ),
        page=1,
    )
    marker = RegionAnchor("points", (((dawn.x0 + dawn.x1) / 2, (dawn.y0 + dawn.y1) / 2),), page=1)
    dst = tmp_path / "shapes.pdf"

    result = redact_pdf(src, dst, [triangle, marker])

    text = page_text(dst)
    assert result.applied == 2
    assert "tanker" not in text
    assert "Dawn" not in text
    assert "Example" in text


def test_pdf_whole_page_is_emptied_and_other_pages_kept(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=["First page.", MIXED, "Third page."])
    dst = tmp_path / "paged.pdf"

    # A passage on the same page need not be found: the page goes entirely.
    stale = TextAnchor(page=2, start=0, end=4, exact="no longer on the page")

    result = redact_pdf(src, dst, [stale, PageAnchor(2)])

    assert result.applied == 2
    with pymupdf.open(dst) as doc:
        assert doc.page_count == 3
        assert doc[1].get_text().strip() == ""
        assert doc[1].get_images() == []
        assert "First page." in doc[0].get_text()
        assert "Third page." in doc[2].get_text()
        render = doc[1].get_pixmap(matrix=pymupdf.Matrix(0.25, 0.25))
        drawn = Image.frombytes("RGB", (render.width, render.height), render.samples)
        # The last row and column are partly off the page, so anti-aliased.
        colours = drawn.crop((0, 0, render.width - 1, render.height - 1)).getcolors()
    assert colours is not None
    assert [colour for _count, colour in colours] == [(0, 0, 0)]
    assert not holds(expanded_bytes(dst), SECRET_KO)


def test_pdf_metadata_attachments_annotations_and_scripts_are_gone(tmp_path: Path) -> None:
    doc = pymupdf.open(make_pdf_with_embedded_file(tmp_path, name="base.pdf"))
    doc.set_metadata({"title": "Kim Chol dossier", "author": "Agent Smith", "subject": "secret"})
    doc.set_xml_metadata("<x:xmpmeta xmlns:x='adobe:ns:meta/'>XMPMARKER</x:xmpmeta>")
    page = doc[0]
    page.add_text_annot((300, 300), "NOTEMARKER about Kim Chol")
    page.insert_link(
        {
            "kind": pymupdf.LINK_URI,
            "from": pymupdf.Rect(50, 50, 90, 60),
            "uri": "https://x.example/LINKMARKER",
        }
    )
    doc.set_toc([[1, "BOOKMARKMARKER", 1]])
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", "<</S/JavaScript/JS(app.alert\\(1\\))>>")
    src = tmp_path / "rich.pdf"
    doc.save(src)
    doc.close()
    before = expanded_bytes(src)
    for marker in (
        b"XMPMARKER",
        b"NOTEMARKER",
        b"LINKMARKER",
        b"BOOKMARKMARKER",
        b"not really a spreadsheet",
    ):
        assert marker in before
    dst = tmp_path / "rich-redacted.pdf"

    redact_pdf(src, dst, [anchor_for(src, "spreadsheet")])

    with pymupdf.open(dst) as out:
        assert {
            k: v for k, v in out.metadata.items() if v and k not in ("format", "encryption")
        } == {}
        assert out.get_xml_metadata() == ""
        assert out.embfile_count() == 0
        assert list(out[0].annots()) == []
        assert out[0].get_links() == []
        assert out.get_toc() == []
        assert out.xref_get_key(out.pdf_catalog(), "OpenAction")[0] == "null"
    after = expanded_bytes(dst)
    for marker in (
        "XMPMARKER",
        "NOTEMARKER",
        "LINKMARKER",
        "BOOKMARKMARKER",
        "Kim Chol",
        "Agent Smith",
        "JavaScript",
        "not really a spreadsheet",
    ):
        assert not holds(after, marker), marker
    assert "See the embedded" in page_text(dst)


def test_pdf_javascript_in_names_is_gone(tmp_path: Path) -> None:
    src = make_pdf_with_javascript(tmp_path, where="names")
    dst = tmp_path / "js.pdf"

    redact_pdf(src, dst, [anchor_for(src, "script")])

    assert b"JavaScript" not in expanded_bytes(dst)
    assert b"app.alert" not in expanded_bytes(dst)


# --- PDF: bad input ------------------------------------------------------------------------


def test_truncated_pdf_is_a_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path, texts=[ENGLISH])
    src = tmp_path / "cut.pdf"
    src.write_bytes(whole.read_bytes()[:200])
    dst = tmp_path / "cut-redacted.pdf"

    with pytest.raises(RedactionError) as caught:
        redact_pdf(src, dst, [TextAnchor(1, 0, 3, "The")])

    assert str(caught.value).startswith("cannot redact cut.pdf: damaged PDF")
    assert "\n" not in str(caught.value)
    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_mark_on_a_page_lost_from_a_repaired_pdf_is_an_error(tmp_path: Path) -> None:
    src = make_truncated_pdf(tmp_path, pages=6, keep_pages=3)
    dst = tmp_path / "repaired.pdf"

    with pytest.raises(RedactionError, match="cannot find the passage 'Page 5 of the sample"):
        redact_pdf(src, dst, [TextAnchor(5, 0, 6, "Page 5 of the sample report.")])

    assert not dst.exists()


@pytest.mark.parametrize(
    "mark", [PageAnchor(4), TextAnchor(0, 0, 1, "x"), RegionAnchor("rect", ((0, 0), (9, 9)), 7)]
)
def test_page_out_of_range_is_an_error(
    tmp_path: Path, mark: PageAnchor | TextAnchor | RegionAnchor
) -> None:
    src = make_pdf(tmp_path, pages=3)
    dst = tmp_path / "range.pdf"

    with pytest.raises(RedactionError, match=r"on page -?\d+ but the PDF has 3"):
        redact_pdf(src, dst, [mark])

    assert not dst.exists()


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (RegionAnchor("rect", ((10, 10), (10, 50)), 1), "has no area"),
        (RegionAnchor("polygon", ((10, 10), (50, 50)), 1), "needs 3 points"),
        (RegionAnchor("rect", ((float("nan"), 0), (5, 5)), 1), "not a number"),
        (RegionAnchor("rect", ((2000, 2000), (2100, 2100)), 1), "outside the page"),
        (RegionAnchor("rect", ((0, 0), (5, 5)), None), "without a page"),
    ],
)
def test_bad_regions_on_a_pdf_are_errors(
    tmp_path: Path, region: RegionAnchor, message: str
) -> None:
    src = make_pdf(tmp_path, pages=1)

    with pytest.raises(RedactionError, match=message):
        redact_pdf(src, tmp_path / "bad.pdf", [region])

    assert not (tmp_path / "bad.pdf").exists()


def test_pdf_redaction_refuses_to_overwrite_its_original(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[ENGLISH])
    original = src.read_bytes()

    with pytest.raises(RedactionError, match="refusing to overwrite the original"):
        redact_pdf(src, src, [anchor_for(src, SECRET_EN)])

    assert src.read_bytes() == original


def test_cancelled_pdf_redaction_leaves_nothing(tmp_path: Path) -> None:
    src = make_pdf(tmp_path, texts=[ENGLISH])
    cancel = CancelToken()
    cancel.cancel()
    dst = tmp_path / "cancelled.pdf"

    with pytest.raises(CancelledError):
        redact_pdf(src, dst, [anchor_for(src, SECRET_EN)], cancel=cancel)

    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_redaction_error_is_a_workstation_error() -> None:
    assert issubclass(RedactionError, WorkstationError)


# --- images --------------------------------------------------------------------------------


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return float(
        sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3
    )


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    with Image.open(path) as image:
        assert not {"exif", "xmp", "XML:com.adobe.xmp"} & set(image.info)
        exif = image.getexif()
        for tag in (0x010F, 0x0110, 0x8769, 0x8825, 0x0112):  # make, model, EXIF, GPS, orientation
            assert tag not in exif
    assert b"Canon" not in data
    assert b"Exif\x00\x00" not in data


def test_jpeg_region_is_black_outside_kept_and_exif_gps_gone(tmp_path: Path) -> None:
    src = make_jpeg(tmp_path, size=(160, 120))
    assert b"Canon" in src.read_bytes()
    region = RegionAnchor("rect", ((40.0, 30.0), (100.0, 80.0)))
    dst = tmp_path / "photo-redacted.jpg"

    result = redact_image(src, dst, [region], strip_metadata=False)

    assert result.media_type == "image/jpeg"
    assert result.applied == 1
    assert result.sha256 == hashlib.sha256(dst.read_bytes()).hexdigest()
    assert_no_metadata(dst)
    with Image.open(src) as before, Image.open(dst) as after:
        assert after.format == "JPEG"
        assert after.size == before.size
        for x, y in ((40, 30), (70, 55), (99, 79)):
            assert is_black(after.getpixel((x, y)))
        outside = (0, 0, 160, 30)
        assert mean_difference(before.crop(outside), after.crop(outside)) < 4
        assert not is_black(after.getpixel((120, 100)))


def test_png_polygon_fills_the_shape_not_its_box(tmp_path: Path) -> None:
    src = make_png(tmp_path, size=(100, 100), exif=True)
    triangle = RegionAnchor("polygon", ((10.0, 10.0), (90.0, 10.0), (10.0, 90.0)))
    dst = tmp_path / "image-redacted.png"

    result = redact_image(src, dst, [triangle], strip_metadata=True)

    assert result.media_type == "image/png"
    assert_no_metadata(dst)
    with Image.open(src) as before, Image.open(dst) as after:
        assert after.getpixel((20, 20)) == (0, 0, 0)
        assert after.getpixel((12, 85)) == (0, 0, 0)
        assert after.getpixel((80, 80)) == before.getpixel((80, 80))  # in the box, not the shape
        assert after.getpixel((95, 95)) == before.getpixel((95, 95))


def test_points_markers_black_out_a_disc_around_each_point(tmp_path: Path) -> None:
    src = make_png(tmp_path, size=(120, 80))
    marker = RegionAnchor("points", ((30.0, 40.0), (90.0, 40.0)))
    dst = tmp_path / "points.png"

    redact_image(src, dst, [marker], strip_metadata=True)

    reach = int(POINT_RADIUS) - 1
    with Image.open(src) as before, Image.open(dst) as after:
        for x, y in ((30, 40), (30 + reach, 40), (30, 40 - reach), (90, 40), (90 - reach, 40)):
            assert after.getpixel((x, y)) == (0, 0, 0)
        for x, y in ((30 + reach, 40 + reach), (60, 40), (30, 40 + int(POINT_RADIUS) + 2)):
            assert after.getpixel((x, y)) == before.getpixel((x, y))


def make_oriented_jpeg(folder: Path, orientation: int) -> Path:
    """A 80 x 40 stored JPEG: left half red, right half blue, with an EXIF orientation."""
    stored = Image.new("RGB", (80, 40), (220, 0, 0))
    stored.paste((0, 0, 220), (40, 0, 80, 40))
    exif = sample_exif()
    exif[0x0112] = orientation
    path = folder / f"oriented-{orientation}.jpg"
    stored.save(path, "JPEG", exif=exif, quality=95)
    return path


def test_oriented_jpeg_regions_are_in_the_pixels_the_library_shows(tmp_path: Path) -> None:
    src = make_oriented_jpeg(tmp_path, orientation=6)  # shown turned 90 degrees clockwise
    viewer = ImagePyramid.open_original(src)
    try:
        shown_width, shown_height = viewer.full_size
        shown = Image.frombytes(
            "RGB", viewer.full_size, viewer.read_region(0, 0, 0, *viewer.full_size)
        )
    finally:
        viewer.close()
    assert (shown_width, shown_height) == (40, 80)  # upright: tall
    region = RegionAnchor("rect", ((0.0, 0.0), (40.0, 20.0)))  # the top quarter as shown
    dst = tmp_path / "oriented-redacted.jpg"

    redact_image(src, dst, [region], strip_metadata=False)

    assert_no_metadata(dst)
    with Image.open(dst) as after:
        assert after.size == (40, 80)
        for x, y in ((2, 2), (20, 10), (37, 17)):
            assert is_black(after.getpixel((x, y)))
        lower = (0, 24, 40, 80)
        assert mean_difference(after.crop(lower), shown.crop(lower)) < 4


def test_tiff_and_webp_keep_their_format_without_metadata(tmp_path: Path) -> None:
    region = RegionAnchor("rect", ((0.0, 0.0), (20.0, 20.0)))
    for src, media_type in (
        (make_tiff(tmp_path), "image/tiff"),
        (make_webp(tmp_path), "image/webp"),
    ):
        dst = tmp_path / f"redacted-{src.name}"

        result = redact_image(src, dst, [region], strip_metadata=True)

        assert result.media_type == media_type
        assert_no_metadata(dst)
        with Image.open(dst) as after:
            assert is_black(after.convert("RGB").getpixel((10, 10)))


def test_gif_and_bmp_come_out_as_png(tmp_path: Path) -> None:
    region = RegionAnchor("rect", ((0.0, 0.0), (10.0, 10.0)))
    for src in (make_gif(tmp_path), make_bmp(tmp_path)):
        dst = tmp_path / f"{src.stem}-redacted.png"

        result = redact_image(src, dst, [region], strip_metadata=True)

        assert result.media_type == "image/png"
        with Image.open(dst) as after:
            assert after.format == "PNG"
            assert after.convert("RGB").getpixel((5, 5)) == (0, 0, 0)


def test_strip_image_metadata_keeps_pixels_and_drops_exif(tmp_path: Path) -> None:
    src = make_png(tmp_path, size=(64, 48), exif=True)
    dst = tmp_path / "clean.png"

    result = strip_image_metadata(src, dst)

    assert result.applied == 0
    assert result.media_type == "image/png"
    assert_no_metadata(dst)
    with Image.open(src) as before, Image.open(dst) as after:
        assert after.tobytes() == before.convert("RGB").tobytes()


def test_strip_image_metadata_keeps_the_icc_profile(tmp_path: Path) -> None:
    src = tmp_path / "icc.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    sample_picture().save(src, "JPEG", exif=sample_exif(), icc_profile=icc)
    dst = tmp_path / "icc-clean.jpg"

    strip_image_metadata(src, dst)

    assert_no_metadata(dst)
    with Image.open(dst) as after:
        assert after.info.get("icc_profile") == icc


def test_image_without_regions_is_copied_as_is_unless_stripping(tmp_path: Path) -> None:
    src = make_jpeg(tmp_path)
    copy = tmp_path / "copy.jpg"

    result = redact_image(src, copy, [], strip_metadata=False)

    assert copy.read_bytes() == src.read_bytes()
    assert result.applied == 0
    assert result.media_type == "image/jpeg"
    stripped = tmp_path / "stripped.jpg"
    redact_image(src, stripped, [], strip_metadata=True)
    assert_no_metadata(stripped)


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (RegionAnchor("rect", ((500.0, 500.0), (600.0, 600.0))), "outside the image"),
        (RegionAnchor("rect", ((5.0, 5.0), (5.0, 9.0))), "has no area"),
        (RegionAnchor("rect", ((0.0, 0.0), (5.0, 5.0)), page=2), "page 2"),
    ],
)
def test_bad_image_regions_are_errors_and_leave_nothing(
    tmp_path: Path, region: RegionAnchor, message: str
) -> None:
    src = make_jpeg(tmp_path)
    dst = tmp_path / "bad.jpg"

    with pytest.raises(RedactionError, match=message):
        redact_image(src, dst, [region], strip_metadata=True)

    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_truncated_image_is_a_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    src = make_truncated_jpeg(tmp_path)
    dst = tmp_path / "truncated-redacted.jpg"

    with pytest.raises(RedactionError) as caught:
        redact_image(
            src, dst, [RegionAnchor("rect", ((0.0, 0.0), (5.0, 5.0)))], strip_metadata=True
        )

    assert "truncated.jpg" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not dst.exists()
    assert leftovers(tmp_path) == []


def test_cancelled_image_redaction_leaves_nothing(tmp_path: Path) -> None:
    src = make_jpeg(tmp_path)
    cancel = CancelToken()
    cancel.cancel()
    dst = tmp_path / "cancelled.jpg"

    with pytest.raises(CancelledError):
        redact_image(
            src,
            dst,
            [RegionAnchor("rect", ((0.0, 0.0), (5.0, 5.0)))],
            strip_metadata=True,
            cancel=cancel,
        )

    assert not dst.exists()
