# PyMuPDF ships py.typed but leaves most functions unannotated (Rect, Font, tobytes...).
"""Invented sources for `workstation demo`: lets a new reviewer try the tool without real material.

Everything here is fictional: outlets, vessels, companies and people are made up (the places
are real ports). The files are written byte-for-byte the same on every run, so importing the
demo twice reports duplicates instead of new sources.
"""

from __future__ import annotations

import html
import io
import random
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

__all__ = ["write_demo_corpus"]

FICTION_NOTICE = "FICTIONAL - FOR SOFTWARE DEMONSTRATION ONLY"

# Fixed seed: the image must come out the same on every run.
_IMAGE_SEED = 20250428


@dataclass(frozen=True)
class _Vessel:
    name: str
    imo: str
    mmsi: str
    flag: str
    kind: str
    last_seen: str


# Invented vessels. IMO numbers carry a valid check digit; MMSIs start with the flag's MID.
_VESSELS = (
    _Vessel("NORTHERN LANTERN", "9164029", "273419640", "Russia", "Container feeder", "Dunay"),
    _Vessel("MORNING CRANE", "8992314", "445208770", "DPRK", "General cargo", "Rajin"),
    _Vessel("AMBER TIDE", "8830475", "445117390", "DPRK", "Product tanker", "Nampo"),
    _Vessel("VOSTOK PEARL", "9273519", "273356810", "Russia", "Product tanker", "Shandong"),
    _Vessel("SILVER HERON", "9055187", "445301550", "unknown", "Product tanker", "Nampo"),
)
# SILVER HERON broadcasts this identity: a ship reported scrapped in 2019 (also invented).
_SPOOFED = _Vessel("GREY PETREL", "9412854", "-", "-", "Product tanker (scrapped)", "-")


@dataclass(frozen=True)
class _Article:
    filename: str
    lang: str
    outlet: str
    domain: str
    slug: str
    section: str
    author: str
    published: str
    title: str
    summary: str
    nav: tuple[str, ...]
    paragraphs: tuple[str, ...]
    notice: str


