"""Every setting the desktop app keeps between runs, typed, in one place.

Widgets read and write ``Settings`` attributes instead of string keys spread
over QSettings calls, so a key, its type and its default are written once
(napari's settings model is the example). The store is QSettings: the
platform's own place, or an .ini file in tests. What the command line and the
environment decide (library folder, reviewer) stays in ``workstation.core.config``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

RECENT_LIBRARIES_MAX = 8
RECENT_CATEGORIES_MAX = 8


@dataclass(frozen=True)
class FindingsFilter:
    """What the Findings panel shows: a status, a case name, a measure code ('' for all)."""

    status: str = ""
    case: str = ""
    measure: str = ""


@dataclass(frozen=True)
class ImagePair:
    """A picture remembered as paired with another: the other's SHA-256, and the
    two-point alignment (pixels in this picture, the same places in the other; both
    empty when the pair is not aligned by hand)."""

    other: str
    mine: tuple[tuple[float, float], ...] = ()
    theirs: tuple[tuple[float, float], ...] = ()


class Settings:
    """Typed access to the app's QSettings store.

    Args:
        store: the QSettings to keep them in (default: the platform's own).
    """

    # The keys of settings files written by earlier versions; never rename one.
    _REVIEWER = "reviewer"
    _RECENT_LIBRARIES = "recentLibraries"
    _LAST_IMPORT_DIR = "lastImportDir"
    _GEOMETRY = "mainWindow/geometry"
    _STATE = "mainWindow/state"
    _RECENT_CATEGORIES = "categoryPicker/recent"
    _FINDINGS_FILTER = "findingsPanel/"  # + status, case, measure
    _PAGE_STRIP = "viewers/pageStrip"
    _LIST_THUMBNAILS = "library/thumbnails"
    _LOW_CONFIDENCE = "viewers/lowConfidenceWords"
    _IMAGE_PAIRS = "imagePairs/"  # + a picture's SHA-256

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings()

    @classmethod
    def of(cls, value: Settings | QSettings | None) -> Settings:
        """``value`` as Settings (a bare QSettings is wrapped; None: the platform's)."""
        return value if isinstance(value, Settings) else cls(value)

    def _text(self, key: str) -> str:
        value = self.store.value(key, "")
        return value.strip() if isinstance(value, str) else ""

    def _list(self, key: str) -> list[str]:
        value = self.store.value(key, [])
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            return [value] if value else []
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []

    def _flag(self, key: str, default: bool) -> bool:
        value = self.store.value(key, default)
        if isinstance(value, str):  # an .ini file gives 'true' / 'false' back
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) else None

    # --- who -------------------------------------------------------------------

    @property
    def reviewer(self) -> str:
        """The name asked for on first start ('' until then)."""
        return self._text(self._REVIEWER)

    @reviewer.setter
    def reviewer(self, name: str) -> None:
        self.store.setValue(self._REVIEWER, name.strip())

    # --- where -----------------------------------------------------------------

    @property
    def recent_libraries(self) -> list[str]:
        """Library folders opened before, most recent first."""
        return self._list(self._RECENT_LIBRARIES)

    def remember_library(self, path: str) -> None:
        """Put a library folder at the top of the recent list."""
        rest = [p for p in self.recent_libraries if p != path]
        self.store.setValue(self._RECENT_LIBRARIES, [path, *rest][:RECENT_LIBRARIES_MAX])

    @property
    def last_import_dir(self) -> str:
        """The folder the last import came from ('' at first)."""
        return self._text(self._LAST_IMPORT_DIR)

    @last_import_dir.setter
    def last_import_dir(self, folder: str) -> None:
        self.store.setValue(self._LAST_IMPORT_DIR, folder)

    # Folders the file dialogs start in, by what they are for.
    FOLDER_KINDS = ("export", "bundles", "keys")

    def folder(self, kind: str) -> str:
        """The folder a ``kind`` file dialog last chose ('export': where bundles
        were written, 'bundles': where bundles were verified or imported from,
        'keys': where key files were), else the home folder (never the program's
        working directory)."""
        assert kind in self.FOLDER_KINDS, kind
        saved = self._text(f"folders/{kind}")
        return saved if saved and Path(saved).is_dir() else str(Path.home())

    def remember_folder(self, kind: str, path: str | Path) -> None:
        """Keep the folder of ``path`` (a file, or a folder itself) for ``kind``."""
        assert kind in self.FOLDER_KINDS, kind
        chosen = Path(path).expanduser()
        folder = chosen if chosen.is_dir() else chosen.parent
        self.store.setValue(f"folders/{kind}", str(folder))

    # --- the last session ------------------------------------------------------

    @staticmethod
    def _session_key(library_root: str) -> str:
        return "session/" + hashlib.sha256(library_root.encode()).hexdigest()[:16]

    def session(self, library_root: str) -> list[tuple[int, int, str]]:
        """(source id, page, zoom) of the panes open when a library was last closed;
        the zoom is a word from ui.desktop.viewers.zoom_state ("" when none was kept)."""
        opened: list[tuple[int, int, str]] = []
        for entry in self._list(self._session_key(library_root)):
            source, _, rest = entry.partition("@")
            page, _, zoom = rest.partition("@")
            if source.isdigit():
                opened.append((int(source), int(page) if page.isdigit() else 1, zoom))
        return opened

    def remember_session(self, library_root: str, opened: list[tuple[int, int, str]]) -> None:
        """Keep what the panes show (source, page, zoom) for the next start on this library."""
        key = self._session_key(library_root)
        if opened:
            self.store.setValue(key, [f"{sid}@{page}@{zoom}" for sid, page, zoom in opened])
        else:
            self.store.remove(key)

    # --- the window --------------------------------------------------------------

    @property
    def window_geometry(self) -> QByteArray | None:
        """The main window's saved geometry, if any."""
        return self._bytes(self._GEOMETRY)

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self.store.setValue(self._GEOMETRY, value)

    @property
    def window_state(self) -> QByteArray | None:
        """The main window's saved docks and toolbars, if any."""
        return self._bytes(self._STATE)

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue(self._STATE, value)

    def forget_layout(self) -> None:
        """Drop the saved geometry and docks: the next start lays out the defaults."""
        self.store.remove(self._GEOMETRY)
        self.forget_state()

    def forget_state(self) -> None:
        """Drop the saved docks and toolbars (the size stays)."""
        self.store.remove(self._STATE)

    @property
    def page_strip(self) -> bool:
        """Whether PDF panes show their page thumbnails (View > Page Thumbnails)."""
        return self._flag(self._PAGE_STRIP, True)

    @page_strip.setter
    def page_strip(self, on: bool) -> None:
        self.store.setValue(self._PAGE_STRIP, bool(on))

    @property
    def list_thumbnails(self) -> bool:
        """Whether the library list shows thumbnails (tall rows) or kind icons (compact)."""
        return self._flag(self._LIST_THUMBNAILS, False)

    @list_thumbnails.setter
    def list_thumbnails(self, on: bool) -> None:
        self.store.setValue(self._LIST_THUMBNAILS, bool(on))

    @property
    def low_confidence_words(self) -> bool:
        """Whether viewers tint OCR words read with low confidence (View menu; off)."""
        return self._flag(self._LOW_CONFIDENCE, False)

    @low_confidence_words.setter
    def low_confidence_words(self, on: bool) -> None:
        self.store.setValue(self._LOW_CONFIDENCE, bool(on))

    # --- marking -----------------------------------------------------------------

    @property
    def recent_categories(self) -> list[str]:
        """Category codes picked lately, most recent first."""
        return self._text(self._RECENT_CATEGORIES).split()

    def remember_category(self, code: str) -> None:
        """Put a category code at the front of the recent list."""
        codes = [code, *(c for c in self.recent_categories if c != code)]
        self.store.setValue(self._RECENT_CATEGORIES, " ".join(codes[:RECENT_CATEGORIES_MAX]))

    # --- findings ----------------------------------------------------------------

    @property
    def findings_filter(self) -> FindingsFilter:
        """The Findings panel's filters as last set (all findings at first)."""
        key = self._FINDINGS_FILTER
        return FindingsFilter(
            self._text(key + "status"), self._text(key + "case"), self._text(key + "measure")
        )

    @findings_filter.setter
    def findings_filter(self, value: FindingsFilter) -> None:
        for name in ("status", "case", "measure"):
            self.store.setValue(self._FINDINGS_FILTER + name, getattr(value, name))

    # --- before and after ---------------------------------------------------------

    def image_pair(self, sha256: str) -> ImagePair | None:
        """The picture an earlier version remembered as compared with this one (by content),
        and the alignment. Read only: pairs are kept in the library now
        (``workstation.geo.pairs``); Compare offers this one as a suggestion."""
        try:
            doc = json.loads(self._text(self._IMAGE_PAIRS + sha256) or "null")
            return ImagePair(
                str(doc["with"]),
                tuple((float(x), float(y)) for x, y in doc["mine"]),
                tuple((float(x), float(y)) for x, y in doc["theirs"]),
            )
        except (ValueError, TypeError, KeyError):  # none, or not written by us
            return None

    def remember_image_pair(
        self,
        first: str,
        second: str,
        points: tuple[Sequence[tuple[float, float]], Sequence[tuple[float, float]]] = ((), ()),
    ) -> None:
        """Pair two pictures (by SHA-256) both ways, with the alignment's points in each, as
        earlier versions did (the program no longer writes these; tests make old settings)."""
        mine, theirs = [list(p) for p in points[0]], [list(p) for p in points[1]]
        for this, other, a, b in ((first, second, mine, theirs), (second, first, theirs, mine)):
            doc = {"with": other, "mine": a, "theirs": b}
            self.store.setValue(self._IMAGE_PAIRS + this, json.dumps(doc))

    def sync(self) -> None:
        """Write pending changes to the store now."""
        self.store.sync()
