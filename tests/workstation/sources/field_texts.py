"""Real text in the languages reviewers read, and the legacy encodings it reaches them in.

One paragraph per language, written for these tests (a made-up report of a
ship-to-ship transfer), long enough to cut samples of any length from. The
encoding tests and ``bench/bench_encodings.py`` share it.
"""

from __future__ import annotations

RUSSIAN = (
    "Судно, нарушившее санкции, стояло в порту Нампхо. Груз угля был перегружен ночью на "
    "другое судно под флагом Того, а затем доставлен во Владивосток. По данным наблюдателей, "
    "экипаж отключил транспондер за двое суток до прибытия. Представитель компании-владельца "
    "отказался от комментариев, сославшись на коммерческую тайну. Спутниковые снимки, "
    "сделанные 16 октября, показывают у причала два сухогруза и плавучий кран. Эксперты "
    "считают, что перевалка заняла не менее шести часов. В прошлом году то же судно "
    "задерживали в Ванино за нарушение правил регистрации. Банк, обслуживавший сделку, "
    "зарегистрирован в Гонконге и не раскрывает своих клиентов."
)
KOREAN = (
    "대북 제재 위반 선박이 남포항에 정박했다. 석탄을 실은 이 선박은 밤사이 다른 선박으로 "
    "화물을 옮겨 실었으며 자동식별장치를 끈 채 항해한 것으로 드러났다. 위성 사진에는 부두에 "
    "화물선 두 척과 해상 크레인이 찍혀 있었다. 전문가들은 환적 작업에 적어도 여섯 시간이 "
    "걸렸을 것으로 본다. 선주 회사 대표는 영업 비밀을 이유로 답변을 거부했다. 지난해에도 "
    "같은 선박이 등록 규정 위반으로 블라디보스토크에서 억류된 적이 있다. 거래를 처리한 "
    "은행은 홍콩에 등록되어 있으며 고객 정보를 공개하지 않는다."
)
KOREAN_CP949 = KOREAN + " 선장은 선원들 사이에서 똠방이라는 별명으로 불렸다."
"""With 똠, one of the syllables EUC-KR lacks and CP949 added."""
JAPANESE = (
    "制裁違反の船舶が南浦港に停泊した。石炭を積んだこの船は夜間に別の船へ貨物を積み替え、"
    "船舶自動識別装置を切ったまま航行していたことが分かった。衛星写真には、岸壁に貨物船二隻と"
    "浮きクレーンが写っている。専門家によると、積み替え作業には少なくとも六時間かかったと"
    "みられる。船主会社の代表は営業上の秘密を理由に回答を拒んだ。昨年も同じ船が登録規則違反で"
    "ウラジオストクで拘束されていた。取引を扱った銀行は香港に登記されており、顧客情報を開示して"
    "いない。"
)
CHINESE_SIMPLIFIED = (
    "违反制裁的船只停靠在南浦港。这艘装载煤炭的船只在夜间将货物转运到另一艘船上，并在关闭"
    "船舶自动识别系统的情况下航行。卫星图像显示，码头旁停着两艘货船和一台浮吊。专家认为，"
    "转运作业至少持续了六个小时。船东公司的代表以商业机密为由拒绝置评。去年，同一艘船曾因"
    "违反登记规定在符拉迪沃斯托克被扣押。处理这笔交易的银行在香港注册，不公开其客户信息。"
)
CHINESE_GB18030 = CHINESE_SIMPLIFIED + "船名里有一个罕见字：𠮷。"
"""With 𠮷 (U+20BB7), four bytes in GB18030 and absent from GBK."""
CHINESE_TRADITIONAL = (
    "違反制裁的船隻停靠在南浦港。這艘裝載煤炭的船隻在夜間將貨物轉運到另一艘船上，並在關閉"
    "船舶自動識別系統的情況下航行。衛星圖像顯示，碼頭旁停著兩艘貨船和一台浮吊。專家認為，"
    "轉運作業至少持續了六個小時。船東公司的代表以商業機密為由拒絕置評。去年，同一艘船曾因"
    "違反登記規定在海參崴被扣押。處理這筆交易的銀行在香港註冊，不公開其客戶資訊。"
)
GERMAN = (
    "Der Frachter lag im Hafen von Nampo; die Behörden bestätigten später, dass Kohle über "
    "eine Übergabe von Schiff zu Schiff geliefert wurde. Zeugen sahen nachts ein Boot ohne "
    "Positionslichter. Die Reederei äußerte sich nicht, und das Register führt den Eigner "
    "unter einer Adresse in Hongkong."
)
FRENCH = (
    "Le navire a accosté à Nampo ; les autorités ont confirmé qu'une cargaison de charbon "
    "avait été transférée en mer, de nuit, à un autre bâtiment. L'équipage a coupé le "
    "transpondeur deux jours avant l'arrivée, d'après les observateurs présents."
)

FIELD_ENCODINGS: tuple[tuple[str, str, str], ...] = (
    # (label, Python codec the file is written in, text)
    ("windows-1251", "cp1251", RUSSIAN),
    ("KOI8-R", "koi8_r", RUSSIAN),
    ("EUC-KR", "euc_kr", KOREAN),
    ("CP949", "cp949", KOREAN_CP949),
    ("Shift_JIS", "shift_jis", JAPANESE),
    ("EUC-JP", "euc_jp", JAPANESE),
    ("GBK", "gbk", CHINESE_SIMPLIFIED),
    ("GB18030", "gb18030", CHINESE_GB18030),
    ("Big5", "big5", CHINESE_TRADITIONAL),
    ("windows-1252 (German)", "cp1252", GERMAN),
    ("windows-1252 (French)", "cp1252", FRENCH),
)
"""Every legacy encoding the import must read without a declared charset."""