_ARTICLES = (
    _Article(
        filename="2025-03-14_harbour-watch-daily_feeder-returns-to-rajin.html",
        lang="en",
        outlet="Harbour Watch Daily",
        domain="harbourwatch.example",
        slug="2025/03/14/feeder-ship-returns-to-rajin",
        section="Shipping",
        author="Mara Linden",
        published="2025-03-14T07:30:00+00:00",
        title="Feeder ship returns to Rajin as container stacks grow",
        summary="A Russian-flagged feeder called at Rajin for the third time this year.",
        nav=("Home", "Shipping", "Ports", "Sanctions", "Analysis", "About"),
        paragraphs=(
            "RAJIN, North Korea - The Russian-flagged container feeder NORTHERN LANTERN "
            "(IMO 9164029, MMSI 273419640) called at Rajin port for the third time this year, "
            "according to commercial satellite imagery reviewed by Harbour Watch Daily and "
            "ship-tracking data.",
            "Images taken on 9 March 2025 show about 230 containers stacked on the northern "
            "quay of Pier 3, up from roughly 90 in late January. Most are 20-foot boxes in blue "
            "and dark red; a smaller group of 40-foot containers sits next to the rail siding "
            "that links the port to the Tumen River crossing.",
            "The vessel switched off its automatic identification system (AIS) on 6 March after "
            "leaving Vostochny, the Russian container terminal near Nakhodka, and reappeared two "
            "days later about 30 nautical miles south of Rajin, heading north. Its AIS signal "
            "was lost again on 10 March.",
            "Rajin, also spelled Najin, lies in the Rason special economic zone near the borders "
            "with Russia and China. Monitors have long watched the port for cargo that may "
            "breach UN Security Council resolutions, which ban DPRK exports of arms and related "
            "materiel and of goods such as coal, iron ore and textiles.",
            "The operator listed for NORTHERN LANTERN, Primorye Coastal Logistics LLC, did not "
            "answer emailed questions. A spokesperson for the terminal in Vostochny said it "
            '"handles only cargo with correct documentation".',
            "Harbour Watch Daily could not determine what the containers held. The number of "
            "boxes moved on a single call is larger than any civilian trade recorded between "
            "the two ports in recent years, said a shipping analyst who asked not to be named.",
        ),
        notice="This is a fictional article written for a software demonstration. "
        "The outlet, vessels, companies and people are invented.",
    ),
    _Article(
        filename="2025-04-22_east-sea-monitor_tanker-alongside-off-nampo.html",
        lang="en",
        outlet="East Sea Monitor",
        domain="eastseamonitor.example",
        slug="maritime/tanker-seen-alongside-dprk-ship-off-nampo",
        section="Maritime",
        author="Daniel Okafor",
        published="2025-04-22T11:05:00+00:00",
        title="Tanker seen alongside DPRK-flagged ship off Nampo in suspected oil transfer",
        summary="Two tankers were photographed side by side west of Nampo on 18 April.",
        nav=("Latest", "Maritime", "Trade", "Energy", "Investigations", "Newsletter"),
        paragraphs=(
            "A North Korean-flagged tanker and a foreign tanker were photographed side by side "
            "in Korea Bay on the night of 18 April 2025, in what appears to be a ship-to-ship "
            "transfer of refined petroleum of the kind banned by UN sanctions.",
            "The DPRK-flagged AMBER TIDE (IMO 8830475, MMSI 445117390) and the tanker VOSTOK "
            "PEARL (IMO 9273519, MMSI 273356810) were moored together about 25 nautical miles "
            "west of Nampo, according to a photograph shared with East Sea Monitor by a regional "
            "maritime security source and to radar satellite imagery from the same night.",
            "Both ships had stopped transmitting AIS positions in the 24 hours before the "
            "meeting. VOSTOK PEARL reappeared on 20 April near the Shandong peninsula, riding "
            "noticeably higher in the water than on its approach, a sign that it had "
            "discharged cargo.",
            "UN Security Council resolution 2397 (2017) caps the DPRK's imports of refined "
            "petroleum products at 500,000 barrels a year and requires states to report every "
            "delivery. Ship-to-ship transfers to or from DPRK-flagged vessels are banned by "
            "resolution 2375 (2017).",
            "AMBER TIDE was seen again on 21 April at the oil terminal in Nampo, where a second "
            "tanker, SILVER HERON, has been broadcasting the identity of GREY PETREL "
            "(IMO 9412854), a ship reported scrapped in 2019.",
            'Eastern Tide Shipping Co., listed as manager of VOSTOK PEARL, said it had "no '
            'knowledge" of the transfer.',
        ),
        notice="Fictional demo article: East Sea Monitor, the ships and the company do not exist.",
    ),
    _Article(
        filename="2025-05-02_peninsula-shipping-report_rajin-containers.html",
        lang="ko",
        outlet="한반도 해운 리포트",
        domain="peninsula-shipping.example",
        slug="news/articleView/20250502-rajin",
        section="북한 해운",
        author="김서연 기자",
        published="2025-05-02T09:00:00+09:00",
        title="라진항에 컨테이너 또 쌓였다…러시아 선박 잇따라 입항",
        summary="라진항 3번 부두에 컨테이너 약 260개가 쌓인 모습이 위성사진으로 확인됐다.",
        nav=("홈", "해운", "항만", "대북제재", "분석", "구독"),
        paragraphs=(
            "북한 라선시의 라진항(나진항)에 컨테이너가 다시 대량으로 쌓이고 있는 모습이 상업 "
            "위성사진으로 확인됐다.",
            "본지가 입수한 4월 28일 자 위성사진에는 3번 부두 북쪽 야적장에 컨테이너 약 260개가 "
            "놓여 있었다. 3월 초보다 30개가량 늘어난 규모다.",
            "같은 날 부두에는 러시아 선적 컨테이너선 NORTHERN LANTERN(IMO 9164029)과 북한 선적 "
            "화물선 MORNING CRANE(IMO 8992314, MMSI 445208770)이 나란히 정박해 있었다.",
            "두 선박 모두 입항 전후 선박자동식별장치(AIS) 신호를 끈 것으로 나타났다. 전문가들은 "
            "AIS를 끄는 행위가 대북제재 위반을 감추기 위한 전형적인 수법이라고 지적한다.",
            "유엔 안보리 결의 1718호와 2270호는 북한과의 무기 및 관련 물자 거래를 금지하고 있다. "
            "컨테이너에 실린 화물이 무엇인지는 확인되지 않았다.",
            '한 해운 전문가는 "라진항과 러시아 보스토치니항 사이의 컨테이너 이동이 눈에 띄게 '
            '늘었다"며 "화물 내역을 확인할 수 있는 추가 자료가 필요하다"고 말했다.',
        ),
        notice="※ 이 기사는 소프트웨어 시연용으로 만든 가상의 기사입니다. "
        "등장하는 매체, 선박, 회사, 인물은 모두 허구입니다.",
    ),
    _Article(
        filename="2025-05-20_primorsky-vestnik_dunay-container-ship.html",
        lang="ru",
        outlet="Приморский морской вестник",
        domain="primvestnik.example",
        slug="news/2025/05/20/konteynerovoz-iz-radzhina",
        section="Порты",
        author="Ирина Соколова",
        published="2025-05-20T14:20:00+10:00",
        title="Контейнеровоз из Раджина снова замечен в порту Дунай",
        summary="Судно под российским флагом выгрузило около ста двадцати контейнеров.",
        nav=("Главная", "Порты", "Флот", "Экономика", "Происшествия", "Контакты"),
        paragraphs=(
            "Контейнеровоз NORTHERN LANTERN (IMO 9164029, MMSI 273419640) под российским флагом "
            "17 мая вновь встал к причалу в порту Дунай в Приморском крае, сообщили источники "
            "в порту.",
            "По их словам, судно прибыло из северокорейского порта Раджин (Наджин) и выгрузило "
            "около ста двадцати контейнеров. Часть груза сразу перегрузили в железнодорожные "
            "вагоны.",
            "Один из источников утверждает, что в контейнерах находились артиллерийские "
            "снаряды. Проверить это утверждение независимо не удалось.",
            "Резолюции Совета Безопасности ООН 1718 (2006) и 1874 (2009) запрещают поставки "
            "оружия и связанных с ним материалов из КНДР.",
            "За время рейса судно несколько раз отключало систему автоматической идентификации "
            "(АИС). Последний сигнал был получен 14 мая в районе порта Восточный.",
            "Компания «Приморская береговая логистика», указанная оператором судна, на запросы "
            "не ответила.",
        ),
        notice="Статья вымышлена и создана для демонстрации программы. "
        "Издание, суда, компании и люди в ней не существуют.",
    ),
    _Article(
        filename="2025-06-03_northeast-asia-maritime_nampo-ship-to-ship.html",
        lang="ja",
        outlet="北東アジア海事通信",
        domain="ne-asia-maritime.example",
        slug="articles/20250603-nampo-stt",
        section="安全保障",
        author="佐藤 美咲",
        published="2025-06-03T06:00:00+09:00",
        title="北朝鮮船籍タンカー、南浦沖で「瀬取り」か　石油精製品の密輸疑い",
        summary="北朝鮮船籍のタンカーが南浦沖で外国籍タンカーと横付けした疑い。",
        nav=("トップ", "海運", "港湾", "安全保障", "特集", "会員登録"),
        paragraphs=(
            "北朝鮮船籍のタンカー「AMBER TIDE」（IMO 8830475）が4月、南浦（ナムポ）沖で外国籍"
            "タンカーと横付けし、石油精製品を積み替える「瀬取り」を行った疑いがあることが、"
            "本紙が入手した衛星画像などで分かった。",
            "相手の船は「VOSTOK PEARL」（IMO 9273519）とみられる。両船は4月18日夜、南浦の西"
            "約25海里の海上で並んで停泊していた。両船とも前日から船舶自動識別装置（AIS）の"
            "信号を止めていた。",
            "国連安全保障理事会の決議2397号は、北朝鮮への石油精製品の供給を年間50万バレルに"
            "制限している。北朝鮮船籍の船との瀬取りは決議2375号で禁止されている。",
            "南浦の石油ターミナルでは、別のタンカー「SILVER HERON」が、2019年に解体されたと"
            "される「GREY PETREL」（IMO 9412854）の識別情報を発信していることも確認された。",
            "日本政府関係者は「朝鮮半島周辺の海域で監視を続けている」と述べた。",
        ),
        notice="※この記事はソフトウェアのデモ用に作成した架空の記事です。"
        "媒体・船舶・企業・人物はすべて架空のものです。",
    ),
)

