"""What every command shares: exit codes, opening the library, output, Ctrl+C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workstation.core.printable import escape_json, printable

if TYPE_CHECKING:
    from workstation.core.library import Library
    from workstation.core.progress import CancelToken
    from workstation.keys.keyring import Signer

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3


class UsageError(Exception):
    """Arguments that parse but make no sense together."""


# --- helpers ---------------------------------------------------------------


def err(message: str) -> None:
    # One line, always: a file name in a message cannot break it or reorder it.
    sys.stderr.write(f"workstation: {printable(message)}\n")


WAITING_FOR_INDEX = (
    "waiting for another workstation process to finish indexing… "
    "(Ctrl+C stops waiting; the next search indexes the rest)"
)


def say_waiting_for_index() -> None:
    """Tell the person at the keyboard why the command has not finished yet."""
    err(WAITING_FOR_INDEX)


def print_json(value: Any) -> None:
    # Bidi overrides, controls and undecodable file-name bytes as \u escapes: valid JSON
    # with the same value, which never rearranges a terminal or fails to encode.
    sys.stdout.write(escape_json(json.dumps(value, ensure_ascii=False, indent=None)) + "\n")


def open_library(args: argparse.Namespace, *, create: bool | None = None) -> Library:
    from workstation.core.config import (  # lazy: start-up
        LIBRARY_ENV,
        resolve_library_path,
        resolve_reviewer,
    )
    from workstation.core.library import Library  # lazy: start-up

    path = resolve_library_path(args.library)
    if create is None:
        # The default library is made on first use; a named one must exist,
        # so a mistyped --library never creates a stray library.
        create = not args.library and not os.environ.get(LIBRARY_ENV)
    read_only = True if getattr(args, "read_only", None) else None  # None: as the medium allows
    return Library.open(
        path, reviewer=resolve_reviewer(args.reviewer), create=create, read_only=read_only
    )


def stderr_console() -> Any:
    from rich.console import Console  # lazy: start-up

    return Console(stderr=True)


def install_sigint(cancel: CancelToken) -> Callable[[], None]:
    """First Ctrl+C asks for a clean stop between files; the second one aborts."""
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: object) -> None:
        if cancel.cancelled:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        cancel.cancel()
        err("stopping after the current file (Ctrl+C again to abort)")

    signal.signal(signal.SIGINT, handler)

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


def unlock_signer(lib: Library, key: str | None, passphrase_file: str | None) -> Signer:
    """The reviewer's signing key, unlocked: the one given by ``--key``, else the only
    own key; the passphrase from ``--passphrase-file`` or asked at the terminal."""
    from workstation.keys.keyring import KeyService, read_passphrase  # lazy: start-up

    keys = KeyService(lib)
    with lib.reader() as session:
        own = [k for k in keys.list(session) if k.has_private]
        if key:
            chosen = keys.get(session, key)
        elif len(own) == 1:
            chosen = own[0]
        elif not own:
            raise UsageError("no signing key: make one with 'workstation keys generate'")
        else:
            raise UsageError("several signing keys: choose one with --key FINGERPRINT")
    passphrase = read_passphrase(
        passphrase_file, confirm=False, prompt=f"passphrase for {chosen.name}: "
    )
    with lib.reader() as session:
        return keys.signer(session, chosen.fingerprint, passphrase)
