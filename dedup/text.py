"""Text clean-up shared by normalization and matching."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Control characters other than whitespace: no text needs them, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What is still markup after a pass: a tag, comment or declaration opening, or a character reference.
_MARKUP = re.compile(r"<[a-z/!?]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
_TAG_OPEN = re.compile(r"<(?=[a-z/!?])", re.IGNORECASE)
# A script URL: a scheme that runs code when followed, its colon followed by the rest of the URL;
# ``data:`` only with a media type after it (so "Data: 42%" is left alone).
_SCRIPT_SCHEME = re.compile(r"\b((?:java|vb|live)script|data(?=:[a-z]+/[\w.+-]+[;,])):(?=\S)", re.IGNORECASE)
MARKUP_PASSES = 3  # markup escaped twice is common in feeds; more than that is hostile
MAX_SUMMARY_CHARS = 4000


def html_to_text(markup: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    """Plain text of an HTML fragment: tags, scripts and styles dropped, whitespace collapsed.

    The result is safe to show anywhere: escaped markup (``&lt;script&gt;``) becomes markup once
    unescaped, so it is parsed again; a ``<`` that still opens a tag after that is parted from it, and
    script URLs are defanged (``javascript[:]``), which keeps them readable for reviewers."""
    text = _strip_markup(markup) if "<" in markup or "&" in markup else markup
    for _ in range(MARKUP_PASSES - 1):
        if not _MARKUP.search(text) or (stripped := _strip_markup(text)) == text:
            break
        text = stripped
    text = _SCRIPT_SCHEME.sub(r"\1[:]", _TAG_OPEN.sub("< ", _CONTROL.sub("", text)))
    return _SPACE.sub(" ", text).strip()[:limit]


def _strip_markup(markup: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        # The newline keeps a final "&..." ("R&D"): html.parser drops an "&" that ends its input.
        soup = BeautifulSoup(markup + "\n", "html.parser")
    for element in soup(["script", "style", "noscript", "iframe", "object", "embed"]):
        element.decompose()
    return soup.get_text(" ").strip()


def words(text: str) -> list[str]:
    """Lower-case word tokens with accents folded."""
    lowered = text.lower()
    if lowered.isascii():  # nothing to fold: most text, and folding costs a call per character
        return _WORD.findall(lowered)
    folded = unicodedata.normalize("NFKD", lowered)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def fingerprint(title: str, summary: str) -> str:
    """Same words in the same order → same fingerprint: catches verbatim copies across sites."""
    return hashlib.sha1(" ".join(words(f"{title} {summary}")).encode()).hexdigest()
