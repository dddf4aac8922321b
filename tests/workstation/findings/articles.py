"""A test set for near-duplicate detection: real-shaped news stories and their republications.

Forty base stories, eight in each of English, Russian, Korean, Japanese and Chinese, written
from the frames in ``phrasebook.py`` with their own vessel, ports, dates and numbers, plus the
five hand-written demo articles. Each base story is republished two to four times the way
wire copy travels: under another headline, trimmed to 60 %, with its paragraphs reordered,
or lightly edited (synonyms swapped, a sentence added, numbers written another way), each time
inside another outlet's page furniture. The hard negatives are the other stories in the same
language (same topic, same stock phrases, often the same outlet's furniture) and follow-ups:
a new story about the same vessel, ports and company. Deterministic for a seed.

``measure`` runs the detector over the set and counts pairs: two articles are one story when
they share a family.
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from db.minhash import shingles
from tests.workstation.findings.phrasebook import COMPANIES, LANGS, PHRASEBOOKS, VESSELS, Phrasebook
from workstation.demo.articles import ARTICLES as DEMO_ARTICLES
from workstation.findings.near_duplicates import (
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    is_near_duplicate,
    similarity,
)

SEED = 2397
STORIES_PER_LANGUAGE = 8
VARIANT_KINDS = ("reheadlined", "trimmed", "reordered", "edited")

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_WIRE_PREFIX = {
    "en": "UPDATE 1-",
    "ru": "ОБНОВЛЕНО: ",
    "ko": "[종합] ",
    "ja": "【更新】",
    "zh": "【更新】",
}


@dataclass(frozen=True)
class Article:
    """One published text; articles of one family are one story."""

    key: str
    family: str
    lang: str
    kind: str
    outlet: str
    headline: str
    paragraphs: tuple[str, ...]
    header: str
    footer: str

    @property
    def text(self) -> str:
        """What the article extractor would leave: headline, furniture, body."""
        return "\n\n".join((self.headline, self.header, *self.paragraphs, self.footer))


@dataclass
class _Story:
    lang: str
    family: str
    facts: dict[str, str]
    headline: str
    paragraphs: list[str]
    outlet: int


def _render(frame: str, facts: dict[str, str], rng: random.Random) -> str:
    chosen = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), frame)
    return chosen.format_map(facts)


def _number(lang: str, value: int) -> str:
    if lang == "ru":
        return f"{value:,}".replace(",", "\u00a0")
    if lang == "zh":
        return str(value)
    return f"{value:,}"


def _facts(book: Phrasebook, rng: random.Random, index: int, outlet: str) -> dict[str, str]:
    ports = rng.sample(range(len(book.names.ports)), 3)
    month = rng.randrange(12)

    def date() -> str:
        return book.date.format(day=rng.randint(1, 28), month=book.names.months[month])

    six = f"{rng.choice((8, 9))}{rng.randrange(100_000):05d}"
    check = sum(int(d) * w for d, w in zip(six, (7, 6, 5, 4, 3, 2), strict=True)) % 10
    return {
        "vessel": VESSELS[(index * 7 + LANGS.index(book.lang) * 11) % len(VESSELS)],
        "imo": six + str(check),
        "company": rng.choice(COMPANIES),
        "port": book.names.ports[ports[0]],
        "port2": book.names.ports[ports[1]],
        "port3": book.names.ports[ports[2]],
        "flag": rng.choice(book.names.flags),
        "country": rng.choice(book.names.countries),
        "city": rng.choice(book.names.cities),
        "month": book.names.months[month],
        "date": date(),
        "date2": date(),
        "year": str(rng.randint(2012, 2022)),
        "n": _number(book.lang, rng.randint(60, 2400)),
        "n2": str(rng.randint(12, 90)),
        "n3": str(rng.randint(3, 40)),
        "k": str(rng.randint(2, 9)),
        "d": str(rng.randint(8, 60)),
        "m": str(rng.randint(60, 190)),
        "outlet": outlet,
    }


def _paragraphs(book: Phrasebook, facts: dict[str, str], rng: random.Random) -> list[str]:
    lead = _render(rng.choice(book.leads), facts, rng)
    frames = rng.sample(book.body, rng.randint(7, 10))
    sentences = [_render(frame, facts, rng) for frame in frames]
    joiner = " " if book.lang in ("en", "ru", "ko") else ""
    per_paragraph = (1, 2) if book.lang in ("en", "ru") else (2, 3)
    paragraphs = [lead]
    while sentences:
        take = rng.randint(*per_paragraph)
        paragraphs.append(joiner.join(sentences[:take]))
        del sentences[:take]
    return paragraphs


def _dress(
    story: _Story, kind: str, key: str, outlet: int, headline: str, paragraphs: Sequence[str]
) -> Article:
    book = PHRASEBOOKS[story.lang]
    chosen = book.outlets[outlet % len(book.outlets)]
    people = {"reporter": book.reporters[outlet % 5], "reporter2": book.reporters[(outlet + 2) % 5]}
    return Article(
        key=key,
        family=story.family,
        lang=story.lang,
        kind=kind,
        outlet=chosen.name,
        headline=headline,
        paragraphs=tuple(paragraphs),
        header=chosen.header,
        footer=chosen.footer.format_map(people),
    )


def _trim(paragraphs: Sequence[str], share: float) -> list[str]:
    """The first paragraphs up to `share` of the body's characters, as a desk cuts copy."""
    budget = share * sum(len(p) for p in paragraphs)
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs:
        if kept and used + len(paragraph) > budget:
            break
        kept.append(paragraph)
        used += len(paragraph)
    return kept


