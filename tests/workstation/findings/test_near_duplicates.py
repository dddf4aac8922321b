"""Near-duplicate detection: normalising, scoring, signatures, the index, and its quality."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

import pytest

from db.minhash import (
    BINS,
    Shingles,
    Signature,
    StaleSignatureError,
    shingles,
    signature,
    tokens,
)
from tests.conftest import ROOT
from tests.workstation.findings.articles import build_corpus, measure
from workstation.findings.near_duplicates import (
    DEFAULT_THRESHOLD,
    MIN_SHINGLES,
    NearDuplicateIndex,
    estimate,
    near_duplicate_pairs,
    similarity,
)

WIRE = (
    "The Sierra Leone-flagged tanker AMBER TIDE appears to have transferred refined petroleum "
    "to a North Korean vessel off Nampo on 14 March, according to commercial satellite imagery "
    "reviewed by Harbour Watch Daily. The images show hoses running between the two hulls and "
    "rubber fenders hanging along the sides of both ships. The vessel, which is listed under "
    "IMO number 9164029, has been renamed three times since 2016 and now flies the flag of "
    "Sierra Leone. Its registered owner, Golden Silk Trading LLC, did not respond to emailed "
    "questions. United Nations Security Council resolutions cap North Korea's imports of "
    "refined petroleum at 500,000 barrels a year. Analysts who track North Korean shipping say "
    "ship-to-ship transfers have become the main way for Pyongyang to obtain fuel."
)

OTHER = (
    "Satellite images taken on 2 May show 1,230 containers stacked on the quay at Rajin, a "
    "sharp rise from late January, while the Togo-flagged cargo ship SILVER HERON sat at the "
    "pier. Forty wagons were counted on the rail siding beside the berth on 9 May, up from "
    "twelve a week earlier. A former customs officer in Seoul said the volume of cargo moved "
    "on a single call was larger than any recorded trade between the two ports in recent "
    "years. Officials in Singapore said they were looking into the matter but declined to "
    "comment further on the company that manages the ship."
)

JAPANESE = (
    "シエラレオネ船籍のタンカー「AMBER TIDE」が3月14日、南浦沖で北朝鮮の船舶に石油精製品を"
    "積み替えた疑いがあることが、商業衛星画像で分かった。画像には、2隻の船体の間にホースが"
    "つながれ、船腹に防舷材が下ろされている様子が写っている。国連安全保障理事会の決議は、"
    "北朝鮮による石油精製品の輸入を年間50万バレルに制限している。"
)


# --- tokens and shingles ---------------------------------------------------------------------


def test_tokens_fold_width_case_punctuation_yo_and_number_formats() -> None:
    assert tokens("ＡＭＢＥＲ Tide, 1,230 тонн; Ёлка «Восточный»!") == [
        "amber",
        "tide",
        "1230",
        "тонн",
        "елка",
        "восточный",
    ]
    assert tokens("1 230") == tokens("1,230") == tokens("1230") == tokens("１２３０")


def test_chinese_japanese_and_korean_are_split_into_characters() -> None:
    assert tokens("石油精製品を積み替えた") == list("石油精製品を積み替えた")
    assert tokens("라진항 부두") == ["라", "진", "항", "부", "두"]
    assert tokens("「AMBER TIDE」が南浦") == ["amber", "tide", "が", "南", "浦"]


def test_shingles_are_five_words_or_six_characters() -> None:
    english = shingles("one two three four five six")
    assert english.count == 2  # "one..five", "two..six"
    chinese = shingles("朝鲜油轮在南浦附近")  # 9 characters: 4 windows of 6
    assert chinese.count == 4
    short = shingles("only three words")
    assert short.count == 1
    assert shingles("").count == 0


def test_a_trimmed_republication_shares_all_its_text_but_not_its_length() -> None:
    trimmed = WIRE[: int(len(WIRE) * 0.6)]

    found = similarity(WIRE, trimmed)

    assert found.exact
    assert found.containment > 0.97
    assert found.jaccard < 0.65  # why containment, not Jaccard, is the score
    assert found.explain().startswith(f"{found.percent} % shared text (")
    assert "five-word sequences of the shorter text are in the longer" in found.explain()


def test_an_edited_copy_scores_high_and_another_story_low() -> None:
    edited = (
        "UPDATE 1-"
        + WIRE.replace("vessel", "ship").replace("said", "told reporters")
        + " The foreign ministry did not immediately respond to a request for comment."
    )

    assert similarity(WIRE, edited).containment > 0.8
    assert similarity(WIRE, OTHER).containment < 0.1


def test_japanese_is_explained_in_characters() -> None:
    found = similarity(JAPANESE, JAPANESE[:100])

    assert found.containment == 1.0
    assert "six-character sequences" in found.explain()


def test_a_text_too_short_is_never_a_near_duplicate() -> None:
    headline = "Tanker AMBER TIDE suspected of oil transfer off Nampo"

    found = similarity(headline, WIRE + " " + headline)

    assert found.containment == 1.0
    assert not found.comparable
    assert found.smaller < MIN_SHINGLES
    assert found.explain().startswith("too short to compare")
    assert near_duplicate_pairs({"h": headline, "w": WIRE + " " + headline}) == []


def test_percent_is_rounded_down() -> None:
    base = " ".join(f"w{i}" for i in range(104))  # 100 shingles
    half = " ".join(f"w{i}" for i in range(54)) + " x1 x2 x3 x4 x5 x6 x7 x8 x9 x10 x11"

    found = similarity(half, base)

    assert found.shared == 50
    assert found.smaller == 61
    assert found.percent == 81  # 50 / 61 = 0.8197


# --- signatures ------------------------------------------------------------------------------


def test_a_signature_is_stored_and_read_back() -> None:
    sig = signature(WIRE)

    data = sig.to_bytes()
    assert len(data) == 14 + 4 * BINS
    assert Signature.from_bytes(data) == sig
    assert Signature.from_text(sig.to_text()) == sig
    assert signature(JAPANESE).cjk
    assert not sig.cjk
    assert Signature.from_bytes(signature(JAPANESE).to_bytes()).cjk


@pytest.mark.parametrize(
    "data",
    [b"", b"NDS1" + bytes(100), b"XXXX" + bytes(10 + 4 * BINS)],
    ids=["empty", "short", "other magic"],
)
def test_bytes_that_are_not_a_signature_are_refused(data: bytes) -> None:
    with pytest.raises(StaleSignatureError, match="recompute it"):
        Signature.from_bytes(data)


def test_a_signature_of_another_scheme_is_refused() -> None:
    data = bytearray(signature(WIRE).to_bytes())
    data[4] = 4  # four-word shingles

    with pytest.raises(StaleSignatureError, match="another scheme"):
        Signature.from_bytes(bytes(data))
    with pytest.raises(StaleSignatureError, match="not base64"):
        Signature.from_text("not base64!")


def test_a_signature_is_the_same_in_another_process() -> None:
    """Stored signatures compare with new ones: nothing may depend on Python's salted hash()."""
    code = (
        "import sys; from db.minhash import signature; "
        "sys.stdout.write(signature(sys.stdin.read()).to_text())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=WIRE + JAPANESE,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )

    assert done.stdout == signature(WIRE + JAPANESE).to_text()


def test_estimates_from_signatures_are_close_to_the_exact_figures() -> None:
    corpus = build_corpus()
    families: dict[str, list[Shingles]] = {}
    for article in corpus.articles:
        families.setdefault(article.family, []).append(shingles(article.text))
    errors = []
    for members in families.values():
        for other in members[1:]:
            exact = similarity(members[0], other)
            guess = estimate(members[0].signature, other.signature)
            assert not guess.exact
            errors.append(abs(exact.containment - guess.containment))

    assert len(errors) > 100
    assert statistics.mean(errors) < 0.05
    assert max(errors) < 0.2


# --- the index -------------------------------------------------------------------------------


def test_the_index_finds_a_republication_among_other_stories() -> None:
    index = NearDuplicateIndex()
    index.add("wire", WIRE)
    index.add("other", OTHER)
    index.add("japanese", JAPANESE)

    (match,) = index.candidates("EXCLUSIVE-" + WIRE[: int(len(WIRE) * 0.7)])

    assert match.source_id == "wire"
    assert match.similarity.exact
    assert match.score > 0.95
    assert index.candidates(WIRE, exclude=["wire"]) == []
    assert [m.source_id for m in index.candidates(JAPANESE + "羅津港")] == ["japanese"]


def test_sources_are_removed_and_replaced() -> None:
    index = NearDuplicateIndex()
    for i in range(40):  # enough that a later add is inserted in place, not re-sorted
        index.add(f"s{i}", f"{OTHER} story number {i} " * 2)
    index.add("wire", WIRE)

    assert [m.source_id for m in index.candidates(WIRE)] == ["wire"]
    index.remove("wire")
    assert "wire" not in index
    assert index.candidates(WIRE) == []
    index.add("wire", OTHER)  # re-added with other text
    index.add("wire", WIRE)  # and replaced again
    assert len(index) == 41
    assert [m.source_id for m in index.candidates(WIRE)] == ["wire"]
    assert index.signature_of("wire") == signature(WIRE)
    with pytest.raises(KeyError):
        index.remove("nothing")


def test_without_kept_shingles_candidates_are_loaded_or_estimated() -> None:
    loads: list[str] = []

    def load(source_id: str) -> str | None:
        loads.append(source_id)
        return {"wire": WIRE}.get(source_id)

    loading = NearDuplicateIndex(keep_shingles=False, load=load)
    estimating = NearDuplicateIndex(keep_shingles=False)
    for index in (loading, estimating):
        index.add("wire", WIRE)
        index.add("other", signature(OTHER))  # a stored signature, no text at all

    (loaded,) = loading.candidates(WIRE[:700])
    (estimated,) = estimating.candidates(WIRE[:700])

    assert loads == ["wire"]  # "other" scored too low to be worth loading
    assert loaded.similarity.exact
    assert loaded.score > 0.95
    assert not estimated.similarity.exact
    assert estimated.score > 0.8
    assert estimated.similarity.explain().startswith("about ")
    assert estimating.candidates(signature(WIRE))[0].source_id == "wire"


def test_empty_queries_and_bad_thresholds() -> None:
    index = NearDuplicateIndex()
    index.add("wire", WIRE)

    assert index.candidates("") == []
    with pytest.raises(ValueError, match="threshold"):
        index.candidates(WIRE, threshold=0)
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_pairs({"a": WIRE}, threshold=1.5)


def test_pairs_among_a_few_sources() -> None:
    edited = WIRE.replace("vessel", "ship")

    pairs = near_duplicate_pairs({"a": WIRE, "b": OTHER, "c": edited, "d": signature(WIRE[:600])})

    assert {(a, b): found.exact for a, b, found in pairs} == {
        ("a", "c"): True,  # two texts: exact
        ("a", "d"): False,  # a signature on one side: estimated
        ("c", "d"): False,
    }
    scores = [found.containment for _, _, found in pairs]
    assert scores == sorted(scores, reverse=True)


# --- quality on the test set -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [2397, 1, 2, 3])
def test_precision_and_recall_on_republished_stories(seed: int) -> None:
    """Wire stories republished in five languages, against stories on the same topic."""
    corpus = build_corpus(seed)

    quality = measure(corpus, DEFAULT_THRESHOLD)

    report = "\n".join(quality.lines())
    print(report)
    assert quality.precision >= 0.9, report
    assert quality.recall >= 0.9, report
    assert min(quality.recall_by_language.values()) >= 0.9, report
    assert set(quality.recall_by_language) == {"en", "ru", "ko", "ja", "zh"}
    # The negatives are hard: some different stories share a third of their text or more.
    assert quality.highest_negative > 0.3, report
    assert quality.true_positives > 200
