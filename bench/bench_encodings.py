"""How much text a guess of a legacy encoding needs: accuracy and flags by sample length.

For each field encoding (tests/workstation/sources/field_texts.py), cut windows
of N characters at every offset of the paragraph, encode them, and decode them
as the import does (workstation/sources/extract/encoding.py: chardetng). Prints,
by window length, the share read right and the share flagged
``encoding-uncertain``; then, over every window from 1 to 650 characters, the
most non-ASCII bytes any wrong guess rested on and how many wrong guesses went
unflagged (the figure that must stay 0). charset-normalizer, the detector
trafilatura brings along, is measured on the same windows for comparison.
``RELIABLE_GUESS_BYTES`` comes from this.

    uv run python bench/bench_encodings.py [--lengths 2,4,8,16,24,32,48,64]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import charset_normalizer  # noqa: E402

from tests.workstation.sources.field_texts import FIELD_ENCODINGS  # noqa: E402
from workstation.sources.extract.encoding import decode_bytes, non_ascii_bytes  # noqa: E402


def _windows(text: str, length: int, codec: str, step: int = 1) -> Iterator[tuple[str, bytes]]:
    for start in range(0, max(1, len(text) - length + 1), step):
        window = text[start : start + length]
        data = window.encode(codec)
        if not data.isascii():
            yield window, data


def _charset_normalizer(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return None if best is None else str(best)


def _table(title: str, lengths: list[int], cell: Callable[[str, str, int], str]) -> None:
    print(title)
    print("  " + " " * 24 + "".join(f"{n:>7}" for n in lengths) + "   (characters)")
    for label, codec, text in FIELD_ENCODINGS:
        print(f"  {label:<24}" + "".join(f"{cell(codec, text, n):>7}" for n in lengths))
    print()


def _share(codec: str, text: str, length: int, test: Callable[[str, bytes], bool]) -> str:
    windows = list(_windows(text, length, codec))
    if not windows:
        return "-"
    return f"{100 * sum(1 for w, d in windows if test(w, d)) / len(windows):.1f}"


def _sweep() -> None:
    """Every window from 1 to 650 characters: the worst wrong guess, and unflagged wrong ones."""
    print("every window of 1-650 characters, decoded as the import does:")
    total = unflagged = 0
    for label, codec, text in FIELD_ENCODINGS:
        worst = 0
        windows = 0
        for length in [*range(1, 160), *range(160, 650, 7)]:
            for window, data in _windows(text, length, codec, 1 if length < 160 else 5):
                decoded = decode_bytes(data)
                windows += 1
                if decoded.how != "guessed" or decoded.text == window:
                    continue
                worst = max(worst, non_ascii_bytes(data))
                unflagged += decoded.confident
        total += windows
        print(
            f"  {label:<24} {windows:>7} windows; "
            + (f"wrong guesses on up to {worst} non-ASCII bytes" if worst else "no wrong guess")
        )
    print(f"  wrong guesses left unflagged: {unflagged} of {total} windows\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="2,4,6,8,12,16,24,32,48,64")
    args = parser.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]

    started = time.perf_counter()
    _table(
        "the import (chardetng): % of windows read right",
        lengths,
        lambda c, t, n: _share(c, t, n, lambda w, d: decode_bytes(d).text == w),
    )
    _table(
        "the import: % of windows flagged encoding-uncertain",
        lengths,
        lambda c, t, n: _share(c, t, n, lambda w, d: not decode_bytes(d).confident),
    )
    print(f"  ({time.perf_counter() - started:.1f} s)\n")
    _sweep()
    started = time.perf_counter()
    _table(
        "charset-normalizer 3: % of windows read right (for comparison)",
        lengths,
        lambda c, t, n: _share(c, t, n, lambda w, d: _charset_normalizer(d) == w),
    )
    print(f"  ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
