"""Entity extraction: vendor, model and version, deployer, CVE ids, court dockets, AIID incident ids."""

from __future__ import annotations

import re
from typing import Any

UNDISCLOSED_VENDOR = "undisclosed"
UNDISCLOSED_MODEL = "undisclosed frontier model"
GENERIC_LLM = (
    r"large language models?|llms?|(?:generative |gen)?ai[- ](?:powered )?(?:chat ?bots?|assistants?|agents?|companions?)"
    r"|chat ?bots?"
)

# (pattern, vendor, model family): the maintained alias table. Every match is kept; a pattern's "v"
# group, when it matches, is the version the mention states ("GPT-4o" → "4o", "Claude 3.5 Sonnet" →
# "3.5 Sonnet"), kept in the entry as "version".
_O_SERIES = r"(?P<v>o[1-4](?:-mini|-pro|-preview)?)"
MODEL_ALIASES: tuple[tuple[str, str, str], ...] = (
    (r"chat\s?gpt", "OpenAI", "ChatGPT"),
    (r"gpt-?(?P<v>[345](?:\.\d)?o?(?:-(?:turbo|mini|nano|pro)| turbo)*)", "OpenAI", "GPT"),
    (_O_SERIES + r"(?= (?:reasoning )?model)", "OpenAI", "o-series"),
    (r"(?<=openai )" + _O_SERIES, "OpenAI", "o-series"),
    (r"claude(?: (?P<v>\d(?:\.\d)?(?: (?:opus|sonnet|haiku))?|(?:opus|sonnet|haiku)(?: \d(?:\.\d)?)?))?", "Anthropic", "Claude"),
    (r"gemini(?: (?P<v>\d(?:\.\d)?(?: (?:pro|flash(?:-lite)?|ultra|nano))?|pro|flash|ultra|nano|advanced))?", "Google", "Gemini"),
    (r"bard", "Google", "Bard"),
    (r"ai overviews?", "Google", "Gemini (AI Overviews)"),
    (r"llama(?:[ -]?(?P<v>\d(?:\.\d)?(?:[ -]\d+b)?))?", "Meta", "Llama"),
    (r"meta ai", "Meta", "Llama (Meta AI)"),
    (r"mistral(?: (?P<v>large(?: \d)?|medium|small|nemo|7b))?", "Mistral AI", "Mistral"),
    (r"mixtral(?: (?P<v>8x7b|8x22b))?", "Mistral AI", "Mistral"),
    (r"le chat", "Mistral AI", "Mistral"),
    (r"grok(?:[- ]?(?P<v>\d(?:\.\d)?))?", "xAI", "Grok"),
    (r"github copilot(?: (?P<v>chat|workspace|agent))?", "Microsoft", "GitHub Copilot"),
    (r"(?:microsoft|m) ?365 copilot|copilot for microsoft 365", "Microsoft", "Microsoft 365 Copilot"),
    (r"copilot studio", "Microsoft", "Copilot Studio"),
    (r"(?<!github )(?<!365 )copilot(?! studio| for microsoft)", "Microsoft", "Copilot"),
    (r"deepseek(?:[- ](?P<v>r1|v3|v2\.5|coder))?", "DeepSeek", "DeepSeek"),
    (r"qwen[- ]?(?P<v>\d(?:\.\d)?(?:-max|-vl|-coder)?)?", "Alibaba", "Qwen"),
    (r"(?-i:Perplexity)(?: ai)?", "Perplexity AI", "Perplexity"),  # capitalized: "perplexity" is also a metric
    # An LLM described but not named: kept only when no row above matched the same text.
    (GENERIC_LLM, UNDISCLOSED_VENDOR, UNDISCLOSED_MODEL),
)
# The words that name a model family or its vendor in the table above: every incident of that model
# or vendor shares them, so they say which model, not which incident (dedup.similarity).
MODEL_NAMES = (
    "ChatGPT GPT OpenAI Claude Anthropic Gemini Bard Google Llama Meta Mistral Mixtral Grok xAI GitHub Copilot"
    " Microsoft DeepSeek Qwen Alibaba Perplexity"
).split()
_MODEL_RE = [(re.compile(rf"(?<![\w-])({p})(?![\w-])", re.IGNORECASE), vendor, model) for p, vendor, model in MODEL_ALIASES]
_CVE_RE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
# Judge initials after the number ("-PKC") vary between filings of one case: they are not kept.
_DOCKET_RE = re.compile(r"\b(?:No\.\s*)?(\d:\d{2}-(?:cv|cr|bk|mc)-\d{3,6})(?:-[A-Z]{2,4})*\b")
_AIID_RE = re.compile(r"incidentdatabase\.ai/cite/(\d+)|\bAIID[ #-]*(\d+)\b", re.IGNORECASE)

