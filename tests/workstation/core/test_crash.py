"""A SIGKILL in the middle of an import loses nothing that was committed,
leaves the library consistent, and a re-run finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import ROOT, run_cli_subprocess
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService

IMPORTER = """
import sys
from pathlib import Path
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
lib = Library.open(Path(sys.argv[1]), reviewer="crash", create=True)
def progress(p):
    if p.item is not None:
        print(p.item.status, flush=True)
ImportService(lib).import_paths([Path(sys.argv[2])], progress=progress)
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [3, 11])
def test_sigkill_mid_import(tmp_path: Path, kill_after: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):
        texts = [f"Monitoring report {i}, page {p}: tanker seen at Nampo." for p in range(20)]
        samples.make_pdf(folder, pages=20, texts=texts, name=f"report-{i:02}.pdf")
    lib_path = tmp_path / "lib"
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(lib_path), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    done = 0
    deadline = time.monotonic() + 120
    while done < kill_after and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.strip() == "imported":
            done += 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert done == kill_after, "the importer did not get far enough before the kill"

    # Every committed record is intact: check exits 0; the file in flight (a blob
    # and perhaps a temporary file) is a note, like git fsck's dangling objects.
    checked = run_cli_subprocess("--library", str(lib_path), "check", "--json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["problems"] == []
    lib = Library.open(lib_path, reviewer="alice")
    try:
        report = check_library(lib)
        assert report.ok, report.problems()
        assert len(report.leftovers) <= 1
        assert len(report.notes()) == len(report.leftovers) + len(report.stray_temp)
        repaired = check_library(lib, repair=True)
        assert check_library(lib).ok, repaired.problems()
        assert check_library(lib).notes() == []
        # Swept into quarantine/, never deleted.
        assert len(list((lib_path / "quarantine").glob("*.txt"))) == len(report.leftovers)

        with lib.reader() as session:
            from workstation.sources.lookup import count_sources

            committed = count_sources(session)
        assert committed >= kill_after

        rerun = ImportService(lib).import_paths([folder])
        statuses = [r.status for r in rerun.results]
        assert statuses.count("failed") == 0
        assert statuses.count("duplicate") == committed
        assert statuses.count("imported") == 30 - committed
        assert check_library(lib).ok
        with lib.reader() as session:
            total = SearchService(session, lib.search_index).search("monitoring").total
        assert total == 30 * 20
    finally:
        lib.close()


MERGER = """
import sys, time
from pathlib import Path
from workstation.core.library import Library
from workstation.bundles.import_ import BundleMerger, open_bundle
lib = Library.open(Path(sys.argv[1]), reviewer="crash", create=True)
opened = open_bundle(lib, Path(sys.argv[2]))
print("merging", flush=True)
BundleMerger(lib).merge(opened, accept_untrusted=True)
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_sigkill_mid_bundle_merge_leaves_all_or_nothing(tmp_path: Path, delay: float) -> None:
    from sqlalchemy import func, select

    from db.models import BundleImport, Source
    from workstation.bundles.export import BundleExporter, ExportOptions
    from workstation.bundles.import_ import BundleMerger, open_bundle
    from workstation.bundles.plan import ExportScope, plan_export

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(25):
        texts = [f"Annex {i}, page {p}: containers at Rajin." for p in range(10)]
        samples.make_pdf(folder, pages=10, texts=texts, name=f"annex-{i:02}.pdf")
    source_lib = Library.open(tmp_path / "theirs", reviewer="partner", create=True)
    try:
        ImportService(source_lib).import_paths([folder])
        bundle = tmp_path / "bundle"
        plan = plan_export(source_lib, ExportScope())
        BundleExporter(source_lib).export(plan, ExportOptions(out=bundle))
    finally:
        source_lib.close()

    lib_path = tmp_path / "ours"
    proc = subprocess.Popen(
        [sys.executable, "-c", MERGER, str(lib_path), str(bundle)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "merging"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    lib = Library.open(lib_path, reviewer="alice")
    try:
        with lib.reader() as session:
            sources = session.scalar(select(func.count(Source.id)))
            imports = session.scalar(select(func.count(BundleImport.id)))
        assert (sources, imports) in ((0, 0), (25, 1))  # one transaction: all or nothing
        report = check_library(lib)
        assert report.ok, report.problems()  # blobs stored before the transaction are notes
        check_library(lib, repair=True)  # ... moved to quarantine/
        assert check_library(lib).ok
        if imports == 0:  # a second try finishes the job
            with open_bundle(lib, bundle) as opened:
                BundleMerger(lib).merge(opened, accept_untrusted=True)
        with lib.reader() as session:
            assert session.scalar(select(func.count(Source.id))) == 25
            total = SearchService(session, lib.search_index).search("containers").total
        assert total == 25 * 10
        assert check_library(lib).ok
    finally:
        lib.close()
