"""Tests for workstation.sources.imagery: pyramids on real image files, no Qt."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests import samples
from tests.conftest import ROOT
from workstation.core.errors import BadInputError, CancelledError, LibraryError, TooLargeError
from workstation.core.progress import CancelToken, Progress
from workstation.sources.extract import Limits
from workstation.sources.imagery import (
    ImagePyramid,
    PyramidClosedError,
    build_pyramid_for_import,
    ensure_pyramid,
    format_decimal_position,
    format_latitude,
    format_longitude,
    needs_pyramid,
    pyramid_path,
)

SHA = "ab" + "0" * 62


def noise_picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Noise with a bright block in one corner, so a misplaced region cannot match."""
    picture = Image.effect_noise(size, 80).convert(mode)
    picture.paste((255,) * len(mode), (0, 0, 40, 30))
    return picture


def save(picture: Image.Image, folder: Path, name: str, **options: object) -> Path:
    path = folder / name
    picture.save(path, **options)
    return path


def region(picture: Image.Image, x: int, y: int, w: int, h: int) -> bytes:
    return picture.crop((x, y, x + w, y + h)).tobytes()


def mean_abs_diff(a: bytes, b: bytes) -> float:
    assert len(a) == len(b)
    return sum(abs(p - q) for p, q in zip(a, b, strict=True)) / len(a)


def assert_one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert message
    assert "\n" not in message
    assert len(message) < 200
    return message


@pytest.fixture
def derived(tmp_path: Path) -> Path:
    folder = tmp_path / "derived"
    folder.mkdir()
    return folder


# --- when a pyramid is made ------------------------------------------------------------------


