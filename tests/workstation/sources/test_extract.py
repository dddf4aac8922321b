"""Tests for workstation.sources.extract on real files written by tests/samples.py."""

from __future__ import annotations

import email
import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from email import policy
from pathlib import Path

import pytest
from PIL import Image

from tests import samples
from workstation.core.errors import BadInputError, EncryptedInputError, TooLargeError
from workstation.sources.extract import (
    SUPPORTED_MEDIA_TYPES,
    Extracted,
    Limits,
    detect,
    extract,
    iter_pdf_pages,
    render_pdf_page,
    safe_filename,
)
from workstation.sources.extract.article import MAIN_TEXT_MAX_CHARS


def assert_one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    """The error's message, checked to be a single short line a reviewer can read."""
    message = str(exc.value)
    assert message
    assert "\n" not in message
    assert len(message) < 200
    return message


def thumbnail_size(result: Extracted) -> tuple[int, int]:
    """Size of the thumbnail, checked to decode as the type it claims."""
    assert result.thumbnail is not None
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        expected = {"image/png": "PNG", "image/jpeg": "JPEG"}[result.thumbnail_type or ""]
        assert thumb.format == expected
        return thumb.size


# --- detect ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (lambda d: samples.make_pdf(d, name="looks-like.jpg"), "application/pdf"),
        (lambda d: samples.make_jpeg(d, name="looks-like.pdf"), "image/jpeg"),
        (lambda d: samples.make_png(d, name="noext"), "image/png"),
        (lambda d: samples.make_tiff(d, name="a.txt"), "image/tiff"),
        (lambda d: samples.make_webp(d, name="a.gif"), "image/webp"),
        (lambda d: samples.make_gif(d, name="a.webp"), "image/gif"),
        (lambda d: samples.make_bmp(d, name="a.png"), "image/bmp"),
        (lambda d: samples.make_article_html(d, name="page.txt"), "text/html"),
        (lambda d: samples.make_text(d, name="notes.md"), "text/plain"),
        (lambda d: samples.make_markdown(d, name="notes.txt"), "text/markdown"),
        (lambda d: samples.make_eml(d, name="mail.txt"), "message/rfc822"),
        (lambda d: samples.make_text(d, encoding="utf-16", name="u16"), "text/plain"),
        (lambda d: samples.make_text(d, text="Caf\xe9\n", encoding="cp1252"), "text/plain"),
    ],
)
def test_detect_reads_content_not_extension(
    tmp_path: Path, make: Callable[[Path], Path], media_type: str
) -> None:
    assert detect(make(tmp_path)) == media_type


def test_detect_html_after_comment_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "saved"
    path.write_text("\n  <!-- saved from url=(0014)about:internet -->\n<html><body>x</body></html>")
    assert detect(path) == "text/html"


def test_detect_text_with_colon_lines_is_not_email(tmp_path: Path) -> None:
    path = samples.make_text(tmp_path, text="Note: check the port\nTodo: call back\n\nBody.\n")
    assert detect(path) == "text/plain"


def test_detect_empty_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        detect(samples.make_empty(tmp_path))
    assert assert_one_line(exc) == "empty file"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"PK\x03\x04" + bytes(100), "ZIP"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "executable"),
        (b"plain words\x00\x00\x00 and nuls " * 20, "binary"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG"),
    ],
)
def test_detect_refuses_unsupported_types_by_name(
    tmp_path: Path, content: bytes, named: str
) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(BadInputError) as exc:
        detect(path)
    message = assert_one_line(exc)
    assert message.startswith("not a supported file type (")
    assert named in message


