"""cx_Freeze recipe, the runner-up freezer (figures in docs/performance.md).

Same launcher, data and Qt exclusions as the PyInstaller spec. Run by
freeze-cxfreeze.sh from a scratch folder (setuptools would otherwise read the
project's pyproject.toml and write egg-info into the checkout).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cx_Freeze import Executable, setup

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
sys.path[:0] = [str(ROOT), str(HERE)]

setup(
    name="evidence-workstation",
    version="0",
    executables=[Executable(str(HERE / "launcher.py"), target_name="workstation")],
    options={
        "build_exe": {
            "packages": [
                "workstation",
                "db",
                "ui",
                "resources",
                "trafilatura",
                "justext",
                "courlan",
                "htmldate",
                "dateparser",
                "tld",
                "pyvips",
                "alembic",
                "sqlalchemy.dialects.sqlite",
                "tantivy",
                "pymupdf",
                "smoke_gui",
                "rich",
            ],
            "excludes": [
                "tkinter",
                "unittest",
                "pytest",
                "mypy",
                "numpy",
                "PySide6.QtNetwork",
                "PySide6.QtQml",
                "PySide6.QtQuick",
                "PySide6.QtOpenGL",
                "PySide6.QtPdf",
                "PySide6.QtPrintSupport",
                "PySide6.QtSql",
                "PySide6.QtTest",
                "PySide6.QtDBus",
            ],
            # Alembic reads the migrations as source files beside the db package.
            "include_files": [
                (str(ROOT / "db" / "migrations"), "lib/db/migrations"),
                (str(ROOT / "resources"), "lib/resources"),
            ],
            "silent": True,
        }
    },
)
