"""The app never reaches out: a demo run, a search and an export open no network socket.

Reviewers' laptops are air-gapped; a library that tried to look something up
would hang or leak that it ran. The GUI start is checked in
``tests/ui/desktop/app/test_no_network_gui.py``.
"""

from __future__ import annotations

import contextlib
import socket
import urllib.request
from pathlib import Path

from tests.conftest import run_cli
from tests.network_guard import inet_sockets_open, no_network


def test_the_guard_sees_a_socket_and_a_lookup() -> None:
    # The guard itself can fail a test: a socket made and a name looked up are seen.
    with no_network() as seen:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            assert inet_sockets_open(), "an open TCP socket is listed in /proc"
        with contextlib.suppress(OSError):
            socket.getaddrinfo("localhost", 80)
        with contextlib.suppress(OSError):
            urllib.request.urlopen("http://127.0.0.1:9/", timeout=0.1)
    assert any(s.startswith("socket.__new__") for s in seen)
    assert any(s.startswith("socket.getaddrinfo") for s in seen)
    assert any(s.startswith("urllib.Request") for s in seen)


def test_the_guard_lets_local_unix_sockets_be(tmp_path: Path) -> None:
    with no_network() as seen:
        a, b = socket.socketpair()
        a.close()
        b.close()
    assert seen == []


def test_demo_search_check_and_export_open_no_socket(tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    with no_network() as seen:
        steps = [
            run_cli("--library", lib, "demo", "--no-gui"),
            run_cli("--library", lib, "search", "Rajin"),
            run_cli("--library", lib, "check"),
            run_cli("--library", lib, "export", "--out", str(tmp_path / "bundle.zip")),
            run_cli("--library", lib, "verify", str(tmp_path / "bundle.zip")),
        ]
        held = inet_sockets_open()
    for done in steps:
        assert done.returncode in (0, 4), (done.args, done.stderr)  # 4: valid, unsigned
    assert "Rajin" in steps[1].stdout
    assert seen == [], f"network use during the demo run: {seen}"
    assert held == []
