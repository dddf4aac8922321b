"""Image sources: size, EXIF facts and a thumbnail, in bounded memory.

The declared size is checked against the pixel limit before any pixel is
decoded, and thumbnails are made by libvips, which streams the picture in
strips instead of holding it whole. Pillow only parses EXIF (and reads BMP,
which libvips cannot).
"""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import pyvips
from PIL import BmpImagePlugin, Image, TiffImagePlugin

from workstation.core.errors import BadInputError, TooLargeError
from workstation.sources.extract.model import Extracted, Limits, pixel_count

FORMAT_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/bmp": "BMP",
}

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TAG_DESCRIPTION = 0x010E
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_ORIENTATION = 0x0112
_TAG_SOFTWARE = 0x0131
_TAG_DATETIME = 0x0132
_TAG_ARTIST = 0x013B
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_ROWS_PER_STRIP = 278
_TAG_TILE_WIDTH = 322
_GEOTIFF_TAGS = (33550, 33922, 34264, 34735)  # pixel scale, tie point, transformation, keys
_JPEG_PROGRESSIVE_SOF = {0xC2, 0xC6, 0xCA, 0xCE}
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Words libvips, libpng, libjpeg, libtiff and giflib use when the data stops early.
_TRUNCATION_WORDS = (
    "premature end",
    "truncated",
    "unexpected end",
    "end of file",
    "read error",
    "out of data",
    "not enough data",
    "short read",
)
# Colour spaces a thumbnail is converted from; JPEG and PNG want 8-bit sRGB or grey.
_COLOUR_SPACES_TO_SRGB = {"rgb16", "cmyk", "lab", "labq", "labs", "lch", "cmc", "xyz", "yxy"}
_COLOUR_SPACES_TO_SRGB |= {"scrgb", "hsv", "oklab", "oklch"}


def extract_image(path: Path, media_type: str, limits: Limits) -> Extracted:
    """Read an image: declared size first, then EXIF facts, then a thumbnail.

    Args:
        path: The image file.
        media_type: One of the image types in FORMAT_NAMES.
        limits: max_image_pixels, max_render_pixels and thumbnail_size apply.

    Returns:
        The extracted image (kind 'image', no pages).

    Raises:
        TooLargeError: The header declares more than max_image_pixels.
        BadInputError: The header or the pixel data cannot be read, or the file is truncated.
    """
    name = FORMAT_NAMES[media_type]
    declared = _declared_size(path, name)
    if declared is not None:
        _check_size(*declared, limits)
    width, height = declared or (0, 0)
    metadata: dict[str, Any] = {"format": name}
    stream_risk: str | None = None
    if name == "BMP":
        frames = 1
        stream_risk = "BMP images are decoded whole"
        facts: dict[str, Any] = {}
    else:
        header = _vips_header(path, name)
        width, height = header.width, header.height
        _check_size(width, height, limits)
        metadata["bands"] = header.bands
        frames = int(header.get("n-pages")) if "n-pages" in header.get_fields() else 1
        facts = _exif_from_blob(header) if name in ("JPEG", "PNG", "WebP") else {}
        if name == "TIFF":
            facts, stream_risk = _tiff_facts(path, width, height, limits, metadata)
        elif name == "GIF":
            stream_risk = "GIF frames are decoded whole"
        elif name == "PNG" and _png_interlaced(path):
            stream_risk = "interlaced PNG images are decoded whole"
        elif name == "JPEG" and _jpeg_progressive(path):
            stream_risk = "progressive JPEG images are decoded whole"
    metadata["width"], metadata["height"] = width, height
    if frames > 1 or name == "GIF":
        metadata["frames"] = frames
    metadata.update(facts)

    thumbnail: bytes | None = None
    thumbnail_type: str | None = None
    if stream_risk and width * height > limits.max_render_pixels:
        metadata["thumbnail_skipped"] = (
            f"{stream_risk} and this one has {pixel_count(width * height)}, above the "
            f"{pixel_count(limits.max_render_pixels)} render limit"
        )
    elif name == "BMP":
        thumbnail, thumbnail_type = _bmp_thumbnail(path, limits.thumbnail_size)
    else:
        thumbnail, thumbnail_type = _vips_thumbnail(path, name, limits.thumbnail_size)
    return Extracted(
        kind="image",
        media_type=media_type,
        metadata=metadata,
        thumbnail=thumbnail,
        thumbnail_type=thumbnail_type,
    )


