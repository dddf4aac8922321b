"""Factories that write real sample files (good and hostile) for the whole test suite.

Each make_* function writes one file into the given folder (made if missing)
and returns its path. Defaults are small and quick; the big one
(make_large_png) streams to disk so the factory never holds the picture.
"""

from __future__ import annotations

import math
import random
import re
import struct
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pyvips
import tifffile
from PIL import Image, ImageDraw, TiffImagePlugin


def _target(folder: Path, name: str) -> Path:
    """folder / name, creating folder (and its parents) when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


# --- PDF ---------------------------------------------------------------------------------

KOREAN = "대북 제재 위반 선박이 남포항에 정박했다"
JAPANESE = "制裁違反の船舶が南浦港に停泊した"
CHINESE = "违反制裁的船只停靠在南浦港"
RUSSIAN = "Судно, нарушившее санкции, стояло в порту Нампхо"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def pdf_font_for(text: str) -> str:
    """PyMuPDF built-in font that round-trips text through get_text().

    The CJK fonts are not embedded but carry Unicode CMaps, so extraction
    gives back the same characters; they also cover Cyrillic and Greek.
    """
    if _HANGUL.search(text):
        return "korea"
    if _KANA.search(text):
        return "japan"
    if any(ord(ch) > 255 for ch in text):
        return "china-s"
    return "helv"


def _new_pdf(pages: int, texts: Sequence[str] | None, title: str | None, author: str | None) -> Any:
    """A pymupdf.Document with one text per page and the given info."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        text = texts[number - 1] if texts else f"Page {number} of the sample report."
        page = doc.new_page()
        spare = page.insert_textbox(
            pymupdf.Rect(50, 50, 545, 790), text, fontname=pdf_font_for(text), fontsize=11
        )
        if spare < 0:
            raise ValueError(f"text for page {number} does not fit on the page")
    metadata: dict[str, str] = {"creationDate": "D:20240315093000Z"}
    if title is not None:
        metadata["title"] = title
    if author is not None:
        metadata["author"] = author
    if metadata:
        doc.set_metadata(metadata)
    return doc


def make_pdf(
    folder: Path,
    pages: int = 3,
    texts: Sequence[str] | None = None,
    title: str | None = "Sample report",
    author: str | None = "Panel of Experts",
    name: str = "sample.pdf",
    language: str | None = None,
) -> Path:
    """A PDF with one text per page (default 'Page N of the sample report.').

    Args:
        folder: Where to write.
        pages: Number of pages; texts, when given, must have this many entries.
        texts: Text per page; Korean, Japanese, Chinese and Russian use built-in CJK fonts.
        title: Info dictionary title (None for none).
        author: Info dictionary author (None for none).
        name: File name.
        language: Catalog /Lang, e.g. 'ko-KR'.
    """
    if texts is not None and len(texts) != pages:
        pages = len(texts)
    doc = _new_pdf(pages, texts, title, author)
    if language:
        doc.xref_set_key(doc.pdf_catalog(), "Lang", pymupdf.get_pdf_str(language))
    path = _target(folder, name)
    doc.save(path, garbage=1, deflate=True)
    doc.close()
    return path


