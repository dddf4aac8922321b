"""RFC 8493 (BagIt 1.0) in both directions, each test from the sentence of the RFC it
checks: what the RFC allows older bags to write is accepted, what it forbids is refused.
bagit-python is a reference here, not the judge."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli_subprocess
from tests.workstation.bundles import bag_samples as samples
from workstation.bundles.bagit import BagError, inspect_bag, unpack_bag, verify_bag

BOM = b"\xef\xbb\xbf"
OLD_BAGIT_TXT = b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"


def _bag(tmp_path: Path, members: dict[str, bytes], name: str = "bag") -> Path:
    return samples.write_folder(tmp_path / name, members)


def _without_tagmanifest(members: dict[str, bytes]) -> dict[str, bytes]:
    # The tag manifest is optional (§2.2.1); tests that edit tag files drop it.
    return {k: v for k, v in members.items() if k != "tagmanifest-sha256.txt"}


def _manifest(lines: list[tuple[bytes, str]]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {path}\n" for data, path in lines).encode()


def _mentions(report: object, *words: str) -> bool:
    text = " | ".join(report.problems)  # type: ignore[attr-defined]
    return all(w in text for w in words)


# --- §2.1.3: "filepath is the pathname of a file relative to the base directory" ------------


def test_manifest_paths_written_dot_slash_data_are_relative_and_accepted(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["manifest-sha256.txt"] = _manifest(
        [(data, "./" + path) for path, data in samples.PAYLOAD.items()]
    )
    report = verify_bag(_bag(tmp_path, members))
    assert report.valid, report.problems
    assert report.file_count == len(samples.PAYLOAD)


def test_a_dot_segment_inside_a_manifest_path_is_still_refused(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["manifest-sha256.txt"] += _manifest([(b"x", "data/../bagit.txt")])
    report = verify_bag(_bag(tmp_path, members))
    assert not report.valid
    assert _mentions(report, "manifest-sha256.txt", "'..'")


# --- §2.2.2: "Implementations wishing to support previous BagIt versions MUST accept
# multiple linear whitespace before and after the colon when the bag version is earlier
# than 1.0; such whitespace does not form part of the label or value." ---------------------


def test_older_bags_may_put_whitespace_around_the_colon(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members(bagit_txt=OLD_BAGIT_TXT))
    octets = sum(len(d) for d in samples.PAYLOAD.values())
    members["bag-info.txt"] = (
        f"Source-Organization   :   Library of Test\n"
        f"Contact-Name\t:\tJane Doe\n"
        f"Payload-Oxum :  {octets}.{len(samples.PAYLOAD)}\n"
    ).encode()
    report = verify_bag(_bag(tmp_path, members))
    assert report.valid, report.problems
    assert report.info["Source-Organization"] == ["Library of Test"]
    assert report.info["Contact-Name"] == ["Jane Doe"]


def test_a_1_0_label_may_not_start_or_end_with_whitespace(tmp_path: Path) -> None:
    # "The label MAY contain linear whitespace characters, but MUST NOT start or end
    # with whitespace."
    members = _without_tagmanifest(samples.bag_members())
    members["bag-info.txt"] = b"Source-Organization : Test\nContact Name: Jane Doe\n"
    report = verify_bag(_bag(tmp_path, members))
    assert not report.valid
    assert _mentions(report, "bag-info.txt line 1", "spaces around it")
    assert not _mentions(report, "line 2")  # whitespace inside a label is fine
    assert report.info["Contact Name"] == ["Jane Doe"]


# --- §2.1.1: "The bag declaration itself MUST be encoded in UTF-8, and MUST NOT contain a
# byte-order mark (BOM)"; §2.3: "when bagit.txt specifies UTF-8 the tag files MUST NOT
# begin with a byte-order mark" -------------------------------------------------------------


@pytest.mark.parametrize("bagit_txt", [samples.BAGIT_TXT, OLD_BAGIT_TXT])
def test_a_byte_order_mark_in_bagit_txt_is_refused(tmp_path: Path, bagit_txt: bytes) -> None:
    members = _without_tagmanifest(samples.bag_members(bagit_txt=BOM + bagit_txt))
    report = verify_bag(_bag(tmp_path, members))
    assert not report.valid
    assert _mentions(report, "bagit.txt starts with a byte-order mark")


def test_a_byte_order_mark_in_a_utf8_tag_file_is_refused(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["bag-info.txt"] = BOM + members["bag-info.txt"]
    report = verify_bag(_bag(tmp_path, members))
    assert not report.valid
    assert _mentions(report, "bag-info.txt starts with a byte-order mark")


# --- §2.2.3: "Every file listed in the fetch file MUST be listed in every payload manifest.
# A fetch file MUST NOT list any tag files." §5.1: paths "which begin with a path character
# such as '/', '..', or a '~username' home directory reference" ----------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("data/../bagit.txt", "dot segment"),
        ("data/./x.txt", "dot segment"),
        ("../outside.txt", "dot segment"),
        ("/etc/passwd", "absolute"),
        ("~/.ssh/id_ed25519", "home-directory"),
        ("~root/.profile", "home-directory"),
        ("bag-info.txt", "not under data/"),
        ("C:/Windows/win.ini", "drive letter"),
    ],
)
def test_fetch_entries_that_leave_the_payload_are_refused(
    tmp_path: Path, path: str, reason: str
) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["fetch.txt"] = f"https://example.org/x 10 {path}\n".encode()
    bag = _bag(tmp_path, members)
    report = verify_bag(bag)
    assert not report.valid
    assert _mentions(report, "fetch.txt line 1", reason, "refused")
    assert not inspect_bag(bag).valid
    dest = tmp_path / "import"
    dest.mkdir()
    with pytest.raises(BagError, match="fetch.txt line 1"):
        unpack_bag(bag, dest)
    assert list(dest.iterdir()) == []


def test_a_fetch_entry_must_be_in_every_payload_manifest(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["fetch.txt"] = b"https://example.org/x - data/elsewhere.bin\n"
    report = verify_bag(_bag(tmp_path, members))
    assert _mentions(report, "data/elsewhere.bin is not listed in manifest-sha256.txt")


def test_a_file_still_to_be_fetched_makes_the_bag_incomplete_and_we_never_fetch(
    tmp_path: Path,
) -> None:
    # The RFC's own example bag: the manifest lists a file that fetch.txt says where
    # to get. We are offline by design: the bag is incomplete, and the reason says so.
    payload = {"data/23364a.tif": b"TIFF bytes"}
    members = _without_tagmanifest(samples.bag_members(payload))
    del members["data/23364a.tif"]
    members["fetch.txt"] = (
        b"https://cdn.loc.gov/master/pnp/highsm/23300/23364a.tif   10   data/23364a.tif\n"
    )
    bag = _bag(tmp_path, members)
    (bag / "data").mkdir(exist_ok=True)
    report = verify_bag(bag)
    assert not report.complete
    assert report.fetch == ["data/23364a.tif"]
    assert _mentions(report, "fetch.txt says to fetch it from https://cdn.loc.gov/")
    # ...and once fetched (here: copied in by hand) the same bag is valid.
    (bag / "data" / "23364a.tif").write_bytes(b"TIFF bytes")
    assert verify_bag(bag).valid


def test_a_fetch_line_needs_an_absolute_url_and_a_length(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["fetch.txt"] = b"example.org/x ten data/report.txt\njust-two data/report.txt\n"
    report = verify_bag(_bag(tmp_path, members))
    assert _mentions(report, "fetch.txt line 1", "not an absolute URL")
    assert _mentions(report, "fetch.txt line 1", "length 'ten'")
    assert _mentions(report, "fetch.txt line 2 is not 'URL LENGTH FILEPATH'")


def test_the_cli_verify_refuses_a_fetch_traversal(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members())
    members["fetch.txt"] = b"https://example.org/x 10 data/../../../etc/passwd\n"
    bag = _bag(tmp_path, members)
    r = run_cli_subprocess("--library", str(tmp_path / "no-library"), "verify", str(bag))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "fetch.txt line 1" in r.stdout
    assert "dot segment" in r.stdout


def test_a_megabyte_line_is_never_echoed_whole(tmp_path: Path) -> None:
    members = _without_tagmanifest(samples.bag_members(bagit_txt=b"X" * (4 << 20) + b"\n"))
    report = verify_bag(_bag(tmp_path, members))
    assert not report.valid
    assert max(len(p) for p in report.problems) < 400
    assert _mentions(report, "4,194,304 characters")
