# PyMuPDF leaves Document() unannotated.
# mypy: disable-error-code="no-untyped-call"
"""The demo corpus must be stable byte for byte and carry what the demo shows off."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

from workstation.demo.corpus import write_demo_corpus

IMO_PATTERN = re.compile(r"IMO\s*(\d{7})")
MMSI_PATTERN = re.compile(r"MMSI\s*(\d{9})")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_corpus(tmp_path_factory.mktemp("demo"))


def _one(corpus: list[Path], suffix: str) -> Path:
    (path,) = [p for p in corpus if p.suffix == suffix]
    return path


def _all_text(corpus: list[Path]) -> str:
    parts = [p.read_text(encoding="utf-8") for p in corpus if p.suffix in {".html", ".md"}]
    message = email.message_from_bytes(_one(corpus, ".eml").read_bytes(), policy=policy.default)
    parts.append(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    with pymupdf.open(_one(corpus, ".pdf")) as doc:
        parts.extend(page.get_text() for page in doc)
    return "\n".join(parts)


def test_same_bytes_on_every_run(corpus: list[Path], tmp_path: Path) -> None:
    again = write_demo_corpus(tmp_path / "again")

    assert [p.name for p in again] == [p.name for p in corpus]
    for first, second in zip(corpus, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_corpus_has_every_kind_of_source_and_stays_small(corpus: list[Path]) -> None:
    suffixes = sorted(p.suffix for p in corpus)

    assert suffixes.count(".html") == 5
    assert {".pdf", ".jpg", ".md", ".eml"} <= set(suffixes)
    assert sum(p.stat().st_size for p in corpus) < 3_000_000


def test_articles_cover_four_languages(corpus: list[Path]) -> None:
    langs = []
    for path in corpus:
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            langs.append(re.search(r'<html lang="(\w+)">', text).group(1))  # type: ignore[union-attr]
            assert "article:published_time" in text
            assert '<link rel="canonical"' in text
            assert "<article>" in text

    assert sorted(langs) == ["en", "en", "ja", "ko", "ru"]


def test_report_pages_metadata_and_scripts_read_back(corpus: list[Path]) -> None:
    with pymupdf.open(_one(corpus, ".pdf")) as doc:
        pages = [page.get_text() for page in doc]
        metadata = doc.metadata

    assert 12 <= len(pages) <= 14
    assert "Demo monitoring report (fictional)" in pages[0]
    assert metadata["title"] == "Demo monitoring report (fictional)"
    assert metadata["author"]
    assert metadata["subject"]
    assert metadata["creationDate"].startswith("D:20250610")
    assert any("북한" in text and "라진항" in text for text in pages)
    assert any("снаряды" in text and "Дунай" in text for text in pages)
    assert all("FICTIONAL" in text for text in pages)


def test_report_and_articles_name_the_same_vessels(corpus: list[Path]) -> None:
    with pymupdf.open(_one(corpus, ".pdf")) as doc:
        report = "".join(page.get_text() for page in doc)
    for path in corpus:
        if path.suffix == ".html":
            article_imos = set(IMO_PATTERN.findall(path.read_text(encoding="utf-8")))
            assert article_imos
            assert article_imos <= set(IMO_PATTERN.findall(report)), path.name


def test_imo_numbers_pass_the_check_digit(corpus: list[Path]) -> None:
    numbers = set(IMO_PATTERN.findall(_all_text(corpus)))

    assert len(numbers) >= 5
    for number in numbers:
        digits = [int(d) for d in number]
        weighted = sum(d * w for d, w in zip(digits[:6], (7, 6, 5, 4, 3, 2), strict=True))
        assert weighted % 10 == digits[6], number


def test_mmsi_numbers_carry_dprk_or_russian_flag(corpus: list[Path]) -> None:
    numbers = set(MMSI_PATTERN.findall(_all_text(corpus)))

    assert {n[:3] for n in numbers} == {"445", "273"}


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("rajin-port_2025-04-28_demo-sat-1.jpg", "2025:04:28 02:14:09"),
        ("rajin-port_2025-03-09_demo-sat-0.jpg", "2025:03:09 02:11:52"),
    ],
)
def test_satellite_images_exif_and_gps_read_back(corpus: list[Path], name: str, taken: str) -> None:
    (path,) = [p for p in corpus if p.name == name]
    with Image.open(path) as image:
        size = image.size
        exif = image.getexif()
    gps = exif.get_ifd(IFD.GPSInfo)

    def degrees(dms: tuple[float, float, float]) -> float:
        return float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600

    assert size == (2000, 1500)
    assert exif[Base.Model] == "Demo Imaging Sat-1"
    assert exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] == taken
    assert gps[GPS.GPSLatitudeRef] == "N"
    assert gps[GPS.GPSLongitudeRef] == "E"
    assert degrees(gps[GPS.GPSLatitude]) == pytest.approx(42.24, abs=0.005)
    assert degrees(gps[GPS.GPSLongitude]) == pytest.approx(130.30, abs=0.005)
    # The world file and .prj beside it are written, and not listed as sources.
    assert path.with_suffix(".jgw").is_file()
    assert path.with_suffix(".prj").is_file()
    assert path.with_suffix(".jgw") not in corpus


def test_tip_off_carries_the_memo(corpus: list[Path]) -> None:
    message = email.message_from_bytes(_one(corpus, ".eml").read_bytes(), policy=policy.default)
    (attachment,) = message.iter_attachments()

    assert attachment.get_filename() == _one(corpus, ".md").name
    assert attachment.get_content().encode("utf-8") == _one(corpus, ".md").read_bytes()
