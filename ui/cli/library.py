"""Commands on the library itself: init, import, list, show, similar, search, check, audit."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workstation.core.library import Library

from ui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    WAITING_FOR_INDEX,
    UsageError,
    err,
    install_sigint,
    open_library,
    print_json,
    say_waiting_for_index,
    stderr_console,
)
from workstation.core.printable import is_unicode, printable

# --- commands --------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    lib = open_library(args, create=True)
    with lib:
        print(f"library ready at {lib.root}")
    return EXIT_OK


def _run_import(lib: Library, paths: Sequence[str], case: str | None, show_progress: bool) -> Any:
    from workstation.core.progress import CancelToken, Progress  # lazy: start-up
    from workstation.sources.ingest import ImportService  # lazy: start-up

    cancel = CancelToken()
    restore = install_sigint(cancel)
    try:
        if not show_progress:
            service = ImportService(lib, on_index_wait=say_waiting_for_index)
            return service.import_paths(paths, case=case, cancel=cancel)
        from rich.progress import (  # lazy: start-up
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar  # lazy: start-up
        from rich.text import Text  # lazy: start-up

        console = stderr_console()
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
                current = printable(Path(p.current).name) if p.current else ""
                bar.update(task, total=p.total, completed=p.done, rate=rate, current=current)
                result = p.item
                if result is not None and result.status == "failed":
                    line = Text("failed", style="red")
                    line.append(f" {printable(result.path)}: {printable(result.error or '')}")
                    bar.console.print(line)

            def waiting() -> None:
                bar.console.print(Text(f"workstation: {WAITING_FOR_INDEX}"))

            return ImportService(lib, on_index_wait=waiting).import_paths(
                paths, case=case, progress=on_progress, cancel=cancel
            )
    finally:
        restore()


def _one_story(lib: Library, results: Sequence[Any]) -> dict[int, list[dict[str, Any]]]:
    """Per newly imported source, the library's sources that tell its story (shared text).

    About 1 ms a source through the band index (docs/performance.md), so every import
    can say it: the first sign that two "sources" are one wire story retold.
    """
    from workstation.findings.corroboration import near_duplicates_of  # lazy: start-up

    found: dict[int, list[dict[str, Any]]] = {}
    with lib.reader() as session:
        for r in results:
            if r.status != "imported" or r.source_id is None:
                continue
            matches = near_duplicates_of(session, r.source_id)
            if matches:
                found[r.source_id] = [
                    {"source_id": int(m.source_id), "containment": round(m.score, 4)}
                    for m in matches
                ]
    return found


def cmd_import(args: argparse.Namespace) -> int:
    from ui.cli.ocr import ocr_after_import  # lazy: start-up
    from workstation.sources.flags import FLAG_LOCKED  # lazy: start-up
    from workstation.sources.ingest import import_error_summary  # lazy: start-up

    lib = open_library(args)
    with lib:
        show = not args.json and sys.stderr.isatty()
        report = _run_import(lib, args.paths, args.case, show)
        read = {} if report.cancelled else ocr_after_import(lib, report.results, args.ocr)
        similar = _one_story(lib, report.results)
    if args.json:
        print_json(
            [
                {
                    **r.as_json(),
                    "ocr": read.get(r.source_id or 0),
                    "similar": similar.get(r.source_id or 0, []),
                }
                for r in report.results
            ]
        )
    else:
        for r in report.results:
            if r.status == "failed":
                if not show:
                    print(f"failed     {printable(r.path)}: {printable(r.error or '')}")
            else:
                flags = f"  [{', '.join(r.flags)}]" if r.flags else ""
                print(f"{r.status:<10} {r.source_id:>6}  {printable(r.path)}{flags}")
                layer = read.get(r.source_id or 0)
                if layer is not None:
                    print(
                        f"{'':<18}OCR: {len(layer['pages'])} page(s) read ({layer['languages']}), "
                        f"mean confidence {layer['mean_confidence']}"
                    )
                for other in similar.get(r.source_id or 0, [])[:3]:
                    print(
                        f"{'':<18}one story with source {other['source_id']} "
                        f"({other['containment']:.0%} of the shorter text shared): "
                        f"'workstation similar {r.source_id}'"
                    )
                if r.repaired:
                    print(
                        f"{'':<18}the stored original was damaged; this file's bytes "
                        "replaced it (the damaged copy is in quarantine/)"
                    )
                if FLAG_LOCKED in r.flags and r.status == "imported":
                    print(
                        f"{'':<18}password-protected: kept unread; "
                        f"'workstation unlock {r.source_id} --password-file FILE' reads it"
                    )
        print(import_error_summary(report))
    if report.cancelled:
        return EXIT_ERROR
    failed = report.count("failed")
    if failed and failed == len(report.results):
        return EXIT_ERROR
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from workstation.sources.lookup import list_sources  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        rows = list_sources(session, kind=args.kind, case=args.case, limit=args.limit)
    if args.json:
        print_json([r.as_json() for r in rows])
        return EXIT_OK
    from rich.console import Console  # lazy: start-up
    from rich.table import Table  # lazy: start-up
    from rich.text import Text  # lazy: start-up

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
            Text(printable(r.title or r.original_filename)),  # Text: never read as markup
            r.sha256[:12],
        )
    Console().print(table)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from workstation.sources.flags import describe_flag  # lazy: start-up
    from workstation.sources.lookup import (  # lazy: start-up
        bundle_line,
        describe_source,
        resolve_source,
    )

    with open_library(args) as lib, lib.reader() as session:
        info = describe_source(session, resolve_source(session, args.source))
    if args.json:
        print_json(info)
        return EXIT_OK
    width = max(len(k) for k in info)
    for key, value in info.items():
        if value in (None, [], {}):
            continue
        if key == "bundles":
            for n, bundle in enumerate(value):
                print(f"{key if n == 0 else '':<{width}}  {bundle_line(bundle)}")
            continue
        if key == "flags":
            for n, flag in enumerate(value):
                print(f"{key if n == 0 else '':<{width}}  {flag}: this file {describe_flag(flag)}")
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        print(f"{key:<{width}}  {printable(str(shown))}")
    return EXIT_OK


def cmd_similar(args: argparse.Namespace) -> int:
    """The library's sources that tell one story with SOURCE (shared text), most first."""
    from db.models import Source  # lazy: start-up
    from workstation.findings.corroboration import near_duplicates_of  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    if not 0.0 < args.threshold <= 1.0:
        raise UsageError(f"--threshold must be above 0 and at most 1, not {args.threshold}")
    with open_library(args) as lib, lib.reader() as session:
        source = resolve_source(session, args.source)
        rows = []
        for match in near_duplicates_of(session, source.id, args.threshold):
            other = session.get(Source, int(match.source_id))
            title = (other.title or other.original_filename) if other else match.source_id
            rows.append((int(match.source_id), title, match.similarity))
    if args.json:
        print_json(
            [
                {
                    "source_id": source_id,
                    "title": title,
                    "containment": round(s.containment, 4),
                    "jaccard": round(s.jaccard, 4),
                    "shared_shingles": s.shared,
                    "exact": s.exact,
                }
                for source_id, title, s in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print(f"no source shares {args.threshold:.0%} or more of its text with source {source.id}")
        return EXIT_OK
    for source_id, title, s in rows:
        how = "" if s.exact else " (estimated)"
        print(f"{source_id:>6}  {s.containment:>4.0%} shared{how}  {printable(title)}")
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
    from rich.text import Text  # lazy: start-up

    hits = "hit" if results.total == 1 else "hits"
    console.print(
        Text(f"{results.total} {hits} for {printable(repr(results.query))}", style="bold")
    )
    for n, hit in enumerate(results.hits, start=1):
        head = Text(f"{n:>3}. ")
        head.append(printable(hit.title or f"source {hit.source_id}"), style="bold")
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


def _stdin_queries() -> Iterator[tuple[str, str | None]]:
    """(query, why it cannot be searched) per line of standard input.

    Read as bytes, so a line in another encoding is reported on its own
    (shown with its bytes escaped) instead of ending the run.
    """
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream with no bytes underneath
        yield from ((line.strip(), None) for line in sys.stdin)
        return
    for number, raw in enumerate(buffer, start=1):
        try:
            yield raw.decode("utf-8").strip(), None
        except UnicodeDecodeError as exc:
            shown = raw.strip().decode("utf-8", errors="backslashreplace")
            yield (
                shown,
                (
                    f"line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                    f"position {exc.start + 1}); save the queries as UTF-8"
                ),
            )


def cmd_search(args: argparse.Namespace) -> int:
    from workstation.core.errors import QuerySyntaxError, WorkstationError  # lazy: start-up
    from workstation.search.service import SearchService  # lazy: start-up

    if args.stdin == bool(args.query):
        raise UsageError("give a QUERY or --stdin (one query per line), not both")
    filters = _search_filters(args)
    console = None
    if not args.json:
        from rich.console import Console  # lazy: start-up

        console = Console(highlight=False)
    failures = 0
    if not args.stdin and not is_unicode(args.query):
        raise QuerySyntaxError("the query is not UTF-8 text; type it again or use --stdin")
    with open_library(args) as lib, lib.reader() as session:
        service = SearchService(session, lib.search_index)
        queries = _stdin_queries() if args.stdin else iter([(args.query, None)])
        for query, unreadable in queries:
            if not query:
                continue
            try:
                if unreadable is not None:
                    raise QuerySyntaxError(unreadable)
                results = service.search(query, **filters)
            except WorkstationError as exc:
                if not args.stdin:
                    raise
                failures += 1
                if args.json:
                    print_json({"query": query, "error": exc.message})
                else:
                    err(f"{query!r}: {exc.message}")
                continue
            if args.json:
                print_json(_results_json(results))
            else:
                _print_results(results, console)
            sys.stdout.flush()
    return EXIT_PARTIAL if failures else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from workstation.core.check import check_library  # lazy: start-up

    with open_library(args) as lib:
        report = check_library(lib, repair=args.repair)
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "blobs_checked": report.blobs_checked,
                "audit_events": report.audit_events,
                "records_checked": report.audit.records_checked,
                "records": [p.as_json() for p in report.audit.state_problems],
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
            f"{report.audit_events} audit events and {report.audit.records_checked} record "
            "states " + ("verified" if report.audit_ok else "NOT verified")
        )
        print("library is consistent" if report.ok else "library has problems")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from workstation.core.check import verify_audit  # lazy: start-up
    from workstation.core.witness import read_heads  # lazy: start-up

    heads = [head for path in args.witness or [] for head in read_heads(Path(path))]
    with open_library(args) as lib, lib.reader() as session:
        report, _ = verify_audit(lib, session, heads)
    if args.json:
        print_json(report.as_json())
        return EXIT_OK if report.ok else EXIT_ERROR
    for line in report.problems():
        print(f"problem: {line}")
    for line in report.witness_notes:
        print(f"note: {line}")
    if report.ok:
        print(
            f"audit trail verified: {report.events} events, chain intact; "
            f"{report.records_checked} record states match; "
            f"{report.witnesses_checked} witnessed heads agree"
        )
    elif not report.chain_ok:
        print(f"audit trail broken at event {report.broken_seq}: {report.chain_problem}")
    else:
        print("audit trail does not vouch for the library as it is")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_audit_log(args: argparse.Namespace) -> int:
    from workstation.core.audit import iter_events  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
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
        print_json(rows)
    else:
        for r in rows:
            obj = f"{r['object_type']} {r['object_id'] or ''}".strip()
            print(f"{r['seq']:>6}  {r['at'][:19]}  {r['actor']:<12} {r['action']:<18} {obj}")
    return EXIT_OK
