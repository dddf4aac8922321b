"""``workstation unlock SOURCE``: read a password-protected PDF kept as evidence.

The password comes from a file (``--password-file F``, first line; ``-`` for
standard input) or is typed at the terminal; it is never printed, stored or
logged, and a wrong one changes nothing.
"""

from __future__ import annotations

import argparse
import getpass
import sys

EXIT_OK = 0


def read_password(file: str | None) -> str:
    """The password from the first line of ``file`` (``-``: standard input), or typed.

    Raises:
        WorkstationError: the file cannot be read, its first line is empty or
            not UTF-8 text, or there is no terminal to ask on.
    """
    from workstation.core.errors import WorkstationError  # lazy: start-up

    if file is None:
        if not sys.stdin.isatty():
            raise WorkstationError("no terminal to ask for the password; use --password-file FILE")
        try:
            typed = getpass.getpass("Password: ")
        except EOFError:
            typed = ""
        if not typed:
            raise WorkstationError("no password given; nothing was changed")
        return typed
    try:
        if file == "-":
            first = sys.stdin.buffer.readline()
        else:
            with open(file, "rb") as handle:
                first = handle.readline()
    except OSError as exc:
        raise WorkstationError(
            f"cannot read password file {file}: {exc.strerror or type(exc).__name__}"
        ) from exc
    raw = first.rstrip(b"\r\n")
    if not raw:
        raise WorkstationError(f"password file {file} has an empty first line")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkstationError(f"password file {file} is not UTF-8 text") from None


def cmd_unlock(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library, print_json, say_waiting_for_index  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up
    from workstation.sources.unlock import unlock_source  # lazy: start-up

    password = read_password(args.password_file)
    with open_library(args) as lib:
        with lib.writer() as session:
            source_id = resolve_source(session, args.source).id
            result = unlock_source(lib, session, source_id, password)
        del password
        lib.index_pending(on_wait=say_waiting_for_index)
    if args.json:
        print_json(result.as_json())
    else:
        pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
        print(f"unlocked {result.source_id}: {pages} read and indexed")
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``unlock`` to the parser."""
    p = sub.add_parser(
        "unlock",
        help="read a password-protected PDF kept locked on import",
        description="Read a password-protected PDF kept locked on import: its text is "
        "extracted and indexed; the original stays as it was; the password is not kept.",
        parents=[common],
    )
    p.add_argument("source", metavar="SOURCE", help="source id or SHA-256 prefix")
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help="read the password from FILE's first line ('-': standard input); "
        "without it, ask at the terminal",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_unlock)
