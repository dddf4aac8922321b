"""Look at the image viewer: the demo satellite image in ImageView beside ImageInfoPanel.

Writes screenshots (fit, 100 % and 400 % on the ships) so a person can check the result:

    QT_QPA_PLATFORM=offscreen uv run python bench/show_image_view.py
    uv run python bench/show_image_view.py --image /tmp/workstation-bench/large.jpg

The demo image is 2000x1500, below the pyramid threshold; it is given a pyramid anyway
(``--min-side``, default 1024) so the tiled path is what gets drawn.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

from ui.desktop.viewers.image.image_info_panel import ImageInfoPanel  # noqa: E402
from ui.desktop.viewers.image.image_view import ImageView  # noqa: E402
from workstation.demo.corpus import write_demo_corpus  # noqa: E402
from workstation.sources.extract import DEFAULT_LIMITS, detect  # noqa: E402
from workstation.sources.extract.image import extract_image  # noqa: E402
from workstation.sources.imagery import ensure_pyramid  # noqa: E402


def wait_until(app: QApplication, condition: object, timeout: float = 20.0) -> None:
    """Run the event loop until condition() is true."""
    assert callable(condition)
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the view did not settle")
        app.processEvents()
        time.sleep(0.005)


def main() -> None:
    """Open the image, take the screenshots, print where they are."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", type=Path, help="an image file (default: the demo JPEG)")
    parser.add_argument("--min-side", type=int, default=1024, help="pyramid threshold")
    parser.add_argument("--out", type=Path, default=Path("/tmp"), help="where PNGs go")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="imageview-") as tmp:
        folder = Path(tmp)
        image_path: Path = args.image or next(
            p for p in write_demo_corpus(folder / "demo") if p.suffix == ".jpg"
        )
        metadata = extract_image(image_path, detect(image_path), DEFAULT_LIMITS).metadata
        sha = hashlib.sha256(str(image_path.resolve()).encode()).hexdigest()
        start = time.perf_counter()
        pyramid = ensure_pyramid(folder / "derived", image_path, sha, min_side=args.min_side)
        print(f"opened {pyramid} in {time.perf_counter() - start:.2f} s")

        window = QWidget()
        window.setWindowTitle("Image viewer")
        view = ImageView(window)
        panel = ImageInfoPanel(window)
        panel.setFixedWidth(340)
        layout = QHBoxLayout(window)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(view, 1)
        layout.addWidget(panel)
        window.resize(1280, 720)
        window.show()
        view.set_pyramid(pyramid, take_ownership=True)
        panel.set_metadata(metadata)

        def settle() -> None:
            app.processEvents()
            wait_until(app, lambda: view.missing_tile_count == 0 and view.pending_tile_count == 0)
            app.processEvents()

        shots = []
        settle()
        shots.append(("fit", window.grab()))
        # The ship alongside the middle pier of the demo image (its pixel coordinates).
        width, height = pyramid.full_size
        ship = QPointF(width * 0.66, height * 0.53)
        for name, zoom in (("100", 1.0), ("400", 4.0)):
            view.set_zoom(zoom)
            view.centerOn(ship)
            settle()
            shots.append((name, window.grab()))
        view.fit()
        # Right after a jump to 100 %, before any sharp tile: coarser tiles stand in.
        view.set_zoom(1.0)
        view.centerOn(QPointF(width * 0.2, height * 0.8))
        app.processEvents()
        shots.append(("standin", window.grab()))
        for name, shot in shots:
            target = args.out / ("imageview.png" if name == "fit" else f"imageview-{name}.png")
            shot.save(str(target))
            print(f"{name:>8}: {target} ({shot.width()}x{shot.height()})")
        QTimer.singleShot(0, window.close)
        window.close()
        view.close_image()


if __name__ == "__main__":
    main()
