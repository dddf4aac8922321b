"""Progress reporting and cancellation without Qt.

Services take a plain callback and a CancelToken; the CLI turns the
callback into a terminal progress bar, the desktop app into a dialog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workstation.core.errors import CancelledError


class CancelToken:
    """Set from any thread (Ctrl+C, a Cancel button); checked between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the running operation to stop at the next safe point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise CancelledError when cancelled."""
        if self._event.is_set():
            raise CancelledError("cancelled")


@dataclass(frozen=True)
class Progress:
    """One step of a long operation."""

    done: int
    total: int
    current: str | None = None
    item: Any = None


ProgressCallback = Callable[[Progress], None]
