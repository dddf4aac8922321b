"""The check every refused bundle must pass: one short line, nothing left in staging."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.bundles.errors import BundleError
from workstation.bundles.import_ import open_bundle
from workstation.core.library import Library


def assert_refused_in_one_line(library: Library, bag: Path, expected: str) -> None:
    """Opening ``bag`` fails with one line under 400 characters holding ``expected``."""
    with pytest.raises(BundleError) as refused:
        open_bundle(library, bag)
    message = str(refused.value)
    assert expected in message
    assert "\n" not in message
    assert len(message) < 400
    assert list((library.derived / "bundle-staging").iterdir()) == []
