"""Tesseract 5 through tesserocr: a page picture in, words with boxes and confidences out.

Chosen by measurement (docs/performance.md, bench/ocr_engines.py): the same accuracy as
PyMuPDF's built-in Tesseract, twice as fast, and it reports per-word confidences and the
script of a page (Tesseract's OSD), which the built-in one does not. The library comes in
tesserocr's wheel; the language models are Debian's tesseract-ocr-* packages (or any
folder named by TESSDATA_PREFIX). Nothing is downloaded, ever.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from workstation.core.errors import BadInputError, WorkstationError

ENGINE = "tesseract"

#: Tesseract code -> (what a reviewer calls it, the Debian package with its model).
LANGUAGES: dict[str, tuple[str, str]] = {
    "eng": ("English", "tesseract-ocr-eng"),
    "rus": ("Russian", "tesseract-ocr-rus"),
    "kor": ("Korean", "tesseract-ocr-kor"),
    "jpn": ("Japanese", "tesseract-ocr-jpn"),
    "jpn_vert": ("Japanese, vertical", "tesseract-ocr-jpn-vert"),
    "chi_sim": ("Chinese, simplified", "tesseract-ocr-chi-sim"),
    "chi_tra": ("Chinese, traditional", "tesseract-ocr-chi-tra"),
}
AUTO = "auto"
"""Languages setting: detect the script of each page (Tesseract OSD) and pick its model
(see read_picture)."""

#: Script Tesseract's OSD names -> the model read with it.
SCRIPT_LANGUAGES: dict[str, str] = {
    "Latin": "eng",
    "Cyrillic": "rus",
    "Hangul": "kor",
    "Korean": "kor",
    "Japanese": "jpn",
    "Katakana": "jpn",
    "Hiragana": "jpn",
    "Han": "chi_sim",
    "HanS": "chi_sim",
    "HanT": "chi_tra",
}
_OSD_PACKAGE = "tesseract-ocr-osd"  # part of tesseract-ocr-eng's dependencies on Debian

_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
PSM_BLOCK = 6  # one uniform block of text: what MuPDF's OCR uses; best on our test set
PSM_VERTICAL = 5  # one uniform block of vertically set text (jpn_vert)
PSM_LINE = 7  # one line of text: an IMO number's box read again


class UnknownLanguageError(BadInputError):
    """A language code the OCR does not know."""


class OcrModelMissingError(WorkstationError):
    """The engine or a language model is not installed here."""


@dataclass(frozen=True)
class Word:
    """One word as read: its text, box in the picture's pixels, confidence 0-100, line number."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    line: int


@dataclass(frozen=True)
class Reread:
    """An IMO number's word read again digits-only because its first reading failed the
    check digit (or held letters).

    Attributes:
        index: The word's place in the reading's words.
        first: What the page's reading gave.
        text: The word as kept: the re-read digits if they pass the check, else ``first``.
        checked: Whether ``text`` holds an IMO number that passes the check digit.
    """

    index: int
    first: str
    text: str
    checked: bool


@dataclass(frozen=True)
class Reading:
    """What the engine read on one picture; ``rereads``: IMO numbers read again; ``tried``:
    the models the page was read with, the kept one among them."""

    words: tuple[Word, ...]
    languages: str
    script: str | None
    seconds: float
    rereads: tuple[Reread, ...] = ()
    tried: tuple[str, ...] = ()


def tessdata_dir() -> Path:
    """The folder with the .traineddata models: TESSDATA_PREFIX, else Debian's, else others."""
    named = os.environ.get("TESSDATA_PREFIX")
    if named:
        return Path(named)
    for candidate in _TESSDATA_CANDIDATES:
        if (Path(candidate) / "eng.traineddata").is_file():
            return Path(candidate)
    return Path(_TESSDATA_CANDIDATES[0])


