"""The words the test articles are written with: sentence frames in five languages.

A frame is a sentence with {slots} (vessel, port, date...) and [alternative|wordings]; each
story fills the slots with its own facts and picks a wording per bracket, so two stories on
the same topic share stock phrases the way two reporters' stories do, and no more. Names
(ports, flags, countries, cities, months) are parallel tuples: index i is one place in every
language. Everything is invented: the vessels, companies, outlets and people do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

LANGS = ("en", "ru", "ko", "ja", "zh")


@dataclass(frozen=True)
class Outlet:
    """A news site: the page furniture the extractor leaves around a story."""

    name: str
    header: str
    footer: str


class Names(NamedTuple):
    """Names in one language, parallel across languages (index i is one place everywhere)."""

    ports: tuple[str, ...]
    flags: tuple[str, ...]
    countries: tuple[str, ...]
    cities: tuple[str, ...]
    months: tuple[str, ...]


@dataclass(frozen=True)
class Phrasebook:
    """One language's frames, names and editing habits."""

    lang: str
    leads: tuple[str, ...]
    body: tuple[str, ...]
    headlines: tuple[str, ...]
    outlets: tuple[Outlet, ...]
    swaps: tuple[tuple[str, str], ...]
    insertions: tuple[str, ...]
    date: str
    reporters: tuple[str, ...]

    @property
    def names(self) -> Names:
        """Ports, flags, countries, cities and months in this language."""
        tables = (_PORTS, _FLAGS, _COUNTRIES, _CITIES, _MONTHS)
        return Names(*(table[self.lang] for table in tables))


VESSELS = (
    "NORTHERN LANTERN", "SILVER HERON", "AMBER TIDE", "MORNING CRANE", "GOLDEN PEARL",
    "EASTERN STAR", "BLUE WAVE", "PACIFIC WIND", "OCEAN SUN", "GRAND RIVER", "BRIGHT HARBOUR",
    "ROYAL GLORY", "JADE FORTUNE", "CORAL HOPE", "WINTER VICTORY", "SPRING LOTUS",
    "LUCKY CLOUD", "HAPPY FALCON", "NEW EAGLE", "RED PINE", "WHITE ISLAND", "HONEST BRIDGE",
    "RISING VOYAGER", "SEA SPIRIT", "ORIENT LIGHT", "DRAGON BREEZE", "PHOENIX DREAM",
    "GREAT DAWN", "FAR WAY", "NORTHERN MOON", "SILVER STAR", "AMBER CLOUD", "MORNING PEARL",
    "GOLDEN TIDE", "EASTERN HOPE", "BLUE FALCON", "PACIFIC PINE", "OCEAN GLORY",
    "GRAND LOTUS", "BRIGHT VOYAGER", "ROYAL HERON", "JADE SPIRIT", "CORAL DAWN",
    "WINTER LIGHT", "SPRING EAGLE", "LUCKY ISLAND", "HAPPY RIVER", "NEW FORTUNE",
)  # fmt: skip

COMPANIES = (
    "Primorye Coastal Logistics LLC", "Harmony Star Shipping Co. Ltd", "Golden Silk Trading LLC",
    "Unity Bridge Maritime Ltd", "Century Ocean Holdings Ltd", "Pacific Trust Energy Co.",
    "Northern Sea General Trading Corp", "Eastern Prosperity Import and Export Co.",
    "Coastal Harmony Fisheries Co.", "Silk Century International Ltd",
    "Bridge Ocean Logistics LLC", "Star Unity Maritime Ltd",
)  # fmt: skip

_PORTS = {
    "en": ("Rajin", "Nampo", "Chongjin", "Wonsan", "Hungnam", "Songrim", "Haeju", "Vostochny",
           "Vladivostok", "Nakhodka", "Dalian", "Longkou", "Dunay", "Vanino"),
    "ru": ("Раджин", "Нампхо", "Чхонджин", "Вонсан", "Хыннам", "Сонним", "Хэджу", "Восточный",
           "Владивосток", "Находка", "Далянь", "Лункоу", "Дунай", "Ванино"),
    "ko": ("라진", "남포", "청진", "원산", "흥남", "송림", "해주", "보스토치니", "블라디보스토크",
           "나홋카", "다롄", "룽커우", "두나이", "바니노"),
    "ja": ("羅津", "南浦", "清津", "元山", "興南", "松林", "海州", "ボストチヌイ", "ウラジオストク",
           "ナホトカ", "大連", "竜口", "ドゥナイ", "ワニノ"),
    "zh": ("罗津", "南浦", "清津", "元山", "兴南", "松林", "海州", "东方港", "符拉迪沃斯托克",
           "纳霍德卡", "大连", "龙口", "杜奈", "瓦尼诺"),
}  # fmt: skip

