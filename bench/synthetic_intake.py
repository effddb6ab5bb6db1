"""Synthetic intake for the matching speed benchmark: incident stories reported by several outlets.

A *story* is one incident (or one piece of LLM news that is no incident): a deployer, a model, a
harm, a place and a few words of its own. Its reports arrive over days from the twelve streams,
each worded by its outlet. Stories start at a constant rate, so a bigger store is a longer
history, not a denser window. A report's text follows from ``(seed, story, n)`` alone, so any hit
can be rebuilt without keeping the history's text in memory.

The assumptions (rates, shares, delays) are the constants below; the README's benchmark section
states them with the reasons.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from random import Random
from typing import Any

from bench.synthetic_words import (
    DOMAIN,
    DOMAIN_WEIGHTS,
    HARM_VERBS,
    HOSTS,
    INCIDENT_TITLES,
    LEADS,
    MODELS,
    NEWS_TITLES,
    PLACES,
    PRODUCTS,
    REAL_DEPLOYERS,
    SECTORS,
    STATUS_TITLES,
    SUBREDDITS,
    english_words,
    name,
    tail_sites,
)
from dedup.entities import extract_entities
from dedup.normalize import ZERO_WEIGHT_ROLES
from dedup.publisher import organization
from sources import STREAMS, Hit, SourceSpec

# The store holds what arrived before T0; the new hits arrive after it.
T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 86_400.0
WARMUP_DAYS = 60  # stories begun before the stored history still report into it
# Stories by number of reports: (share, fewest, most). Most are covered once or twice.
SIZES = (
    (0.55, 1, 1),
    (0.15, 2, 2),
    (0.08, 3, 3),
    (0.11, 4, 6),
    (0.08, 7, 15),
    (0.03, 16, 40),
    (0.004, 41, 100),
)
MEAN_SIZE = sum(s * (lo + hi) / 2 for s, lo, hi in SIZES) / sum(s for s, _, _ in SIZES)
# Kinds of story: (share, weights of the streams its reports come from).
KINDS: dict[str, tuple[float, dict[str, int]]] = {
    "news": (
        0.70,
        {
            "tier1-news": 18,
            "tech-press": 30,
            "reddit-hn": 24,
            "security-blogs": 4,
            "vendor-disclosures": 3,
            "aiid": 6,
            "regulators": 2,
            "user-submissions": 3,
            "preprints": 2,
        },
    ),
    "legal": (
        0.08,
        {
            "courts": 35,
            "tier1-news": 20,
            "tech-press": 20,
            "reddit-hn": 12,
            "regulators": 8,
            "user-submissions": 3,
            "aiid": 2,
        },
    ),
    "security": (
        0.12,
        {
            "security-blogs": 35,
            "bug-bounty": 20,
            "avi-tracker": 15,
            "tech-press": 15,
            "reddit-hn": 12,
            "user-submissions": 3,
        },
    ),
    "research": (0.06, {"preprints": 70, "tech-press": 10, "reddit-hn": 20}),
    "status": (0.04, {"vendor-disclosures": 90, "reddit-hn": 10}),
}
# A Reddit/HN hit is the article a post links (confirming), else the post itself.
ARTICLE_VIA_POST = 0.35
# A tier-1 report is the wire agency's copy, word for word as its other outlets run it.
WIRE_COPY = 0.3
UNDATED = 0.04  # entries without a usable date (the fetch time stands in)
RESURFACED = 0.25  # a lead submits an article of an older story, any age
# An AIID entry cites an article this many days after it was published (its date).
AIID_LAG_DAYS = (5.0, 60.0)
TAIL_STREAMS = frozenset({"security-blogs", "aiid", "reddit-hn"})
# Shares of a sentence's words: English at large (stopwords included), this domain's words,
# the story's own words, its names.
MIX = {"english": 58, "domain": 8, "story": 26, "names": 8}
_ASCII_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Story:
    """One incident (or news item) and what its reports say about it."""

    kind: str
    deployer: str
    sector: str
    model: str
    verbs: tuple[str, ...]
    place: str
    topics: tuple[str, ...]
    person: str
    docket: str | None
    cve: str | None
    aiid: str | None


@lru_cache(maxsize=100_000)
def story(seed: int, number: int, kind: str) -> Story:
    rng = Random(seed * 1_000_003 + number)
    if rng.random() < 0.08:
        deployer = rng.choice(REAL_DEPLOYERS)
    else:
        deployer = name(rng) if rng.random() < 0.7 else f"{name(rng)} {name(rng)}"
    legal, security = (
        kind == "legal" and rng.random() < 0.7,
        kind == "security" and rng.random() < 0.35,
    )
    return Story(
        kind=kind,
        deployer=deployer,
        sector=rng.choice(SECTORS),
        model=rng.choices(list(MODELS), list(MODELS.values()))[0],
        verbs=tuple(rng.sample(HARM_VERBS, 2)),
        place=rng.choice(PLACES),
        topics=tuple(english_words(rng, rng.randint(4, 8), skip=2_000)),
        person=f"{name(rng)} {name(rng)}",
        docket=f"1:{rng.randint(23, 25)}-cv-{rng.randint(1000, 99999):05d}"
        if legal
        else None,
        cve=f"CVE-{rng.randint(2023, 2025)}-{rng.randint(10000, 99999)}"
        if security
        else None,
        aiid=str(rng.randint(600, 1400))
        if kind in ("news", "legal") and rng.random() < 0.15
        else None,
    )


@dataclass(frozen=True, slots=True)
class Report:
    """One hit's place in the history: who sent it when, about which story.

    Times are seconds from T0. A wire report is the agency's copy of the story: the same
    text at every outlet running it."""

    at: float  # fetched
    story: int
    kind: str
    n: int  # the story's n-th report
    stream: str
    role: str  # confirming | discovery | lead
    host: str
    published: float | None  # None: undated
    wire: bool = False


@dataclass(frozen=True)
class History:
    """Every report in arrival order: ``stored`` of them before T0, then the new ones."""

    seed: int
    reports: list[Report]
    stored: int
    links: dict[int, int]  # a lead's index → the index of the article it submits

    def cluster_of(self, index: int) -> tuple[int, str]:
        """The story a report belongs to (a lead: the story of the article it submits)."""
        index = self.links.get(index, index)
        return self.reports[index].story, self.reports[index].kind


def history(stored: int, new: int, per_day: float, seed: int) -> History:
    """``stored`` reports arriving before T0 at ``per_day`` a day, and the ``new`` ones after."""
    rng = Random(seed)
    start, end = -(stored / per_day + WARMUP_DAYS) * DAY, (new / per_day + 3) * DAY
    kinds, kind_shares = list(KINDS), [share for share, _ in KINDS.values()]
    reports: list[Report] = []
    at, number = start, 0
    while at < end:
        at += rng.expovariate(per_day / MEAN_SIZE / DAY)
        kind = rng.choices(kinds, kind_shares)[0]
        _, low, high = rng.choices(SIZES, [s for s, _, _ in SIZES])[0]
        reports += _reports(rng, number, kind, at, rng.randint(low, high))
        number += 1
    reports.sort(key=lambda r: r.at)
    cut = bisect.bisect_left([r.at for r in reports], 0.0)
    if cut < stored or len(reports) - cut < new:
        raise AssertionError("history too short")
    chosen = reports[cut - stored : cut + new]
    return History(seed, chosen, stored, _links(rng, chosen))


def _reports(
    rng: Random, number: int, kind: str, began: float, size: int
) -> list[Report]:
    streams = KINDS[kind][1]
    found = []
    for n in range(size):
        stream = (
            rng.choices(list(streams), list(streams.values()))[0]
            if n
            else _first_stream(rng, streams)
        )
        at = began + _delay(rng) * DAY if n else began
        published: float | None = at - rng.uniform(0, 4 * 3600)
        if stream == "aiid":
            published, at = (
                began + rng.uniform(0, DAY),
                began + rng.uniform(*AIID_LAG_DAYS) * DAY,
            )
        elif rng.random() < UNDATED:
            published = None
        role = STREAMS[stream].role.value
        if stream == "aiid" or (
            stream == "reddit-hn" and rng.random() < ARTICLE_VIA_POST
        ):
            role = "confirming"
        found.append(
            Report(
                at,
                number,
                kind,
                n,
                stream,
                role,
                _host(rng, stream, role),
                published,
                stream == "tier1-news" and rng.random() < WIRE_COPY,
            )
        )
    return found


def _first_stream(rng: Random, streams: Mapping[str, int]) -> str:
    """A story is first reported by an outlet, not by a lead or a discussion post (mostly)."""
    choices = {
        s: w for s, w in streams.items() if s not in ("user-submissions", "aiid")
    }
    return rng.choices(list(choices), list(choices.values()))[0]


def _delay(rng: Random) -> float:
    """Days after the first report: most within a day, some within a week, a few weeks later."""
    draw = rng.random()
    if draw < 0.6:
        return rng.expovariate(3.0)
    return rng.uniform(1, 7) if draw < 0.9 else rng.uniform(7, 30)


def _host(rng: Random, stream: str, role: str) -> str:
    if stream == "user-submissions" or (
        stream in TAIL_STREAMS and role == "confirming"
    ):
        return _zipf_choice(rng, tail_sites())
    if stream == "security-blogs":
        return _zipf_choice(rng, tail_sites()[:80])
    return _zipf_choice(rng, HOSTS[stream])


def _zipf_choice(rng: Random, options: tuple[str, ...] | list[str]) -> str:
    return rng.choices(options, cum_weights=_cumulative(len(options)))[0]


@lru_cache(maxsize=64)
def _cumulative(count: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(count)))


def _links(rng: Random, reports: list[Report]) -> dict[int, int]:
    """The article each lead submits: mostly one of its story's already stored, sometimes an older
    story's (any age), else one of its own (an article no feed carried). One lead per article."""
    earlier: dict[int, list[int]] = {}
    linked: set[int] = set()
    links = {}
    for index, report in enumerate(reports):
        if report.role == "confirming":
            earlier.setdefault(report.story, []).append(index)
        if report.role != "lead":
            continue
        if rng.random() < RESURFACED and index > 0:
            options = [rng.randrange(index) for _ in range(20)]
        else:
            options = list(earlier.get(report.story, ()))
        target = next(
            (o for o in options if reports[o].role == "confirming" and o not in linked),
            None,
        )
        if target is not None:
            links[index] = target
            linked.add(target)
    return links


