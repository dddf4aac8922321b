"""age encryption of bundles for their recipients (via pyrage).

A partner state must be able to open what we send with the standard ``age``
tool, so files are plain age v1 (X25519 or SSH recipients). Both directions
stream through fixed-size buffers and write a temp file beside the target
that is renamed into place, so nothing half-written is ever left behind.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pyrage
from pyrage import ssh, x25519

from workstation.core.dates import utc_now
from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken, Progress, ProgressCallback

AGE_MAGIC = b"age-encryption.org/v1"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
SECRET_PREFIX = "AGE-SECRET-KEY-1"
PUBLIC_PREFIX = "age1"
MAX_IDENTITY_FILE = 1024 * 1024
# Progress is reported at most this often (in bytes of input).
PROGRESS_STEP = 8 * 1024 * 1024

_Recipient = x25519.Recipient | ssh.Recipient
_Identity = x25519.Identity | ssh.Identity
# Runs pyrage from a reader to a writer (encrypt or decrypt).
_Stream = Callable[[io.BufferedIOBase, io.BufferedIOBase], object]


class AgeError(WorkstationError):
    """A file cannot be encrypted or decrypted as asked (recipient, identity, data)."""


# --- recipients and identities ---------------------------------------------


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 72 else text[:69] + "..."


def parse_recipient(text: str) -> _Recipient:
    """An age recipient from ``age1...`` or an ``ssh-ed25519``/``ssh-rsa`` public key line.

    Raises:
        AgeError: naming the recipient that is not one (never echoing a secret key).
    """
    value = text.strip() if isinstance(text, str) else ""
    if value.upper().startswith(SECRET_PREFIX):
        raise AgeError(
            "a recipient was given as an age SECRET key; give its public key (age1...) instead"
        )
    try:
        if value.startswith(PUBLIC_PREFIX):
            return x25519.Recipient.from_str(value)
        if value.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return ssh.Recipient.from_str(value)
    except pyrage.RecipientError as exc:
        raise AgeError(f"recipient {_shown(value)!r} is not a valid public key: {exc}") from exc
    raise AgeError(
        f"recipient {_shown(value)!r} is not an age public key "
        "(age1...) or an 'ssh-ed25519 AAAA...' line"
    )


def read_identities(identity_file: Path) -> list[_Identity]:
    """The identities in an age identity file (or an unencrypted OpenSSH private key).

    An age identity file holds ``AGE-SECRET-KEY-1...`` lines; blank lines and
    lines starting with ``#`` are comments.

    Raises:
        AgeError: unreadable, empty or malformed (the message never holds key text).
    """
    path = Path(identity_file)
    try:
        if path.stat().st_size > MAX_IDENTITY_FILE:
            raise AgeError(f"identity file {path} is too large to be an age identity file")
        data = path.read_bytes()
    except OSError as exc:
        raise AgeError(f"cannot read identity file {path}: {exc.strerror or exc}") from exc
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
        try:
            return [ssh.Identity.from_buffer(data)]
        except pyrage.IdentityError as exc:
            raise AgeError(
                f"identity file {path} is an OpenSSH key that cannot be used "
                "(passphrase-protected keys are not supported)"
            ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgeError(f"identity file {path} is not a text file of age identities") from exc
    identities: list[_Identity] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.upper().startswith(SECRET_PREFIX):
            raise AgeError(
                f"identity file {path} line {number} is not an age secret key "
                f"(lines start with {SECRET_PREFIX})"
            )
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError as exc:
            raise AgeError(
                f"identity file {path} line {number} is a damaged age secret key"
            ) from exc
    if not identities:
        raise AgeError(f"identity file {path} holds no age identity ({SECRET_PREFIX}... lines)")
    return identities


def generate_identity() -> tuple[str, str]:
    """A new age X25519 identity: ``(secret "AGE-SECRET-KEY-1...", public "age1...")``."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def identity_file_text(secret: str, public: str, created: str | None = None) -> str:
    """The text of an identity file in the format ``age-keygen`` writes."""
    head = f"# created: {created}\n" if created else ""
    return f"{head}# public key: {public}\n{secret}\n"


