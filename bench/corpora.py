# PyMuPDF ships py.typed but leaves most functions unannotated.
"""Synthetic corpora for the benchmarks: big enough to show costs, the same bytes on every run.

Build them all with timings: `uv run python bench/corpora.py FOLDER`.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import random
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pymupdf

DEFAULT_SEED = 1718
GIB = 1 << 30


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- vocabulary -------------------------------------------------------------------------

# Most frequent English words, roughly in frequency order: they take the head of the Zipf curve.
_COMMON = _words("""
the of and to a in that is was he for it with as his on be at by this had not are but from or
have an they which one you were her all she there would their we him been has when who will
more no if out so said what up its about into than them can only other new some could time
these two may then do first any my now such like our over man even most made after also did
many before must through back years where much your way well down should because each just
those people how too little state good very make world still own see men work long get here
between both life being under never day same another know while last might us great old year
off come since against go came right used take three small large next early during press
public report late hand high place part few case week company number group problem fact
""")

# Words of the trade: spread through the upper-middle ranks.
_DOMAIN = _words("""
vessel ship tanker cargo port container containers transfer petroleum oil refined crude coal
iron ore seafood textiles sanctions resolution panel imagery satellite berth quay pier
anchorage crew flag registry owner operator manager shipment shipments customs export
exports import imports barrels tonnes voyage route signal transponder identity hull draught
bunker fuel terminal rail wagons border bank payment account transaction front network broker
intermediary evidence source sources annex finding findings investigation member committee
designation designated entity entities individual loading unloading ammunition shells
artillery missiles weapons munitions materiel machinery vehicles luxury goods workers revenue
cyber cryptocurrency exchange laundering shipping maritime coast guard inspection seizure
detained documents certificate lading manifest charter insurance insurer classification
society scrapped renamed reflagged spoofing dark gap transmission location position
coordinates nautical miles north south east west coastal waters bay strait island harbour
tracking photographs analysts officials authorities spokesperson statement denied confirmed
reported alleged suspected delivered loaded unloaded transshipment smuggling procurement
""")

# Multi-word units the pages use as one piece, so phrase queries have something to find.
_COLLOCATIONS = (
    "ship-to-ship transfer",
    "refined petroleum",
    "crude oil",
    "container ship",
    "satellite imagery",
    "port call",
    "Security Council",
    "Panel of Experts",
    "front company",
    "AIS signal",
    "bill of lading",
    "coal exports",
    "artillery shells",
    "ballistic missiles",
    "annual cap",
    "flag state",
    "member states",
    "designated entity",
    "dark activity",
    "identity fraud",
    "oil terminal",
    "rail siding",
    "border crossing",
    "bank account",
    "joint venture",
    "overseas workers",
    "cyber theft",
    "dual-use goods",
    "luxury goods",
    "fishing rights",
    "bulk carrier",
    "cargo manifest",
    "shell company",
    "beneficial owner",
    "false documents",
    "port authority",
    "radar imagery",
    "sea trials",
    "ammunition containers",
    "fuel oil",
)

_ONSETS = _words(
    "b c d f g h k l m n p r s t v w b d g l m n p r s t br ch cr dr gr pl pr sh st th tr"
)
_NUCLEI = _words("a e i o u a e i o u a e o ea ee ou oo")
_CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "ng", "rk", "st", "nt", "ck"]
_SUFFIXES = ["", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly"]

_VESSEL_FIRST = _words("""
NORTHERN SILVER AMBER MORNING GOLDEN EASTERN BLUE GREEN PACIFIC OCEAN GRAND
BRIGHT ROYAL JADE CORAL WINTER SPRING LUCKY HAPPY NEW RED WHITE HONEST RISING SEA ORIENT
DRAGON PHOENIX GREAT FAR""")
_VESSEL_SECOND = _words("""
LANTERN HERON TIDE CRANE PEARL STAR WAVE WIND SUN MOON RIVER HARBOUR GLORY
FORTUNE HOPE VICTORY LOTUS CLOUD FALCON EAGLE PINE ISLAND BRIDGE VOYAGER SPIRIT LIGHT BREEZE
DREAM WAY DAWN""")
_MMSI_PREFIXES = ("445", "445", "273", "273", "667", "341", "352", "636", "413", "312", "577")
_COMPANY_MIDDLE = _words("""
Ocean Sea Star General Coastal Pacific Unity Harmony Trust Bridge Northern
Eastern Golden Silk Century Prosperity""")
_COMPANY_SUFFIX = (
    "Shipping Co. Ltd",
    "Trading LLC",
    "Maritime Ltd",
    "Logistics LLC",
    "General Trading Corp",
    "Energy Co.",
    "International Ltd",
    "Holdings Ltd",
    "Import and Export Co.",
    "Fisheries Co.",
)
_REAL_PLACES = _words("""
Rajin Najin Rason Chongjin Nampo Hungnam Songrim Wonsan Haeju Kimchaek Sinuiju
Pyongyang Vostochny Dunay Vladivostok Vanino Nakhodka Slavyanka Posyet Zarubino Khasan
Tumangang Kholmsk Korsakov Dalian Longkou Yantai Qingdao Shidao Lianyungang Ningbo Dandong
Busan Pohang Incheon Shanghai Kaohsiung Keelung Shandong Primorye Sakhalin Niigata""")

_FOREIGN_WORDS = {
    "ru": _words("""судно танкер порт контейнеры снаряды санкции КНДР Россия перевалка нефтепродукты