_ARTICLE_STYLE = """\
body { margin: 0; font-family: Georgia, "Noto Serif", serif; color: #1c1c1c; }
header.site { background: #0b3954; color: #fff; padding: 12px 24px; }
nav.menu ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 18px; }
nav.menu a { color: #dfe8ee; text-decoration: none; font-size: 14px; }
main { max-width: 720px; margin: 24px auto; padding: 0 16px; }
article h1 { font-size: 30px; line-height: 1.2; }
.byline { color: #555; font-size: 14px; }
aside.related { border-top: 1px solid #ccc; margin-top: 32px; font-size: 14px; }
footer.site { background: #eee; padding: 16px 24px; font-size: 12px; color: #444; }
"""


def _article_html(article: _Article) -> str:
    esc = html.escape
    url = f"https://www.{article.domain}/{article.slug}"
    nav_items = "\n".join(
        f'        <li><a href="https://www.{article.domain}/{i}">{esc(name)}</a></li>'
        for i, name in enumerate(article.nav)
    )
    body = "\n".join(f"      <p>{esc(p)}</p>" for p in article.paragraphs)
    date = article.published[:10]
    return f"""<!DOCTYPE html>
<!-- saved from url=({len(url):04d}){url} -->
<html lang="{article.lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{esc(article.title)} | {esc(article.outlet)}</title>
  <meta name="author" content="{esc(article.author)}">
  <meta name="description" content="{esc(article.summary)}">
  <meta name="date" content="{date}">
  <meta property="og:site_name" content="{esc(article.outlet)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{esc(article.title)}">
  <meta property="og:url" content="{url}">
  <meta property="article:published_time" content="{article.published}">
  <meta property="article:section" content="{esc(article.section)}">
  <link rel="canonical" href="{url}">
  <script>
    window.siteMetrics = window.siteMetrics || [];
    function track() {{ window.siteMetrics.push(arguments); }}
    track("page_view", {{ section: "{esc(article.section)}", lang: "{article.lang}" }});
  </script>
  <style>
{_ARTICLE_STYLE}  </style>
</head>
<body>
  <header class="site">
    <div class="logo">{esc(article.outlet)}</div>
    <nav class="menu" aria-label="Main">
      <ul>
{nav_items}
      </ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>{esc(article.title)}</h1>
      <p class="byline">{esc(article.author)} ·
        <time datetime="{article.published}">{date}</time></p>
{body}
      <p><em>{esc(article.notice)}</em></p>
    </article>
    <aside class="related">
      <h2>More from {esc(article.outlet)}</h2>
      <ul>
        <li><a href="https://www.{article.domain}/newsletter">Newsletter</a></li>
        <li><a href="https://www.{article.domain}/tips">Send us a tip</a></li>
      </ul>
    </aside>
  </main>
  <footer class="site">
    <p>© 2025 {esc(article.outlet)}. {esc(article.notice)}</p>
    <p><a href="https://www.{article.domain}/privacy">Privacy</a> ·
      <a href="https://www.{article.domain}/terms">Terms</a></p>
  </footer>
</body>
</html>
"""


# --- satellite-like image -------------------------------------------------------------

_IMAGE_SIZE = (2000, 1500)
_WATER = (22, 52, 66)
_LAND = (112, 104, 88)
_CONCRETE = (168, 164, 156)
_CONTAINER_COLOURS = (
    (38, 74, 142),
    (128, 34, 30),
    (150, 40, 36),
    (40, 110, 66),
    (196, 120, 40),
    (200, 200, 196),
    (60, 60, 64),
    (34, 90, 160),
)


def _draw_containers(
    draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int], length: int
) -> None:
    """Fills box with rows of containers, leaving random gaps like a working yard."""
    x0, y0, x1, y1 = box
    width, gap = 9, 2
    y = y0
    while y + width <= y1:
        x = x0
        while x + length <= x1:
            if rng.random() < 0.82:
                colour = rng.choice(_CONTAINER_COLOURS)
                draw.rectangle((x, y, x + length - 1, y + width - 1), fill=colour)
            x += length + gap
        y += width + gap + (6 if rng.random() < 0.25 else 0)


