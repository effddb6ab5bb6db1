"""What the synthetic hits of the speed benchmark are written with: English as English uses it
(wordfreq's frequencies, so common words are common and a story's own words are rarer), this
domain's words, invented names, the models, the outlets, and the templates of titles and leads."""

from __future__ import annotations

import bisect
import itertools
from functools import lru_cache
from random import Random

from wordfreq import top_n_list, word_frequency


def _words(text: str) -> list[str]:
    return text.split()


# The outlets of each stream (the busiest first); blogs and local papers are invented.
HOSTS: dict[str, list[str]] = {
    "tier1-news": _words(
        "bbc.co.uk nytimes.com wsj.com ft.com bloomberg.com lemonde.fr theguardian.com "
        "reuters.com apnews.com washingtonpost.com cnn.com npr.org economist.com latimes.com"
    ),
    "tech-press": _words(
        "wired.com technologyreview.com theregister.com 404media.co theverge.com "
        "arstechnica.com techcrunch.com zdnet.com engadget.com venturebeat.com gizmodo.com "
        "theinformation.com axios.com semafor.com fastcompany.com businessinsider.com cnet.com "
        "pcmag.com tomshardware.com thenextweb.com"
    ),
    "courts": _words(
        "courtlistener.com caselaw.nationalarchives.gov.uk pacer.uscourts.gov curia.europa.eu"
    ),
    "regulators": _words(
        "ftc.gov fcc.gov ico.org.uk cnil.fr fda.gov finra.org digital-strategy.ec.europa.eu"
    ),
    "preprints": ["arxiv.org", "ssrn.com"],
    "vendor-disclosures": _words(
        "status.openai.com status.anthropic.com openai.com anthropic.com blog.google"
    ),
    "bug-bounty": ["hackerone.com", "bugcrowd.com"],
    "avi-tracker": ["avi-tracker.org"],
    "reddit-hn": ["news.ycombinator.com", "reddit.com"],
}
TAIL_SITES = 400
TLDS = ("com", "com", "net", "org", "io", "co.uk", "de", "fr")
# Words this domain's news uses more than English at large does.
DOMAIN = _words(
    "customers customer airline refund policy court judge lawyer lawyers lawsuit case cases "
    "filed fake citations bank banking insurance claims health hospital patients doctors "
    "school students teachers city government officials agency regulator fine fined privacy "
    "leak leaked private messages emails passwords accounts security researchers researcher "
    "attack prompt injection jailbreak hidden instructions answers advice wrong false "
    "misleading defamation defamed politician mayor election misinformation deepfake voice "
    "clone scam fraud victims police arrest investigation probe complaint complaints apology "
    "apologized statement spokesperson support agent agents assistant assistants search "
    "results recipe recipes glue pizza medical diagnosis drug dosage pharmacy legal contract "
    "contracts employees staff hiring recruiting applicants bias biased discrimination women "
    "gender loan loans credit scores refunds tickets flight flights passenger passengers "
    "bereavement tribunal damages compensation ruling rules law laws regulation regulations "
    "guidance million billion percent dollars month months hours launch launched feature "
    "features update updated rollback outage errors error degraded performance latency api "
    "developers code repository secrets keys tokens extension browser plugin plugins memory "
    "conversation conversations history logs transcript transcripts shared links indexed "
    "startup startups vendor vendors product products platform platforms release released "
    "warning warned experts critics lawmakers senators parliament commission federal "
    "settlement settled sued suing plaintiffs defendants attorney attorneys sanctions "
    "sanctioned brief briefs motion hearing trial appeal"
)
# Models by how often a story names them.
MODELS = {
    "ChatGPT": 25,
    "GPT-4o": 5,
    "GPT-4.1": 3,
    "o3": 2,
    "Gemini": 10,
    "Gemini 2.5 Pro": 3,
    "AI Overviews": 3,
    "Claude": 7,
    "Claude 3.5 Sonnet": 3,
    "Copilot": 9,
    "Copilot Studio": 2,
    "Llama": 5,
    "Llama 3": 2,
    "Grok": 5,
    "Mistral": 2,
    "Le Chat": 1,
    "DeepSeek": 5,
    "DeepSeek-R1": 2,
    "Perplexity": 3,
}
# What went wrong, as a verb; what it went wrong with is the story's own words.
HARM_VERBS = _words(
    "leaked invented exposed misstated fabricated recommended deleted defamed refused "
    "approved denied cited generated published mocked insulted misdiagnosed offered sold "
    "shared hallucinated promised revealed wiped"
)
INCIDENT_TITLES = (
    "{deployer}'s {model} chatbot {verb} {topic} {topic2}",
    "{deployer} AI {verb} {topic} in {place}",
    "{person} says {deployer} bot {verb} {topic}",
    "{deployer} pulls {topic} assistant after it {verb} {topic2}",
    "{verb} {topic} at {deployer}: {topic2} {topic3}",
    "{place} {topic}: {deployer} {product} {verb} {topic2}",
    "How {deployer}'s {topic} bot {verb} {topic2} {topic3}",
)
NEWS_TITLES = (
    "{deployer} launches {topic} {topic2} with {model}",
    "{deployer} brings {topic} to {place}",
    "{deployer} bets on {model} for {topic} and {topic2}",
    "{person} on {deployer}'s {topic} {topic2} plans",
)
STATUS_TITLES = (
    "Elevated error rates on {model}",
    "Degraded {topic} performance for {model}",
    "{model} {topic} outage",
)
LEADS = (
    "{deployer} said its {product} {verb} {topic} and {topic2}.",
    "In {place}, a {product} run by {deployer} {verb} {topic} {topic3}.",
    "{person} found that {deployer}'s {model} {product} {verb} {topic2}.",
    "{deployer}, a {sector} in {place}, {verb} {topic} through its {product}.",
)
PRODUCTS = (
    "assistant",
    "chatbot",
    "support bot",
    "agent",
    "copilot",
    "search feature",
    "helper",
)
SECTORS = (
    "airline",
    "bank",
    "retailer",
    "insurer",
    "hospital",
    "law firm",
    "city agency",
    "carmaker",
)
SUBREDDITS = _words(
    "technology artificial OpenAI ChatGPT LocalLLaMA cybersecurity news"
)
REAL_DEPLOYERS = _words(
    "Air Canada DPD Chevrolet Klarna Slack Microsoft Google Amazon Snapchat Cursor Replit "
    "Duolingo Expedia Zillow"
)
PLACES = _words(
    "London Paris Berlin Madrid Rome Toronto Vancouver Sydney Melbourne Tokyo Seoul Singapore "
    "Dublin Amsterdam Brussels Chicago Boston Seattle Austin Denver Atlanta Miami Texas "
    "California Florida Ontario Quebec Bavaria Scotland Wales Ireland India Brazil Mexico "
    "Kenya Nigeria Israel Norway Sweden"
)
ENGLISH_WORDS = 40_000  # the most frequent English words drawn from
_SYLLABLES = [
    c + v
    for c in "bdfgklmnprstvz"
    for v in ("a", "e", "i", "o", "u", "ar", "en", "or", "il")
]
DOMAIN_WEIGHTS = list(
    itertools.accumulate(1.0 / (rank + 1) for rank in range(len(DOMAIN)))
)