def _check_size(width: int, height: int, limits: Limits) -> None:
    """Refuse a picture whose declared size is above the pixel limit."""
    if width <= 0 or height <= 0:
        raise BadInputError(f"damaged image: the header declares a size of {width}x{height}")
    pixels = width * height
    if pixels > limits.max_image_pixels:
        limit = pixel_count(limits.max_image_pixels).replace("pixels", "pixel")
        raise TooLargeError(
            f"image is {width}x{height} ({pixel_count(pixels)}), above the {limit} limit"
        )


def _declared_size(path: Path, name: str) -> tuple[int, int] | None:
    """Width and height from the header bytes, for formats where that is trivial.

    Reading these ourselves means an absurd size is refused as too large even
    when a decoder would refuse to read the header at all. Other formats
    return None here and are checked on the libvips header.
    """
    with path.open("rb") as handle:
        head = handle.read(32)
    try:
        if name == "PNG":
            if head[12:16] != b"IHDR":
                raise BadInputError("damaged image: the PNG header cannot be read")
            width, height = struct.unpack_from(">II", head, 16)
            return int(width), int(height)
        if name == "GIF":
            width, height = struct.unpack_from("<HH", head, 6)
            return int(width), int(height)
        if name == "BMP":
            (dib_size,) = struct.unpack_from("<I", head, 14)
            if dib_size == 12:
                width, height = struct.unpack_from("<HH", head, 18)
            else:
                width, height = struct.unpack_from("<ii", head, 18)
            return abs(int(width)), abs(int(height))
    except struct.error as exc:
        raise BadInputError(f"damaged image: the {name} header is cut short") from exc
    return None


def _vips_header(path: Path, name: str) -> Any:
    """Open the image lazily with libvips: header fields only, no pixels decoded."""
    try:
        return pyvips.Image.new_from_file(str(path), access="sequential")
    except pyvips.Error as exc:
        if name == "WebP" and _riff_cut_short(path):
            raise BadInputError(
                f"truncated image: the {name} data ends before the picture does"
            ) from exc
        raise BadInputError(f"damaged image: the {name} header cannot be read") from exc


