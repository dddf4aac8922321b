"""Saved web pages: the article's main text and its metadata, never the page chrome.

trafilatura finds the main text and the byline. When it cannot (hostile
nesting, pages that are not articles), a streaming tag stripper that holds no
tree and cannot recurse takes over. Nothing is rendered, run or fetched.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import trafilatura

from workstation.core.errors import BadInputError, TooLargeError
from workstation.sources.extract.encoding import Decoded, decode_bytes
from workstation.sources.extract.model import Extracted, ExtractedPage, Limits, megabytes
from workstation.sources.extract.text import looks_binary, normalise_newlines, truncate_title
from workstation.sources.extract.text_dates import date_in_text

# Elements whose content a reader never sees as article text.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "template", "nav", "header", "footer", "head", "svg", "iframe"}
)
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main",
        "ol", "p", "pre", "section", "table", "tr", "ul", "caption", "form", "fieldset",
        "details", "summary", "body", "html", "title",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
# trafilatura keeps navigation on short pages; an article's own <header> holds its headline.
_PRUNE_XPATH = ["//nav", "//header[not(ancestor::article)]", "//footer[not(ancestor::article)]"]
_HEAD_BYTES = 65_536
# trafilatura takes about a second and a few hundred MB per MB of markup; past this size
# the streaming fallback reads the text and trafilatura only sees the start for the byline.
MAIN_TEXT_MAX_CHARS = 5_000_000
_METADATA_CHARS = 1_000_000
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_HTML_LANG = re.compile(
    r"""<html\b[^>]{0,2048}?\blang\s*=\s*["']?([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)""", re.I
)
_TITLE = re.compile(r"<title\b[^>]{0,512}>(.{0,4096}?)</title\s*>", re.I | re.S)
_LINK_OR_META = re.compile(r"<(?:link|meta)\b[^>]{0,2048}>", re.I)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def extract_article(path: Path, media_type: str, limits: Limits) -> Extracted:
    """Read a saved web page as one page of main text plus byline metadata.

    Args:
        path: The HTML file.
        media_type: 'text/html'.
        limits: max_html_bytes applies.

    Returns:
        The extracted article (kind 'article').

    Raises:
        TooLargeError: The file is larger than limits.max_html_bytes.
        BadInputError: The file holds binary data, not markup.
    """
    size = path.stat().st_size
    if size > limits.max_html_bytes:
        raise TooLargeError(
            f"web page is {megabytes(size)}, above the {megabytes(limits.max_html_bytes)} limit"
        )
    decoded = decode_html(path.read_bytes())
    markup = decoded.text
    if looks_binary(markup[:_HEAD_BYTES]):
        raise BadInputError("not a supported file type (binary data, not a web page)")
    head = _head_facts(markup[:_HEAD_BYTES])
    metadata: dict[str, Any] = decoded.metadata()
    if len(markup) > MAIN_TEXT_MAX_CHARS:
        found = _metadata_only(markup[:_METADATA_CHARS])
        metadata["fallback_reason"] = "page too large for main-text detection"
    else:
        found = _trafilatura(markup)
    text = normalise_newlines(str(_field(found, "text") or "")).strip()
    if text:
        metadata["extractor"] = "trafilatura"
    else:
        metadata["extractor"] = "fallback"
        metadata.setdefault("fallback_reason", "no main text found")
        visible = html_to_text(markup)
        title = head.get("title", "")
        text = f"{title}\n\n{visible}" if title and not visible.startswith(title) else visible
    for key in ("description", "hostname", "categories", "tags", "license"):
        value = _field(found, key)
        if value:
            metadata[key] = value if isinstance(value, str) else [str(v) for v in value]
    found_title: str | None = _field(found, "title") or head.get("title")
    return Extracted(
        kind="article",
        media_type=media_type,
        title=truncate_title(found_title) if found_title else None,
        author=_field(found, "author") or None,
        publisher=_field(found, "sitename") or None,
        published=_field(found, "date") or date_in_text(text),
        url=_web_url(_field(found, "url")) or head.get("url"),
        language=head.get("lang") or _field(found, "language") or None,
        pages=[ExtractedPage(number=1, text=text)],
        metadata=metadata,
        flags=decoded.flags,
    )


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (``<meta charset>`` or HTTP-equiv).

    Args:
        data: The page's bytes.

    Returns:
        The label as written, or None.
    """
    declared = _META_CHARSET.search(data[:4096])
    return declared.group(1).decode("ascii") if declared else None


def decode_html(data: bytes) -> Decoded:
    """Decode HTML bytes: BOM, else the declared charset if it fits, else UTF-8, else a guess.

    Args:
        data: The page's bytes.

    Returns:
        The markup and how it was decoded (``encoding.decode_bytes``).
    """
    return decode_bytes(data, declared=declared_charset(data))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, without scripts, styles, navigation, header or footer.

    Streams through the markup with no tree and no recursion, so any nesting
    depth is fine.

    Args:
        markup: HTML source.

    Returns:
        The text, one line per block element, blank lines dropped.
    """
    parser = _TextCollector()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


class _TextCollector(HTMLParser):
    """Collects visible text; see html_to_text()."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden.append(tag)
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            if tag in self._hidden:
                while self._hidden and self._hidden.pop() != tag:
                    pass
        elif tag in ("body", "html"):
            self._hidden.clear()  # an unclosed <nav> must not hide the rest of the page
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _trafilatura(markup: str) -> Any:
    """Run trafilatura; None when it finds nothing or fails on hostile markup."""
    try:
        return trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            prune_xpath=_PRUNE_XPATH,
        )
    except Exception:  # RecursionError included: the fallback extractor takes over
        return None


def _metadata_only(markup: str) -> Any:
    """trafilatura's byline and date from the start of a page; None when it fails."""
    try:
        return trafilatura.extract_metadata(markup)
    except Exception:
        return None


def _field(found: Any, name: str) -> Any:
    """A field of trafilatura's result, None when absent or blank."""
    if found is None:
        return None
    value = found.get(name) if isinstance(found, dict) else getattr(found, name, None)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _head_facts(markup: str) -> dict[str, str]:
    """Title, language and canonical URL read with regular expressions from the page start."""
    facts: dict[str, str] = {}
    title = _TITLE.search(markup)
    if title:
        text = " ".join(html.unescape(title.group(1)).split())
        if text:
            facts["title"] = text
    lang = _HTML_LANG.search(markup)
    if lang:
        facts["lang"] = lang.group(1)
    for tag in _LINK_OR_META.findall(markup):
        attrs = {
            match.group(1).lower(): html.unescape(
                match.group(2) or match.group(3) or match.group(4)
            )
            for match in _ATTRIBUTE.finditer(tag)
        }
        if attrs.get("rel", "").lower() == "canonical":
            url = _web_url(attrs.get("href"))
        elif attrs.get("property", "").lower() == "og:url":
            url = _web_url(attrs.get("content"))
        else:
            continue
        if url and "url" not in facts:
            facts["url"] = url
    return facts


def _web_url(value: Any) -> str | None:
    """The value when it is an absolute http(s) URL, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value.lower().startswith(("http://", "https://")) and " " not in value else None
