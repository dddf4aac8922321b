"""Screenshot of an OCRed photo of a document in the image viewer (docs/screenshots/ocr-image.png):
a marked passage, a selection, and the low-confidence words tinted.

Builds a throwaway library with one scanned-looking page (rough: blur, skew, speckle, JPEG,
so Tesseract is unsure of some words), OCRs it, marks a passage through the annotation
service, opens it in the main window and grabs the window.
Usage: uv run python -m bench.screenshot_ocr_image OUT.png  (QT_QPA_PLATFORM=xcb under Xvfb
to look at it live; offscreen by default)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LINES = [
    "BILL OF LADING  No. NP-2024-0311",
    "Shipper: Korea Songi General Trading Corp., Nampo",
    "Vessel: SKY VENUS  IMO 9321483  Flag: Sierra Leone",
    "Port of loading: Nampo   Port of discharge: Vostochny",
    "Description: 4,200 t anthracite coal in bulk",
    "Transferred at sea to AMBER TIDE on 12 March 2024,",
    "position 38°41'N 124°29'E, AIS off from 02:10 to 07:45.",
    "Freight prepaid. Three originals issued at Nampo.",
]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "ocr-image.png")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from tests.scans import ScanLook, make_scanned_image
    from ui.desktop.app.app import make_application
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.app.main_window import MainWindow
    from ui.desktop.viewers.frames import ImageSourceView
    from workstation.annotations.service import AnnotationService, find_quote
    from workstation.core.library import Library
    from workstation.ocr.layers import OcrService
    from workstation.sources.ingest import ImportService
    from workstation.sources.lookup import get_source

    folder = Path(tempfile.mkdtemp())
    look = ScanLook(skew=0.6, blur=1.1, speckle=0.004, jpeg_quality=45, photocopy=True)
    picture = make_scanned_image(
        folder / "in", LINES, "eng", dpi=150, look=look, fmt="JPEG", name="bill-of-lading.jpg"
    )
    library = Library.open(folder / "lib", reviewer="screenshot", create=True)
    (result,) = ImportService(library).import_paths([picture]).results
    source_id = result.source_id
    assert source_id is not None
    with OcrService(library, workers=1) as ocr:
        summary = ocr.run(source_id, "eng", force=True)
    assert summary is not None
    with library.writer() as session:
        source = get_source(session, source_id)
        for quote, code in (("AMBER TIDE", "maritime"), ("anthracite coal", "sectoral-exports")):
            anchor = find_quote(session, source, quote)
            AnnotationService(library).create(session, source_id, anchor, categories=[code])

    _app = make_application()  # kept: the application lives as long as this
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(LibraryController(library), settings=settings)
    window.resize(1600, 960)
    window.show()
    window.open_source(source_id)

    def wait(until: object, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not until() and time.monotonic() < deadline:  # type: ignore[operator]
            QApplication.processEvents()
            time.sleep(0.01)

    wait(lambda: isinstance(window.documents.current.viewer, ImageSourceView))
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    wait(lambda: viewer.view.pyramid is not None and viewer.text_layer.has_text)
    wait(lambda: bool(viewer.text_layer._spans))
    window.low_confidence_action.trigger()
    layout = viewer.text_layer.layout
    assert layout is not None
    start = layout.text.find("Vessel")
    if start >= 0:
        viewer.text_layer.set_selection(start, layout.text.find("\n", start))
    box = viewer.text_layer.union(0, len(layout.text))
    viewer.view.set_zoom(1.0)
    viewer.view.centerOn(box.center())
    wait(lambda: not viewer.view.missing_tile_count, 5)
    for _ in range(30):
        QApplication.processEvents()
        time.sleep(0.02)
    window.grab().save(str(out))
    print(f"{out}: low-confidence words {len(viewer.text_layer.low or [])}")
    window.close()
    library.close()


if __name__ == "__main__":
    main()