def make_pdf_with_heading(
    folder: Path,
    heading: str,
    body: str = "Body text of the report, in the usual small type.",
    *,
    heading_size: float = 22,
    title: str | None = None,
    name: str = "headed.pdf",
) -> Path:
    """A one-page PDF with ``heading`` in large type above ``body`` (info title optional)."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(
        pymupdf.Rect(50, 50, 545, 160),
        heading,
        fontname=pdf_font_for(heading),
        fontsize=heading_size,
    )
    page.insert_textbox(
        pymupdf.Rect(50, 180, 545, 790), body, fontname=pdf_font_for(body), fontsize=11
    )
    if title is not None:
        doc.set_metadata({"title": title})
    path = _target(folder, name)
    doc.save(path)
    return path


def make_encrypted_pdf(
    folder: Path, user_password: str = "secret", name: str = "encrypted.pdf"
) -> Path:
    """A PDF that needs user_password to open (AES-256)."""
    doc = _new_pdf(1, ["Confidential annex."], "Annex", None)
    path = _target(folder, name)
    doc.save(
        path,
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        owner_pw="owner-" + user_password,
        user_pw=user_password,
    )
    doc.close()
    return path


def make_encrypted_pdf_empty_user_password(folder: Path, name: str = "owner-only.pdf") -> Path:
    """An encrypted PDF with an owner password only: opens without a password."""
    doc = _new_pdf(1, ["Printing is not allowed."], "Restricted", None)
    path = _target(folder, name)
    doc.save(
        path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="", permissions=0
    )
    doc.close()
    return path


def make_truncated_pdf(
    folder: Path, pages: int = 6, keep_pages: int = 3, name: str = "truncated.pdf"
) -> Path:
    """An uncompressed PDF cut off just before the object of page keep_pages + 1.

    MuPDF repairs it: pages 1..keep_pages read, the later ones are lost.
    """
    doc = _new_pdf(pages, None, "Cut short", None)
    data = doc.tobytes(garbage=0, deflate=False, use_objstms=0)
    cut = len(data)
    if keep_pages < pages:
        cut = data.index(f"\n{doc[keep_pages].xref} 0 obj".encode()) + 1
    doc.close()
    path = _target(folder, name)
    path.write_bytes(data[:cut])
    return path


def make_garbage_pdf(folder: Path, size: int = 4096, name: str = "garbage.pdf") -> Path:
    """'%PDF-1.7' followed by random bytes."""
    path = _target(folder, name)
    path.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(size))
    return path


def make_pdf_with_javascript(
    folder: Path, where: str = "openaction", name: str = "javascript.pdf"
) -> Path:
    """A PDF carrying JavaScript in one place.

    Args:
        folder: Where to write.
        where: 'openaction' (catalog /OpenAction), 'names' (document-level
            /Names /JavaScript tree) or 'link' (a link annotation's action).
        name: File name.
    """
    doc = _new_pdf(1, ["This page has a script."], "Scripted", None)
    catalog = doc.pdf_catalog()
    if where == "openaction":
        doc.xref_set_key(catalog, "OpenAction", "<</S/JavaScript/JS(app.alert\\(1\\))>>")
    elif where == "names":
        action = doc.get_new_xref()
        doc.update_object(action, "<</S/JavaScript/JS(app.alert\\(2\\))>>")
        tree = doc.get_new_xref()
        doc.update_object(tree, f"<</Names[(startup) {action} 0 R]>>")
        doc.xref_set_key(catalog, "Names", f"<</JavaScript {tree} 0 R>>")
    elif where == "link":
        page = doc[0]
        page.insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 50, 200, 70), "uri": "https://x"}
        )
        link_xref = next(
            xref for xref, kind, _ in page.annot_xrefs() if kind == pymupdf.PDF_ANNOT_LINK
        )
        doc.xref_set_key(link_xref, "A", "<</S/JavaScript/JS(app.alert\\(3\\))>>")
    else:
        raise ValueError(f"unknown place for JavaScript: {where}")
    path = _target(folder, name)
    doc.save(path)
    doc.close()
    return path


def make_pdf_with_launch_action(folder: Path, name: str = "launch.pdf") -> Path:
    """A PDF with a link that launches an external program."""
    doc = _new_pdf(1, ["Click to open the attachment."], "Launcher", None)
    doc[0].insert_link(
        {"kind": pymupdf.LINK_LAUNCH, "from": pymupdf.Rect(50, 50, 200, 70), "file": "calc.exe"}
    )
    path = _target(folder, name)
    doc.save(path)
    doc.close()
    return path


def make_pdf_with_embedded_file(
    folder: Path, filename: str = "payload.xlsx", name: str = "embedded.pdf"
) -> Path:
    """A PDF with one embedded file."""
    doc = _new_pdf(1, ["See the embedded spreadsheet."], "With attachment", None)
    doc.embfile_add(filename, b"not really a spreadsheet", filename=filename)
    path = _target(folder, name)
    doc.save(path)
    doc.close()
    return path


def make_pdf_huge_mediabox(folder: Path, size: float = 14400, name: str = "huge-page.pdf") -> Path:
    """A one-page PDF whose page is size x size points (14400 pt is 5 m square)."""
    doc = pymupdf.open()
    page = doc.new_page(width=size, height=size)
    page.insert_text((72, 72), "A very large page.", fontsize=400)
    path = _target(folder, name)
    doc.save(path)
    doc.close()
    return path


# --- Images --------------------------------------------------------------------------------

GPS_LAT = 38.7375  # Nampo, DPRK
GPS_LON = 125.3826
GPS_ALT = 12.5


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    return float(degrees), float(minutes), round((minutes_float - minutes) * 60, 4)


def sample_exif(with_gps: bool = True) -> Image.Exif:
    """EXIF with camera, capture time (+09:00) and, optionally, a GPS fix with altitude."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D Mark IV"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:03:01 12:34:56"
    sub[0x9011] = "+09:00"
    if with_gps:
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = _dms(GPS_LAT)
        gps[3] = "E"
        gps[4] = _dms(GPS_LON)
        gps[5] = b"\x00"
        gps[6] = GPS_ALT
    return exif


def sample_picture(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A small picture with some structure: a gradient and a rectangle."""
    width, height = size
    picture = Image.linear_gradient("L").resize(size).convert(mode)
    ImageDraw.Draw(picture).rectangle(
        (width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill="red"
    )
    return picture


def make_jpeg(
    folder: Path,
    with_exif_gps: bool = True,
    size: tuple[int, int] = (64, 48),
    progressive: bool = False,
    name: str = "photo.jpg",
) -> Path:
    """A JPEG with camera EXIF and, by default, a GPS position (GPS_LAT, GPS_LON)."""
    path = _target(folder, name)
    sample_picture(size).save(
        path, "JPEG", exif=sample_exif(with_exif_gps), quality=90, progressive=progressive
    )
    return path


def make_png(
    folder: Path,
    size: tuple[int, int] = (64, 48),
    alpha: bool = False,
    exif: bool = False,
    interlaced: bool = False,
    name: str = "image.png",
) -> Path:
    """A PNG, optionally with an alpha channel, an eXIf chunk or Adam7 interlacing."""
    path = _target(folder, name)
    picture = sample_picture(size, "RGBA" if alpha else "RGB")
    options: dict[str, Any] = {}
    if exif:
        options["exif"] = sample_exif()
    if interlaced:  # Pillow cannot write interlaced PNG; libvips can
        bands = len(picture.getbands())
        vips_picture = pyvips.Image.new_from_memory(
            picture.tobytes(), picture.width, picture.height, bands, "uchar"
        )
        vips_picture.pngsave(str(path), interlace=True)
        return path
    picture.save(path, "PNG", **options)
    return path


def make_tiff(
    folder: Path,
    with_exif_gps: bool = True,
    size: tuple[int, int] = (64, 48),
    name: str = "scan.tif",
) -> Path:
    """A TIFF with camera tags, an EXIF directory and, by default, a GPS directory."""
    exif = sample_exif(with_exif_gps)
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x010F] = exif[0x010F]
    info[0x0110] = exif[0x0110]
    info[0x8769] = dict(exif.get_ifd(0x8769))
    if with_exif_gps:
        gps = dict(exif.get_ifd(0x8825))
        gps.pop(5)  # Pillow's TIFF writer cannot type the altitude reference byte
        info[0x8825] = gps
    path = _target(folder, name)
    sample_picture(size).save(path, "TIFF", tiffinfo=info)
    return path


def make_webp(
    folder: Path,
    size: tuple[int, int] = (64, 48),
    with_exif_gps: bool = True,
    name: str = "image.webp",
) -> Path:
    """A lossy WebP with EXIF (camera, time and GPS by default)."""
    path = _target(folder, name)
    sample_picture(size).save(path, "WEBP", exif=sample_exif(with_exif_gps), quality=80)
    return path


def make_gif(
    folder: Path, frames: int = 3, size: tuple[int, int] = (64, 48), name: str = "anim.gif"
) -> Path:
    """A GIF; animated (looping) when frames > 1."""
    colours = ["red", "green", "blue", "yellow", "white"]
    pictures = []
    for index in range(frames):
        picture = sample_picture(size).convert("P")
        ImageDraw.Draw(picture).rectangle((0, 0, 8, 8), fill=colours[index % len(colours)])
        pictures.append(picture)
    path = _target(folder, name)
    pictures[0].save(
        path, "GIF", save_all=frames > 1, append_images=pictures[1:], duration=100, loop=0
    )
    return path


def make_bmp(folder: Path, size: tuple[int, int] = (64, 48), name: str = "image.bmp") -> Path:
    """An uncompressed 24-bit BMP."""
    path = _target(folder, name)
    sample_picture(size).save(path, "BMP")
    return path


def make_noise_image(
    folder: Path,
    image_format: str = "JPEG",
    size: tuple[int, int] = (400, 300),
    name: str | None = None,
) -> Path:
    """A picture of noise, so the pixel data is long enough to cut in the middle."""
    path = _target(folder, name or f"noise.{image_format.lower()}")
    picture = Image.effect_noise(size, 64).convert("RGB")
    picture.save(path, image_format)
    return path


def make_truncated_image(
    folder: Path, image_format: str = "JPEG", keep: float = 0.5, name: str | None = None
) -> Path:
    """A noise picture (JPEG, PNG, TIFF, GIF, WEBP) cut after keep of its bytes."""
    full = make_noise_image(folder, image_format, name=f"full-{image_format.lower()}.bin")
    data = full.read_bytes()
    full.unlink()
    path = _target(folder, name or f"truncated.{image_format.lower()}")
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_truncated_jpeg(folder: Path, keep: float = 0.5, name: str = "truncated.jpg") -> Path:
    """A JPEG cut in the middle of its pixel data."""
    return make_truncated_image(folder, "JPEG", keep, name)


def make_garbage_image(
    folder: Path, signature: bytes = b"\x89PNG\r\n\x1a\n", name: str = "garbage.png"
) -> Path:
    """An image signature (PNG by default) followed by random bytes."""
    path = _target(folder, name)
    path.write_bytes(signature + random.Random(11).randbytes(3000))
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_ihdr(width: int, height: int) -> bytes:
    return _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def make_png_bomb(
    folder: Path, width: int = 60000, height: int = 60000, name: str = "bomb.png"
) -> Path:
    """A tiny PNG whose header declares width x height RGB pixels (a decompression bomb)."""
    row = b"\x00" + bytes(width * 3)
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 4) + compressor.flush()
    path = _target(folder, name)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_ihdr(width, height)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )
    return path


def make_large_png(
    folder: Path, width: int = 20000, height: int = 20000, name: str = "large.png"
) -> Path:
    """A real width x height RGB PNG, written row by row so memory stays small.

    The rows cycle through a few gradients so the file compresses well
    (tens of MB for 20000 x 20000) but still decodes to every pixel.
    """
    patterns = [
        b"\x00" + bytes((x + shift) % 256 for x in range(width * 3)) for shift in range(0, 256, 32)
    ]
    compressor = zlib.compressobj(1)
    path = _target(folder, name)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + _png_ihdr(width, height))
        pending = bytearray()
        for row in range(height):
            pending += compressor.compress(patterns[(row // 64) % len(patterns)])
            if len(pending) >= 1 << 20:
                out.write(_png_chunk(b"IDAT", bytes(pending)))
                pending.clear()
        pending += compressor.flush()
        out.write(_png_chunk(b"IDAT", bytes(pending)))
        out.write(_png_chunk(b"IEND", b""))
    return path


# --- Web pages, text, e-mail ------------------------------------------------------------------

ARTICLE_PARAGRAPHS = (
    "The tanker was photographed alongside the oil pier at Nampo on 3 March, loading what "
    "appeared to be refined petroleum products in breach of the annual cap.",
    "Satellite imagery reviewed by the panel shows the vessel with its AIS transponder "
    "switched off for eleven days before arrival, a pattern consistent with earlier "
    "ship-to-ship transfers in the East China Sea.",
    "The ship's registered owner, a company in a third country, did not answer requests "
    "for comment sent to its listed address.",
)
HIDDEN_MARKERS = ("SCRIPTMARKER", "STYLEMARKER", "NAVMARKER", "HEADERMARKER", "FOOTERMARKER")


def make_article_html(
    folder: Path,
    title: str = "Tanker seen loading at Nampo",
    author: str = "Jane Doe",
    date: str = "2024-03-05",
    paragraphs: Sequence[str] = ARTICLE_PARAGRAPHS,
    site_name: str = "Example News",
    url: str = "https://news.example.org/2024/03/tanker-nampo",
    lang: str = "en",
    encoding: str = "utf-8",
    name: str = "article.html",
) -> Path:
    """A saved news article with a byline, plus script, style, nav, header and footer.

    The page chrome contains HIDDEN_MARKERS, which must never reach the extracted text.
    """
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    markup = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="{encoding}">
<title>{title} | {site_name}</title>
<meta name="author" content="{author}">
<meta property="og:site_name" content="{site_name}">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:00:00Z">
<link rel="canonical" href="{url}">
<style>body {{ font-family: serif; }} .STYLEMARKER {{ color: red; }}</style>
<script>var tracker = "SCRIPTMARKER"; document.write(tracker);</script>
</head>
<body>
<header><a href="/">{site_name}</a> HEADERMARKER</header>
<nav><ul><li><a href="/world">World NAVMARKER</a></li><li><a href="/asia">Asia</a></li></ul></nav>
<main><article>
<h1>{title}</h1>
<p class="byline">By {author}, {date}</p>
{body}
</article></main>
<footer>Copyright {site_name} FOOTERMARKER</footer>
<script>console.log("SCRIPTMARKER")</script>
</body>
</html>
"""
    path = _target(folder, name)
    path.write_bytes(markup.encode(encoding))
    return path


def make_nested_html(
    folder: Path, depth: int = 100_000, text: str = "Deep content line.", name: str = "nested.html"
) -> Path:
    """An HTML page with depth nested <div> elements around one line of text."""
    path = _target(folder, name)
    path.write_text(
        "<!DOCTYPE html><html><head><title>Nested page</title></head><body>"
        + "<div>" * depth
        + f"<p>{text}</p>"
        + "</div>" * depth
        + "</body></html>",
        encoding="utf-8",
    )
    return path


def make_huge_html(folder: Path, size: int = 2_000_000, name: str = "huge.html") -> Path:
    """A valid HTML page of about size bytes (many paragraphs)."""
    paragraph = "<p>" + " ".join(ARTICLE_PARAGRAPHS) + "</p>\n"
    count = max(1, size // len(paragraph))
    path = _target(folder, name)
    with path.open("w", encoding="utf-8") as out:
        out.write("<!DOCTYPE html><html><head><title>Huge page</title></head><body>\n")
        for _ in range(count):
            out.write(paragraph)
        out.write("</body></html>\n")
    return path


def make_text(
    folder: Path,
    text: str = "Vessel sightings, March 2024\n\nNampo: two tankers alongside.\n",
    encoding: str = "utf-8",
    bom: bool = False,
    name: str = "notes.txt",
) -> Path:
    """A text file in the given encoding ('utf-16' writes its own BOM)."""
    data = text.encode(encoding)
    if bom and encoding.replace("-", "").lower() == "utf8":
        data = b"\xef\xbb\xbf" + data
    path = _target(folder, name)
    path.write_bytes(data)
    return path


DEFAULT_MARKDOWN = """# Port visits at Nampo

Observed by the *panel* in **March 2024**:

- MV Example Star, IMO 9999999
- MV Sample Dawn, IMO 8888888

See [the imagery annex](https://example.org/annex) for details.
"""


def make_markdown(folder: Path, text: str = DEFAULT_MARKDOWN, name: str = "notes.md") -> Path:
    """A UTF-8 Markdown file."""
    path = _target(folder, name)
    path.write_text(text, encoding="utf-8")
    return path


DEFAULT_ATTACHMENTS: tuple[tuple[str, bytes, str], ...] = (
    ("sighting-notes.txt", b"MV Example Star alongside the oil pier, 3 March.\n", "text/plain"),
)


def make_eml(
    folder: Path,
    subject: str = "Tanker sighting at Nampo",
    sender: str = "Analyst One <analyst@example.org>",
    to: str = "Panel <panel@example.org>",
    cc: str | None = "Coordinator <coord@example.org>",
    date: datetime | None = None,
    body: str | None = "The tanker was seen alongside the oil pier on 3 March.\n",
    html_body: str | None = None,
    with_attachments: Sequence[tuple[str, bytes, str]] = DEFAULT_ATTACHMENTS,
    forwarded: EmailMessage | None = None,
    name: str = "message.eml",
) -> Path:
    """An RFC 822 message.

    Args:
        folder: Where to write.
        subject: Subject (may be non-ASCII: it is written as encoded words).
        sender: From header.
        to: To header.
        cc: Cc header, None for none.
        date: Date header (default 2024-03-05 09:30 +09:00).
        body: text/plain body, None for none.
        html_body: text/html alternative (or only body when body is None).
        with_attachments: (filename, data, media type) per attachment; the
            filename is written as given, hostile ones included. Default: one
            small text file (DEFAULT_ATTACHMENTS); pass () for none.
        forwarded: A message to attach as message/rfc822.
        name: File name.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(
        date or datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    )
    message["Message-ID"] = make_msgid(idstring="sample", domain="example.org")
    if body is not None:
        message.set_content(body)
        if html_body is not None:
            message.add_alternative(html_body, subtype="html")
    elif html_body is not None:
        message.set_content(html_body, subtype="html")
    for filename, data, media_type in with_attachments:
        maintype, subtype = media_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if forwarded is not None:
        message.add_attachment(forwarded)
    path = _target(folder, name)
    path.write_bytes(bytes(message))
    return path


# --- Other ----------------------------------------------------------------------------------


def make_empty(folder: Path, name: str = "empty.bin") -> Path:
    """A zero-byte file."""
    path = _target(folder, name)
    path.write_bytes(b"")
    return path


def make_random_binary(
    folder: Path, size: int = 4096, seed: int = 0, name: str = "random.bin"
) -> Path:
    """size random bytes (reproducible from seed)."""
    path = _target(folder, name)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


# --- georeferenced imagery ----------------------------------------------------------------


def geokeys(epsg: int, *, geographic: bool = False, pixel_is_point: bool = False) -> list[int]:
    """A GeoKey directory naming one EPSG CRS (GeoTIFF 1.1, keys sorted by id)."""
    entries = [
        (1024, 0, 1, 2 if geographic else 1),  # GTModelTypeGeoKey
        (1025, 0, 1, 2 if pixel_is_point else 1),  # GTRasterTypeGeoKey
        (2048 if geographic else 3072, 0, 1, epsg),  # GeographicType / ProjectedCSType
    ]
    return [1, 1, 0, len(entries), *(v for entry in entries for v in entry)]


def make_geotiff(
    folder: Path,
    *,
    epsg: int = 32652,
    origin: tuple[float, float] = (600_000.0, 4_680_000.0),
    pixel_size: tuple[float, float] = (0.5, 0.5),
    size: tuple[int, int] = (200, 100),
    keys: Sequence[int] | None = None,
    transformation: Sequence[float] | None = None,
    pixel_is_point: bool = False,
    bands: int = 1,
    dtype: str = "uint8",
    gdal_metadata: dict[str, str] | None = None,
    name: str = "scene.tif",
) -> Path:
    """A GeoTIFF written by tifffile: a tie point at pixel (0, 0) and a pixel scale.

    ``epsg`` 4326 (or any geographic code with ``keys``) makes a geographic one:
    ``origin`` is then (longitude, latitude) and ``pixel_size`` in degrees.
    ``transformation`` (16 values) replaces the tie point and scale; ``keys``
    replaces the GeoKey directory (for corrupt ones).
    """
    width, height = size
    shape = (height, width) if bands == 1 else (height, width, bands)
    data = (np.arange(width * height * bands) % 251).astype(dtype).reshape(shape)
    geographic = epsg in (4326, 4258, 4269)
    tags: list[tuple[int, str, int, Any, bool]] = []
    if transformation is not None:
        tags.append((34264, "d", 16, tuple(transformation), False))
    else:
        tags.append((33550, "d", 3, (pixel_size[0], pixel_size[1], 0.0), False))
        tags.append((33922, "d", 6, (0.0, 0.0, 0.0, origin[0], origin[1], 0.0), False))
    directory = list(
        keys
        if keys is not None
        else geokeys(epsg, geographic=geographic, pixel_is_point=pixel_is_point)
    )
    tags.append((34735, "H", len(directory), tuple(directory), False))
    if gdal_metadata:
        items = "".join(f'<Item name="{k}">{v}</Item>' for k, v in gdal_metadata.items())
        tags.append((42112, "s", 0, f"<GDALMetadata>{items}</GDALMetadata>", False))
    path = _target(folder, name)
    tifffile.imwrite(
        path,
        data,
        photometric="rgb" if bands == 3 else "minisblack",
        planarconfig="contig",
        extratags=tags,
    )
    return path


def make_world_file(picture: Path, values: Sequence[float | str], suffix: str = "") -> Path:
    """A world file beside ``picture`` (A, D, B, E, C, F, one a line); ``.jgw`` etc. by suffix."""
    sidecar = {".jpg": ".jgw", ".jpeg": ".jgw", ".png": ".pgw", ".tif": ".tfw", ".tiff": ".tfw"}
    path = picture.with_suffix(suffix or sidecar.get(picture.suffix.lower(), ".wld"))
    path.write_text("".join(f"{v}\n" for v in values), encoding="ascii")
    return path


def make_before_after(folder: Path) -> tuple[Path, Path]:
    """Two 200 x 100 GeoTIFFs of one place, the second 50 m further east, dated 1 March
    and 17 May 2024 (half of each overlaps the other)."""
    before = make_geotiff(
        folder / "a", name="before.tif", gdal_metadata={"ACQUISITIONDATETIME": "2024-03-01"}
    )
    after = make_geotiff(
        folder / "b",
        name="after.tif",
        origin=(600_050.0, 4_680_000.0),
        gdal_metadata={"ACQUISITIONDATETIME": "2024-05-17"},
    )
    return before, after


def make_turned_pair(
    folder: Path,
    *,
    scale: float = 1.5,
    degrees: float = 30.0,
    shift: tuple[float, float] = (
        120.0,
        -40.0,
    ),
) -> tuple[Path, Path, tuple[float, float, float, float, float, float]]:
    """A 600 x 400 PNG without coordinates (a quay, blocks and a dock), and a copy of it
    scaled, turned (clockwise on screen) and shifted, as if shot from elsewhere.

    Returns the two paths and the similarity (a, b, c, d, e, f) taking a pixel of the
    first to the same place in the second: x' = a x + b y + c, y' = d x + e y + f.
    """
    picture = Image.new("RGB", (600, 400), (40, 70, 110))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 250, 600, 400), fill=(150, 140, 120))  # the quay
    for i in range(6):  # container blocks
        draw.rectangle((40 + 90 * i, 280, 100 + 90 * i, 330), fill=(200, 60 + 30 * i, 40))
    draw.polygon([(200, 100), (420, 120), (400, 170), (210, 150)], fill=(230, 230, 230))
    for x in range(0, 600, 100):
        draw.line((x, 0, x, 400), fill=(255, 255, 0))
    first = _target(folder / "turned-a", "quay-before.png")
    picture.save(first)
    k, t = scale, math.radians(degrees)
    a, b, d, e = k * math.cos(t), -k * math.sin(t), k * math.sin(t), k * math.cos(t)
    c, f = shift[0] + 300.0, shift[1] + 50.0
    det = a * e - b * d  # Pillow wants the inverse: output pixel -> input pixel
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    inverse = (ia, ib, -(ia * c + ib * f), id_, ie, -(id_ * c + ie * f))
    turned = picture.transform(
        (1100, 900), Image.Transform.AFFINE, inverse, Image.Resampling.BILINEAR
    )
    second = _target(folder / "turned-b", "quay-after.png")
    turned.save(second)
    return first, second, (a, b, c, d, e, f)