груз Восточный Дунай Владивосток Раджин причал экипаж флаг резолюция Совет Безопасности ООН
оружие поставки боеприпасы уголь железная дорога вагоны источник доклад спутниковые снимки
компания оператор владелец сигнал АИС отключил прибыл выгрузил в и на с по из что не был
было были для это также около тонн баррелей"""),
    "ko": _words("""
북한 북한의 북한은 선박 유조선 컨테이너 라진항 나진항 남포 청진 러시아 보스토치니
제재 유엔 안보리 결의 위반 환적 정제유 석탄 수출 위성사진 항구 부두 입항 출항 화물 선적 선원
회사 보고서 전문가 확인 의혹 정부 관계자 말했다 있다 했다 것으로 이 그 및 등 약 지난 해상에서
신호를 끈 무기 탄약 포탄"""),
    "ja": _words("""北朝鮮の タンカーが 南浦沖で 瀬取りを 行った 疑いがある 石油精製品を 積み替えた
国連安全保障理事会の 制裁決議に 違反する 可能性がある 羅津港に コンテナが 船舶自動識別装置を
停止していた 衛星画像で 確認された ロシア船籍の 貨物船が 入港した 朝鮮半島周辺の 海域で 監視を
続けている と述べた 日本政府は 関係者によると 石炭の 輸出 弾薬 砲弾を 運んだ 朝鮮"""),
    "zh": _words("""朝鲜 船只 油轮 在南浦附近 进行 船对船 转运 成品油 联合国安理会 制裁 决议 违反
罗津港 集装箱 卫星图像 显示 俄罗斯 货船 关闭了 自动识别系统 煤炭 出口 弹药 炮弹 据报道
有关部门 表示 正在 调查 朝鮮"""),
}
# Japanese and Chinese run words together; only some fragments are set off by punctuation.
_CJK_SEPARATORS = ("", "", "", "", "、", "，")

_FOREIGN_QUERIES = ("북한", "朝鮮", "снаряды", "라진항", "Восточный", "朝鲜", "перевалка", "石油")


class Vessel(NamedTuple):
    """An invented ship with a valid IMO number and an MMSI carrying a real flag prefix."""

    name: str
    imo: str
    mmsi: str


class Query(NamedTuple):
    """A search as a reviewer would type it, and which mix bucket it came from."""

    text: str
    kind: str


def imo_check_digit(first_six: str) -> int:
    """The seventh digit of an IMO number (weights 7..2 on the first six, mod 10)."""
    return sum(int(d) * w for d, w in zip(first_six, (7, 6, 5, 4, 3, 2), strict=True)) % 10


def _zipf_cum_weights(n: int, exponent: float = 1.0, offset: float = 2.7) -> list[float]:
    """Zipf-Mandelbrot cumulative weights for ranks 0..n-1."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