# Russian flags are in the genitive ("под флагом Панамы"), countries and cities with their
# preposition ("в Гонконге", "во Владивостоке"): the frames use them that way.
_FLAGS = {
    "en": ("Sierra Leone", "Togo", "Panama", "Mongolia", "Cameroon", "Palau"),
    "ru": ("Сьерра-Леоне", "Того", "Панамы", "Монголии", "Камеруна", "Палау"),
    "ko": ("시에라리온", "토고", "파나마", "몽골", "카메룬", "팔라우"),
    "ja": ("シエラレオネ", "トーゴ", "パナマ", "モンゴル", "カメルーン", "パラオ"),
    "zh": ("塞拉利昂", "多哥", "巴拿马", "蒙古", "喀麦隆", "帕劳"),
}
_COUNTRIES = {
    "en": ("Hong Kong", "Singapore", "Malaysia", "the United Arab Emirates", "Thailand"),
    "ru": ("в Гонконге", "в Сингапуре", "в Малайзии", "в ОАЭ", "в Таиланде"),
    "ko": ("홍콩", "싱가포르", "말레이시아", "아랍에미리트", "태국"),
    "ja": ("香港", "シンガポール", "マレーシア", "アラブ首長国連邦", "タイ"),
    "zh": ("香港", "新加坡", "马来西亚", "阿联酋", "泰国"),
}
_CITIES = {
    "en": ("Seoul", "Tokyo", "Vladivostok", "Hong Kong", "Singapore"),
    "ru": ("в Сеуле", "в Токио", "во Владивостоке", "в Гонконге", "в Сингапуре"),
    "ko": ("서울", "도쿄", "블라디보스토크", "홍콩", "싱가포르"),
    "ja": ("ソウル", "東京", "ウラジオストク", "香港", "シンガポール"),
    "zh": ("首尔", "东京", "符拉迪沃斯托克", "香港", "新加坡"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "ko": tuple(f"{m}월" for m in range(1, 13)),
    "ja": tuple(f"{m}月" for m in range(1, 13)),
    "zh": tuple(f"{m}月" for m in range(1, 13)),
}  # fmt: skip

ENGLISH = Phrasebook(
    lang="en",
    leads=(
        "{vessel}, a [{flag}-flagged|{flag}-registered] [tanker|oil tanker|product tanker], "
        "[appears to have|is suspected of having|seems to have] transferred [refined petroleum|"
        "fuel oil|diesel] to a North Korean vessel off {port} on {date}, [according to|based on|"
        "citing] [commercial satellite imagery|ship-tracking data|images from a commercial "
        "satellite operator] [reviewed by|seen by|obtained by] {outlet}.",
        "[Satellite images|Commercial satellite pictures|New imagery] taken on {date} show "
        "{n} containers [stacked|lined up|piled] on the quay at {port}, [a sharp rise|a marked "
        "increase|a steep jump] from [earlier this year|late January|the previous month], "
        "[as|while] the {flag}-flagged cargo ship {vessel} [lay alongside|was moored at|sat at] "
        "the pier.",
        "The [bulk carrier|cargo ship|freighter] {vessel} [loaded|took on|shipped] about {n} "
        "tonnes of [coal|anthracite|iron ore] at {port} [in early|in mid|at the end of] {month} "
        "[before|and then] [sailing|heading|steaming] toward {port2}, [in what experts say is|in "
        "what analysts describe as|which monitors say is] a breach of United Nations sanctions.",
        "[Ship-tracking data|Transponder records|AIS data] show that the {vessel} [switched off|"
        "turned off|disabled] its automatic identification system [near|off|close to] {port} on "
        "{date} and [reappeared|resurfaced|showed up again] {k} days later [about|some|roughly] "
        "{d} nautical miles [south|east|north] of {port2}.",
    ),
    body=(
        "The vessel, [which is|which was] [listed|registered] under IMO number {imo}, [has "
        "changed its name|was renamed|has been renamed] [twice|three times|several times] since "
        "{year} and [now flies|currently flies|sails under] the flag of {flag}.",
        "[Its registered owner|The listed owner|The company named as its owner], {company}, "
        "[did not respond to|did not reply to|ignored] [emailed questions|requests for comment|"
        "repeated requests for comment] [from|sent by] {outlet}.",
        "[A spokesperson for|An official at|A representative of] the port authority in {port2} "
        "said the [terminal|port|harbour] [handles only|only accepts|processes only] cargo "
        "[with correct documentation|that has been properly declared|with valid papers].",
        "United Nations Security Council resolutions [ban|prohibit|forbid] North Korea from "
        "[exporting|selling abroad] coal, iron ore, textiles and [seafood|fishery products], "
        "and [cap|limit|restrict] its imports of refined petroleum at 500,000 barrels a year.",
        "[Analysts|Experts|Monitors] [who track|who follow|who study] [North Korean shipping|the "
        "country's maritime trade|sanctions evasion at sea] say [ship-to-ship transfers|such "
        "transfers at sea|these mid-sea handovers] have become [the main way|a common way|one of "
        "the main ways] for Pyongyang to [obtain|acquire|secure] fuel.",
        "[The images|The pictures|The satellite photographs] show [hoses|fuel lines|a hose] "
        "[stretched|running|connecting] between the two hulls and [fenders|rubber fenders|large "
        "fenders] [deployed|placed|hanging] along [their sides|the sides of both ships|the "
        "hulls].",
        "{n2} [wagons|rail cars|freight wagons] were [visible|seen|counted] on the rail siding "
        "[next to|beside|behind] the [pier|quay|berth] on {date2}, [up from|compared with|"
        "against] {n3} [a week earlier|seven days before|on the previous image].",
        "[A shipping analyst|A maritime security researcher|A former customs officer] [in "
        "{city}|based in {city}|who asked not to be named] said the [volume|amount|quantity] of "
        "cargo [moved|handled|shifted] on a single call [was|is] [larger than|bigger than|greater "
        "than] any [civilian trade|legitimate commerce|recorded trade] between the two ports in "
        "recent years.",
        "The [Panel of Experts|UN panel of experts|Security Council's expert panel] [has "
        "previously reported|reported last year|has documented] [similar|comparable|related] "
        "[transfers|deliveries|shipments] involving [vessels|ships|tankers] [managed|operated|"
        "controlled] by [front companies|shell companies|intermediaries] in {country}.",
        "[It was not possible|{outlet} was unable|It was not immediately possible] to "
        "[determine|establish|confirm] [what the containers held|the contents of the cargo|what "
        "was on board] [or who|or which company|and who] [arranged|paid for|organised] the "
        "[shipment|voyage|delivery].",
        "The {vessel} [left|departed|sailed from] {port2} on {date2} [with its transponder|with "
        "its tracking system|with AIS] [on|switched on|active], [listing|giving|declaring] "
        "{port3} as its destination.",
        "[Officials|Authorities|Government officials] in {country} [said they were|said they "
        "are|told {outlet} they were] [aware of the reports|looking into the matter|examining "
        "the information] [but|and] [declined to comment further|would not comment further|gave "
        "no further details].",
        "{company} [was registered|was set up|was incorporated] in {city} in {year} [and lists|"
        "and has|with] [a single|only one|one] [vessel|ship] [in its fleet|on its books|under "
        "management], [according to|based on|citing] [corporate records|registry filings|company "
        "records].",
        "[On|In the images from] {date2}, [a second|another|a smaller] [vessel|ship|tanker] [of "
        "about|measuring roughly|around] {m} metres [was seen|could be seen|appeared] [anchored|"
        "waiting|lying] [nearby|close by|a short distance away].",
        "The [transfer|operation|handover] [took place|happened|occurred] [in international "
        "waters|outside territorial waters|in open water] [about|roughly|some] {d} nautical "
        "miles [from the coast|off the coast|from shore], [an area|a stretch of sea|a zone] "
        "[often used|frequently used|long used] for such [operations|transfers|meetings].",
        "[Last year|In {year}|Earlier this year] the [Security Council|UN sanctions committee|"
        "committee overseeing the sanctions] [designated|blacklisted|added] [several|a number "
        "of|four] [vessels|ships] [to its list|for similar conduct|for transfers of this kind], "
        "[barring them from|banning them from|closing] ports [worldwide|in member states|around "
        "the world].",
        "[Port records|Harbour logs|Port state control records] show the {vessel} [last "
        "underwent|last had|was last subject to] an inspection in {city} in {year}, [when|at "
        "which time|and] [inspectors|officers|examiners] [found|recorded|noted] {k} "
        "deficiencies.",
        "[The cargo|The shipment|The consignment] [was declared as|was listed as|appeared in "
        "documents as] [construction materials|spare parts|humanitarian goods], [according to|as "
        "shown in|per] a [bill of lading|cargo manifest|shipping document] [seen by|reviewed by|"
        "obtained by] {outlet}.",
        "[Neither|None of] the [ship's operator|vessel's managers|companies involved] [nor its "
        "insurer|nor the flag registry|or the registry of {flag}] [responded to|answered|replied "
        "to] [questions|a request for comment|inquiries] [before publication|by the deadline|by "
        "press time].",
        "[Satellite imagery|The imagery|Later images] from {date2} [show|shows|suggest] the "
        "[pier|quay|berth] [empty again|cleared|largely empty], [suggesting|indicating|which "
        "suggests] the cargo [was moved|had been taken|was transferred] [inland|by rail|onward] "
        "[within days|in a matter of days|quickly].",
    ),
    headlines=(
        "[Tanker|Ship|Vessel] {vessel} [suspected of|linked to] [oil transfer|sanctions breach] "
        "off {port}",
        "[Containers pile up|Cargo stacks grow] at {port} as {vessel} [calls again|returns]",
        "[Satellite images|Imagery] [show|suggest] {vessel} [went dark|switched off its tracker] "
        "near {port}",
        "[Coal|Cargo] ship {vessel} [sails from|leaves] {port} [despite UN ban|in possible breach "
        "of sanctions]",
    ),
    outlets=(
        Outlet(
            "Harbour Watch Daily",
            "Harbour Watch Daily | Shipping | Ports | Sanctions | Subscribe for full access",
            "© 2025 Harbour Watch Daily. All rights reserved. Reporting by {reporter}; editing "
            "by {reporter2}. Sign up for our free morning newsletter on Asian shipping and "
            "sanctions, delivered to your inbox every weekday.",
        ),
        Outlet(
            "East Sea Monitor",
            "EAST SEA MONITOR — Maritime — Analysis — Data — Log in",
            "Have a tip about a ship? Contact our newsroom securely through the form on our "
            "website. East Sea Monitor is an independent newsroom covering maritime security in "
            "Northeast Asia. Copyright 2025, all rights reserved.",
        ),
        Outlet(
            "Pacific Wire",
            "Pacific Wire / World / Asia Pacific / Business / Markets",
            "(Reporting by {reporter}; additional reporting by {reporter2}; editing by Lena "
            "Moss) Our Standards: The Pacific Wire Trust Principles. Read more about how we "
            "report on sanctions and shipping.",
        ),
    ),
    swaps=(
        ("vessel", "ship"),
        ("said", "told reporters"),
        ("about", "around"),
        ("show", "indicate"),
        ("cargo", "freight"),
        ("North Korean", "DPRK"),
        ("United Nations", "UN"),
        ("nautical miles", "sea miles"),
        ("officials", "authorities"),
        ("company", "firm"),
        ("transfer", "handover"),
        ("images", "photographs"),
        ("declined", "refused"),
        ("port", "harbour"),
    ),  # fmt: skip
    insertions=(
        "The foreign ministry did not immediately respond to a request for comment on Friday.",
        "This story has been updated with comment from the port authority.",
        "Shipping data firms have recorded a rise in such activity in the region since last "
        "year, when monitoring groups began publishing weekly counts.",
    ),
    date="{day} {month}",
    reporters=("Mara Linden", "Daniel Okafor", "Yuna Park", "Ilya Sokolov", "Kenji Mori"),
)

RUSSIAN = Phrasebook(
    lang="ru",
    leads=(
        "Танкер {vessel} под флагом {flag} {date} [предположительно|по всей видимости|вероятно] "
        "[перекачал|передал|перегрузил] [нефтепродукты|дизельное топливо|мазут] на "
        "северокорейское судно у порта {port}[, следует из коммерческих спутниковых снимков|, "
        "судя по данным судового мониторинга|, как показывают снимки коммерческого спутника].",
        "На [спутниковых снимках|снимках коммерческого спутника|новых снимках], сделанных "
        "{date}, [видно|заметно], что на причале порта {port} [стоят|сложены|выставлены] {n} "
        "контейнеров[, значительно больше, чем в январе|, заметно больше, чем месяцем ранее|, "
        "почти втрое больше, чем в начале года], а у причала [стоит|пришвартован] сухогруз "
        "{vessel} под флагом {flag}.",
        "[Балкер|Сухогруз|Грузовое судно] {vessel} [в начале|в середине|в конце] {month} "
        "[принял на борт|загрузил|погрузил] около {n} тонн [угля|антрацита|железной руды] в "
        "порту {port} и [взял курс на порт|направился в сторону порта|ушёл в направлении порта] "
        "{port2}, что, по мнению [экспертов|аналитиков|наблюдателей], [нарушает|является "
        "нарушением] санкций ООН.",
        "[Согласно данным|Как следует из данных|По данным] [системы АИС|судовых транспондеров|"
        "сервисов отслеживания судов], {date} судно {vessel} [отключило|выключило|"
        "деактивировало] автоматическую идентификационную систему [у порта|вблизи порта|"
        "недалеко от порта] {port} и [вновь появилось|снова появилось|обнаружилось] [спустя "
        "{k} суток|через {k} суток] примерно в {d} морских милях [к югу|к востоку|к северу] от "
        "порта {port2}.",
    ),
    body=(
        "Судно с номером ИМО {imo} [с {year} года|начиная с {year} года] [несколько раз|"
        "дважды|трижды] [меняло название|переименовывалось] и сейчас [ходит|плавает] под "
        "флагом {flag}.",
        "Компания {company}, [указанная как владелец судна|значащаяся владельцем судна|"
        "зарегистрированная как владелец], [не ответила на запросы|не ответила на вопросы|"
        "оставила без ответа письменные вопросы] издания {outlet}.",
        "[Представитель|Сотрудник|Пресс-секретарь] администрации порта {port2} [заявил|сообщил|"
        "сказал], что [терминал|порт] [принимает|обрабатывает] только грузы [с надлежащими "
        "документами|с правильно оформленными документами|с полным пакетом документов].",
        "Резолюции Совета Безопасности ООН запрещают КНДР [экспортировать|вывозить] уголь, "
        "железную руду, текстиль и морепродукты и ограничивают импорт нефтепродуктов 500 "
        "тысячами баррелей в год.",
        "[Эксперты, отслеживающие северокорейское судоходство|Аналитики, изучающие морскую "
        "торговлю КНДР|Специалисты по санкциям] [говорят|отмечают|считают], что перегрузки с "
        "борта на борт стали [главным способом|основным каналом|одним из главных способов] "
        "получения топлива для Пхеньяна.",
        "На снимках [видны|различимы|заметны] [шланги|топливные шланги|рукава], [протянутые|"
        "натянутые|проложенные] между [корпусами|бортами] двух судов, и [кранцы|отбойники], "
        "[вывешенные|развешанные|опущенные] вдоль бортов.",
        "{date2} на железнодорожных путях рядом с причалом [стояли|находились|были видны] {n2} "
        "вагонов, тогда как [неделей ранее|семью днями ранее|на предыдущем снимке] их было {n3}.",
        "[Морской аналитик|Эксперт по морской безопасности|Бывший сотрудник таможни] {city}"
        "[, попросивший не называть его имени,|, пожелавший остаться неназванным,|] сказал, что "
        "за один заход судно [перевезло|доставило|переместило] больше груза, чем [за весь "
        "прошлый год|за несколько лет|за любой из последних лет] проходило между этими портами "
        "[в рамках законной торговли|по официальным каналам|в гражданской торговле].",
        "Группа экспертов ООН [ранее сообщала|уже сообщала|в прошлом году сообщала] о "
        "[похожих|аналогичных|подобных] [перегрузках|поставках|операциях] с участием судов, "
        "которыми [управляли|распоряжались] [подставные компании|фирмы-однодневки|посредники] "
        "{country}.",
        "[Установить|Выяснить|Определить], [что находилось в контейнерах|что было в грузе|какой "
        "груз был на борту] и кто [организовал|оплатил] [поставку|рейс|перевозку], [не удалось|"
        "пока не удалось|издание не смогло].",
        "[Официальные лица|Власти|Представители властей] {country} [заявили, что им известно о "
        "сообщениях|сообщили, что изучают информацию|заявили, что рассматривают этот вопрос], "
        "но [от дальнейших комментариев отказались|подробностей не привели|больше ничего не "
        "сообщили].",
        "Компания {company} была [зарегистрирована|учреждена|создана] {city} в {year} году и, "
        "[согласно корпоративным реестрам|по данным реестра компаний|как следует из "
        "регистрационных документов], [владеет|управляет] [единственным судном|всего одним "
        "судном|лишь одним судном].",
        "Перегрузка [прошла|состоялась|проходила] [в международных водах|за пределами "
        "территориальных вод|в открытом море] примерно в {d} милях от берега, в районе, который "
        "[давно|часто|регулярно] используется для таких [операций|встреч|перегрузок].",
        "Согласно [коносаменту|грузовому манифесту|судовым документам], груз был [заявлен|"
        "указан|оформлен] как [строительные материалы|запасные части|гуманитарная помощь].",
        "На снимках от {date2} причал [снова пуст|уже пуст|почти пуст], что [указывает на то|"
        "говорит о том|означает], что груз [вывезли|переместили|отправили] [вглубь страны|по "
        "железной дороге|дальше] [в течение нескольких дней|за считаные дни|очень быстро].",
        "Ни оператор судна, ни [его страховщик|регистр {flag}|судовой регистр] не ответили на "
        "[вопросы|запрос] [до публикации|к моменту публикации|к сроку].",
    ),
    headlines=(
        "[Танкер|Судно] {vessel} [подозревают в|заподозрили в] перегрузке топлива у порта {port}",
        "[В порту|У причала порта] {port} снова [растут|выросли] штабели контейнеров",
        "Сухогруз {vessel} [отключил|выключил] транспондер у порта {port}",
        "[Уголь|Груз] из порта {port}: судно {vessel} [могло нарушить|нарушило] санкции ООН",
    ),
    outlets=(
        Outlet(
            "Приморский морской вестник",
            "Приморский морской вестник | Новости | Порты | Санкции | Подписка",
            "© 2025 Приморский морской вестник. Все права защищены. Автор: {reporter}; "
            "редактор: {reporter2}. Подписывайтесь на нашу ежедневную рассылку о морских "
            "перевозках на Дальнем Востоке.",
        ),
        Outlet(
            "Восточный фарватер",
            "ВОСТОЧНЫЙ ФАРВАТЕР — Судоходство — Аналитика — Войти",
            "Есть информация о судне? Напишите в редакцию через защищённую форму на сайте. "
            "Восточный фарватер — независимое издание о морской безопасности в Азии.",
        ),
        Outlet(
            "Тихоокеанское агентство новостей",
            "Тихоокеанское агентство новостей / Мир / Азия / Экономика",
            "При использовании материалов ссылка на Тихоокеанское агентство новостей "
            "обязательна. Корреспондент: {reporter}. Выпускающий редактор: {reporter2}.",
        ),
    ),
    swaps=(
        ("заявил", "сообщил"),
        ("около", "примерно"),
        ("примерно", "приблизительно"),
        ("снимках", "изображениях"),
        ("ООН", "Организации Объединённых Наций"),
        ("сейчас", "в настоящее время"),
        ("компания", "фирма"),
        ("грузы", "товары"),
        ("судно", "судно-нарушитель"),
        ("порту", "гавани"),
        ("вагонов", "железнодорожных вагонов"),
        ("санкций", "ограничений"),
    ),  # fmt: skip
    insertions=(
        "В министерстве иностранных дел на запрос о комментарии в пятницу не ответили.",
        "Материал дополнен комментарием администрации порта.",
        "По данным компаний, отслеживающих суда, с прошлого года число подобных случаев в "
        "регионе заметно выросло.",
    ),
    date="{day} {month}",
    reporters=("Ирина Волкова", "Павел Орлов", "Анна Ким", "Сергей Лебедев", "Олег Пак"),
)

KOREAN = Phrasebook(
    lang="ko",
    leads=(
        "{flag} 선적 [유조선|석유제품 운반선|탱커] {vessel}호가 {date} {port} [앞바다에서|인근 "
        "해상에서|근해에서] 북한 선박에 [정제유를|석유제품을|경유를] [옮겨 실은|넘겨준|환적한] "
        "[정황이|것으로 보이는 모습이|장면이] [위성사진에|상업 위성사진에|선박 추적 자료에] "
        "[포착됐다|확인됐다|잡혔다].",
        "{date} [촬영된|찍힌] [위성사진|상업 위성사진]에 따르면 {port}항 부두에는 컨테이너 {n}개가 "
        "[쌓여 있었고|적재돼 있었고|놓여 있었고], {flag} 선적 화물선 {vessel}호가 부두에 "
        "[정박해 있었다|대어져 있었다|머물러 있었다].",
        "[화물선|벌크선|선박] {vessel}호가 {month} [초|중순|말] {port}항에서 [석탄|무연탄|철광석] "
        "약 {n}t을 [싣고|선적한 뒤|실은 채] {port2} [방향으로|쪽으로] [출항한|항해한|떠난] 것으로 "
        "[나타났다|드러났다|파악됐다].",
        "[선박 추적 자료|선박자동식별장치(AIS) 기록|항적 자료]에 따르면 {vessel}호는 {date} "
        "{port} [인근에서|부근에서|근처에서] AIS 신호를 [끈|차단한|꺼버린] 뒤 {k}일 만에 {port2} "
        "[남쪽|동쪽|북쪽] 약 {d}해리 해상에서 다시 [나타났다|모습을 드러냈다|포착됐다].",
    ),
    body=(
        "국제해사기구(IMO) 번호 {imo}로 [등록된|식별되는] 이 선박은 {year}년 이후 [선명을|이름을] "
        "[두 차례|세 차례|여러 차례] [바꿨으며|변경했으며] 현재 {flag} [국기를 달고|선적으로] "
        "[운항 중이다|운항하고 있다|다니고 있다].",
        "선박 소유주로 [등록된|알려진|기재된] {company} 측은 [질의에|이메일 질의에|취재 요청에] "
        "[응답하지 않았다|답하지 않았다|회신하지 않았다].",
        '{port2}항 [관계자는|항만 당국 관계자는|터미널 측은] "[적법한 서류를 갖춘|정상적으로 '
        '신고된|서류가 갖춰진] 화물만 [처리한다|취급한다|받는다]"고 [말했다|밝혔다|설명했다].',
        "유엔 안전보장이사회 결의는 북한의 석탄·철광석·섬유·수산물 수출을 [금지하고|막고] "
        "있으며, 정제유 수입은 연간 50만 배럴로 [제한하고|묶어두고] 있다.",
        "[북한 해운을 추적하는|대북 제재를 감시하는|해상 밀수를 연구하는] [전문가들은|분석가들은|"
        "연구자들은] 선박 간 환적이 북한이 [연료를|석유를] [확보하는|들여오는|조달하는] [주요 "
        "수단이|핵심 통로가|대표적 방법이] 됐다고 [말한다|지적한다|분석한다].",
        "[사진에는|위성사진에는|이미지에는] 두 선박 사이에 [호스가|송유관이|연결관이] [연결돼|"
        "이어져] 있고 선체 옆으로 [방현재가|충격 방지용 펜더가] [내려져|설치돼] 있는 모습이 "
        "[보인다|담겼다|확인된다].",
        "{date2}에는 부두 옆 [철도 측선에|선로에|철길에] [화물 열차|화차|화물칸] {n2}량이 [서 "
        "있었는데|대기하고 있었는데|보였는데], [일주일 전|이레 전|직전 사진]의 {n3}량보다 "
        "[늘어난|많아진|증가한] 수치다.",
        '[익명을 요청한|{city}의|한] [해운 분석가는|해양안보 연구자는|전직 세관 관계자는] "한 '
        "번의 입항으로 [옮겨진|처리된|운반된] 화물 규모가 최근 몇 년간 두 항구 사이의 [어떤 "
        '민간 교역보다|정상적인 교역량보다] 크다"고 [말했다|평가했다].',
        "유엔 [대북제재위원회 전문가 패널은|전문가 패널은|안보리 전문가 패널은] [과거에도|"
        "지난해에도|이전 보고서에서] {country}의 [위장 회사가|페이퍼 컴퍼니가|중개업체가] "
        "[관리하는|운영하는] 선박이 [연루된|관여한] [유사한|비슷한] [환적을|거래를|운송을] "
        "[보고한 바 있다|기록했다|지적했다].",
        "[컨테이너에 무엇이 실렸는지|화물의 내용물이 무엇인지|배에 무엇이 실려 있었는지], "
        "[누가|어느 회사가] [운송을|선적을] [주선했는지는|의뢰했는지는] [확인되지 않았다|알 수 "
        "없었다|파악되지 않았다].",
        "{country} 당국자들은 [보도 내용을 알고 있다|관련 정보를 검토하고 있다|사안을 살펴보고 "
        "있다]면서도 [구체적인 언급은 피했다|추가 설명은 하지 않았다|더 이상의 답변은 "
        "거부했다].",
        "{company}는 {year}년 {city}에서 [설립됐으며|등록됐으며] [보유 선박은|관리 선박은] [한 "
        "척뿐인 것으로|단 한 척인 것으로] [기업 등기 자료에|회사 기록에|등기부에] [나타났다|나와 "
        "있다].",
        "환적은 [연안에서|해안에서] 약 {d}해리 떨어진 [공해상에서|영해 밖에서|먼 바다에서] "
        "[이뤄졌으며|진행됐으며], 이 해역은 [그동안|오래전부터|자주] 이런 [거래에|작업에|접선에] "
        "이용돼 왔다.",
        "[선적 서류에는|선하증권에는|화물 목록에는] 화물이 [건설 자재로|예비 부품으로|인도적 "
        "물품으로] [기재돼|신고돼|적혀] 있었다.",
        "{date2} [촬영된|찍힌] [위성사진에서는|사진에서는] 부두가 다시 [비어 있어|텅 비어 있어|"
        "정리돼 있어] 화물이 [며칠 만에|곧바로|빠르게] [내륙으로|철도로|다른 곳으로] [옮겨진|"
        "운반된|이동한] 것으로 [보인다|추정된다].",
        "[선박 운영사와|선박 관리사와|관련 회사들과] [보험사|선적 등록 당국|{flag} 선박 "
        "등록청] [모두|어느 곳도] [마감 시간까지|기사 작성 시점까지] [답변하지 않았다|응답하지 "
        "않았다].",
    ),
    headlines=(
        "{vessel}호, {port} [앞바다서|인근서] [불법 환적|정제유 환적] [의혹|정황]",
        "{port}항에 컨테이너 또 [쌓였다|늘었다]…{vessel}호 [재입항|다시 입항]",
        "[위성사진|항적 자료]로 본 {vessel}호의 [AIS 차단|잠적]",
        "[석탄|화물] 실은 {vessel}호, {port}항 [출항|떠나]…[제재 위반|결의 위반] [의혹|논란]",
    ),
    outlets=(
        Outlet(
            "한반도 해운 리포트",
            "한반도 해운 리포트 | 뉴스 | 항만 | 제재 | 구독하기",
            "ⓒ 한반도 해운 리포트, 무단 전재 및 재배포 금지. {reporter} 기자. 매일 아침 "
            "동북아 해운과 제재 소식을 뉴스레터로 받아보세요.",
        ),
        Outlet(
            "동해 모니터",
            "동해 모니터 — 해양 — 분석 — 데이터 — 로그인",
            "선박 관련 제보는 보안 양식을 통해 편집국으로 보내 주십시오. 동해 모니터는 동북아 "
            "해양 안보를 다루는 독립 언론입니다. 저작권자 2025.",
        ),
        Outlet(
            "태평양 통신",
            "태평양 통신 / 국제 / 아시아 / 경제",
            "{reporter} 특파원 {reporter2} 기자 = 태평양 통신. 이 기사의 저작권은 태평양 "
            "통신에 있습니다.",
        ),
    ),
    swaps=(
        ("선박", "배"),
        ("말했다", "밝혔다"),
        ("위성사진", "위성 영상"),
        ("북한", "북측"),
        ("확인됐다", "드러났다"),
        ("당국자들은", "관리들은"),
        ("화물", "짐"),
        ("전문가들은", "전문가들의 말로는"),
        ("부두", "안벽"),
        ("유엔", "국제연합"),
    ),  # fmt: skip
    insertions=(
        "외교부는 금요일 논평 요청에 즉각 응답하지 않았다.",
        "이 기사는 항만 당국의 입장을 추가해 수정됐다.",
        "선박 데이터 업체들은 지난해부터 이 지역에서 이런 움직임이 늘고 있다고 집계했다.",
    ),
    date="{month} {day}일",
    reporters=("김민준", "이서연", "박지훈", "최유진", "정하늘"),
)

JAPANESE = Phrasebook(
    lang="ja",
    leads=(
        "{flag}船籍の[タンカー|石油タンカー|油槽船]「{vessel}」が{date}、{port}[沖|の沖合|近海]で"
        "北朝鮮の船舶に[石油精製品|軽油|燃料油]を[積み替えた|移し替えた|受け渡した]疑いがあることが、"
        "[商業衛星画像|船舶追跡データ|民間衛星の画像]で[分かった|明らかになった|確認された]。",
        "{date}に[撮影された|撮られた]衛星画像では、{port}港の岸壁に約{n}個のコンテナが"
        "[積み上げられて|並べられて|置かれて]おり、[年初|1月下旬|前月]から[大幅に|急激に|大きく]"
        "増えている。岸壁には{flag}船籍の貨物船「{vessel}」が[接岸して|停泊して|係留されて]いた。",
        "[ばら積み船|貨物船|一般貨物船]「{vessel}」が{month}[上旬|中旬|下旬]、{port}港で約{n}トンの"
        "[石炭|無煙炭|鉄鉱石]を[積み込み|積載し|船積みし]、{port2}方面へ[出港した|向かった|航行した]"
        "ことが分かった。[専門家|アナリスト|監視団体]は国連制裁に[違反する|抵触する]可能性があると"
        "[指摘している|みている|述べた]。",
        "[船舶追跡データ|AISの記録|航跡データ]によると、「{vessel}」は{date}に{port}[付近|近く|"
        "周辺]で船舶自動識別装置(AIS)を[停止し|切り|オフにし]、{k}日後に{port2}の[南|東|北]約{d}"
        "カイリの海域に再び[現れた|姿を見せた|表示された]。",
    ),
    body=(
        "国際海事機関(IMO)番号{imo}の同船は{year}年以降、[2回|3回|何度も]船名を[変更し|変え]、"
        "現在は{flag}の旗を[掲げて|掲揚して]航行している。",
        "船主として[登録されている|記載されている|名前が挙がっている]{company}は、[取材に|メールでの"
        "質問に|問い合わせに][応じなかった|回答しなかった|返答しなかった]。",
        "{port2}港の[港湾当局者|ターミナル関係者|港湾管理者]は「[正規の書類がある|適切に申告された|"
        "書類のそろった]貨物しか[扱わない|取り扱っていない|受け入れない]」と[述べた|話した|"
        "説明した]。",
        "国連安全保障理事会の決議は、北朝鮮による石炭、鉄鉱石、繊維製品、水産物の輸出を禁じ、"
        "石油精製品の輸入を年間50万バレルに制限している。",
        "[北朝鮮の海運を追跡する|制裁逃れを監視する|海上密輸を研究する][専門家|アナリスト|研究者]"
        "は、船から船への積み替え(瀬取り)が北朝鮮にとって燃料を[調達する|確保する|入手する]"
        "[主要な手段|主な方法|重要な経路]になっていると[指摘する|話す|分析する]。",
        "画像には、2隻の船体の間に[ホース|送油管|パイプ]が[つながれ|渡され|延ばされ]、船腹に"
        "[防舷材|フェンダー]が[下ろされて|取り付けられて]いる様子が[写っている|確認できる|"
        "見て取れる]。",
        "{date2}には岸壁脇の[鉄道引き込み線|線路|側線]に貨車{n2}両が[並んで|止まって|待機して]"
        "おり、[1週間前|7日前|前回の画像]の{n3}両から[増えた|増加した]。",
        "[匿名を条件に取材に応じた|{city}在住の|ある]海運[アナリスト|専門家|関係者]は「1回の寄港で"
        "[運ばれた|動いた|扱われた]貨物の量は、近年の両港間の[民間貿易|通常の取引|正規の貿易]を"
        "[上回る|超える]」と[語った|述べた]。",
        "国連安保理の[専門家パネル|北朝鮮制裁委員会専門家パネル]は[これまでにも|過去の報告書で|"
        "昨年も]、{country}の[ペーパーカンパニー|フロント企業|仲介業者]が[管理する|運航する]船舶に"
        "よる[同様の|類似の]積み替えを[報告している|指摘している|記録している]。",
        "コンテナの[中身|積み荷の内容]や、[誰が|どの会社が]輸送を[手配したか|依頼したか]は"
        "[分かっていない|確認できていない|明らかになっていない]。",
        "{country}の[当局者|政府関係者|当局]は[報道は承知している|情報を精査している|事実関係を"
        "調べている]としたうえで、[それ以上のコメントを控えた|詳細には言及しなかった|具体的な説明は"
        "しなかった]。",
        "{company}は{year}年に{city}で[設立され|登記され]、[保有船舶|管理船舶]は1隻だけであることが"
        "[登記簿|企業記録|法人登記]から[分かる|確認できる]。",
        "積み替えは沿岸から約{d}カイリ離れた[公海上|領海外|沖合]で[行われ|実施され]、この海域は"
        "[以前から|長年|たびたび]こうした[取引|作業|接触]に使われてきた。",
        "[船荷証券|積み荷目録|船積み書類]では、貨物は[建設資材|予備部品|人道支援物資]として"
        "[申告されていた|記載されていた|届け出られていた]。",
        "{date2}の衛星画像では岸壁は再び[空になって|片付いて|がらんとして]おり、貨物は[数日のうちに|"
        "短期間で|すぐに][内陸へ|鉄道で|別の場所へ]運び出されたと[みられる|推定される]。",
        "運航会社も[保険会社|{flag}の船籍当局|船級協会]も、[締め切りまでに|記事の掲載までに|"
        "期限までに]回答しなかった。",
    ),
    headlines=(
        "{flag}船籍タンカー「{vessel}」、{port}沖で[「瀬取り」か|積み替えの疑い]",
        "{port}港にコンテナ[急増|再び山積み]　貨物船「{vessel}」[再入港|また寄港]",
        "「{vessel}」、{port}付近でAIS[停止|遮断]　[衛星画像で判明|航跡データで確認]",
        "[石炭|貨物]積んだ「{vessel}」が{port}[出港|を離れる]　[制裁違反の疑い|決議違反か]",
    ),
    outlets=(
        Outlet(
            "北東アジア海事通信",
            "北東アジア海事通信｜ニュース｜港湾｜制裁｜会員登録",
            "© 2025 北東アジア海事通信　無断転載を禁じます。記者：{reporter}。毎朝、"
            "北東アジアの海運と制裁のニュースをメールでお届けします。",
        ),
        Outlet(
            "日本海モニター",
            "日本海モニター ― 海事 ― 分析 ― データ ― ログイン",
            "船舶に関する情報提供は、ウェブサイトの専用フォームから編集部までお寄せください。"
            "日本海モニターは北東アジアの海洋安全保障を取材する独立系メディアです。",
        ),
        Outlet(
            "環太平洋通信",
            "環太平洋通信 / 国際 / アジア / 経済",
            "（{reporter}、{reporter2}）環太平洋通信の記事・写真の無断転載を禁じます。",
        ),
    ),
    swaps=(
        ("船舶", "船"),
        ("述べた", "語った"),
        ("衛星画像", "衛星写真"),
        ("分かった", "判明した"),
        ("専門家", "識者"),
        ("貨物", "積み荷"),
        ("岸壁", "埠頭"),
        ("北朝鮮", "北朝鮮当局"),
        ("当局者", "担当者"),
        ("国連", "国際連合"),
    ),  # fmt: skip
    insertions=(
        "外務省は金曜日、コメントの求めに直ちには応じなかった。",
        "この記事は港湾当局のコメントを加えて更新しました。",
        "船舶データ会社によると、この海域での同様の動きは昨年から増えているという。",
    ),
    date="{month}{day}日",
    reporters=("佐藤健", "鈴木花子", "高橋誠", "田中美咲", "伊藤大輔"),
)

CHINESE = Phrasebook(
    lang="zh",
    leads=(
        "[卫星图像|商业卫星图像|船舶追踪数据]显示，悬挂{flag}国旗的[油轮|成品油轮|运油船]“{vessel}”号"
        "{date}在{port}[附近海域|外海|近海]疑似向一艘朝鲜船只[转运|输送|过驳][成品油|柴油|燃料油]。",
        "{date}拍摄的卫星图像显示，{port}港码头上[堆放着|排列着|停放着]约{n}个集装箱，[比年初|"
        "比一月下旬|比上个月][大幅|明显|显著]增加，悬挂{flag}国旗的货船“{vessel}”号[停靠|停泊|系泊]"
        "在码头旁。",
        "[散货船|货船|杂货船]“{vessel}”号{month}[上旬|中旬|下旬]在{port}港装载约{n}吨[煤炭|无烟煤|"
        "铁矿石]后驶向{port2}，[专家|分析人士|观察人士][认为|指出]此举[可能违反|涉嫌违反]联合国制裁。",
        "[船舶追踪数据|AIS记录|航迹数据]显示，“{vessel}”号{date}在{port}[附近|周边|一带]关闭了船舶"
        "自动识别系统，{k}天后在{port2}以[南|东|北]约{d}海里处重新[出现|现身|露面]。",
    ),
    body=(
        "该船国际海事组织编号为{imo}，自{year}年以来[两次|三次|多次]更改船名，目前[悬挂|挂着]"
        "{flag}国旗航行。",
        "登记为船东的{company}[没有回应|未回复|未答复][记者的询问|电子邮件提问|置评请求]。",
        "{port2}港[一名官员|港务局人士|码头方面]表示，该码头[只处理|仅接受|只办理][手续齐全|申报合规|"
        "单证完备]的货物。",
        "联合国安理会决议禁止朝鲜出口煤炭、铁矿石、纺织品和海产品，并将其成品油进口限制在每年"
        "50万桶。",
        "[追踪朝鲜航运的|监测制裁规避的|研究海上走私的][专家|分析人士|研究人员][表示|指出|认为]，"
        "船对船转运已成为平壤[获取|取得|采购]燃料的[主要途径|重要手段|主要方式]。",
        "图像中可以看到两艘船之间[连接着|架设着|拉着][输油软管|软管|输油管]，船舷两侧[放下了|挂着|"
        "安放了][防撞垫|护舷]。",
        "{date2}，码头旁的[铁路专用线|铁轨|铁路支线]上[停着|排列着|可见]{n2}节货车车厢，[一周前|"
        "七天前|前一张图像中]为{n3}节。",
        "[一位不愿具名的|{city}的|一名]航运[分析师|专家|人士]表示，单次靠港[运输|装卸|转运]的货物量"
        "超过了近年来两港之间[任何正常贸易|正常民用贸易|合法贸易]的规模。",
        "联合国[专家小组|安理会专家小组|朝鲜制裁委员会专家小组][此前|去年|在以往报告中]曾报告过由"
        "{country}的[空壳公司|幌子公司|中间商][管理|经营]的船只参与的[类似|相似]转运。",
        "目前[尚不清楚|无法确定|还不能确认]集装箱内[装的是什么|货物的内容]，以及[由谁|由哪家公司]"
        "[安排|委托]了这次运输。",
        "{country}[官员|当局|政府人士][表示已注意到相关报道|称正在核实有关信息|表示正在调查此事]，"
        "但[拒绝进一步置评|没有提供更多细节|未作具体说明]。",
        "企业登记资料显示，{company}于{year}年在{city}[注册成立|注册|成立]，[名下|旗下]仅有一艘船。",
        "转运发生在距海岸约{d}海里的[公海|领海以外|外海]，该海域[长期以来|一直|经常]被用于此类"
        "[交易|作业|接驳]。",
        "[提单|货物清单|装船单据]显示，这批货物[被申报为|登记为|标注为][建筑材料|备用零件|"
        "人道主义物资]。",
        "{date2}的卫星图像显示码头[再次空置|已被清空|空空荡荡]，货物[似乎|可能]在[数日内|短时间内|"
        "很快]被[运往内陆|经铁路运走|转运到别处]。",
        "船舶运营方和[保险公司|{flag}船籍登记机构|船级社]均未在[截稿前|发稿前|规定期限内]作出回应。",
    ),
    headlines=(
        "[油轮|船只]“{vessel}”号涉嫌在{port}附近[过驳成品油|违规转运]",
        "{port}港集装箱[再度增加|堆积如山]　“{vessel}”号[再次靠港|又来了]",
        "[卫星图像|航迹数据]显示“{vessel}”号在{port}附近[关闭AIS|“隐身”]",
        "满载[煤炭|货物]的“{vessel}”号驶离{port}　[涉嫌违反制裁|或违反安理会决议]",
    ),
    outlets=(
        Outlet(
            "东北亚航运观察",
            "东北亚航运观察｜新闻｜港口｜制裁｜订阅",
            "版权所有 © 2025 东北亚航运观察，未经授权不得转载。记者：{reporter}。"
            "订阅我们的早报，每天获取东北亚航运与制裁新闻。",
        ),
        Outlet(
            "海事前沿",
            "海事前沿 — 航运 — 分析 — 数据 — 登录",
            "如有船舶线索，请通过网站上的加密表格联系编辑部。海事前沿是一家专注于东北亚海上安全的"
            "独立媒体。",
        ),
        Outlet(
            "环太平洋通讯社",
            "环太平洋通讯社 / 国际 / 亚太 / 财经",
            "（记者{reporter}、{reporter2}）本文版权归环太平洋通讯社所有，转载请注明出处。",
        ),
    ),
    swaps=(
        ("船只", "船舶"),
        ("表示", "称"),
        ("卫星图像", "卫星照片"),
        ("朝鲜", "北韩"),
        ("显示", "表明"),
        ("公司", "企业"),
        ("官员", "人士"),
        ("码头", "港口码头"),
        ("货物", "货品"),
        ("联合国", "联合国组织"),
    ),  # fmt: skip
    insertions=(
        "外交部周五没有立即回应置评请求。",
        "本文已根据港务部门的回应进行更新。",
        "船舶数据公司统计显示，自去年以来该海域此类活动明显增多。",
    ),
    date="{month}{day}日",
    reporters=("王伟", "李娜", "张磊", "刘洋", "陈静"),
)

PHRASEBOOKS = {book.lang: book for book in (ENGLISH, RUSSIAN, KOREAN, JAPANESE, CHINESE)}
