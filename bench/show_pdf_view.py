"""Look at the PDF viewer: a generated PDF in PdfView beside a PageStrip, saved as PNGs.

    QT_QPA_PLATFORM=offscreen uv run python bench/show_pdf_view.py [--out /tmp/pdfview.png]
    QT_QPA_PLATFORM=offscreen uv run python bench/show_pdf_view.py --big

--big opens the dense 1,000-page text PDF of bench/corpora.py instead and prints figures:
time to the first page shown, page-to-page times while stepping through pages at 100 %,
bare render times, find over the whole document, and the process's memory after visiting
every page. Figures only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

from tests.samples import KOREAN, RUSSIAN, make_pdf  # noqa: E402
from ui.desktop.viewers.pdf.page_strip import PageStrip  # noqa: E402
from ui.desktop.viewers.pdf.pdf_view import PdfView  # noqa: E402

REPORT = (
    "Panel of Experts report, annex 14.\n\n"
    "The tanker was photographed alongside the oil pier at Nampo on 3 March, loading what "
    "appeared to be refined petroleum products in breach of the annual cap. Satellite imagery "
    "reviewed by the panel shows the vessel with its AIS transponder switched off for eleven "
    "days before arrival, a pattern consistent with earlier ship-to-ship transfers in the "
    "East China Sea.\n\nThe ship's registered owner, a company in a third country, did not "
    "answer requests for comment sent to its listed address. The tanker later sailed north."
)


def wait(app: QApplication, until: object, timeout_ms: int = 10_000) -> None:
    clock = QElapsedTimer()
    clock.start()
    while not until() and clock.elapsed() < timeout_ms:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.001)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _summary(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    median = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{label:<44} median {_ms(median)}  p95 {_ms(p95)}  max {_ms(ordered[-1])}")


def big(app: QApplication, folder: Path) -> None:
    """Figures for the 1,000-page PDF."""
    import psutil

    from bench.corpora import ensure, make_text_pdf
    from workstation.sources.pages import PdfDocument

    path = ensure(folder / "text-1000.pdf", make_text_pdf)
    process = psutil.Process()
    print(f"PDF: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"RSS before opening: {process.memory_info().rss / 1e6:.0f} MB")

    start = time.perf_counter()
    document = PdfDocument(path)
    opened = time.perf_counter() - start
    print(f"{'PdfDocument open + 1,000 page sizes':<44} {_ms(opened)}")
    document.close()

    window = QWidget()
    window.resize(1100, 900)
    layout = QHBoxLayout(window)
    clock = QElapsedTimer()
    clock.start()
    view = PdfView(path)
    strip = PageStrip(view)
    layout.addWidget(strip)
    layout.addWidget(view, 1)
    window.show()
    wait(app, lambda: view.is_page_rendered(1))
    app.processEvents()  # the paint that shows it
    print(f"{'PdfView created -> page 1 shown (fit width)':<44} {clock.elapsed():7.1f} ms")

    view.set_zoom(1.0)
    wait(app, lambda: view.is_page_rendered(view.current_page))
    steps: list[float] = []
    for number in range(2, 202):
        begin = time.perf_counter()
        view.go_to_page(number)
        app.processEvents()
        wait(app, lambda n=number: view.is_page_rendered(n))
        app.processEvents()
        steps.append(time.perf_counter() - begin)
    _summary("page-to-page at 100% (go_to_page, prefetch)", steps)

    # Scrolling by wheel-sized steps: how long the GUI thread is busy per step.
    bar = view._area.verticalScrollBar()
    ticks: list[float] = []
    waits: list[float] = []
    for _ in range(600):
        begin = time.perf_counter()
        bar.setValue(bar.value() + 120)
        app.processEvents()
        ticks.append(time.perf_counter() - begin)
        visible = list(view._visible_pages())
        begin = time.perf_counter()
        wait(app, lambda v=visible: all(view.is_page_rendered(n) for n in v))
        waits.append(time.perf_counter() - begin)
    _summary("scroll step, GUI thread (120 px)", ticks)
    _summary("scroll step, until pages in view drawn", waits)

    document = view.document
    assert document is not None
    renders: list[float] = []
    for number in range(300, 340):
        begin = time.perf_counter()
        document.render(number, 96 / 72)
        renders.append(time.perf_counter() - begin)
    _summary("bare render at 100% (96 dpi, 794x1123 px)", renders)
    renders = []
    for number in range(340, 380):
        begin = time.perf_counter()
        document.render(number, 2 * 96 / 72)
        renders.append(time.perf_counter() - begin)
    _summary("bare render at 100% on a 2x screen", renders)
    texts: list[float] = []
    for number in range(380, 420):
        begin = time.perf_counter()
        document.page_text(number)
        texts.append(time.perf_counter() - begin)
    _summary("page text with character boxes", texts)

    begin = time.perf_counter()
    view.find("vessel")
    wait(app, lambda: view.hit_count > 0, 60_000)
    first_hit = time.perf_counter() - begin
    wait(app, lambda: not view.find_running, 120_000)
    print(
        f"{'find vessel: first hit / all pages':<44} {_ms(first_hit)} / "
        f"{_ms(time.perf_counter() - begin)}  ({view.hit_count} hits)"
    )
    begin = time.perf_counter()
    view.find("tanker")
    wait(app, lambda: not view.find_running, 120_000)
    print(f"{'find again (page texts cached)':<44} {_ms(time.perf_counter() - begin)}")

    for number in range(1, view.page_count + 1, 3):
        view.go_to_page(number)
        app.processEvents()
    strip.scrollToBottom()
    wait(app, lambda: view.is_page_rendered(view.current_page))
    app.processEvents()
    print(
        f"RSS after visiting every page: {process.memory_info().rss / 1e6:.0f} MB "
        f"(page cache {view.cache.nbytes / 1e6:.0f} MB in {len(view.cache)} pages)"
    )
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="/tmp/pdfview.png")
    parser.add_argument("--pdf", type=Path, help="show this PDF instead of a generated one")
    parser.add_argument("--big", action="store_true", help="figures for a 1,000-page PDF")
    parser.add_argument(
        "--folder",
        type=Path,
        default=Path(tempfile.gettempdir()) / "workstation-bench",
        help="where the benchmark corpora are cached",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    if args.big:
        big(app, args.folder)
        return
    folder = Path(tempfile.mkdtemp(prefix="pdfview-"))
    path = args.pdf or make_pdf(
        folder, texts=[REPORT, REPORT, KOREAN * 6, RUSSIAN * 4, REPORT, REPORT], name="r.pdf"
    )
    window = QWidget()
    window.resize(1100, 800)
    layout = QHBoxLayout(window)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    clock = QElapsedTimer()
    clock.start()
    view = PdfView(path)
    strip = PageStrip(view)
    layout.addWidget(strip)
    layout.addWidget(view, 1)
    window.show()
    wait(app, lambda: view.is_page_rendered(1))
    print(f"first page shown after {clock.elapsed()} ms")
    view.find("tanker")
    wait(app, lambda: not view.find_running)
    view.find_next()
    layout_1 = view.document.page_text(1) if view.document else None
    if layout_1 is not None:
        start = layout_1.text.index("Satellite")
        view.set_selection(1, start, start + 60)
    view.show_find_bar()
    view.find_bar.set_text("tanker")
    view.find_bar._show_status(view.current_hit, view.hit_count)
    wait(app, lambda: all(view.is_page_rendered(n) for n in (1, 2)))
    wait(app, lambda: strip.thumbnails.thumbnail_ready(0) and strip.thumbnails.thumbnail_ready(1))
    app.processEvents()
    window.grab().save(args.out)
    print(f"saved {args.out}")
    # Several pages at once: gaps, shadows, borders.
    view.find_bar.close_bar()
    view.set_zoom(0.5)
    wait(app, lambda: all(view.is_page_rendered(n) for n in view._visible_pages()))
    pages_out = args.out.replace(".png", "-pages.png")
    window.grab().save(pages_out)
    print(f"saved {pages_out}")
    # Placeholders: grab straight after a jump, before the renders are back.
    view.set_zoom(1.5)
    view.go_to_page(4)
    app.processEvents()
    placeholder_out = args.out.replace(".png", "-placeholder.png")
    window.grab().save(placeholder_out)
    print(f"saved {placeholder_out}")
    window.close()


if __name__ == "__main__":
    main()