def _edit(book: Phrasebook, paragraphs: Sequence[str], rng: random.Random) -> list[str]:
    """Synonyms swapped (up to six), numbers written another way, one sentence added."""
    body = "\n".join(paragraphs)
    spaced = book.lang in ("en", "ru")
    usable = [(old, new) for old, new in book.swaps if old in body]
    for old, new in rng.sample(usable, min(6, len(usable))):
        pattern = rf"\b{re.escape(old)}\b" if spaced else re.escape(old)
        body = re.sub(pattern, new, body, count=1)
    if book.lang == "ja":  # full-width digits, as some Japanese sites print them
        body = body.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    else:  # drop the thousands separators
        body = re.sub(r"(?<=\d)[,\u00a0](?=\d{3})", "", body)
    edited = body.split("\n")
    at = rng.randrange(1, len(edited))
    joiner = " " if book.lang in ("en", "ru", "ko") else ""
    edited[at] = edited[at] + joiner + rng.choice(book.insertions)
    if rng.random() < 0.5 and len(edited) > 4:
        edited.pop()
    return edited


def _variants(story: _Story, rng: random.Random, headline_facts: dict[str, str]) -> list[Article]:
    book = PHRASEBOOKS[story.lang]
    kinds = rng.sample(VARIANT_KINDS, rng.randint(2, 4))
    out = []
    for i, kind in enumerate(kinds, start=1):
        outlet = story.outlet + i
        if headline_facts:
            headline = _render(rng.choice(book.headlines), headline_facts, rng)
        else:
            headline = _WIRE_PREFIX[story.lang] + story.headline
        paragraphs = list(story.paragraphs)
        if kind == "trimmed":
            paragraphs = _trim(paragraphs, 0.6)
        elif kind == "reordered":
            rest = paragraphs[1:]
            rng.shuffle(rest)
            paragraphs = [paragraphs[0], *rest]
        elif kind == "edited":
            paragraphs = _edit(book, paragraphs, rng)
        out.append(_dress(story, kind, f"{story.family}/{kind}", outlet, headline, paragraphs))
    return out


@dataclass
class Corpus:
    """The articles, and which of them are one story."""

    articles: list[Article]
    languages: tuple[str, ...] = field(default=LANGS)

    def positives(self) -> set[frozenset[str]]:
        """Every unordered pair of articles of one family."""
        by_family: dict[str, list[str]] = {}
        for article in self.articles:
            by_family.setdefault(article.family, []).append(article.key)
        return {frozenset(pair) for keys in by_family.values() for pair in combinations(keys, 2)}


