"""A viewer's zoom as one short word, for the session kept between starts.

A PDF says ``fit-width``, ``fit-page`` or its zoom (``1.5``); an image ``fit`` or its
zoom; other viewers (articles, text) have none and say ``""``. ``apply_zoom`` puts
it back once the viewer has loaded its document, and keeps the page it was asked
to show.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.desktop.viewers.image.image_view import ImageView
from ui.desktop.viewers.pdf.page_layout import ZoomMode
from ui.desktop.viewers.pdf.pdf_view import PdfView

IMAGE_FIT = "fit"


def _view(viewer: QWidget | None) -> QWidget | None:
    view = getattr(viewer, "view", None)
    return view if isinstance(view, (PdfView, ImageView)) else None


def zoom_state(viewer: QWidget | None) -> str:
    """How ``viewer`` (a pane's viewer) is zoomed, as a word to keep; ``""`` if it has no zoom."""
    view = _view(viewer)
    if isinstance(view, PdfView):
        if view.zoom_mode is not ZoomMode.CUSTOM:
            return str(view.zoom_mode.value)
        return f"{view.zoom:.4g}"
    if isinstance(view, ImageView):
        return IMAGE_FIT if view.is_fitted or view.pyramid is None else f"{view.zoom:.4g}"
    return ""


def _number(state: str) -> float | None:
    try:
        value = float(state)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def apply_zoom(viewer: QWidget | None, state: str, page: int | None = None) -> None:
    """Zoom ``viewer`` as ``state`` says (a word from zoom_state); unknown words are ignored.

    Before the document has loaded, the zoom waits for it; ``page`` is shown again
    afterwards (zooming about the centre would move the view off it).
    """
    view = _view(viewer)
    if view is None or not state:
        return
    if isinstance(view, PdfView):
        pdf = view
        modes = {m.value: m for m in ZoomMode if m is not ZoomMode.CUSTOM}
        zoom = _number(state)
        if state not in modes and zoom is None:
            return

        def pdf_zoom(*_: object) -> None:
            if state in modes:
                pdf.set_zoom_mode(modes[state])
            elif zoom is not None:
                pdf.set_zoom(zoom)
            if page is not None:
                pdf.go_to_page(page)

        if pdf.is_loaded():
            pdf_zoom()
        else:
            pdf.loaded.connect(pdf_zoom, Qt.ConnectionType.SingleShotConnection)
    elif isinstance(view, ImageView):
        image = view
        zoom = _number(state)
        if state == IMAGE_FIT or zoom is None:
            return  # a new image is fitted anyway

        def image_zoom(*_: object) -> None:
            image.set_zoom(zoom)

        if image.pyramid is not None:
            image_zoom()
        else:
            image.loaded.connect(image_zoom, Qt.ConnectionType.SingleShotConnection)