def _invented_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 1, 2, 2, 2, 3))
    parts = [rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(syllables)]
    return "".join(parts) + rng.choice(_CODAS) + rng.choice(_SUFFIXES)


def _sampling_table(items: list[str], cum_weights: list[float], slots: int = 1 << 16) -> list[str]:
    """items repeated in proportion to their weight, each at least once, in exactly `slots` slots.

    Drawing k items is then k 16-bit random indices, ten times faster than random.choices.
    """
    total = cum_weights[-1]
    shares = [(b - a) / total for a, b in itertools.pairwise([0.0, *cum_weights])]
    free = slots - len(items)  # one slot each up front, the rest by largest remainder
    exact = [share * free for share in shares]
    counts = [1 + int(x) for x in exact]
    by_remainder = sorted(range(len(items)), key=lambda i: int(exact[i]) - exact[i])
    for i in by_remainder[: slots - sum(counts)]:
        counts[i] += 1
    return [item for item, count in zip(items, counts, strict=True) for _ in range(count)]


@dataclass(frozen=True)
class Vocabulary:
    """Words and names the generators draw from.

    `word_table` holds the words repeated by Zipf weight in 65,536 slots (see _sampling_table).
    """

    words: tuple[str, ...]
    word_table: tuple[str, ...]
    vessels: tuple[Vessel, ...]
    companies: tuple[str, ...]
    places: tuple[str, ...]
    names: tuple[str, ...]
    name_weights: tuple[float, ...]
    imo_by_vessel: dict[str, Vessel]


@functools.cache
def vocabulary(seed: int = DEFAULT_SEED, size: int = 4000) -> Vocabulary:
    """The shared vocabulary: ~4,000 words and ~500 vessel, company and place names."""
    rng = random.Random(seed)
    words = list(dict.fromkeys(_COMMON))
    head, tail = words[:60], words[60:]
    domain = [w for w in dict.fromkeys(_DOMAIN) if w not in words]
    mixed: list[str] = []
    for i in range(max(len(tail), len(domain))):  # interleave domain words into the upper ranks
        mixed.extend(x[i] for x in (domain, tail) if i < len(x))
    words = head + mixed
    seen = set(words)
    while len(words) < size:
        word = _invented_word(rng)
        if word not in seen and len(word) > 2:
            seen.add(word)
            words.append(word)

    pairs = [(a, b) for a in _VESSEL_FIRST for b in _VESSEL_SECOND if a != b]
    vessels = []
    for first, second in rng.sample(pairs, 220):
        name = f"{first} {second}" + (f" {rng.randint(1, 9)}" if rng.random() < 0.15 else "")
        six = str(rng.choice((8, 9))) + f"{rng.randrange(100_000):05d}"
        mmsi = rng.choice(_MMSI_PREFIXES) + f"{rng.randrange(1_000_000):06d}"
        vessels.append(Vessel(name, six + str(imo_check_digit(six)), mmsi))
    companies = []
    for _ in range(160):
        first = _invented_word(rng).capitalize()
        middle = rng.choice(_COMPANY_MIDDLE)
        companies.append(f"{first} {middle} {rng.choice(_COMPANY_SUFFIX)}")
    places = list(_REAL_PLACES)
    kinds = ("Bay", "Island", "Point", "Anchorage", "Strait", "Roads")
    while len(places) < 120:
        places.append(f"{_invented_word(rng).capitalize()} {rng.choice(kinds)}")
    names = [v.name for v in vessels] + companies + places
    rng.shuffle(names)  # popularity independent of kind
    return Vocabulary(
        words=tuple(words),
        word_table=tuple(_sampling_table(words, _zipf_cum_weights(len(words)))),
        vessels=tuple(vessels),
        companies=tuple(companies),
        places=tuple(places),
        names=tuple(names),
        name_weights=tuple(_zipf_cum_weights(len(names), exponent=0.9)),
        imo_by_vessel={v.name: v for v in vessels},
    )


