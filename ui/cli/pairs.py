"""``workstation pairs`` and ``workstation pair``: before and after pictures kept in the library.

``pairs`` lists the stored pairs; ``pair A B`` keeps two pictures as a pair (the
earlier capture first when both dates are known), ``pair --remove ID`` lets one go.
Footprint overlaps that are not kept are listed by ``overlaps``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.common import EXIT_OK, UsageError, open_library, print_json


def _line(p: Any) -> str:
    def side(s: Any) -> str:
        return f"{s.source_id} {s.title} ({s.captured or 'date unknown'})"

    aligned = f", aligned by {len(p.alignment)} points" if p.alignment else ""
    note = f": {p.note}" if p.note else ""
    return f"pair {p.id}: before {side(p.before)}, after {side(p.after)}{aligned}{note}"


def cmd_pairs(args: argparse.Namespace) -> int:
    from workstation.geo.pairs import list_pairs, pair_json  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        ids = [resolve_source(session, args.source).id] if args.source else None
        found = list_pairs(session, ids)
    if args.json:
        print_json([pair_json(p) for p in found])
    elif not found:
        print("no image pairs" + (f" with source {args.source}" if args.source else ""))
    for p in [] if args.json else found:
        print(_line(p))
    return EXIT_OK


def cmd_pair(args: argparse.Namespace) -> int:
    from workstation.geo.pairs import PairService, pair_json  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    if args.remove is not None:
        if args.sources or args.note is not None:
            raise UsageError("give two sources (and --note), or --remove ID alone")
    elif len(args.sources) != 2:
        raise UsageError(f"give two sources to pair (before and after), not {len(args.sources)}")
    with open_library(args) as lib, lib.writer() as session:
        service = PairService(lib)
        if args.remove is not None:
            gone = service.remove(session, args.remove)
            verb = "removed"
        else:
            first, second = (resolve_source(session, ref).id for ref in args.sources)
            gone = service.create(session, first, second, note=args.note)
            verb = "kept"
    if args.json:
        print_json({"removed" if verb == "removed" else "pair": pair_json(gone)})
    else:
        print(f"{verb} " + _line(gone))
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``pairs`` and ``pair`` to the parser."""
    p = sub.add_parser(
        "pairs",
        help="the before and after image pairs kept in the library",
        description="Every stored image pair (or those with SOURCE): before and after with "
        "their capture dates, the alignment and the note. Overlapping pictures not kept as "
        "a pair are suggestions: 'workstation overlaps SOURCE'.",
        parents=[common],
    )
    p.add_argument("source", nargs="?", metavar="SOURCE", help="only pairs with this source")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pairs)
    p = sub.add_parser(
        "pair",
        help="keep two images as a before and after (or --remove a pair)",
        description="Keep two pictures of the same place as a pair: the earlier capture is "
        "the before when both dates are known, else the first given. The dossier of a "
        "bundle holding both prints them on a before/after page. --remove ID lets a pair go "
        "(the pictures stay).",
        parents=[common],
    )
    p.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="two source ids or SHA-256 prefixes"
    )
    p.add_argument("--note", metavar="TEXT", help="what the pair shows (printed in the dossier)")
    p.add_argument("--remove", type=int, metavar="ID", help="remove the pair with this id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pair)
