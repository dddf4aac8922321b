"""Catch any network use by Python code while a block runs (the app must never reach out).

An audit hook sees every socket Python creates, connects, binds or sends from,
and every name lookup (PEP 578 events), wherever it comes from: our code,
a library, or the standard library. Audit hooks cannot be removed, so one hook
is installed once per process and records only while a ``no_network()`` block
is open. Qt's own C++ networking makes no Python calls; ``inet_sockets_open``
covers it by reading the process's open sockets from ``/proc`` (Linux).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Audit events that mean network use (``socket.__new__`` is judged by family).
NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
        "urllib.Request",
        "http.client.connect",
    }
)
_INET = {int(socket.AF_INET), int(socket.AF_INET6)}

_lock = threading.Lock()
_recording: list[list[str]] = []


def _is_local_unix(event: str, args: tuple[Any, ...]) -> bool:
    # An AF_UNIX socket (X11, D-Bus, a socketpair between threads) is not the network.
    sock = args[0] if args else None
    family = getattr(sock, "family", None)
    return event in {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"} and (
        family is not None and int(family) == int(socket.AF_UNIX)
    )


#: Known harmless uses, by (file suffix, function): each says why it is not the network.
ALLOWED = {
    # urllib3 (imported by trafilatura, which we use offline to read saved pages)
    # probes at import whether IPv6 exists by binding a socket to ::1 port 0; it
    # never connects or sends, and closes it at once.
    ("urllib3/util/connection.py", "_has_ipv6"),
}


def _allowed_caller() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        where = (frame.f_code.co_filename.replace("\\", "/"), frame.f_code.co_name)
        if any(where[0].endswith(f) and where[1] == fn for f, fn in ALLOWED):
            return True
        frame = frame.f_back
    return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _recording or not event.startswith(("socket.", "urllib.", "http.")):
        return
    if event == "socket.__new__":
        family = args[1] if len(args) > 1 else None
        if isinstance(family, int) and family in _INET:
            seen = f"socket.__new__(family={socket.AddressFamily(family).name})"
        else:
            return
    elif event in NETWORK_EVENTS and not _is_local_unix(event, args):
        seen = f"{event}{tuple(a for a in args[1:] if isinstance(a, str | int | tuple))!r}"
    else:
        return
    if _allowed_caller():
        return
    with _lock:
        for log in _recording:
            log.append(seen)


_installed = False


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextlib.contextmanager
def no_network() -> Iterator[list[str]]:
    """Record network use in this block; the list yielded holds one line per event."""
    _install()
    log: list[str] = []
    with _lock:
        _recording.append(log)
    try:
        yield log
    finally:
        with _lock:
            _recording.remove(log)


def _socket_inodes() -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{os.getpid()}/fd")
    for fd in fd_dir.iterdir() if fd_dir.is_dir() else ():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    return inodes


def inet_sockets_open() -> list[str]:
    """This process's open TCP/UDP sockets (IPv4 and IPv6), as ``/proc/net`` lines; Linux only."""
    mine = _socket_inodes()
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path(f"/proc/{os.getpid()}/net/{table}")
        if not path.is_file():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[9] in mine:
                found.append(f"{table}: {' '.join(fields[1:4])}")
    return found
