"""Re-reports: an article that retells another outlet's story is that outlet's origin, not a new one.

Detected only when both halves are there: an attribution phrase naming an outlet ("first reported by
The Verge", "according to a report in the Guardian", "as 404 Media found", "via Wired", "told The
Markup"; also in French, German, Spanish, Italian, Portuguese and Dutch) AND a link, in the hit's own
summary, to an article of that outlet. A phrase alone may credit one quote of an otherwise original
article; a link alone is often a "see also". The phrase must name the organization behind the link:
the name's words, spelt out, as initials ("FT", "The New York Times" → nytimes) or without a generic
tail ("BBC News" → bbc), must make the link's domain name.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from dedup.publisher import organization, registrable_domain
from dedup.text import MARKUP_PASSES, words
from dedup.urls import canonical_url, host_of

MAX_LINKS = 20  # links kept per hit: a re-report links its source near the top

# An outlet's name: capitalized words or numbers ("The Verge", "404 Media", "Le Monde"), up to six,
# maybe after an article in lower case ("the Guardian", "der Spiegel", "l'AFP").
_TOKEN = r"[A-Z0-9][\w&-]*"
_NAME = rf"(?P<name>(?:(?i:the|le|la|les|der|die|das|dem|den|el|il|lo|o|a|de|het) |l['’])?{_TOKEN}(?: {_TOKEN}){{0,5}})"
_FILLER = r"(?-i:(?:[a-z-]+ ){0,4})"  # "first reported last week by tech news outlet The Markup"
_ARTICLE_WORDS = "the le la les l der die das dem den des el del al il lo o a ao do da pelo pela de het du au"
ARTICLES = frozenset(_ARTICLE_WORDS.split())
# Words an outlet's name may end with that its domain name leaves out: "BBC News" → bbc.co.uk.
GENERIC_TAILS = frozenset({"news", "online", "magazine", "newspaper"})

# Phrases by language, with {name} where the outlet's name stands. Case is ignored outside the name.
PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        r"(?:first |originally |initially )?reported(?: [a-z]+){0,4} by "
        + _FILLER
        + "{name}",
        r"(?:first |originally )?(?:broken|revealed|uncovered|published|spotted) by "
        + _FILLER
        + "{name}",
        (
            r"according to (?:(?:a|an|the) )?(?:(?:new|recent|earlier|exclusive) )?"
            r"(?:(?:report|story|article|investigation|analysis|reporting) (?:in|by|from) )?{name}"
        ),
        r"(?:in )?(?:a|an) (?:report|story|article|investigation) (?:in|by|from) {name}",
        (
            r"(?:as )?{name} (?:first |originally |previously |initially |earlier )?"
            r"(?:reported|reports|revealed|found|noted|discovered)(?: that)?"
        ),
        r"{name} was (?:the )?first to report",
        r"{name} broke the (?:news|story)",
        r"via {name}",
        r"(?:h/t|hat tip(?: to)?) {name}",
        r"told {name}",
    ),
    "fr": (
        r"(?:selon|d['’]après) {name}",
        r"(?:révélée?s?|rapportée?s?|publiée?s?) par {name}",
        r"(?:comme l['’]a |a |ont )?(?:révélé|rapporté|indiqué|annoncé) {name}",
        r"(?:rapporte|révèle|écrit) {name}",
        r"(?:a|ont) (?:déclaré|indiqué|confié|expliqué) (?:à|au) {name}",
    ),
    "de": (
        r"(?:laut|gegenüber) {name}",
        r"wie (?:zuerst )?{name} (?:zuerst )?(?:berichtete|berichtet|meldete|meldet|schreibt)",
        r"(?:berichtete|berichtet|meldete|meldet|schreibt) {name}",
    ),
    "es": (
        r"(?:según|de acuerdo con) {name}",
        r"(?:como )?(?:informó|publicó|reveló|adelantó) {name}",
        r"(?:informado|publicado|revelado|adelantado) por {name}",
        r"(?:dijo|declaró|explicó) (?:a|al) {name}",
    ),
    "it": (
        r"(?:secondo|come riporta|come ha rivelato|riporta|scrive) {name}",
        r"(?:riportato|rivelato|pubblicato) da {name}",
        r"ha (?:detto|dichiarato|spiegato) (?:a|al) {name}",
    ),
    "pt": (
        r"(?:segundo|de acordo com|conforme) {name}",
        r"(?:como )?(?:noticiou|revelou|informou|publicou) {name}",
        r"(?:noticiado|revelado|publicado) (?:por|pelo|pela) {name}",
        r"disse (?:ao|à|a) {name}",
    ),
    "nl": (
        r"(?:volgens|zei tegen|zegt tegen) {name}",
        r"(?:zoals )?(?:meldt|meldde|berichtte|onthulde|schrijft|schreef) {name}",
    ),
}
_PHRASE_RE = [
    re.compile(r"(?<!\w)(?i:" + phrase.replace("{name}", f"){_NAME}(?i:") + r")(?!\w)")
    for phrases in PHRASES.values()
    for phrase in phrases
]


@dataclass(frozen=True)
class Attribution:
    """An outlet named by an attribution phrase, as written: ``before`` + ``outlet`` + ``after``."""

    outlet: str  # "The Verge"
    before: str  # "first reported by "
    after: str = ""  # " reported that", when the name comes first

    @property
    def phrase(self) -> str:
        return f"{self.before}{self.outlet}{self.after}"


@dataclass(frozen=True)
class ReReport:
    """A hit that retells the story of ``outlet``: the phrase that says so and the link that shows it."""

    outlet: str  # the organization it retells: the link's ("theverge.com")
    phrase: str  # "first reported by The Verge"
    link: str

    @property
    def reason(self) -> str:
        return f"re-reports {self.outlet} (attribution '{self.phrase}' + link to {self.link})"


def re_report(text: str, links: Sequence[str], publisher: str) -> ReReport | None:
    """The outlet ``text`` attributes its story to and links, None when no phrase names a linked outlet.

    Links to the hit's own organization (``publisher``) are its own earlier stories, never a source."""
    articles = [
        link
        for link in links
        if urlsplit(link).path.strip("/") and organization(link) != publisher
    ]
    if not articles:
        return None
    for found in attributions(text):
        for link in articles:
            if (named := _naming(found, link)) is not None:
                return ReReport(organization(link), named.phrase, link)
    return None


