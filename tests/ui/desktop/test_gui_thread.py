"""The GUI thread only draws: no desktop module opens a database session itself.

Sessions are opened by the controller's ``query``/``write`` on its pools; the
runtime side of this rule is the ``_gui_thread_opens_no_session`` fixture in
conftest.py, which fails any test in which desktop code opens one on the GUI thread.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

DESKTOP = ROOT / "ui" / "desktop"
# The one place that opens sessions: on the pools, for the operations it runs.
RUNNER = DESKTOP / "app" / "controller.py"


def session_openers(path: Path) -> list[int]:
    """Lines of ``path`` that call ``.reader()`` or ``.writer()``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"reader", "writer"}
    ]


def test_only_the_controller_opens_sessions() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(DESKTOP.rglob("*.py"))
        if path != RUNNER
        for line in session_openers(path)
    }
    assert not found, (
        "desktop code opens database sessions (use controller.query / controller.write): "
        + ", ".join(sorted(found))
    )


def test_the_rule_sees_a_session_block(tmp_path: Path) -> None:
    widget = tmp_path / "widget.py"
    widget.write_text(
        "def show(self):\n    with self.controller.library.reader() as session:\n        pass\n"
    )
    assert session_openers(widget) == [2]
    assert session_openers(RUNNER), "the controller should be the one opening sessions"