def parse_languages(spec: str) -> tuple[str, ...]:
    """``kor+eng`` (or ``kor,eng``) as codes, checked; ``auto`` stays ``("auto",)``.

    Raises:
        UnknownLanguageError: A code the OCR does not know (the message lists the known ones).
    """
    codes = tuple(c.strip().lower().replace("-", "_") for c in spec.replace(",", "+").split("+"))
    codes = tuple(c for c in codes if c)
    if codes == (AUTO,):
        return codes
    if not codes:
        raise UnknownLanguageError("no OCR language given (e.g. --languages kor+eng, or auto)")
    for code in codes:
        if code not in LANGUAGES:
            known = ", ".join(LANGUAGES)
            raise UnknownLanguageError(f"unknown OCR language {code!r} (known: {known}, or auto)")
    return tuple(dict.fromkeys(codes))


def check_engine() -> str:
    """The engine's version ('tesseract 5.5.4').

    Raises:
        OcrModelMissingError: tesserocr cannot be loaded.
    """
    try:
        import tesserocr  # lazy: loads libtesseract (~40 ms), only when OCR runs
    except ImportError as error:  # pragma: no cover - the wheel is a dependency
        raise OcrModelMissingError(
            f"the OCR engine cannot be loaded ({error}); reinstall with 'uv sync'"
        ) from error
    first: str = tesserocr.tesseract_version().splitlines()[0]
    return first.strip()


def check_models(languages: tuple[str, ...], folder: Path | None = None) -> dict[str, str]:
    """Each model's file and SHA-256, so a layer says exactly what read it.

    Raises:
        OcrModelMissingError: A model is not installed (the message names the package).
    """
    folder = folder or tessdata_dir()
    wanted = ("osd",) if languages == (AUTO,) else languages
    found: dict[str, str] = {}
    for code in wanted:
        path = folder / f"{code}.traineddata"
        if not path.is_file():
            package = _OSD_PACKAGE if code == "osd" else LANGUAGES[code][1]
            name = "script detection" if code == "osd" else LANGUAGES[code][0]
            raise OcrModelMissingError(
                f"no OCR model for {name} ({code}.traineddata not in {folder}): "
                f"install the Debian package {package} (apt-get install {package}), "
                "or set TESSDATA_PREFIX to a folder that has it"
            )
        found[code] = f"{path.name} sha256:{_file_sha256(str(path), path.stat().st_mtime_ns)}"
    return found