def write_identity_file(path: Path) -> str:
    """Write a new age identity to ``path`` (owner-only, never over an existing file,
    fsynced) in ``age-keygen``'s format; returns its public key for partners.

    Raises:
        AgeError: the file exists or cannot be written.
    """
    secret, public = generate_identity()
    text = identity_file_text(secret, public, created=utc_now())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise AgeError(f"{path} already exists; choose another name") from exc
    except OSError as exc:
        raise AgeError(f"cannot write {path}: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return public


def is_age_file(path: Path) -> bool:
    """Whether ``path`` starts like an age file (binary or ASCII-armored)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(AGE_ARMOR))
    except OSError:
        return False
    return head.startswith(AGE_MAGIC) or head.startswith(AGE_ARMOR)


# --- streaming ---------------------------------------------------------------


class _Reader(io.BufferedIOBase):
    """A source file pyrage reads through, so cancel and progress work mid-stream.

    pyrage turns any exception raised here into its own error with the text
    only, so the wrapper remembers that it was a cancel.
    """

    def __init__(
        self,
        fh: io.BufferedReader,
        total: int,
        cancel: CancelToken | None,
        progress: ProgressCallback | None,
        label: str,
    ) -> None:
        super().__init__()
        self._fh = fh
        self._total = total
        self._cancel = cancel
        self._progress = progress
        self._label = label
        self._done = 0
        self._reported = 0
        self.cancelled = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._cancel is not None and self._cancel.cancelled:
            self.cancelled = True
            raise CancelledError("cancelled")
        chunk = self._fh.read(size)
        self._done += len(chunk)
        if self._progress is not None and (
            self._done - self._reported >= PROGRESS_STEP or (not chunk and self._done)
        ):
            self._reported = self._done
            self._progress(Progress(self._done, self._total, self._label))
        return chunk


def _run_to_temp(
    src: Path,
    dst: Path,
    step: str,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
    action: _Stream,
    on_temp: Callable[[Path], None] | None = None,
) -> None:
    """Stream ``src`` through ``action`` into a temp file beside ``dst``, then rename.

    ``on_temp`` hears the temp file's name before anything is written to it.
    """
    src = Path(src)
    dst = Path(dst)
    try:
        infile = open(src, "rb")  # noqa: SIM115 (closed in finally, with the temp file)
    except OSError as exc:
        raise AgeError(f"cannot read {src}: {exc.strerror or exc}") from exc
    tmp: Path | None = None
    try:
        total = os.fstat(infile.fileno()).st_size
        try:
            fd, name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
        except OSError as exc:
            raise AgeError(f"cannot write in {dst.parent}: {exc.strerror or exc}") from exc
        tmp = Path(name)
        if on_temp is not None:
            on_temp(tmp)
        reader = _Reader(infile, total, cancel, progress, src.name)
        with open(fd, "wb") as out:
            try:
                action(reader, out)
                out.flush()
                os.fsync(out.fileno())
            except (pyrage.EncryptError, pyrage.DecryptError, OSError, ValueError) as exc:
                if reader.cancelled:
                    raise CancelledError("cancelled") from exc
                raise AgeError(_explain(step, src, exc)) from exc
        try:
            os.replace(tmp, dst)
        except OSError as exc:
            raise AgeError(f"cannot write {dst}: {exc.strerror or exc}") from exc
        tmp = None
    finally:
        infile.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _explain(step: str, src: Path, exc: BaseException) -> str:
    text = str(exc)
    if step == "decrypt":
        if "No matching keys" in text:
            return (
                f"{src.name} is not encrypted to any identity in the identity file "
                "(wrong key, or encrypted with a passphrase)"
            )
        if "Header is invalid" in text:
            return f"{src.name} is not an age-encrypted file (or its header is damaged)"
        if "decryption error" in text:
            return f"{src.name} is damaged or truncated: its encrypted data fails to authenticate"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot {step} {src.name}: {exc.strerror}"
    return f"cannot {step} {src.name}: {text}"


def encrypt_file(
    src: Path,
    dst: Path,
    recipients: Sequence[str],
    cancel: CancelToken | None = None,
    *,
    progress: ProgressCallback | None = None,
    on_temp: Callable[[Path], None] | None = None,
) -> None:
    """Encrypt ``src`` to every recipient into ``dst`` (binary age v1), streaming.

    ``dst`` appears only when complete (replacing a file of that name); on any
    failure or cancel nothing is left.

    Args:
        src: the plaintext file.
        dst: the age file to write.
        recipients: ``age1...`` public keys or ``ssh-ed25519`` lines.
        cancel: checked between 8 KiB blocks.
        progress: told the bytes read so far, every few megabytes.
        on_temp: told the temp file beside ``dst`` before it is written (for a
            sweep after a crash).

    Raises:
        AgeError: no recipients, a bad recipient, or the files cannot be used.
        CancelledError: ``cancel`` was set.
    """
    if isinstance(recipients, str):
        recipients = [recipients]
    if not recipients:
        raise AgeError("give at least one recipient (an age1... public key)")
    parsed = [parse_recipient(r) for r in recipients]

    def run(reader: io.BufferedIOBase, out: io.BufferedIOBase) -> None:
        pyrage.encrypt_io(reader, out, parsed)

    _run_to_temp(src, dst, "encrypt", cancel, progress, run, on_temp)


def decrypt_file(
    src: Path,
    dst: Path,
    identity_file: Path,
    cancel: CancelToken | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Decrypt the age file ``src`` into ``dst`` with the identities in ``identity_file``.

    age authenticates every 64 KiB chunk, so tampered or truncated input
    fails; the partial plaintext is removed and ``dst`` is not written.

    Raises:
        AgeError: bad identity file, not encrypted to it, not an age file, damaged.
        CancelledError: ``cancel`` was set.
    """
    identities = read_identities(identity_file)

    def run(reader: io.BufferedIOBase, out: io.BufferedIOBase) -> None:
        pyrage.decrypt_io(reader, out, identities)

    _run_to_temp(src, dst, "decrypt", cancel, progress, run)


__all__ = [
    "AGE_MAGIC",
    "AgeError",
    "decrypt_file",
    "encrypt_file",
    "generate_identity",
    "identity_file_text",
    "is_age_file",
    "parse_recipient",
    "read_identities",
]
