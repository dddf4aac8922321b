"""Help > Keyboard Shortcuts and Help > Quick Start.

The shortcut list is read from the window's menus when it opens, so it cannot
drift from what the keys do; the keys a pane takes itself (drawing tools, Esc,
Delete) are listed after them from one table kept beside the code that binds them.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

# Keys a document pane handles while it has the focus (ui/desktop/viewers/frames.py,
# ui/desktop/annotations/region_tools.py); the menus show them too, unbound.
PANE_KEYS = (
    ("R", "Draw a rectangle (PDF page or image)"),
    ("P", "Draw a polygon: click corners, double-click or Enter closes"),
    ("C", "Count markers: click each thing, Enter finishes"),
    ("Esc", "Stop drawing; deselect a region"),
    ("Delete", "Delete the selected region (Ctrl+Z undoes)"),
    ("Arrow keys", "Nudge the selected region (Shift: ten steps)"),
    ("Double-click", "On a region: add or remove a corner or a marker"),
)

QUICK_START = """
<h3>Quick start</h3>
<ol>
<li><b>Import</b> evidence: File &gt; Import Files… (Ctrl+O), or drop files on the window.
PDFs, images, saved web pages, text and e-mail.</li>
<li><b>Read</b>: double-click a source in the Library list. Ctrl+\\ opens a second pane
beside the first; drag another source into it.</li>
<li><b>Search</b> every source: Edit &gt; Search Library (Ctrl+Alt+F). One click on a hit
shows the source in the Inspector; a double-click opens it at the page.</li>
<li><b>Mark</b>: select a passage and press Ctrl+M, or draw a region (R, P, C) and pick a
category. The mark just made is the <i>current mark</i>: Annotate &gt; Edit Note
(Ctrl+Shift+N), Link Entities (Ctrl+K), Redact Mark on Export and Delete Mark act on it;
so does the Inspector. Click a mark on the page or in the Marks list to make it current.</li>
<li><b>Redact</b>: Annotate &gt; Redact Selection (Ctrl+Shift+R) or Redact Page; redactions
are applied when a bundle is exported with the <i>partner</i> profile.</li>
<li><b>Export</b> a signed bundle for a partner: File &gt; Export Bundle… (Ctrl+E); the
preview shows what travels, and how, before anything is written.</li>
</ol>
<p>The window got into a muddle? View &gt; Reset Layout.</p>
"""


def menu_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu path, action, keys) for every menu action that has keys, in menu order."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            text = action.text().replace("&", "").split("\t")
            name = text[0].rstrip("…").strip()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} > {name}")
                continue
            if action.isSeparator() or not name:
                continue
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            keys = [k for k in keys if k] or text[1:]
            if keys:
                rows.append((path, name, ", ".join(keys)))

    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            walk(menu, action.text().replace("&", ""))
    return rows


def shortcuts_html(window: QMainWindow) -> str:
    """The keyboard shortcuts as an HTML table."""
    cells = "".join(
        f"<tr><td><b>{keys}</b></td><td>{name}</td><td style='color:gray'>{path}</td></tr>"
        for path, name, keys in menu_shortcuts(window)
    )
    pane = "".join(f"<tr><td><b>{k}</b></td><td>{what}</td><td></td></tr>" for k, what in PANE_KEYS)
    return (
        "<h3>Keyboard shortcuts</h3><table cellspacing=4>"
        + cells
        + "<tr><td colspan=3><br/><b>In a document pane</b></td></tr>"
        + pane
        + "</table>"
    )


class HelpDialog(QDialog):
    """A resizable page of help text."""

    def __init__(self, title: str, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setSizeGripEnabled(True)
        self.browser = QTextBrowser(self)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 520)


def help_actions(window: QMainWindow, menu: QMenu) -> tuple[QAction, QAction]:
    """Add Keyboard Shortcuts and Quick Start to ``menu``; the actions."""

    def show(title: str, html: str) -> None:
        dialog = HelpDialog(title, html, window)
        dialog.setObjectName(f"help:{title}")
        dialog.show()

    keys = menu.addAction("&Keyboard Shortcuts")
    keys.setShortcut(QKeySequence("F1"))
    keys.triggered.connect(lambda: show("Keyboard shortcuts", shortcuts_html(window)))
    start = menu.addAction("&Quick Start")
    start.triggered.connect(lambda: show("Quick start", QUICK_START))
    return keys, start