def _riff_cut_short(path: Path) -> bool:
    """True when a RIFF file (WebP) is shorter than the size its header declares."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if len(head) < 8:
        return True
    (declared,) = struct.unpack_from("<I", head, 4)
    return int(declared) + 8 > path.stat().st_size


def _exif_from_blob(header: Any) -> dict[str, Any]:
    """EXIF facts from the raw EXIF block libvips found in the header, if any."""
    if "exif-data" not in header.get_fields():
        return {}
    try:
        exif = Image.Exif()
        exif.load(bytes(header.get("exif-data")))
    except Exception:  # unreadable EXIF is dropped; the picture is still evidence
        return {}
    return exif_metadata(exif)


def _tiff_facts(
    path: Path, width: int, height: int, limits: Limits, metadata: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """EXIF facts and GeoTIFF presence from the TIFF directory, and whether strips are too big.

    The Pillow plugin class is used directly: Image.open would apply Pillow's
    own decompression-bomb limit, which is below ours.
    """
    try:
        with TiffImagePlugin.TiffImageFile(str(path)) as tiff:
            tags = tiff.tag_v2
            if any(tag in tags for tag in _GEOTIFF_TAGS):
                metadata["geotiff"] = True
            risk = None
            if _TAG_TILE_WIDTH not in tags:
                rows = int(tags.get(_TAG_ROWS_PER_STRIP, height) or height)
                if min(rows, height) * width > limits.max_render_pixels:
                    risk = "TIFF images stored as a few huge strips are decoded whole"
            # Sub-directories are read lazily from the open file: read them before closing.
            return exif_metadata(tiff.getexif()), risk
    except Exception:  # Pillow cannot parse every TIFF libvips can; EXIF is optional
        return {}, None


def _png_interlaced(path: Path) -> bool:
    """True for an Adam7-interlaced PNG (byte 28, in IHDR)."""
    with path.open("rb") as handle:
        head = handle.read(29)
    return len(head) == 29 and head[28] == 1


def _jpeg_progressive(path: Path) -> bool:
    """True when the first frame header of a JPEG is progressive (SOF2 and kin)."""
    with path.open("rb") as handle:
        if handle.read(2) != b"\xff\xd8":
            return False
        for _ in range(512):
            marker = handle.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return False
            kind = marker[1]
            if kind == 0xFF:  # fill byte
                handle.seek(-1, 1)
                continue
            if kind in _JPEG_SOF:
                return kind in _JPEG_PROGRESSIVE_SOF
            if kind == 0xDA or kind == 0xD9:
                return False
            if 0xD0 <= kind <= 0xD7 or kind == 0x01:
                continue
            length = handle.read(2)
            if len(length) < 2:
                return False
            handle.seek(struct.unpack(">H", length)[0] - 2, 1)
    return False


def _vips_thumbnail(path: Path, name: str, size: int) -> tuple[bytes, str]:
    """Thumbnail with libvips, streaming; truncated or corrupt data is an error."""
    # libtiff reports missing strips as errors, not as truncation.
    fail_on = "error" if name == "TIFF" else "truncated"
    try:
        thumb = pyvips.Image.thumbnail(str(path), size, height=size, size="down", fail_on=fail_on)
        thumb = _displayable(thumb)
        if thumb.hasalpha():
            return bytes(thumb.write_to_buffer(".png")), "image/png"
        return bytes(thumb.write_to_buffer(".jpg", Q=85, keep=0)), "image/jpeg"
    except pyvips.Error as exc:
        raise _decode_error(path, name, exc) from exc


STRETCH_PERCENT = 2
"""16-bit pictures are stretched from this percentile to its complement (2 % to 98 %)."""


def _displayable(image: Any) -> Any:
    """Turn any libvips image into 8-bit sRGB or grey, with or without alpha.

    16-bit pictures (satellite scenes: a few thousand counts of 65,535, and a glint
    or two at the top) are stretched between the 2nd and 98th percentiles of their
    histogram, not their minimum and maximum, which would leave them black; a
    multispectral one (three or more bands, not RGB) shows its first three bands.
    """
    interpretation = str(image.interpretation)
    if interpretation == "multiband" or (interpretation == "grey16" and image.bands > 2):
        image = image.extract_band(0, n=3) if image.bands >= 3 else image.extract_band(0)
    elif interpretation in _COLOUR_SPACES_TO_SRGB and image.format != "ushort":
        image = image.colourspace("srgb")
    elif interpretation == "grey16":
        image = image.colourspace("b-w")
    if image.format == "ushort":
        if image.bands == 4 and interpretation == "rgb16":
            image = image.extract_band(0, n=3)  # 16-bit alpha: dropped with the stretch
        low = float(image.percent(STRETCH_PERCENT))
        high = float(image.percent(100 - STRETCH_PERCENT))
        scale = 255.0 / (high - low) if high > low else 1.0
        image = ((image - low) * scale).cast("uchar")  # cast clamps to 0..255
        image = image.copy(interpretation="srgb" if image.bands >= 3 else "b-w")
    elif image.format != "uchar":
        low, high = float(image.min()), float(image.max())
        scale = 255.0 / (high - low) if high > low else 1.0
        image = ((image - low) * scale).cast("uchar")
    return image


def _bmp_thumbnail(path: Path, size: int) -> tuple[bytes, str]:
    """Thumbnail of a BMP with Pillow (the caller has checked it fits the render limit)."""
    try:
        with BmpImagePlugin.BmpImageFile(str(path)) as bmp:
            bmp.thumbnail((size, size))
            has_alpha = bmp.mode in ("RGBA", "LA", "PA") or "transparency" in bmp.info
            picture = bmp.convert("RGBA" if has_alpha else "RGB")
        out = BytesIO()
        if has_alpha:
            picture.save(out, "PNG")
            return out.getvalue(), "image/png"
        picture.save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    except (OSError, SyntaxError, ValueError) as exc:
        raise _decode_error(path, "BMP", exc) from exc


_TRAILERS = {"PNG": b"IEND\xaeB`\x82", "JPEG": b"\xff\xd9", "GIF": b";"}


def _decode_error(path: Path, name: str, exc: BaseException) -> BadInputError:
    """A reviewer's message for a picture whose pixel data cannot be decoded."""
    reason = str(exc).lower()
    truncated = any(word in reason for word in _TRUNCATION_WORDS)
    if name == "WebP" and not truncated:
        truncated = _riff_cut_short(path)
    trailer = _TRAILERS.get(name)
    if trailer is not None and not truncated:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64))
            truncated = trailer not in handle.read()
    if truncated:
        return BadInputError(f"truncated image: the {name} data ends before the picture does")
    return BadInputError(f"damaged image: the {name} pixel data cannot be decoded")


