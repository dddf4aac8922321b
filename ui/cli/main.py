"""The ``workstation`` command: the scripting interface to a library.

Start-up stays light (argparse only); each command imports what it needs
when it runs. Exit codes: 0 success, 3 some files failed and the rest were
imported, 1 any other error (one line on stderr, never a traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from ui.cli.annotations import (
    cmd_annotate,
    cmd_annotations,
    cmd_entities_add,
    cmd_entities_edit,
    cmd_entities_list,
    cmd_entities_show,
    cmd_entities_suggest,
    cmd_taxonomy_export,
    cmd_taxonomy_import,
    cmd_taxonomy_list,
)
from ui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    err,
)
from ui.cli.desktop import (
    cmd_demo,
    cmd_gui,
)
from ui.cli.library import (
    cmd_audit_log,
    cmd_audit_verify,
    cmd_check,
    cmd_import,
    cmd_init,
    cmd_list,
    cmd_search,
    cmd_show,
    cmd_similar,
)

# --- the parser ------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    # Options accepted before or after the command name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $WORKSTATION_LIBRARY or the user data folder)",
    )
    common.add_argument(
        "--reviewer",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="who is making changes (default: $WORKSTATION_REVIEWER or the OS user)",
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="change nothing in the library (as on a write-blocked disk, which opens so anyway)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (no heavy imports)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Evidence Workstation: import, search and check a library of evidence.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(func=func)
        return p

    add("init", cmd_init, "create a library (or check that one is there)")

    p = add("import", cmd_import, "import files and folders (recursively)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--case", metavar="NAME", help="put the imported sources in this case")
    p.add_argument("--json", action="store_true", help="print one JSON array of results")
    p.add_argument(
        "--ocr",
        choices=["auto", "off"],
        help="auto: read PDF pages without a usable text layer and images by OCR; "
        "off: never (default: the library's setting, see ocr settings)",
    )

    p = add("list", cmd_list, "list the sources")
    p.add_argument("--kind", choices=["pdf", "image", "article", "text", "email"])
    p.add_argument("--case", metavar="NAME")
    p.add_argument("--limit", type=int, metavar="N")
    p.add_argument("--json", action="store_true")

    p = add("show", cmd_show, "show one source (by id or SHA-256 prefix)")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument("--json", action="store_true")

    p = add("similar", cmd_similar, "sources that tell one story with SOURCE (shared text)")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        metavar="SHARE",
        help="least share of the shorter text found in the other (default 0.5)",
    )
    p.add_argument("--json", action="store_true")

    p = add("search", cmd_search, "full-text search")
    p.add_argument(
        "query",
        nargs="?",
        metavar="QUERY",
        help='words (AND), "a phrase", prefix*, OR, NOT / -word, (groups)',
    )
    p.add_argument("--stdin", action="store_true", help="read one query per line")
    p.add_argument("--kind", action="append", choices=["pdf", "image", "article", "text", "email"])
    p.add_argument("--case", metavar="NAME")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.add_argument("--json", action="store_true")

    p = add("check", cmd_check, "re-hash blobs, check the database and the audit trail")
    p.add_argument(
        "--repair",
        action="store_true",
        help="move blobs no record claims to quarantine/; remove temp files and stale caches",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="the audit trail", parents=[common])
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = audit_sub.add_parser(
        "verify",
        help="recompute the hash chain and every record's state; check witnessed heads",
        parents=[common],
    )
    v.add_argument(
        "--witness",
        action="append",
        metavar="FILE|BUNDLE",
        help="heads seen elsewhere: a copy of audit-witness.log, a bag-info.txt, or a bundle",
    )
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_audit_verify)
    lg = audit_sub.add_parser("log", help="latest events first", parents=[common])
    lg.add_argument("--limit", type=int, default=50, metavar="N")
    lg.add_argument("--json", action="store_true")
    lg.set_defaults(func=cmd_audit_log)

    p = add("demo", cmd_demo, "build a demo library from invented material and open it")
    p.add_argument("--no-gui", action="store_true", help="build it and print what it holds")

    p = add("annotate", cmd_annotate, "mark a passage or a region of a source")
    p.add_argument("source", metavar="SOURCE", help="source id or SHA-256 prefix")
    p.add_argument("--quote", metavar="TEXT", help="the passage, exactly as in the text")
    p.add_argument(
        "--region", metavar="X,Y,W,H", help="a rectangle in image pixels, or PDF points with --page"
    )
    p.add_argument("--page", type=int, metavar="N", help="1-based page number")
    p.add_argument(
        "--occurrence", type=int, metavar="K", help="the K-th appearance of the quote (default 1)"
    )
    p.add_argument("--tag", action="append", metavar="CODE", help="category code (repeatable)")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--redact", action="store_true", help="redact this on export")
    p.add_argument("--json", action="store_true", help="print the annotation as JSON")

    p = add("annotations", cmd_annotations, "list annotations (all, or of one source)")
    p.add_argument("source", nargs="?", metavar="SOURCE")
    p.add_argument(
        "--format",
        choices=["json", "w3c"],
        default="json",
        help="w3c: a W3C Web Annotation collection (JSON-LD)",
    )
    p.add_argument("--tag", metavar="CODE", help="only this category (and its children)")
    p.add_argument("--author", metavar="NAME")

    p = sub.add_parser("taxonomy", help="the violation categories", parents=[common])
    tax_sub = p.add_subparsers(dest="taxonomy_command", metavar="ACTION", required=True)
    t = tax_sub.add_parser("list", help="the category tree", parents=[common])
    t.add_argument("--all", action="store_true", help="include deprecated categories")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_taxonomy_list)
    t = tax_sub.add_parser("export", help="print the taxonomy as JSON", parents=[common])
    t.set_defaults(func=cmd_taxonomy_export)
    t = tax_sub.add_parser("import", help="add and update categories from JSON", parents=[common])
    t.add_argument("file", metavar="FILE")
    t.set_defaults(func=cmd_taxonomy_import)

    p = sub.add_parser("entities", help="vessels, companies, people, places", parents=[common])
    ent_sub = p.add_subparsers(dest="entities_command", metavar="ACTION", required=True)
    e = ent_sub.add_parser("list", help="entities, optionally matching TEXT", parents=[common])
    e.add_argument("text", nargs="?", metavar="TEXT")
    e.add_argument(
        "--kind", choices=["vessel", "company", "person", "location", "aircraft", "bank"]
    )
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_list)
    e = ent_sub.add_parser("add", help="add an entity", parents=[common])
    e.add_argument("kind", choices=["vessel", "company", "person", "location", "aircraft", "bank"])
    e.add_argument("name", metavar="NAME")
    e.add_argument("--alias", action="append", metavar="NAME")
    e.add_argument("--imo", action="append", metavar="NUMBER")
    e.add_argument("--mmsi", action="append", metavar="NUMBER")
    e.add_argument("--loa", type=float, metavar="METRES", help="a vessel's registered length")
    e.add_argument("--beam", type=float, metavar="METRES", help="a vessel's registered beam")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_add)
    e = ent_sub.add_parser(
        "edit", help="set or remove a vessel's registered LOA and beam", parents=[common]
    )
    e.add_argument("entity", metavar="UUID-PREFIX")
    e.add_argument("--loa", metavar="METRES", help="registered length overall ('none' removes)")
    e.add_argument("--beam", metavar="METRES", help="registered beam ('none' removes)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_edit)
    e = ent_sub.add_parser(
        "suggest",
        help="IMO/MMSI numbers and known names in a source (suggestions only; nothing is added)",
        parents=[common],
    )
    e.add_argument("source", metavar="SOURCE")
    e.add_argument("--page", type=int, metavar="N")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_suggest)
    e = ent_sub.add_parser("show", help="an entity and what mentions it", parents=[common])
    e.add_argument("entity", metavar="UUID-PREFIX")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_show)

    from ui.cli.bundles import register as _register_bundles  # lazy: start-up

    _register_bundles(sub, common)

    from ui.cli.keys import register as _register_keys  # lazy: start-up

    _register_keys(sub, common)

    from ui.cli.unlock import register as _register_unlock  # lazy: start-up

    _register_unlock(sub, common)

    from ui.cli.findings import register as _register_findings  # lazy: start-up

    _register_findings(sub, common)

    from ui.cli.replies import register as _register_replies  # lazy: start-up

    _register_replies(sub, common)

    from ui.cli.report import register as _register_report  # lazy: start-up

    _register_report(sub, common)

    from ui.cli.release import register as _register_release  # lazy: start-up

    _register_release(sub, common)

    from ui.cli.geo import register as _register_geo  # lazy: start-up

    _register_geo(sub, common)

    from ui.cli.pairs import register as _register_pairs  # lazy: start-up

    _register_pairs(sub, common)

    from ui.cli.ocr import register as _register_ocr  # lazy: start-up

    _register_ocr(sub, common)

    p = add("gui", cmd_gui, "open the desktop app (the default without a command)")
    p.add_argument(
        "--open",
        action="append",
        metavar="SOURCE",
        help="open this source (id or SHA-256 prefix); give it twice for two side by side",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (the ``workstation`` console script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("library", "reviewer", "read_only"):
        if not hasattr(args, name):
            setattr(args, name, None)
    func = getattr(args, "func", None)
    if func is None:
        func = cmd_gui
    from workstation.core.errors import WorkstationError  # lazy: start-up

    try:
        return int(func(args))
    except UsageError as exc:
        parser.error(str(exc))
    except WorkstationError as exc:
        err(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback
        err(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
