"""House rules that the suite enforces: layers, lint, types, light start-up."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(ROOT / ".venv" / "bin")) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed in the environment (uv sync installs it)")
    return found


def test_import_layers_contract() -> None:
    result = _run(_tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_qt_below_ui() -> None:
    code = (
        "import pkgutil, importlib, sys\n"
        "import workstation, db\n"
        "for pkg in (workstation, db):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in m.name: continue\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr


def test_ruff_lint_and_format() -> None:
    ruff = _tool("ruff")
    lint = _run(ruff, "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = _run(ruff, "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from ui.cli.main import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = [m for m in ('sqlalchemy', 'pymupdf', 'fitz', 'PIL', 'tantivy', 'pyvips',"
        " 'trafilatura', 'PySide6', 'rich', 'alembic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
