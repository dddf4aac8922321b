"""The OCR text layer over a picture in the image viewer (issue 13): what a page of 2,000
words costs the GUI thread when the text arrives, on each paint (marks, find hits, the
selection and low-confidence words drawn) and on each mouse move of a drag-selection,
beside the bare viewer painting the same picture in the same run.

Goal: no stall over 100 ms. Prints figures; never passes or fails on time.
Usage: uv run python -m bench.bench_image_ocr_overlay [--words 2000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PAGE = (2480, 3508)  # A4 at 300 dpi
WORD = ("IMO", "9321483", "SKY", "VENUS", "Nampo", "tanker", "cargo", "2024", "port", "met")


def _page(words: int) -> tuple[str, list[tuple[str, float, float, float, float, int]], list[float]]:
    """A page's text with word boxes in lines (as OCR gives them) and a confidence each."""
    rng = random.Random(7)
    per_line = 18
    lines = -(-words // per_line)
    line_height = (PAGE[1] - 400) / lines
    text_parts: list[str] = []
    boxes: list[tuple[str, float, float, float, float, int]] = []
    confidences: list[float] = []
    offset = 0
    for index in range(words):
        line, column = divmod(index, per_line)
        if column == 0 and index:
            text_parts.append("\n")
            offset += 1
        elif column:
            text_parts.append(" ")
            offset += 1
        word = rng.choice(WORD)
        x0 = 200 + column * 115.0
        y0 = 200 + line * line_height
        boxes.append((word, x0, y0, x0 + 12.0 * len(word), y0 + line_height * 0.6, offset))
        confidences.append(rng.uniform(20, 60) if rng.random() < 0.15 else rng.uniform(80, 97))
        text_parts.append(word)
        offset += len(word)
    return "".join(text_parts), boxes, confidences


def _times(run: Callable[[], object], repeat: int) -> list[float]:
    made: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        made.append((time.perf_counter() - started) * 1000)
    return made


def _say(name: str, ms: list[float], bare: list[float] | None = None) -> None:
    line = f"{name:46} median {statistics.median(ms):7.2f} ms  max {max(ms):7.2f} ms"
    if bare:
        line += f"  ({statistics.median(ms) / statistics.median(bare):4.2f}x bare)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from PIL import Image, ImageDraw
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QBrush, QColor
    from PySide6.QtWidgets import QApplication

    from ui.desktop.viewers.image.image_text import ImageTextLayer
    from ui.desktop.viewers.image.image_view import ImageView
    from workstation.ocr.viewing import LOW_CONFIDENCE, LowWord, LowWords
    from workstation.sources.imagery import ensure_pyramid
    from workstation.sources.pages import page_text_from_words

    app = QApplication.instance() or QApplication([])
    text, boxes, confidences = _page(args.words)
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "page.png"
        image = Image.new("L", PAGE, 245)
        draw = ImageDraw.Draw(image)
        for _word, x0, y0, x1, y1, _offset in boxes:
            draw.rectangle((x0, y0 + 4, x1, y1 - 4), fill=40)  # ink where the words are
        image.save(picture)
        pyramid = ensure_pyramid(Path(folder) / "derived", picture, "0" * 64)

        view = ImageView()
        view.resize(1400, 900)
        view.show()
        view.set_pyramid(pyramid, take_ownership=True)
        viewport = view.viewport()

        def settle() -> None:
            deadline = time.perf_counter() + 30
            while (view.pending_tile_count or view.missing_tile_count) and (
                time.perf_counter() < deadline
            ):
                app.processEvents()
                time.sleep(0.005)
            app.processEvents()

        settle()
        print(f"{len(boxes)} words, {len(text)} characters, picture {PAGE[0]}x{PAGE[1]}")

        # The text arrives: PageText and LowWords are built on the read worker, set_text
        # (line boxes for hit-testing) on the GUI thread.
        built = _times(lambda: page_text_from_words(1, text, boxes), 5)
        _say("page text from 2,000 word boxes (worker)", built)
        layout = page_text_from_words(1, text, boxes)
        lows = [
            LowWord(w[0], w[1], w[2], w[3], w[4], c)
            for w, c in zip(boxes, confidences, strict=True)
            if c < LOW_CONFIDENCE
        ]
        _say("low-confidence index (worker)", _times(lambda: LowWords(lows), 5))
        low = LowWords(lows)

        class CountingLayer(ImageTextLayer):
            paints = 0

            def paint(self, *args: object) -> None:
                CountingLayer.paints += 1
                super().paint(*args)  # type: ignore[arg-type]

        layer = CountingLayer(*PAGE)

        def arrive() -> None:
            layer.set_text(layout, low)

        _say("text arrives (GUI thread)", _times(arrive, 5))

        for zoom_name, zoom in (("fit", None), ("100 %", 1.0)):
            if zoom is None:
                view.fit()
            else:
                view.set_zoom(zoom)
                view.centerOn(QPointF(PAGE[0] / 2, PAGE[1] / 2))
            settle()
            view.set_text_layer(None)
            bare = _times(viewport.repaint, args.repeat)
            _say(f"repaint, bare viewer, {zoom_name}", bare)
            view.set_text_layer(layer)
            layer.set_text(layout, low)
            _say(
                f"repaint, text layer (nothing lit), {zoom_name}",
                _times(viewport.repaint, args.repeat),
                bare,
            )
            # Five marks, every hit of a common word, the whole page selected, low words.
            marks = [(QBrush(QColor(255, 200, 120)), s * 2000, s * 2000 + 400) for s in range(5)]
            layer.set_spans(marks)
            hits = layer.find("nampo")
            layer.set_selection(0, len(text))
            layer.set_low_visible(True)
            lit = _times(viewport.repaint, args.repeat)
            _say(f"repaint, all lit ({hits} hits, {len(low)} low words), {zoom_name}", lit, bare)
            print(f"{'':46} low words drawn by the last paint: {layer.painted_words}")
            layer.set_low_visible(False)
            layer.clear_selection()
            layer.find("")
            layer.set_spans([])

        # A drag-selection across the page at fit: each move finds the caret and repaints.
        view.fit()
        settle()
        first = boxes[0]
        layer.press(QPointF(first[1] + 1, first[2] + 5), False)
        app.processEvents()
        moves: list[float] = []
        painted = CountingLayer.paints
        for step in range(args.repeat):
            word = boxes[(step * len(boxes)) // args.repeat]
            point = QPointF(word[3] - 1, word[2] + 5)
            started = time.perf_counter()
            layer.drag(point)
            # The repaint it asked for (the lines the caret crossed): the scene's update
            # is queued, then the viewport's paint event.
            app.processEvents()
            app.processEvents()
            moves.append((time.perf_counter() - started) * 1000)
        layer.release()
        _say("drag-select, one mouse move + its repaint", moves)
        count = CountingLayer.paints - painted
        print(f"{'':46} text layer painted {count} times in {len(moves)} moves")
        full: list[float] = []
        for step in range(args.repeat):
            word = boxes[(step * len(boxes)) // args.repeat]
            started = time.perf_counter()
            layer.drag(QPointF(word[1] + 1, word[2] + 5))
            viewport.repaint()
            full.append((time.perf_counter() - started) * 1000)
        _say("drag-select, one mouse move + whole repaint", full)
        view.close_image()
        view.close()


if __name__ == "__main__":
    main()