def build_corpus(seed: int = SEED) -> Corpus:
    """The whole set (about 190 articles), the same on every run."""
    rng = random.Random(seed)
    articles: list[Article] = []
    for lang in LANGS:
        book = PHRASEBOOKS[lang]
        for index in range(STORIES_PER_LANGUAGE):
            outlet = index % len(book.outlets)
            facts = _facts(book, rng, index, book.outlets[outlet].name)
            family = f"{lang}-{index:02d}"
            story = _Story(
                lang,
                family,
                facts,
                _render(rng.choice(book.headlines), facts, rng),
                _paragraphs(book, facts, rng),
                outlet,
            )
            articles.append(
                _dress(story, "original", family, outlet, story.headline, story.paragraphs)
            )
            articles.extend(_variants(story, rng, facts))
            if index % 4 == 1:  # a follow-up: same vessel, ports and company, a new story
                later = dict(facts, outlet=book.outlets[(outlet + 1) % len(book.outlets)].name)
                follow = _Story(
                    lang,
                    f"{family}-follow-up",
                    later,
                    _render(rng.choice(book.headlines), later, rng),
                    _paragraphs(book, later, rng),
                    outlet + 1,
                )
                articles.append(
                    _dress(
                        follow,
                        "follow-up",
                        follow.family,
                        follow.outlet,
                        follow.headline,
                        follow.paragraphs,
                    )
                )
    for demo in DEMO_ARTICLES:
        family = f"demo-{demo.lang}-{demo.outlet}"
        story = _Story(demo.lang, family, {}, demo.title, list(demo.paragraphs), 0)
        articles.append(_dress(story, "original", family, 0, demo.title, demo.paragraphs))
        articles.extend(_variants(story, rng, {}))
    return Corpus(articles)


@dataclass(frozen=True)
class Quality:
    """How the detector did on a test set, by pairs of articles."""

    threshold: float
    articles: int
    true_positives: int
    false_positives: int
    false_negatives: int
    recall_by_language: dict[str, float]
    exact_recall: float
    lowest_positive: float
    highest_negative: float
    median_positive: float
    false_pairs: list[tuple[str, str, float]]
    missed_pairs: list[tuple[str, str, float]]

    @property
    def precision(self) -> float:
        """Share of the pairs found that are one story."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        """Share of the one-story pairs found."""
        total = self.true_positives + self.false_negatives
        return self.true_positives / total if total else 1.0

    def lines(self) -> list[str]:
        """The figures, for a bench or a failing assertion."""
        return [
            f"{self.articles} articles, threshold {self.threshold:.2f} (containment)",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"(TP {self.true_positives}, FP {self.false_positives}, FN {self.false_negatives})",
            "recall by language: "
            + ", ".join(f"{k} {v:.3f}" for k, v in sorted(self.recall_by_language.items())),
            f"exact containment alone (no LSH): recall {self.exact_recall:.3f}",
            f"one story: lowest {self.lowest_positive:.2f}, median {self.median_positive:.2f}; "
            f"different stories: highest {self.highest_negative:.2f}",
            *(f"  false: {a} ~ {b} {s:.2f}" for a, b, s in self.false_pairs[:10]),
            *(f"  missed: {a} ~ {b} {s:.2f}" for a, b, s in self.missed_pairs[:10]),
        ]


def measure(test: Corpus, threshold: float = DEFAULT_THRESHOLD) -> Quality:
    """Index every article, ask the index for each one's near-duplicates, count the pairs."""
    by_key = {a.key: a for a in test.articles}
    prepared = {a.key: shingles(a.text) for a in test.articles}
    index = NearDuplicateIndex()
    for key, found in prepared.items():
        index.add(key, found)
    predicted = {
        frozenset((key, match.source_id))
        for key, found in prepared.items()
        for match in index.candidates(found, threshold, exclude=(key,))
    }
    positives = test.positives()
    scores = {
        frozenset(pair): similarity(prepared[pair[0]], prepared[pair[1]])
        for pair in combinations(prepared, 2)
    }
    positive_scores = [scores[p].containment for p in positives]
    negative_scores = [s.containment for p, s in scores.items() if p not in positives]
    exact_found = sum(1 for p in positives if is_near_duplicate(scores[p], threshold))
    by_language: dict[str, list[bool]] = {}
    for pair in positives:
        lang = by_key[next(iter(pair))].lang
        by_language.setdefault(lang, []).append(pair in predicted)

    def listed(pairs: set[frozenset[str]]) -> list[tuple[str, str, float]]:
        out = [(*sorted(p), scores[p].containment) for p in pairs]
        return sorted(out, key=lambda item: -item[2])  # type: ignore[return-value]

    return Quality(
        threshold=threshold,
        articles=len(test.articles),
        true_positives=len(predicted & positives),
        false_positives=len(predicted - positives),
        false_negatives=len(positives - predicted),
        recall_by_language={k: sum(v) / len(v) for k, v in by_language.items()},
        exact_recall=exact_found / len(positives),
        lowest_positive=min(positive_scores),
        highest_negative=max(negative_scores),
        median_positive=statistics.median(positive_scores),
        false_pairs=listed(predicted - positives),
        missed_pairs=listed(positives - predicted),
    )