def _draw_ship(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: int,
    y: int,
    length: int,
    beam: int,
    kind: str,
) -> None:
    """Draws a ship pointing east with its stern at (x, y)."""
    bow = int(beam * 1.6)
    hull = [(x, y), (x + length - bow, y), (x + length, y + beam // 2)]
    hull += [(x + length - bow, y + beam), (x, y + beam)]
    draw.polygon(hull, fill=(58, 58, 62), outline=(30, 30, 34))
    draw.rectangle((x + 4, y + 6, x + 30, y + beam - 6), fill=(228, 228, 224))  # bridge
    if kind == "container":
        _draw_containers(draw, rng, (x + 36, y + 4, x + length - bow, y + beam - 4), 18)
    else:
        draw.rectangle((x + 34, y + 4, x + length - bow - 4, y + beam - 4), fill=(120, 40, 36))
        mid = y + beam // 2
        draw.line((x + 34, mid, x + length - bow - 4, mid), fill=(210, 210, 200), width=2)
        for px in range(x + 50, x + length - bow - 10, 24):
            draw.line((px, y + 6, px, y + beam - 6), fill=(90, 90, 90), width=1)


def _noise_layer(
    rng: random.Random, size: tuple[int, int], cell: int, amplitude: int
) -> Image.Image:
    """Grey noise centred on 128: coarse cells give mottling, cell=1 gives sensor grain."""
    w, h = size[0] // cell + 2, size[1] // cell + 2
    small = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    layer = small.resize((w * cell, h * cell), Image.Resampling.BICUBIC).crop((0, 0, *size))
    lut = [128 + (v - 128) * amplitude // 128 for v in range(256)]
    return layer.point(lut)


def _satellite_image() -> Image.Image:
    """Rajin-like port seen from above: shore, apron, piers, container stacks, ships."""
    rng = random.Random(_IMAGE_SEED)
    width, height = _IMAGE_SIZE
    img = Image.new("RGB", _IMAGE_SIZE, _WATER)
    draw = ImageDraw.Draw(img)

    # Land to the west and north, an irregular shore, water to the east and south-east.
    shore = [(0, 0), (width, 0), (width, 160), (1500, 210), (1180, 300), (1120, 520)]
    shore += [(1060, 900), (1010, 1180), (860, 1380), (720, height), (0, height)]
    draw.polygon(shore, fill=_LAND)
    for _ in range(40):  # scrub and bare patches
        cx, cy = rng.randrange(0, 900), rng.randrange(0, 1500)
        rx, ry = rng.randrange(20, 90), rng.randrange(15, 60)
        tone = rng.choice(((86, 96, 70), (98, 104, 78), (132, 122, 102)))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=tone)
    draw.line((1500, 200, 1980, 140), fill=(150, 146, 138), width=22)  # breakwater

    # Quay apron along the shore and three piers reaching east.
    draw.rectangle((880, 240, 1130, 1240), fill=_CONCRETE)
    piers = ((1130, 330, 1720, 470), (1080, 640, 1640, 780), (1030, 950, 1560, 1090))
    for pier in piers:
        draw.rectangle(pier, fill=_CONCRETE)
        x0, y0, x1, y1 = pier
        _draw_containers(draw, rng, (x0 + 20, y0 + 14, x1 - 20, y0 + 62), 20)
        _draw_containers(draw, rng, (x0 + 20, y1 - 62, x1 - 200, y1 - 14), 40)
        for cx in range(x0 + 60, x1 - 40, 140):  # gantry cranes along the edge
            draw.rectangle((cx, y1 - 4, cx + 10, y1 + 26), fill=(210, 170, 40))

    # Yard on the apron, warehouses and the rail siding behind it.
    _draw_containers(draw, rng, (900, 260, 1110, 620), 20)
    _draw_containers(draw, rng, (900, 800, 1110, 1220), 40)
    for wy in range(300, 1200, 220):
        draw.rectangle((700, wy, 850, wy + 140), fill=(182, 186, 190), outline=(120, 120, 120))
        draw.line((700, wy + 70, 850, wy + 70), fill=(140, 144, 150), width=3)
    for offset in (0, 12):
        draw.line((660 + offset, 0, 660 + offset, height), fill=(70, 62, 56), width=3)
    draw.line((560, 0, 600, height), fill=(132, 130, 126), width=14)  # road

    # Ships: two alongside the piers, one tanker at the oil berth, two at anchor.
    _draw_ship(draw, rng, 1180, 476, 420, 56, "container")
    _draw_ship(draw, rng, 1150, 786, 360, 50, "container")
    _draw_ship(draw, rng, 1140, 1096, 300, 46, "tanker")
    _draw_ship(draw, rng, 1520, 1180, 340, 52, "tanker")
    _draw_ship(draw, rng, 1640, 880, 260, 40, "container")

    img = img.filter(ImageFilter.BoxBlur(1))  # optics and resampling soften edges
    for cell, amplitude in ((48, 28), (6, 12), (1, 10)):
        noise = _noise_layer(rng, _IMAGE_SIZE, cell, amplitude).convert("RGB")
        img = ImageChops.add(img, noise, scale=1.0, offset=-128)  # img + noise - 128, clipped
    return img


def _exif() -> Image.Exif:
    """EXIF as an imaging provider would stamp it, with the scene centre near Rajin."""
    taken = "2025:04:28 02:14:09"
    exif = Image.Exif()
    exif[Base.Make] = "Demo Imaging"
    exif[Base.Model] = "Demo Imaging Sat-1"
    exif[Base.Software] = "Evidence Workstation demo corpus"
    exif[Base.DateTime] = taken
    exif[Base.ImageDescription] = f"Rajin port, overhead view. {FICTION_NOTICE}"
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (IFDRational(42), IFDRational(14), IFDRational(24))  # 42.24
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (IFDRational(130), IFDRational(18), IFDRational(0))  # 130.30
    return exif


def _jpeg_bytes(img: Image.Image, exif: Image.Exif | None, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, exif=exif if exif is not None else Image.Exif())
    return buf.getvalue()


# --- PDF report -------------------------------------------------------------------------

_REPORT_TITLE = "Demo monitoring report (fictional)"
_REPORT_DATE = "D:20250610090000+00'00'"
_A4 = pymupdf.paper_rect("a4")
_MARGIN = 60
_BODY = "helv"
_BOLD = "hebo"

_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Contents",
        (
            "1. Summary\n2. Method and sources\n3. Container traffic at Rajin (Najin)\n"
            "4. Ship-to-ship transfers of refined petroleum\n5. Port calls at Vostochny and "
            "Dunay\n6. Vessel identity fraud\nAnnex A. Vessels of interest\nAnnex B. "
            "Satellite imagery\nAnnex C. Korean summary\nAnnex D. Russian summary\nAnnex E. "
            "Chronology",
            "Notice: every vessel, company, outlet and person named in this report is invented "
            "for the Evidence Workstation demonstration. The ports are real places; the events "
            "are not.",
        ),
    ),
    (
        "1. Summary",
        (
            "Between March and June 2025 the demo team followed two invented patterns of "
            "activity that resemble cases reported under the UN DPRK sanctions regime.",
            "First, the Russian-flagged container feeder NORTHERN LANTERN (IMO 9164029, MMSI "
            "273419640) shuttled between Rajin (Najin) and the Russian ports of Vostochny and "
            "Dunay, switching off AIS on each leg. Satellite imagery shows the container stacks "
            "at Rajin Pier 3 growing from about 90 boxes in January to about 260 on 28 April "
            "2025. A port source claims that containers unloaded at Dunay on 17 May held "
            "artillery shells.",
            "Second, the DPRK-flagged tanker AMBER TIDE (IMO 8830475, MMSI 445117390) met the "
            "tanker VOSTOK PEARL (IMO 9273519, MMSI 273356810) west of Nampo on 18 April 2025 "
            "in a suspected ship-to-ship transfer of refined petroleum.",
            "A third tanker, SILVER HERON, broadcasts the identity of GREY PETREL "
            "(IMO 9412854), a ship reported scrapped in 2019.",
        ),
    ),
    (
        "2. Method and sources",
        (
            "Findings rest on documentary evidence and, where possible, on at least two "
            "independent sources. Each source is graded on the Admiralty scale: reliability of "
            "the source from A (completely reliable) to F (cannot be judged) and credibility of "
            "the information from 1 (confirmed) to 6 (cannot be judged).",
            "Sources used: Harbour Watch Daily, 14 March 2025 (graded B2); East Sea Monitor, "
            "22 April 2025 (B2); Peninsula Shipping Report, 2 May 2025, in Korean (C2); "
            "Primorsky Morskoy Vestnik, 20 May 2025, in Russian (C3); Northeast Asia Maritime "
            "News, 3 June 2025, in Japanese (B2); commercial satellite image Demo Imaging "
            "Sat-1, 28 April 2025 (A1 for what it shows); analyst memo of 5 June 2025; tip-off "
            "received 6 June 2025 (F6 until corroborated).",
            "The parties named were invited to reply. Primorye Coastal Logistics LLC and "
            "Eastern Tide Shipping Co. did not answer within the period allowed.",
        ),
    ),
    (
        "3. Container traffic at Rajin (Najin)",
        (
            "Rajin lies in the Rason special economic zone, close to the Russian border and "
            "linked to Russia by rail across the Tumen River. Its Pier 3 handles containers.",
            "NORTHERN LANTERN (IMO 9164029) called at Rajin on or about 8 March, 27 April and "
            "12 May 2025. On each occasion the ship switched off AIS after leaving Vostochny "
            "and switched it on again south of Rajin.",
            "The satellite image of 28 April 2025 (Annex B) shows about 260 containers on the "
            "Pier 3 yard, the feeder alongside, and the DPRK-flagged general cargo ship MORNING "
            "CRANE (IMO 8992314, MMSI 445208770) at the next berth.",
            "Assessment: the volume is consistent with a regular container shuttle between "
            "Rajin and the Russian Far East. The content of the containers is not established "
            "by the imagery alone (category: arms, pending corroboration; maritime).",
        ),
    ),
    (
        "4. Ship-to-ship transfers of refined petroleum",
        (
            "On the night of 18 April 2025, AMBER TIDE (IMO 8830475) and VOSTOK PEARL "
            "(IMO 9273519) were moored side by side about 25 nautical miles west of Nampo. Both "
            "had stopped transmitting AIS positions in the previous 24 hours.",
            "VOSTOK PEARL reappeared near the Shandong peninsula on 20 April with a visibly "
            "reduced draught. AMBER TIDE was at the Nampo oil terminal on 21 April.",
            "Resolution 2397 (2017) caps refined petroleum deliveries to the DPRK at 500,000 "
            "barrels a year and requires each delivery to be notified. Resolution 2375 (2017) "
            "prohibits ship-to-ship transfers to or from DPRK-flagged vessels.",
            "Assessment: a ship-to-ship transfer of refined petroleum is likely (category: "
            "petroleum; maritime). Two independent sources: East Sea Monitor (English) and "
            "Northeast Asia Maritime News (Japanese).",
        ),
    ),
    (
        "5. Port calls at Vostochny and Dunay",
        (
            "Vostochny is the main container terminal near Nakhodka; Dunay is a small port on "
            "the Strelok Bay in Primorye. Both appear in earlier public reporting on "
            "DPRK-Russia cargo.",
            "According to Primorsky Morskoy Vestnik, NORTHERN LANTERN berthed at Dunay on "
            "17 May 2025 and unloaded about 120 containers, part of which were moved straight "
            "to rail wagons. The last AIS signal before the call was received on 14 May near "
            "Vostochny.",
            "A source quoted by the same outlet claims the containers held artillery shells. "
            "This claim is not corroborated (graded C3).",
        ),
    ),
    (
        "6. Vessel identity fraud",
        (
            "SILVER HERON (IMO 9055187 as registered, MMSI 445301550) has been broadcasting the "
            "name GREY PETREL and the number IMO 9412854 since at least April 2025. GREY PETREL "
            "was reported scrapped in 2019.",
            "Hull features visible in the photograph of 21 April (bridge position, manifold "
            "layout) match SILVER HERON, not the scrapped ship.",
            "Assessment: identity fraud and AIS manipulation (category: maritime).",
        ),
    ),
)

