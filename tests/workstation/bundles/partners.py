"""Two real libraries exchanging a real signed bundle: the sender exports, the receiver merges."""

from __future__ import annotations

from pathlib import Path

from workstation.bundles.export import BundleExporter, ExportOptions, ExportResult
from workstation.bundles.import_ import BundleMerger, MergeSummary, open_bundle
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import Profile, save_profile
from workstation.core.library import Library
from workstation.keys.keyring import KeyService

PASSPHRASE = b"correct horse battery"


def signed_export(
    lib: Library, out: Path, *, profile: str | None = None, redact: bool = False
) -> ExportResult:
    """Export everything in ``lib``, signed by a new key (and a profile that strips
    pictures' metadata, when named)."""
    keys = KeyService(lib)
    with lib.writer() as session:
        made = keys.generate(session, "Partner desk", PASSPHRASE)
        if profile is not None:
            save_profile(lib, session, Profile(profile, "RESTRICTED", strip_exif=True))
    with lib.reader() as session:
        signer = keys.signer(session, made.fingerprint, PASSPHRASE)
    plan = plan_export(lib, ExportScope(), profile, redact=redact)
    return BundleExporter(lib).export(plan, ExportOptions(out=out, signer=signer))


def merge(lib: Library, bundle: Path) -> MergeSummary:
    """Open and merge ``bundle`` into ``lib`` (its signer need not be trusted)."""
    with open_bundle(lib, bundle) as opened:
        return BundleMerger(lib).merge(opened, accept_untrusted=True)
