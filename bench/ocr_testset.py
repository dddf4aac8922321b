"""The OCR test set: sanctions prose in each language, its ground truth, and how to score a reading.

Each language has eight lines of real-shaped prose (vessel names, IMO numbers with valid
check digits, dates, ports), drawn by ``tests/scans.py`` at 150, 200 and 300 dpi with a
scan's roughness (skew up to 3 degrees, blur, photocopy contrast, speckle, JPEG);
vertical Japanese in columns with the font's vertical forms (、。 and brackets turned).
The ground truth is the text drawn. Scores:

- CER: edit distance between truth and reading over the truth's length, both NFKC-normalised
  with all white space removed (Tesseract spaces out CJK characters; spacing is not what a
  reviewer searches by).
- IMO exact: the fraction of the page's IMO numbers whose seven digits appear in the reading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from PIL import Image

from tests.scans import ScanLook, render_scan

DPIS = (150, 200, 300)
LANGUAGES = ("eng", "rus", "kor", "jpn", "jpn_vert", "chi_sim", "chi_tra")


def imo_number(seed: int) -> str:
    """A seven-digit IMO number with a valid check digit (weights 7..2 over six digits)."""
    head = f"{(seed * 7919 + 830_011) % 900_000 + 100_000:06d}"
    check = sum(int(d) * w for d, w in zip(head, range(7, 1, -1), strict=True)) % 10
    return head + str(check)


_IMOS = (imo_number(1), imo_number(2), imo_number(3))

_TEXTS: dict[str, tuple[str, ...]] = {
    "eng": (
        "Ship-to-ship transfer report, Panel of Experts, case 24-117",
        "On 14 March 2024 the tanker CHON MA SAN (IMO {0}) moored",
        "at Nampo and loaded refined petroleum from SUBBLIC (IMO {1}).",
        "AIS was switched off between 02:10 and 19:45 UTC near Taean.",
        "The bill of lading, dated 9 February 2024, names Vladivostok",
        "as the port of loading and the consignee as Korea Sobaeksu.",
        "A second vessel, YU JONG 2 (IMO {2}), arrived on 21 April.",
        "Registration certificate No. 2024-0315 was issued in Freetown.",
    ),
    "rus": (
        "Доклад о передаче груза с судна на судно, дело 24-117",
        "14 марта 2024 года танкер ЧОН МА САН (ИМО {0}) стоял",
        "в порту Нампхо и принял нефтепродукты с судна СУБЛИК (ИМО {1}).",
        "Система АИС была отключена с 02:10 до 19:45 UTC у Тэана.",
        "В коносаменте от 9 февраля 2024 года портом погрузки назван",
        "Владивосток, грузополучатель: компания Корея Собэксу.",
        "Второе судно, ЮН ЧЖОН 2 (ИМО {2}), прибыло 21 апреля.",
        "Свидетельство о регистрации № 2024-0315 выдано во Фритауне.",
    ),
    "kor": (
        "선박 간 환적 보고서, 전문가 패널, 사건 24-117",
        "2024년 3월 14일 유조선 천마산호(IMO {0})가",
        "남포항에 정박하여 수블릭호(IMO {1})로부터 정제유를 실었다.",
        "자동식별장치는 02:10부터 19:45까지 태안 인근에서 꺼져 있었다.",
        "2024년 2월 9일자 선하증권은 블라디보스토크를 선적항으로,",
        "수하인을 조선소백수무역회사로 기재하고 있다.",
        "두 번째 선박 유정 2호(IMO {2})는 4월 21일에 도착했다.",
        "등록증명서 제2024-0315호는 프리타운에서 발급되었다.",
    ),
    "jpn": (
        "船舶間の積み替えに関する報告書、専門家パネル、事件24-117",
        "2024年3月14日、タンカー「千馬山」(IMO {0})は",
        "南浦港に停泊し、「スブリック」(IMO {1})から石油製品を積んだ。",
        "AISは泰安付近で02:10から19:45まで停止していた。",
        "2024年2月9日付の船荷証券は、積出港をウラジオストクとし、",
        "荷受人を朝鮮小白水貿易会社と記載している。",
        "二隻目の「ユジョン2」(IMO {2})は4月21日に到着した。",
        "登録証明書第2024-0315号はフリータウンで発行された。",
    ),
    "chi_sim": (
        "船对船转运报告，专家小组，案件24-117",
        "2024年3月14日，油轮“千马山”号(IMO {0})",
        "停靠南浦港，并从“苏布利克”号(IMO {1})装载成品油。",
        "船舶自动识别系统于02:10至19:45在泰安附近关闭。",
        "2024年2月9日的提单将符拉迪沃斯托克列为装货港，",
        "收货人为朝鲜小白水贸易公司。",
        "第二艘船“裕正2”号(IMO {2})于4月21日抵达。",
        "第2024-0315号登记证书在弗里敦签发。",
    ),
    "chi_tra": (
        "船對船轉運報告，專家小組，案件24-117",
        "2024年3月14日，油輪「千馬山」號(IMO {0})",
        "停靠南浦港，並從「蘇布利克」號(IMO {1})裝載成品油。",
        "船舶自動識別系統於02:10至19:45在泰安附近關閉。",
        "2024年2月9日的提單將符拉迪沃斯托克列為裝貨港，",
        "收貨人為朝鮮小白水貿易公司。",
        "第二艘船「裕正2」號(IMO {2})於4月21日抵達。",
        "第2024-0315號登記證書在弗里敦簽發。",
    ),
}
_TEXTS["jpn_vert"] = _TEXTS["jpn"]


@dataclass(frozen=True)
class TestPage:
    """One page of the test set: what was drawn and the picture."""

    language: str
    dpi: int
    lines: tuple[str, ...]
    imos: tuple[str, ...]
    image: Image.Image

    @property
    def truth(self) -> str:
        """The text drawn, one line a line."""
        return "\n".join(self.lines)


def page_lines(language: str) -> tuple[str, ...]:
    """The eight lines drawn for ``language``, IMO numbers filled in."""
    return tuple(line.format(*_IMOS) for line in _TEXTS[language])


def look_for(language: str, dpi: int) -> ScanLook:
    """A different roughness per page (skew -3..3 degrees), the same on every run."""
    index = LANGUAGES.index(language) * len(DPIS) + DPIS.index(dpi)
    skew = (-3.0, -1.5, 0.5, 2.0, 3.0)[index % 5]
    return ScanLook(skew=skew, blur=0.8, speckle=0.002, jpeg_quality=70, photocopy=True, seed=index)


def test_page(language: str, dpi: int) -> TestPage:
    """Render one page of the set."""
    lines = page_lines(language)
    image = render_scan(list(lines), language, dpi, look_for(language, dpi))
    return TestPage(language, dpi, lines, _IMOS, image)


def normalise(text: str) -> str:
    """NFKC, all white space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), two rows of memory."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def cer(truth: str, reading: str) -> float:
    """Character error rate of ``reading`` against ``truth`` (see the module docstring)."""
    expected = normalise(truth)
    return edit_distance(expected, normalise(reading)) / max(1, len(expected))


def imo_exact(imos: tuple[str, ...], reading: str) -> float:
    """Fraction of ``imos`` whose digits appear in ``reading``."""
    flat = normalise(reading)
    return sum(1 for imo in imos if imo in flat) / len(imos)
