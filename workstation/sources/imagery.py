"""Large images for the viewer, read one region at a time.

A 20000 x 20000 picture cannot be decoded on every open, so it is converted once into a
tiled pyramidal TIFF under ``derived/tiles/`` (a regenerable cache) and the viewer reads
only the tiles it shows. Small pictures are decoded once and read from memory.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyvips
from PIL import BmpImagePlugin

from workstation.core.errors import (
    BadInputError,
    CancelledError,
    LibraryError,
    TooLargeError,
    WorkstationError,
)
from workstation.core.private import private_mkdir, tighten
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.sources.extract.image import _decode_error, _displayable
from workstation.sources.extract.model import DEFAULT_LIMITS, Limits, pixel_count

PYRAMID_MIN_SIDE = 4096
"""Images with a side at least this long get a pyramid; smaller ones are read directly."""
TILE_SIZE = 256
"""Tile side in the pyramid file, and the unit the viewer asks for."""
JPEG_QUALITY = 85
"""Below 90 libvips stores JPEG tiles as YCbCr 4:2:0: 2.6x smaller and faster than Q90 RGB."""

# Bump when the file layout changes: older caches then fail validation and are rebuilt.
_MARKER = "evidence-workstation image pyramid v1"
_STALE_PART_SECONDS = 3600
# libvips names for the loaders that cannot stream: they decode the picture whole.
_WHOLE_DECODE_LOADERS = {"gifload", "gifload_source", "magickload"}
_LOADER_NAMES = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "webp": "WebP", "gif": "GIF"}
_WRITE_FAILURE_WORDS = ("wbuffer_write", "write failed", "vips2tiff", "unable to write")

_build_locks: dict[Path, threading.Lock] = {}
_build_locks_guard = threading.Lock()


class PyramidClosedError(WorkstationError):
    """An ImagePyramid was read after close()."""


def pyramid_path(derived_dir: Path, sha256: str) -> Path:
    """Where the pyramid of the blob ``sha256`` is cached.

    Args:
        derived_dir: The library's ``derived/`` folder.
        sha256: The original's hash (64 hex digits).

    Returns:
        ``<derived>/tiles/<sha[:2]>/<sha>.tif``.
    """
    return Path(derived_dir) / "tiles" / sha256[:2] / f"{sha256}.tif"


def needs_pyramid(width: int, height: int, min_side: int = PYRAMID_MIN_SIDE) -> bool:
    """Whether an image this size is worth a pyramid (a side of ``min_side`` or more)."""
    return max(width, height) >= min_side


# --- the pyramid object ---------------------------------------------------------------------


class ImagePyramid:
    """An image as a stack of levels, each readable one region at a time.

    Level 0 is full resolution; each further level halves both sides (rounding down) until
    the whole image fits one tile. Sizes and coordinates are those of the image upright,
    after its EXIF orientation is applied (``orientation`` says which one was).

    Thread safety: ``read_region`` may be called from several threads at once. Every level
    is opened once and shared (libvips images are immutable, and the TIFF reader locks its
    file around each tile read); each thread fetches through its own ``pyvips.Region``,
    kept in thread-local storage, because a Region must not be shared between threads.
    ``close()`` may be called from any thread; reads after it raise PyramidClosedError.

    Attributes:
        path: The file the pixels come from: the cached pyramid, or the original.
        cached: True when reading a pyramid file, False when reading the original.
        full_size: (width, height) of level 0, in image pixels.
        levels: (width, height) per level, level 0 first.
        bands: 3 (RGB) or 4 (RGBA): what ``read_region`` returns per pixel.
        orientation: The EXIF orientation (1-8) applied to the original; 1 for none.
        tile_size: The tile side of the file; reads aligned to it touch the fewest tiles.
    """

    def __init__(
        self,
        path: Path,
        images: list[Any],
        *,
        cached: bool,
        orientation: int = 1,
        tile_size: int = TILE_SIZE,
    ) -> None:
        """Wrap opened libvips level images; use ensure_pyramid() or open_* to make one."""
        self.path = path
        self.cached = cached
        self.orientation = orientation
        self.tile_size = tile_size
        self._images: list[Any] | None = [_rgb_or_rgba(image) for image in images]
        self.levels: tuple[tuple[int, int], ...] = tuple(
            (int(image.width), int(image.height)) for image in self._images
        )
        self.full_size: tuple[int, int] = self.levels[0]
        self.bands: int = int(self._images[0].bands)
        self._local = threading.local()

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open_cached(cls, path: Path, expected_size: tuple[int, int] | None = None) -> ImagePyramid:
        """Open a pyramid file written by build_pyramid().

        Args:
            path: The ``.tif`` file.
            expected_size: The upright size of the original, when known: a file of another
                size is refused.

        Raises:
            BadInputError: The file is missing, damaged, truncated, not one of ours, or
                written by another version.
        """
        try:
            first = _load(path, page=0, access="random", fail_on="error")
            pages = int(first.get("n-pages")) if "n-pages" in first.get_fields() else 1
            description = (
                str(first.get("image-description"))
                if "image-description" in first.get_fields()
                else ""
            )
            if not description.startswith(_MARKER):
                raise BadInputError(f"{path.name} is not an image pyramid of this version")
            orientation = _int_field(description.rsplit("orientation=", 1)[-1], 1)
            size = (int(first.width), int(first.height))
            if expected_size is not None and size != tuple(expected_size):
                raise BadInputError(f"{path.name} does not match the size of its original")
            expected = _level_sizes(*size, int(first.get("tile-width")))
            if pages != len(expected):
                raise BadInputError(f"{path.name} is truncated: {pages} of {len(expected)} levels")
            images = [first]
            for page in range(1, pages):
                image = _load(path, page=page, access="random", fail_on="error")
                if (image.width, image.height) != expected[page]:
                    raise BadInputError(f"{path.name} has a level of the wrong size")
                images.append(image)
            # The smallest level is one tile: decode it now, so damage shows here.
            images[-1].avg()
        except pyvips.Error as exc:
            raise BadInputError(f"damaged image pyramid {path.name}: {_first_line(exc)}") from exc
        return cls(path, images, cached=True, orientation=orientation)

    @classmethod
    def open_original(
        cls, path: Path, limits: Limits = DEFAULT_LIMITS, *, tile_size: int = TILE_SIZE
    ) -> ImagePyramid:
        """Decode a small original into memory and make its levels by shrinking it.

        Args:
            path: The original image.
            limits: max_render_pixels caps the in-memory decode.
            tile_size: Levels are added until the image fits one tile this size.

        Raises:
            TooLargeError: The picture is above the render limit.
            BadInputError: It cannot be read or is truncated.
        """
        source, orientation = _open_source(path, access="random", limits=limits)
        if source.width * source.height > limits.max_render_pixels:
            raise TooLargeError(
                f"image has {pixel_count(source.width * source.height)}, above the "
                f"{pixel_count(limits.max_render_pixels)} limit for reading it whole"
            )
        name = _format_name(source)
        try:
            # Decode now: a truncated file fails here, not in the middle of a paint.
            base = _displayable(_to_srgb_profile(source))
            if orientation != 1:
                base = base.autorot()
            base = base.copy_memory()
        except pyvips.Error as exc:
            raise _decode_error(path, name, exc) from exc
        images = [base]
        for factor_log2, _size in enumerate(_level_sizes(base.width, base.height, tile_size)[1:]):
            factor = 2 ** (factor_log2 + 1)
            images.append(base.shrink(factor, factor))
        return cls(path, images, cached=False, orientation=orientation, tile_size=tile_size)

    # --- reading --------------------------------------------------------------------------

    def read_region(self, level: int, x: int, y: int, width: int, height: int) -> bytes:
        """Pixels of a rectangle of one level, top row first.

        Args:
            level: 0 for full resolution, up to ``len(levels) - 1``.
            x: Left edge, in that level's pixels.
            y: Top edge, in that level's pixels.
            width: Width in pixels, at least 1.
            height: Height in pixels, at least 1.

        Returns:
            ``width * height * bands`` bytes: RGB888, or RGBA8888 when ``bands`` is 4
            (alpha not premultiplied).

        Raises:
            ValueError: The rectangle is empty or not inside the level.
            PyramidClosedError: After close().
            BadInputError: The file turned out damaged (a cached pyramid is then deleted,
                so the next ensure_pyramid() rebuilds it).
        """
        images = self._images
        if images is None:
            raise PyramidClosedError(f"image {self.path.name} is closed")
        if not 0 <= level < len(self.levels):
            raise ValueError(f"no level {level}; this image has {len(self.levels)}")
        level_w, level_h = self.levels[level]
        if width < 1 or height < 1 or x < 0 or y < 0 or x + width > level_w or y + height > level_h:
            raise ValueError(
                f"region {width}x{height}+{x}+{y} is not inside level {level} ({level_w}x{level_h})"
            )
        regions: dict[int, Any] | None = getattr(self._local, "regions", None)
        if regions is None:
            regions = self._local.regions = {}
        region = regions.get(level)
        if region is None:
            region = regions[level] = pyvips.Region.new(images[level])
        try:
            return bytes(region.fetch(x, y, width, height))
        except pyvips.Error as exc:
            if self.cached:
                with contextlib.suppress(OSError):
                    self.path.unlink()
                raise BadInputError(
                    "the cached tiles of this image are damaged; they are rebuilt when the "
                    "image is opened again"
                ) from exc
            raise _decode_error(self.path, "image", exc) from exc

    def level_scale(self, level: int) -> tuple[float, float]:
        """Full-resolution pixels per pixel of ``level``, across and down (about 2**level)."""
        level_w, level_h = self.levels[level]
        return self.full_size[0] / level_w, self.full_size[1] / level_h

    def best_level(self, scale: float) -> int:
        """The coarsest level that still has enough pixels to show the image at ``scale``.

        Args:
            scale: Screen (device) pixels per full-resolution image pixel; 1.0 is 100 %.

        Returns:
            A level index: 0 at 100 % or more, higher as the image is shown smaller.
        """
        wanted = max(self.full_size) * max(scale, 0.0)
        # A level up to 2 % short is still used: upscaling that little is invisible, and
        # it keeps the choice from flickering between two levels at fit.
        for level in range(len(self.levels) - 1, 0, -1):
            if max(self.levels[level]) >= wanted * 0.98:
                return level
        return 0

    @property
    def has_alpha(self) -> bool:
        """Whether read_region returns RGBA."""
        return self.bands == 4

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._images is None

    def close(self) -> None:
        """Let go of the file and decoded pixels; safe to call twice.

        libvips keeps recent loads in its operation cache, and with them each level's
        tile cache (two rows of tiles, some 30 MB for a 20000 px wide level): the cache
        is emptied here so that memory is given back now, not a hundred operations later.
        """
        if self._images is None:
            return
        self._images = None
        self._local = threading.local()
        _flush_vips_cache()

    def __enter__(self) -> ImagePyramid:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "pyramid" if self.cached else "original"
        w, h = self.full_size
        return f"<ImagePyramid {kind} {self.path.name} {w}x{h} levels={len(self.levels)}>"


# --- building ---------------------------------------------------------------------------


def ensure_pyramid(
    derived_dir: Path,
    blob_path: Path,
    sha256: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    min_side: int = PYRAMID_MIN_SIDE,
    lossless: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ImagePyramid:
    """Open an image for viewing, building its pyramid first when it needs one.

    A cached pyramid that is missing, damaged or of another version is (re)built; one
    thread builds while others asking for the same image wait for it.

    Args:
        derived_dir: The library's ``derived/`` folder.
        blob_path: The original (``Library.blobs.path_for(sha256)``).
        sha256: Its hash; names the cache file.
        progress: Called with percent done (total 100) while a pyramid is built.
        cancel: Checked while building; cancelling raises CancelledError and leaves no file.
        min_side: Images with a side this long or longer get a pyramid.
        lossless: Build with deflate instead of JPEG tiles (about 2.5x slower, 5x bigger).
        limits: max_image_pixels and max_render_pixels apply.

    Returns:
        An open ImagePyramid; the caller closes it.

    Raises:
        BadInputError: The original is damaged or truncated (TooLargeError when too big).
        CancelledError: ``cancel`` was set during a build.
        LibraryError: The pyramid cannot be written (disk full, permissions).
    """
    header, orientation = _open_source(blob_path, access="sequential", limits=limits)
    size = _upright(header.width, header.height, orientation)
    if not needs_pyramid(*size, min_side=min_side):
        return ImagePyramid.open_original(blob_path, limits)
    target = pyramid_path(derived_dir, sha256)
    with _build_lock(target):
        if target.exists():
            try:
                return ImagePyramid.open_cached(target, size)
            except BadInputError:
                with contextlib.suppress(OSError):
                    target.unlink()  # a regenerable cache: rebuild it
        build_pyramid(
            blob_path, target, progress=progress, cancel=cancel, lossless=lossless, limits=limits
        )
        return ImagePyramid.open_cached(target, size)


def build_pyramid(
    blob_path: Path,
    target: Path,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    lossless: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Write the pyramid of an original to ``target``, atomically.

    The TIFF is written under a temporary name next to ``target`` and renamed into place
    only when complete, so a reader never sees half a file. The picture is streamed: memory
    stays near 150 MB whatever its size, except for formats that cannot stream
    (progressive JPEG, interlaced PNG, GIF), which are refused above the render limit.

    Args:
        blob_path: The original image.
        target: The pyramid file to write.
        progress: Called with percent done (total 100).
        cancel: Checked as the picture is decoded.
        lossless: Deflate tiles instead of JPEG (pictures with alpha always are).
        limits: max_image_pixels and max_render_pixels apply.

    Raises:
        BadInputError, TooLargeError: The original cannot be read whole.
        CancelledError: ``cancel`` was set.
        LibraryError: The file cannot be written.
    """
    header, orientation = _open_source(blob_path, access="sequential", limits=limits)
    name = _format_name(header)
    pixels = header.width * header.height
    fields = header.get_fields()
    streams = not (
        ("interlaced" in fields and int(header.get("interlaced")))
        or "vips-loader" not in fields  # decoded by Pillow, already in memory
        or str(header.get("vips-loader")) in _WHOLE_DECODE_LOADERS
    )
    if not streams and pixels > limits.max_render_pixels:
        kind = {"PNG": "interlaced PNG", "JPEG": "progressive JPEG"}.get(name, name)
        raise TooLargeError(
            f"a {kind} is decoded whole and this one has {pixel_count(pixels)}, above the "
            f"{pixel_count(limits.max_render_pixels)} render limit; convert it to a baseline "
            "JPEG or tiled TIFF to view it"
        )
    # Rotation and 16-bit stretching read the picture more than once: that needs random
    # access (libvips then decodes to a temporary file when it is large, not to memory).
    random_access = orientation != 1 or header.format != "uchar" or not streams
    image = header
    if random_access:
        image, orientation = _open_source(blob_path, access="random", limits=limits)
    try:
        image = _displayable(_to_srgb_profile(image))
        if orientation != 1:
            image = image.autorot()
    except pyvips.Error as exc:
        raise _decode_error(blob_path, name, exc) from exc
    image = image.copy()
    image.set_type(
        pyvips.GValue.gstr_type, "image-description", f"{_MARKER} orientation={orientation}"
    )
    options: dict[str, Any] = {
        "tile": True,
        "pyramid": True,
        "tile_width": TILE_SIZE,
        "tile_height": TILE_SIZE,
        "keep": "other",  # the marker lives in image-description; EXIF stays with the original
        # A plain TIFF stops at 4 GB: estimate the worst case (raw pixels plus a third).
        "bigtiff": image.width * image.height * image.bands * 4 // 3 > 3_500_000_000,
    }
    if lossless or image.hasalpha() or image.bands not in (1, 3):
        options.update(compression="deflate", level=1, predictor="horizontal")
    else:
        options.update(compression="jpeg", Q=JPEG_QUALITY)

    part = target.with_name(f"{target.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part")
    watcher = _Watcher(image, progress, cancel)
    try:
        private_mkdir(target.parent)
        _remove_stale_parts(target)
        image.tiffsave(str(part), **options)
        watcher.check_cancel()
        tighten(part)  # libvips creates it with the umask's mode
        os.replace(part, target)
    except pyvips.Error as exc:
        watcher.check_cancel()
        reason = _first_line(exc)
        message = str(exc).lower()
        # libvips names the loader ("pngload: ...") when the original is at fault.
        if "load" not in message and any(word in message for word in _WRITE_FAILURE_WORDS):
            raise LibraryError(
                f"cannot write the image pyramid in {target.parent}: {reason}"
            ) from exc
        raise _decode_error(blob_path, name, exc) from exc
    except OSError as exc:
        raise LibraryError(
            f"cannot write the image pyramid in {target.parent}: {exc.strerror}"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    if progress is not None:
        progress(Progress(100, 100, "image pyramid ready"))


def build_pyramid_for_import(
    derived_dir: Path,
    blob_path: Path,
    sha256: str,
    kind: str,
    metadata: Mapping[str, Any],
    cancel: CancelToken | None = None,
) -> Path | None:
    """Build the viewer's pyramid of a just-imported image, when it needs one.

    Meant for the import pipeline, after extraction succeeded: it never fails the import.
    A pyramid that cannot be built now is built (or its reason shown) when the image is
    first opened in the viewer.

    Args:
        derived_dir: The library's ``derived/`` folder.
        blob_path: The stored original.
        sha256: Its hash.
        kind: The extracted kind; anything but 'image' is ignored.
        metadata: The extracted metadata ('width', 'height', 'thumbnail_skipped').
        cancel: Checked while building; cancelling raises CancelledError.

    Returns:
        The pyramid file, or None when the image needs none or it could not be built.
    """
    if kind != "image" or "thumbnail_skipped" in metadata:
        return None
    width, height = metadata.get("width"), metadata.get("height")
    if not isinstance(width, int) or not isinstance(height, int):
        return None
    if not needs_pyramid(width, height):
        return None
    try:
        with ensure_pyramid(derived_dir, blob_path, sha256, cancel=cancel) as pyramid:
            return pyramid.path
    except CancelledError:
        raise
    except WorkstationError:
        return None


# --- coordinates as people read them ---------------------------------------------------------


def format_latitude(value: float) -> str:
    """Degrees, minutes and seconds with N or S: ``42°14′24.0″ N``."""
    return _dms(value, "N", "S")


def format_longitude(value: float) -> str:
    """Degrees, minutes and seconds with E or W: ``130°18′00.0″ E``."""
    return _dms(value, "E", "W")


def format_decimal_position(lat: float, lon: float) -> str:
    """Signed decimal degrees to six places, as maps accept them: ``42.240000, 130.300000``."""
    return f"{lat:.6f}, {lon:.6f}"


def _dms(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    tenths = round(abs(value) * 36000)  # tenths of an arcsecond, rounded once
    degrees, rest = divmod(tenths, 36000)
    minutes, tenths_s = divmod(rest, 600)
    return f"{degrees}°{minutes:02d}′{tenths_s // 10:02d}.{tenths_s % 10}″ {hemisphere}"


# --- helpers --------------------------------------------------------------------------------


class _Watcher:
    """Relays libvips progress to a ProgressCallback and stops the save on cancel."""

    def __init__(
        self, image: Any, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> None:
        self.image = image
        self.progress = progress
        self.cancel = cancel
        self.last = -1
        if progress is not None or cancel is not None:
            image.set_progress(True)
            image.signal_connect("eval", self._on_eval)

    def _on_eval(self, image: Any, state: Any) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            image.set_kill(True)
            return
        percent = int(state.percent)
        if self.progress is not None and percent != self.last:
            self.last = percent
            self.progress(Progress(min(percent, 99), 100, "building image pyramid"))

    def check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()


def _flush_vips_cache() -> None:
    """Drop every cached libvips operation (a performance cache only; nothing is lost)."""
    with _build_locks_guard:
        limit = pyvips.cache_get_max()
        pyvips.cache_set_max(0)
        pyvips.cache_set_max(limit)


def _load(path: Path, **options: Any) -> Any:
    # revalidate: libvips caches loads by file name; a rebuilt file must not come back stale.
    return pyvips.Image.new_from_file(str(path), revalidate=True, **options)


def _open_source(path: Path, *, access: str, limits: Limits) -> tuple[Any, int]:
    """The original through libvips (BMP through Pillow), size-checked, with its orientation."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise BadInputError(f"cannot read the image: {exc.strerror}") from exc
    if magic[:2] == b"BM":
        return _open_bmp(path, limits), 1
    fail_on = "error" if magic in (b"II*\x00", b"MM\x00*") else "truncated"
    try:
        image = _load(path, access=access, fail_on=fail_on)
    except pyvips.Error as exc:
        raise BadInputError("damaged image: the header cannot be read") from exc
    _check_pixels(image.width, image.height, limits)
    orientation = 1
    if "orientation" in image.get_fields():
        orientation = _int_field(image.get("orientation"), 1)
    if not 1 <= orientation <= 8:
        orientation = 1
    return image, orientation


def _open_bmp(path: Path, limits: Limits) -> Any:
    """libvips has no BMP reader here: decode with Pillow, within the render limit."""
    try:
        with BmpImagePlugin.BmpImageFile(str(path)) as bmp:
            _check_pixels(*bmp.size, limits)
            if bmp.size[0] * bmp.size[1] > limits.max_render_pixels:
                raise TooLargeError(
                    f"BMP images are decoded whole and this one has "
                    f"{pixel_count(bmp.size[0] * bmp.size[1])}, above the render limit"
                )
            has_alpha = bmp.mode in ("RGBA", "LA", "PA") or "transparency" in bmp.info
            picture = bmp.convert("RGBA" if has_alpha else "RGB")
    except (OSError, SyntaxError, ValueError) as exc:
        raise _decode_error(path, "BMP", exc) from exc
    image = pyvips.Image.new_from_memory(
        picture.tobytes(), picture.size[0], picture.size[1], len(picture.getbands()), "uchar"
    )
    return image.copy(interpretation="srgb")


def _check_pixels(width: int, height: int, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise BadInputError(f"damaged image: the header declares a size of {width}x{height}")
    if width * height > limits.max_image_pixels:
        raise TooLargeError(
            f"image is {width}x{height} ({pixel_count(width * height)}), above the "
            f"{pixel_count(limits.max_image_pixels)} limit"
        )


def _to_srgb_profile(image: Any) -> Any:
    """Apply an embedded colour profile, so the tiles look as the original is meant to."""
    if "icc-profile-data" not in image.get_fields() or image.format != "uchar":
        return image
    try:
        return image.icc_transform("srgb")
    except pyvips.Error:  # a broken profile: show the pixels as they are
        return image


def _rgb_or_rgba(image: Any) -> Any:
    """Grey becomes RGB (alpha kept), so every reader gets 3 or 4 bands of 8 bits."""
    if image.bands in (1, 2):
        grey = image.extract_band(0)
        rgb = grey.bandjoin([grey, grey])
        if image.bands == 2:
            rgb = rgb.bandjoin(image.extract_band(1))
        return rgb.copy(interpretation="srgb")
    if image.bands > 4:
        return image.extract_band(0, n=4 if image.hasalpha() else 3)
    return image


def _level_sizes(width: int, height: int, tile: int = TILE_SIZE) -> list[tuple[int, int]]:
    """Level sizes as libvips writes them: halve, rounding down, until one tile holds it."""
    sizes = [(width, height)]
    while max(sizes[-1]) > tile and min(sizes[-1]) > 1:
        w, h = sizes[-1]
        sizes.append((max(1, w // 2), max(1, h // 2)))
    return sizes


def _upright(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The size after EXIF orientation: 5 to 8 swap the sides."""
    return (height, width) if orientation >= 5 else (width, height)


def _format_name(image: Any) -> str:
    loader = str(image.get("vips-loader")) if "vips-loader" in image.get_fields() else ""
    for prefix, name in _LOADER_NAMES.items():
        if loader.startswith(prefix):
            return name
    return "BMP" if not loader else "image"


def _int_field(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """One builder per pyramid in this process; others wait and then use its file."""
    with _build_locks_guard:
        lock = _build_locks.setdefault(target, threading.Lock())
    with lock:
        yield


def _remove_stale_parts(target: Path) -> None:
    """Delete temporary files left by builds killed more than an hour ago."""
    now = time.time()
    for part in target.parent.glob(f"{target.stem}.*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > _STALE_PART_SECONDS:
                part.unlink()


__all__ = [
    "JPEG_QUALITY",
    "PYRAMID_MIN_SIDE",
    "TILE_SIZE",
    "ImagePyramid",
    "PyramidClosedError",
    "build_pyramid",
    "build_pyramid_for_import",
    "ensure_pyramid",
    "format_decimal_position",
    "format_latitude",
    "format_longitude",
    "needs_pyramid",
    "pyramid_path",
]
