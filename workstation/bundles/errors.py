"""The errors of evidence bundles, shared by planning, export, verification and import."""

from __future__ import annotations

from workstation.core.errors import WorkstationError


class BundleError(WorkstationError):
    """A bundle cannot be written or read as asked."""


class RedactionLeakError(BundleError):
    """A redacted passage would still be readable somewhere in the bundle."""


class DamagedSourceError(BundleError):
    """An original's stored bytes no longer hash to its name: it cannot travel as evidence."""