@lru_cache(maxsize=1)
def english() -> tuple[tuple[str, ...], list[float]]:
    """English words (letters only) with their cumulative frequencies, from wordfreq."""
    found = [
        w
        for w in top_n_list("en", ENGLISH_WORDS)
        if w.isascii() and w.isalpha() and len(w) > 1
    ]
    return tuple(found), list(
        itertools.accumulate(word_frequency(w, "en") for w in found)
    )


def english_words(rng: Random, count: int, skip: int = 0) -> list[str]:
    """Words as often as English uses them; ``skip`` leaves out the most frequent ones."""
    found, cumulative = english()
    low = cumulative[skip - 1] if skip else 0.0
    span = cumulative[-1] - low
    return [
        found[bisect.bisect(cumulative, low + rng.random() * span)]
        for _ in range(count)
    ]


def name(rng: Random) -> str:
    """An invented name (a company, a person): unknown to the language, as most names are."""
    return "".join(
        rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))
    ).capitalize()


@lru_cache(maxsize=1)
def tail_sites() -> tuple[str, ...]:
    """Invented blogs and local papers."""
    rng = Random(11)
    kinds = ("", "blog", "news", "sec")
    return tuple(
        f"{name(rng).lower()}{rng.choice(kinds)}.{rng.choice(TLDS)}"
        for _ in range(TAIL_SITES)
    )
