"""Text clean-up shared by normalization and matching."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_SUMMARY_CHARS = 4000


def html_to_text(markup: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    """Plain text of an HTML fragment: tags, scripts and styles dropped, whitespace collapsed."""
    if "<" not in markup and "&" not in markup:
        return _SPACE.sub(" ", markup).strip()[:limit]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "html.parser")
    for element in soup(["script", "style", "noscript", "iframe", "object", "embed"]):
        element.decompose()
    return _SPACE.sub(" ", soup.get_text(" ")).strip()[:limit]


def words(text: str) -> list[str]:
    """Lower-case word tokens with accents folded."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def fingerprint(title: str, summary: str) -> str:
    """Same words in the same order → same fingerprint: catches verbatim copies across sites."""
    return hashlib.sha1(" ".join(words(f"{title} {summary}")).encode()).hexdigest()
