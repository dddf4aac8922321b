"""E-mail sources (.eml): headers, the readable body, and attachments to import on their own.

Attachments come back as bytes with a sanitised basename; the import service
turns each into a source linked to the message. Nothing is opened or run.
"""

from __future__ import annotations

import email
import email.header
import mimetypes
import re
from collections.abc import Iterator
from datetime import UTC
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

from workstation.core.errors import BadInputError, TooLargeError
from workstation.sources.extract.article import declared_charset, html_to_text
from workstation.sources.extract.encoding import Decoded, decode_bytes
from workstation.sources.extract.model import (
    Extracted,
    ExtractedAttachment,
    ExtractedPage,
    Limits,
    megabytes,
)
from workstation.sources.extract.text import (
    decode_text,
    looks_binary,
    normalise_newlines,
    truncate_title,
)

FILENAME_MAX_CHARS = 150
_SNIFF_BYTES = 65_536
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE_FILENAME_CHARS = re.compile(r'[<>:"|?*]')
_SUMMARY_HEADERS = (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Date", "date"))


def extract_email(path: Path, media_type: str, limits: Limits) -> Extracted:
    """Read an RFC 822 message: headers, body text and attachments.

    Args:
        path: The .eml file.
        media_type: 'message/rfc822'.
        limits: max_text_bytes applies to the whole message.

    Returns:
        The extracted e-mail: one page (header summary and body), attachments.

    Raises:
        TooLargeError: The message is larger than limits.max_text_bytes.
        BadInputError: The file holds binary data, not a message.
    """
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        raise TooLargeError(
            f"e-mail is {megabytes(size)}, above the {megabytes(limits.max_text_bytes)} limit"
        )
    with path.open("rb") as handle:
        head, _encoding = decode_text(handle.read(_SNIFF_BYTES), partial=True)
        if looks_binary(head):
            raise BadInputError("not a supported file type (binary data, not an e-mail)")
        handle.seek(0)
        message = email.message_from_binary_file(handle, policy=policy.default)

    plain = message.get_body(preferencelist=("plain",))
    html_body = message.get_body(preferencelist=("html",)) if plain is None else None
    body_part = plain if plain is not None else html_body
    body_decoded = _body_text(body_part, html=plain is None)
    raw_headers = _undeclared_header_bytes(message)
    header_codec = None
    flags = list(body_decoded.flags) if body_decoded else []
    if raw_headers:
        # Headers in raw 8-bit bytes declare nothing; they are almost always in
        # the body's encoding, so both are read together for more evidence.
        evidence = b"\n".join(raw_headers)
        if body_decoded is None or body_decoded.how == "guessed":
            evidence += b"\n" + _payload(body_part)
        declared = body_part.get_content_charset() if body_part is not None else None
        in_headers = decode_bytes(evidence, declared=declared)
        header_codec = in_headers.encoding
        flags += [f for f in in_headers.flags if f not in flags]

    headers = {key: _header(message, name, header_codec) for name, key in _SUMMARY_HEADERS}
    headers["subject"] = _header(message, "Subject", header_codec)
    headers["message_id"] = _header(message, "Message-ID", header_codec)
    published = _utc_date(message)

    body = ""
    if body_decoded is not None:
        body = html_to_text(body_decoded.text) if plain is None else body_decoded.text
    body = normalise_newlines(body).strip()

    attachments = list(_attachments(message, skip=(plain, html_body)))
    summary = [f"{name}: {headers[key]}" for name, key in _SUMMARY_HEADERS if headers[key]]
    if headers["subject"]:
        summary.append(f"Subject: {headers['subject']}")
    if attachments:
        summary.append("Attachments: " + ", ".join(a.filename for a in attachments))
    text = "\n".join(summary) + ("\n\n" + body if body else "")

    metadata: dict[str, Any] = {key: value for key, value in headers.items() if value}
    if attachments:
        metadata["attachments"] = [a.filename for a in attachments]
    if html_body is not None:
        metadata["body_from_html"] = True
    if body_decoded is not None:
        metadata.update(body_decoded.metadata())
    if header_codec is not None:
        metadata["header_encoding"] = header_codec
    subject = headers["subject"]
    return Extracted(
        kind="email",
        media_type=media_type,
        title=truncate_title(subject) if subject else None,
        author=headers["from"],
        published=published,
        language=_header(message, "Content-Language", header_codec),
        pages=[ExtractedPage(number=1, text=text)],
        metadata=metadata,
        flags=flags,
        attachments=attachments,
    )


def safe_filename(name: str | None, media_type: str = "application/octet-stream") -> str:
    """Reduce an attacker-chosen file name to a harmless basename.

    Drops any directory part (either slash), control and invisible formatting
    characters, leading and trailing dots and spaces, characters Windows
    forbids, and Windows device names; keeps the extension when shortening.

    Args:
        name: The name as the sender wrote it, possibly None.
        media_type: Used to pick an extension when nothing usable is left.

    Returns:
        A non-empty file name with no path separators.
    """
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    name = _UNSAFE_FILENAME_CHARS.sub("_", name).strip(" .")
    if name.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        name = "_" + name
    if len(name) > FILENAME_MAX_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: FILENAME_MAX_CHARS - len(extension) - 1] + "." + extension
        else:
            name = name[:FILENAME_MAX_CHARS]
    if not name:
        name = "attachment" + (mimetypes.guess_extension(media_type) or ".bin")
    return name


