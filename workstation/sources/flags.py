"""What each source flag means, in words a reviewer reads (``show``, the inspector).

Flags are set on import (and cleared by ``unlock``); they warn, they never
block. One table, so the command line and the desktop say the same thing.
"""

from __future__ import annotations

FLAG_LOCKED = "locked"
"""A password-protected PDF kept as evidence; its text is read once it is unlocked."""

FLAG_NAME_NOT_UTF8 = "filename-not-utf8"
"""The file's name was not UTF-8: shown with ``\\xNN`` escapes, its bytes in the metadata."""

FLAG_DESCRIPTIONS: dict[str, str] = {
    "pdf-javascript": "contains JavaScript (never run)",
    "pdf-launch-action": "contains a launch action (never run)",
    "pdf-embedded-files": "has embedded files",
    "pdf-password-empty": "was encrypted with an empty password",
    "pdf-password": "was encrypted; unlocked with a password the reviewer gave (not stored)",
    "pdf-repaired": "was damaged and repaired on import",
    "encoding-uncertain": (
        "has text whose encoding was guessed from too few characters to be sure; "
        "check that the text reads right"
    ),
    FLAG_LOCKED: "is password-protected: its text is not read until it is unlocked",
    FLAG_NAME_NOT_UTF8: (
        "had a file name that is not UTF-8 text; it is shown with \\xNN escapes "
        "and its exact bytes are kept in the metadata"
    ),
}


def describe_flag(flag: str) -> str:
    """The sentence for a flag (the flag itself when it has none)."""
    return FLAG_DESCRIPTIONS.get(flag, flag)