@functools.lru_cache(maxsize=32)
def _file_sha256(path: str, _mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- reading ---------------------------------------------------------------------------

_APIS: dict[tuple[str, str, int, str, int], Any] = {}
_APIS_LOCK = threading.Lock()


def _api(folder: Path, languages: str, psm: int, whitelist: str = "") -> Any:
    """A Tesseract instance kept for this thread (loading a CJK model takes ~0.1-0.3 s; an
    instance must not be used by two threads at once); ``whitelist``: the only characters
    it may read."""
    import tesserocr  # lazy: loads libtesseract, only when OCR runs

    key = (str(folder), languages, psm, whitelist, threading.get_ident())
    with _APIS_LOCK:
        api = _APIS.get(key)
        if api is None:
            try:
                api = tesserocr.PyTessBaseAPI(path=str(folder), lang=languages, psm=psm)
            except RuntimeError as error:
                raise OcrModelMissingError(
                    f"Tesseract cannot load {languages} from {folder}: {error}"
                ) from error
            if whitelist:
                api.SetVariable("tessedit_char_whitelist", whitelist)
            _APIS[key] = api
        return api


#: Below this OSD script confidence the script is a guess: on a clean two-line English
#: scan OSD said "Cyrillic" with confidence 0.0 (a full page says 5-20).
SURE_SCRIPT = 2.0


def detect_script(picture: Image.Image, folder: Path | None = None) -> str | None:
    """The script Tesseract's OSD sees on the page ('Hangul', 'Latin'...), None if unsure."""
    return detect_script_with_confidence(picture, folder)[0]


def detect_script_with_confidence(
    picture: Image.Image, folder: Path | None = None
) -> tuple[str | None, float]:
    """The script OSD sees on the page and its confidence (None, 0.0 if it sees none)."""
    folder = folder or tessdata_dir()
    api = _api(folder, "osd", 0)
    api.SetImage(picture)
    try:
        found = api.DetectOrientationScript()
    except RuntimeError:
        return None, 0.0
    if not found:
        return None, 0.0
    name = found.get("script_name")
    return (str(name) if name else None), float(found.get("script_conf") or 0.0)


def languages_for(script: str | None, vertical: bool = False) -> str:
    """The model to read a page of ``script`` with (English when unknown); vertically set
    Japanese with ``jpn_vert`` (page segmentation 5 reads one block of columns)."""
    own = SCRIPT_LANGUAGES.get(script or "", "eng")
    return "jpn_vert" if own == "jpn" and vertical else own


_TOP_TO_BOTTOM = 2  # tesserocr.WritingDirection.TOP_TO_BOTTOM


def is_vertical(picture: Image.Image, folder: Path | None = None) -> bool:
    """Whether most text blocks on the page run top to bottom (Tesseract's layout
    analysis, no recognition: 0.1-0.4 s a page)."""
    import tesserocr  # lazy: loads libtesseract, only when OCR runs

    api = _api(folder or tessdata_dir(), "osd", int(tesserocr.PSM.AUTO_ONLY))
    api.SetImage(picture)
    iterator = api.AnalyseLayout()
    directions: list[int] = []
    while iterator is not None:
        directions.append(int(iterator.Orientation()[1]))
        if not iterator.Next(tesserocr.RIL.BLOCK):
            break
    api.Clear()
    return sum(1 for d in directions if d == _TOP_TO_BOTTOM) * 2 > len(directions) > 0


def read_picture(
    picture: Image.Image, languages: tuple[str, ...], dpi: int | None, folder: Path | None = None
) -> Reading:
    """Read every word on a picture.

    With ``("auto",)`` the page's script is detected first (OSD) and read with its model
    alone (adding English made every CJK and Cyrillic page worse on the test set); a
    Japanese page set in columns with jpn_vert; a Han page with both Chinese models, the
    reading more confident where the two differ kept (_more_sure_where_they_differ;
    simplified and traditional cannot be told apart by OSD). When OSD is
    unsure of the script (confidence under ``SURE_SCRIPT``: short pages, and every Korean
    page), the page is also read with English (and Russian, for a Latin or Cyrillic guess),
    the more confident reading kept, unless the guessed script's model reads it at
    ``SURE_READING`` already. A page turned by ``MIN_DESKEW`` degrees or more is read
    straightened; IMO numbers are checked (check_imo_numbers).

    Args:
        picture: The page, any mode (read as greyscale).
        languages: Codes from parse_languages; ``("auto",)`` detects the script first.
        dpi: The picture's resolution (Tesseract sizes its expectations by it); None:
            unknown, Tesseract estimates it.
        folder: The models folder (default tessdata_dir()).

    Returns:
        The words in reading order, with the languages actually used.
    """
    started = time.perf_counter()
    folder = folder or tessdata_dir()
    grey = picture.convert("L")
    script = None
    if languages != (AUTO,):
        spec = "+".join(languages)
        words, spec, rereads, tried = _read_straightened(grey, (spec,), dpi, folder)
        return Reading(words, spec, script, time.perf_counter() - started, rereads, tried)
    script, sure = detect_script_with_confidence(grey, folder)
    own = SCRIPT_LANGUAGES.get(script or "", "eng")
    candidates: tuple[str, ...] = ()
    if own in ("chi_sim", "chi_tra"):
        candidates = ("chi_sim", "chi_tra")
    elif sure < SURE_SCRIPT:  # a guess (short pages): read with the likely models too
        likely = (own, "eng", "rus") if own in ("eng", "rus") else (own, "eng")
        # ... those that are installed (the detected script's own is checked as before)
        candidates = tuple(
            code
            for code in dict.fromkeys(likely)
            if code == own or (folder / f"{code}.traineddata").is_file()
        )
    enough: float | None = None
    if not candidates:
        candidates = (languages_for(script, own == "jpn" and is_vertical(grey, folder)),)
    elif own not in ("chi_sim", "chi_tra"):
        enough = SURE_READING  # the guessed script's own model first; others if unsure
    words, spec, rereads, tried = _read_straightened(grey, candidates, dpi, folder, enough)
    return Reading(words, spec, script, time.perf_counter() - started, rereads, tried)


SURE_READING = 80.0
"""When OSD was unsure of the script, a reading with the guessed script's model at this
mean confidence or above is kept without reading the page with the other likely models:
on the test set the right model read at 84-96, a wrong one at 17-61. (OSD is unsure of
every Korean page: each was read with English too, doubling its time.)"""


def _read_straightened(
    grey: Image.Image,
    candidates: tuple[str, ...],
    dpi: int | None,
    folder: Path,
    enough: float | None = None,
) -> tuple[tuple[Word, ...], str, tuple[Reread, ...], tuple[str, ...]]:
    """The page turned straight (when it is skewed), read with each candidate model, the
    most confident reading kept and its IMO numbers checked; boxes on the page as given.
    With ``enough``, the candidates are read in turn until one reads at that mean
    confidence."""
    angle = estimate_skew(grey, vertical=candidates[0].startswith("jpn_vert"))
    straight, left, top = grey, 0, 0
    if abs(angle) >= MIN_DESKEW:
        straight, left, top = _turned_straight(grey, angle)
    readings: list[tuple[tuple[Word, ...], str]] = []
    for code in candidates:
        readings.append((_recognise(straight, code, dpi, folder), code))
        if enough is not None and _mean_confidence(readings[-1][0]) >= enough:
            break
    if candidates == ("chi_sim", "chi_tra"):
        words, spec = readings[_more_sure_where_they_differ(readings[0][0], readings[1][0])]
    else:
        words, spec = max(readings, key=lambda r: _mean_confidence(r[0]))
    words, rereads = check_imo_numbers(straight, words, dpi, folder)
    if straight is not grey:
        words = tuple(_turned_back(w, angle, grey.size, (left, top)) for w in words)
    return words, spec, rereads, tuple(code for _, code in readings)


# --- skew ----------------------------------------------------------------------------

MAX_SKEW = 5.0  # degrees either way a scan is looked at for skew
_SKEW_WIDTH = 1200  # pixels: the page is measured at about this width


def estimate_skew(grey: Image.Image, vertical: bool = False) -> float:
    """The angle in degrees (anticlockwise) the page's lines are turned by.

    The ink's projection across the lines (rows; columns for vertical text) is sharpest
    when taken along them: the angle in -MAX_SKEW..MAX_SKEW whose projection has the
    largest sum of squared steps, found in half-degree steps, then tenths, then
    hundredths around the best. Written here, with numpy: Tesseract's own estimate (its
    layout analysis' deskew angle) said 0.0 on two of three turned Chinese pages, and the
    libraries that do this (scikit-image, OpenCV, deskew) are not in the app.
    """
    import numpy  # lazy: only for reading pages

    scale = min(1.0, _SKEW_WIDTH / max(1, grey.width))
    small = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))))
    ink_y, ink_x = numpy.nonzero(numpy.asarray(small) < 128)
    if ink_x.size < 100:
        return 0.0
    along, across = (ink_y, ink_x) if vertical else (ink_x, ink_y)
    along = along - along.mean()

    def sharpness(degrees: float) -> float:
        # Turned by +degrees (anticlockwise), a line's points lie at across = c - along *
        # tan(degrees): across + along * tan(degrees) is the same all along the line.
        sign = -1.0 if vertical else 1.0
        shifted = across + sign * along * numpy.tan(numpy.radians(degrees))
        profile = numpy.bincount(numpy.round(shifted - shifted.min()).astype(numpy.int64))
        return float(numpy.sum(numpy.diff(profile.astype(numpy.float64)) ** 2))

    best = 0.0
    for step, reach in ((0.5, MAX_SKEW), (0.1, 0.5), (0.01, 0.1)):
        centre = best
        count = round(reach / step)
        angles = [centre + step * i for i in range(-count, count + 1)]
        best = max((a for a in angles if abs(a) <= MAX_SKEW), key=sharpness)
    return round(best, 2)


