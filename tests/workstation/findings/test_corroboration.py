"""Stored near-duplicate signatures: written at import, unlock and migration, equal to the
computed ones, and giving exactly the groups the texts give; list agrees with show; the
library's near-duplicates of a source are found through the band index."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from db.engine import make_engine
from db.migrate import current_revision, downgrade, head_revision
from db.minhash import (
    SIGN_AT_IMPORT_CHARS,
    Signature,
    keys_from_bytes,
    shingles,
    stored_band_keys,
    stored_form,
)
from db.models import Page, Source, SourceBand, SourceSignature
from tests import samples
from tests.workstation.findings.articles import Article, build_corpus, measure
from tests.workstation.findings.reference import independence_from_texts
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.findings.corroboration import Corroboration, near_duplicates_of
from workstation.findings.independence import (
    SourceFacts,
)
from workstation.findings.near_duplicates import NearDuplicateIndex
from workstation.findings.relations import relate_sources
from workstation.findings.service import FindingService
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import update_source
from workstation.sources.signatures import sign_on_import, store_signature
from workstation.sources.unlock import unlock_source


def _articles(count: int = 36) -> list[Article]:
    """English and Korean stories with their republications and follow-ups (the test set's)."""
    return [a for a in build_corpus().articles if a.lang in ("en", "ko")][:count]


def _import(library: Library, folder: Path, articles: list[Article]) -> dict[str, int]:
    for article in articles:
        samples.make_text(folder, text=article.text, name=f"{_name(article.key)}.txt")
    ImportService(library).import_paths([folder])
    with library.reader() as session:
        rows = session.execute(select(Source.original_filename, Source.id)).all()
    by_name = {Path(name).stem: source_id for name, source_id in rows}
    return {a.key: by_name[_name(a.key)] for a in articles}


def _name(key: str) -> str:
    return key.replace("/", "--")


def _stored(library: Library) -> dict[int, tuple[bytes, bytes, set[int]]]:
    with library.reader() as session:
        bands: dict[int, set[int]] = {}
        for key, source_id in session.execute(select(SourceBand.key, SourceBand.source_id)):
            bands.setdefault(source_id, set()).add(key)
        return {
            row.source_id: (row.signature, row.shingles, bands.get(row.source_id, set()))
            for row in session.scalars(select(SourceSignature))
        }


def _computed(library: Library) -> dict[int, tuple[bytes, bytes, set[int]]]:
    with library.reader() as session:
        pages: dict[int, list[str]] = {s: [] for s in session.scalars(select(Source.id))}
        for source_id, text in session.execute(
            select(Page.source_id, Page.text).order_by(Page.source_id, Page.number)
        ):
            pages[source_id].append(text)
    out = {}
    for source_id, texts in pages.items():
        form = stored_form(texts)
        out[source_id] = (form.signature, form.shingles, set(form.bands))
    return out


# --- stored at import, unlock and migration --------------------------------------------------


def test_an_imported_source_gets_the_signature_computed_from_its_text(
    library: Library, tmp_path: Path
) -> None:
    articles = _articles(6)
    ids = _import(library, tmp_path / "in", articles)
    samples.make_png(tmp_path / "img")
    ImportService(library).import_paths([tmp_path / "img"])

    stored = _stored(library)

    assert len(stored) == 7  # the image too: a row with an empty signature, no band keys
    assert stored == _computed(library)
    for article in articles:
        signature, keys, bands = stored[ids[article.key]]
        expected = shingles(article.text)  # the file's text is the article's, as extracted
        assert Signature.from_bytes(signature) == expected.signature
        assert keys_from_bytes(keys) == expected.keys
        assert bands == set(stored_band_keys(expected.signature))
        assert len(bands) == 128
    [image] = set(stored) - set(ids.values())
    assert Signature.from_bytes(stored[image][0]).count == 0
    assert stored[image][2] == set()


def test_unlocking_a_pdf_signs_its_text(library: Library, tmp_path: Path) -> None:
    pdf = samples.make_encrypted_pdf(tmp_path, user_password="Nampo-2024!")
    [result] = ImportService(library).import_paths([pdf]).results
    assert result.source_id is not None
    assert Signature.from_bytes(_stored(library)[result.source_id][0]).count == 0

    with library.writer() as session:
        unlock_source(library, session, result.source_id, "Nampo-2024!")

    stored = _stored(library)
    assert Signature.from_bytes(stored[result.source_id][0]).count > 0
    assert stored == _computed(library)
    with library.reader() as session:  # the locked text's band keys are gone, not left over
        count = session.scalar(select(func.count()).select_from(SourceBand))
    assert count == len(stored[result.source_id][2])


def test_a_library_migrated_from_0006_gets_every_source_signed(
    library_path: Path, tmp_path: Path
) -> None:
    lib = Library.open(library_path, reviewer="alice", create=True)
    try:
        _import(lib, tmp_path / "in", _articles(8))
        before = _stored(lib)
    finally:
        lib.close()
    engine = make_engine(library_path / "library.sqlite", writer=True)
    downgrade(engine, "0006")
    assert current_revision(engine) == "0006"
    engine.dispose()

    lib = Library.open(library_path, reviewer="alice")
    try:
        assert lib.migration is not None
        assert (lib.migration.before, lib.migration.after) == ("0006", head_revision())
        after = _stored(lib)
        assert len(after) == 8
        assert after == before == _computed(lib)
    finally:
        lib.close()


# --- the same groups from stored data as from the texts --------------------------------------


@pytest.fixture
def corpus_library(library: Library, tmp_path: Path) -> tuple[Library, dict[str, int]]:
    ids = _import(library, tmp_path / "in", _articles())
    keys = sorted(ids)
    with library.writer() as session:  # a declared relation and a shared publisher
        relate_sources(library, session, ids[keys[3]], ids[keys[20]], "derived_from")
        update_source(library, session, ids[keys[5]], publisher="Pacific Wire")
        update_source(library, session, ids[keys[30]], publisher="pacific wire.")
    return library, ids


def _finding_sets(ids: dict[str, int], count: int = 40) -> list[list[SourceFacts]]:
    rng = random.Random(7)
    everything = sorted(ids.values())
    return [
        [SourceFacts(str(i), f"{i:064x}") for i in rng.sample(everything, rng.randint(2, 7))]
        for _ in range(count)
    ]


def test_groups_from_stored_signatures_equal_groups_from_texts(
    corpus_library: tuple[Library, dict[str, int]],
) -> None:
    library, ids = corpus_library
    sets = _finding_sets(ids)
    publishers = {ids[k]: None for k in ids}
    with library.reader() as session:
        for source_id, publisher in session.execute(select(Source.id, Source.publisher)):
            publishers[source_id] = publisher
    sets = [
        [SourceFacts(f.source_id, f.sha256, publishers[int(f.source_id)]) for f in facts]
        for facts in sets
    ]
    expected = [independence_from_texts(library, facts) for facts in sets]
    assert any(g.joins for found in expected for g in found.groups)  # the sets do join

    with library.reader() as session:
        stored = Corroboration(session)
        from_stored = [stored.independence(facts) for facts in sets]
    with library.writer() as session:  # now without any stored signature
        session.execute(delete(SourceBand))
        session.execute(delete(SourceSignature))
    with library.reader() as session:
        texts = Corroboration(session)
        from_texts = [texts.independence(facts) for facts in sets]

    assert stored.recomputed == 0
    assert texts.recomputed == len(ids)
    assert from_stored == expected
    assert from_texts == expected


def test_a_signature_of_another_scheme_is_recomputed_from_the_text(
    corpus_library: tuple[Library, dict[str, int]],
) -> None:
    library, ids = corpus_library
    facts = [SourceFacts(str(i), f"{i:064x}") for i in sorted(ids.values())[:12]]
    expected = independence_from_texts(library, facts)
    with library.writer() as session:
        session.execute(update(SourceSignature).values(signature=b"NDS0" + bytes(1034)))
    with library.reader() as session:
        found = Corroboration(session)
        assert found.independence(facts) == expected
    assert found.recomputed == 12


# --- list and show ---------------------------------------------------------------------------


def test_list_gives_each_finding_the_corroboration_show_gives(
    corpus_library: tuple[Library, dict[str, int]],
) -> None:
    library, ids = corpus_library
    service = FindingService(library)
    marks = {source_id: _mark_start(library, source_id) for source_id in ids.values()}
    with library.writer() as session:
        for n, facts in enumerate(_finding_sets(ids, 12)):
            row = service.create(session, title=f"finding {n}")
            service.add_evidence(session, row.uuid, [marks[int(f.source_id)] for f in facts])

    with library.reader() as session:
        listed = service.list(session)
        shown = [service.show(session, item.uuid) for item in listed]

    assert len(listed) == 12
    assert any(s.independent < s.sources for s in shown)  # some findings do count one story
    for item, details in zip(listed, shown, strict=True):
        assert (item.independent, item.sources, item.badge) == (
            details.independent,
            details.sources,
            details.badge,
        )


# --- the library's near-duplicates of one source ---------------------------------------------


def test_near_duplicates_of_a_source_come_from_the_band_index(
    corpus_library: tuple[Library, dict[str, int]],
) -> None:
    library, ids = corpus_library
    articles = {a.key: a for a in _articles()}
    index = NearDuplicateIndex()
    for key, source_id in ids.items():
        index.add(str(source_id), articles[key].text)

    found_any = 0
    with library.reader() as session:
        for key, source_id in sorted(ids.items()):
            matches = near_duplicates_of(session, source_id)
            expected = index.candidates(articles[key].text, exclude=(str(source_id),))
            assert [(m.source_id, m.similarity) for m in matches] == [
                (m.source_id, m.similarity) for m in expected
            ], key
            family = {str(ids[k]) for k, a in articles.items() if a.family == articles[key].family}
            assert {m.source_id for m in matches} <= family
            found_any += len(matches)
    assert found_any > 20


def test_a_source_without_text_has_no_near_duplicates(library: Library, tmp_path: Path) -> None:
    samples.make_png(tmp_path / "img")
    [result] = ImportService(library).import_paths([tmp_path / "img"]).results
    assert result.source_id is not None
    with library.reader() as session:
        assert near_duplicates_of(session, result.source_id) == []


def test_precision_and_recall_through_the_library_are_the_index_s(
    library: Library, tmp_path: Path
) -> None:
    """The whole test set (seed 2397: P 1.000, R 0.993 in memory) imported and asked of the
    library through the band index: the same pairs as the in-memory index."""
    corpus = build_corpus()
    ids = _import(library, tmp_path / "in", corpus.articles)
    key_of = {str(source_id): key for key, source_id in ids.items()}
    with library.reader() as session:
        found = {
            frozenset((key, key_of[m.source_id]))
            for key, source_id in ids.items()
            for m in near_duplicates_of(session, source_id)
        }
    quality = measure(corpus)
    positives = corpus.positives()

    assert len(found & positives) == quality.true_positives
    assert len(found - positives) == quality.false_positives
    assert len(positives - found) == quality.false_negatives
    assert quality.precision >= 0.99
    assert quality.recall >= 0.99


# --- long texts: signed when they become evidence --------------------------------------------


def _long_text(seed: int) -> str:
    """A report of some 350,000 characters: two test sets' articles one after another."""
    text = "\n\n".join(a.text for s in (seed, seed + 1) for a in build_corpus(s).articles)
    assert len(text) > SIGN_AT_IMPORT_CHARS
    return text


def _import_long(library: Library, folder: Path, seed: int) -> int:
    path = samples.make_text(folder, text=_long_text(seed), name=f"report-{seed}.txt")
    [result] = ImportService(library).import_paths([path]).results
    assert result.source_id is not None
    return result.source_id


def _mark_start(library: Library, source_id: int) -> str:
    with library.writer() as session:
        source = session.get(Source, source_id)
        assert source is not None
        text = session.scalars(select(Page.text).where(Page.source_id == source_id)).first()
        assert text is not None
        return (
            AnnotationService(library)
            .create(session, source_id, find_quote(session, source, text[:24]))
            .uuid
        )


def test_a_long_text_is_signed_when_it_becomes_evidence(library: Library, tmp_path: Path) -> None:
    report = _import_long(library, tmp_path / "long", 5)
    [article] = _import(library, tmp_path / "short", _articles(1)).values()
    assert set(_stored(library)) == {article}  # the report is left unsigned at import
    facts = [SourceFacts(str(report), "a" * 64), SourceFacts(str(article), "b" * 64)]
    with library.reader() as session:  # still judged, from its text
        found = Corroboration(session)
        assert found.independence(facts) == independence_from_texts(library, facts)
    assert found.recomputed == 1

    service = FindingService(library)
    mark = _mark_start(library, report)
    with library.writer() as session:
        row = service.create(session, title="long report")
        service.add_evidence(session, row.uuid, [mark])

    stored = _stored(library)
    assert set(stored) == {article, report}
    assert stored == {k: v for k, v in _computed(library).items() if k in stored}


def test_a_signature_is_removed_when_the_text_outgrows_the_import_limit(
    library: Library, tmp_path: Path
) -> None:
    [source_id] = _import(library, tmp_path / "in", _articles(1)).values()
    assert source_id in _stored(library)
    with library.writer() as session:
        text = session.scalars(select(Page.text).where(Page.source_id == source_id)).one()
        assert not sign_on_import(session, source_id, [text], limit=len(text) - 1)
    assert _stored(library) == {}
    with library.writer() as session:
        assert sign_on_import(session, source_id, [text], limit=len(text))
    assert _stored(library) == _computed(library)


def test_migration_signs_long_texts_only_when_they_are_evidence(
    library_path: Path, tmp_path: Path
) -> None:
    lib = Library.open(library_path, reviewer="alice", create=True)
    try:
        evidence = _import_long(lib, tmp_path / "a", 5)
        other = _import_long(lib, tmp_path / "b", 7)
        mark = _mark_start(lib, evidence)
        service = FindingService(lib)
        with lib.writer() as session:
            service.add_evidence(session, service.create(session, title="t").uuid, [mark])
    finally:
        lib.close()
    engine = make_engine(library_path / "library.sqlite", writer=True)
    downgrade(engine, "0006")
    engine.dispose()

    lib = Library.open(library_path, reviewer="alice")
    try:
        stored = _stored(lib)
        assert set(stored) == {evidence}
        assert other not in stored
        assert stored[evidence] == _computed(lib)[evidence]
    finally:
        lib.close()


def test_a_page_changed_by_any_writer_drops_the_signature(library: Library, tmp_path: Path) -> None:
    """OCR or any later writer changes a page without knowing of signatures: the stale one
    goes, the groups follow the new text, and signing again works over the old band keys."""
    story = [a for a in _articles() if a.family == _articles()[0].family][:2]
    other = next(a for a in _articles() if a.family != story[0].family)
    ids = _import(library, tmp_path / "in", story)
    first, second = (ids[a.key] for a in story)
    facts = [SourceFacts(str(first), "a" * 64), SourceFacts(str(second), "b" * 64)]
    with library.reader() as session:
        assert Corroboration(session).independence(facts).independent == 1  # one story

    with library.writer() as session:
        original = session.scalars(select(Page.text).where(Page.source_id == second)).one()
        session.execute(update(Page).where(Page.source_id == second).values(text=other.text))
    assert set(_stored(library)) == {first}
    with library.reader() as session:
        found = Corroboration(session)
        assert found.independence(facts).independent == 2  # from the new text
    assert found.recomputed == 1

    with library.writer() as session:  # the text put back and signed again: its band keys
        session.execute(update(Page).where(Page.source_id == second).values(text=original))
        store_signature(session, second, [original])  # are the ones left behind
    assert _stored(library) == _computed(library)
    with library.reader() as session:
        again = Corroboration(session)
        assert again.independence(facts).independent == 1
    assert again.recomputed == 0