def attributions(text: str) -> Iterator[Attribution]:
    """Every attribution phrase in ``text`` with the outlet it names, in order of the patterns."""
    for pattern in _PHRASE_RE:
        for match in pattern.finditer(text):
            before, after = (
                text[match.start() : match.start("name")],
                text[match.end("name") : match.end()],
            )
            yield Attribution(match.group("name"), before, after)


def names_outlet(name: str, link: str) -> bool:
    """Whether ``name`` ("The New York Times") names the organization whose domain ``link`` is under."""
    tokens = words(name)
    labels = {registrable_domain(link).split(".")[0], host_of(link).split(".")[0]}
    if len(tokens) > 1 and name.split()[0].isupper() and "".join(tokens[1:]) in labels:
        return True  # an acronym before the name: "MIT Technology Review" → technologyreview.com
    variants = [tokens, tokens[1:]] if tokens and tokens[0] in ARTICLES else [tokens]
    variants += [v[:-1] for v in variants if len(v) > 1 and v[-1] in GENERIC_TAILS]
    forms = set()
    for kept in filter(None, variants):
        forms |= {
            "".join(kept),
            "".join(t[0] for t in kept),
            "".join(t[0] for t in kept[:-1]) + kept[-1],
        }
    return bool(
        labels
        & (forms | {f"the{form}" for form in forms} | {f"{form}news" for form in forms})
    )


def _naming(found: Attribution, link: str) -> Attribution | None:
    """``found`` cut to the words that name the outlet behind ``link`` ("The Verge Tuesday" → "The
    Verge"), keeping the phrase around them; None when no run of its first or last words does."""
    tokens = found.outlet.split()
    for size in range(len(tokens), 0, -1):
        for part in dict.fromkeys((" ".join(tokens[:size]), " ".join(tokens[-size:]))):
            if names_outlet(part, link):
                return Attribution(part, found.before, found.after)
    return None


def article_links(markup: str, base_url: str) -> list[str]:
    """The web links of an HTML fragment, canonical, absolute against ``base_url``, first ``MAX_LINKS``.

    Markup escaped once more than it should be (common in feeds) is unescaped, as html_to_text does."""
    anchors: list[str] = []
    for _ in range(MARKUP_PASSES):
        if "<a" in markup.lower():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
                anchors = [
                    str(a.get("href") or "")
                    for a in BeautifulSoup(markup, "html.parser").find_all("a")
                ]
            break
        if "&lt;a" not in markup.lower():
            break
        markup = html.unescape(markup)
    links: dict[str, None] = {}
    for href in anchors:
        try:
            url = urljoin(base_url, href.strip())
            if urlsplit(url).scheme.lower() in ("http", "https") and host_of(url):
                links.setdefault(canonical_url(url))
        except ValueError:
            continue
    return list(links)[:MAX_LINKS]
