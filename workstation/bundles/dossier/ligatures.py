"""Ligature glyphs spelled out in the dossier's fonts, so its quotes extract as written."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}
_BFRANGE_BLOCK = re.compile(rb"(\d+) beginbfrange\s*\n(.*?)endbfrange", re.S)
_RANGE_LINE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]{4})>")
_CHAR_LIGATURE = re.compile(rb"(<[0-9a-fA-F]+>\s*)<([fF][bB]0[0-6])>")


def spell_out_ligatures(doc: Any) -> None:
    """Map ligature glyphs (fi, ff, ffl...) to their letters in every ToUnicode CMap.

    MuPDF's layout forms ligatures and maps them to U+FB01 and kin, so a quote with
    "offshore" would extract as "o\ufb00shore"; readers and scripts then miss it.
    """
    for xref in range(1, doc.xref_length()):
        kind, value = doc.xref_get_key(xref, "ToUnicode")
        if kind != "xref":
            continue
        cmap_xref = int(value.split()[0])
        fixed = _spelled_cmap(bytes(doc.xref_stream(cmap_xref)))
        if fixed is not None:
            doc.update_stream(cmap_xref, fixed)


def _spelled_cmap(cmap: bytes) -> bytes | None:
    """The CMap with ligature targets spelled out, or None when it maps no ligature."""
    extra: list[bytes] = []

    def ranges(block: re.Match[bytes]) -> bytes:
        kept: list[bytes] = []
        for line in block.group(2).splitlines():
            found = _RANGE_LINE.fullmatch(line.strip())
            if found is not None:
                low, high, first = (int(found[i], 16) for i in (1, 2, 3))
                if first <= 0xFB06 and first + high - low >= 0xFB00:
                    # A range cannot map to two-letter strings: list its codes one by one.
                    width = len(found[1])
                    for offset in range(high - low + 1):
                        letters = _LIGATURES.get(first + offset, chr(first + offset))
                        extra.append(
                            b"<%s> <%s>" % (f"{low + offset:0{width}x}".encode(), _hex(letters))
                        )
                    continue
            if line.strip():
                kept.append(line.strip())
        if not kept:
            return b""
        return b"%d beginbfrange\n%s\nendbfrange" % (len(kept), b"\n".join(kept))

    out = _BFRANGE_BLOCK.sub(ranges, cmap)
    out = _CHAR_LIGATURE.sub(
        lambda m: m.group(1) + b"<" + _hex(_LIGATURES[int(m.group(2), 16)]) + b">", out
    )
    blocks = [extra[i : i + 100] for i in range(0, len(extra), 100)]
    added = b"".join(
        b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(chunk)) for chunk in blocks
    )
    if added:
        out = out.replace(b"endcmap", added + b"endcmap", 1)
    return None if out == cmap else out


def _hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().encode()
