"""``workstation keys ...``: reviewer signing keys from the command line.

Kept out of cli.py so the keyring commands stay in one place; the parser
only registers them, and each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workstation.keys.keyring import KeyInfo

EXIT_OK = 0


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _describe(info: KeyInfo) -> str:
    owner = "own" if info.own else "partner"
    trust = "trusted" if info.trusted else "not trusted"
    return f"{info.short}  {info.name}  ({owner}, {trust})"


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library, print_json  # lazy: start-up
    from workstation.keys.keyring import KeyService, read_passphrase  # lazy: start-up

    passphrase = read_passphrase(
        args.passphrase_file, confirm=True, prompt="Passphrase for the new key: "
    )
    with open_library(args) as lib, lib.writer() as session:
        info = KeyService(lib).generate(session, args.name, passphrase)
    if args.json:
        print_json(info.as_json())
    else:
        _out(f"generated key {_describe(info)}")
        _out(f"fingerprint {info.fingerprint}")
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library, print_json  # lazy: start-up
    from workstation.keys.keyring import KeyService  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        keys = KeyService(lib).list(session)
    if args.json:
        print_json([k.as_json() for k in keys])
        return EXIT_OK
    if not keys:
        _out("no keys yet (make one with 'workstation keys generate --name NAME')")
    for k in keys:
        _out(
            f"{k.short}  {'own' if k.own else 'partner':<7}  "
            f"{'trusted' if k.trusted else 'known':<7}  {k.name}"
        )
    return EXIT_OK


def cmd_keys_export(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library  # lazy: start-up
    from workstation.keys.keyring import KeyringError, KeyService  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        pem = KeyService(lib).export_public(session, args.fingerprint)
    if args.out is None:
        sys.stdout.write(pem)
        return EXIT_OK
    try:
        with open(args.out, "x", encoding="ascii", newline="\n") as fh:
            fh.write(pem)
    except FileExistsError as exc:
        raise KeyringError(f"{args.out} already exists; choose another name") from exc
    except OSError as exc:
        raise KeyringError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    _out(f"public key written to {args.out}")
    return EXIT_OK


def cmd_keys_import(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library, print_json  # lazy: start-up
    from workstation.keys.keyring import KeyringError, KeyService  # lazy: start-up

    try:
        with open(args.file, "rb") as fh:
            data = fh.read(64 * 1024 + 1)
    except OSError as exc:
        raise KeyringError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    with open_library(args) as lib, lib.writer() as session:
        info = KeyService(lib).import_public(session, data, args.name, trusted=args.trust)
    if args.json:
        print_json({**info.as_json(), "already_present": info.already_present})
    elif info.already_present:
        hint = "" if info.trusted or not args.trust else "; use 'keys trust' to trust it"
        _out(f"already in the library, nothing changed: {_describe(info)}{hint}")
    else:
        _out(f"imported key {_describe(info)}")
        _out(f"fingerprint {info.fingerprint}")
    return EXIT_OK


def cmd_keys_trust(args: argparse.Namespace) -> int:
    from ui.cli.common import open_library  # lazy: start-up
    from workstation.keys.keyring import KeyService  # lazy: start-up

    with open_library(args) as lib, lib.writer() as session:
        info = KeyService(lib).trust(session, args.fingerprint, trusted=not args.revoke)
    _out(_describe(info))
    return EXIT_OK


def cmd_keys_age_identity(args: argparse.Namespace) -> int:
    """Write a new age identity (owner-only, never over an existing file); print its
    public key, which partners give as ``--recipient`` when they export for you."""
    from pathlib import Path  # lazy: start-up

    from workstation.bundles.age import write_identity_file  # lazy: start-up

    public = write_identity_file(Path(args.out))
    _out(public)
    print(
        f"age identity written to {args.out} (keep it secret; give partners the line above)",
        file=sys.stderr,
    )
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``keys generate|list|export|import|trust|age-identity`` to the parser."""
    p = sub.add_parser("keys", help="reviewer signing keys (Ed25519)", parents=[common])
    keys_sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    k = keys_sub.add_parser(
        "generate",
        help="make your own signing key (private part passphrase-protected)",
        parents=[common],
    )
    k.add_argument("--name", required=True, metavar="NAME", help="whose key it is")
    k.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from FILE's first line"
    )
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_keys_generate)

    k = keys_sub.add_parser("list", help="own and partner keys", parents=[common])
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_keys_list)

    k = keys_sub.add_parser("export", help="print or write a public key (PEM)", parents=[common])
    k.add_argument("fingerprint", metavar="FP", help="at least 8 hex digits of the fingerprint")
    k.add_argument("--out", metavar="FILE", help="write the PEM to FILE instead of stdout")
    k.set_defaults(func=cmd_keys_export)

    k = keys_sub.add_parser(
        "import", help="add a partner's public key (PEM or ssh-ed25519 line)", parents=[common]
    )
    k.add_argument("file", metavar="FILE")
    k.add_argument("--name", required=True, metavar="NAME", help="whose key it is")
    k.add_argument("--trust", action="store_true", help="trust signatures by this key")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_keys_import)

    k = keys_sub.add_parser("trust", help="trust a key (or --revoke)", parents=[common])
    k.add_argument("fingerprint", metavar="FP")
    k.add_argument("--revoke", action="store_true", help="stop trusting the key")
    k.set_defaults(func=cmd_keys_trust)

    k = keys_sub.add_parser(
        "age-identity",
        help="make an age identity for receiving encrypted bundles (as age-keygen does)",
        parents=[common],
    )
    k.add_argument("--out", required=True, metavar="FILE", help="the identity file to write")
    k.set_defaults(func=cmd_keys_age_identity)