@dataclass(frozen=True)
class Text:
    """What a report says, as normalization would store it (plain text, canonical URL)."""

    title: str
    summary: str
    url: str
    # Docket, CVE, AIID id: what the text says or the source states.
    identifiers: dict[str, list[str]]
    # What the source states outright (an AIID entry's incident ids).
    stated: dict[str, list[str]]


def text_of(h: History, index: int) -> Text:
    report = h.reports[index]
    s = story(h.seed, report.story, report.kind)
    if index in h.links:
        target = text_of(h, h.links[index])
        rng = Random(f"{h.seed}/{report.story}/{report.n}")
        summary = f"Saw this today: {_sentence(rng, s, 8)}"
        return Text(target.title, summary, target.url, _found(summary), {})
    rng = Random(f"{h.seed}/{report.story}/{'wire' if report.wire else report.n}")
    title = _title(rng, s)
    summary = _summary(rng, s, report, title)
    if report.wire:
        summary = f"(AP) {summary}"
    url = _url(rng, report, title)
    stated = {"aiid_ids": [s.aiid]} if report.stream == "aiid" and s.aiid else {}
    found = _found(f"{title}\n{summary}")
    identifiers = {
        kind: sorted({*found.get(kind, []), *stated.get(kind, [])})
        for kind in {*found, *stated}
    }
    return Text(title, summary, url, identifiers, stated)


