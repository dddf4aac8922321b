"""OCR of several sources in one go, for a caller with a progress display and a Cancel
(the desktop's import and its Run OCR): what was read, what could not be, whether it was
cancelled or a model is missing, as data the caller words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from workstation.core.errors import BadInputError, CancelledError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress
from workstation.ocr.engine import OcrModelMissingError
from workstation.ocr.layers import OcrService, read_after_import
from workstation.ocr.settings import languages_for_source, read_settings
from workstation.sources.ingest import ImportResult


@dataclass
class BatchOutcome:
    """What a batch did.

    Attributes:
        read: Sources a layer was made for.
        pages: Pages read in them.
        unreadable: (source id, message) of sources OCR could not read; the rest went on.
        cancelled: Cancel stopped it (sources read before are kept; the one being read not).
        missing: The message of a missing engine or model, which stopped it before reading.
    """

    read: int = 0
    pages: int = 0
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    cancelled: bool = False
    missing: str | None = None


def after_import(library: Library, results: Iterable[ImportResult]) -> list[int]:
    """The sources an import brought in that the library's OCR mode says to read now."""
    wanted = read_after_import(results)
    if not wanted:
        return []
    with library.reader() as session:
        return [] if read_settings(session).mode == "off" else wanted


def ocr_sources(
    library: Library,
    source_ids: list[int],
    progress: Callable[[int, Progress], None],
    cancel: CancelToken,
    *,
    workers: int | None = None,
) -> BatchOutcome:
    """OCR the pages without text of these sources, each in its case's languages (else
    the library's), pages in parallel; new layers are accepted where none was.

    Args:
        progress: Told (1-based number of the source in source_ids, its page progress).
        cancel: Checked between pages.
    """
    outcome = BatchOutcome()
    with library.reader() as session:
        languages = {i: languages_for_source(session, i) for i in source_ids}
    try:
        with OcrService(library, workers=workers) as service:
            for number, source_id in enumerate(source_ids, 1):

                def tell(p: Progress, number: int = number) -> None:
                    progress(number, p)

                try:
                    summary = service.run(
                        source_id, languages[source_id], progress=tell, cancel=cancel
                    )
                except BadInputError as error:
                    outcome.unreadable.append((source_id, error.message))
                    continue
                if summary is not None:
                    outcome.read += 1
                    outcome.pages += len(summary.pages)
    except OcrModelMissingError as error:
        outcome.missing = error.message
    except CancelledError:
        outcome.cancelled = True
    return outcome