def test_detect_refuses_random_binary(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        detect(samples.make_random_binary(tmp_path))
    assert assert_one_line(exc).startswith("not a supported file type")


# --- extract: common rules -----------------------------------------------------------------

GOOD_SAMPLES: list[tuple[str, Callable[[Path], Path]]] = [
    ("pdf", lambda d: samples.make_pdf(d)),
    ("jpeg", lambda d: samples.make_jpeg(d)),
    ("png", lambda d: samples.make_png(d)),
    ("tiff", lambda d: samples.make_tiff(d)),
    ("webp", lambda d: samples.make_webp(d)),
    ("gif", lambda d: samples.make_gif(d)),
    ("bmp", lambda d: samples.make_bmp(d)),
    ("html", lambda d: samples.make_article_html(d)),
    ("text", lambda d: samples.make_text(d)),
    ("markdown", lambda d: samples.make_markdown(d)),
    ("eml", lambda d: samples.make_eml(d, with_attachments=[("a.txt", b"x", "text/plain")])),
]


@pytest.mark.parametrize(("label", "make"), GOOD_SAMPLES, ids=[g[0] for g in GOOD_SAMPLES])
def test_metadata_is_json_and_thumbnail_within_size(
    tmp_path: Path, label: str, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    result = extract(path, detect(path), Limits(thumbnail_size=32))
    json.dumps(result.metadata)
    assert all(page.number == index + 1 for index, page in enumerate(result.pages))
    if result.kind in ("pdf", "image"):
        assert max(thumbnail_size(result)) <= 32
    else:
        assert result.thumbnail is None


@pytest.mark.parametrize("media_type", sorted(SUPPORTED_MEDIA_TYPES))
def test_random_bytes_under_any_type_give_bad_input(tmp_path: Path, media_type: str) -> None:
    path = samples.make_random_binary(tmp_path)
    with pytest.raises(BadInputError) as exc:
        extract(path, media_type)
    assert_one_line(exc)


@pytest.mark.parametrize("media_type", sorted(SUPPORTED_MEDIA_TYPES))
def test_empty_file_under_any_type(tmp_path: Path, media_type: str) -> None:
    with pytest.raises(BadInputError) as exc:
        extract(samples.make_empty(tmp_path), media_type)
    assert assert_one_line(exc) == "empty file"


def test_unknown_media_type(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        extract(samples.make_text(tmp_path), "application/zip")
    assert assert_one_line(exc) == "not a supported file type (application/zip)"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        extract(tmp_path / "gone.pdf", "application/pdf")
    assert assert_one_line(exc).startswith("cannot read file")


def test_png_read_as_pdf_gives_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        extract(samples.make_png(tmp_path), "application/pdf")
    assert assert_one_line(exc).startswith("damaged PDF")


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_text_round_trips_cjk_and_russian(tmp_path: Path) -> None:
    texts = [samples.KOREAN, samples.JAPANESE, samples.CHINESE, samples.RUSSIAN]
    path = samples.make_pdf(
        tmp_path, texts=texts, title="제재 보고서", author="Panel", language="ko-KR"
    )
    result = extract(path, "application/pdf")
    assert result.kind == "pdf"
    assert result.media_type == "application/pdf"
    assert [page.number for page in result.pages] == [1, 2, 3, 4]
    # get_text() breaks lines where insert_textbox wrapped them.
    assert [" ".join(page.text.split()) for page in result.pages] == texts
    assert result.title == "제재 보고서"
    assert result.author == "Panel"
    assert result.language == "ko-KR"
    assert result.metadata["page_count"] == 4
    assert result.metadata["pdf_version"] == "1.7"
    assert result.metadata["info"]["title"] == "제재 보고서"
    assert "keywords" not in result.metadata["info"]  # empty values are left out
    assert result.flags == []
    assert result.thumbnail_type == "image/png"
    width, height = thumbnail_size(result)
    assert height <= 256
    assert height >= 250  # A4 portrait: the long side is the thumbnail size
    assert 175 <= width <= 185


def test_iter_pdf_pages_streams_the_same_text(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path, pages=5)
    streamed = list(iter_pdf_pages(path))
    assert streamed == extract(path, "application/pdf").pages
    assert streamed[4].text.strip() == "Page 5 of the sample report."


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EncryptedInputError) as exc:
        extract(samples.make_encrypted_pdf(tmp_path), "application/pdf")
    assert assert_one_line(exc) == "encrypted, password needed"


def test_pdf_with_owner_password_only_imports_with_flag(tmp_path: Path) -> None:
    result = extract(samples.make_encrypted_pdf_empty_user_password(tmp_path), "application/pdf")
    assert result.flags == ["pdf-password-empty"]
    assert result.pages[0].text.strip() == "Printing is not allowed."
    assert "AES" in result.metadata["encryption"]


def test_truncated_pdf_keeps_readable_pages(tmp_path: Path) -> None:
    result = extract(samples.make_truncated_pdf(tmp_path, pages=6, keep_pages=3), "application/pdf")
    assert "pdf-repaired" in result.flags
    assert result.metadata["repaired"] is True
    assert result.metadata["damaged_pages"] == [4, 5, 6]
    assert [page.text.strip() for page in result.pages] == [
        "Page 1 of the sample report.",
        "Page 2 of the sample report.",
        "Page 3 of the sample report.",
        "",
        "",
        "",
    ]
    assert result.thumbnail is not None


def test_pdf_truncated_before_any_page_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        extract(samples.make_truncated_pdf(tmp_path, keep_pages=0), "application/pdf")
    assert assert_one_line(exc) == "damaged PDF: no pages could be read"


def test_garbage_pdf_is_refused(tmp_path: Path) -> None:
    path = samples.make_garbage_pdf(tmp_path)
    assert detect(path) == "application/pdf"
    with pytest.raises(BadInputError) as exc:
        extract(path, "application/pdf")
    assert assert_one_line(exc).startswith("damaged PDF:")


@pytest.mark.parametrize("where", ["openaction", "names", "link"])
def test_pdf_javascript_is_flagged(tmp_path: Path, where: str) -> None:
    result = extract(samples.make_pdf_with_javascript(tmp_path, where), "application/pdf")
    assert result.flags == ["pdf-javascript"]
    assert result.pages[0].text.strip() == "This page has a script."


def test_pdf_launch_action_is_flagged(tmp_path: Path) -> None:
    result = extract(samples.make_pdf_with_launch_action(tmp_path), "application/pdf")
    assert result.flags == ["pdf-launch-action"]


def test_pdf_embedded_file_is_flagged_and_named(tmp_path: Path) -> None:
    path = samples.make_pdf_with_embedded_file(tmp_path, filename="ledger.xlsx")
    result = extract(path, "application/pdf")
    assert result.flags == ["pdf-embedded-files"]
    assert result.metadata["embedded_files"] == ["ledger.xlsx"]


@pytest.mark.parametrize("size", [14_400, 10_000_000])
def test_pdf_huge_page_thumbnail_stays_small(tmp_path: Path, size: float) -> None:
    result = extract(samples.make_pdf_huge_mediabox(tmp_path, size=size), "application/pdf")
    assert result.pages[0].text.strip() == "A very large page."
    assert max(thumbnail_size(result)) <= 256


def test_render_pdf_page_is_capped_at_render_pixels(tmp_path: Path) -> None:
    path = samples.make_pdf_huge_mediabox(tmp_path, size=14_400)
    # Uncapped, zoom 10 would be 144,000 x 144,000 pixels.
    png = render_pdf_page(path, 1, zoom=10.0, limits=Limits(max_render_pixels=1_000_000))
    with Image.open(io.BytesIO(png)) as page:
        assert page.width * page.height <= 1_000_000
        assert page.width * page.height > 900_000


def test_render_pdf_page_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as exc:
        render_pdf_page(samples.make_pdf(tmp_path, pages=2), 3)
    assert assert_one_line(exc) == "page 3 does not exist (the PDF has 2)"


# --- Images ------------------------------------------------------------------------------

IMAGE_SAMPLES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("JPEG", lambda d: samples.make_jpeg(d, size=(640, 320)), "image/jpeg"),
    ("PNG", lambda d: samples.make_png(d, size=(640, 320)), "image/png"),
    ("TIFF", lambda d: samples.make_tiff(d, size=(640, 320)), "image/tiff"),
    ("WebP", lambda d: samples.make_webp(d, size=(640, 320)), "image/webp"),
    ("GIF", lambda d: samples.make_gif(d, frames=1, size=(640, 320)), "image/gif"),
    ("BMP", lambda d: samples.make_bmp(d, size=(640, 320)), "image/bmp"),
]


@pytest.mark.parametrize(
    ("name", "make", "media_type"), IMAGE_SAMPLES, ids=[i[0] for i in IMAGE_SAMPLES]
)
def test_image_size_format_and_thumbnail(
    tmp_path: Path, name: str, make: Callable[[Path], Path], media_type: str
) -> None:
    result = extract(make(tmp_path), media_type)
    assert result.kind == "image"
    assert result.media_type == media_type
    assert result.pages == []
    assert result.metadata["format"] == name
    assert (result.metadata["width"], result.metadata["height"]) == (640, 320)
    assert thumbnail_size(result) == (256, 128)


def test_small_image_is_not_upscaled(tmp_path: Path) -> None:
    result = extract(samples.make_jpeg(tmp_path, size=(64, 48)), "image/jpeg")
    assert thumbnail_size(result) == (64, 48)
    assert result.thumbnail_type == "image/jpeg"


def test_png_with_alpha_gets_png_thumbnail(tmp_path: Path) -> None:
    result = extract(samples.make_png(tmp_path, alpha=True), "image/png")
    assert result.thumbnail_type == "image/png"


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (lambda d: samples.make_jpeg(d), "image/jpeg"),
        (lambda d: samples.make_tiff(d), "image/tiff"),
        (lambda d: samples.make_webp(d), "image/webp"),
        (lambda d: samples.make_png(d, exif=True), "image/png"),
    ],
    ids=["jpeg", "tiff", "webp", "png-exif-chunk"],
)
def test_image_exif_camera_time_and_gps(
    tmp_path: Path, make: Callable[[Path], Path], media_type: str
) -> None:
    metadata = extract(make(tmp_path), media_type).metadata
    assert metadata["camera_make"] == "Canon"
    assert metadata["camera_model"] == "Canon EOS 5D Mark IV"
    assert metadata["captured_exif"] == "2024:03:01 12:34:56 +09:00"
    assert metadata["captured"] == "2024-03-01T03:34:56Z"
    gps = metadata["gps"]
    assert gps["lat"] == pytest.approx(samples.GPS_LAT, abs=1e-6)
    assert gps["lon"] == pytest.approx(samples.GPS_LON, abs=1e-6)
    assert gps["alt"] == pytest.approx(samples.GPS_ALT)


