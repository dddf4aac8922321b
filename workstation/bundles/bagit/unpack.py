"""Unpacking a received bag into a private folder, refusing anything hostile on the way.

The copy is what gets verified and imported, so nobody can change the bag between
the check and the merge.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from workstation.bundles.bagit.model import CHECK_EVERY, DEFAULT_LIMITS, BagError, BagLimits
from workstation.bundles.bagit.readers import ReadProblem, open_bag, pump
from workstation.bundles.bagit.verify import inspect_source
from workstation.core.progress import CancelToken, Progress, ProgressCallback


def unpack_bag(
    path: Path,
    dest_parent: Path,
    *,
    limits: BagLimits = DEFAULT_LIMITS,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Copy a bag (folder or zip) into a fresh staging folder under ``dest_parent``.

    ``progress`` hears the bytes copied so far of the declared total, every few
    megabytes and after each file.

    Refuses links, devices, unsafe or colliding names and bombs, never
    follows a link and never writes outside the new folder. Before copying
    anything it reads the tag files (inspect_bag): a payload file missing from
    the manifests, a listed one that is absent, a bad tag-manifest checksum or
    a malformed bagit.txt refuses the bag with nothing written. The payload's
    checksums are not checked: run verify_bag on the returned copy (which
    nobody else can change) before trusting it.

    Returns:
        The new bag folder (``dest_parent/.<stem>.unpack-<random>``); the caller
        removes it when done.

    Raises:
        BagError: not a bag, hostile, or cannot be written; nothing is left behind.
        CancelledError: cancelled; nothing is left behind.
    """
    dest_parent = Path(dest_parent)
    if not dest_parent.is_dir():
        raise BagError(f"folder {dest_parent} does not exist")
    with open_bag(path, limits) as source:
        if source.problems:
            raise BagError(_refusal(Path(path).name, source.problems))
        # The manifests and tag files first: a payload file the manifests do not list,
        # or a listed one that is missing, is refused before a byte of payload is written.
        inspected = inspect_source(source, limits, cancel)
        if not inspected.valid:
            raise BagError(_refusal(Path(path).name, inspected.problems or ["it is not a bag"]))
        stem = Path(path).stem if Path(path).is_file() else Path(path).name
        staging = Path(tempfile.mkdtemp(prefix=f".{stem}.unpack-", dir=dest_parent))
        try:
            for folder in sorted(source.dirs, key=lambda d: d.count("/")):
                (staging / folder).mkdir(exist_ok=True)
            total = 0
            expected = sum(source.files.values())
            copied = 0
            for rel in source.order(source.files):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                declared = source.files[rel]
                total += declared
                if total > limits.max_total_bytes:
                    raise BagError(
                        f"refusing {Path(path).name}: more than {limits.max_total_bytes} bytes"
                    )
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)

                def tick(n: int, rel: str = rel) -> None:
                    nonlocal copied
                    before, copied = copied, copied + n
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    if progress is not None and copied // CHECK_EVERY != before // CHECK_EVERY:
                        progress(Progress(copied, expected, rel))

                with source.open(rel) as reader, open(target, "xb") as out:
                    pump(reader, [out.write], declared, rel, tick)
                if progress is not None:
                    progress(Progress(copied, expected, rel))
            return staging
        except ReadProblem as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise BagError(f"refusing {Path(path).name}: {e}") from e
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            raise BagError(f"cannot unpack {Path(path).name}: {e.strerror or e}") from e
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _refusal(name: str, problems: list[str]) -> str:
    more = len(problems) - 1
    return f"refusing {name}: {problems[0]}" + (
        f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    )
