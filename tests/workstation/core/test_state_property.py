"""Property: any edit of any evidence column of any audited table is named by check.

Hypothesis picks a table bound to the audit trail, a row, a column (caches left out)
and a new value of any SQLite type, writes it with sqlite3 into a copy of a real
library, and expects ``check`` to name the record that row belongs to (the row's own
record, or the one owning it: a page's source, a tag's annotation).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.workstation.core.evidence import Made, build
from workstation.core import state
from workstation.core.check import check_library
from workstation.core.library import Library


@dataclass(frozen=True)
class Row:
    table: str
    rowid: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    made: Made
    work: Path
    rows: dict[str, list[Row]]  # bound tables with at least one row

    def record_of(self, row: Row) -> str:
        """``'<kind> <key>'``: the record ``row`` is part of, as check names it."""
        kind = state.KIND_OF_TABLE.get(row.table)
        if kind is not None:
            return f"{kind.name} {row.values[kind.key]}"
        owner, column = state.OWNER_OF_TABLE[row.table]
        (parent,) = [r for r in self.rows[owner.table] if r.rowid == row.values[column]]
        return f"{owner.name} {parent.values[owner.key]}"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    made = build(tmp_path_factory.mktemp("evidence"))
    tables = sorted({*state.KIND_OF_TABLE, *state.OWNER_OF_TABLE})
    rows: dict[str, list[Row]] = {}
    with sqlite3.connect(made.root / "library.sqlite") as raw:
        for table in tables:
            names = state.columns(table)
            found = raw.execute(f"SELECT rowid, {', '.join(names)} FROM {table}").fetchall()
            if found:
                rows[table] = [
                    Row(table, r[0], dict(zip(names, r[1:], strict=True))) for r in found
                ]
    raw.close()
    # Every audited kind and every table owned by one has rows to edit.
    assert set(rows) == set(tables)
    return Snapshot(made, tmp_path_factory.mktemp("work"), rows)


VALUES = st.one_of(
    st.none(),
    st.booleans().map(int),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=24),
    st.binary(max_size=8),
)


@st.composite
def edits(draw: st.DrawFn, snap: Snapshot) -> tuple[Row, str, Any]:
    table = draw(st.sampled_from(sorted(snap.rows)))
    row = draw(st.sampled_from(snap.rows[table]))
    column = draw(st.sampled_from(state.columns(table)))
    return row, column, draw(VALUES)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_check_names_the_record_of_any_edited_row(snapshot: Snapshot, data: st.DataObject) -> None:
    row, column, value = data.draw(edits(snapshot))
    work = Path(tempfile.mkdtemp(dir=snapshot.work))
    try:
        root = shutil.copytree(snapshot.made.root, work / "lib")
        with sqlite3.connect(root / "library.sqlite") as raw:
            try:
                # IS NOT: compared as SQLite stores it (a '5' written to an INTEGER
                # column is 5), so only real changes count.
                statement = (
                    f'UPDATE {row.table} SET "{column}" = ? WHERE rowid = ? AND "{column}" IS NOT ?'
                )
                changed = raw.execute(statement, (value, row.rowid, value)).rowcount
            except sqlite3.IntegrityError:
                changed = 0  # a unique, check or not-null constraint refused it
        raw.close()
        assume(changed == 1)
        with Library.open(root, reviewer="alice") as lib:
            problems = check_library(lib).problems()
        record = snapshot.record_of(row)
        assert any(p.startswith(f"{record} ") for p in problems), (row, column, value, problems)
    finally:
        shutil.rmtree(work, ignore_errors=True)
