"""``workstation ocr``: read scanned pages and pictures of documents into text.

``ocr SOURCE...`` reads the pages without a usable text layer (``--force``: every page)
into a new OCR layer; ``ocr status SOURCE`` lists a source's layers; ``ocr accept LAYER``
makes a kept-aside layer the page text; ``ocr settings`` shows or sets the library's
defaults (``--mode auto|off`` for imports, ``--languages``). ``import --ocr`` calls
``ocr_after_import`` here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ui.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    UsageError,
    err,
    install_sigint,
    open_library,
    print_json,
)
from workstation.core.printable import printable

if TYPE_CHECKING:
    from workstation.core.errors import BadInputError
    from workstation.core.library import Library
    from workstation.ocr.layers import LayerSummary

_ACTIONS = ("status", "accept", "settings")


def _describe(summary: LayerSummary) -> str:
    confidence = "-" if summary.mean_confidence is None else f"{summary.mean_confidence:.0f}"
    state = "accepted" if summary.accepted else "kept aside (ocr accept to use it)"
    pages = len(summary.pages)
    marks = ""
    if summary.marks_moved or summary.marks_orphaned:
        marks = (
            f"; marks re-anchored: {summary.marks_moved}, "
            f"orphaned (quote not found): {summary.marks_orphaned}"
        )
    return (
        f"source {summary.source_id}: layer {summary.layer_id}, {summary.engine} "
        f"{summary.engine_version.removeprefix('tesseract ')}, {summary.languages}, "
        f"{pages} page{'s' if pages != 1 else ''}, mean confidence {confidence}, {state}{marks}"
    )


def _progress_printer(enabled: bool) -> Any:
    if not enabled:
        return None

    def show(p: Any) -> None:
        if p.total:
            sys.stderr.write(f"\rOCR: {p.done}/{p.total} pages")
            if p.done == p.total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def run_ocr(
    lib: Library,
    source_ids: list[int],
    languages: str | None,
    *,
    force: bool = False,
    accept: bool | None = None,
    show_progress: bool = False,
    on_unreadable: Callable[[int, BadInputError], None] | None = None,
) -> list[tuple[int, LayerSummary | None]]:
    """OCR each source in turn (pages in parallel); Ctrl+C stops cleanly.

    ``languages`` None: each source's case's languages, else the library's.
    ``on_unreadable``: told of a source OCR cannot read, and the others are read; without
    it the error stops the command.
    """
    from workstation.core.errors import BadInputError  # lazy: start-up
    from workstation.core.progress import CancelToken  # lazy: start-up
    from workstation.ocr.layers import OcrService  # lazy: start-up
    from workstation.ocr.settings import languages_for_source  # lazy: start-up

    if languages is None:
        with lib.reader() as session:
            chosen = {i: languages_for_source(session, i) for i in source_ids}
    else:
        chosen = dict.fromkeys(source_ids, languages)
    cancel = CancelToken()
    restore = install_sigint(cancel)
    done: list[tuple[int, LayerSummary | None]] = []
    try:
        with OcrService(lib) as service:
            for source_id in source_ids:
                try:
                    summary = service.run(
                        source_id,
                        chosen[source_id],
                        force=force,
                        accept=accept,
                        progress=_progress_printer(show_progress),
                        cancel=cancel,
                    )
                except BadInputError as error:
                    if on_unreadable is None:
                        raise
                    on_unreadable(source_id, error)
                    continue
                done.append((source_id, summary))
    finally:
        restore()
    return done


def ocr_after_import(lib: Library, results: list[Any], mode: str | None) -> dict[int, Any]:
    """OCR what an import brought in (PDFs and images), by ``mode`` or the library's default.

    Returns:
        Source id -> its new layer's JSON, or None when no page needed OCR.
    """
    from workstation.ocr.engine import OcrModelMissingError  # lazy: start-up
    from workstation.ocr.layers import read_after_import  # lazy: start-up
    from workstation.ocr.settings import check_mode, read_settings  # lazy: start-up

    if mode is None:
        with lib.reader() as session:
            mode = read_settings(session).mode
    if check_mode(mode) == "off":
        return {}
    wanted = read_after_import(results)

    def unreadable(source_id: int, error: BadInputError) -> None:
        err(f"imported source {source_id}, but OCR cannot read it: {error}")

    # The import itself stands whatever OCR meets: say what, and go on.
    found: dict[int, Any] = {}
    try:
        done = run_ocr(
            lib, wanted, None, show_progress=sys.stderr.isatty(), on_unreadable=unreadable
        )
    except OcrModelMissingError as error:
        err(f"imported, but not read by OCR: {error}")
        return found
    for source_id, summary in done:
        found[source_id] = None if summary is None else summary.as_json()
    return found


def cmd_ocr(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    action = words[0] if words and words[0] in _ACTIONS else None
    if action == "settings":
        return _settings(args, words[1:])
    if action is not None and len(words) != 2:
        raise UsageError(f"ocr {action} takes one {'LAYER' if action == 'accept' else 'SOURCE'}")
    if args.all_missing and (words or action):
        raise UsageError("--all-missing reads every source without a layer: give no SOURCE")
    if not words and not args.all_missing:
        raise UsageError(
            "ocr needs a SOURCE or --all-missing (or status SOURCE, accept LAYER, settings)"
        )
    from workstation.ocr.layers import (  # lazy: start-up
        OcrService,
        layers_of,
        sources_without_layer,
    )
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    with open_library(args) as lib:
        if action == "accept":
            try:
                layer_id = int(words[1])
            except ValueError:
                raise UsageError(f"LAYER is a number (see ocr status), not {words[1]!r}") from None
            summary = OcrService(lib).accept(layer_id)
            print_json(summary.as_json()) if args.json else print(_describe(summary))
            return EXIT_OK
        with lib.reader() as session:
            if args.all_missing:
                ids = sources_without_layer(session)
            else:
                refs = words[1:] if action else words
                ids = [resolve_source(session, ref).id for ref in refs]
            if action == "status":
                layers = layers_of(session, ids[0])
        if action == "status":
            if args.json:
                print_json({"source_id": ids[0], "layers": [s.as_json() for s in layers]})
            elif not layers:
                print(f"source {ids[0]}: no OCR layer")
            for layer in [] if args.json else layers:
                print(_describe(layer))
                for page in layer.pages:
                    confidence = page["mean_confidence"]
                    print(
                        f"  page {page['page']:>4}  {page['languages']:<16} "
                        f"confidence {'-' if confidence is None else f'{confidence:.0f}'}  "
                        f"{page['words']} words  ({page['reason']})"
                    )
            return EXIT_OK
        skipped: list[int] = []

        def unreadable(source_id: int, error: BadInputError) -> None:
            skipped.append(source_id)
            err(f"source {source_id}: OCR cannot read it: {error}")

        done = run_ocr(
            lib,
            ids,
            args.languages,
            force=args.force,
            accept=True if args.accept else None,
            show_progress=not args.json and sys.stderr.isatty(),
            on_unreadable=unreadable if args.all_missing else None,
        )
    if args.json:
        print_json([{"source_id": i, "layer": None if s is None else s.as_json()} for i, s in done])
    else:
        for source_id, made in done:
            if made is None:
                print(f"source {source_id}: no page needs OCR; nothing read (--force reads all)")
            else:
                print(_describe(made))
    return EXIT_PARTIAL if skipped else EXIT_OK


def _settings(args: argparse.Namespace, rest: list[str]) -> int:
    from workstation.ocr.settings import (  # lazy: start-up
        case_languages,
        read_settings,
        set_case_languages,
        write_settings,
    )

    if rest:
        raise UsageError("ocr settings takes only --mode, --languages and --case")
    if args.case is not None and (args.mode is not None or args.languages is None):
        raise UsageError("ocr settings --case NAME takes --languages (LANGS, or 'library')")
    with open_library(args) as lib:
        if args.case is not None:
            with lib.writer() as session:
                wanted = None if args.languages == "library" else args.languages
                set_case_languages(session, args.case, wanted)
        elif args.mode is not None or args.languages is not None:
            with lib.writer() as session:
                write_settings(session, mode=args.mode, languages=args.languages)
        with lib.reader() as session:
            settings = read_settings(session)
            cases = case_languages(session)
    if args.json:
        print_json({**settings.as_json(), "cases": cases})
    else:
        print(f"OCR at import: {settings.mode}; languages: {settings.languages}")
        for name, languages in sorted(cases.items()):
            print(f"  case {printable(name)}: {languages}")
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``ocr`` to the parser."""
    p = sub.add_parser(
        "ocr",
        help="read scanned pages and images into text (status, accept, settings)",
        description="ocr SOURCE... reads the pages without a usable text layer into a new "
        "OCR layer (the original is never changed); the first layer of a source becomes its "
        "page text at once, a later one is kept aside until accepted. ocr status SOURCE "
        "lists the layers; ocr accept LAYER makes one the page text; ocr settings shows or "
        "sets the library's defaults.",
        parents=[common],
    )
    p.add_argument(
        "words", nargs="*", metavar="SOURCE... | status SOURCE | accept LAYER | settings"
    )
    p.add_argument(
        "--languages",
        "--lang",
        metavar="LANGS",
        help="models to read with, e.g. kor+eng (eng rus kor jpn jpn_vert chi_sim chi_tra), "
        "or auto: detect each page's script (default: the library's setting)",
    )
    p.add_argument(
        "--all-missing",
        action="store_true",
        help="every PDF and image that has no OCR layer yet (the pages that need it)",
    )
    p.add_argument("--force", action="store_true", help="read every page, text layer or not")
    p.add_argument("--accept", action="store_true", help="make the new layer the page text now")
    p.add_argument("--mode", choices=["auto", "off"], help="settings: OCR at import")
    p.add_argument(
        "--case",
        metavar="NAME",
        help="settings: the languages this case's sources are read with "
        "(--languages library: the library's again)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ocr)
