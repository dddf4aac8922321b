"""The demo's saved news pages: five invented outlets, in English, Korean, Russian and Japanese.

Each is written as a browser would save it (navigation, scripts, metadata), so the
demo shows the article extractor finding the story inside the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One invented news story and the outlet that ran it."""

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


ARTICLES = (
    Article(
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
    Article(
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
    Article(
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
    Article(
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
    Article(
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


def article_html(article: Article) -> str:
    """The story as a saved web page: the text wrapped in the outlet's page furniture."""
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


__all__ = ["ARTICLES", "Article", "article_html"]
