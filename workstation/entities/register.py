"""Entities (vessels, companies, places...) and their recognition in text.

Reviewers keep coming back to the same ships, ports and companies under
several spellings and several scripts, and the same hull under several names
and flags. This module gives them one record per thing:

- Recognition is pure (no database): ``find_imo`` and ``find_mmsi`` read
  identifiers out of text in any script; an IMO number counts only when its
  check digit is right, and an MMSI carries the flag its first three digits
  (the Maritime Identification Digits, a table in ``resources/identifiers/``)
  stand for.
- The library side keeps entities with aliases and identifiers unique per
  scheme, links them to annotations, merges duplicates and shows everything
  that mentions one. Every change writes an audit event in the same
  transaction; ``suggest`` and the other readers never write anything.

Offsets are Python string indexes, i.e. Unicode code points, like annotation
anchors: an emoji before a match counts as one.

``entity_page`` finds mentions in page text with a SQL ``LIKE`` prefilter over
the pages table, then checks each hit in Python with the same whole-word rules
as ``match_known`` (SQLite's LIKE folds case for ASCII only, so spelling
variants of each term are OR-ed into the prefilter). The search index is not
used: it tokenises, which loses the substring rule CJK names need.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationEntity, Entity, EntityIdentifier, Page, Source
from workstation.annotations.anchors import AnnotationData
from workstation.annotations.records import to_data
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library

KINDS = ("vessel", "company", "person", "location", "aircraft", "bank")
MAX_NAME = 500
MIN_TERM = 2


class EntityError(WorkstationError):
    """An entity cannot be made or changed as asked."""


class IdentifierClashError(EntityError):
    """An identifier already belongs to another entity."""


# --- recognition (no database) ---------------------------------------------

MID_RESOURCE = ("identifiers", "maritime-mid.json")


def _read_mid_flags() -> Mapping[str, str]:
    """The Maritime Identification Digits table shipped in ``resources/``."""
    resource = files("resources").joinpath(*MID_RESOURCE)
    flags = json.loads(resource.read_text(encoding="utf-8"))["flags"]
    return MappingProxyType({str(mid): str(flag) for mid, flag in flags.items()})


#: MID (an MMSI's first three digits) -> flag, read once from ``resources/``.
MID_FLAGS: Mapping[str, str] = _read_mid_flags()

_DIGIT = "[0-9\uff10-\uff19]"  # ASCII and full-width digits (Japanese text)
# "IMO 9074729", "IMO: 9074729", "IMO No. 9074729", "IMO9074729", "ИМО 9074729",
# "IMO번호 9074729", "IMO番号：9074729"; not inside a longer word or number.
_LABEL_TAIL = r"(?:[\s:：.\-#№]|(?i:no|nr|number|номер)\b\.?|번호|番号)*"
_IMO_RE = re.compile(
    rf"(?<![A-Za-zА-Яа-яЁё])(?:IMO|ИМО|ＩＭＯ){_LABEL_TAIL}({_DIGIT}{{7}})(?!{_DIGIT})"
)
_MMSI_RE = re.compile(
    rf"(?<![A-Za-zА-Яа-яЁё])(?:MMSI|ММСИ|ＭＭＳＩ){_LABEL_TAIL}({_DIGIT}{{9}})(?!{_DIGIT})"
)


@dataclass(frozen=True)
class Candidate:
    """Something recognised in a text; never stored by this module.

    Attributes:
        kind: ``imo``, ``mmsi`` or ``name`` (a known entity's name or alias).
        value: the normalised value: ASCII digits for identifiers, the
            entity's canonical name for names.
        start: offset of the match in the text, in code points.
        end: offset just past the match.
        text: ``text[start:end]`` as written (``"IMO No. 9074729"``, ``"Najin"``).
        flag: the flag an MMSI's first three digits stand for, if known.
        entity_uuid: the known entity it belongs to, if any.
    """

    kind: str
    value: str
    start: int
    end: int
    text: str
    flag: str | None = None
    entity_uuid: str | None = None


def _ascii_digits(value: str) -> str:
    return "".join(str(unicodedata.digit(ch)) for ch in value)


def imo_valid(number: str) -> bool:
    """Whether ``number`` is seven digits with a correct IMO check digit.

    The check digit is ``(d1*7 + d2*6 + d3*5 + d4*4 + d5*3 + d6*2) mod 10``.
    """
    if len(number) != 7 or not all(ch in "0123456789" for ch in number):
        return False
    digits = [int(ch) for ch in number]
    total = sum(d * w for d, w in zip(digits[:6], (7, 6, 5, 4, 3, 2), strict=True))
    return total % 10 == digits[6]


def mmsi_flag(mmsi: str) -> str | None:
    """The flag whose Maritime Identification Digits start ``mmsi``, if known."""
    return MID_FLAGS.get(mmsi[:3])


def find_imo(text: str) -> list[Candidate]:
    """IMO ship numbers with a correct check digit, in order of appearance."""
    found: list[Candidate] = []
    for match in _IMO_RE.finditer(text):
        value = _ascii_digits(match.group(1))
        if imo_valid(value):
            found.append(Candidate("imo", value, match.start(), match.end(), match.group(0)))
    return found


def find_mmsi(text: str) -> list[Candidate]:
    """Nine-digit MMSIs written after "MMSI", with their flag when the MID is known."""
    found: list[Candidate] = []
    for match in _MMSI_RE.finditer(text):
        value = _ascii_digits(match.group(1))
        found.append(
            Candidate(
                "mmsi", value, match.start(), match.end(), match.group(0), flag=mmsi_flag(value)
            )
        )
    return found


def _is_cjk(term: str) -> bool:
    """Whether a term has Han, Hangul or kana, which are written without spaces."""
    for ch in term:
        name = unicodedata.name(ch, "")
        if name.startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")):
            return True
    return False


def _term_pattern(term: str) -> re.Pattern[str]:
    """Whole-word (Latin/Cyrillic) or substring (CJK) pattern, any whitespace inside."""
    body = r"\s+".join(re.escape(part) for part in term.split())
    if _is_cjk(term):
        return re.compile(body, re.IGNORECASE)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


#: Letters ``re.IGNORECASE`` matches with ASCII ones that ``str.lower`` keeps apart.
_FOLD_EXTRA = str.maketrans({"ı": "i", "ſ": "s", "İ": "i", "K": "k"})


def _fold(text: str) -> str:
    """Single spaces, lower case: a term that matches a text ignoring case and
    whitespace is a substring of the text folded so."""
    return " ".join(text.split()).translate(_FOLD_EXTRA).lower()


def _find_terms(text: str, terms: Iterable[tuple[str, Entity]]) -> list[Candidate]:
    hits: list[Candidate] = []
    folded = _fold(text)
    for term, entity in terms:
        # A substring test first: compiling a pattern per term of every entity
        # (10,000 entities, 30,000 terms) took over a second per passage.
        if _fold(term) not in folded:
            continue
        for match in _term_pattern(term).finditer(text):
            hits.append(
                Candidate(
                    "name",
                    entity.name,
                    match.start(),
                    match.end(),
                    match.group(0),
                    entity_uuid=entity.uuid,
                )
            )
    # Longest match wins where terms overlap ("Rajin port" over "Rajin"); the
    # same span may name several entities (a port and a ship called Rajin).
    hits.sort(key=lambda c: (c.start, -(c.end - c.start), c.value))
    kept: list[Candidate] = []
    for hit in hits:
        clash = [k for k in kept if k.start < hit.end and hit.start < k.end]
        if not clash or all(
            (k.start, k.end) == (hit.start, hit.end) and k.entity_uuid != hit.entity_uuid
            for k in clash
        ):
            kept.append(hit)
    return kept


# --- cleaning --------------------------------------------------------------


def _clean_name(name: str, what: str = "an entity name") -> str:
    cleaned = " ".join(name.split()) if isinstance(name, str) else ""
    if not cleaned:
        raise EntityError(f"{what} cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise EntityError(f"{what} is at most {MAX_NAME} characters")
    return cleaned


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise EntityError(f"entity kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def _clean_aliases(aliases: Iterable[str], name: str) -> list[str]:
    seen = {name.casefold()}
    out: list[str] = []
    for alias in aliases:
        cleaned = _clean_name(alias, "an alias")
        if cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            out.append(cleaned)
    return out


def _clean_identifier(scheme: str, value: str) -> tuple[str, str]:
    scheme = scheme.strip().lower() if isinstance(scheme, str) else ""
    if not scheme or len(scheme) > 32:
        raise EntityError(f"identifier scheme {scheme!r} must be 1-32 characters")
    value = " ".join(value.split()) if isinstance(value, str) else ""
    if not value or len(value) > 200:
        raise EntityError(f"a {scheme} identifier must be 1-200 characters")
    if scheme in ("imo", "mmsi"):
        value = re.sub(rf"^(?:{scheme})\s*:?\s*", "", value, flags=re.IGNORECASE)
        if value and all(unicodedata.digit(ch, None) is not None for ch in value):
            value = _ascii_digits(value)
    if scheme == "imo" and not imo_valid(value):
        raise EntityError(f"IMO {value} is not a valid IMO number (check digit)")
    if scheme == "mmsi" and (len(value) != 9 or not value.isdigit()):
        raise EntityError(f"MMSI {value} is not nine digits")
    return scheme, value


def _identifier_pairs(
    identifiers: Mapping[str, str | Sequence[str]],
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for scheme, values in identifiers.items():
        for value in [values] if isinstance(values, str) else values:
            pair = _clean_identifier(scheme, value)
            if pair not in pairs:
                pairs.append(pair)
    return pairs


def _label(scheme: str, value: str) -> str:
    return f"{scheme.upper() if scheme in ('imo', 'mmsi') else scheme} {value}"


def _check_clashes(session: Session, pairs: list[tuple[str, str]], entity_id: int | None) -> None:
    """Refuse identifiers that an entity other than ``entity_id`` holds."""
    for scheme, value in pairs:
        holder = session.scalar(
            select(Entity)
            .join(EntityIdentifier, EntityIdentifier.entity_id == Entity.id)
            .where(EntityIdentifier.scheme == scheme, EntityIdentifier.value == value)
        )
        if holder is not None and holder.id != entity_id:
            raise IdentifierClashError(
                f"{_label(scheme, value)} already belongs to {holder.kind} {holder.name!r} "
                f"({holder.uuid[:8]})"
            )


def _set_identifiers(session: Session, entity: Entity, pairs: list[tuple[str, str]]) -> None:
    """Make ``pairs`` the entity's identifiers, refusing ones another entity holds."""
    _check_clashes(session, pairs, entity.id)
    existing = {
        (row.scheme, row.value): row
        for row in session.scalars(
            select(EntityIdentifier).where(EntityIdentifier.entity_id == entity.id)
        )
    }
    for key, row in existing.items():
        if key not in pairs:
            session.delete(row)
    for scheme, value in pairs:
        if (scheme, value) not in existing:
            session.add(EntityIdentifier(entity_id=entity.id, scheme=scheme, value=value))
    session.flush()


# --- reading ---------------------------------------------------------------


def identifiers_of(session: Session, entity: Entity) -> list[tuple[str, str]]:
    """The entity's identifiers as ``(scheme, value)``, sorted."""
    rows = session.execute(
        select(EntityIdentifier.scheme, EntityIdentifier.value)
        .where(EntityIdentifier.entity_id == entity.id)
        .order_by(EntityIdentifier.scheme, EntityIdentifier.value)
    )
    return [(scheme, value) for scheme, value in rows]


def _snapshot(session: Session, entity: Entity) -> dict[str, Any]:
    return {
        "kind": entity.kind,
        "name": entity.name,
        "aliases": list(entity.aliases or []),
        "identifiers": [list(pair) for pair in identifiers_of(session, entity)],
        "attributes": dict(entity.attributes or {}),
    }


def get_entity(session: Session, entity_uuid: str) -> Entity:
    """The entity with this uuid, or the one it was merged into.

    Raises:
        NotFoundError: no such entity, current or merged.
    """
    entity = session.scalar(select(Entity).where(Entity.uuid == entity_uuid))
    if entity is not None:
        return entity
    if entity_uuid:
        for candidate in session.scalars(
            select(Entity).where(cast(Entity.attributes, String).like(f"%{entity_uuid}%"))
        ):
            if entity_uuid in (candidate.attributes or {}).get("merged_from", []):
                return candidate
    raise NotFoundError(f"no entity {entity_uuid}")


def terms_of(entity: Entity) -> list[str]:
    """Name, aliases and former names: what a text may call the entity."""
    terms: list[str] = []
    former = (entity.attributes or {}).get("former_names", [])
    for term in [entity.name, *(entity.aliases or []), *former]:
        if isinstance(term, str) and len(term) >= MIN_TERM and term not in terms:
            terms.append(term)
    return terms


def find_entities(
    session: Session, text: str | None = None, kind: str | None = None
) -> list[Entity]:
    """Entities whose name, alias or former name contains ``text`` (any case, any script).

    SQLite's ``lower()`` folds ASCII only, so the comparison is done in Python
    with ``casefold`` (Cyrillic and Greek too).
    """
    stmt = select(Entity).order_by(Entity.name, Entity.id)
    if kind is not None:
        stmt = stmt.where(Entity.kind == _check_kind(kind))
    entities = list(session.scalars(stmt))
    if not text or not text.strip():
        return entities
    needle = " ".join(text.split()).casefold()
    return [e for e in entities if any(needle in t.casefold() for t in terms_of(e))]


def match_known(session: Session, text: str) -> list[Candidate]:
    """Known entity names, aliases and former names found in ``text``.

    Latin and Cyrillic terms match whole words only ("Rajin" is not found in
    "Rajinder"); terms in Han, Hangul or kana match as substrings, since those
    scripts attach particles without spaces ("라진항에서").
    """
    terms = [
        (term, entity) for entity in session.scalars(select(Entity)) for term in terms_of(entity)
    ]
    return _find_terms(text, terms)


def suggest(session: Session, text: str) -> list[Candidate]:
    """IMO numbers, MMSIs and known names in ``text``, in order; writes nothing.

    An IMO or MMSI that a known entity holds carries that entity's uuid.
    """
    found: list[Candidate] = []
    for candidate in [*find_imo(text), *find_mmsi(text)]:
        holder = session.scalar(
            select(Entity.uuid)
            .join(EntityIdentifier, EntityIdentifier.entity_id == Entity.id)
            .where(
                EntityIdentifier.scheme == candidate.kind,
                EntityIdentifier.value == candidate.value,
            )
        )
        found.append(
            Candidate(
                candidate.kind,
                candidate.value,
                candidate.start,
                candidate.end,
                candidate.text,
                flag=candidate.flag,
                entity_uuid=holder,
            )
        )
    found.extend(match_known(session, text))
    found.sort(key=lambda c: (c.start, c.end, c.kind))
    return found


# --- changing --------------------------------------------------------------


def add_entity(
    library: Library,
    session: Session,
    kind: str,
    name: str,
    *,
    aliases: Iterable[str] = (),
    identifiers: Mapping[str, str | Sequence[str]] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Entity:
    """Add an entity.

    Args:
        library: the library (for the audit trail).
        session: a write session.
        kind: one of ``KINDS``.
        name: the canonical name.
        aliases: other spellings (in any script); duplicates are dropped.
        identifiers: ``{scheme: value}`` (or a list of values); ``imo`` must
            pass the check digit, ``mmsi`` must be nine digits.
        attributes: free-form facts (flag, tonnage, built...).

    Raises:
        EntityError: a bad kind, name, alias or identifier.
        IdentifierClashError: another entity holds one of the identifiers.
    """
    kind = _check_kind(kind)
    name = _clean_name(name)
    entity = Entity(
        uuid=str(uuidlib.uuid4()),
        kind=kind,
        name=name,
        aliases=_clean_aliases(aliases, name),
        attributes=dict(attributes or {}),
        created_at=utc_now(),
    )
    pairs = _identifier_pairs(identifiers or {})
    _check_clashes(session, pairs, None)  # before adding: a refusal leaves nothing behind
    session.add(entity)
    session.flush()
    _set_identifiers(session, entity, pairs)
    library.record(session, "entity.create", "entity", entity.uuid, _snapshot(session, entity))
    return entity


def update_entity(
    library: Library,
    session: Session,
    entity_uuid: str,
    *,
    name: str | None = None,
    aliases: Iterable[str] | None = None,
    identifiers: Mapping[str, str | Sequence[str]] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Entity:
    """Change what is given; ``None`` leaves a field alone.

    ``aliases``, ``identifiers`` and ``attributes`` replace the stored ones
    whole. A renamed entity keeps its former name in
    ``attributes['former_names']`` (which ``match_known`` also looks for): ships
    are renamed to shed a history, front companies to shed a designation, and a
    corrected spelling is still how older sources wrote it.

    Raises:
        NotFoundError: no such entity.
        EntityError: a bad name, alias or identifier.
        IdentifierClashError: another entity holds one of the identifiers.
    """
    entity = get_entity(session, entity_uuid)
    before = _snapshot(session, entity)
    attrs = dict(entity.attributes or {}) if attributes is None else dict(attributes)
    # Kept whatever the caller sends: the names a text may still use, and the uuids
    # of entities merged into this one (exported annotations refer to those).
    for kept in ("former_names", "merged_from"):
        if attributes is not None and kept in (entity.attributes or {}):
            attrs.setdefault(kept, list(entity.attributes[kept]))
    new_name = entity.name if name is None else _clean_name(name)
    if new_name != entity.name:
        former = [n for n in attrs.get("former_names", []) if n != new_name]
        if entity.name not in former:
            former.append(entity.name)
        attrs["former_names"] = former
    entity.name = new_name
    entity.attributes = attrs
    entity.aliases = _clean_aliases(entity.aliases if aliases is None else aliases, new_name)
    if identifiers is not None:
        _set_identifiers(session, entity, _identifier_pairs(identifiers))
    session.flush()
    after = _snapshot(session, entity)
    if after != before:
        library.record(
            session, "entity.edit", "entity", entity.uuid, {"before": before, "after": after}
        )
    return entity


def merge_entities(library: Library, session: Session, source_uuid: str, into_uuid: str) -> Entity:
    """Fold ``source`` into ``into``: aliases, identifiers and annotation links move.

    The source's name becomes an alias of ``into``, its attributes fill keys
    ``into`` lacks (those ``into`` has with another value are kept in the audit
    event as ``attributes_dropped``), and its row is removed; its uuid is kept in
    ``into.attributes['merged_from']`` so ``get_entity`` still resolves it
    (exported annotations refer to entities by uuid).

    Raises:
        NotFoundError: either entity does not exist.
        EntityError: the same entity twice, or entities of different kinds.
    """
    source = get_entity(session, source_uuid)
    into = get_entity(session, into_uuid)
    if source.id == into.id:
        raise EntityError("cannot merge an entity into itself")
    if source.kind != into.kind:
        raise EntityError(
            f"cannot merge {source.kind} {source.name!r} into {into.kind} {into.name!r}"
        )
    moved_ids = identifiers_of(session, source)
    session.execute(
        update(EntityIdentifier)
        .where(EntityIdentifier.entity_id == source.id)
        .values(entity_id=into.id)
    )
    into_links = set(
        session.scalars(
            select(AnnotationEntity.annotation_id).where(AnnotationEntity.entity_id == into.id)
        )
    )
    source_links = list(
        session.scalars(
            select(AnnotationEntity.annotation_id).where(AnnotationEntity.entity_id == source.id)
        )
    )
    session.execute(delete(AnnotationEntity).where(AnnotationEntity.entity_id == source.id))
    for annotation_id in source_links:
        if annotation_id not in into_links:
            session.add(AnnotationEntity(annotation_id=annotation_id, entity_id=into.id))
    attrs = dict(into.attributes or {})
    source_attrs = dict(source.attributes or {})
    dropped: dict[str, Any] = {}
    for key, value in source_attrs.items():
        if key in ("former_names", "merged_from"):
            continue
        if key in attrs and attrs[key] != value:
            dropped[key] = value  # the kept entity's fact wins; the other stays on record
        attrs.setdefault(key, value)
    former = list(attrs.get("former_names", []))
    for old in source_attrs.get("former_names", []):
        if old not in former and old != into.name:
            former.append(old)
    if former:
        attrs["former_names"] = former
    attrs["merged_from"] = [
        *attrs.get("merged_from", []),
        source.uuid,
        *source_attrs.get("merged_from", []),
    ]
    into.attributes = attrs
    into.aliases = _clean_aliases(
        [*(into.aliases or []), source.name, *(source.aliases or [])], into.name
    )
    details = {
        "source": source.uuid,
        "source_name": source.name,
        "aliases": into.aliases,
        "identifiers_moved": [list(pair) for pair in moved_ids],
        "annotations_moved": len(source_links),
        "attributes_dropped": dropped,
    }
    session.delete(source)
    session.flush()
    library.record(session, "entity.merge", "entity", into.uuid, details)
    return into


def _annotation(session: Session, annotation_uuid: str) -> Annotation:
    row = session.scalar(select(Annotation).where(Annotation.uuid == annotation_uuid))
    if row is None:
        raise NotFoundError(f"no annotation {annotation_uuid}")
    return row


def link_annotation(
    library: Library, session: Session, annotation_uuid: str, entity_uuid: str
) -> bool:
    """Record that an annotation mentions an entity; False when it already was.

    Raises:
        NotFoundError: no such annotation or entity.
        EntityError: the annotation was deleted.
    """
    annotation = _annotation(session, annotation_uuid)
    if annotation.deleted_at is not None:
        raise EntityError("this annotation was deleted; undo the deletion first")
    entity = get_entity(session, entity_uuid)
    key = {"annotation_id": annotation.id, "entity_id": entity.id}
    if session.get(AnnotationEntity, key) is not None:
        return False
    session.add(AnnotationEntity(**key))
    session.flush()
    library.record(
        session,
        "annotation.link_entity",
        "annotation",
        annotation.uuid,
        {"entity": entity.uuid, "name": entity.name},
    )
    return True


def unlink_annotation(
    library: Library, session: Session, annotation_uuid: str, entity_uuid: str
) -> bool:
    """Remove an annotation-entity link; False when there was none.

    Raises:
        NotFoundError: no such annotation or entity.
    """
    annotation = _annotation(session, annotation_uuid)
    entity = get_entity(session, entity_uuid)
    link = session.get(AnnotationEntity, {"annotation_id": annotation.id, "entity_id": entity.id})
    if link is None:
        return False
    session.delete(link)
    session.flush()
    library.record(
        session,
        "annotation.unlink_entity",
        "annotation",
        annotation.uuid,
        {"entity": entity.uuid, "name": entity.name},
    )
    return True


# --- the entity page -------------------------------------------------------


@dataclass(frozen=True)
class SourceMention:
    """A source whose text mentions an entity.

    Attributes:
        source_id: the source's row id.
        source_uuid: the source's uuid.
        title: its title (or original file name).
        pages: page numbers with a mention.
        matched: the terms found (name, alias, former name or identifier).
    """

    source_id: int
    source_uuid: str
    title: str
    pages: tuple[int, ...]
    matched: tuple[str, ...]


@dataclass(frozen=True)
class EntityPage:
    """Everything the library holds about one entity."""

    entity: Entity
    identifiers: list[tuple[str, str]]
    annotations: list[AnnotationData] = field(default_factory=list)
    sources: list[SourceMention] = field(default_factory=list)


def _like_variants(term: str) -> set[str]:
    return {term, term.lower(), term.upper(), term.capitalize(), term.title()}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _identifier_pattern(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])")


def entity_page(session: Session, entity_uuid: str) -> EntityPage:
    """The entity, its identifiers, linked annotations and sources that mention it.

    Linked annotations that were deleted are left out. Sources are found by a
    SQL ``LIKE`` over page text (one OR-ed prefilter of spelling variants),
    each hit checked with ``match_known``'s rules; identifiers match as whole
    tokens (``9074729`` but not ``19074729``).

    Raises:
        NotFoundError: no such entity.
    """
    entity = get_entity(session, entity_uuid)
    identifiers = identifiers_of(session, entity)
    rows = session.scalars(
        select(Annotation)
        .join(AnnotationEntity, AnnotationEntity.annotation_id == Annotation.id)
        .where(AnnotationEntity.entity_id == entity.id, Annotation.deleted_at.is_(None))
        .order_by(Annotation.source_id, Annotation.page, Annotation.start, Annotation.id)
    )
    annotations = [to_data(session, row) for row in rows]

    terms = terms_of(entity)
    checks: list[tuple[str, re.Pattern[str]]] = [(t, _term_pattern(t)) for t in terms]
    checks += [(v, _identifier_pattern(v)) for _, v in identifiers if len(v) >= MIN_TERM]
    likes = {v for t in terms for v in _like_variants(t)} | {v for _, v in identifiers}
    mentions: dict[int, tuple[set[int], set[str]]] = {}
    if likes:
        pages = session.execute(
            select(Page.source_id, Page.number, Page.text)
            .where(or_(*(Page.text.like(f"%{_escape_like(v)}%", escape="\\") for v in likes)))
            .order_by(Page.source_id, Page.number)
        )
        for source_id, number, text in pages:
            matched = {label for label, pattern in checks if pattern.search(text)}
            if matched:
                found_pages, found_terms = mentions.setdefault(source_id, (set(), set()))
                found_pages.add(number)
                found_terms |= matched
    sources: list[SourceMention] = []
    if mentions:
        for source in session.scalars(
            select(Source).where(Source.id.in_(mentions)).order_by(Source.id)
        ):
            found_pages, found_terms = mentions[source.id]
            sources.append(
                SourceMention(
                    source_id=source.id,
                    source_uuid=source.uuid,
                    title=source.title or source.original_filename,
                    pages=tuple(sorted(found_pages)),
                    matched=tuple(sorted(found_terms)),
                )
            )
    return EntityPage(entity, identifiers, annotations, sources)


__all__ = [
    "KINDS",
    "MID_FLAGS",
    "Candidate",
    "EntityError",
    "EntityPage",
    "IdentifierClashError",
    "SourceMention",
    "add_entity",
    "entity_page",
    "find_entities",
    "find_imo",
    "find_mmsi",
    "get_entity",
    "identifiers_of",
    "imo_valid",
    "link_annotation",
    "match_known",
    "merge_entities",
    "mmsi_flag",
    "suggest",
    "terms_of",
    "unlink_annotation",
    "update_entity",
]
