"""OCR in the window's import: after the files are in, the pages without text of the PDFs
and pictures it brought are read, by the library's OCR setting (as ``import`` does on the
command line), in the same worker, with the same progress dialog and Cancel.

The import stands whatever OCR meets (a model missing, a file it cannot read, Cancel):
the summary says so in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from workstation.core.errors import BadInputError, CancelledError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress
from workstation.ocr.engine import OcrModelMissingError
from workstation.ocr.layers import OcrService, read_after_import
from workstation.ocr.settings import languages_for_source, read_settings
from workstation.sources.ingest import ImportReport

OCR_STEP = "Reading text (OCR)"
"""How OCR's progress lines start; the import's dialog shows them as they are."""


def read_imported(
    library: Library,
    report: ImportReport,
    tell: Callable[[int, int, str], None],
    cancel: CancelToken,
    *,
    workers: int | None = None,
) -> str:
    """OCR what ``report`` imported, where the library's OCR mode is auto.

    Runs on the import's worker thread (it opens sessions).

    Args:
        library: The open library.
        report: The import's report.
        tell: ``Task.report``: (pages done, pages, line) for the progress dialog.
        cancel: The import's CancelToken, checked between pages.
        workers: Reader processes (default: one a core).

    Returns:
        A sentence for the import's summary ("" when OCR had nothing to do).
    """
    wanted = read_after_import(report.results)
    if not wanted or report.cancelled:
        return ""
    with library.reader() as session:
        if read_settings(session).mode == "off":
            return ""
        languages = {i: languages_for_source(session, i) for i in wanted}
    read = pages = 0
    unreadable: list[str] = []
    try:
        with OcrService(library, workers=workers) as service:
            for number, source_id in enumerate(wanted, 1):

                def progress(p: Progress, number: int = number) -> None:
                    of = f", file {number} of {len(wanted)}" if len(wanted) > 1 else ""
                    tell(p.done, p.total, f"{OCR_STEP}{of}: {p.done} of {p.total} pages")

                try:
                    summary = service.run(
                        source_id, languages[source_id], progress=progress, cancel=cancel
                    )
                except BadInputError as error:
                    unreadable.append(f"source {source_id}: {error.message}")
                    continue
                if summary is not None:
                    read += 1
                    pages += len(summary.pages)
    except OcrModelMissingError as error:
        return f"Not read by OCR: {error.message}"
    except CancelledError:
        done = f" ({pages} pages of {read} file(s) were read and kept)" if read else ""
        return f"OCR was cancelled{done}; `workstation ocr --all-missing` reads the rest."
    said = f"OCR read {pages} page(s) of {read} file(s)." if read else ""
    if unreadable:
        said += " OCR could not read " + "; ".join(unreadable) + "."
    return said.strip()
