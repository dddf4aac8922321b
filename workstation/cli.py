"""The ``workstation`` command: the scripting interface to a library.

Start-up stays light (argparse only); each command imports what it needs
when it runs. Exit codes: 0 success, 3 some files failed and the rest were
imported, 1 any other error (one line on stderr, never a traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workstation.library import Library
    from workstation.progress import CancelToken

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3


class UsageError(Exception):
    """Arguments that parse but make no sense together."""


# --- helpers ---------------------------------------------------------------


def _err(message: str) -> None:
    sys.stderr.write(f"workstation: {message}\n")


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=None) + "\n")


def _open_library(args: argparse.Namespace, *, create: bool | None = None) -> Library:
    from workstation.config import LIBRARY_ENV, resolve_library_path, resolve_reviewer
    from workstation.library import Library

    path = resolve_library_path(args.library)
    if create is None:
        # The default library is made on first use; a named one must exist,
        # so a mistyped --library never creates a stray library.
        create = not args.library and not os.environ.get(LIBRARY_ENV)
    return Library.open(path, reviewer=resolve_reviewer(args.reviewer), create=create)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _install_sigint(cancel: CancelToken) -> Callable[[], None]:
    """First Ctrl+C asks for a clean stop between files; the second one aborts."""
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: object) -> None:
        if cancel.cancelled:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        cancel.cancel()
        _err("stopping after the current file (Ctrl+C again to abort)")

    signal.signal(signal.SIGINT, handler)

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


# --- commands --------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    lib = _open_library(args, create=True)
    with lib:
        print(f"library ready at {lib.root}")
    return EXIT_OK


def _run_import(lib: Library, paths: Sequence[str], case: str | None, show_progress: bool) -> Any:
    from workstation.ingest import ImportService
    from workstation.progress import CancelToken, Progress

    cancel = CancelToken()
    restore = _install_sigint(cancel)
    try:
        if not show_progress:
            return ImportService(lib).import_paths(paths, case=case, cancel=cancel)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        console = _stderr_console()
        with Bar(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=None, rate="", current="")

            def on_progress(p: Progress) -> None:
                elapsed = bar.tasks[0].elapsed or 0.0
                rate = f"{p.done / elapsed:.1f} files/s" if elapsed > 0 and p.done else ""
                current = Path(p.current).name if p.current else ""
                bar.update(task, total=p.total, completed=p.done, rate=rate, current=current)
                result = p.item
                if result is not None and result.status == "failed":
                    bar.console.print(f"[red]failed[/red] {result.path}: {result.error}")

            return ImportService(lib).import_paths(
                paths, case=case, progress=on_progress, cancel=cancel
            )
    finally:
        restore()


def cmd_import(args: argparse.Namespace) -> int:
    from workstation.ingest import import_error_summary

    lib = _open_library(args)
    with lib:
        show = not args.json and sys.stderr.isatty()
        report = _run_import(lib, args.paths, args.case, show)
    if args.json:
        _print_json([r.as_json() for r in report.results])
    else:
        for r in report.results:
            if r.status == "failed":
                if not show:
                    print(f"failed     {r.path}: {r.error}")
            else:
                flags = f"  [{', '.join(r.flags)}]" if r.flags else ""
                print(f"{r.status:<10} {r.source_id:>6}  {r.path}{flags}")
        print(import_error_summary(report))
    if report.cancelled:
        return EXIT_ERROR
    failed = report.count("failed")
    if failed and failed == len(report.results):
        return EXIT_ERROR
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from workstation.sources import list_sources

    with _open_library(args) as lib, lib.reader() as session:
        rows = list_sources(session, kind=args.kind, case=args.case, limit=args.limit)
    if args.json:
        _print_json([r.as_json() for r in rows])
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("id", "kind", "pages", "grade", "published", "title", "sha256"):
        table.add_column(col, no_wrap=col in ("id", "sha256"))
    for r in rows:
        table.add_row(
            str(r.source_id),
            r.kind,
            str(r.pages),
            r.grade or "",
            (r.published or "")[:10],
            r.title or r.original_filename,
            r.sha256[:12],
        )
    Console().print(table)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from workstation.sources import bundle_line, describe_source, resolve_source

    with _open_library(args) as lib, lib.reader() as session:
        info = describe_source(session, resolve_source(session, args.source))
    if args.json:
        _print_json(info)
        return EXIT_OK
    width = max(len(k) for k in info)
    for key, value in info.items():
        if value in (None, [], {}):
            continue
        if key == "bundles":
            for n, bundle in enumerate(value):
                print(f"{key if n == 0 else '':<{width}}  {bundle_line(bundle)}")
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        print(f"{key:<{width}}  {shown}")
    return EXIT_OK


def _search_filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "kinds": args.kind or None,
        "case": args.case,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "limit": args.limit,
    }


def _print_results(results: Any, console: Any) -> None:
    from rich.text import Text

    console.print(Text(f"{results.total} hits for {results.query!r}", style="bold"))
    for n, hit in enumerate(results.hits, start=1):
        head = Text(f"{n:>3}. ")
        head.append(hit.title or f"source {hit.source_id}", style="bold")
        head.append(f"  (source {hit.source_id}, p. {hit.page}, {hit.kind})", style="dim")
        console.print(head)
        body = Text("     " + hit.snippet)
        for start, end in hit.highlights:
            body.stylize("bold yellow", start + 5, end + 5)
        console.print(body)


def _results_json(results: Any) -> dict[str, Any]:
    return {
        "query": results.query,
        "total": results.total,
        "hits": [
            {
                "source_id": h.source_id,
                "title": h.title,
                "page": h.page,
                "snippet": h.snippet,
                "highlights": [list(span) for span in h.highlights],
                "score": round(float(h.score), 4),
                "kind": h.kind,
            }
            for h in results.hits
        ],
    }


def cmd_search(args: argparse.Namespace) -> int:
    from workstation.errors import WorkstationError
    from workstation.search import SearchService

    if args.stdin == bool(args.query):
        raise UsageError("give a QUERY or --stdin (one query per line), not both")
    filters = _search_filters(args)
    console = None
    if not args.json:
        from rich.console import Console

        console = Console(highlight=False)
    failures = 0
    with _open_library(args) as lib, lib.reader() as session:
        service = SearchService(session, lib.search_index)
        queries = (line.strip() for line in sys.stdin) if args.stdin else iter([args.query])
        for query in queries:
            if not query:
                continue
            try:
                results = service.search(query, **filters)
            except WorkstationError as exc:
                if not args.stdin:
                    raise
                failures += 1
                if args.json:
                    _print_json({"query": query, "error": exc.message})
                else:
                    _err(f"{query!r}: {exc.message}")
                continue
            if args.json:
                _print_json(_results_json(results))
            else:
                _print_results(results, console)
            sys.stdout.flush()
    return EXIT_PARTIAL if failures else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from workstation.check import check_library

    with _open_library(args) as lib:
        report = check_library(lib, repair=args.repair)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "blobs_checked": report.blobs_checked,
                "audit_events": report.audit_events,
                "problems": report.problems(),
                "notes": report.notes(),
                "repaired": report.repaired,
            }
        )
    else:
        for line in report.repaired:
            print(f"repaired: {line}")
        for line in report.problems():
            print(f"problem: {line}")
        for line in report.notes():
            print(f"note: {line}")
        print(
            f"{report.blobs_checked} blobs re-hashed, database {report.sqlite}, "
            f"{report.audit_events} audit events "
            + ("verified" if report.audit_ok else "NOT verified")
        )
        print("library is consistent" if report.ok else "library has problems")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from workstation.audit import verify_chain

    with _open_library(args) as lib, lib.reader() as session:
        report = verify_chain(session)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "events": report.events,
                "broken_event": report.broken_seq,
                "reason": report.reason,
            }
        )
    elif report.ok:
        print(f"audit trail verified: {report.events} events, chain intact")
    else:
        print(f"audit trail broken at event {report.broken_seq}: {report.reason}")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_audit_log(args: argparse.Namespace) -> int:
    from workstation.audit import iter_events

    with _open_library(args) as lib, lib.reader() as session:
        events = iter_events(session, limit=args.limit)
        rows = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "details": json.loads(e.details),
                "hash": e.hash,
            }
            for e in events
        ]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            obj = f"{r['object_type']} {r['object_id'] or ''}".strip()
            print(f"{r['seq']:>6}  {r['at'][:19]}  {r['actor']:<12} {r['action']:<18} {obj}")
    return EXIT_OK


def _annotation_json(data: Any) -> dict[str, Any]:
    from dataclasses import asdict

    from workstation.anchors import PageAnchor, RegionAnchor, TextAnchor

    out = asdict(data)
    anchor = data.anchor
    kind = (
        "text"
        if isinstance(anchor, TextAnchor)
        else "region"
        if isinstance(anchor, RegionAnchor)
        else "page"
        if isinstance(anchor, PageAnchor)
        else "unknown"
    )
    out["anchor"] = {"kind": kind, **asdict(anchor)}
    if kind == "text":
        out["anchor"]["page"] = anchor.page  # 1-based, as printed
    return out


def _parse_region(text: str) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        x, y, w, h = (float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--region takes X,Y,W,H (four numbers), not {text!r}") from None
    if w <= 0 or h <= 0:
        raise UsageError("--region needs a positive width and height")
    return (x, y), (x + w, y + h)


def cmd_annotate(args: argparse.Namespace) -> int:
    from workstation.anchors import RegionAnchor
    from workstation.annotations import AnnotationService, find_quote
    from workstation.sources import resolve_source

    if (args.quote is None) == (args.region is None):
        raise UsageError("give --quote TEXT or --region X,Y,W,H")
    if args.occurrence is not None and args.quote is None:
        raise UsageError("--occurrence goes with --quote")
    with _open_library(args) as lib, lib.writer() as session:
        source = resolve_source(session, args.source)
        if args.quote is not None:
            anchor: Any = find_quote(
                session, source, args.quote, page=args.page, occurrence=args.occurrence or 1
            )
        else:
            anchor = RegionAnchor("rect", _parse_region(args.region), args.page)
        data = AnnotationService(lib).create(
            session,
            source.id,
            anchor,
            categories=args.tag or (),
            note=args.note,
            redact=args.redact,
        )
    if args.json:
        _print_json(_annotation_json(data))
    else:
        print(data.uuid)
    return EXIT_OK


def cmd_annotations(args: argparse.Namespace) -> int:
    from workstation.annotations import AnnotationFilter, AnnotationService
    from workstation.sources import resolve_source

    with _open_library(args) as lib, lib.reader() as session:
        source_id = resolve_source(session, args.source).id if args.source else None
        found = AnnotationService(lib).find(
            session,
            AnnotationFilter(source_id=source_id, category=args.tag, author=args.author),
        )
        label = f"Annotations of {lib.root.name}" + (f", source {source_id}" if source_id else "")
    if args.format == "w3c":
        from workstation.w3c import collection

        _print_json(collection(found, label=label))
    else:
        _print_json([_annotation_json(a) for a in found])
    return EXIT_OK


def cmd_taxonomy_list(args: argparse.Namespace) -> int:
    from workstation.taxonomy import list_categories

    with _open_library(args) as lib, lib.reader() as session:
        nodes = list_categories(session, include_deprecated=args.all)
    if args.json:
        _print_json(
            [
                {
                    "code": n.code,
                    "label": n.label,
                    "parent": n.parent,
                    "legal_basis": n.legal_basis,
                    "colour": n.display_colour,
                    "deprecated": n.deprecated,
                    "usage": n.usage,
                }
                for n in nodes
            ]
        )
        return EXIT_OK
    for n in nodes:
        extra = " (deprecated)" if n.deprecated else ""
        used = f"  [{n.usage}]" if n.usage else ""
        basis = f"  — {n.legal_basis}" if n.legal_basis and n.depth == 0 else ""
        print(f"{'  ' * n.depth}{n.code:<{max(1, 34 - 2 * n.depth)}} {n.label}{extra}{used}{basis}")
    return EXIT_OK


def cmd_taxonomy_export(args: argparse.Namespace) -> int:
    from workstation.taxonomy import export_taxonomy

    with _open_library(args) as lib, lib.reader() as session:
        doc = export_taxonomy(session)
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def cmd_taxonomy_import(args: argparse.Namespace) -> int:
    from workstation.errors import WorkstationError
    from workstation.taxonomy import import_taxonomy

    try:
        doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WorkstationError(f"cannot read {args.file}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkstationError(f"{args.file} is not a JSON taxonomy: {exc}") from exc
    with _open_library(args) as lib, lib.writer() as session:
        summary = import_taxonomy(lib, session, doc)
    print(
        f"{len(summary.added)} added, {len(summary.updated)} updated, "
        f"{len(summary.unchanged)} unchanged"
    )
    return EXIT_OK


def _entity_json(session: Any, entity: Any) -> dict[str, Any]:
    from workstation.entities import identifiers_of

    return {
        "uuid": entity.uuid,
        "kind": entity.kind,
        "name": entity.name,
        "aliases": list(entity.aliases or []),
        "identifiers": [{"scheme": s, "value": v} for s, v in identifiers_of(session, entity)],
    }


def cmd_entities_list(args: argparse.Namespace) -> int:
    from workstation.entities import find_entities

    with _open_library(args) as lib, lib.reader() as session:
        rows = [_entity_json(session, e) for e in find_entities(session, args.text, args.kind)]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            ids = ", ".join(f"{i['scheme'].upper()} {i['value']}" for i in r["identifiers"])
            print(f"{r['uuid'][:8]}  {r['kind']:<9} {r['name']}" + (f"  ({ids})" if ids else ""))
    return EXIT_OK


def cmd_entities_add(args: argparse.Namespace) -> int:
    from workstation.entities import add_entity

    identifiers: dict[str, list[str]] = {}
    for scheme, values in (("imo", args.imo), ("mmsi", args.mmsi)):
        if values:
            identifiers[scheme] = list(values)
    with _open_library(args) as lib, lib.writer() as session:
        entity = add_entity(
            lib, session, args.kind, args.name, aliases=args.alias or (), identifiers=identifiers
        )
        row = _entity_json(session, entity)
    if args.json:
        _print_json(row)
    else:
        print(row["uuid"])
    return EXIT_OK


def cmd_entities_suggest(args: argparse.Namespace) -> int:
    from workstation.entities import suggest
    from workstation.sources import page_text, resolve_source

    with _open_library(args) as lib, lib.reader() as session:
        source = resolve_source(session, args.source)
        pages = [args.page] if args.page else list(range(1, source.page_count + 1))
        found: list[dict[str, Any]] = [
            {
                "page": page,
                "kind": c.kind,
                "value": c.value,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "flag": c.flag,
                "entity_uuid": c.entity_uuid,
            }
            for page in pages
            for c in suggest(session, page_text(session, source.id, page))
        ]
    if args.json:
        _print_json(found)
    else:
        for c in found:
            known = f"  -> entity {str(c['entity_uuid'])[:8]}" if c["entity_uuid"] else "  (new)"
            flag = f"  flag {c['flag']}" if c["flag"] else ""
            print(f"p. {c['page']:<4} {c['kind']:<5} {c['text']}{flag}{known}")
    return EXIT_OK


def cmd_entities_show(args: argparse.Namespace) -> int:
    from workstation.entities import entity_page, find_entities

    with _open_library(args) as lib, lib.reader() as session:
        matches = [e for e in find_entities(session) if e.uuid.startswith(args.entity)]
        if len(matches) != 1:
            from workstation.errors import NotFoundError

            raise NotFoundError(
                f"no entity {args.entity}"
                if not matches
                else f"{args.entity} matches several entities; give more of the uuid"
            )
        page = entity_page(session, matches[0].uuid)
        out = _entity_json(session, page.entity)
        out["annotations"] = [_annotation_json(a) for a in page.annotations]
        out["sources"] = [
            {"source_id": m.source_id, "title": m.title, "pages": m.pages, "matched": m.matched}
            for m in page.sources
        ]
    if args.json:
        _print_json(out)
    else:
        print(f"{out['kind']} {out['name']}  ({out['uuid']})")
        for i in out["identifiers"]:
            print(f"  {i['scheme'].upper()} {i['value']}")
        print(f"  {len(out['annotations'])} annotation(s) linked")
        for m in out["sources"]:
            pages = ", ".join(str(p) for p in m["pages"])
            print(f"  source {m['source_id']}: {m['title']} (p. {pages})")
    return EXIT_OK


def _display_available() -> bool:
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# (library, reviewer, create, sources to open side by side) -> exit code
GuiLauncher = Callable[[Path, "str | None", bool, Sequence[int]], int]
_gui_launcher: GuiLauncher | None = None


def _launch_gui(path: Path, reviewer: str | None, create: bool, show: Sequence[int] = ()) -> int:
    if _gui_launcher is None:
        raise UsageError("the desktop app is started by the 'workstation' command")
    if not _display_available():
        raise UsageError(
            "no display to open the desktop app on (set DISPLAY, or use the other commands)"
        )
    return _gui_launcher(path, reviewer, create, show)


def cmd_gui(args: argparse.Namespace) -> int:
    from workstation.config import LIBRARY_ENV, resolve_library_path

    path = resolve_library_path(args.library)
    create = not args.library and not os.environ.get(LIBRARY_ENV)
    return _launch_gui(path, args.reviewer, create)


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile

    from resources.demo_corpus import write_demo_corpus
    from workstation.config import default_library_path, resolve_reviewer
    from workstation.ingest import ImportService, import_error_summary
    from workstation.library import Library
    from workstation.sources import list_sources

    if args.library:
        path = Path(args.library).expanduser()
    else:
        path = default_library_path().with_name("demo-library")
    with Library.open(path, reviewer=resolve_reviewer(args.reviewer), create=True) as lib:
        with tempfile.TemporaryDirectory(prefix="workstation-demo-") as tmp:
            files = write_demo_corpus(Path(tmp))
            report = ImportService(lib).import_paths(files, case="Demo: Rajin port")
        from resources.demo_marks import mark_demo

        marks = mark_demo(lib)
        with lib.reader() as session:
            rows = list_sources(session)
        print(f"demo library at {lib.root}: {import_error_summary(report)}")
        for r in rows:
            print(
                f"  {r.source_id:>3}  {r.kind:<8} {r.pages:>3} p.  {r.title or r.original_filename}"
            )
        if marks:
            print(f"  {marks} marks made, as a reviewer would: passages, a region, counted ships")
        print(f"try: workstation --library {lib.root} search 'Rajin'")
        root = lib.root
        # Open the report beside the satellite image of the port it describes.
        show = [r.source_id for r in rows if r.kind == "pdf"][:1] + [
            r.source_id for r in rows if r.kind == "image"
        ][:1]
    if report.count("failed"):
        return EXIT_ERROR
    if args.no_gui:
        return EXIT_OK
    if not _display_available():
        print(f"no display here; open it on a desktop with: workstation gui --library {root}")
        return EXIT_OK
    return _launch_gui(root, args.reviewer, False, show)


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

    p = add("list", cmd_list, "list the sources")
    p.add_argument("--kind", choices=["pdf", "image", "article", "text", "email"])
    p.add_argument("--case", metavar="NAME")
    p.add_argument("--limit", type=int, metavar="N")
    p.add_argument("--json", action="store_true")

    p = add("show", cmd_show, "show one source (by id or SHA-256 prefix)")
    p.add_argument("source", metavar="SOURCE")
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
    p.add_argument("--repair", action="store_true", help="remove orphan blobs and temp files")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="the audit trail", parents=[common])
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = audit_sub.add_parser("verify", help="recompute the hash chain", parents=[common])
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
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_entities_add)
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

    from workstation.cli_bundles import register as _register_bundles

    _register_bundles(sub, common)

    from workstation.cli_keys import register as _register_keys

    _register_keys(sub, common)

    add("gui", cmd_gui, "open the desktop app (the default without a command)")
    return parser


def main(argv: Sequence[str] | None = None, *, gui: GuiLauncher | None = None) -> int:
    """Run the command line; ``gui`` opens the desktop app (given by ui.launcher).

    The layers run ui -> workstation, so the CLI cannot import the desktop
    app itself: the console script enters through ``ui.launcher``, which
    hands this function a way to start it.
    """
    global _gui_launcher
    _gui_launcher = gui
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("library", "reviewer"):
        if not hasattr(args, name):
            setattr(args, name, None)
    func = getattr(args, "func", None)
    if func is None:
        func = cmd_gui
    from workstation.errors import WorkstationError

    try:
        return int(func(args))
    except UsageError as exc:
        parser.error(str(exc))
    except WorkstationError as exc:
        _err(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback
        _err(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
