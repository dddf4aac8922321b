"""Rendered PDF pages kept for repainting, bounded by bytes."""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from PySide6.QtGui import QImage


class _Entry(NamedTuple):
    image: QImage
    samples: bytes  # the QImage reads these bytes; keep them alive with it
    nbytes: int


class PageImageCache:
    """Rendered pages keyed by (page, scale), least recently used dropped first.

    Bounded by bytes. Keeps one scale per page: a fresh render replaces older ones.

    Args:
        budget: Bytes of pixels to keep at most (the newest entry is always kept).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[int, float], _Entry] = OrderedDict()
        self._scales: dict[int, set[float]] = {}
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, page: int, scale: float) -> QImage | None:
        """The render of page at scale, marking it recently used."""
        entry = self._entries.get((page, scale))
        if entry is None:
            return None
        self._entries.move_to_end((page, scale))
        return entry.image

    def best(self, page: int, scale: float) -> tuple[QImage, bool] | None:
        """The render at scale, else any render of the page; and whether it is exact."""
        exact = self.get(page, scale)
        if exact is not None:
            return exact, True
        scales = self._scales.get(page)
        if not scales:
            return None
        return self._entries[(page, max(scales))].image, False

    def put(self, page: int, scale: float, image: QImage, samples: bytes) -> None:
        """Store a render, dropping the page's other scales and then the least recent."""
        for old in list(self._scales.get(page, ())):
            self._drop((page, old))
        nbytes = max(int(image.sizeInBytes()), len(samples))
        self._entries[(page, scale)] = _Entry(image, samples, nbytes)
        self._scales.setdefault(page, set()).add(scale)
        self.nbytes += nbytes
        while self.nbytes > self.budget and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every render."""
        self._entries.clear()
        self._scales.clear()
        self.nbytes = 0

    def _drop(self, key: tuple[int, float]) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.nbytes -= entry.nbytes
        scales = self._scales.get(key[0])
        if scales is not None:
            scales.discard(key[1])
            if not scales:
                del self._scales[key[0]]
