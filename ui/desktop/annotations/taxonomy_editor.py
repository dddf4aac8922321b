"""Edit the taxonomy of violation categories from the desktop.

Every change goes through ``workstation.taxonomy.tree`` on the write thread; the
dialog holds no rule of its own, it only shows what the service says.

Signals:
    taxonomyChanged(): a change was written (pickers and panels should reload).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import TAXONOMY
from workstation.core.errors import WorkstationError
from workstation.core.library import Library
from workstation.taxonomy.interchange import export_taxonomy, import_taxonomy
from workstation.taxonomy.tree import (
    CategoryNode,
    add_category,
    deprecate_category,
    list_categories,
    merge_categories,
    move_category,
    rename_category,
    update_category,
)

CODE_ROLE = Qt.ItemDataRole.UserRole + 30
LABEL_COLUMN, CODE_COLUMN, USAGE_COLUMN = range(3)
SWATCH_PX = 12
NO_COLOUR = "#9e9e9e"
TOP_LEVEL = "(top level)"
RENAME_TIP = (
    "Change the label only. A category's code never changes, because annotations, "
    "findings and exported bundles refer to it."
)


def swatch(colour: str | None) -> QIcon:
    """A small square icon filled with ``colour`` (grey when unset)."""
    pixmap = QPixmap(SWATCH_PX, SWATCH_PX)
    pixmap.fill(QColor(colour or NO_COLOUR))
    return QIcon(pixmap)


class _AddChildDialog(QDialog):
    """Ask for the code and label of a new category under ``parent``."""

    def __init__(self, parent_code: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add category")
        self.prefix = f"{parent_code}." if parent_code else ""
        self.code = QLineEdit(self.prefix)
        self.code.setPlaceholderText("e.g. maritime.sts-transfer")
        self.code.setToolTip("Lowercase letters, digits and '-'; the code can never change later.")
        self.label = QLineEdit()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Under:", QLabel(parent_code or TOP_LEVEL))
        form.addRow("Code:", self.code)
        form.addRow("Label:", self.label)
        form.addRow(buttons)
        self.code.setFocus()
        self.code.setCursorPosition(len(self.prefix))


class TaxonomyEditor(QDialog):
    """A non-modal dialog over the library's categories: tree, details and actions.

    The ``add_child``, ``rename``, ``move_to``, ``merge``, ``set_deprecated``,
    ``save_details``, ``export_to`` and ``import_from`` methods do the work
    without asking anything; the buttons ask the reviewer, then call them.

    Signals:
        taxonomyChanged(): a change was written to the library.
    """

    taxonomyChanged = Signal()

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Violation categories")
        self.setModal(False)
        self._nodes: dict[str, CategoryNode] = {}
        self._running = 0
        self._reloads = 0
        self.last_error: str | None = None

        self.show_deprecated = QCheckBox("Show deprecated")
        self.show_deprecated.toggled.connect(lambda _checked: self.reload())
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Category", "Code", "Used"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(LABEL_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CODE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(USAGE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_details())

        self.add_button = QPushButton("Add child…")
        self.add_button.setToolTip("Add a category under the selected one (or at the top level).")
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setToolTip(RENAME_TIP)
        self.move_button = QPushButton("Move…")
        self.move_button.setToolTip("Put the category under another parent; its code stays.")
        self.merge_button = QPushButton("Merge into…")
        self.merge_button.setToolTip(
            "Move its annotations, findings and sub-categories to another category, "
            "then deprecate it."
        )
        self.deprecate_button = QPushButton("Deprecate")
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        self.add_button.clicked.connect(self._ask_add_child)
        self.rename_button.clicked.connect(self._ask_rename)
        self.move_button.clicked.connect(self._ask_move)
        self.merge_button.clicked.connect(self._ask_merge)
        self.deprecate_button.clicked.connect(self._toggle_deprecated)
        self.export_button.clicked.connect(self._ask_export)
        self.import_button.clicked.connect(self._ask_import)

        self.code_label = QLabel()
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setToolTip(RENAME_TIP)
        self.usage_label = QLabel()
        self.label_edit = QLineEdit()
        self.legal_basis_edit = QLineEdit()
        self.legal_basis_edit.setPlaceholderText("e.g. UNSCR 2397 (2017), para 7")
        self.scope_note_edit = QPlainTextEdit()
        self.scope_note_edit.setTabChangesFocus(True)
        self.colour_edit = QLineEdit()
        self.colour_edit.setPlaceholderText("#rrggbb")
        self.colour_edit.textChanged.connect(self._update_colour_button)
        self.colour_button = QPushButton()
        self.colour_button.setToolTip("Choose a colour")
        self.colour_button.clicked.connect(self._ask_colour)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self._save_clicked)
        colour_row = QHBoxLayout()
        colour_row.setContentsMargins(0, 0, 0, 0)
        colour_row.addWidget(self.colour_edit, 1)
        colour_row.addWidget(self.colour_button)
        self.details = QGroupBox("Details")
        form = QFormLayout(self.details)
        form.addRow("Code:", self.code_label)
        form.addRow("Used by:", self.usage_label)
        form.addRow("Label:", self.label_edit)
        form.addRow("Legal basis:", self.legal_basis_edit)
        form.addRow("Scope note:", self.scope_note_edit)
        form.addRow("Colour:", colour_row)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        form.addRow(save_row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.show_deprecated)
        left_layout.addWidget(self.tree, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 360])
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.rename_button,
            self.move_button,
            self.merge_button,
            self.deprecate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.resize(1000, 580)
        self.reload()

    # --- reading --------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a change, export, import or reading of the tree is still running."""
        return self._running > 0 or not self.controller.idle

    def nodes(self) -> list[CategoryNode]:
        """The categories shown now, in tree order."""
        return list(self._nodes.values())

    def top_level_codes(self) -> list[str]:
        """The codes of the top-level rows, top to bottom."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [str(item.data(0, CODE_ROLE)) for item in items if item is not None]

    def current_code(self) -> str | None:
        """The code of the selected category, if any."""
        item = self.tree.currentItem()
        return None if item is None else str(item.data(0, CODE_ROLE))

    def item_for(self, code: str) -> QTreeWidgetItem | None:
        """The tree row showing ``code`` (None when it is not shown)."""
        found = self.tree.findItems(
            code, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, CODE_COLUMN
        )
        return found[0] if found else None

    def select(self, code: str) -> bool:
        """Select the row of ``code``, opening its parents; False when it is not shown."""
        item = self.item_for(code)
        if item is None:
            return False
        parent = item.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        return True

    def reload(self, select: str | None = None, then: Callable[[], None] | None = None) -> None:
        """Read the taxonomy again, keeping the selection and the open branches.

        The tree is read on the read pool and filled when it arrives.

        Args:
            select: a code to select instead of the current one (when shown).
            then: called once the tree shows what was read.
        """
        keep = [c for c in (select, self.current_code()) if c is not None]
        expanded = {str(item.data(0, CODE_ROLE)) for item in self._items() if item.isExpanded()}
        deprecated = self.show_deprecated.isChecked()
        self._reloads += 1
        generation = self._reloads

        def shown(nodes: list[CategoryNode]) -> None:
            if generation == self._reloads and isValid(self.tree):
                self._fill(nodes, keep, expanded)
                if then is not None:
                    then()

        self.controller.query(
            lambda session: list_categories(session, include_deprecated=deprecated), shown
        )

    def _fill(self, nodes: list[CategoryNode], keep: list[str], expanded: set[str]) -> None:
        self._nodes = {n.code: n for n in nodes}
        grey = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        with QSignalBlocker(self.tree):
            self.tree.clear()
            items: dict[str, QTreeWidgetItem] = {}
            for node in nodes:
                parent = items.get(node.parent) if node.parent else None
                label = f"{node.label} (deprecated)" if node.deprecated else node.label
                item = QTreeWidgetItem([label, node.code, str(node.usage)])
                item.setData(0, CODE_ROLE, node.code)
                item.setIcon(LABEL_COLUMN, swatch(node.display_colour))
                item.setTextAlignment(USAGE_COLUMN, Qt.AlignmentFlag.AlignRight)
                tip = f"{node.code}\n{node.scope_note}" if node.scope_note else node.code
                item.setToolTip(LABEL_COLUMN, tip)
                if node.deprecated:
                    for column in range(3):
                        item.setForeground(column, grey)
                if parent is not None:
                    parent.addChild(item)
                else:
                    self.tree.addTopLevelItem(item)
                items[node.code] = item
            for code in expanded:
                if code in items:
                    items[code].setExpanded(True)
        if not any(self.select(code) for code in keep):
            self.tree.setCurrentIndex(QModelIndex())
        self._show_details()

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            found.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return found

    def _show_details(self) -> None:
        code = self.current_code()
        node = self._nodes.get(code) if code else None
        chosen = node is not None
        for widget in (
            self.details,
            self.rename_button,
            self.move_button,
            self.merge_button,
            self.deprecate_button,
        ):
            widget.setEnabled(chosen)
        self.add_button.setEnabled(node is None or not node.deprecated)
        self.merge_button.setEnabled(chosen and node is not None and not node.deprecated)
        self.deprecate_button.setText("Restore" if node and node.deprecated else "Deprecate")
        self.deprecate_button.setToolTip(
            "Bring the category back into pickers."
            if node and node.deprecated
            else "Hide the category and its sub-categories from pickers; "
            "old annotations keep their tags."
        )
        self.code_label.setText(node.code if node else "")
        if node is None:
            self.usage_label.clear()
        else:
            usage = f"{node.usage} annotation{'s' if node.usage != 1 else ''}"
            if node.merged_into:
                usage += f" · merged into {node.merged_into}"
            self.usage_label.setText(usage)
        self.label_edit.setText(node.label if node else "")
        self.legal_basis_edit.setText(node.legal_basis or "" if node else "")
        self.scope_note_edit.setPlainText(node.scope_note or "" if node else "")
        self.colour_edit.setText(node.colour or "" if node else "")
        inherited = node.display_colour if node and not node.colour else None
        self.colour_edit.setPlaceholderText(
            f"inherited: {inherited}" if inherited else "#rrggbb (empty: parent's colour)"
        )
        self._update_colour_button()

    def _update_colour_button(self) -> None:
        text = self.colour_edit.text().strip()
        code = self.current_code()
        node = self._nodes.get(code) if code else None
        fallback = node.display_colour if node else None
        colour = text if QColor.isValidColorName(text) else fallback
        self.colour_button.setIcon(swatch(colour))

    # --- changing -------------------------------------------------------------

    def _change(
        self,
        work: Callable[[Library, Any], Any],
        *,
        select: str | None = None,
        done: Callable[[Any], str] | None = None,
    ) -> None:
        """Run ``work(library, session)`` in a write transaction, then reload and announce."""
        library = self.controller.library

        def finished(result: Any) -> None:
            self._running -= 1
            self._show_message(done(result) if done else "")
            self.reload(select, then=self.taxonomyChanged.emit)

        self._running += 1
        self.controller.write(
            lambda session: work(library, session),
            finished,
            changes=TAXONOMY,
            on_error=self._failed,
        )

    def _failed(self, message: str) -> None:
        self._running -= 1
        self._show_message(message, error=True)
        self.reload()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.last_error = text if error else None
        colour = self.palette().color(QPalette.ColorRole.Text)
        if error:
            colour = QColor("#b3261e")
        self.message.setStyleSheet(f"color: {colour.name()};")
        self.message.setText(f"Not done: {text}" if error and text else text)

    def add_child(self, parent: str | None, code: str, label: str) -> None:
        """Add a category ``code`` under ``parent`` (None: at the top level)."""
        self._change(
            lambda lib, s: add_category(lib, s, code, label, parent=parent),
            select=code,
            done=lambda _r: f"Added {code}.",
        )

    def rename(self, code: str, label: str) -> None:
        """Give ``code`` a new label; the code itself stays."""
        self._change(
            lambda lib, s: rename_category(lib, s, code, label),
            select=code,
            done=lambda _r: f"Renamed {code}.",
        )

    def move_to(self, code: str, new_parent: str | None) -> None:
        """Put ``code`` under ``new_parent`` (None: at the top level)."""
        self._change(
            lambda lib, s: move_category(lib, s, code, new_parent),
            select=code,
            done=lambda _r: f"Moved {code} under {new_parent or 'the top level'}.",
        )

    def merge(self, source: str, into: str) -> None:
        """Fold ``source`` into ``into`` (tags, findings, sub-categories), then retire it."""

        def said(summary: Any) -> str:
            moved = summary.annotations_moved
            return f"Merged {source} into {into}: {moved} annotation tag(s) moved."

        self._change(lambda lib, s: merge_categories(lib, s, source, into), select=into, done=said)

    def set_deprecated(self, code: str, deprecated: bool = True) -> None:
        """Deprecate ``code`` (and its sub-categories), or restore it."""
        word = "Deprecated" if deprecated else "Restored"
        self._change(
            lambda lib, s: deprecate_category(lib, s, code, deprecated),
            select=code,
            done=lambda changed: f"{word} {', '.join(changed) or code}.",
        )

    def save_details(
        self,
        code: str,
        *,
        label: str,
        legal_basis: str | None,
        scope_note: str | None,
        colour: str | None,
    ) -> None:
        """Write the details form of ``code`` (label, legal basis, scope note, colour)."""

        def work(library: Library, session: Any) -> None:
            rename_category(library, session, code, label)
            update_category(
                library,
                session,
                code,
                legal_basis=legal_basis,
                scope_note=scope_note,
                colour=colour,
            )

        self._change(work, select=code, done=lambda _r: f"Saved {code}.")

    def export_to(self, path: str | Path) -> None:
        """Write the whole taxonomy (deprecated categories too) to a JSON file."""
        target = Path(path)

        def run(session: Session) -> int:
            doc = export_taxonomy(session)
            try:
                target.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
            except OSError as exc:
                raise WorkstationError(f"cannot write {target}: {exc.strerror or exc}") from exc
            return len(doc["concepts"])

        def finished(count: int) -> None:
            self._running -= 1
            self._show_message(f"Exported {count} categories to {target.name}.")

        self._running += 1
        self.controller.query(run, finished, on_error=self._failed)

    def import_from(self, path: str | Path) -> None:
        """Merge a taxonomy JSON file into the library (by code; nothing is deleted)."""
        source = Path(path)

        def work(library: Library, session: Any) -> Any:
            try:
                doc = json.loads(source.read_text(encoding="utf-8"))
            except OSError as exc:
                raise WorkstationError(f"cannot read {source}: {exc.strerror or exc}") from exc
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise WorkstationError(f"{source.name} is not a JSON taxonomy file") from exc
            return import_taxonomy(library, session, doc)

        def said(summary: Any) -> str:
            return (
                f"Imported {source.name}: {len(summary.added)} added, "
                f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged."
            )

        self._change(work, done=said)

    # --- asking ---------------------------------------------------------------

    def _ask_add_child(self) -> None:
        parent = self.current_code()
        dialog = _AddChildDialog(parent, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_child(parent, dialog.code.text().strip(), dialog.label.text())

    def _ask_rename(self) -> None:
        code = self.current_code()
        if code is None:
            return
        label, ok = QInputDialog.getText(
            self,
            "Rename category",
            f"New label for {code} (the code stays):",
            text=self._nodes[code].label,
        )
        if ok:
            self.rename(code, label)

    def _choose(self, title: str, prompt: str, choices: Sequence[str]) -> str | None:
        choice, ok = QInputDialog.getItem(self, title, prompt, list(choices), 0, False)
        return choice if ok else None

    def _ask_move(self) -> None:
        code = self.current_code()
        if code is None:
            return
        inside = self._subtree(code)
        targets = [c for c, n in self._nodes.items() if c not in inside and not n.deprecated]
        choices = [TOP_LEVEL, *targets]
        choice = self._choose("Move category", f"Put {code} under:", choices)
        if choice is not None:
            self.move_to(code, None if choice == TOP_LEVEL else choice)

    def _ask_merge(self) -> None:
        code = self.current_code()
        if code is None:
            return
        choices = [c for c, n in self._nodes.items() if c != code and not n.deprecated]
        choice = self._choose("Merge category", f"Merge {code} into:", choices)
        if choice is not None:
            self.merge(code, choice)

    def _subtree(self, code: str) -> set[str]:
        found = {code}
        for node in self._nodes.values():  # tree order: parents come first
            if node.parent in found:
                found.add(node.code)
        return found

    def _toggle_deprecated(self) -> None:
        code = self.current_code()
        if code is not None:
            self.set_deprecated(code, not self._nodes[code].deprecated)

    def _ask_colour(self) -> None:
        current = QColor(self.colour_edit.text().strip() or NO_COLOUR)
        chosen = QColorDialog.getColor(current, self, "Category colour")
        if chosen.isValid():
            self.colour_edit.setText(chosen.name())

    def _save_clicked(self) -> None:
        code = self.current_code()
        if code is None:
            return
        self.save_details(
            code,
            label=self.label_edit.text(),
            legal_basis=self.legal_basis_edit.text(),
            scope_note=self.scope_note_edit.toPlainText(),
            colour=self.colour_edit.text().strip(),
        )

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export taxonomy", "taxonomy.json", "Taxonomy (*.json)"
        )
        if path:
            self.export_to(path)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import taxonomy", "", "Taxonomy (*.json);;All files (*)"
        )
        if path:
            self.import_from(path)
