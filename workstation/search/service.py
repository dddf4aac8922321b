"""Full-text search as reviewers use it: a query, filters, and a snippet for each hit.

The index (db.search_index) only ranks pages; this module parses what a reviewer
types (``query``), resolves case and date filters in the database, and asks
``snippets`` to cut a highlighted snippet from each returned page's text, which
stays in the pages table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from db.models import Case, CaseSource, Page, Source
from db.search_index import SearchIndex, SearchIndexClosedError, SearchIndexError
from db.search_query import Node, positive_leaves
from workstation.core.errors import (
    LibraryClosedError,
    LibraryError,
    NotFoundError,
    QuerySyntaxError,
)
from workstation.core.printable import printable
from workstation.search.query import parse_query
from workstation.search.snippets import Highlighter

SOURCE_KINDS = ("article", "email", "image", "pdf", "text")
"""The values of ``sources.kind`` a search can be limited to."""

REINDEX_PAGES_PER_COMMIT = 20_000
"""``reindex_pending`` commits the index (and marks sources) about this often."""

REINDEX_SOURCES_PER_QUERY = 100
"""Sources whose pages ``reindex_pending`` reads with one query."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching page.

    Attributes:
        source_id: ``sources.id``.
        title: The source's title, or its original file name if it has none,
            with hidden characters (bidi overrides, controls) shown as escapes.
        kind: ``sources.kind``.
        page: 1-based page number.
        snippet: About 200 characters of the page around its best match, with
            whitespace collapsed; "…" marks a cut.
        highlights: ``(start, end)`` offsets in ``snippet`` of each match: a
            phrase or a CJK word is one span.
        score: Relevance (BM25); only comparable within one search.
    """

    source_id: int
    title: str
    kind: str
    page: int
    snippet: str
    highlights: list[tuple[int, int]]
    score: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one query.

    Attributes:
        query: The query as typed.
        total: How many pages match in all (not only those in ``hits``).
        hits: The requested slice of the matching pages, best first.
    """

    query: str
    total: int
    hits: list[SearchHit]