MIN_DESKEW = 1.0
"""A page turned by less than this many degrees is read as it is."""


_INKED = 160  # a 4x4 cell this dark on average holds text; a speck of dust leaves it ~215


def _turned_straight(grey: Image.Image, degrees: float) -> tuple[Image.Image, int, int]:
    """The part of the page that holds text, turned back by ``degrees`` about the page's
    centre, and where that part starts on the page. Only the text's part is turned (with
    room for the turn): turning a whole page cost 75 ms, as much as a fifth of reading it.
    """
    small = grey.reduce(4)
    histogram = small.histogram()
    paper = max(range(256), key=histogram.__getitem__)  # what turns in at the edges
    found = small.point(lambda v: 255 if v < _INKED else 0).getbbox()
    if found is None:
        return grey, 0, 0
    room = math.ceil(max(grey.size) * math.tan(math.radians(abs(degrees)))) + 16
    left = max(0, found[0] * 4 - room)
    top = max(0, found[1] * 4 - room)
    right = min(grey.width, found[2] * 4 + room)
    bottom = min(grey.height, found[3] * 4 + room)
    part = grey.crop((left, top, right, bottom))
    centre = (grey.width / 2 - left, grey.height / 2 - top)
    turned = part.rotate(
        -degrees, resample=Image.Resampling.BICUBIC, center=centre, fillcolor=paper
    )
    return turned, left, top


