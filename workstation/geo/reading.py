"""Georeferencing that comes with a picture: GeoTIFF tags and world files.

tifffile reads the TIFF directory (no pixels); the GeoKey directory is decoded
here, strictly: tifffile's own decoder accepts a truncated directory with a
logged warning, and a partial CRS is worse than none in evidence. PROJ (through
``geo.crs``) checks the EPSG code.

Only what the GeoTIFF 1.1 standard calls the common case is read: an EPSG code
for a projected (``ProjectedCSTypeGeoKey``) or geographic (``GeographicTypeGeoKey``)
CRS. A user-defined CRS (32767) is refused with a reason; the reviewer can then
give the EPSG code by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from workstation.geo.crs import check_lonlat, parse_crs
from workstation.geo.model import Affine, Capture, ControlPoint, Georeference, GeorefError
from workstation.geo.sidecars import prj_beside, world_file_beside
from workstation.geo.transform import check_shape

TAG_PIXEL_SCALE = 33550
TAG_TIEPOINT = 33922
TAG_TRANSFORMATION = 34264
TAG_GEOKEYS = 34735
TAG_DATETIME = 306
TAG_MAKE = 271
TAG_MODEL = 272
TAG_ARTIST = 315
TAG_COPYRIGHT = 33432
TAG_GDAL_METADATA = 42112

KEY_MODEL_TYPE = 1024
KEY_RASTER_TYPE = 1025
KEY_GEOGRAPHIC_TYPE = 2048
KEY_PROJECTED_TYPE = 3072
USER_DEFINED = 32767
MODEL_PROJECTED, MODEL_GEOGRAPHIC = 1, 2
RASTER_PIXEL_IS_POINT = 2

# GDAL metadata items (and TIFF tags) that name the capture, by what they mean.
_CAPTURE_ITEMS = {
    "captured": ("ACQUISITIONDATETIME", "ACQUISITION_DATE", "DATATAKE_1_DATATAKE_SENSING_START"),
    "sensor": ("SENSOR", "SPACECRAFT_NAME", "SATELLITEID", "SATELLITE"),
    "provider": ("PROVIDER", "PRODUCER", "COMPANY"),
}
_GDAL_ITEM_RE = re.compile(r'<Item\s+name="([^"]{1,80})"[^>]{0,200}>([^<]{0,200})</Item>')


def read_geotiff(path: Path) -> Georeference | None:
    """The georeference in a TIFF's tags; None when it has no GeoTIFF tags.

    Raises:
        GeorefError: the tags are there but corrupt, incomplete or name an unknown CRS.
    """
    import tifffile  # lazy: +100 ms, only for TIFF pictures

    try:
        with tifffile.TiffFile(path) as tif:
            tags = {tag.code: tag.value for tag in tif.pages.first.tags}
    except (OSError, ValueError, tifffile.TiffFileError) as exc:
        raise GeorefError(f"cannot read the TIFF directory: {exc}") from None
    capture = _capture(tags)
    if not any(t in tags for t in (TAG_PIXEL_SCALE, TAG_TIEPOINT, TAG_TRANSFORMATION)):
        if TAG_GEOKEYS in tags:
            raise GeorefError("the GeoTIFF has GeoKeys but no tie point or transformation")
        return None
    if TAG_GEOKEYS not in tags:
        raise GeorefError("the GeoTIFF has a tie point but no GeoKey directory (no CRS)")
    keys = decode_geokeys(tags[TAG_GEOKEYS])
    crs = _crs_of(keys)
    transform = _transform_of(tags)
    if keys.get(KEY_RASTER_TYPE) == RASTER_PIXEL_IS_POINT:
        transform = shift_half_pixel(transform)
    check_shape(transform)
    return Georeference(origin="file", crs=crs, transform=transform, capture=capture)


def decode_geokeys(raw: Any) -> dict[int, int]:
    """The GeoKey directory's short-valued keys (``{key id: value}``).

    Raises:
        GeorefError: the directory is not the length its header says, or not version 1.
    """
    try:
        values = [int(v) for v in raw]
    except (TypeError, ValueError):
        raise GeorefError("corrupt GeoKey directory: not a list of numbers") from None
    if len(values) < 4:
        raise GeorefError(f"corrupt GeoKey directory: {len(values)} values, no header")
    version, _revision, _minor, count = values[:4]
    if version != 1:
        raise GeorefError(f"corrupt GeoKey directory: version {version}, not 1")
    if len(values) < 4 + 4 * count:
        raise GeorefError(
            f"corrupt GeoKey directory: the header announces {count} keys, "
            f"the tag holds {(len(values) - 4) // 4}"
        )
    keys: dict[int, int] = {}
    for i in range(count):
        key, location, n, value = values[4 + 4 * i : 8 + 4 * i]
        if location == 0 and n == 1:  # the value is the short itself
            keys[key] = value
    return keys


def _crs_of(keys: dict[int, int]) -> str:
    model = keys.get(KEY_MODEL_TYPE)
    projected = keys.get(KEY_PROJECTED_TYPE)
    geographic = keys.get(KEY_GEOGRAPHIC_TYPE)
    if model == MODEL_PROJECTED or (model is None and projected is not None):
        code, what = projected, "projected"
    elif model == MODEL_GEOGRAPHIC or (model is None and geographic is not None):
        code, what = geographic, "geographic"
    else:
        raise GeorefError(f"the GeoTIFF's model type {model} is neither projected nor geographic")
    if code is None:
        raise GeorefError(f"the GeoTIFF is {what} but names no EPSG code")
    if code == USER_DEFINED:
        raise GeorefError(
            f"the GeoTIFF's {what} CRS is user-defined (no EPSG code); give it with --crs"
        )
    return parse_crs(f"EPSG:{code}")


def _transform_of(tags: dict[int, Any]) -> Affine:
    if TAG_TRANSFORMATION in tags:
        m = [float(v) for v in tags[TAG_TRANSFORMATION]]
        if len(m) != 16:
            raise GeorefError(f"ModelTransformation has {len(m)} values, not 16")
        return (m[0], m[1], m[3], m[4], m[5], m[7])
    ties = [float(v) for v in tags.get(TAG_TIEPOINT, ())]
    if not ties or len(ties) % 6:
        raise GeorefError(f"ModelTiepoint has {len(ties)} values, not a multiple of 6")
    if TAG_PIXEL_SCALE in tags:
        scale = [float(v) for v in tags[TAG_PIXEL_SCALE]]
        if len(scale) < 2:
            raise GeorefError("ModelPixelScale has fewer than 2 values")
        i, j, _k, x, y, _z = ties[:6]
        sx, sy = scale[0], scale[1]
        return (sx, 0.0, x - i * sx, 0.0, -sy, y + j * sy)
    raise GeorefError("ModelTiepoint without ModelPixelScale (tie-point grids are not read)")


def shift_half_pixel(t: Affine) -> Affine:
    """A transform for pixel centres -> one for pixel corners (continuous coordinates)."""
    a, b, c, d, e, f = t
    return (a, b, c - 0.5 * a - 0.5 * b, d, e, f - 0.5 * d - 0.5 * e)


def _capture(tags: dict[int, Any]) -> Capture:
    found: dict[str, str] = {}
    gdal = tags.get(TAG_GDAL_METADATA)
    if isinstance(gdal, str):
        items = {name.upper(): value.strip() for name, value in _GDAL_ITEM_RE.findall(gdal)}
        for what, names in _CAPTURE_ITEMS.items():
            for name in names:
                if items.get(name):
                    found[what] = items[name]
                    break
    if "captured" not in found and isinstance(tags.get(TAG_DATETIME), str):
        found["captured"] = _tiff_date(tags[TAG_DATETIME])
    if "sensor" not in found:
        make, model = (str(tags.get(t) or "").strip() for t in (TAG_MAKE, TAG_MODEL))
        made = model if make and model.startswith(make) else f"{make} {model}".strip()
        if made:
            found["sensor"] = made  # 'Maxar WV03'; 'Demo Imaging Sat-1', not the make twice
    if "provider" not in found:
        for t in (TAG_COPYRIGHT, TAG_ARTIST):
            if isinstance(tags.get(t), str) and tags[t].strip():
                found["provider"] = tags[t].strip()
                break
    return Capture(**{k: v[:200] for k, v in found.items()})


def _tiff_date(text: str) -> str:
    """'2024:05:17 02:31:00' (TIFF) -> '2024-05-17T02:31:00'; other text as it is."""
    m = re.fullmatch(r"(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)", text.strip())
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}" if m else text.strip()


# --- world files --------------------------------------------------------------------------


def read_world_file(path: Path, crs: str | None = None) -> Georeference:
    """A world file (six lines: A, D, B, E, C, F) and its CRS.

    Args:
        path: The world file.
        crs: The CRS the reviewer gives; else the ``.prj`` beside it; else None
            (stored, waiting for the reviewer to give it).

    Raises:
        GeorefError: not six numbers, a collapsed transform, or an unknown CRS.
    """
    try:
        text = path.read_text(encoding="ascii", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeorefError(f"cannot read the world file {path.name}: {_reason(exc)}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 6:
        raise GeorefError(f"the world file {path.name} has {len(lines)} lines, not 6")
    try:
        a, d, b, e, c, f = (float(line) for line in lines)
    except ValueError:
        raise GeorefError(f"the world file {path.name} has a line that is not a number") from None
    # C, F name the centre of the top-left pixel.
    transform = shift_half_pixel((a, b, c, d, e, f))
    check_shape(transform)
    if crs is None:
        prj = prj_beside(path)
        if prj is not None:
            try:
                crs = prj.read_text(encoding="utf-8", errors="strict")
            except (OSError, UnicodeDecodeError) as exc:
                raise GeorefError(f"cannot read {prj.name}: {_reason(exc)}") from None
    return Georeference(
        origin="world-file",
        crs=parse_crs(crs) if crs is not None else None,
        transform=transform,
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def read_beside(picture: Path, blob: Path, media_type: str) -> Georeference | None:
    """What a picture being imported says about its place: its GeoTIFF tags, else a world file.

    Args:
        picture: The file the reviewer imported (where sidecars would be).
        blob: The stored copy (the bytes read).
        media_type: The detected type.

    Raises:
        GeorefError: georeferencing is there but unusable.
    """
    found = read_geotiff(blob) if media_type == "image/tiff" else None
    if found is not None:
        return found
    world = world_file_beside(picture)
    if world is None:
        return None
    g = read_world_file(world)
    return replace(g, capture=exif_capture(blob))


TAG_DATETIME_ORIGINAL = 36867  # in the Exif IFD: when the picture was taken


def exif_capture(blob: Path) -> Capture:
    """When, by what and from whom a JPEG/PNG/TIFF says it was taken (its EXIF: the
    same tag numbers as TIFF's, with DateTimeOriginal first); nothing when it has none."""
    from PIL import Image, UnidentifiedImageError  # lazy: world-file pictures only

    try:
        with Image.open(blob) as picture:
            exif = picture.getexif()
            tags: dict[int, Any] = {t: exif[t] for t in exif}
            taken = exif.get_ifd(0x8769).get(TAG_DATETIME_ORIGINAL)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return Capture()  # unreadable metadata: the place still stands
    if isinstance(taken, str):
        tags[TAG_DATETIME] = taken
    return _capture(tags)


def control_points(values: Sequence[str]) -> list[ControlPoint]:
    """``X,Y,LAT,LON`` strings -> control points.

    Raises:
        GeorefError: a value is not four numbers, or not on the Earth.
    """
    points = []
    for text in values:
        parts = text.split(",")
        try:
            x, y, lat, lon = (float(p) for p in parts)
        except ValueError:
            raise GeorefError(f"a point is X,Y,LAT,LON (four numbers), not {text!r}") from None
        check_lonlat(lat, lon)
        points.append(ControlPoint(x, y, lat, lon))
    return points