# --- page texts -------------------------------------------------------------------------


def _mention(rng: random.Random, vocab: Vocabulary) -> str:
    if rng.random() < 0.3:
        return rng.choice(_COLLOCATIONS)
    (name,) = rng.choices(vocab.names, cum_weights=vocab.name_weights)
    vessel = vocab.imo_by_vessel.get(name)
    if vessel is not None:
        roll = rng.random()
        if roll < 0.3:
            return f"{name} (IMO {vessel.imo})"
        if roll < 0.4:
            return f"{name} (IMO {vessel.imo}, MMSI {vessel.mmsi})"
    return name


def _sentences(rng: random.Random, tokens: list[str]) -> str:
    """Cuts tokens into sentences and paragraphs."""
    paragraphs: list[str] = []
    sentences: list[str] = []
    pos = 0
    while pos < len(tokens):
        length = rng.randint(8, 24)
        chunk = tokens[pos : pos + length]
        pos += length
        if rng.random() < 0.4:
            i = rng.randrange(len(chunk))
            chunk[i] += ","
        first = chunk[0]
        chunk[0] = first[:1].upper() + first[1:]
        chunk[-1] = chunk[-1].rstrip(",") + "."
        sentences.append(" ".join(chunk))
        if len(sentences) >= rng.randint(3, 6):
            paragraphs.append(" ".join(sentences))
            sentences = []
    if sentences:
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def english_page(rng: random.Random, vocab: Vocabulary, words: int = 450) -> str:
    """One page of Zipf-distributed English with names, IMO numbers and collocations."""
    table = vocab.word_table
    tokens = [table[i] for i in memoryview(rng.randbytes(2 * words)).cast("H")]
    for _ in range(rng.randint(words // 40, words // 25)):
        tokens[rng.randrange(words)] = _mention(rng, vocab)
    return _sentences(rng, tokens)


def _foreign_text(rng: random.Random, lang: str, words: int) -> str:
    pool = _FOREIGN_WORDS[lang]
    weights = _zipf_cum_weights(len(pool), exponent=0.8, offset=1.5)
    shuffled = list(pool)
    random.Random(lang).shuffle(shuffled)  # a fixed popularity order per language
    tokens = rng.choices(shuffled, cum_weights=weights, k=words)
    if lang in ("ru", "ko"):
        return _sentences(rng, tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        out.append(token)
        out.append("。" if i % 7 == 6 else rng.choice(_CJK_SEPARATORS))
    return "".join(out)


def iter_synthetic_pages(
    n: int = 100_000, seed: int = DEFAULT_SEED, foreign_share: float = 0.05, words: int = 450
) -> Iterator[str]:
    """Yields n page texts of about `words` words each, deterministically for a seed.

    Most pages are English; `foreign_share` of them mix Russian, Korean, Japanese or
    Chinese fragments (two thirds of the page) with English.
    """
    vocab = vocabulary()
    rng = random.Random(seed)
    for _ in range(n):
        count = rng.randint(words - 50, words + 50)
        if rng.random() < foreign_share:
            lang = rng.choice(("ru", "ko", "ja", "zh"))
            yield (
                english_page(rng, vocab, count // 3)
                + "\n\n"
                + _foreign_text(rng, lang, count - count // 3)
            )
        else:
            yield english_page(rng, vocab, count)


def make_queries(n: int = 200, seed: int = DEFAULT_SEED) -> list[Query]:
    """Reviewer searches in the benchmark mix.

    Names 55% (a few of them Cyrillic or CJK terms), quoted two-word phrases 20%,
    prefixes like `Vostoch*` 10%, name plus word 10%, very common words 5%.
    """
    vocab = vocabulary()
    rng = random.Random(seed)
    shares = {"phrase": 0.20, "prefix": 0.10, "name+word": 0.10, "common": 0.05}
    counts = {kind: round(n * share) for kind, share in shares.items()}
    counts["foreign"] = min(len(_FOREIGN_QUERIES), n - sum(counts.values()))
    counts["name"] = n - sum(counts.values())

    def some_name() -> str:
        if rng.random() < 0.5:
            (name,) = rng.choices(vocab.names, cum_weights=vocab.name_weights)
        else:
            name = rng.choice(vocab.names)
        style = rng.random()
        if style < 0.3:
            return name.title()
        return name.lower() if style < 0.4 else name

    two_word = [c for c in _COLLOCATIONS if len(c.split()) == 2]
    queries: list[Query] = []
    queries += [Query(some_name(), "name") for _ in range(counts["name"])]
    queries += [Query(q, "foreign") for q in _FOREIGN_QUERIES[: counts["foreign"]]]
    for _ in range(counts["phrase"]):
        if rng.random() < 0.7:
            phrase = rng.choice(two_word)
        else:
            phrase = " ".join(rng.choices(vocab.words[:80], k=2))
        queries.append(Query(f'"{phrase}"', "phrase"))
    for _ in range(counts["prefix"]):
        source = rng.choice((*_REAL_PLACES, *_DOMAIN, *_VESSEL_FIRST, *_VESSEL_SECOND))
        word = max(source.split(), key=len)
        queries.append(Query(word[: rng.randint(4, max(4, min(7, len(word) - 1)))] + "*", "prefix"))
    for _ in range(counts["name+word"]):
        name = rng.choice((*vocab.places, *(v.name for v in vocab.vessels[:60])))
        queries.append(Query(f"{name} {rng.choice(_DOMAIN)}", "name+word"))
    queries += [Query(rng.choice(_COMMON[:15]), "common") for _ in range(counts["common"])]
    rng.shuffle(queries)
    return queries


# --- files ------------------------------------------------------------------------------

_PDF_FONT_SIZE = 9.5
_PDF_LEADING = 12.0


@functools.cache
def _helvetica_advances() -> dict[str, float]:
    """Per-character advance widths; PDF Tj does not kern, so a word is their sum."""
    return {
        chr(c): float(pymupdf.get_text_length(chr(c), fontname="helv", fontsize=_PDF_FONT_SIZE))
        for c in range(32, 256)
    }


def _helvetica_width(word: str) -> float:
    advances = _helvetica_advances()
    return sum(advances[c] for c in word)


def _wrap(text: str, width: float) -> list[str]:
    space = _helvetica_width(" ")
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = _helvetica_width(word)
            if line and used + space + w > width:
                lines.append(" ".join(line))
                line, used = [word], w
            else:
                used += (space if line else 0.0) + w
                line.append(word)
        lines.append(" ".join(line))
        lines.append("")
    return lines


def _pdf_literal(line: str) -> str:
    return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _fixed_metadata(doc: pymupdf.Document, title: str) -> None:
    stamp = "D:20250101000000+00'00'"
    doc.set_metadata(
        {
            "title": title,
            "author": "bench/corpora.py",
            "creator": "bench/corpora.py",
            "producer": "bench/corpora.py",
            "creationDate": stamp,
            "modDate": stamp,
        }
    )


def make_text_pdf(path: Path, pages: int = 1000, seed: int = DEFAULT_SEED) -> Path:
    """A dense English text PDF, one synthetic page of ~450 words per A4 page.

    Page content streams are written directly (Helvetica, WinAnsi) rather than through
    insert_textbox, which costs ~7 ms a page; this takes ~1.5 ms a page, mostly text generation.
    """
    doc = pymupdf.open()
    font = doc.get_new_xref()
    doc.update_object(
        font, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
    )
    resources = f"<</Font<</F1 {font} 0 R>>>>"
    width, height = pymupdf.paper_size("a4")
    margin = 50
    max_lines = int((height - 2 * margin) / _PDF_LEADING)
    for text in iter_synthetic_pages(pages, seed=seed, foreign_share=0.0):
        lines = _wrap(text, width - 2 * margin)
        if len(lines) > max_lines:
            raise ValueError(f"page text needs {len(lines)} lines, only {max_lines} fit")
        shown = " Tj T* ".join(_pdf_literal(line) for line in lines)
        content = (
            f"BT /F1 {_PDF_FONT_SIZE} Tf {_PDF_LEADING} TL {margin} {height - margin} Td "
            f"{shown} Tj ET"
        )
        page = doc.new_page(width=width, height=height)
        stream = doc.get_new_xref()
        doc.update_object(stream, "<<>>")
        doc.update_stream(stream, content.encode("cp1252"))
        doc.xref_set_key(page.xref, "Contents", f"{stream} 0 R")
        doc.xref_set_key(page.xref, "Resources", resources)
    _fixed_metadata(doc, f"Synthetic text, {pages} pages")
    doc.save(path, garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return path


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _tiny_png(rng: random.Random, size: int) -> bytes:
    rows = b"".join(b"\x00" + rng.randbytes(size * 3) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def _tiny_pdf(text: str, title: str) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=420, height=595)
    page.insert_textbox(pymupdf.Rect(36, 36, 384, 559), text, fontname="helv", fontsize=8)
    _fixed_metadata(doc, title)
    data: bytes = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return data


def make_many_small_files(folder: Path, n: int = 10_000, seed: int = DEFAULT_SEED) -> list[Path]:
    """n small files with distinct contents, 1,000 per subfolder.

    About 40% .txt, 30% .md, 25% .html, 2.5% tiny .png and 2.5% one-page .pdf.
    """
    vocab = vocabulary()
    rng = random.Random(seed)
    paths: list[Path] = []
    for i in range(n):
        sub = folder / f"batch-{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        roll = rng.random()
        text = english_page(rng, vocab, rng.randint(40, 300))
        title = f"Note {i:05d}: " + " ".join(text.split()[:6]).rstrip(".,")
        if roll < 0.025:
            path, data = sub / f"image-{i:05d}.png", _tiny_png(rng, rng.randint(8, 32))
        elif roll < 0.05:
            path, data = sub / f"report-{i:05d}.pdf", _tiny_pdf(f"{title}\n\n{text}", title)
        elif roll < 0.30:
            body = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
            page = (
                f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
                f"<title>{title}</title></head>\n<body>\n<article>\n<h1>{title}</h1>\n"
                f"{body}</article>\n</body>\n</html>\n"
            )
            path, data = sub / f"page-{i:05d}.html", page.encode("utf-8")
        elif roll < 0.60:
            path, data = sub / f"memo-{i:05d}.md", f"# {title}\n\n{text}\n".encode()
        else:
            path, data = sub / f"note-{i:05d}.txt", f"{title}\n\n{text}\n".encode()
        path.write_bytes(data)
        paths.append(path)
    return paths


def make_large_png(
    path: Path, width: int = 20_000, height: int = 20_000, seed: int = DEFAULT_SEED
) -> Path:
    """A huge RGB PNG written row by row: memory stays at a few rows, never the bitmap.

    Rows are emitted already PNG-filtered: a mid-grey noisy first row, then Up-filtered rows
    of sparse small deltas (rows of a random pool at random offsets), so every column is a
    slow random walk: fine vertical streaks of noise that deflate to ~10% of the raw size
    (~125 MB for 20000x20000). Filtering real pixels in Python would be far too slow.
    """
    rng = random.Random(seed)
    row_bytes = width * 3
    # Map random bytes to deltas: ~96% zero, the rest steps of 1..3 up or down (mod 256).
    table = bytes(
        0 if v < 246 else ((v - 246) % 3 + 1 if v % 2 else 256 - ((v - 246) % 3 + 1))
        for v in range(256)
    )
    pool = [rng.randbytes(2 * row_bytes).translate(table) for _ in range(61)]
    first_row = b"\x00" + bytes(100 + b % 56 for b in rng.randbytes(row_bytes))
    compressor = zlib.compressobj(level=1)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        pending: list[bytes] = []
        pending_size = 0
        for y in range(height):
            start = rng.randrange(row_bytes)
            row = pool[rng.randrange(len(pool))][start : start + row_bytes]
            block = compressor.compress(first_row if y == 0 else b"\x02" + row)
            if block:
                pending.append(block)
                pending_size += len(block)
            if pending_size >= 1 << 20:
                out.write(_png_chunk(b"IDAT", b"".join(pending)))
                pending, pending_size = [], 0
        pending.append(compressor.flush())
        out.write(_png_chunk(b"IDAT", b"".join(pending)))
        out.write(_png_chunk(b"IEND", b""))
    return path


def make_large_jpeg(
    path: Path, width: int = 20_000, height: int = 20_000, seed: int = DEFAULT_SEED
) -> Path:
    """A huge JPEG of Perlin terrain plus grain, streamed by libvips in bounded memory."""
    import pyvips  # only here: libvips start-up is not free

    terrain = pyvips.Image.perlin(width, height, cell_size=512, seed=seed)  # -1 .. 1
    grain = pyvips.Image.gaussnoise(width, height, sigma=5, mean=0, seed=seed + 1)
    grey = terrain * 70 + 120 + grain
    rgb = grey.bandjoin([grey * 0.95 + 6, grey * 0.8 + 10]).cast("uchar")
    rgb.copy(interpretation="srgb").jpegsave(str(path), Q=80)
    return path


def make_big_file(path: Path, size: int = GIB, seed: int = DEFAULT_SEED) -> Path:
    """size bytes of pseudo-random data, for hashing and copying throughput.

    One 16 MiB random block is written over and over, each copy stamped with its index so
    no two chunks are equal: randbytes makes only some tens of MB/s, and neither SHA-256
    nor a copy can tell the difference.
    """
    chunk = 16 << 20
    block = random.Random(seed).randbytes(chunk)
    with path.open("wb") as out:
        for index, offset in enumerate(range(0, size, chunk)):
            stamped = struct.pack(">Q", index) + block[8:]
            out.write(stamped[: size - offset])
    return path


def ensure(path: Path, make: Callable[[Path], object]) -> Path:
    """Builds path with make(tmp) unless it exists; an interrupted build leaves no path."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.part{path.suffix}")  # keep the suffix for pyvips
        make(tmp)
        tmp.replace(path)
    return path


def _size(path: Path) -> str:
    if path.is_dir():
        total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    else:
        total = path.stat().st_size
    return f"{total / 1e6:,.1f} MB"


def main() -> None:
    """Builds every corpus into a folder and prints how long each took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pages", type=int, default=1000, help="pages in the text PDF")
    parser.add_argument("--skip-large", action="store_true", help="no 20000x20000 images")
    args = parser.parse_args()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)

    def timed(label: str, build: Callable[[], Path]) -> None:
        start = time.perf_counter()
        path = build()
        print(f"{label:<34} {time.perf_counter() - start:7.2f} s  {_size(path):>12}  {path}")

    timed(
        f"text PDF, {args.pages} pages",
        lambda: make_text_pdf(folder / f"text-{args.pages}.pdf", args.pages),
    )

    def pages_file() -> Path:
        path = folder / "synthetic-pages-sample.txt"
        path.write_text("\n\f\n".join(iter_synthetic_pages(1000)), encoding="utf-8")
        return path

    start = time.perf_counter()
    count = sum(1 for _ in iter_synthetic_pages(100_000))
    print(
        f"{'synthetic pages, 100,000 (memory)':<34} {time.perf_counter() - start:7.2f} s  {count}"
    )
    timed("synthetic pages, first 1,000", pages_file)

    def queries_file() -> Path:
        path = folder / "queries.tsv"
        path.write_text("".join(f"{q.kind}\t{q.text}\n" for q in make_queries()), "utf-8")
        return path

    timed("queries, 200", queries_file)

    def small_files() -> Path:
        make_many_small_files(folder / "small-files")
        return folder / "small-files"

    timed("small files, 10,000", small_files)
    timed("random file, 1 GiB", lambda: make_big_file(folder / "random-1GiB.bin"))
    if not args.skip_large:
        timed("PNG 20000x20000 (streamed)", lambda: make_large_png(folder / "large.png"))
        timed("JPEG 20000x20000 (libvips)", lambda: make_large_jpeg(folder / "large.jpg"))


if __name__ == "__main__":
    main()
