"""Take the planetary coordinate systems out of PROJ's database in the frozen app.

pyproj ships PROJ's ``proj.db`` (8.6 MB). Besides the Earth's systems (EPSG, ESRI,
IGNF, NKG, OGC, PROJ) it holds the IAU's for the Moon, Mars and 95 other bodies
(``IAU_2015``: 2,200 CRSs, 0.6 MB), which no picture of a port or a rail yard can
carry. Their rows are deleted with SQLite and the file compacted (VACUUM); every
Earth CRS, datum, transformation and alias stays as PROJ wrote it (a test compares).

    python packaging/trim_proj.py PROJ_DB      # prints the size before and after
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

AUTHORITIES = ("IAU_2015",)


def trim(db: Path) -> None:
    """Delete every row an authority in AUTHORITIES names, in every table, then VACUUM."""
    marks = ",".join("?" * len(AUTHORITIES))
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in (r[1] for r in con.execute(f"PRAGMA table_info('{table}')")):
                if column == "auth_name" or column.endswith("_auth_name"):
                    con.execute(f"DELETE FROM '{table}' WHERE {column} IN ({marks})", AUTHORITIES)
    con.close()
    with sqlite3.connect(db) as con:
        con.execute("VACUUM")
    con.close()


def main(argv: list[str]) -> int:
    db = Path(argv[0])
    if not db.is_file():
        print(f"trim_proj: no PROJ database at {db}", file=sys.stderr)
        return 1
    before = db.stat().st_size
    trim(db)
    print(f"trim_proj: {db.name} {before / 1e6:.1f} -> {db.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