_DOCKET = re.compile(r"\d:\d{2}-cv-\d{5}")
_CVE = re.compile(r"CVE-\d{4}-\d{5}")


def _found(text: str) -> dict[str, list[str]]:
    """The identifiers the generator writes into text (the smoke test holds this to extract_entities)."""
    found = {
        "dockets": sorted(set(_DOCKET.findall(text))),
        "cves": sorted(set(_CVE.findall(text))),
    }
    return {kind: values for kind, values in found.items() if values}


def _title(rng: Random, s: Story) -> str:
    templates = {"status": STATUS_TITLES, "news": NEWS_TITLES}.get(
        s.kind, INCIDENT_TITLES
    )
    if s.kind == "news" and rng.random() < 0.3:
        templates = INCIDENT_TITLES  # news can be an incident after all
    return _fill(rng, s, rng.choice(templates))


def _fill(rng: Random, s: Story, template: str) -> str:
    topics = rng.sample(s.topics, 3)
    return template.format(
        deployer=s.deployer,
        model=s.model,
        verb=rng.choice(s.verbs),
        place=s.place,
        person=s.person,
        sector=s.sector,
        product=rng.choice(PRODUCTS),
        topic=topics[0],
        topic2=topics[1],
        topic3=topics[2],
    )


def _sentence(rng: Random, s: Story, length: int) -> str:
    picks = rng.choices(list(MIX), list(MIX.values()), k=length)
    plain = iter(english_words(rng, picks.count("english")))
    domain = iter(
        rng.choices(DOMAIN, cum_weights=DOMAIN_WEIGHTS, k=picks.count("domain"))
    )
    names = (s.deployer, s.person, s.place)
    words = [
        next(plain)
        if pick == "english"
        else next(domain)
        if pick == "domain"
        else rng.choice(s.topics if pick == "story" else names)
        for pick in picks
    ]
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + "."


