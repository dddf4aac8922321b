"""Entity suggestions on a passage with a large register of known entities.

Builds a library with ``--entities`` vessels (a name and aliases each),
then times ``suggest`` on a 500-character passage beside two parts of it measured
alone in the same run: reading the entities (SQLite + ORM) and the naive way of
matching (one compiled pattern per term, which ``suggest`` avoids with a substring
test first).

Run: ``uv run python bench/bench_entities.py [--entities 10000]``. Prints figures,
never a verdict.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select

from bench.bench_annotations import median_ms
from db.models import Entity
from workstation.core.library import Library
from workstation.entities.register import _term_pattern, add_entity, suggest, terms_of

WORDS = [
    "OCEAN",
    "STAR",
    "PEARL",
    "TIDE",
    "LANTERN",
    "CRANE",
    "HERON",
    "PETREL",
    "VENUS",
    "GLORY",
    "SUN",
    "MOON",
    "WIND",
    "RIVER",
    "PACIFIC",
    "EAST",
]
PASSAGE = (
    "The tanker AMBER TIDE (IMO 9074729, MMSI 445123456) called at Najin, where "
    "OCEAN STAR 17 loaded coal. "
) * 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-entities-"))
    try:
        lib = Library.open(folder / "lib", reviewer="bench", create=True)
        rng = random.Random(1)
        with lib.writer() as session:
            for i in range(args.entities):
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
                add_entity(lib, session, "vessel", name, aliases=[name.title(), f"{name} maru"])
        with lib.reader() as session:
            ours = median_ms(lambda: suggest(session, PASSAGE))
            load = median_ms(lambda: list(session.scalars(select(Entity))))
            terms = [t for e in session.scalars(select(Entity)) for t in terms_of(e)]
            naive = median_ms(
                lambda: [m for t in terms for m in _term_pattern(t).finditer(PASSAGE)], runs=2
            )
        lib.close()
        size = len(PASSAGE)
        print(f"{args.entities:,} entities, {len(terms):,} terms, a {size}-character passage")
        print(f"  suggest (IMO, MMSI, known names)      {ours:7.0f} ms median")
        print(f"  reading the entities alone            {load:7.0f} ms")
        print(f"  one compiled pattern per term, naive  {naive:7.0f} ms")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
