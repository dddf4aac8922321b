"""Independence as ``finding show`` computed it before signatures were stored: every text
read and tokenised, every pair compared. The reference the stored path must equal
(test_corroboration.py) and the "before" figure of bench/findings_bench.py."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Page, SourceRelation
from workstation.core.library import Library
from workstation.findings.independence import (
    Declared,
    Independence,
    SharedText,
    SourceFacts,
    independent_groups,
)
from workstation.findings.near_duplicates import near_duplicate_pairs


def independence_from_texts(library: Library, facts: list[SourceFacts]) -> Independence:
    """The sources' independent groups from their page texts and declared relations."""
    ids = [int(f.source_id) for f in facts]
    with library.reader() as session:
        texts: dict[str, str] = {}
        for source_id, text in session.execute(
            select(Page.source_id, Page.text)
            .where(Page.source_id.in_(ids))
            .order_by(Page.source_id, Page.number)
        ):
            texts[str(source_id)] = texts.get(str(source_id), "") + "\n" + text
        declared = [
            Declared(str(r.child_id), str(r.parent_id), r.relation)  # type: ignore[arg-type]
            for r in session.scalars(
                select(SourceRelation)
                .where(
                    SourceRelation.relation.in_(("derived_from", "same_origin")),
                    SourceRelation.child_id.in_(ids) | SourceRelation.parent_id.in_(ids),
                )
                .order_by(SourceRelation.parent_id, SourceRelation.child_id)
            )
        ]
    shared = [SharedText(a, b, s.containment) for a, b, s in near_duplicate_pairs(texts)]
    return independent_groups(facts, declared, shared)
