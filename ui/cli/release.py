"""Signed releases (``sign-release``, ``verify-release``): SHA256SUMS and its Ed25519 signature.

An update on an air-gapped laptop is: verify the folder from the USB stick
against the release key the reviewer trusts, then install from it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ui.cli.common import EXIT_OK, open_library, print_json

NO_TRUSTED_KEY = (
    "no trusted release key: give --key RELEASE-KEY.pem (the key the release team gave "
    "you), or import and trust it in your library (workstation keys import FILE --name "
    "NAME --trust)"
)


def _trusted_keys(args: argparse.Namespace) -> list[Any]:
    from workstation.core.errors import LibraryError  # lazy: start-up
    from workstation.keys.keyring import KeyService, load_public_key  # lazy: start-up
    from workstation.release.manifest import ReleaseError  # lazy: start-up

    if args.key:
        keys = []
        for file in args.key:
            try:
                text = Path(file).read_bytes()
            except OSError as exc:
                raise ReleaseError(f"cannot read key file {file}: {exc.strerror or exc}") from exc
            keys.append(load_public_key(text))
        return keys
    try:
        with open_library(args, create=False) as lib, lib.reader() as session:
            infos = [k for k in KeyService(lib).list(session) if k.trusted]
    except LibraryError as exc:
        raise ReleaseError(f"{NO_TRUSTED_KEY} ({exc.message})") from exc
    if not infos:
        raise ReleaseError(NO_TRUSTED_KEY)
    return [load_public_key(k.public_pem) for k in infos]


def cmd_verify_release(args: argparse.Namespace) -> int:
    from workstation.keys.keyring import short_fingerprint  # lazy: start-up
    from workstation.release.manifest import verify_release  # lazy: start-up

    check = verify_release(Path(args.folder), _trusted_keys(args))
    if args.json:
        print_json({"valid": True, "files": check.files, "signer": check.signer})
    else:
        print(
            f"valid: {check.files} file(s) match SHA256SUMS, "
            f"signed by trusted key {short_fingerprint(check.signer)}"
        )
    return EXIT_OK


def cmd_sign_release(args: argparse.Namespace) -> int:
    from workstation.keys.keyring import (  # lazy: start-up
        KeyService,
        read_passphrase,
        short_fingerprint,
    )
    from workstation.release.manifest import sign_release  # lazy: start-up

    passphrase = read_passphrase(args.passphrase_file, confirm=False, prompt="Passphrase: ")
    with open_library(args, create=False) as lib, lib.reader() as session:
        signer = KeyService(lib).signer(session, args.sign_key, passphrase)
    sums = sign_release(Path(args.folder), signer)
    files = len(sums.read_bytes().splitlines())
    print(
        f"signed {sums} ({files} file(s)) with key "
        f"{short_fingerprint(signer.fingerprint)} ({signer.name})"
    )
    return EXIT_OK


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``verify-release`` and ``sign-release`` to the parser."""
    p = sub.add_parser(
        "verify-release",
        help="check a release folder: SHA256SUMS signed by a trusted key, every file matching",
        description="Check a release folder before installing from it: the Ed25519 signature "
        "on SHA256SUMS by a key you trust, then every file against SHA256SUMS (none changed, "
        "missing or unlisted).",
        parents=[common],
    )
    p.add_argument("folder", metavar="DIR")
    p.add_argument(
        "--key",
        action="append",
        metavar="PEM",
        help="a trusted release key (default: the keys your library trusts)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify_release)

    p = sub.add_parser(
        "sign-release",
        help="write SHA256SUMS for a release folder and sign it with your key",
        parents=[common],
    )
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--key", dest="sign_key", required=True, metavar="FP", help="your key")
    p.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from FILE's first line"
    )
    p.set_defaults(func=cmd_sign_release)