# Deploying organizations, by transparent English phrasings: "<Org>'s chatbot", "a chatbot created by
# <Org>", "<Org> used ChatGPT", "lawyers at <Org>". An organization is a run of capitalized words
# ("Air Canada", "Chevrolet of Watsonville"), or a firm's names joined by commas and "&".
_CAP = r"[A-Z][\w.-]*"
_WORDS = rf"{_CAP}(?:(?: of| de| du| von)? {_CAP}){{0,4}}"
_ORG = rf"(?P<org>{_WORDS}(?:(?:, {_WORDS})* (?:&|and) {_WORDS})?)"
_BOT_NOUN = r"(?i:(?:chat ?bot|assistant|agent|bot)s?)"
_BOT = rf"(?i:(?:[\w-]+[ -]){{0,3}}?){_BOT_NOUN}"  # "chatbot", "AI support agent", "MyCity chatbot"
_USED = r"(?i:chatgpt|gpt-[\w.]+|claude|gemini|copilot|llama|generative ai|large language models?|ai\b|chat ?bots?)"
DEPLOYER_RULES = (
    rf"{_ORG}(?P<kind> dealership| law firm)?['’]s {_BOT}\b",
    rf"{_BOT_NOUN} (?i:deployed|launched|built|created|run|operated|developed|introduced|used|rolled out) by (?:the )?{_ORG}",
    rf"{_ORG} (?i:used|uses|deployed|deploys|launched|rolled out|introduced|relied on) (?:(?i:an?|its|the) )?{_USED}",
    rf"(?i:lawyers?|attorneys?) (?i:at|from|with) (?:the (?:law )?firm )?{_ORG}",
    rf"(?i:law firm) {_ORG}",
)
_DEPLOYER_RE = [re.compile(rule) for rule in DEPLOYER_RULES]
# Capitalized words that open a sentence rather than a name, and "organizations" that are not ones.
_LEADING_WORDS = (
    "The A An This That These Those Its Their His Her Our When After Before In On At By But And Then Meanwhile "
    "Last Earlier Now Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December"
)
_LEADING = frozenset(_LEADING_WORDS.split())
_NOT_DEPLOYERS_WORDS = (
    "It He She They We I You Researchers Users Customers Students Lawyers Attorneys People Hackers Scammers "
    "Critics Officials Employees Judges Passengers"
)
_NOT_DEPLOYERS = frozenset(_NOT_DEPLOYERS_WORDS.split())


# One organization under the names reports give it: initials and short forms (compared without
# case). Corporate suffixes ("Inc.", "Ltd") are dropped by deployer_name itself.
DEPLOYER_ALIASES = {
    "nyc": "New York City",
    "new york city government": "New York City",
    "city of new york": "New York City",
    "dpd uk": "DPD",
    "air canada airlines": "Air Canada",
    "chevy": "Chevrolet",
    "the uk government": "UK Government",
    "hmrc": "HM Revenue & Customs",
}
_CORPORATE_SUFFIX = re.compile(r",? (?:Inc|Incorporated|Ltd|Limited|LLC|LLP|PLC|Corp|Corporation|Co|GmbH|AG|SA)\.?$", re.IGNORECASE)


def deployer_name(name: str) -> str:
    """The one name of a deploying organization: corporate suffix dropped, known aliases resolved."""
    plain = _CORPORATE_SUFFIX.sub("", " ".join(name.split()))
    return DEPLOYER_ALIASES.get(plain.casefold(), plain)


def extract_entities(text: str) -> dict[str, Any]:
    """Entities mentioned in ``text``; keys with nothing found are omitted."""
    found: dict[str, Any] = {}
    models = []
    for pattern, vendor, family in _MODEL_RE:
        for match in pattern.finditer(text):
            entry = {"vendor": vendor, "model": family, "mention": match.group(1)}
            if version := match.groupdict().get("v"):
                entry["version"] = version
            if entry not in models:
                models.append(entry)
    if any(m["vendor"] != UNDISCLOSED_VENDOR for m in models):
        models = [m for m in models if m["vendor"] != UNDISCLOSED_VENDOR]
    if models:
        found["models"] = models
    if cves := sorted({m.upper() for m in _CVE_RE.findall(text)}):
        found["cves"] = cves
    if dockets := sorted(set(_DOCKET_RE.findall(text))):
        found["dockets"] = dockets
    if aiid := sorted({a or b for a, b in _AIID_RE.findall(text)}):
        found["aiid_ids"] = aiid
    if deployers := _deployers(text):
        found["deployers"] = deployers
    return found


def _deployers(text: str) -> list[str]:
    """The organizations ``text`` says deploy an LLM, in order of first mention."""
    found: dict[str, None] = {}
    for rule in _DEPLOYER_RE:
        for match in rule.finditer(text):
            words = match.group("org").split(" ")
            while words and words[0].rstrip(",") in _LEADING:
                words.pop(0)
            org = " ".join(words).rstrip(",") + (match.groupdict().get("kind") or "")
            if org and org not in _NOT_DEPLOYERS and not any(p.fullmatch(org) for p, _, _ in _MODEL_RE):
                found.setdefault(deployer_name(org))
    return list(found)