def _turned_back(
    word: Word, degrees: float, size: tuple[int, int], offset: tuple[int, int] = (0, 0)
) -> Word:
    """A word read on the straightened part of a page (starting at ``offset`` on it), its
    box where it stands on the page as given (the box around its turned corners)."""
    cx, cy = size[0] / 2, size[1] / 2
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    x0, y0, x1, y1 = word.box
    x0, x1, y0, y1 = x0 + offset[0], x1 + offset[0], y0 + offset[1], y1 + offset[1]
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * cos + dy * sin)
        ys.append(cy - dx * sin + dy * cos)
    box = (
        max(0.0, round(min(xs))),
        max(0.0, round(min(ys))),
        min(float(size[0]), round(max(xs))),
        min(float(size[1]), round(max(ys))),
    )
    return Word(word.text, box, word.confidence, word.line)


# --- IMO numbers ---------------------------------------------------------------------

IMO_WEIGHTS = (7, 6, 5, 4, 3, 2)
UNCHECKED_CONFIDENCE = 20.0
"""An IMO number that fails its check digit however it is read keeps its first reading,
with at most this confidence (a low-confidence word a reviewer is shown)."""
# "IMO" as read, also with its O read as C or 0 (vertical Japanese gave "IMC").
_IMO_LABEL = re.compile(r"[I1lі|][MМ][OО0C]", re.IGNORECASE)
# A number as the page reading gives it: letters Tesseract mistakes for digits allowed.
_IMO_TOKEN = re.compile(r"^(\W*)([0-9OoDlIi|SsBZzgGq]{5,9})(.*)$")
# Digits, and the brackets an IMO number sits in: with digits alone, Tesseract read the
# closing bracket of "(IMO 9537680)" as a 1 or 4 and the number no longer stood apart.
_DIGITS_ONLY = "0123456789()"
_REREAD_SCALES = (3, 2, 4)  # upscaled crops: two that agree on a passing number are kept


def imo_check_digit_ok(number: str) -> bool:
    """Whether ``number`` is seven ASCII digits whose last is the IMO check digit (the sum
    of the first six times 7, 6, 5, 4, 3, 2, mod 10)."""
    if len(number) != 7 or not number.isascii() or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:6], IMO_WEIGHTS, strict=True))
    return total % 10 == int(number[6])


