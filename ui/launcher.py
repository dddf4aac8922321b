"""The ``workstation`` console script: the CLI, able to open the desktop app.

Kept light: Qt is imported only when the app is actually opened, so
``workstation --help`` and the scripting commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workstation import cli


def _open_app(path: Path, reviewer: str | None, create: bool, show: Sequence[int]) -> int:
    from ui.app import run_gui

    return run_gui(path, reviewer=reviewer, create=create, show=show)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return cli.main(argv, gui=_open_app)


if __name__ == "__main__":
    sys.exit(main())
