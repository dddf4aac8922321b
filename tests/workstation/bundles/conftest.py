"""Two libraries for the tests that send a bundle from one to the other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workstation.core.library import Library


@pytest.fixture
def sender(tmp_path: Path) -> Iterator[Library]:
    """The partner's library, which exports."""
    lib = Library.open(tmp_path / "sender", reviewer="partner", create=True)
    yield lib
    lib.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Library]:
    """Our library, which imports."""
    lib = Library.open(tmp_path / "receiver", reviewer="alice", create=True)
    yield lib
    lib.close()
