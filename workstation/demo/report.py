# PyMuPDF ships py.typed but leaves most functions unannotated (Rect, Font, tobytes...).
"""The demo's thirteen-page PDF monitoring report: tables, an image, Korean and Russian pages.

It exercises what reviewers meet in real reports: several scripts, embedded font
subsets, a picture to mark, and headers and footers on every page.
"""

from __future__ import annotations

import pymupdf

from workstation.demo.fiction import FICTION_NOTICE, SPOOFED, VESSELS

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
    rows = [(v.name, v.imo, v.mmsi, v.flag, v.kind, v.last_seen) for v in VESSELS]
    rows.append((SPOOFED.name, SPOOFED.imo, SPOOFED.mmsi, SPOOFED.flag, "Identity used", "-"))
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


def report_pdf(thumbnail: bytes) -> bytes:
    """The report as PDF bytes, with thumbnail (a JPEG) on its imagery page."""
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


__all__ = ["report_pdf"]
