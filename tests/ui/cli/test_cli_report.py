"""``workstation report`` from the command line: PDF and Word written with a --json
summary, drafts on request, and each class of bad input refused in one line with nothing
written (a bad suffix in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_cli_subprocess
from tests.workstation.report.reading import docx_text, pdf_pages
from tests.workstation.report.report_library import STATE, Facts, build


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    return build(tmp_path_factory.mktemp("cli-report") / "lib")


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("workstation: ")
    return lines[0]


def test_report_writes_pdf_and_word_with_a_json_summary(facts: Facts, tmp_path: Path) -> None:
    for name in ("out.pdf", "out.docx"):
        out = tmp_path / name
        done = run_cli(
            "report", "--library", str(facts.root), "--out", str(out),
            "--marking", "RESTRICTED", "--json",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["path"] == str(out)
        assert summary["format"] == out.suffix[1:]
        assert summary["bytes"] == out.stat().st_size
        assert [f["number"] for f in summary["findings"]] == ["F-0001", "F-0003"]
        assert summary["excluded"] == [
            "F-0002 (in review)",
            "F-0004 (draft)",
            "F-0005 (rejected)",
        ]
        assert summary["marking"] == "RESTRICTED"
        assert (summary["notes"], summary["images"], summary["vessels"]) == (5, 1, 2)
    text = " ".join(pdf_pages(tmp_path / "out.pdf"))
    body, _, furniture = docx_text(tmp_path / "out.docx")
    for written in (text, body):
        assert (
            f"A letter was sent to {STATE} on 3 March 2026; no reply had been received" in written
        )
    assert "RESTRICTED" in furniture


def test_report_reads_a_read_only_library(facts: Facts, tmp_path: Path) -> None:
    out = tmp_path / "read-only.docx"
    done = run_cli("report", "--library", str(facts.root), "--read-only", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "2 finding(s) (F-0001, F-0003)" in done.stdout
    assert out.stat().st_size > 0


def test_report_with_drafts_and_one_finding(facts: Facts, tmp_path: Path) -> None:
    out = tmp_path / "drafts.pdf"
    done = run_cli(
        "report", "--library", str(facts.root), "--finding", "F-0002", "--include-drafts",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 finding(s) (F-0002)" in done.stdout
    assert "DRAFT — not confirmed (in review)" in " ".join(pdf_pages(out))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--finding", "F-0042"], "no finding F-0042"),
        (["--case", "Nowhere"], "no case called 'Nowhere'"),
        (
            ["--finding", "F-0002"],
            "no confirmed finding to report among the findings named; 1 in draft or in "
            "review: add --include-drafts to report them",
        ),
        (["--marking", " "], "a releasability marking cannot be empty"),
    ],
)
def test_bad_requests_are_one_line_and_write_nothing(
    facts: Facts, tmp_path: Path, args: list[str], says: str
) -> None:
    out = tmp_path / "report.pdf"
    line = _one_line(run_cli("report", "--library", str(facts.root), *args, "--out", str(out)))
    assert says in line
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_cannot_be_written_is_one_line(facts: Facts, tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "report.docx"
    line = _one_line(run_cli("report", "--library", str(facts.root), "--out", str(missing)))
    assert line == f"workstation: cannot write the report: folder {missing.parent} does not exist"
    (tmp_path / "a-file").write_text("x")
    inside = tmp_path / "a-file" / "report.pdf"
    line = _one_line(run_cli("report", "--library", str(facts.root), "--out", str(inside)))
    assert "is not a folder" in line
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_a_bad_suffix_is_one_line_in_a_fresh_interpreter(facts: Facts, tmp_path: Path) -> None:
    out = tmp_path / "report.odt"
    line = _one_line(run_cli_subprocess("report", "--library", str(facts.root), "--out", str(out)))
    assert line == (
        f"workstation: a report is written as FILE.pdf or FILE.docx, not '.odt' ({out})"
    )
    assert list(tmp_path.iterdir()) == []