_KOREAN_PAGE = (
    "부록 C. 한국어 요약",
    (
        "이 보고서는 소프트웨어 시연용으로 만든 가상의 보고서이다. 선박과 회사는 모두 허구이다.",
        "러시아 선적 컨테이너선 NORTHERN LANTERN(IMO 9164029)은 2025년 3월부터 5월까지 북한 "
        "라진항과 러시아 보스토치니항, 두나이항 사이를 오갔다. 4월 28일 위성사진에는 라진항 "
        "3번 부두에 컨테이너 약 260개가 쌓여 있었다.",
        "북한 선적 유조선 AMBER TIDE(IMO 8830475)는 4월 18일 남포 서쪽 해상에서 VOSTOK "
        "PEARL(IMO 9273519)과 선박 간 환적을 한 것으로 보인다. 정제유 환적은 유엔 안보리 "
        "결의 2375호와 2397호 위반에 해당할 수 있다.",
        "북한 선적 화물선 MORNING CRANE(IMO 8992314)도 같은 날 라진항에 정박해 있었다.",
    ),
)

_RUSSIAN_PAGE = (
    "Приложение D. Краткое изложение",
    (
        "Этот отчёт вымышлен и подготовлен для демонстрации программы. Суда и компании "
        "не существуют.",
        "Контейнеровоз NORTHERN LANTERN (IMO 9164029, MMSI 273419640) под российским флагом "
        "с марта по май 2025 года совершал рейсы между портом Раджин (Наджин) в КНДР и "
        "портами Восточный и Дунай, отключая АИС на каждом переходе.",
        "По словам источника в порту Дунай, в контейнерах, выгруженных 17 мая, находились "
        "артиллерийские снаряды. Это утверждение не подтверждено.",
        "Танкер AMBER TIDE (IMO 8830475) под флагом КНДР 18 апреля встретился с танкером "
        "VOSTOK PEARL (IMO 9273519) к западу от Нампхо; вероятна перевалка нефтепродуктов "
        "с борта на борт.",
    ),
)

