"""Typed errors a reviewer can act on.

Every error the services raise on purpose derives from WorkstationError and
carries a one-line message meant for a person, not a stack trace.
"""

from __future__ import annotations


class WorkstationError(Exception):
    """Root of the errors the services raise deliberately."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LibraryError(WorkstationError):
    """The library folder or database cannot be used as asked."""


class LibraryClosedError(LibraryError):
    """A library was used after close()."""


class SchemaTooNewError(LibraryError):
    """The library was written by a newer version of the program."""


class ReadOnlyLibraryError(LibraryError):
    """A change was asked of a library opened read-only (a write-blocked medium)."""


class BadInputError(WorkstationError):
    """A file cannot be imported; the message says why in one line."""


class EncryptedInputError(BadInputError):
    """A document is encrypted and the empty password does not open it."""


class TooLargeError(BadInputError):
    """An input exceeds a configured limit (pixels, bytes, nesting)."""


class NotFoundError(WorkstationError):
    """A named record (source, case, reviewer) does not exist."""


class AmbiguousError(WorkstationError):
    """A short identifier matches more than one record."""


class QuerySyntaxError(WorkstationError):
    """A search query cannot be parsed."""


class IntegrityError(WorkstationError):
    """Stored data disagrees with itself (hash, audit chain, blob)."""


class CancelledError(WorkstationError):
    """The user cancelled a running operation."""