def _summary(rng: Random, s: Story, report: Report, title: str) -> str:
    if report.role == "discovery":
        standing = f"{rng.randint(2, 900)} points, {rng.randint(0, 400)} comments"
        if report.host == "reddit.com":
            standing = f"r/{rng.choice(SUBREDDITS)} · {rng.randint(5, 9000)} upvotes · {rng.randint(0, 900)} comments"
        return standing
    lead = _fill(rng, s, rng.choice(LEADS))
    parts = [
        lead,
        *(_sentence(rng, s, rng.randint(8, 20)) for _ in range(rng.randint(0, 3))),
    ]
    if s.docket and (report.stream == "courts" or rng.random() < 0.25):
        parts.insert(1, f"The complaint, Case No. {s.docket}, names {s.deployer}.")
    if s.cve and (
        report.stream in ("security-blogs", "bug-bounty", "avi-tracker")
        or rng.random() < 0.25
    ):
        parts.insert(1, f"The flaw is tracked as {s.cve}.")
    if report.stream == "preprints":
        parts += [_sentence(rng, s, rng.randint(10, 18)) for _ in range(3)]
    if report.stream == "bug-bounty":
        parts.insert(
            0,
            f"Disclosed on HackerOne by {name(rng).lower()}; severity: {rng.choice(('low', 'medium', 'high', 'critical'))}.",
        )
    if report.stream == "vendor-disclosures" and s.kind == "status":
        parts = [
            f"Resolved - This incident has been resolved. Investigating - We are investigating {title.lower()}."
        ]
    return " ".join(parts)


