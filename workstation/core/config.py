"""Where the library lives and who the reviewer is.

Resolved once per command from arguments and the environment, then passed
down explicitly: no module-global settings.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_path

LIBRARY_ENV = "WORKSTATION_LIBRARY"
REVIEWER_ENV = "WORKSTATION_REVIEWER"
APP_NAME = "EvidenceWorkstation"


def default_library_path() -> Path:
    """The platform's user data folder for the application."""
    return user_data_path(APP_NAME, appauthor=False) / "library"


def resolve_library_path(explicit: str | os.PathLike[str] | None) -> Path:
    """``--library`` beats ``WORKSTATION_LIBRARY`` beats the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(LIBRARY_ENV)
    if env:
        return Path(env).expanduser()
    return default_library_path()


def resolve_reviewer(explicit: str | None) -> str:
    """``--reviewer`` beats ``WORKSTATION_REVIEWER`` beats the OS user."""
    for candidate in (explicit, os.environ.get(REVIEWER_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
