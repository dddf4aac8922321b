"""Recipient profiles: what a partner state may receive in a bundle.

A profile names the releasability marking printed on every page and written
to bag-info.txt, and says whether originals travel, whether image metadata
(EXIF, GPS) is stripped and whether redaction marks are applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RecipientProfile
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library

MAX_MARKING = 200
DEFAULT_MARKING = "INTERNAL — NOT FOR RELEASE"


class ProfileError(WorkstationError):
    """A recipient profile cannot be made or changed as asked."""


@dataclass(frozen=True)
class Profile:
    """A recipient profile as plain data."""

    name: str
    marking: str
    include_originals: bool = True
    strip_exif: bool = True
    apply_redactions: bool = True

    def as_json(self) -> dict[str, object]:
        """The shape ``profiles list --json`` prints and case.json carries."""
        return {
            "name": self.name,
            "marking": self.marking,
            "include_originals": self.include_originals,
            "strip_exif": self.strip_exif,
            "apply_redactions": self.apply_redactions,
        }


#: What an export without ``--profile`` uses: everything as it is, marked internal;
#: ``--redact`` turns redaction on.
INTERNAL = Profile(
    name="internal",
    marking=DEFAULT_MARKING,
    include_originals=True,
    strip_exif=False,
    apply_redactions=False,
)


#: For a partner state: redaction marks applied (a redacted source travels as its
#: redacted derivative, never as the original), EXIF/GPS stripped from images.
PARTNER = Profile(
    name="partner",
    marking="RESTRICTED — RELEASABLE TO PARTNERS, REDACTED",
    include_originals=True,
    strip_exif=True,
    apply_redactions=True,
)

#: Offered in every library beside its own profiles (a library's own profile of
#: the same name wins).
BUILT_IN = (PARTNER, INTERNAL)


def with_built_ins(profiles: list[Profile]) -> list[Profile]:
    """The library's profiles and the built-in ones it has not redefined."""
    names = {p.name for p in profiles}
    return [*profiles, *(p for p in BUILT_IN if p.name not in names)]


def _clean(name: str, marking: str) -> tuple[str, str]:
    name = " ".join(name.split())
    marking = " ".join(marking.split())
    if not name:
        raise ProfileError("a profile name cannot be empty")
    if len(name) > 200:
        raise ProfileError("a profile name is at most 200 characters")
    if not marking:
        raise ProfileError("a releasability marking cannot be empty (e.g. 'RESTRICTED — MSMT')")
    if len(marking) > MAX_MARKING:
        raise ProfileError(f"a releasability marking is at most {MAX_MARKING} characters")
    return name, marking


def _plain(row: RecipientProfile) -> Profile:
    return Profile(
        name=row.name,
        marking=row.marking,
        include_originals=row.include_originals,
        strip_exif=row.strip_exif,
        apply_redactions=row.apply_redactions,
    )


def list_profiles(session: Session) -> list[Profile]:
    """The library's profiles by name."""
    rows = session.scalars(select(RecipientProfile).order_by(RecipientProfile.name))
    return [_plain(r) for r in rows]


def get_profile(session: Session, name: str) -> Profile:
    """The profile called ``name`` (``partner`` and ``internal`` are built in unless
    the library has its own)."""
    row = session.scalar(select(RecipientProfile).where(RecipientProfile.name == name.strip()))
    if row is not None:
        return _plain(row)
    built_in = next((p for p in BUILT_IN if p.name == name.strip()), None)
    if built_in is not None:
        return built_in
    names = [p.name for p in with_built_ins(list_profiles(session))]
    raise NotFoundError(f"no recipient profile {name!r} (known: {', '.join(names)})")


def save_profile(library: Library, session: Session, profile: Profile) -> Profile:
    """Add a profile, or change the one with the same name (audited)."""
    name, marking = _clean(profile.name, profile.marking)
    clean = Profile(
        name, marking, profile.include_originals, profile.strip_exif, profile.apply_redactions
    )
    row = session.scalar(select(RecipientProfile).where(RecipientProfile.name == name))
    now = utc_now()
    if row is None:
        row = RecipientProfile(name=name, created_at=now, modified_at=now, marking=marking)
        session.add(row)
        action = "profile.create"
    else:
        if _plain(row) == clean:
            return clean
        action = "profile.edit"
        row.modified_at = now
    row.marking = marking
    row.include_originals = clean.include_originals
    row.strip_exif = clean.strip_exif
    row.apply_redactions = clean.apply_redactions
    session.flush()
    library.record(session, action, "profile", name, clean.as_json())
    return clean


def delete_profile(library: Library, session: Session, name: str) -> None:
    """Remove a profile (audited); bundles already written keep their marking."""
    row = session.scalar(select(RecipientProfile).where(RecipientProfile.name == name.strip()))
    if row is None:
        raise NotFoundError(f"no recipient profile {name!r}")
    session.delete(row)
    library.record(session, "profile.delete", "profile", row.name, {})