def _parse_date(value: dt.date | str | None, *, end: bool) -> str | None:
    """An ISO day; 'YYYY' and 'YYYY-MM' mean their first day (or last, for an end)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            day = dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            day = dt.date(int(text[:4]), int(text[5:]), 1)
            if end:
                day = (day + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        elif len(text) > 10:
            day = dt.datetime.fromisoformat(text).date()
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        raise QuerySyntaxError(f"Not a date: {value!r}; use YYYY, YYYY-MM or YYYY-MM-DD.") from None
    return day.isoformat()


class SearchService:
    """Searches one library's pages; one instance per operation (it holds a Session)."""

    def __init__(self, session: Session, index: SearchIndex) -> None:
        """Create the service.

        Args:
            session: The operation's session. ``reindex_pending`` writes and
                commits through it.
            index: The library's search index.
        """
        self._session = session
        self._index = index

    # -- searching ----------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        offset: int = 0,
        kinds: Collection[str] | None = None,
        case: int | str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> SearchResults:
        """Find pages, best first, with a highlighted snippet for each hit.

        Args:
            text: The query (syntax in ``workstation.search.query``).
            limit: How many hits to return.
            offset: How many of the best hits to skip (paging).
            kinds: Only sources of these kinds (``SOURCE_KINDS``).
            case: Only sources in this case: its id, or its name.
            date_from: Only sources published on or after this day.
            date_to: Only sources published on or before this day. Dates may
                be ``date`` objects or 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' strings;
                sources without a publication date are left out when either
                bound is given, and a partial date ('2024-03') counts as its
                first day.

        Returns:
            The total number of matching pages and the requested hits.

        Raises:
            QuerySyntaxError: The query or a filter value is malformed.
            NotFoundError: No such case.
            LibraryError: The index cannot be read.
        """
        node = parse_query(text)
        return self._run(text, node, limit, offset, *self._filters(kinds, case, date_from, date_to))

    def search_many(
        self,
        lines: Iterable[str],
        *,
        limit: int = 20,
        kinds: Collection[str] | None = None,
        case: int | str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> list[SearchResults]:
        """Run one query per line (e.g. a list of vessel names), same filters for all.

        Every line is parsed before anything is searched; blank lines are skipped.

        Args:
            lines: The queries.
            limit: Hits per query.
            kinds: As for ``search``.
            case: As for ``search``.
            date_from: As for ``search``.
            date_to: As for ``search``.

        Returns:
            One result per non-blank line, in order.

        Raises:
            QuerySyntaxError: A line is malformed; the message names the line.
        """
        parsed: list[tuple[str, Node]] = []
        for number, line in enumerate(lines, start=1):
            query = line.strip()
            if not query:
                continue
            try:
                parsed.append((query, parse_query(query)))
            except QuerySyntaxError as error:
                raise QuerySyntaxError(f"Line {number}: {error.message}") from error
        filters = self._filters(kinds, case, date_from, date_to)
        return [self._run(query, node, limit, 0, *filters) for query, node in parsed]

    def _filters(
        self,
        kinds: Collection[str] | None,
        case: int | str | None,
        date_from: dt.date | str | None,
        date_to: dt.date | str | None,
    ) -> tuple[set[int] | None, set[str] | None]:
        kind_set: set[str] | None = None
        if kinds is not None:
            kind_set = set(kinds)
            unknown = sorted(kind_set - set(SOURCE_KINDS))
            if unknown:
                raise QuerySyntaxError(
                    f"Unknown source type {unknown[0]!r}; use one of: {', '.join(SOURCE_KINDS)}."
                )
        low = _parse_date(date_from, end=False)
        high = _parse_date(date_to, end=True)
        if low is not None and high is not None and low > high:
            raise QuerySyntaxError(f"The date range is empty: {low} is after {high}.")
        if case is None and low is None and high is None:
            return None, kind_set
        statement = select(Source.id)
        if case is not None:
            case_id = self._case_id(case)
            statement = statement.join(CaseSource, CaseSource.source_id == Source.id).where(
                CaseSource.case_id == case_id
            )
        if low is not None or high is not None:
            # '2024-03' -> '2024-03-01', '2024-03-05T10:00Z' -> '2024-03-05'
            day = func.substr(Source.published.concat("-01-01"), 1, 10)
            statement = statement.where(Source.published.is_not(None))
            if low is not None:
                statement = statement.where(day >= low)
            if high is not None:
                statement = statement.where(day <= high)
        return set(self._session.scalars(statement)), kind_set

    def _case_id(self, case: int | str) -> int:
        if isinstance(case, int):
            found = self._session.get(Case, case)
            if found is None:
                raise NotFoundError(f"No case with id {case}.")
            return found.id
        case_id = self._session.scalar(select(Case.id).where(Case.name == case))
        if case_id is None:
            raise NotFoundError(f"No case named {case!r}.")
        return case_id

    def _run(
        self,
        query: str,
        node: Node,
        limit: int,
        offset: int,
        source_ids: set[int] | None,
        kinds: set[str] | None,
    ) -> SearchResults:
        try:
            total, found = self._index.search(
                node, limit=limit, offset=offset, source_ids=source_ids, kinds=kinds
            )
        except SearchIndexClosedError as error:
            raise LibraryClosedError(str(error)) from error
        except SearchIndexError as error:
            raise LibraryError(str(error)) from error
        except ValueError as error:  # the parser only builds leaves with words
            raise QuerySyntaxError(str(error)) from error
        if not found:
            return SearchResults(query, total, [])
        ids = {hit.source_id for hit in found}
        sources = {
            row.id: row
            for row in self._session.execute(
                select(Source.id, Source.title, Source.original_filename, Source.kind).where(
                    Source.id.in_(ids)
                )
            )
        }
        # An OR of (source_id, number) pairs, which SQLite answers from the
        # unique index (a row-value IN list scans the whole table). Written as
        # text: building it as an expression cost more than running it.
        wanted = " OR ".join(f"(source_id = :s{i} AND number = :n{i})" for i in range(len(found)))
        params: dict[str, int] = {}
        for i, hit in enumerate(found):
            params[f"s{i}"] = hit.source_id
            params[f"n{i}"] = hit.page
        rows = self._session.execute(
            text(f"SELECT source_id, number, text FROM {Page.__tablename__} WHERE {wanted}"),
            params,
        )
        texts = {(row[0], row[1]): row[2] for row in rows}
        highlighter = Highlighter(positive_leaves(node))
        hits: list[SearchHit] = []
        for hit in found:
            source = sources.get(hit.source_id)
            page_text = texts.get((hit.source_id, hit.page))
            if source is None or page_text is None:
                continue  # deleted since it was indexed; the index catches up later
            snippet, highlights = highlighter.snippet(page_text)
            hits.append(
                SearchHit(
                    source_id=hit.source_id,
                    title=printable(source.title or source.original_filename),
                    kind=source.kind,
                    page=hit.page,
                    snippet=snippet,
                    highlights=highlights,
                    score=hit.score,
                )
            )
        return SearchResults(query, total, hits)

    # -- indexing -----------------------------------------------------------

    def reindex_pending(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
        source_ids: Collection[int] | None = None,
    ) -> int:
        """Index every source the library marks as not indexed, from the pages table.

        If the index was recreated (deleted, corrupt, older format) every
        source is marked not indexed first. The index is committed before the
        sources are marked indexed, so a crash only means indexing them again.
        Commits the session.

        Args:
            progress: Called with (sources done, sources to do) after each
                source; it may raise (e.g. CancelledError) to stop: what was
                committed stays, the rest stays pending.
            wait: When another process holds the index's writer lock, wait
                for it (however long); False leaves everything pending and
                returns 0 at once (opening a library never waits).
            on_wait: Called once when a wait for the lock starts to show.
            source_ids: Only these sources (those an import deferred), not
                another process's, which that process is indexing.

        Returns:
            How many sources were indexed.

        Raises:
            LibraryError: The index cannot be written.
        """
        session = self._session
        index = self._index
        try:
            if index.needs_rebuild:
                session.execute(update(Source).values(indexed=False))
                session.commit()
                index.clear_needs_rebuild()
            wanted = select(Source.id, Source.kind).where(Source.indexed.is_(False))
            if source_ids is not None:
                wanted = wanted.where(Source.id.in_(list(source_ids)))
            pending = list(session.execute(wanted.order_by(Source.id)))
            # Never wait for the index's lock while holding the database's: the
            # process holding the index may need the database to finish.
            session.commit()
            if not pending or not index.acquire_writer(wait=wait, on_wait=on_wait):
                return 0
            total = len(pending)
            done = 0
            batch: list[int] = []
            batch_pages = 0
            if progress is not None:
                progress(0, total)
            for source_id, added in self._feed(pending):
                batch_pages += added
                batch.append(source_id)
                done += 1
                if progress is not None:
                    progress(done, total)
                if batch_pages >= REINDEX_PAGES_PER_COMMIT:
                    self._mark_indexed(batch)  # releases both locks
                    batch, batch_pages = [], 0
                    if not index.acquire_writer(wait=wait, on_wait=on_wait):
                        break
            if batch:  # an up-to-date library costs no index commit
                self._mark_indexed(batch)
        except SearchIndexClosedError as error:
            session.rollback()
            raise LibraryClosedError(str(error)) from error
        except SearchIndexError as error:
            index.rollback()
            session.rollback()
            raise LibraryError(str(error)) from error
        except BaseException:
            with contextlib.suppress(SearchIndexError):
                index.rollback()
            session.rollback()
            raise
        return done

    def fill_from_pages(self) -> int:
        """Index every source into an empty index, writing nothing to the database.

        For a library on a read-only medium, whose index lives in memory.

        Returns:
            How many sources were indexed.
        """
        index = self._index
        everything = list(self._session.execute(select(Source.id, Source.kind).order_by(Source.id)))
        try:
            index.acquire_writer(wait=True)
            done = sum(1 for _ in self._feed(everything))
            index.commit()
        except SearchIndexError as error:
            raise LibraryError(str(error)) from error
        index.clear_needs_rebuild()
        return done

    def _feed(self, sources: list[Any]) -> Iterator[tuple[int, int]]:
        """Add each (id, kind) row's pages from the pages table; yield (id, pages added)."""
        index = self._index
        for chunk_start in range(0, len(sources), REINDEX_SOURCES_PER_QUERY):
            chunk = sources[chunk_start : chunk_start + REINDEX_SOURCES_PER_QUERY]
            kinds = {row.id: row.kind for row in chunk}
            # Streamed: a chunk of big PDFs may hold far more text than fits in memory.
            rows = self._session.execute(
                select(Page.source_id, Page.number, Page.text)
                .where(Page.source_id.in_(kinds))
                .order_by(Page.source_id, Page.number),
                execution_options={"yield_per": 500},
            )
            for source_id, group in groupby(rows, key=lambda r: r.source_id):
                pages = ((r.number, r.text) for r in group)
                yield source_id, index.add_source(source_id, kinds.pop(source_id), pages)
            for source_id, kind in kinds.items():  # no pages: drop whatever was indexed
                index.add_source(source_id, kind, ())
                yield source_id, 0

    def _mark_indexed(self, source_ids: list[int]) -> None:
        self._index.commit()
        if source_ids:
            for start in range(0, len(source_ids), 500):
                self._session.execute(
                    update(Source)
                    .where(Source.id.in_(source_ids[start : start + 500]))
                    .values(indexed=True)
                )
            self._session.commit()


__all__ = [
    "SOURCE_KINDS",
    "SearchHit",
    "SearchResults",
    "SearchService",
]