_CHRONOLOGY = (
    ("late Jan. 2025", "About 90 containers on Rajin Pier 3 (imagery)."),
    ("6 Mar. 2025", "NORTHERN LANTERN leaves Vostochny; AIS off."),
    ("9 March 2025", "About 230 containers on Rajin Pier 3 (Harbour Watch Daily)."),
    ("2025-04-18", "AMBER TIDE and VOSTOK PEARL alongside west of Nampo."),
    ("Apr. 20", "VOSTOK PEARL reappears near Shandong, higher in the water."),
    ("April 21, 2025", "AMBER TIDE at the Nampo oil terminal; SILVER HERON as GREY PETREL."),
    ("28/04/2025", "Satellite image: about 260 containers; MORNING CRANE alongside."),
    ("17 May 2025", "NORTHERN LANTERN unloads about 120 containers at Dunay."),
    ("2025-06-05", "Analyst memo on the Rajin-Dunay shuttle."),
    ("6 Jun. 2025", "Tip-off: NORTHERN LANTERN expected at Dunay again."),
)


def _text_box(
    page: pymupdf.Page,
    rect: pymupdf.Rect,
    text: str,
    fontsize: float,
    fontname: str = _BODY,
    lineheight: float | None = None,
) -> None:
    spare = page.insert_textbox(
        rect, text, fontname=fontname, fontsize=fontsize, lineheight=lineheight
    )
    if spare < 0:
        raise ValueError(f"demo report text overflows page {page.number + 1}: {text[:40]!r}")


def _body_page(doc: pymupdf.Document, heading: str, paragraphs: tuple[str, ...]) -> None:
    page = doc.new_page(width=_A4.width, height=_A4.height)
    page.insert_text((_MARGIN, 100), heading, fontname=_BOLD, fontsize=16)
    rect = pymupdf.Rect(_MARGIN, 120, _A4.width - _MARGIN, _A4.height - 80)
    _text_box(page, rect, "\n\n".join(paragraphs), fontname=_BODY, fontsize=10.5, lineheight=1.35)


def _foreign_page(
    doc: pymupdf.Document, heading: str, paragraphs: tuple[str, ...], script: str
) -> None:
    """A page in Korean or Russian.

    Base-14 Helvetica cannot encode these scripts, and the reserved "korea" CID font is not
    embedded and sets Latin letters full width, so the page uses MuPDF's built-in fonts
    (Droid Sans Fallback for Hangul, Nimbus Sans for Cyrillic), embedded as subsets.
    """
    if script == "hangul":
        body_font = heading_font = pymupdf.Font("cjk")
    else:
        body_font, heading_font = pymupdf.Font("helv"), pymupdf.Font("hebo")
    page = doc.new_page(width=_A4.width, height=_A4.height)
    writer = pymupdf.TextWriter(page.rect)
    writer.append((_MARGIN, 100), heading, font=heading_font, fontsize=16)
    rect = pymupdf.Rect(_MARGIN, 120, _A4.width - _MARGIN, _A4.height - 80)
    text = "\n\n".join(paragraphs)
    left_over = writer.fill_textbox(rect, text, font=body_font, fontsize=10.5, lineheight=1.35)
    if left_over:
        raise ValueError(f"demo report text overflows page {page.number + 1}: {heading!r}")
    writer.write_text(page)