def test_image_without_gps_has_no_position(tmp_path: Path) -> None:
    metadata = extract(samples.make_jpeg(tmp_path, with_exif_gps=False), "image/jpeg").metadata
    assert "gps" not in metadata
    assert metadata["camera_make"] == "Canon"


def test_animated_gif_counts_frames(tmp_path: Path) -> None:
    result = extract(samples.make_gif(tmp_path, frames=4), "image/gif")
    assert result.metadata["frames"] == 4
    assert result.thumbnail is not None


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "TIFF", "GIF", "WEBP", "BMP"])
def test_truncated_image_is_refused(tmp_path: Path, image_format: str) -> None:
    path = samples.make_truncated_image(tmp_path, image_format)
    with pytest.raises(BadInputError) as exc:
        extract(path, detect(path))
    assert assert_one_line(exc).startswith("truncated image: ")


@pytest.mark.parametrize(
    ("signature", "media_type"),
    [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg")],
)
def test_garbage_after_image_signature_is_refused(
    tmp_path: Path, signature: bytes, media_type: str
) -> None:
    path = samples.make_garbage_image(tmp_path, signature)
    assert detect(path) == media_type
    with pytest.raises(BadInputError) as exc:
        extract(path, media_type)
    assert not isinstance(exc.value, TooLargeError)
    assert assert_one_line(exc).startswith("damaged image: ")


def test_png_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    path = samples.make_png_bomb(tmp_path, 60_000, 60_000)
    assert path.stat().st_size < 10_000
    with pytest.raises(TooLargeError) as exc:
        extract(path, "image/png")
    assert assert_one_line(exc) == (
        "image is 60000x60000 (3.6 gigapixels), above the 1.0 gigapixel limit"
    )


@pytest.mark.parametrize(
    ("make", "media_type"),
    [
        (lambda d: samples.make_jpeg(d, size=(300, 200)), "image/jpeg"),
        (lambda d: samples.make_tiff(d, size=(300, 200)), "image/tiff"),
        (lambda d: samples.make_webp(d, size=(300, 200)), "image/webp"),
        (lambda d: samples.make_gif(d, size=(300, 200)), "image/gif"),
        (lambda d: samples.make_bmp(d, size=(300, 200)), "image/bmp"),
    ],
    ids=["jpeg", "tiff", "webp", "gif", "bmp"],
)
def test_pixel_limit_applies_to_every_format(
    tmp_path: Path, make: Callable[[Path], Path], media_type: str
) -> None:
    with pytest.raises(TooLargeError) as exc:
        extract(make(tmp_path), media_type, Limits(max_image_pixels=50_000))
    assert assert_one_line(exc) == "image is 300x200 (60000 pixels), above the 50000 pixel limit"


@pytest.mark.parametrize(
    ("make", "media_type", "reason"),
    [
        (lambda d: samples.make_jpeg(d, progressive=True), "image/jpeg", "progressive JPEG"),
        (lambda d: samples.make_png(d, interlaced=True), "image/png", "interlaced PNG"),
        (lambda d: samples.make_gif(d), "image/gif", "GIF"),
        (lambda d: samples.make_bmp(d), "image/bmp", "BMP"),
    ],
    ids=["progressive-jpeg", "interlaced-png", "gif", "bmp"],
)
def test_whole_picture_decoders_skip_thumbnail_above_render_limit(
    tmp_path: Path, make: Callable[[Path], Path], media_type: str, reason: str
) -> None:
    path = make(tmp_path)
    limits = Limits(max_render_pixels=1000)  # the samples are 64x48 = 3072 pixels
    result = extract(path, media_type, limits)
    assert result.thumbnail is None
    assert reason in result.metadata["thumbnail_skipped"]
    assert extract(path, media_type).thumbnail is not None


def test_streamed_formats_still_get_thumbnail_above_render_limit(tmp_path: Path) -> None:
    limits = Limits(max_render_pixels=1000)
    assert extract(samples.make_jpeg(tmp_path), "image/jpeg", limits).thumbnail is not None
    assert extract(samples.make_png(tmp_path), "image/png", limits).thumbnail is not None


@pytest.mark.slow
def test_large_png_imports_in_bounded_memory(tmp_path: Path) -> None:
    path = samples.make_large_png(tmp_path, 20_000, 20_000)
    # The peak is VmHWM, the high-water mark of the program's own memory since it started.
    # Not ru_maxrss: Linux carries the forked copy of the parent's memory into it at exec,
    # so in a long test run (a pytest process of 1.2-1.5 GB) it read 1.07-1.54 GiB while
    # the program itself peaked at ~200 MB.
    script = textwrap.dedent(
        f"""
        import json, re
        from pathlib import Path
        from workstation.sources.extract import extract
        result = extract(Path({str(path)!r}), "image/png")
        status = Path("/proc/self/status").read_text()
        peak_kib = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
        print(json.dumps({{"peak_kib": peak_kib, "metadata": result.metadata,
                           "thumbnail": len(result.thumbnail or b"")}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["metadata"]["width"] == 20_000
    assert report["metadata"]["height"] == 20_000
    assert report["thumbnail"] > 0
    assert report["peak_kib"] < 1024 * 1024  # peak RSS below 1 GiB (the bitmap alone is 1.2 GB)


# --- Articles ----------------------------------------------------------------------------


def test_article_main_text_and_byline(tmp_path: Path) -> None:
    result = extract(samples.make_article_html(tmp_path), "text/html")
    assert result.kind == "article"
    assert result.title == "Tanker seen loading at Nampo"
    assert result.author == "Jane Doe"
    assert result.publisher == "Example News"
    assert result.published == "2024-03-05"
    assert result.url == "https://news.example.org/2024/03/tanker-nampo"
    assert result.language == "en"
    assert result.metadata["extractor"] == "trafilatura"
    [page] = result.pages
    for paragraph in samples.ARTICLE_PARAGRAPHS:
        assert paragraph in page.text
    for marker in samples.HIDDEN_MARKERS:
        assert marker not in page.text


def test_article_in_declared_legacy_charset(tmp_path: Path) -> None:
    paragraph = (samples.RUSSIAN + ". ") * 4
    path = samples.make_article_html(
        tmp_path, title="Судно в Нампхо", paragraphs=[paragraph] * 3, lang="ru", encoding="cp1251"
    )
    result = extract(path, "text/html")
    assert (result.metadata["encoding"], result.metadata["encoding_from"]) == ("cp1251", "declared")
    assert result.title == "Судно в Нампхо"
    assert result.language == "ru"
    assert samples.RUSSIAN in result.pages[0].text


def test_deeply_nested_html_falls_back_to_plain_text(tmp_path: Path) -> None:
    path = samples.make_nested_html(tmp_path, depth=100_000)
    result = extract(path, "text/html")
    assert result.title == "Nested page"
    assert result.metadata["extractor"] == "fallback"
    assert result.pages[0].text == "Nested page\n\nDeep content line."


def test_navigation_header_footer_never_reach_text(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text(
        "<html><head><title>Port list</title><style>p{}</style></head><body>"
        "<header>HEADERMARKER</header><nav>Home NAVMARKER</nav><p>Nampo</p><p>Chongjin</p>"
        "<script>SCRIPTMARKER()</script><footer>FOOTERMARKER</footer></body></html>"
    )
    result = extract(path, "text/html")
    assert result.title == "Port list"
    assert result.pages[0].text == "Nampo\nChongjin"


def test_html_above_byte_limit_is_refused(tmp_path: Path) -> None:
    path = samples.make_huge_html(tmp_path, size=200_000)
    with pytest.raises(TooLargeError) as exc:
        extract(path, "text/html", Limits(max_html_bytes=100_000))
    assert assert_one_line(exc) == "web page is 0.2 MB, above the 0.1 MB limit"


def test_html_too_big_for_main_text_detection_uses_fallback(tmp_path: Path) -> None:
    path = samples.make_huge_html(tmp_path, size=MAIN_TEXT_MAX_CHARS + 500_000)
    result = extract(path, "text/html")
    assert result.metadata["extractor"] == "fallback"
    assert result.metadata["fallback_reason"] == "page too large for main-text detection"
    assert result.title == "Huge page"
    text = result.pages[0].text
    assert text.count(samples.ARTICLE_PARAGRAPHS[0]) == len(text.splitlines()) - 2


# --- Text and Markdown -------------------------------------------------------------------


def test_plain_text_title_is_first_non_empty_line(tmp_path: Path) -> None:
    path = samples.make_text(tmp_path, text="\n\n  Vessel list  \nNampo\r\nChongjin\r\n")
    result = extract(path, "text/plain")
    assert result.kind == "text"
    assert result.title == "Vessel list"
    assert result.pages[0].text == "\n\n  Vessel list  \nNampo\nChongjin\n"
    assert result.metadata["encoding"] == "utf-8"


@pytest.mark.parametrize(
    ("encoding", "bom", "label", "how"),
    [
        ("utf-16", True, "utf-16-le", "bom"),
        ("utf-8", True, "utf-8", "bom"),
        ("utf-8", False, "utf-8", "utf-8"),
    ],
)
def test_text_encodings_round_trip(
    tmp_path: Path, encoding: str, bom: bool, label: str, how: str
) -> None:
    text = f"{samples.KOREAN}\n{samples.RUSSIAN}\n"
    result = extract(samples.make_text(tmp_path, text, encoding, bom), "text/plain")
    assert result.pages[0].text == text
    assert (result.metadata["encoding"], result.metadata["encoding_from"]) == (label, how)
    assert result.flags == []


def test_text_not_utf8_falls_back_to_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\xe9 \u201cquoted\u201d\n".encode("cp1252") + b"\x81\n")
    result = extract(path, "text/plain")
    assert result.metadata["encoding"] == "cp1252"
    assert result.pages[0].text == "Caf\xe9 \u201cquoted\u201d\n\x81\n"


def test_long_first_line_title_is_cut_at_a_word(tmp_path: Path) -> None:
    result = extract(samples.make_text(tmp_path, "word " * 100), "text/plain")
    assert result.title is not None
    assert len(result.title) <= 120  # a headline (test_titles_and_dates.py), not a paragraph
    assert result.title.endswith("word…")


def test_text_with_nuls_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"line one\nline\x00two\n")
    with pytest.raises(BadInputError) as exc:
        extract(path, "text/plain")
    assert assert_one_line(exc).startswith("not a supported file type")


def test_text_above_byte_limit_is_refused(tmp_path: Path) -> None:
    path = samples.make_text(tmp_path, "x" * 5000)
    with pytest.raises(TooLargeError):
        extract(path, "text/plain", Limits(max_text_bytes=1000))


def test_markdown_title_from_first_heading(tmp_path: Path) -> None:
    result = extract(samples.make_markdown(tmp_path), "text/markdown")
    assert result.title == "Port visits at Nampo"
    assert result.pages[0].text == samples.DEFAULT_MARKDOWN


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("Intro line\n\n## **Bold** [linked](http://x) heading ##\n", "Bold linked heading"),
        ("```\n# not a heading\n```\nSetext title\n============\n", "Setext title"),
        ("no heading at all\n- item\n", "no heading at all"),
    ],
)
def test_markdown_title_variants(tmp_path: Path, source: str, title: str) -> None:
    result = extract(samples.make_markdown(tmp_path, source), "text/markdown")
    assert result.title == title


def test_markdown_front_matter(tmp_path: Path) -> None:
    source = "---\ntitle: 'Panel notes'\nauthor: A. Reviewer\ndate: 2024-03-05\n---\n# Body\n"
    result = extract(samples.make_markdown(tmp_path, source), "text/markdown")
    assert result.title == "Panel notes"
    assert result.author == "A. Reviewer"
    assert result.published == "2024-03-05"


# --- E-mail ------------------------------------------------------------------------------


def test_email_headers_body_and_date(tmp_path: Path) -> None:
    subject = "Re: 남포항 유조선 " + "x" * 10
    result = extract(samples.make_eml(tmp_path, subject=subject), "message/rfc822")
    assert result.kind == "email"
    assert result.title == subject
    assert result.author == "Analyst One <analyst@example.org>"
    assert result.published == "2024-03-05T00:30:00Z"
    assert result.metadata["to"] == "Panel <panel@example.org>"
    assert result.metadata["cc"] == "Coordinator <coord@example.org>"
    assert result.metadata["date"] == "Tue, 05 Mar 2024 09:30:00 +0900"
    assert result.metadata["message_id"].endswith("@example.org>")
    assert [(a.filename, a.data) for a in result.attachments] == [
        (name, data) for name, data, _type in samples.DEFAULT_ATTACHMENTS
    ]
    [page] = result.pages
    assert page.text.startswith("From: Analyst One <analyst@example.org>\nTo: Panel")
    assert f"Subject: {subject}\n" in page.text
    assert "\nAttachments: sighting-notes.txt\n\n" in page.text
    assert page.text.endswith("\n\nThe tanker was seen alongside the oil pier on 3 March.")


def test_email_attachments_come_back_with_safe_names(tmp_path: Path) -> None:
    pdf = samples.make_pdf(tmp_path).read_bytes()
    path = samples.make_eml(
        tmp_path,
        with_attachments=[
            ("report.pdf", pdf, "application/pdf"),
            ("../../etc/passwd", b"root:x:0:0", "text/plain"),
            ("..\\..\\Windows\\evil.exe", b"MZ", "application/octet-stream"),
        ],
    )
    result = extract(path, "message/rfc822")
    assert [(a.filename, a.data) for a in result.attachments] == [
        ("report.pdf", pdf),
        ("passwd", b"root:x:0:0"),
        ("evil.exe", b"MZ"),
    ]
    assert result.metadata["attachments"] == ["report.pdf", "passwd", "evil.exe"]
    assert "Attachments: report.pdf, passwd, evil.exe" in result.pages[0].text


def test_email_html_only_body_is_stripped(tmp_path: Path) -> None:
    markup = "<html><body><p>Seen at <b>Nampo</b>.</p><script>SCRIPTMARKER</script></body></html>"
    path = samples.make_eml(tmp_path, body=None, html_body=markup, with_attachments=())
    result = extract(path, "message/rfc822")
    assert result.pages[0].text.endswith("Subject: Tanker sighting at Nampo\n\nSeen at Nampo.")
    assert "SCRIPTMARKER" not in result.pages[0].text
    assert result.metadata["body_from_html"] is True


def test_email_prefers_plain_alternative(tmp_path: Path) -> None:
    path = samples.make_eml(
        tmp_path, body="Plain body.\n", html_body="<p>HTML body</p>", with_attachments=()
    )
    result = extract(path, "message/rfc822")
    assert result.pages[0].text.endswith("\n\nPlain body.")
    assert result.attachments == []  # the HTML alternative is not a file


def test_forwarded_message_becomes_eml_attachment(tmp_path: Path) -> None:
    inner = email.message_from_bytes(
        samples.make_eml(tmp_path, subject="Original sighting", name="inner.eml").read_bytes(),
        policy=policy.default,
    )
    path = samples.make_eml(tmp_path, subject="Fwd", forwarded=inner, with_attachments=())
    [attachment] = extract(path, "message/rfc822").attachments
    assert attachment.filename == "Original sighting.eml"
    reread = email.message_from_bytes(attachment.data, policy=policy.default)
    assert reread["Subject"] == "Original sighting"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\System32\\evil.exe", "evil.exe"),
        ("..", "attachment.bin"),
        ("", "attachment.bin"),
        (None, "attachment.bin"),
        ("CON.txt", "_CON.txt"),
        ("inv\u202eoice\x00.pdf", "invoice.pdf"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        (" .hidden. ", "hidden"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_safe_filename(name: str | None, safe: str) -> None:
    assert safe_filename(name) == safe
