"""Text in every encoding the field meets, read right without a declared charset (issue 12).

Real text (field_texts.py) written in windows-1251, KOI8-R, EUC-KR, CP949,
Shift_JIS, EUC-JP, GBK, GB18030, Big5 and windows-1252, as text files, saved
web pages and e-mails. Long samples must come back exactly and unflagged;
short ones (below RELIABLE_GUESS_BYTES non-ASCII bytes) are flagged
``encoding-uncertain``, whatever the guess.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli_subprocess
from tests.workstation.sources.field_texts import FIELD_ENCODINGS, KOREAN, RUSSIAN
from workstation.core.library import Library
from workstation.sources.extract import extract
from workstation.sources.extract.encoding import (
    FLAG_ENCODING_UNCERTAIN,
    RELIABLE_GUESS_BYTES,
    codec_for_label,
    decode_bytes,
    non_ascii_bytes,
)
from workstation.sources.ingest import ImportService

IDS = [label for label, _, _ in FIELD_ENCODINGS]


def _same_codec(found: str, written: str) -> bool:
    """Whether ``found`` decodes everything ``written`` encodes (a superset counts)."""
    supersets = {
        "euc_kr": {"cp949"},
        "shift_jis": {"cp932"},
        "gbk": {"gb18030"},
        "big5": {"big5hkscs"},
        "koi8_r": {"koi8_u"},
    }
    found, written = (codecs.lookup(name).name.replace("-", "_") for name in (found, written))
    return found == written or found in supersets.get(written, set())


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.。])\s*", text) if part]


def _html(text: str, title: str) -> str:
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>{title}</title></head><body><article><h1>{title}</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in _sentences(text))
        + "</article></body></html>"
    )


@pytest.mark.parametrize(("label", "codec", "text"), FIELD_ENCODINGS, ids=IDS)
def test_text_file_without_declaration_is_read_right(
    tmp_path: Path, label: str, codec: str, text: str
) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode(codec))
    result = extract(path, "text/plain")
    assert result.pages[0].text == text
    assert _same_codec(result.metadata["encoding"], codec), result.metadata
    assert result.metadata["encoding_from"] == "guessed"
    assert FLAG_ENCODING_UNCERTAIN not in result.flags


@pytest.mark.parametrize(("label", "codec", "text"), FIELD_ENCODINGS, ids=IDS)
def test_saved_web_page_without_charset_is_read_right(
    tmp_path: Path, label: str, codec: str, text: str
) -> None:
    title = text[:12].strip()
    path = tmp_path / "page.html"
    path.write_bytes(_html(text, title).encode(codec))
    result = extract(path, "text/html")
    page = result.pages[0].text
    for sentence in _sentences(text):
        assert sentence in page, page[:200]
    assert result.title == title
    assert _same_codec(result.metadata["encoding"], codec)
    assert FLAG_ENCODING_UNCERTAIN not in result.flags


@pytest.mark.parametrize(("label", "codec", "text"), FIELD_ENCODINGS, ids=IDS)
def test_email_without_charset_reads_body_and_raw_subject(
    tmp_path: Path, label: str, codec: str, text: str
) -> None:
    subject = text[:20].strip()
    raw = (
        f"From: analyst@example.org\nTo: panel@example.org\nSubject: {subject}\n"
        f"MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
        f"{text}\n"
    ).encode(codec)
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    result = extract(path, "message/rfc822")
    assert result.title == subject
    assert text in result.pages[0].text
    assert _same_codec(result.metadata["encoding"], codec)


def test_short_text_is_flagged_whatever_the_guess(tmp_path: Path) -> None:
    # "Привет" is 6 bytes of windows-1251: far too few to be sure of anything.
    path = tmp_path / "short.txt"
    path.write_bytes("Привет".encode("cp1251"))
    result = extract(path, "text/plain")
    assert FLAG_ENCODING_UNCERTAIN in result.flags
    assert result.metadata["encoding_confident"] is False
    assert result.metadata["encoding_from"] == "guessed"


@pytest.mark.parametrize(("label", "codec", "text"), FIELD_ENCODINGS[:9], ids=IDS[:9])
def test_the_threshold_separates_flagged_from_trusted(label: str, codec: str, text: str) -> None:
    # The shortest start of the paragraph that has enough evidence is read right and
    # trusted; one character less is flagged.
    data = b""
    for end in range(1, len(text) + 1):
        data = text[:end].encode(codec)
        if non_ascii_bytes(data) >= RELIABLE_GUESS_BYTES:
            break
    trusted = decode_bytes(data)
    assert trusted.confident
    assert trusted.text == text[:end]
    below = decode_bytes(text[: end - 1].encode(codec))
    assert not below.confident
    assert below.flags == [FLAG_ENCODING_UNCERTAIN]


def test_declared_charset_wins_when_it_decodes_cleanly() -> None:
    # Six letters are not enough to guess KOI8-R, but the page says what it is.
    page = '<html><head><meta charset="koi8-r"><title>Привет</title></head></html>'
    decoded = decode_bytes(page.encode("koi8_r"), declared="koi8-r")
    assert decoded.how == "declared"
    assert decoded.confident
    assert "Привет" in decoded.text


def test_declared_charset_that_does_not_fit_gives_way_to_a_guess() -> None:
    data = RUSSIAN.encode("cp1251")
    decoded = decode_bytes(data, declared="utf-8")
    assert decoded.how == "guessed"
    assert decoded.text == RUSSIAN
    assert decoded.metadata()["encoding_declared"] == "utf-8"


def test_utf8_beats_a_stale_single_byte_declaration() -> None:
    # A page re-saved as UTF-8 that kept its old windows-1251 meta tag.
    decoded = decode_bytes(RUSSIAN.encode("utf-8"), declared="windows-1251")
    assert decoded.how == "utf-8"
    assert decoded.text == RUSSIAN


def test_bom_wins_over_a_declaration() -> None:
    decoded = decode_bytes(b"\xef\xbb\xbf" + KOREAN.encode("utf-8"), declared="euc-kr")
    assert (decoded.how, decoded.encoding, decoded.text) == ("bom", "utf-8", KOREAN)


def test_declared_in_email_content_type_is_used(tmp_path: Path) -> None:
    raw = (
        "From: a@example.org\nSubject: note\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="koi8-r"\n\nПривет\n'
    ).encode("koi8_r")
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    result = extract(path, "message/rfc822")
    assert "Привет" in result.pages[0].text
    assert result.metadata["encoding_from"] == "declared"
    assert FLAG_ENCODING_UNCERTAIN not in result.flags


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("iso-8859-1", "cp1252"),
        ("EUC-KR", "cp949"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("GB2312", "gb18030"),
        ("big5", "big5hkscs"),
        ("windows-1251", "cp1251"),
        ("no-such-charset", None),
    ],
)
def test_labels_mean_what_browsers_make_of_them(label: str, expected: str | None) -> None:
    assert codec_for_label(label) == expected


def test_import_records_the_encoding_and_flags_a_weak_guess(
    library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_bytes(RUSSIAN.encode("koi8_r"))
    (folder / "short.txt").write_bytes("Нампхо".encode("cp1251"))
    report = ImportService(library).import_paths([folder])
    by_name = {Path(r.path).name: r for r in report.results}
    assert by_name["long.txt"].flags == []
    assert by_name["short.txt"].flags == [FLAG_ENCODING_UNCERTAIN]


def test_cli_imports_every_field_encoding_and_finds_the_words(tmp_path: Path) -> None:
    """The whole path as a user runs it: import, search, show (a fresh process)."""
    folder = tmp_path / "field"
    folder.mkdir()
    for n, (_label, codec, text) in enumerate(FIELD_ENCODINGS):
        (folder / f"{n:02d}.txt").write_bytes(text.encode(codec))
    (folder / "short.txt").write_bytes("Привет".encode("cp1251"))
    library = tmp_path / "lib"
    assert run_cli_subprocess("init", "--library", str(library)).returncode == 0
    done = run_cli_subprocess("import", "--library", str(library), "--json", str(folder))
    assert done.returncode == 0, done.stderr
    results = {Path(r["path"]).name: r for r in json.loads(done.stdout)}

    found = run_cli_subprocess(
        "search", "--library", str(library), "--json", "--stdin",
        input_text="Нампхо\n남포항\n南浦港\n违反制裁\n違反制裁\nBehörden\n",
    )  # fmt: skip
    totals = [json.loads(line)["total"] for line in found.stdout.splitlines()]
    # Russian twice (1251, KOI8-R), Korean twice (EUC-KR, CP949), 南浦港 in Japanese twice and
    # Chinese three times (GBK, GB18030, Big5), simplified 违反制裁 twice, German once.
    assert totals == [2, 2, 5, 2, 1, 1], found.stdout

    short = results["short.txt"]
    assert short["flags"] == [FLAG_ENCODING_UNCERTAIN]
    shown = run_cli_subprocess("show", "--library", str(library), str(short["source_id"]))
    assert "encoding-uncertain: this file has text whose encoding was guessed" in shown.stdout
    assert '"encoding_from": "guessed"' in shown.stdout