def _title_page(doc: pymupdf.Document) -> None:
    page = doc.new_page(width=_A4.width, height=_A4.height)
    page.draw_rect(pymupdf.Rect(0, 0, _A4.width, 230), color=None, fill=(0.05, 0.22, 0.33))
    page.insert_text((_MARGIN, 150), _REPORT_TITLE, fontname=_BOLD, fontsize=24, color=(1, 1, 1))
    page.insert_text(
        (_MARGIN, 185), "Case DEMO-2025-01", fontname=_BODY, fontsize=13, color=(1, 1, 1)
    )
    lines = (
        "Container shuttles between Rajin and the Russian Far East,",
        "and ship-to-ship transfers of refined petroleum off Nampo",
        "",
        "Prepared by the Demo Monitoring Team, 10 June 2025",
        "Releasability: DEMO - NOT FOR RELEASE",
        "",
        "All vessels, companies, outlets and people in this report are invented.",
    )
    _text_box(
        page,
        pymupdf.Rect(_MARGIN, 300, _A4.width - _MARGIN, 520),
        "\n".join(lines),
        fontname=_BODY,
        fontsize=13,
    )


def _vessel_table_page(doc: pymupdf.Document) -> None:
    page = doc.new_page(width=_A4.width, height=_A4.height)
    page.insert_text((_MARGIN, 100), "Annex A. Vessels of interest", fontname=_BOLD, fontsize=16)
    columns = (
        ("Vessel", 0),
        ("IMO", 118),
        ("MMSI", 178),
        ("Flag", 248),
        ("Type", 300),
        ("Last reported", 410),
    )
    rows = [(v.name, v.imo, v.mmsi, v.flag, v.kind, v.last_seen) for v in _VESSELS]
    rows.append((_SPOOFED.name, _SPOOFED.imo, _SPOOFED.mmsi, _SPOOFED.flag, "Identity used", "-"))
    top, row_height = 130, 22
    right = _A4.width - _MARGIN
    page.draw_rect(
        pymupdf.Rect(_MARGIN, top, right, top + row_height), color=None, fill=(0.85, 0.88, 0.9)
    )
    for r, cells in enumerate([tuple(c for c, _ in columns), *rows]):
        baseline = top + r * row_height + 15
        for (_, x), cell in zip(columns, cells, strict=True):
            font = _BOLD if r == 0 else _BODY
            page.insert_text((_MARGIN + 4 + x, baseline), cell, fontname=font, fontsize=9)
        y = top + (r + 1) * row_height
        page.draw_line((_MARGIN, y), (right, y), color=(0.5, 0.5, 0.5), width=0.5)
    note = (
        "IMO numbers carry a valid check digit; MMSI prefixes give the flag (445 DPRK, "
        "273 Russia). SILVER HERON transmits the identity of GREY PETREL (IMO 9412854)."
    )
    y = top + (len(rows) + 1) * row_height + 20
    _text_box(page, pymupdf.Rect(_MARGIN, y, right, y + 80), note, fontname=_BODY, fontsize=9)


def _imagery_page(doc: pymupdf.Document, thumbnail: bytes) -> None:
    page = doc.new_page(width=_A4.width, height=_A4.height)
    page.insert_text((_MARGIN, 100), "Annex B. Satellite imagery", fontname=_BOLD, fontsize=16)
    frame = pymupdf.Rect(_MARGIN, 120, _A4.width - _MARGIN, 120 + (_A4.width - 2 * _MARGIN) * 0.75)
    page.insert_image(frame, stream=thumbnail)
    caption = (
        "Rajin port, Pier 3, 28 April 2025, 02:14 UTC (Demo Imaging Sat-1, scene centre "
        "42.24 N 130.30 E). About 260 containers on the yard; NORTHERN LANTERN (IMO 9164029) "
        "and MORNING CRANE (IMO 8992314) alongside. Synthetic image made for the demo."
    )
    rect = pymupdf.Rect(_MARGIN, frame.y1 + 12, frame.x1, frame.y1 + 90)
    _text_box(page, rect, caption, fontname=_BODY, fontsize=9.5)


def _chronology_page(doc: pymupdf.Document) -> None:
    page = doc.new_page(width=_A4.width, height=_A4.height)
    page.insert_text((_MARGIN, 100), "Annex E. Chronology", fontname=_BOLD, fontsize=16)
    for i, (when, what) in enumerate(_CHRONOLOGY):
        y = 135 + i * 24
        page.insert_text((_MARGIN, y), when, fontname=_BOLD, fontsize=10)
        page.insert_text((_MARGIN + 100, y), what, fontname=_BODY, fontsize=10)


def _stamp_pages(doc: pymupdf.Document) -> None:
    """Header and footer on every page, as releasability markings would be."""
    count = doc.page_count
    for page in doc.pages():
        page.insert_text(
            (_MARGIN, 40), f"{_REPORT_TITLE} - DEMO-2025-01", fontsize=8, color=(0.4, 0.4, 0.4)
        )
        footer = f"{FICTION_NOTICE}    Page {page.number + 1} of {count}"
        page.insert_text((_MARGIN, _A4.height - 36), footer, fontsize=8, color=(0.4, 0.4, 0.4))


