"""Choose the picture to compare with: every other image, overlapping ones first; the
choice is kept as a library pair (``workstation.geo.pairs``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.viewers.source_view import SourceView
from workstation.geo.pairing import Candidate, pair_candidates

if TYPE_CHECKING:
    from ui.desktop.app.controller import LibraryController


class PairChooser(QDialog):
    """A list of images to pair with ``title``; ``chosen`` gets the source id."""

    def __init__(
        self,
        title: str,
        candidates: list[Candidate],
        chosen: Callable[[int], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare with…")
        self.chosen = chosen
        self.list = QListWidget()
        for candidate in candidates:
            item = QListWidgetItem(candidate.label)
            item.setData(Qt.ItemDataRole.UserRole, candidate.source_id)
            self.list.addItem(item)
        if candidates:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(candidates))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Compare {title} with: images of the same place first. The one you choose is "
            "kept in the library as a before and after pair; a picture without coordinates "
            "is aligned by two points in the Compare window."
            if candidates
            else "There is no other image in the library to compare with."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def accept(self) -> None:
        """Compare with the current row's picture."""
        item = self.list.currentItem()
        super().accept()
        if item is not None:
            self.chosen(int(item.data(Qt.ItemDataRole.UserRole)))


def choose_pair(
    controller: LibraryController,
    source: SourceView,
    chosen: Callable[[int], None],
    on_message: Callable[[str], None],
) -> None:
    """List the images (off the GUI thread), then show the chooser."""

    def show(candidates: list[Candidate]) -> None:
        dialog = PairChooser(source.title, candidates, chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _open.append(dialog)
        dialog.destroyed.connect(lambda: _open.remove(dialog))
        dialog.open()

    controller.query(
        lambda session: pair_candidates(session, source.source_id), show, on_error=on_message
    )


_open: list[PairChooser] = []  # shown choosers, kept from the collector