def test_small_image_is_read_from_the_original(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((600, 500))
    path = save(picture, tmp_path, "small.png")

    with ensure_pyramid(derived, path, SHA) as pyramid:
        assert not pyramid.cached
        assert pyramid.path == path
        assert pyramid.full_size == (600, 500)
        assert pyramid.levels[0] == (600, 500)
        assert max(pyramid.levels[-1]) <= 256
        assert pyramid.read_region(0, 13, 17, 200, 150) == region(picture, 13, 17, 200, 150)
    assert not (derived / "tiles").exists()


def test_needs_pyramid_from_either_side() -> None:
    assert not needs_pyramid(4095, 4095)
    assert needs_pyramid(4096, 10)
    assert needs_pyramid(10, 5000)


def test_pyramid_levels_halve_down_to_one_tile(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((1000, 700)), tmp_path, "pic.png")

    with ensure_pyramid(derived, path, SHA, min_side=256) as pyramid:
        assert pyramid.cached
        assert pyramid.path == pyramid_path(derived, SHA)
        assert pyramid.path == derived / "tiles" / "ab" / f"{SHA}.tif"
        assert pyramid.levels == ((1000, 700), (500, 350), (250, 175))
        assert pyramid.level_scale(1) == (2.0, 2.0)
        assert pyramid.bands == 3


def test_pyramid_level_zero_matches_a_png_exactly(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((600, 500))
    path = save(picture, tmp_path, "pic.png")

    with ensure_pyramid(derived, path, SHA, min_side=256, lossless=True) as pyramid:
        assert pyramid.cached
        for x, y, w, h in ((0, 0, 600, 500), (37, 51, 300, 200), (599, 499, 1, 1)):
            assert pyramid.read_region(0, x, y, w, h) == region(picture, x, y, w, h)


def test_jpeg_tiles_stay_close_to_the_original(tmp_path: Path, derived: Path) -> None:
    picture = samples.sample_picture((900, 600))
    path = save(picture, tmp_path, "pic.png")

    with ensure_pyramid(derived, path, SHA, min_side=256) as pyramid:
        got = pyramid.read_region(0, 100, 80, 500, 400)
        assert mean_abs_diff(got, region(picture, 100, 80, 500, 400)) < 3
        # A coarser level is the picture halved: compare with Pillow's own reduction.
        half = picture.reduce(2)
        assert mean_abs_diff(pyramid.read_region(1, 0, 0, 450, 300), half.tobytes()) < 4


def test_alpha_is_kept_losslessly(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((400, 300), "RGBA")
    picture.putalpha(Image.linear_gradient("L").resize((400, 300)))
    path = save(picture, tmp_path, "alpha.png")

    with ensure_pyramid(derived, path, SHA, min_side=256) as pyramid:
        assert pyramid.has_alpha
        assert pyramid.read_region(0, 10, 20, 100, 50) == region(picture, 10, 20, 100, 50)


def test_grey_image_reads_as_rgb(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((300, 200), "L")
    path = save(picture, tmp_path, "grey.png")

    with ensure_pyramid(derived, path, SHA) as pyramid:
        assert pyramid.bands == 3
        got = pyramid.read_region(0, 5, 5, 10, 1)
        assert got == region(picture.convert("RGB"), 5, 5, 10, 1)


@pytest.mark.parametrize("min_side", [256, 4096])
def test_exif_orientation_is_applied(tmp_path: Path, derived: Path, min_side: int) -> None:
    picture = noise_picture((400, 300))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    path = save(picture, tmp_path, "turned.jpg", exif=exif, quality=95)

    with ensure_pyramid(derived, path, SHA, min_side=min_side) as pyramid:
        assert pyramid.full_size == (300, 400)
        assert pyramid.orientation == 6
        upright = picture.transpose(Image.Transpose.ROTATE_270)
        assert mean_abs_diff(pyramid.read_region(0, 0, 0, 300, 400), upright.tobytes()) < 6


def test_bmp_is_read_through_pillow(tmp_path: Path, derived: Path) -> None:
    path = samples.make_bmp(tmp_path, size=(300, 200))

    with ensure_pyramid(derived, path, SHA, min_side=256, lossless=True) as pyramid:
        with Image.open(path) as original:
            expected = original.convert("RGB")
        assert pyramid.read_region(0, 0, 0, 300, 200) == expected.tobytes()


# --- atomic, cached, rebuilt ----------------------------------------------------------------


def test_progress_is_reported_and_the_file_appears_whole(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((1200, 900)), tmp_path, "pic.png")
    target = pyramid_path(derived, SHA)
    seen: list[tuple[int, bool]] = []

    def progress(step: Progress) -> None:
        assert step.total == 100
        seen.append((step.done, target.exists()))

    with ensure_pyramid(derived, path, SHA, progress, min_side=256) as pyramid:
        assert pyramid.cached
    assert seen[-1] == (100, True)
    assert all(not exists for done, exists in seen[:-1])
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_killed_build_leaves_no_pyramid(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((1200, 900)), tmp_path, "pic.png")
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from workstation.sources.imagery import ensure_pyramid\n"
        "def progress(step):\n"
        "    print(step.done, flush=True)\n"
        "    time.sleep(60)\n"
        f"ensure_pyramid(Path({str(derived)!r}), Path({str(path)!r}), {SHA!r}, progress,"
        " min_side=256)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip().isdigit()  # mid-build, stuck in the callback
    finally:
        child.kill()
        child.wait()

    target = pyramid_path(derived, SHA)
    assert not target.exists()
    with ensure_pyramid(derived, path, SHA, min_side=256) as pyramid:
        assert pyramid.cached
    assert target.is_file()


def test_cancel_leaves_no_file(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((1200, 900)), tmp_path, "pic.png")
    cancel = CancelToken()

    def progress(step: Progress) -> None:
        cancel.cancel()

    with pytest.raises(CancelledError):
        ensure_pyramid(derived, path, SHA, progress, cancel, min_side=256)
    assert list(pyramid_path(derived, SHA).parent.iterdir()) == []


def test_second_open_uses_the_cache(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((600, 400)), tmp_path, "pic.png")
    ensure_pyramid(derived, path, SHA, min_side=256).close()
    target = pyramid_path(derived, SHA)
    stamp = target.stat().st_mtime_ns

    ensure_pyramid(derived, path, SHA, min_side=256).close()
    assert target.stat().st_mtime_ns == stamp


def test_deleted_pyramid_is_rebuilt(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((600, 400))
    path = save(picture, tmp_path, "pic.png")
    ensure_pyramid(derived, path, SHA, min_side=256, lossless=True).close()
    pyramid_path(derived, SHA).unlink()

    with ensure_pyramid(derived, path, SHA, min_side=256, lossless=True) as pyramid:
        assert pyramid_path(derived, SHA).is_file()
        assert pyramid.read_region(0, 0, 0, 50, 50) == region(picture, 0, 0, 50, 50)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:8] + bytes(len(data) - 8), id="zeroed"),
        pytest.param(lambda data: b"not a tiff at all", id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_damaged_pyramid_is_rebuilt(
    tmp_path: Path, derived: Path, damage: Callable[[bytes], bytes]
) -> None:
    picture = noise_picture((700, 600))
    path = save(picture, tmp_path, "pic.png")
    ensure_pyramid(derived, path, SHA, min_side=256, lossless=True).close()
    target = pyramid_path(derived, SHA)
    target.write_bytes(damage(target.read_bytes()))

    with ensure_pyramid(derived, path, SHA, min_side=256, lossless=True) as pyramid:
        assert pyramid.levels == ((700, 600), (350, 300), (175, 150))
        assert pyramid.read_region(0, 600, 500, 100, 100) == region(picture, 600, 500, 100, 100)


def test_pyramid_of_another_image_size_is_rebuilt(tmp_path: Path, derived: Path) -> None:
    ensure_pyramid(
        derived, save(noise_picture((500, 400)), tmp_path, "a.png"), SHA, min_side=256
    ).close()

    other = save(noise_picture((800, 300)), tmp_path, "b.png")
    with ensure_pyramid(derived, other, SHA, min_side=256) as pyramid:
        assert pyramid.full_size == (800, 300)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "TIFF"])
@pytest.mark.parametrize("min_side", [256, 4096])
def test_truncated_image_is_bad_input(
    tmp_path: Path, derived: Path, image_format: str, min_side: int
) -> None:
    path = samples.make_truncated_image(tmp_path, image_format, keep=0.5)

    with pytest.raises(BadInputError) as exc:
        ensure_pyramid(derived, path, SHA, min_side=min_side)
    message = assert_one_line(exc)
    assert "truncated" in message or "damaged" in message
    assert list(derived.rglob("*.tif")) == []
    assert list(derived.rglob("*.part")) == []


def test_garbage_image_is_bad_input(tmp_path: Path, derived: Path) -> None:
    path = samples.make_garbage_image(tmp_path)

    with pytest.raises(BadInputError) as exc:
        ensure_pyramid(derived, path, SHA)
    assert "damaged" in assert_one_line(exc)


def test_bomb_is_refused_before_decoding(tmp_path: Path, derived: Path) -> None:
    path = samples.make_png_bomb(tmp_path)

    with pytest.raises(TooLargeError) as exc:
        ensure_pyramid(derived, path, SHA)
    assert "60000x60000" in assert_one_line(exc)


def test_progressive_jpeg_above_the_render_limit_is_refused(tmp_path: Path, derived: Path) -> None:
    path = samples.make_jpeg(tmp_path, size=(600, 400), progressive=True)

    with pytest.raises(TooLargeError) as exc:
        ensure_pyramid(derived, path, SHA, min_side=256, limits=Limits(max_render_pixels=10_000))
    assert "progressive JPEG" in assert_one_line(exc)


def test_unwritable_cache_is_a_library_error(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((600, 400)), tmp_path, "pic.png")
    (derived / "tiles").write_bytes(b"a file where the folder should be")

    with pytest.raises(LibraryError) as exc:
        ensure_pyramid(derived, path, SHA, min_side=256)
    assert "cannot write the image pyramid" in assert_one_line(exc)


# --- reading ---------------------------------------------------------------------------


def test_best_level_picks_the_coarsest_sharp_enough(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((1000, 700)), tmp_path, "pic.png")

    with ensure_pyramid(derived, path, SHA, min_side=256) as pyramid:
        assert pyramid.best_level(4.0) == 0
        assert pyramid.best_level(1.0) == 0
        assert pyramid.best_level(0.6) == 0
        assert pyramid.best_level(0.5) == 1
        assert pyramid.best_level(0.3) == 1
        assert pyramid.best_level(0.25) == 2
        assert pyramid.best_level(0.01) == 2


def test_regions_outside_the_level_are_refused(tmp_path: Path, derived: Path) -> None:
    path = save(noise_picture((300, 200)), tmp_path, "pic.png")
    pyramid = ensure_pyramid(derived, path, SHA)

    with pytest.raises(ValueError, match="not inside"):
        pyramid.read_region(0, 250, 0, 100, 10)
    with pytest.raises(ValueError, match="no level"):
        pyramid.read_region(9, 0, 0, 1, 1)
    pyramid.close()
    pyramid.close()
    with pytest.raises(PyramidClosedError):
        pyramid.read_region(0, 0, 0, 1, 1)


def test_reads_from_many_threads_agree(tmp_path: Path, derived: Path) -> None:
    picture = noise_picture((1024, 768))
    path = save(picture, tmp_path, "pic.png")
    tiles = [(level, x, y) for level in (0, 1) for x in (0, 256) for y in (0, 256)]

    with ensure_pyramid(derived, path, SHA, min_side=256, lossless=True) as pyramid:
        expected = {key: pyramid.read_region(key[0], key[1], key[2], 128, 128) for key in tiles}
        got: dict[tuple[int, int, int], bytes] = {}
        errors: list[BaseException] = []

        def work(offset: int) -> None:
            try:
                for i in range(40):
                    key = tiles[(i + offset) % len(tiles)]
                    data = pyramid.read_region(key[0], key[1], key[2], 128, 128)
                    if data != expected[key]:
                        got[key] = data
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert not got


# --- at import ----------------------------------------------------------------------------


def test_build_for_import_skips_what_needs_no_pyramid(tmp_path: Path, derived: Path) -> None:
    path = samples.make_png(tmp_path, size=(64, 48))
    small = {"width": 64, "height": 48}

    assert build_pyramid_for_import(derived, path, SHA, "image", small) is None
    assert build_pyramid_for_import(derived, path, SHA, "pdf", {}) is None
    assert not (derived / "tiles").exists()


def test_build_for_import_makes_the_pyramid(tmp_path: Path, derived: Path) -> None:
    path = samples.make_large_png(tmp_path, 4100, 300)
    metadata = {"width": 4100, "height": 300, "format": "PNG"}

    built = build_pyramid_for_import(derived, path, SHA, "image", metadata)
    assert built == pyramid_path(derived, SHA)
    with ImagePyramid.open_cached(built, (4100, 300)) as pyramid:
        assert pyramid.levels[-1] == (256, 18)


def test_build_for_import_never_fails_the_import(tmp_path: Path, derived: Path) -> None:
    path = samples.make_truncated_image(tmp_path, "PNG")
    metadata = {"width": 5000, "height": 5000}

    assert build_pyramid_for_import(derived, path, SHA, "image", metadata) is None


# --- coordinates ----------------------------------------------------------------------------


def test_coordinates_as_degrees_minutes_seconds() -> None:
    assert format_latitude(42.24) == "42°14′24.0″ N"
    assert format_longitude(130.3) == "130°18′00.0″ E"
    assert format_latitude(-33.8568) == "33°51′24.5″ S"
    assert format_longitude(-0.1275) == "0°07′39.0″ W"
    assert format_latitude(10.99999999) == "11°00′00.0″ N"
    assert format_decimal_position(42.24, -130.3) == "42.240000, -130.300000"
