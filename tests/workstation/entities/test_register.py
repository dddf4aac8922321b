"""Entities and their recognition in text, against real libraries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AnnotationEntity, AuditEvent, Entity
from tests import samples
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.audit import verify_chain
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.entities.register import (
    MID_FLAGS,
    EntityError,
    IdentifierClashError,
    add_entity,
    entity_page,
    find_entities,
    find_imo,
    find_mmsi,
    get_entity,
    imo_valid,
    link_annotation,
    match_known,
    merge_entities,
    suggest,
    unlink_annotation,
    update_entity,
)
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import resolve_source

ENGLISH = "The tanker CHON MA SAN (IMO No. 9074729, MMSI 445123456) loaded at Rajin.\n"
KOREAN = "🚢 라진항에서 유조선(IMO 9164029)이 MMSI: 273456789 신호를 껐다.\n"
RUSSIAN = "🚢 Судно (IMO 9074729) вышло из порта Раджин; MMSI 445987654.\n"
JAPANESE = "🚢 羅津港で船舶（ＩＭＯ番号：９１６４０２９）を確認。\n"


def _events(lib: Library) -> list[AuditEvent]:
    with lib.reader() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _count_events(lib: Library) -> int:
    with lib.reader() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def sources(library: Library, tmp_path: Path) -> dict[str, int]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (("en.txt", ENGLISH), ("ko.txt", KOREAN), ("ru.txt", RUSSIAN)):
        samples.make_text(folder, name=name, text=text)
    report = ImportService(library).import_paths([folder])
    ids = {Path(r.path).stem: r.source_id for r in report.results if r.source_id}
    assert set(ids) == {"en", "ko", "ru"}
    return ids  # type: ignore[return-value]


# --- recognition -----------------------------------------------------------


def test_imo_check_digit() -> None:
    assert imo_valid("9074729")  # the DOMAIN.md example
    assert not imo_valid("9074728")
    assert imo_valid("9164029")
    assert not imo_valid("907472")
    assert not imo_valid("90747290")
    assert not imo_valid("907472x")


@pytest.mark.parametrize(
    "written",
    ["IMO 9074729", "IMO: 9074729", "IMO No. 9074729", "IMO9074729", "IMO number 9074729"],
)
def test_imo_forms(written: str) -> None:
    text = f"Seen: {written}, twice."
    [found] = find_imo(text)
    assert (found.kind, found.value, found.text) == ("imo", "9074729", written)
    assert text[found.start : found.end] == written


def test_imo_rejects_bad_check_digits_and_longer_numbers() -> None:
    assert find_imo("IMO 9074728 and IMO 90747290 and PRIMO 9074729") == []


def test_identifiers_in_english_korean_russian_japanese() -> None:
    [imo] = find_imo(ENGLISH)
    assert ENGLISH[imo.start : imo.end] == "IMO No. 9074729"
    [mmsi] = find_mmsi(ENGLISH)
    assert (mmsi.value, mmsi.flag) == ("445123456", "North Korea (DPRK)")

    # Offsets are code points: the emoji counts as one.
    [imo] = find_imo(KOREAN)
    assert (imo.start, imo.end) == (KOREAN.index("IMO"), KOREAN.index("IMO") + 11)
    assert imo.start == 12  # 🚢 is one code point (two UTF-16 units)
    assert KOREAN[imo.start : imo.end] == "IMO 9164029"
    [mmsi] = find_mmsi(KOREAN)
    assert KOREAN[mmsi.start : mmsi.end] == "MMSI: 273456789"
    assert mmsi.flag == "Russia"

    [imo] = find_imo(RUSSIAN)
    assert imo.start == 9
    assert RUSSIAN[imo.start : imo.end] == "IMO 9074729"
    [mmsi] = find_mmsi(RUSSIAN)
    assert (mmsi.value, mmsi.flag) == ("445987654", "North Korea (DPRK)")

    # Full-width digits are normalised; the span covers what is written.
    [imo] = find_imo(JAPANESE)
    assert imo.value == "9164029"
    assert JAPANESE[imo.start : imo.end] == "ＩＭＯ番号：９１６４０２９"


def test_mmsi_flags() -> None:
    expected = {
        "445": "North Korea (DPRK)",
        "273": "Russia",
        "412": "China",
        "413": "China",
        "414": "China",
        "351": "Panama",
        "357": "Panama",
        "370": "Panama",
        "373": "Panama",
        "667": "Sierra Leone",
        "671": "Togo",
        "457": "Mongolia",
        "613": "Cameroon",
        "616": "Comoros",
        "511": "Palau",
        "674": "Tanzania",
        "677": "Tanzania",
        "440": "South Korea",
        "441": "South Korea",
        "431": "Japan",
        "432": "Japan",
        "477": "Hong Kong",
        "636": "Liberia",
        "637": "Liberia",
        "538": "Marshall Islands",
        "574": "Vietnam",
        "215": "Malta",
        "229": "Malta",
        "248": "Malta",
        "249": "Malta",
        "256": "Malta",
        "209": "Cyprus",
        "210": "Cyprus",
        "212": "Cyprus",
        "312": "Belize",
        "341": "Saint Kitts and Nevis",
        "572": "Tuvalu",
        "518": "Cook Islands",
        "520": "Fiji",
    }
    for mid, flag in expected.items():
        [found] = find_mmsi(f"MMSI {mid}000001")
        assert found.flag == flag, mid
    assert find_mmsi("MMSI 999000001")[0].flag is None
    assert find_mmsi("MMSI 44512345 and 4451234567 and no label 445123456") == []
    assert all(len(mid) == 3 and mid.isdigit() for mid in MID_FLAGS)


# --- entities in the library -----------------------------------------------


def test_add_entity_is_audited_and_checks_identifiers(library: Library) -> None:
    with library.writer() as session:
        ship = add_entity(
            library,
            session,
            "vessel",
            "  CHON MA SAN ",
            aliases=["Chonmasan", "CHON MA SAN", "천마산"],
            identifiers={"IMO": "9074729", "mmsi": "445123456"},
            attributes={"flag": "DPRK"},
        )
        ship_uuid = ship.uuid
        assert ship.name == "CHON MA SAN"
        assert ship.aliases == ["Chonmasan", "천마산"]
    events = _events(library)
    assert events[-1].action == "entity.create"
    assert events[-1].object_id == ship_uuid
    details = json.loads(events[-1].details)
    assert details["identifiers"] == [["imo", "9074729"], ["mmsi", "445123456"]]

    with pytest.raises(EntityError, match="check digit"), library.writer() as session:
        add_entity(library, session, "vessel", "Bad", identifiers={"imo": "9074728"})
    with pytest.raises(EntityError, match="kind"), library.writer() as session:
        add_entity(library, session, "ship", "Bad")
    with pytest.raises(EntityError, match="empty"), library.writer() as session:
        add_entity(library, session, "vessel", "   ")


def test_identifier_clash_names_the_holder(library: Library) -> None:
    with library.writer() as session:
        add_entity(library, session, "vessel", "CHON MA SAN", identifiers={"imo": "9074729"})
    before = _count_events(library)
    with pytest.raises(IdentifierClashError) as caught, library.writer() as session:
        add_entity(library, session, "vessel", "XIN YANG", identifiers={"imo": "IMO 9074729"})
    assert str(caught.value).startswith("IMO 9074729 already belongs to vessel 'CHON MA SAN'")
    assert "\n" not in str(caught.value)
    assert _count_events(library) == before
    with library.reader() as session:
        assert find_entities(session, "xin yang") == []


def test_aliases_across_scripts(library: Library) -> None:
    with library.writer() as session:
        rajin = add_entity(
            library, session, "location", "Rajin", aliases=["Najin", "Раджин", "라진", "羅津"]
        )
        rajin_uuid = rajin.uuid
        add_entity(library, session, "location", "Vostochny", aliases=["Восточный"])
    with library.reader() as session:
        for query in ("rajin", "NAJIN", "раджин", "РАДЖИН", "라진", "羅津"):
            assert [e.uuid for e in find_entities(session, query)] == [rajin_uuid], query
        assert len(find_entities(session, kind="location")) == 2
        assert find_entities(session, "rajin", kind="vessel") == []

        text = "🚢 Rajinder left Najin; порт Раджин и 라진항에서, Восточный."
        found = match_known(session, text)
        assert [c.text for c in found] == ["Najin", "Раджин", "라진", "Восточный"]
        for c in found:
            assert text[c.start : c.end] == c.text
        assert found[0].start == text.index("Najin")
        assert {c.value for c in found[:3]} == {"Rajin"}
        assert {c.entity_uuid for c in found[:3]} == {rajin_uuid}


def test_a_renamed_front_company_is_still_found_by_its_old_name(library: Library) -> None:
    with library.writer() as session:
        firm = add_entity(library, session, "company", "Korea Ocean Shipping")
        update_entity(library, session, firm.uuid, name="Haesong Maritime Trading")
        firm_uuid = firm.uuid
    with library.reader() as session:
        assert get_entity(session, firm_uuid).attributes["former_names"] == ["Korea Ocean Shipping"]
        hits = match_known(session, "a barge of Korea Ocean Shipping loaded coal")
    assert [h.value for h in hits] == ["Haesong Maritime Trading"]


def test_rename_vessel_keeps_former_name(library: Library) -> None:
    with library.writer() as session:
        ship = add_entity(library, session, "vessel", "YU JONG 2", identifiers={"imo": "9164029"})
        ship_uuid = ship.uuid
    with library.writer() as session:
        update_entity(
            library,
            session,
            ship_uuid,
            name="KUM UN SAN 3",
            aliases=["KUMUNSAN 3"],
            identifiers={"imo": "9164029", "mmsi": "445111222"},
        )
    with library.reader() as session:
        ship = get_entity(session, ship_uuid)
        assert ship.name == "KUM UN SAN 3"
        assert ship.attributes["former_names"] == ["YU JONG 2"]
        assert [c.value for c in match_known(session, "ex-YU JONG 2 seen")] == ["KUM UN SAN 3"]
    last = _events(library)[-1]
    assert last.action == "entity.edit"
    details = json.loads(last.details)
    assert details["before"]["name"] == "YU JONG 2"
    assert ["mmsi", "445111222"] in details["after"]["identifiers"]
    # A no-op edit writes nothing.
    before = _count_events(library)
    with library.writer() as session:
        update_entity(library, session, ship_uuid, name="KUM UN SAN 3")
    assert _count_events(library) == before


def test_suggest_never_writes(library: Library) -> None:
    with library.writer() as session:
        ship = add_entity(library, session, "vessel", "CHON MA SAN", identifiers={"imo": "9074729"})
        rajin = add_entity(library, session, "location", "Rajin", aliases=["Раджин"])
        ship_uuid, rajin_uuid = ship.uuid, rajin.uuid
    before = _count_events(library)
    with library.writer() as session:
        found = suggest(session, RUSSIAN + ENGLISH)
        entities_before = session.scalar(select(func.count()).select_from(Entity))
    assert _count_events(library) == before
    with library.reader() as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == entities_before == 2
    by_kind = [(c.kind, c.value, c.entity_uuid) for c in found]
    assert by_kind == [
        ("imo", "9074729", ship_uuid),
        ("name", "Rajin", rajin_uuid),
        ("mmsi", "445987654", None),
        ("name", "CHON MA SAN", ship_uuid),
        ("imo", "9074729", ship_uuid),
        ("mmsi", "445123456", None),
        ("name", "Rajin", rajin_uuid),
    ]
    assert found[2].flag == "North Korea (DPRK)"


def test_link_merge_and_entity_page(library: Library, sources: dict[str, int]) -> None:
    annotations = AnnotationService(library)
    with library.writer() as session:
        en = resolve_source(session, str(sources["en"]))
        ru = resolve_source(session, str(sources["ru"]))
        a_en = annotations.create(session, en.id, find_quote(session, en, "loaded at Rajin")).uuid
        a_ru = annotations.create(session, ru.id, find_quote(session, ru, "порта Раджин")).uuid
        rajin = add_entity(library, session, "location", "Rajin", identifiers={"unlocode": "KPNJN"})
        najin = add_entity(library, session, "location", "Najin", aliases=["Раджин", "라진"])
        rajin_uuid, najin_uuid = rajin.uuid, najin.uuid

    with library.writer() as session:
        assert link_annotation(library, session, a_en, rajin_uuid)
        assert not link_annotation(library, session, a_en, rajin_uuid)  # already linked
        assert link_annotation(library, session, a_ru, najin_uuid)
        assert link_annotation(library, session, a_en, najin_uuid)
    actions = [e.action for e in _events(library)[-3:]]
    assert actions == ["annotation.link_entity"] * 3

    with library.reader() as session:
        page = entity_page(session, najin_uuid)
        assert {a.uuid for a in page.annotations} == {a_en, a_ru}
        # "Раджин" in the Russian text, "라진" in the Korean one.
        assert {m.source_id for m in page.sources} == {sources["ru"], sources["ko"]}

    with library.writer() as session:
        merged = merge_entities(library, session, najin_uuid, rajin_uuid)
        assert merged.uuid == rajin_uuid
        assert merged.aliases == ["Najin", "Раджин", "라진"]
    event = _events(library)[-1]
    assert (event.action, event.object_id) == ("entity.merge", rajin_uuid)
    assert json.loads(event.details)["annotations_moved"] == 2

    with library.reader() as session:
        rajin = get_entity(session, rajin_uuid)
        assert get_entity(session, najin_uuid).uuid == rajin_uuid  # the old uuid resolves
        links = session.scalars(
            select(AnnotationEntity.entity_id).where(AnnotationEntity.entity_id == rajin.id)
        ).all()
        assert len(links) == 2  # the duplicate link on a_en collapsed
        assert session.scalar(select(func.count()).select_from(Entity)) == 1
        page = entity_page(session, rajin_uuid)
        assert page.identifiers == [("unlocode", "KPNJN")]
        assert {a.uuid for a in page.annotations} == {a_en, a_ru}
        assert {m.source_id for m in page.sources} == set(sources.values())
        ko = next(m for m in page.sources if m.source_id == sources["ko"])
        assert ko.matched == ("라진",)

    with library.writer() as session:
        assert unlink_annotation(library, session, a_ru, rajin_uuid)
        assert not unlink_annotation(library, session, a_ru, rajin_uuid)
        annotations.delete(session, a_en)
    assert _events(library)[-2].action == "annotation.unlink_entity"
    with library.reader() as session:
        assert entity_page(session, rajin_uuid).annotations == []  # unlinked, and deleted
    with pytest.raises(EntityError, match="deleted"), library.writer() as session:
        link_annotation(library, session, a_en, rajin_uuid)

    with library.reader() as session:
        report = verify_chain(session)
    assert report.ok


def test_entity_page_matches_identifiers_and_whole_words(
    library: Library, sources: dict[str, int]
) -> None:
    with library.writer() as session:
        ship = add_entity(library, session, "vessel", "Unseen Hull", identifiers={"imo": "9074729"})
        ship_uuid = ship.uuid
        add_entity(library, session, "location", "Raj")
    with library.reader() as session:
        page = entity_page(session, ship_uuid)
        assert {m.source_id for m in page.sources} == {sources["en"], sources["ru"]}
        assert all(m.matched == ("9074729",) for m in page.sources)
        raj = find_entities(session, "raj", kind="location")[0]
        assert entity_page(session, raj.uuid).sources == []  # "Rajin" is not "Raj"


def test_merge_refusals(library: Library) -> None:
    with library.writer() as session:
        ship = add_entity(library, session, "vessel", "A")
        place = add_entity(library, session, "location", "B")
        ship_uuid, place_uuid = ship.uuid, place.uuid
    with pytest.raises(EntityError, match="cannot merge vessel"), library.writer() as session:
        merge_entities(library, session, ship_uuid, place_uuid)
    with pytest.raises(EntityError, match="itself"), library.writer() as session:
        merge_entities(library, session, ship_uuid, ship_uuid)
    with pytest.raises(NotFoundError), library.reader() as session:
        get_entity(session, "00000000-0000-0000-0000-000000000000")


def test_an_edit_after_a_merge_keeps_the_merged_uuids_and_dropped_facts_stay_on_record(
    library: Library,
) -> None:
    with library.writer() as session:
        kept = add_entity(library, session, "vessel", "SKY VENUS", attributes={"flag": "Togo"})
        twin = add_entity(
            library, session, "vessel", "SKY VENUS II", attributes={"flag": "Sierra Leone"}
        )
        kept_uuid, twin_uuid = kept.uuid, twin.uuid
        merge_entities(library, session, twin_uuid, kept_uuid)
        # An editor sends the attributes it shows (the flag), not the bookkeeping.
        update_entity(library, session, kept_uuid, attributes={"flag": "Panama"})
    with library.reader() as session:
        assert get_entity(session, twin_uuid).uuid == kept_uuid  # the old uuid still leads here
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "entity.merge").order_by(AuditEvent.seq)
        )
        assert event is not None
        assert json.loads(event.details)["attributes_dropped"] == {"flag": "Sierra Leone"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("AMBER TIDE", "the tanker amber\n   tide was seen"),  # case and a line break
        ("Раджин", "ПОРТ РАДЖИН ЗАКРЫТ"),  # Cyrillic upper case
        ("라진", "라진항에서 선적"),  # Hangul inside a word
        ("Istanbul Star", "the ıstanbul star called"),  # dotless i, as re matches it
    ],
)
def test_known_names_are_found_however_the_text_writes_them(
    library: Library, name: str, text: str
) -> None:
    with library.writer() as session:
        add_entity(library, session, "vessel", name)
    with library.reader() as session:
        hits = match_known(session, text)
    assert [h.value for h in hits] == [name]
