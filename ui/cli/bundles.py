"""The bundle commands: export, verify, import-bundle and recipient profiles.

Kept apart from ``cli.py`` so each area's commands read in one place; the
parser there calls ``register``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    install_sigint,
    open_library,
    print_json,
    stderr_console,
    unlock_signer,
)
from workstation.core.printable import printable

#: ``verify``'s exit status by verdict (README: "Exit codes").
EXIT_VALID_UNSIGNED = 4
EXIT_VALID_UNTRUSTED = 5
VERIFY_EXIT = {
    "trusted": EXIT_OK,
    "invalid": EXIT_ERROR,
    "unsigned": EXIT_VALID_UNSIGNED,
    "untrusted": EXIT_VALID_UNTRUSTED,
}


def _progress_bar(label: str) -> Any:
    from rich.progress import (  # lazy: start-up
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar  # lazy: start-up

    return Bar(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=stderr_console(),
        transient=True,
    )


def cmd_export(args: argparse.Namespace) -> int:
    from workstation.bundles.bagit import shown  # lazy: start-up
    from workstation.bundles.export import BundleExporter, ExportOptions  # lazy: start-up
    from workstation.bundles.plan import ExportScope, plan_export  # lazy: start-up
    from workstation.core.progress import CancelToken, Progress  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    lib = open_library(args)
    with lib:
        with lib.reader() as session:  # names typed by a person, resolved here at the edge
            named = tuple(resolve_source(session, ref).id for ref in args.source or ())
        scope = ExportScope(case=args.case, tags=tuple(args.tag or ()), sources=named)
        plan = plan_export(lib, scope, args.profile, redact=args.redact)
        signer = None
        if args.sign:
            signer = unlock_signer(lib, args.key, args.passphrase_file)
        options = ExportOptions(
            out=Path(args.out),
            signer=signer,
            recipients=tuple(args.recipient or ()),
            organisation=args.organisation,
            contact=args.contact or lib.reviewer,
            description=args.description,
        )
        cancel = CancelToken()
        restore = install_sigint(cancel)
        try:
            if args.json or not sys.stderr.isatty():
                result = BundleExporter(lib).export(plan, options, cancel=cancel)
            else:
                with _progress_bar("exporting") as bar:
                    task = bar.add_task("export", total=None, current="")

                    def show(p: Progress) -> None:
                        bar.update(task, completed=p.done, total=p.total, current=p.current or "")

                    result = BundleExporter(lib).export(plan, options, progress=show, cancel=cancel)
        finally:
            restore()
        with lib.writer() as session:
            lib.record(session, "bundle.export", "bundle", result.bundle_id, result.as_json())
    if args.json:
        print_json(result.as_json())
        return EXIT_OK
    print(f"wrote {result.path}")
    print(
        f"  {result.sources} source(s), {result.redacted_sources} redacted; "
        f"{result.annotations} annotation(s), {result.withheld} withheld; "
        f"{result.files} file(s), {result.payload_bytes:,} bytes"
    )
    print(f"  profile {plan.profile.name}: {plan.profile.marking}")
    if result.occurrences:
        print(
            f"  {sum(o.count for o in result.occurrences)} other occurrence(s) of redacted "
            "passages removed:"
        )
        for o in result.occurrences:
            print(f"    source {o.source_id} ({shown(o.title, 60)}): {o.describe()}")
    if result.signed_by:
        print(f"  signed by {result.signed_by}")
    for r in result.encrypted_for:
        print(f"  encrypted for {r}")
    for w in result.warnings:
        print(f"  warning: {w}")
    return EXIT_OK


def _trust_library(args: argparse.Namespace) -> Any:
    """The library whose trusted keys judge a signature, when there is one."""
    from workstation.core.config import resolve_library_path  # lazy: start-up
    from workstation.core.errors import LibraryError  # lazy: start-up
    from workstation.core.library import is_library  # lazy: start-up

    path = resolve_library_path(args.library)
    if not is_library(path):
        return None
    try:
        return open_library(args, create=False)
    except LibraryError:
        return None


def cmd_verify(args: argparse.Namespace) -> int:
    from workstation.bundles.age import is_age_file  # lazy: start-up
    from workstation.bundles.verify import verify_bundle  # lazy: start-up

    path = Path(args.bundle).expanduser().absolute()
    if not path.exists():
        raise UsageError(f"no bundle at {path}")
    if path.is_file() and is_age_file(path) and not args.identity:
        raise UsageError(f"{path.name} is encrypted with age; give --identity KEYFILE")
    identity = Path(args.identity) if args.identity else None
    lib = _trust_library(args)
    if lib is None:
        verdict = verify_bundle(path, identity=identity)
    else:
        with lib:
            verdict = verify_bundle(path, identity=identity, library=lib)
    if args.json:
        print_json(verdict.as_json())
    else:
        for line in verdict.lines():
            print(line)
    return VERIFY_EXIT[verdict.verdict]


def cmd_import_bundle(args: argparse.Namespace) -> int:
    from workstation.bundles.import_ import BundleMerger, open_bundle  # lazy: start-up

    lib = open_library(args)
    with lib:
        identity = Path(args.identity) if args.identity else None
        with open_bundle(lib, Path(args.bundle), identity=identity) as opened:
            shown = opened.summary()
            if args.dry_run:
                return _show_bundle(shown, args.json)
            summary = BundleMerger(lib).merge(opened, accept_untrusted=args.accept_untrusted)
    if args.json:
        print_json({"bundle": shown, "merge": summary.as_json()})
        return EXIT_OK
    if summary.already_imported:
        print(f"already imported on {summary.already_imported}; nothing changed")
        return EXIT_OK
    from workstation.bundles.import_ import TRUST_WORDS  # lazy: start-up

    signer = f" {shown['signer']}" if shown["signer"] else ""
    print(f"imported {shown['bundle']}: {TRUST_WORDS.get(shown['trust'], shown['trust'])}{signer}")
    print(
        f"  sources: {summary.sources_added} added, {summary.sources_present} already here; "
        f"annotations: {summary.annotations_added} added, {summary.annotations_updated} "
        f"new version(s), {summary.annotations_unchanged} unchanged"
    )
    print(
        f"  entities: {summary.entities_added} added, {summary.entities_updated} updated, "
        f"{summary.entities_matched} matched; "
        f"categories added: {', '.join(summary.categories_added) or 'none'}"
    )
    print(
        f"  findings: {summary.findings_added} added, {summary.findings_updated} updated, "
        f"{summary.findings_unchanged} unchanged"
    )
    for line in summary.finding_lines():
        print(f"    {printable(line)}")  # names come from the bundle
    if summary.georeferences_added or summary.georeferences_unchanged:
        print(
            f"  georeferences: {summary.georeferences_added} added, "
            f"{summary.georeferences_unchanged} kept as they are here"
        )
    if summary.pairs_added or summary.pairs_unchanged:
        print(f"  image pairs: {summary.pairs_added} added, {summary.pairs_unchanged} already here")
    if summary.ocr_layers_added or summary.ocr_layers_waiting or summary.ocr_layers_unchanged:
        print(
            f"  OCR layers: {summary.ocr_layers_added} added as page text, "
            f"{summary.ocr_layers_waiting} beside a layer here (see 'workstation ocr accept'), "
            f"{summary.ocr_layers_unchanged} already here"
        )
    if summary.annotations_orphaned:
        print(
            f"  {summary.annotations_orphaned} annotation(s) could not be placed in the text "
            "and are listed as orphaned"
        )
    if summary.conflicts:
        print(
            f"  {len(summary.conflicts)} conflict(s): the bundle did not change what it did "
            "not create"
        )
        for line in summary.conflict_lines():
            print(f"    {line}")
    return EXIT_OK


def _show_bundle(shown: dict[str, Any], as_json: bool) -> int:
    """What ``import-bundle --dry-run`` prints: the verified bundle, nothing merged."""
    if as_json:
        print_json({"bundle": shown, "merge": None})
        return EXIT_OK
    from workstation.bundles.import_ import TRUST_WORDS  # lazy: start-up

    trust = TRUST_WORDS.get(shown["trust"], shown["trust"])
    signer = f" {shown['signer']}" if shown["signer"] else ""
    print(f"valid bundle {shown['bundle']}: {trust}{signer}")
    print(f"  marking: {shown['marking'] or 'none'}; from: {shown['organisation'] or 'not stated'}")
    print(
        f"  {shown['sources']} source(s) ({shown['redacted_sources']} redacted), "
        f"{shown['annotations']} annotation(s), {shown['entities']} entit(ies), "
        f"{shown['categories']} categor(ies)"
    )
    print("  nothing merged (--dry-run)")
    return EXIT_OK


def cmd_profiles_list(args: argparse.Namespace) -> int:
    from workstation.bundles.profiles import list_profiles, with_built_ins  # lazy: start-up

    lib = open_library(args)
    with lib, lib.reader() as session:
        profiles = with_built_ins(list_profiles(session))
    if args.json:
        print_json([p.as_json() for p in profiles])
        return EXIT_OK
    for p in profiles:
        flags = [
            "originals" if p.include_originals else "no originals",
            "strip EXIF" if p.strip_exif else "keep EXIF",
            "redact" if p.apply_redactions else "no redaction",
        ]
        print(f"{p.name:<20} {p.marking}  ({', '.join(flags)})")
    return EXIT_OK


def cmd_profiles_add(args: argparse.Namespace) -> int:
    from workstation.bundles.profiles import Profile, save_profile  # lazy: start-up

    lib = open_library(args)
    with lib, lib.writer() as session:
        saved = save_profile(
            lib,
            session,
            Profile(
                name=args.name,
                marking=args.marking,
                include_originals=not args.no_originals,
                strip_exif=not args.keep_exif,
                apply_redactions=not args.no_redactions,
            ),
        )
    print(f"profile {saved.name} saved: {saved.marking}")
    return EXIT_OK


def cmd_profiles_remove(args: argparse.Namespace) -> int:
    from workstation.bundles.profiles import delete_profile  # lazy: start-up

    lib = open_library(args)
    with lib, lib.writer() as session:
        delete_profile(lib, session, args.name)
    print(f"profile {args.name} removed")
    return EXIT_OK


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the bundle commands to the ``workstation`` parser."""

    p = sub.add_parser(
        "export",
        help="write an evidence bundle (BagIt; optionally redacted, signed, encrypted)",
        parents=[common],
    )
    p.set_defaults(func=cmd_export)
    p.add_argument("--out", required=True, metavar="PATH", help="bag folder, or .zip, or .age")
    p.add_argument("--case", metavar="NAME", help="only the sources of this case")
    p.add_argument(
        "--tag", action="append", metavar="CODE", help="only annotations with this category"
    )
    p.add_argument("--source", action="append", metavar="SOURCE", help="only these sources")
    p.add_argument("--profile", metavar="NAME", help="recipient profile (default: internal)")
    p.add_argument("--redact", action="store_true", help="apply redaction marks")
    p.add_argument("--sign", action="store_true", help="sign with your key")
    p.add_argument("--key", metavar="FINGERPRINT", help="which of your keys signs")
    p.add_argument("--passphrase-file", metavar="FILE", help="the key's passphrase (first line)")
    p.add_argument(
        "--recipient", action="append", metavar="AGE_PUBLIC_KEY", help="encrypt for (age1...)"
    )
    p.add_argument("--organisation", metavar="NAME", help="Source-Organization in bag-info.txt")
    p.add_argument("--contact", metavar="NAME", help="Contact-Name (default: the reviewer)")
    p.add_argument("--description", metavar="TEXT", help="External-Description and report title")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "verify",
        help="check a bundle: checksums, completeness, signature",
        epilog="exit status: 0 valid and signed by a trusted key, 4 valid but not signed, "
        "5 valid but signed by a key not trusted here (known or unknown), 1 not valid",
        parents=[common],
    )
    p.set_defaults(func=cmd_verify)
    p.add_argument("bundle", metavar="BUNDLE", help="a bag folder, a .zip or an .age file")
    p.add_argument("--identity", metavar="KEYFILE", help="age identity for an .age bundle")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "import-bundle", help="verify a bundle and merge it into the library", parents=[common]
    )
    p.set_defaults(func=cmd_import_bundle)
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument("--identity", metavar="KEYFILE", help="age identity for an .age bundle")
    p.add_argument(
        "--accept-untrusted", action="store_true", help="merge an unsigned or untrusted bundle"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="verify, show what it holds, merge nothing",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("profiles", help="recipient profiles for bundles", parents=[common])
    prof = p.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)
    t = prof.add_parser("list", help="the profiles", parents=[common])
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_profiles_list)
    t = prof.add_parser("add", help="add or change a profile", parents=[common])
    t.add_argument("name", metavar="NAME")
    t.add_argument("--marking", required=True, help="releasability marking, e.g. 'RESTRICTED'")
    t.add_argument("--no-originals", action="store_true", help="never include originals")
    t.add_argument("--keep-exif", action="store_true", help="keep image metadata (EXIF, GPS)")
    t.add_argument("--no-redactions", action="store_true", help="do not apply redaction marks")
    t.set_defaults(func=cmd_profiles_add)
    t = prof.add_parser("remove", help="remove a profile", parents=[common])
    t.add_argument("name", metavar="NAME")
    t.set_defaults(func=cmd_profiles_remove)


__all__ = ["register"]