def _url(rng: Random, report: Report, title: str) -> str:
    slug = "-".join(_ASCII_WORD.findall(title.lower())[:7])
    ident = f"{report.story:x}{report.n}"
    if report.role == "discovery":
        if report.host == "reddit.com":
            return (
                f"https://reddit.com/r/{rng.choice(SUBREDDITS)}/comments/{ident}/{slug}"
            )
        return f"https://news.ycombinator.com/item?id={report.story * 100 + report.n}"
    day = T0 + timedelta(
        seconds=report.published if report.published is not None else report.at
    )
    return f"https://{report.host}/{day:%Y/%m/%d}/{slug}-{ident}"


def fingerprint(title: str, summary: str) -> str:
    """dedup.text.fingerprint for ASCII text (what the generator writes), without its accent folding:
    a million rows in seconds instead of minutes. The smoke test holds the two equal."""
    return hashlib.sha1(
        " ".join(_ASCII_WORD.findall(f"{title} {summary}".lower())).encode()
    ).hexdigest()


@lru_cache(maxsize=64)
def _models(model: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = extract_entities(f"its {model} assistant").get(
        "models", []
    )
    return found


@lru_cache(maxsize=1024)
def publisher(host: str) -> str:
    return organization(host)


def key_of(url: str, role: str) -> str:
    return f"{role}:{url}" if role in ZERO_WEIGHT_ROLES else url


def candidate_row(h: History, index: int) -> dict[str, Any]:
    """The stored candidate row of a report before T0, as normalization would have written it."""
    report, text = h.reports[index], text_of(h, index)
    fetched = T0 + timedelta(seconds=report.at)
    published = (
        T0 + timedelta(seconds=report.published)
        if report.published is not None
        else fetched
    )
    source_id = f"{report.stream}/{report.host}"
    return {
        "id": index + 1,
        "key": key_of(text.url, report.role),
        "stream": report.stream,
        "source_id": source_id,
        "role": report.role,
        "url": text.url,
        "original_url": text.url,
        "via_url": None,
        "publisher": publisher(text.url.split("/")[2]),
        "title": text.title,
        "summary": text.summary,
        "published_at": published,
        "published_is_fallback": report.published is None,
        "fetched_at": fetched,
        "language": "en",
        "entities": {
            "models": _models(story(h.seed, report.story, report.kind).model),
            **text.identifiers,
        },
        "fingerprint": fingerprint(text.title, text.summary),
        "raw_sha256": hashlib.sha256(
            f"{source_id}/{int(report.at // 3600)}".encode()
        ).hexdigest(),
        "clustered": True,  # the history is matched already
    }


@dataclass(frozen=True)
class Arrival:
    """One new hit as its source's adapter hands it to normalization."""

    hit: Hit
    spec: SourceSpec
    role: str  # the stream's
    fetched_at: datetime
    story: tuple[int, str] | None = None  # the story it reports: where matching should put it


def arrival(h: History, index: int) -> Arrival:
    """A report after T0 as a parsed hit: markup, tracking parameters and www. as feeds serve them."""
    report, text = h.reports[index], text_of(h, index)
    rng = Random(f"{h.seed}/{index}/feed")
    url = text.url
    if report.role != "discovery" and rng.random() < 0.3:
        url = url.replace("https://", "https://www.", 1)
    if rng.random() < 0.3:
        url += ("&" if "?" in url else "?") + "utm_source=rss&utm_medium=feed"
    summary = (
        f"<p>{text.summary}</p>"
        if report.stream in ("tier1-news", "tech-press", "security-blogs")
        and rng.random() < 0.5
        else text.summary
    )
    fetched = T0 + timedelta(seconds=report.at)
    hit = Hit(
        url=url,
        title=text.title,
        summary=summary,
        published=T0 + timedelta(seconds=report.published)
        if report.published is not None
        else None,
        guid=url,
        role=report.role if report.role != STREAMS[report.stream].role.value else None,
        entities=text.stated,
    )
    kind = {"user-submissions": "submissions", "reddit-hn": "hn"}.get(
        report.stream, "feed"
    )
    spec = SourceSpec(report.stream, report.host, kind, f"https://{report.host}/feed")
    return Arrival(hit, spec, STREAMS[report.stream].role.value, fetched)
