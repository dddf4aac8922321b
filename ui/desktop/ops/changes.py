"""What an operation changed, announced once so panels refresh what concerns them.

A write operation returns a ``Changes``; the controller emits it on the GUI
thread and every panel that subscribed decides for itself whether to reload,
instead of the window fanning refreshes out by hand (Anki's ``OpChanges``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Which kinds of record an operation changed.

    Attributes:
        source_set: sources were added or removed (lists, counts, cases).
        sources: these sources' own records changed (title, date, grade).
        annotations: the annotations of these sources changed.
        entities: entities or their links changed.
        taxonomy: categories changed.
        keys: signing keys or recipient profiles changed.
        findings: findings changed.
    """

    source_set: bool = False
    sources: frozenset[int] = field(default_factory=frozenset)
    annotations: frozenset[int] = field(default_factory=frozenset)
    entities: bool = False
    taxonomy: bool = False
    keys: bool = False
    findings: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            source_set=self.source_set or other.source_set,
            sources=self.sources | other.sources,
            annotations=self.annotations | other.annotations,
            entities=self.entities or other.entities,
            taxonomy=self.taxonomy or other.taxonomy,
            keys=self.keys or other.keys,
            findings=self.findings or other.findings,
        )

    def __bool__(self) -> bool:
        return bool(
            self.source_set
            or self.sources
            or self.annotations
            or self.entities
            or self.taxonomy
            or self.keys
            or self.findings
        )

    @classmethod
    def of_annotations(cls, *source_ids: int) -> Changes:
        """The marks of these sources changed."""
        return cls(annotations=frozenset(source_ids))

    @classmethod
    def of_sources(cls, *source_ids: int) -> Changes:
        """These sources' records changed."""
        return cls(sources=frozenset(source_ids))


NOTHING = Changes()
SOURCE_SET = Changes(source_set=True)
TAXONOMY = Changes(taxonomy=True)
ENTITIES = Changes(entities=True)
KEYS = Changes(keys=True)
