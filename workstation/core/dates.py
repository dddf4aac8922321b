"""UTC timestamps in one format everywhere (ISO 8601, second precision, Z)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now as ``2026-11-23T17:25:44.123456Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