def check_imo_numbers(
    grey: Image.Image, words: tuple[Word, ...], dpi: int | None, folder: Path
) -> tuple[tuple[Word, ...], tuple[Reread, ...]]:
    """Check each IMO number the reading holds and read again those that fail.

    A word after "IMO" (or "ИМО") that fails the check digit, or holds letters, is read
    again from the page picture: its box cut out, upscaled, read as one line with only
    digits (and brackets) allowed, at 3x, 2x and 4x. A number that passes the check in
    two of those readings replaces the digits (the word's punctuation kept); otherwise the
    word stays as first read and its confidence drops to ``UNCHECKED_CONFIDENCE``. No
    digit is ever made up to pass the check.

    Returns:
        The words, and what was read again.
    """
    kept = list(words)
    rereads: list[Reread] = []
    for index in range(1, len(words)):
        label, word = words[index - 1], words[index]
        if word.line != label.line or not _IMO_LABEL.search(label.text[-3:]):
            continue
        token = _IMO_TOKEN.match(word.text)
        if token is None or imo_check_digit_ok(token[2]):
            continue
        prefix, _first, suffix = token.groups()
        box = word.box
        if _is_column(box):  # set vertically: a digit the first reading dropped may lie
            box = (box[0], min(box[1], label.box[3]), box[2], box[3])  # just below IMO
        digits = _reread_digits(grey, box, dpi, folder)
        if digits is not None:
            kept[index] = Word(f"{prefix}{digits}{suffix}", word.box, word.confidence, word.line)
        else:
            low = min(word.confidence, UNCHECKED_CONFIDENCE)
            kept[index] = Word(word.text, word.box, low, word.line)
        rereads.append(Reread(index, word.text, kept[index].text, digits is not None))
    return tuple(kept), tuple(rereads)


def _reread_digits(
    grey: Image.Image, box: tuple[float, float, float, float], dpi: int | None, folder: Path
) -> str | None:
    """The seven digits a word's box reads as, digits only, when two readings of it (at
    two scales) agree on a number that passes the check; a single reading passes it by
    chance one time in ten."""
    x0, y0, x1, y1 = box
    column = _is_column(box)
    pad = max(4.0, min(x1 - x0, y1 - y0) * 0.3)
    pad_y = 2.0 if column else pad  # a column's crop starts right under "IMO"
    crop = grey.crop(
        (
            max(0, round(x0 - pad)),
            max(0, round(y0 - pad_y)),
            min(grey.width, round(x1 + pad)),
            min(grey.height, round(y1 + pad_y)),
        )
    )
    model = "eng" if (folder / "eng.traineddata").is_file() else _any_model(folder)
    if model is None or crop.width < 2 or crop.height < 2:
        return None
    if column:
        crop = _column_as_line(crop)
    api = _api(folder, model, PSM_LINE, _DIGITS_ONLY)
    seen: list[str] = []
    for scale in _REREAD_SCALES:
        big = crop.resize((crop.width * scale, crop.height * scale), Image.Resampling.LANCZOS)
        api.SetImage(big)
        if dpi:
            api.SetSourceResolution(dpi * scale)
        found = api.GetUTF8Text()
        api.Clear()
        for piece in re.split(r"[()]", found):
            digits = "".join(piece.split())
            if imo_check_digit_ok(digits):
                if digits in seen:
                    return digits
                seen.append(digits)
                break
    return None


def _is_column(box: tuple[float, float, float, float]) -> bool:
    """Whether a word's box stands upright (a vertically set number: one digit a cell)."""
    return (box[3] - box[1]) > 1.5 * (box[2] - box[0])