def exif_metadata(exif: Image.Exif) -> dict[str, Any]:
    """The EXIF facts a reviewer uses: camera, capture time, GPS position, orientation.

    Args:
        exif: Parsed EXIF.

    Returns:
        JSON-serialisable facts: camera_make, camera_model, software, artist,
        description, captured (ISO 8601), captured_exif (as written),
        orientation, gps {'lat', 'lon', 'alt'}; absent ones are left out.
    """
    facts: dict[str, Any] = {}
    try:
        for tag, key in (
            (_TAG_MAKE, "camera_make"),
            (_TAG_MODEL, "camera_model"),
            (_TAG_SOFTWARE, "software"),
            (_TAG_ARTIST, "artist"),
            (_TAG_DESCRIPTION, "description"),
        ):
            value = _clean_text(exif.get(tag))
            if value:
                facts[key] = value
        orientation = exif.get(_TAG_ORIENTATION)
        if isinstance(orientation, int) and orientation != 1:
            facts["orientation"] = orientation
        sub = exif.get_ifd(_EXIF_IFD)
        written = _clean_text(sub.get(_TAG_DATETIME_ORIGINAL)) or _clean_text(
            exif.get(_TAG_DATETIME)
        )
        if written:
            offset = _clean_text(sub.get(_TAG_OFFSET_TIME_ORIGINAL))
            facts["captured_exif"] = f"{written} {offset}" if offset else written
            captured = exif_datetime_to_iso(written, offset)
            if captured:
                facts["captured"] = captured
        gps = gps_position(exif.get_ifd(_GPS_IFD))
        if gps:
            facts["gps"] = gps
    except Exception:  # malformed EXIF: keep what was read before the fault
        return facts
    return facts


def exif_datetime_to_iso(value: str, offset: str | None = None) -> str | None:
    """Convert an EXIF time ('2024:03:01 12:34:56') to ISO 8601.

    Args:
        value: The EXIF date and time.
        offset: The EXIF offset ('+09:00') when the camera recorded one.

    Returns:
        UTC ('...Z') when the offset is known, else the camera's local time
        without offset; None for a blank or impossible time.
    """
    try:
        moment = datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            sign = -1 if offset.strip().startswith("-") else 1
            hours, minutes = offset.strip().lstrip("+-").split(":")
            delta = timedelta(hours=int(hours), minutes=int(minutes)) * sign
            utc = moment.replace(tzinfo=timezone(delta)).astimezone(UTC)
            return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError):
            pass
    return moment.isoformat()


def gps_position(gps: dict[int, Any]) -> dict[str, float] | None:
    """Decimal degrees (and metres of altitude) from an EXIF GPS directory.

    Args:
        gps: The GPS IFD as Pillow returns it.

    Returns:
        {'lat': .., 'lon': ..} plus 'alt' when recorded, or None when the
        position is missing or impossible.
    """
    lat = _degrees(gps.get(2), gps.get(1), "S")
    lon = _degrees(gps.get(4), gps.get(3), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    position = {"lat": lat, "lon": lon}
    altitude = gps.get(6)
    if altitude is not None:
        try:
            metres = float(altitude)
        except (TypeError, ValueError, ZeroDivisionError):
            metres = math.nan
        if math.isfinite(metres):
            below = gps.get(5) in (1, b"\x01", "\x01")
            position["alt"] = round(-metres if below else metres, 2)
    return position


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """Degrees, minutes, seconds (EXIF rationals) to signed decimal degrees."""
    if value is None:
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    try:
        numbers = [float(part) for part in parts[:3]]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not numbers or not all(math.isfinite(n) for n in numbers):
        return None
    degrees = float(sum(n / 60**i for i, n in enumerate(numbers)))
    if _clean_text(ref).upper() == negative:
        degrees = -degrees
    return round(degrees, 7)


def _clean_text(value: Any) -> str:
    """An EXIF text value as a clean string ('' for none): NULs and padding removed."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()