def _report_pdf(thumbnail: bytes) -> bytes:
    doc = pymupdf.open()
    _title_page(doc)
    for heading, paragraphs in _SECTIONS:
        _body_page(doc, heading, paragraphs)
    _vessel_table_page(doc)
    _imagery_page(doc, thumbnail)
    _foreign_page(doc, *_KOREAN_PAGE, "hangul")
    _foreign_page(doc, *_RUSSIAN_PAGE, "cyrillic")
    _chronology_page(doc)
    _stamp_pages(doc)
    doc.set_metadata(
        {
            "title": _REPORT_TITLE,
            "author": "Demo Monitoring Team",
            "subject": "Rajin container shuttle and Nampo ship-to-ship transfers (fictional)",
            "keywords": "demo, DPRK, sanctions, Rajin, Nampo, Vostochny, Dunay",
            "creator": "Evidence Workstation demo corpus",
            "producer": "Evidence Workstation demo corpus",
            "creationDate": _REPORT_DATE,
            "modDate": _REPORT_DATE,
        }
    )
    doc.subset_fonts()
    # no_new_id: the trailer /ID is otherwise random, which would break byte-identical output.
    data: bytes = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data


# --- memo and e-mail --------------------------------------------------------------------

_MEMO_NAME = "analyst-memo_2025-06-05.md"


def _memo() -> str:
    rows = "\n".join(f"| {v.name} | {v.imo} | {v.mmsi} | {v.flag} | {v.kind} |" for v in _VESSELS)
    return f"""# Memo: Rajin-Dunay container shuttle and the Nampo transfer

- Case: DEMO-2025-01 (fictional)
- Author: demo analyst
- Date: 2025-06-05
- Releasability: DEMO - NOT FOR RELEASE

> Everything in this memo is invented for the Evidence Workstation demo.

## Summary

NORTHERN LANTERN (IMO 9164029) keeps shuttling between Rajin (Najin) and Vostochny or
Dunay with AIS off on every leg. Two outlets (Harbour Watch Daily, 14 Mar. 2025;
Peninsula Shipping Report, 2 May 2025) and our own imagery of 28 April agree on the
growing container stacks at Pier 3. Only one source (Primorsky Morskoy Vestnik,
20 May 2025) says the boxes held artillery shells: **not corroborated**.

AMBER TIDE (IMO 8830475) and VOSTOK PEARL (IMO 9273519) were alongside west of Nampo
on 2025-04-18. Two independent sources (East Sea Monitor, Northeast Asia Maritime
News). Likely ship-to-ship transfer of refined petroleum.

## Vessels

| Vessel | IMO | MMSI | Flag | Type |
|---|---|---|---|---|
{rows}

SILVER HERON broadcasts the identity of GREY PETREL (IMO 9412854), scrapped in 2019.

## Sources and grading

- Harbour Watch Daily, 14 Mar. 2025 - B2
- East Sea Monitor, 22 Apr. 2025 - B2
- Peninsula Shipping Report (Korean), 2 May 2025 - C2
- Primorsky Morskoy Vestnik (Russian), 20 May 2025 - C3
- Northeast Asia Maritime News (Japanese), 3 Jun. 2025 - B2
- Demo Imaging Sat-1 image, 28 Apr. 2025 - A1 for what it shows

## Next steps

1. Ask the Vostochny terminal for the container manifests of the March-May calls.
2. Task new imagery of Dunay for the next expected call.
3. Give Primorye Coastal Logistics LLC and Eastern Tide Shipping Co. a chance to reply.
"""


def _tip_off_eml(memo: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Duty Desk <duty.desk@monitoring-team.example>"
    msg["To"] = "Case DEMO-2025-01 <case-demo-2025-01@monitoring-team.example>"
    msg["Subject"] = "Tip-off: NORTHERN LANTERN expected at Dunay again"
    msg["Date"] = "Fri, 06 Jun 2025 08:12:44 +0000"
    msg["Message-ID"] = "<demo-2025-01-tipoff-0001@monitoring-team.example>"
    msg.set_content(
        "Hello team,\n\n"
        "A contact at the port of Dunay called this morning (fictional demo message).\n"
        "They say NORTHERN LANTERN (IMO 9164029, MMSI 273419640) is expected back from\n"
        "Rajin around 12 June with another load of containers, and that rail wagons\n"
        "have been reserved at the quay for the same day.\n\n"
        "The contact has been right once before; grade it F6 until we can corroborate.\n"
        "The analyst memo of 5 June is attached for context.\n\n"
        "Duty desk\n"
    )
    msg.add_attachment(
        memo.encode("utf-8"), maintype="text", subtype="markdown", filename=_MEMO_NAME
    )
    # The default MIME boundary is random; fix it so the file is the same on every run.
    msg.set_boundary("===============demo-2025-01-tipoff==")
    return msg.as_bytes(policy=SMTP)


def write_demo_corpus(folder: Path) -> list[Path]:
    """Writes the invented demo sources into folder, byte-identical on every run.

    The corpus holds five saved news pages (English, Korean, Russian, Japanese), a
    twelve-page PDF report, a satellite-like JPEG with EXIF and GPS tags, an analyst
    memo in Markdown and an e-mail tip-off carrying the memo as an attachment. Names,
    IMO and MMSI numbers recur across files so that searching finds several sources.

    Args:
        folder: Where to write; created if missing. Files of the same name are replaced.

    Returns:
        The paths written, in a fixed order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def emit(name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        written.append(path)

    for article in _ARTICLES:
        emit(article.filename, _article_html(article).encode("utf-8"))

    image = _satellite_image()
    thumbnail = _jpeg_bytes(image.resize((640, 480), Image.Resampling.LANCZOS), None, 82)
    emit("demo-monitoring-report_2025-06.pdf", _report_pdf(thumbnail))
    emit("rajin-port_2025-04-28_demo-sat-1.jpg", _jpeg_bytes(image, _exif(), 82))

    memo = _memo()
    emit(_MEMO_NAME, memo.encode("utf-8"))
    emit("tip-off_2025-06-06.eml", _tip_off_eml(memo))
    return written