def _header(message: Message, name: str, codec: str | None = None) -> str | None:
    """A header's decoded value on one line, None when absent or blank.

    ``codec`` reads a header written in raw 8-bit bytes (no RFC 2047 word to
    say its charset), which the parser would otherwise turn into U+FFFD.
    """
    raw = _eight_bit(_raw_value(message, name))
    if raw is not None and codec is not None:
        text: str | None = raw.decode(codec, errors="replace")
    else:
        try:
            value = message[name]
            text = str(value) if value is not None else None
        except Exception:  # malformed header the parser cannot structure: use it raw
            text = _raw_header(message, name)
    if text is None:
        return None
    return " ".join(text.split()) or None


def _raw_value(message: Message, name: str) -> str | None:
    """A header's value exactly as parsed (raw 8-bit bytes as surrogate escapes)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else None
    return None


def _eight_bit(value: str | None) -> bytes | None:
    """The bytes of a header value holding undeclared 8-bit text, else None."""
    if value is None or value.isascii():
        return None
    try:
        return value.encode("ascii", errors="surrogateescape")
    except UnicodeEncodeError:
        return None


def _undeclared_header_bytes(message: Message) -> list[bytes]:
    """The raw bytes of every header written in 8-bit text without an RFC 2047 charset."""
    found = []
    for _name, value in message.raw_items():
        raw = _eight_bit(value if isinstance(value, str) else None)
        if raw is not None:
            found.append(raw)
    return found


def _raw_header(message: Message, name: str) -> str | None:
    """A header's raw value, with encoded words decoded where that works."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            try:
                return str(email.header.make_header(email.header.decode_header(str(value))))
            except Exception:
                return str(value)
    return None


def _utc_date(message: Message) -> str | None:
    """The Date header as an ISO 8601 UTC datetime; no zone is read as UTC."""
    try:
        moment = getattr(message["Date"], "datetime", None)
    except Exception:
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _payload(part: Message | None) -> bytes:
    """A part's body bytes, transfer encoding (base64, quoted-printable) undone."""
    if part is None:
        return b""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: nothing readable
        return b""
    return payload if isinstance(payload, bytes) else b""


def _body_text(part: Message | None, *, html: bool) -> Decoded | None:
    """The body part's text: its declared charset when that fits, else a measured guess.

    The e-mail package reads a part without a charset as ASCII and turns
    every other byte into U+FFFD; the bytes are decoded here instead.
    """
    if part is None:
        return None
    data = _payload(part)
    declared = part.get_content_charset()
    if declared is None and html:
        declared = declared_charset(data)
    return decode_bytes(data, declared=declared)


def _attachments(
    message: Message, skip: tuple[Message | None, ...]
) -> Iterator[ExtractedAttachment]:
    """Every attached file, in message order; forwarded messages come whole as .eml."""
    stack: list[Message] = [message]
    while stack:
        part = stack.pop()
        if any(part is body for body in skip):
            continue
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            attached = _attached_message(part)
            if attached is not None:
                yield attached
            continue
        if part.is_multipart():
            children: Any = part.get_payload()
            if isinstance(children, list):
                stack.extend(child for child in reversed(children) if isinstance(child, Message))
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        inline_text = content_type in ("text/plain", "text/html")
        if inline_text and not filename and disposition != "attachment":
            continue  # an inline text part: an alternative or a footer, not a file
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        yield ExtractedAttachment(filename=safe_filename(filename, content_type), data=data)


def _attached_message(part: Message) -> ExtractedAttachment | None:
    """A message/rfc822 part as the bytes of a standalone .eml file."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(inner, Message):
        return None
    try:
        data = inner.as_bytes(policy=policy.default)
    except Exception:
        data = inner.as_bytes(policy=policy.compat32)
    name = part.get_filename()
    if not name:
        subject = _header(inner, "Subject") or "forwarded message"
        name = subject[:100] + ".eml"
    return ExtractedAttachment(filename=safe_filename(name, "message/rfc822"), data=data)
