"""OCR in the desktop (issue 13): the longest event-loop stall while the window's import
reads scanned pages, beside the same loop idle; and what a scanned page's text layer costs
the viewer (built from OCR words) beside MuPDF's own text layer of a born-digital page.

Prints figures; never passes or fails on time.
Usage: uv run python -m bench.bench_gui_ocr [--pages 6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _gaps(app: object, seconds: float | None, until: object = None) -> list[float]:
    """Gaps in ms between ticks of a 5 ms QTimer while the loop runs."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    end = time.perf_counter() + (seconds or 600)
    while time.perf_counter() < end and not (until is not None and until()):  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]


def _say(name: str, gaps: list[float]) -> None:
    gaps = sorted(gaps)
    p99 = gaps[int(len(gaps) * 0.99) - 1] if gaps else 0.0
    print(f"{name:34} ticks {len(gaps):5}  max {max(gaps):6.1f} ms  p99 {p99:5.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from bench.ocr_testset import page_lines
    from tests.samples import make_pdf
    from tests.scans import make_scanned_pdf
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.app.main_window import MainWindow
    from workstation.core.library import Library
    from workstation.ocr.viewing import ocr_page_texts
    from workstation.sources.pages import PdfDocument

    root = Path(tempfile.mkdtemp(prefix="bench-gui-ocr-"))
    try:
        lib = Library.open(root / "lib", reviewer="bench", create=True)
        scan = make_scanned_pdf(root / "in", [list(page_lines("eng"))] * args.pages, "eng")
        app = QApplication.instance() or QApplication([])
        settings = QSettings(str(root / "s.ini"), QSettings.Format.IniFormat)
        win = MainWindow(LibraryController(lib), settings=settings)
        win.resize(1024, 768)
        win.show()
        _gaps(app, 1.0)  # settle
        _say("idle window, 2 s", _gaps(app, 2.0))

        def summary() -> bool:
            return any(
                isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
            )

        started = time.perf_counter()
        win.import_paths([str(scan)])
        gaps = _gaps(app, None, summary)
        took = time.perf_counter() - started
        _say(f"import + OCR of {args.pages} pages ({took:.1f} s)", gaps)

        with lib.reader() as session:
            sid = 1
            t0 = time.perf_counter()
            layers = ocr_page_texts(session, sid)
            ocr_ms = (time.perf_counter() - t0) * 1000 / max(1, len(layers))
        words = statistics.mean(len(layer.text.split()) for layer in layers)
        digital = make_pdf(
            root / "d", pages=args.pages, texts=[" ".join(page_lines("eng"))] * args.pages
        )
        with PdfDocument(digital) as doc:
            t0 = time.perf_counter()
            for number in range(1, doc.page_count + 1):
                doc.page_text(number)
            own_ms = (time.perf_counter() - t0) * 1000 / doc.page_count
        print(
            f"text layer a page: from OCR words {ocr_ms:.2f} ms (read + build, ~{words:.0f} words);"
            f" MuPDF's own, same prose born-digital {own_ms:.2f} ms; ratio {ocr_ms / own_ms:.2f}"
        )
        win.close()  # closes the library
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
