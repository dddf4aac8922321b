"""Verifying anyone's bag: a folder or a zip, from any producer, checked against RFC 8493.

Every problem (a bad checksum, a missing or unlisted file, a hostile entry) is reported
with the file it concerns rather than raised, so a reviewer sees all of them at once.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from workstation.bundles.bagit.model import (
    CHECK_EVERY,
    DEFAULT_LIMITS,
    BagError,
    BagLimits,
    BagReport,
)
from workstation.bundles.bagit.names import (
    MANIFEST_NAME,
    decode_manifest_path,
    path_problem,
    shown,
    split_lines,
    strip_dot_slash,
)
from workstation.bundles.bagit.readers import (
    BagSource,
    FolderSource,
    ReadProblem,
    open_bag,
    pump,
)
from workstation.core.progress import CancelToken, Progress, ProgressCallback

SUPPORTED_ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
# Tag files up to this size are handed to the caller (signature, signer key).
SMALL_TAG_FILE = 1 << 20
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_OXUM = re.compile(r"^(\d+)\.(\d+)$")
_VERSION_LINE = re.compile(r"^BagIt-Version(\s*):(\s*)(\d+)\.(\d+)$")
_ENCODING_LINE = re.compile(r"^Tag-File-Character-Encoding(\s*):(\s*)(\S+)$")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")
_FETCH_LENGTH = re.compile(r"^(\d+|-)$")
# manifest name -> (algorithm, path -> expected checksum or None when unsupported)
_Manifests = dict[str, tuple[str, dict[str, str | None]]]


def verify_bag(
    path: Path,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    limits: BagLimits = DEFAULT_LIMITS,
) -> BagReport:
    """Check a bag folder or a .zip holding one, from any producer.

    Zips are read entry by entry, never extracted. Bag problems (bad
    checksums, missing or extra files, hostile entries) are reported in the
    BagReport, not raised.

    Raises:
        BagError: ``path`` is not a bag at all or cannot be read.
        CancelledError: cancelled.
    """
    with open_bag(path, limits) as source:
        return _Verifier(source, limits, cancel, progress).run()


def inspect_bag(
    path: Path,
    *,
    cancel: CancelToken | None = None,
    limits: BagLimits = DEFAULT_LIMITS,
) -> BagReport:
    """Everything verify_bag checks except the payload's checksums, reading only tag files.

    What a received bag must pass before a byte of its payload is copied anywhere:
    bagit.txt, bag-info.txt, the manifests and fetch.txt parse; every payload file is
    listed and every listed file is there (by the sizes in the folder or the zip's
    directory); the tag manifests' checksums agree. ``payload_checked`` is False in
    the report: ``valid`` says nothing about the payload's bytes yet.

    Raises:
        BagError: ``path`` is not a bag at all or cannot be read.
        CancelledError: cancelled.
    """
    with open_bag(path, limits) as source:
        return inspect_source(source, limits, cancel)


def inspect_source(
    source: BagSource, limits: BagLimits = DEFAULT_LIMITS, cancel: CancelToken | None = None
) -> BagReport:
    """inspect_bag on a bag already opened (the unpacker's own listing)."""
    return _Verifier(source, limits, cancel, None, payload=False).run()


class _Verifier:
    def __init__(
        self,
        source: BagSource,
        limits: BagLimits,
        cancel: CancelToken | None,
        progress: ProgressCallback | None,
        *,
        payload: bool = True,
    ) -> None:
        self.source = source
        self.limits = limits
        self.cancel = cancel
        self.progress = progress
        self.payload = payload
        self.problems: list[str] = list(source.problems)
        self.warnings: list[str] = []
        self.complete = True
        self.tag_bytes: dict[str, bytes] = {}
        self.encoding = "utf-8"
        # BagIt 1.0 and later: RFC 8493 to the letter; older bags get what it allows them.
        self.strict = True
        self.verified_by: dict[str, list[str]] = {}
        self.fetch: dict[str, str] = {}  # payload path -> URL

    def _report(
        self,
        *,
        info: dict[str, list[str]] | None = None,
        tag_files: dict[str, bytes] | None = None,
        algorithms: list[str] | None = None,
        verified_tag_files: list[str] | None = None,
        version: str | None = None,
    ) -> BagReport:
        """The report; a bag that could not be read far enough is neither valid nor complete."""
        files = {p: s for p, s in self.source.files.items() if p.startswith("data/")}
        octets = sum(files.values())
        finished = version is not None
        tagmanifest = (tag_files or {}).get("tagmanifest-sha256.txt")
        return BagReport(
            valid=finished and not self.problems,
            complete=finished and self.complete,
            problems=self.problems,
            payload_oxum=f"{octets}.{len(files)}",
            file_count=len(files),
            bytes=octets,
            info=info or {},
            tag_files=tag_files or {},
            tagmanifest_sha256=hashlib.sha256(tagmanifest).hexdigest() if tagmanifest else None,
            algorithms=algorithms or [],
            warnings=self.warnings,
            payload_files=sorted(files),
            verified_tag_files=verified_tag_files or [],
            version=version,
            tag_file_names=sorted(p for p in self.source.files if not p.startswith("data/")),
            verified_by={m: sorted(files) for m, files in self.verified_by.items()},
            payload_checked=self.payload,
            fetch=sorted(self.fetch),
        )

    def _read_tag(self, name: str) -> bytes | None:
        if name in self.tag_bytes:
            return self.tag_bytes[name]
        size = self.source.files[name]
        if size > self.limits.max_tag_file_bytes:
            self.problems.append(
                f"{name} is {size} bytes, more than the limit of "
                f"{self.limits.max_tag_file_bytes} for a tag file"
            )
            return None
        out = io.BytesIO()
        try:
            with self.source.open(name) as reader:
                pump(reader, [out.write], size, name, lambda n: None)
        except (ReadProblem, BagError) as e:
            self.problems.append(str(e))
            return None
        except OSError as e:
            self.problems.append(f"{name}: cannot be read ({e.strerror or e})")
            return None
        data = out.getvalue()
        self.tag_bytes[name] = data
        return data

    def _decode(self, name: str, data: bytes) -> str | None:
        if self.encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
            # RFC 8493 §2.3: with UTF-8 declared, tag files MUST NOT begin with a BOM.
            if self.strict:
                self.problems.append(
                    f"{name} starts with a byte-order mark, not allowed when bagit.txt "
                    "declares UTF-8 (RFC 8493 §2.3)"
                )
                return None
            self.warnings.append(f"{name} starts with a byte-order mark (ignored in an older bag)")
            data = data[len(codecs.BOM_UTF8) :]
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError:
            self.problems.append(f"{name} is not valid {self.encoding}")
            return None

    def run(self) -> BagReport:
        if self.source.fatal:
            return self._report()
        if "bagit.txt" not in self.source.files:
            if "bagit.txt" not in self.source.rejected:
                self.problems.append("bagit.txt is missing")
            return self._report()
        raw = self._read_tag("bagit.txt")
        if raw is None:
            return self._report()
        version = self._parse_bagit_txt(raw)
        if version is None:
            return self._report()
        info = self._parse_bag_info()
        manifests, tag_manifests, algorithms = self._read_manifests()
        self._read_fetch(manifests)
        payload = {p for p in self.source.files if p.startswith("data/")}
        if isinstance(self.source, FolderSource) and "data" not in self.source.dirs:
            self.problems.append("the data/ folder is missing")
        checks = self._completeness(manifests, tag_manifests, payload)
        hashed = self._hash(checks)
        verified_tags = sorted(
            p for p, algs in checks.items() if not p.startswith("data/") and p in hashed
        )
        octets = sum(self.source.files[p] for p in payload)
        if not any(p.startswith("data/") for p in self.source.rejected):
            # With refused payload files the count is off anyway; they are reported.
            self._check_oxum(info, octets, len(payload))
        tag_files: dict[str, bytes] = {}
        for name, size in sorted(self.source.files.items()):
            if "/" in name:
                continue
            if name in self.tag_bytes:
                tag_files[name] = self.tag_bytes[name]
            elif size <= SMALL_TAG_FILE:
                data = self._read_tag(name)
                if data is not None:
                    tag_files[name] = data
        return self._report(
            info=info,
            tag_files=tag_files,
            algorithms=algorithms,
            verified_tag_files=verified_tags,
            version=version,
        )

    def _parse_bagit_txt(self, raw: bytes) -> str | None:
        bom = raw.startswith(codecs.BOM_UTF8)
        text_bytes = raw[len(codecs.BOM_UTF8) :] if bom else raw
        try:
            text = text_bytes.decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append("bagit.txt is not valid UTF-8")
            return None
        lines = split_lines(text)
        if bom:
            # RFC 8493 §2.1.1: the bag declaration MUST NOT contain a byte-order mark;
            # refused whatever version it claims, since no reader needs one.
            self.problems.append(
                "bagit.txt starts with a byte-order mark, which the bag declaration must "
                "not contain (RFC 8493 §2.1.1)"
            )
        if len(lines) != 2:
            self.problems.append(
                f"bagit.txt has {len(lines)} line{'' if len(lines) == 1 else 's'}; it must "
                "have exactly two (BagIt-Version, Tag-File-Character-Encoding)"
            )
            if not lines:
                return None
        first = _VERSION_LINE.match(lines[0])
        if first is None:
            self.problems.append(
                f"bagit.txt line 1 is {shown(lines[0], quote=True)}, not 'BagIt-Version: M.N'"
            )
            return None
        version = (int(first.group(3)), int(first.group(4)))
        label = f"{version[0]}.{version[1]}"
        strict = self.strict = version >= (1, 0)
        if strict and (first.group(1) or first.group(2) != " "):
            self.problems.append(
                f"bagit.txt line 1 is {shown(lines[0], quote=True)}: BagIt {label} wants "
                "exactly 'BagIt-Version: M.N' (one space after the colon, none before)"
            )
        if version[0] not in (0, 1):
            self.problems.append(f"bagit.txt says BagIt version {label}, which is not supported")
        if len(lines) >= 2:
            second = _ENCODING_LINE.match(lines[1])
            if second is None:
                self.problems.append(
                    f"bagit.txt line 2 is {shown(lines[1], quote=True)}, not "
                    "'Tag-File-Character-Encoding: ENCODING'"
                )
            else:
                if strict and (second.group(1) or second.group(2) != " "):
                    self.problems.append(
                        f"bagit.txt line 2 is {shown(lines[1], quote=True)}: BagIt {label} "
                        "wants exactly one space after the colon and none before"
                    )
                try:
                    self.encoding = codecs.lookup(second.group(3)).name
                except LookupError:
                    self.problems.append(
                        f"bagit.txt names the unknown encoding {shown(second.group(3), quote=True)}"
                    )
                    return None
        return label

    def _parse_bag_info(self) -> dict[str, list[str]]:
        info: dict[str, list[str]] = {}
        name = "bag-info.txt"
        if name not in self.source.files:
            if "package-info.txt" in self.source.files:  # BagIt 0.96 and older
                name = "package-info.txt"
            else:
                return info
        raw = self._read_tag(name)
        if raw is None:
            return info
        text = self._decode(name, raw)
        if text is None:
            return info
        label: str | None = None
        for number, line in enumerate(split_lines(text), 1):
            if not line.strip():
                continue
            if line[0] in " \t":
                if label is None:
                    self.problems.append(f"{name} line {number} continues nothing")
                    continue
                info[label][-1] = f"{info[label][-1]} {line.strip()}".strip()
                continue
            if ":" not in line:
                self.problems.append(f"{name} line {number} has no 'Label: value'")
                label = None
                continue
            label, _, value = line.partition(":")
            if not label.strip():
                self.problems.append(f"{name} line {number} has an empty label")
                label = None
                continue
            if label != label.strip():
                # RFC 8493 §2.2.2: a label MUST NOT start or end with whitespace, but
                # readers MUST accept whitespace around the colon in bags before 1.0.
                if self.strict:
                    self.problems.append(
                        f"{name} line {number}: label {shown(label, quote=True)} has spaces "
                        "around it (not allowed in BagIt 1.0)"
                    )
                label = label.strip()
            info.setdefault(label, []).append(value.strip())
        return info

    def _read_manifests(self) -> tuple[_Manifests, _Manifests, list[str]]:
        payload: _Manifests = {}
        tags: _Manifests = {}
        for name in sorted(self.source.files):
            match = MANIFEST_NAME.match(name)
            if match is None:
                continue
            algorithm = match.group(2).lower()
            supported = algorithm in SUPPORTED_ALGORITHMS
            if not supported:
                self.warnings.append(
                    f"{name} uses the unsupported algorithm {algorithm}; its checksums "
                    "were not checked"
                )
            entries = self._parse_manifest(name, algorithm if supported else None)
            if entries is None:
                continue
            (tags if match.group(1) else payload)[name] = (algorithm, entries)
        algorithms = sorted(algorithm for algorithm, _ in payload.values())
        if not payload:
            self.problems.append("no payload manifest (manifest-<algorithm>.txt) was found")
        elif not set(algorithms) & set(SUPPORTED_ALGORITHMS):
            self.problems.append(
                "no payload manifest uses a supported algorithm (md5, sha1, sha256, sha512)"
            )
        return payload, tags, algorithms

    def _parse_manifest(self, name: str, algorithm: str | None) -> dict[str, str | None] | None:
        raw = self._read_tag(name)
        if raw is None:
            return None
        text = self._decode(name, raw)
        if text is None:
            return None
        is_tag = name.startswith("tag")
        entries: dict[str, str | None] = {}
        for number, line in enumerate(split_lines(text), 1):
            if not line.strip():
                continue
            parts = re.split(r"[ \t]+", line, maxsplit=1)
            if len(parts) != 2 or not parts[1]:
                self.problems.append(f"{name} line {number} is not 'CHECKSUM PATH'")
                continue
            checksum, encoded = parts
            path = self._line_path(name, number, encoded, path_problem)
            if path is None:
                continue
            if algorithm is not None and (
                not _HEX.match(checksum) or len(checksum) != _HEX_LENGTH[algorithm]
            ):
                self.problems.append(
                    f"{name} line {number}: {shown(checksum, quote=True)} is not a "
                    f"{algorithm} checksum"
                )
                continue
            if is_tag and path.startswith("data/"):
                self.problems.append(f"{name} lists the payload file {shown(path)}")
                continue
            if not is_tag and not path.startswith("data/"):
                self.problems.append(f"{name} lists {shown(path)}, which is outside data/")
                continue
            if path in entries:
                self.problems.append(f"{name} lists {shown(path)} more than once")
                continue
            entries[path] = checksum.lower() if algorithm is not None else None
        return entries

    def _line_path(
        self, name: str, number: int, encoded: str, problem: Callable[[str], str | None]
    ) -> str | None:
        """The path a manifest or fetch.txt line names, or None (reported) when unsafe."""
        # Relative to the base directory, so './data/x' is 'data/x' (older bags).
        path = strip_dot_slash(decode_manifest_path(encoded))
        why = problem(path)
        if why is None:
            return path
        self.problems.append(f"{name} line {number}: path {shown(path, quote=True)} {why}; refused")
        return None

    def _read_fetch(self, manifests: _Manifests) -> None:
        """fetch.txt (RFC 8493 §2.2.3): its entries are checked, never fetched.

        Each line is ``url length filepath``; the path must name a payload file
        (``data/...``, listed in every payload manifest) and may not leave the
        payload by a dot segment, an absolute path or a home-directory shortcut.
        """
        name = "fetch.txt"
        if name not in self.source.files:
            return
        raw = self._read_tag(name)
        if raw is None:
            return
        text = self._decode(name, raw)
        if text is None:
            return
        for number, line in enumerate(split_lines(text), 1):
            if not line.strip():
                continue
            parts = re.split(r"[ \t]+", line.strip(), maxsplit=2)
            if len(parts) != 3:
                self.problems.append(f"{name} line {number} is not 'URL LENGTH FILEPATH'")
                continue
            url, length, encoded = parts
            path = self._line_path(name, number, encoded, _fetch_path_problem)
            if path is None:
                continue
            if not _URI_SCHEME.match(url):
                self.problems.append(
                    f"{name} line {number}: {shown(url, quote=True)} is not an absolute URL"
                )
            if not _FETCH_LENGTH.match(length):
                self.problems.append(
                    f"{name} line {number}: length {shown(length, quote=True)} is neither a "
                    "number of octets nor '-'"
                )
            for manifest, (_algorithm, entries) in manifests.items():
                if path not in entries:
                    self.problems.append(
                        f"{name} line {number}: {shown(path)} is not listed in {manifest}"
                    )
            self.fetch[path] = url

    def _completeness(
        self, manifests: _Manifests, tag_manifests: _Manifests, payload: set[str]
    ) -> dict[str, list[tuple[str, str, str]]]:
        """Missing and unlisted files; returns path -> [(algorithm, expected, manifest)]."""
        checks: dict[str, list[tuple[str, str, str]]] = {}
        normalised: dict[str, list[str]] = {}
        for p in self.source.files:
            normalised.setdefault(unicodedata.normalize("NFC", p), []).append(p)

        def resolve(listed: str, manifest: str) -> str | None:
            if listed in self.source.files:
                return listed
            if listed in self.source.rejected:
                return None  # already reported as hostile
            candidates = normalised.get(unicodedata.normalize("NFC", listed), [])
            if len(candidates) == 1:
                self.warnings.append(
                    f"{manifest} lists {shown(listed, quote=True)}, found as "
                    f"{shown(candidates[0], quote=True)} (a different Unicode normalisation)"
                )
                return candidates[0]
            if listed in self.fetch:
                self.problems.append(
                    f"{shown(listed)} is not in the bag: fetch.txt says to fetch it from "
                    f"{shown(self.fetch[listed])} (this program never fetches; the bag is "
                    "incomplete)"
                )
            else:
                self.problems.append(f"{shown(listed)} is listed in {manifest} but is missing")
            self.complete = False
            return None

        for group in (manifests, tag_manifests):
            for manifest, (algorithm, entries) in group.items():
                found: set[str] = set()
                for listed, expected in entries.items():
                    actual = resolve(listed, manifest)
                    if actual is None:
                        continue
                    found.add(actual)
                    if expected is not None:
                        checks.setdefault(actual, []).append((algorithm, expected, manifest))
                if group is manifests:
                    for extra in sorted(payload - found):
                        self.problems.append(f"{shown(extra)} is not listed in {manifest}")
                        self.complete = False
        if not self.payload:
            # inspect_bag: the tag files only; the payload is hashed after it is copied.
            return {p: c for p, c in checks.items() if not p.startswith("data/")}
        return checks

    def _hash(self, checks: dict[str, list[tuple[str, str, str]]]) -> set[str]:
        """Hash every listed file once with all its algorithms; returns the files that agree."""
        good: set[str] = set()
        total = sum(self.source.files[p] for p in checks)
        done = 0
        since = 0

        def tick(n: int) -> None:
            nonlocal done, since
            done += n
            since += n
            if since >= CHECK_EVERY:
                since = 0
                self._check_cancel()
                if self.progress is not None:
                    self.progress(Progress(done, total, current))

        for current in self.source.order(checks):
            self._check_cancel()
            wanted = checks[current]
            hashers = {alg: hashlib.new(alg) for alg, _, _ in wanted}
            cached = self.tag_bytes.get(current)
            try:
                if cached is not None:
                    for h in hashers.values():
                        h.update(cached)
                else:
                    with self.source.open(current) as reader:
                        pump(
                            reader,
                            [h.update for h in hashers.values()],
                            self.source.files[current],
                            current,
                            tick,
                        )
            except (ReadProblem, BagError) as e:
                self.problems.append(str(e))
                continue
            except OSError as e:
                self.problems.append(f"{current}: cannot be read ({e.strerror or e})")
                continue
            ok = True
            for algorithm, expected, manifest in wanted:
                if hashers[algorithm].hexdigest() != expected:
                    self.problems.append(
                        f"{shown(current)}: {algorithm} checksum does not match {manifest}"
                    )
                    ok = False
                else:
                    self.verified_by.setdefault(manifest, []).append(current)
            if ok:
                good.add(current)
            if self.progress is not None:
                self.progress(Progress(done, total, current))
        return good

    def _check_oxum(self, info: dict[str, list[str]], octets: int, count: int) -> None:
        values = info.get("Payload-Oxum")
        if not values:
            return
        if len(values) > 1:
            self.problems.append("bag-info.txt has more than one Payload-Oxum")
            return
        match = _OXUM.match(values[0])
        if match is None:
            self.problems.append(
                f"Payload-Oxum in bag-info.txt is {shown(values[0], quote=True)}, not "
                "'OCTETS.STREAMCOUNT'"
            )
            return
        if (int(match.group(1)), int(match.group(2))) != (octets, count):
            self.problems.append(
                f"Payload-Oxum in bag-info.txt is {values[0]}, but the payload holds "
                f"{octets}.{count} ({count} files, {octets} bytes)"
            )

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()


def _fetch_path_problem(path: str) -> str | None:
    """Why a fetch.txt path would leave the payload (or is no payload path at all)."""
    if path.startswith("~"):
        return "starts with '~' (a home-directory shortcut outside the bag)"
    if path.startswith("/"):
        return "is absolute (it would leave the bag)"
    if ".." in path.split("/") or "." in path.split("/"):
        return "has a dot segment (it would leave the payload)"
    why = path_problem(path)
    if why is not None:
        return why
    if not path.startswith("data/"):
        return "is not under data/ (fetch.txt may list payload files only)"
    return None