def _column_as_line(column: Image.Image) -> Image.Image:
    """A column of upright characters laid out as one line: each run of inked rows (a
    character's cell) cut out and set beside the previous one, as a line reader expects."""
    ink = column.point(lambda v: 255 if v < 128 else 0)
    rows = [ink.crop((0, y, ink.width, y + 1)).getbbox() is not None for y in range(ink.height)]
    cells: list[tuple[int, int]] = []
    for y, inked in enumerate(rows):
        if inked and (not cells or cells[-1][1] < y - 1):
            cells.append((y, y + 1))
        elif inked:
            cells[-1] = (cells[-1][0], y + 1)
    # Dust, not characters: a digit stands at least a fifth of the column's width.
    cells = [(a, b) for a, b in cells if b - a > max(2, column.width // 5)]
    if not cells:
        return column
    gap = max(2, column.width // 4)
    height = max(b - a for a, b in cells) + 2 * gap
    line = Image.new("L", (sum(column.width + gap for _ in cells) + gap, height), 255)
    x = gap
    for top, bottom in cells:
        line.paste(column.crop((0, top, column.width, bottom)), (x, gap))
        x += column.width + gap
    return line


def _any_model(folder: Path) -> str | None:
    """A language model that is installed, for a digits-only reading without English."""
    return next((code for code in LANGUAGES if (folder / f"{code}.traineddata").is_file()), None)


def _more_sure_where_they_differ(first: tuple[Word, ...], second: tuple[Word, ...]) -> int:
    """0 or 1: which of two readings of one page is the more confident over the characters
    where they differ.

    For the two Chinese models: most characters are the same in both scripts and both
    read them alike, so the mean confidence over the whole page was within 1-4 points
    either way and picked traditional for a straightened simplified page; over the
    characters where the readings differ (those whose simplified and traditional forms
    differ, and misreadings), the right model led by 6-20 points on all twelve Chinese
    pages of the test set, straightened or not, read from the PDF or the picture.
    """
    a = [(c, w.confidence) for w in first for c in w.text]
    b = [(c, w.confidence) for w in second for c in w.text]
    only_a: list[float] = []
    only_b: list[float] = []
    matcher = difflib.SequenceMatcher(None, [c for c, _ in a], [c for c, _ in b], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            only_a.extend(conf for _, conf in a[a0:a1])
            only_b.extend(conf for _, conf in b[b0:b1])
    if not only_a or not only_b:
        return 0 if _mean_confidence(first) >= _mean_confidence(second) else 1
    return 0 if sum(only_a) / len(only_a) >= sum(only_b) / len(only_b) else 1


def _mean_confidence(words: tuple[Word, ...]) -> float:
    """Confidence weighted by characters (Chinese words are single characters)."""
    chars = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / chars if chars else 0.0


def _recognise(grey: Image.Image, spec: str, dpi: int | None, folder: Path) -> tuple[Word, ...]:
    import tesserocr  # lazy: loads libtesseract, only when OCR runs

    psm = PSM_VERTICAL if spec.startswith("jpn_vert") else PSM_BLOCK
    api = _api(folder, spec, psm)
    api.SetImage(grey)
    if dpi:
        api.SetSourceResolution(dpi)
    api.Recognize()
    words: list[Word] = []
    raw: list[int] = []  # each kept word's place among all the words the iterator gives
    iterator = api.GetIterator()
    level = tesserocr.RIL.WORD
    line = -1
    seen = -1
    if iterator is not None:
        while True:
            seen += 1
            if iterator.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
                line += 1
            text = iterator.GetUTF8Text(level)
            box = iterator.BoundingBox(level)
            if text and text.strip() and box is not None:
                x0, y0, x1, y1 = box
                confidence = float(iterator.Confidence(level))
                words.append(Word(text.strip(), (x0, y0, x1, y1), confidence, max(line, 0)))
                raw.append(seen)
            if not iterator.Next(level):
                break
    if "rus" in spec.split("+"):
        words = restore_capitals(words, raw, _letter_heights(api))
    api.Clear()
    return tuple(words)


# --- capitals in Cyrillic ---------------------------------------------------------------

# Small Cyrillic letters with neither ascender nor descender: each has a capital of the
# same shape (и/И, м/М, о/О...), told apart only by height, which blur and a 200-dpi scan
# leave to chance: "ИМО" and "ЮН ЧЖОН" were read "имо", "юн чжон".
_X_HEIGHT_CYRILLIC = frozenset("авгежзиклмнопстхчшъыьэюя")
CAPITAL_RATIO = 1.2
"""A small letter drawn this many times the page's median small-letter height or more is a
capital (capitals stand ~1.4 times the small letters in common serif and sans faces)."""
_MIN_SMALL_LETTERS = 20  # fewer on the page: no reliable small-letter height


def _letter_heights(api: Any) -> dict[int, list[tuple[str, int]]]:
    """Each word's letters with their box heights, by the word's place among all words the
    recognition gave (read before ``api.Clear()``)."""
    import tesserocr  # lazy: loads libtesseract, only when OCR runs

    heights: dict[int, list[tuple[str, int]]] = {}
    iterator = api.GetIterator()
    word = -1
    level = tesserocr.RIL.SYMBOL
    while iterator is not None:
        if iterator.IsAtBeginningOf(tesserocr.RIL.WORD):
            word += 1
        text = iterator.GetUTF8Text(level)
        box = iterator.BoundingBox(level)
        if text and box is not None:
            heights.setdefault(word, []).append((text, box[3] - box[1]))
        if not iterator.Next(level):
            break
    return heights


def restore_capitals(
    words: list[Word], places: list[int], heights: dict[int, list[tuple[str, int]]]
) -> list[Word]:
    """Words read in small Cyrillic letters whose letters stand as tall as capitals, in
    capitals.

    Only words whose every letter is a small letter of capital shape (и, м, о, ю...) and
    all of them at least ``CAPITAL_RATIO`` times the median height of such letters on
    their line (on the page, when the line has few); the rest are left as read.

    Args:
        words: The page's words as read.
        places: Each word's place among all words of the recognition (keys of heights).
        heights: Letters and their box heights in pixels, by word place.
    """
    by_line: dict[int, list[int]] = {}
    for word, place in zip(words, places, strict=True):
        by_line.setdefault(word.line, []).extend(
            h for c, h in heights.get(place, []) if c in _X_HEIGHT_CYRILLIC
        )
    page = sorted(h for line in by_line.values() for h in line)
    if len(page) < _MIN_SMALL_LETTERS:
        return words
    kept = list(words)
    for index, (word, place) in enumerate(zip(words, places, strict=True)):
        # The line's own small letters when it has enough (a heading set larger), else the page's.
        line = sorted(by_line[word.line])
        small = line if len(line) >= _MIN_SMALL_LETTERS // 2 else page
        tall = small[len(small) // 2] * CAPITAL_RATIO
        letters = [(c, h) for c, h in heights.get(place, []) if c.isalpha()]
        if letters and all(c in _X_HEIGHT_CYRILLIC and h >= tall for c, h in letters):
            kept[index] = Word(word.text.upper(), word.box, word.confidence, word.line)
    return kept


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    # Not Hangul: Korean puts spaces between words, and Tesseract's kor model keeps them.
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "FULLWIDTH", "IDEOGRAPHIC"))


def words_to_text(words: tuple[Word, ...] | list[Word]) -> tuple[str, list[int]]:
    """The page text the words make, and each word's offset in it.

    Words on a line are joined by a space, except between two Chinese or Japanese
    characters (Tesseract cuts those into single characters; a search must find them
    joined);
    lines end with a line break.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    length = 0
    previous: Word | None = None
    for word in words:
        if previous is not None:
            if word.line != previous.line:
                gap = "\n"
            elif _is_cjk(previous.text[-1]) and _is_cjk(word.text[0]):
                gap = ""
            else:
                gap = " "
            pieces.append(gap)
            length += len(gap)
        offsets.append(length)
        pieces.append(word.text)
        length += len(word.text)
        previous = word
    if pieces:
        pieces.append("\n")
    return "".join(pieces), offsets
