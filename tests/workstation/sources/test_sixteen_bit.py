"""16-bit multiband imagery (satellite scenes) shown with a percentile stretch, not black."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from workstation.sources.imagery import ensure_pyramid

SHA = "cd" * 32


def _scene(folder: Path, size: int = 600, bands: int = 4) -> Path:
    """Counts around 1,200 of 65,535 as a sensor gives them, and one saturated glint."""
    rng = np.random.default_rng(7)
    data = rng.normal(1200, 300, (size, size, bands)).clip(0, 65535).astype("uint16")
    data[5, 5, :] = 65535
    path = folder / "scene16.tif"
    tifffile.imwrite(path, data, photometric="minisblack", planarconfig="contig", tile=(256, 256))
    return path


@pytest.mark.parametrize("min_side", [256, 100_000])  # through a pyramid, and read directly
def test_a_sixteen_bit_four_band_scene_is_stretched_to_mid_grey(
    tmp_path: Path, min_side: int
) -> None:
    derived = tmp_path / "derived"
    derived.mkdir()
    with ensure_pyramid(derived, _scene(tmp_path), SHA, min_side=min_side) as pyramid:
        assert pyramid.bands == 3  # the first three bands as RGB, no stray alpha
        pixels = np.frombuffer(pyramid.read_region(0, 0, 0, 600, 600), dtype=np.uint8)
    # A min-max stretch puts the mean near 4 (the glint takes the top); 2-98 % near 127.
    assert 100 < float(pixels.mean()) < 155
    assert int(pixels.max()) == 255
    assert int(pixels.min()) == 0
