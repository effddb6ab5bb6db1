"""Entity extraction: vendor and model, CVE ids, court dockets, AIID incident ids."""

from __future__ import annotations

import re
from typing import Any

# (pattern, vendor, model family). Order matters only for readability; every match is kept.
MODEL_ALIASES: tuple[tuple[str, str, str], ...] = (
    (r"chat\s?gpt", "OpenAI", "ChatGPT"),
    (r"gpt-?[345](?:\.\d)?o?(?:-(?:turbo|mini|nano|pro))*", "OpenAI", "GPT"),
    (r"o[134](?:-mini|-pro)?(?= model)", "OpenAI", "o-series"),
    (r"claude(?: \d(?:\.\d)?)?(?: (?:opus|sonnet|haiku))?", "Anthropic", "Claude"),
    (r"gemini(?: \d(?:\.\d)?)?(?: (?:pro|flash|ultra|nano))?", "Google", "Gemini"),
    (r"bard", "Google", "Bard"),
    (r"ai overviews?", "Google", "Gemini (AI Overviews)"),
    (r"llama ?\d?(?:\.\d)?", "Meta", "Llama"),
    (r"meta ai", "Meta", "Llama (Meta AI)"),
    (r"mistral|mixtral|le chat", "Mistral AI", "Mistral"),
    (r"grok(?:-?\d)?", "xAI", "Grok"),
    (r"copilot", "Microsoft", "Copilot"),
    (r"deepseek(?:-?r1|-?v3)?", "DeepSeek", "DeepSeek"),
)
_MODEL_RE = [(re.compile(rf"(?<![\w-])({p})(?![\w-])", re.I), vendor, model) for p, vendor, model in MODEL_ALIASES]
_CVE_RE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.I)
# Judge initials after the number ("-PKC") vary between filings of one case: they are not kept.
_DOCKET_RE = re.compile(r"\b(?:No\.\s*)?(\d:\d{2}-(?:cv|cr|bk|mc)-\d{3,6})(?:-[A-Z]{2,4})*\b")
_AIID_RE = re.compile(r"incidentdatabase\.ai/cite/(\d+)|\bAIID[ #-]*(\d+)\b", re.I)


def extract_entities(text: str) -> dict[str, Any]:
    """Entities mentioned in ``text``; keys with nothing found are omitted."""
    found: dict[str, Any] = {}
    models = []
    for pattern, vendor, family in _MODEL_RE:
        for match in pattern.finditer(text):
            entry = {"vendor": vendor, "model": family, "mention": match.group(1)}
            if entry not in models:
                models.append(entry)
    if models:
        found["models"] = models
    if cves := sorted({m.upper() for m in _CVE_RE.findall(text)}):
        found["cves"] = cves
    if dockets := sorted(set(_DOCKET_RE.findall(text))):
        found["dockets"] = dockets
    if aiid := sorted({a or b for a, b in _AIID_RE.findall(text)}):
        found["aiid_ids"] = aiid
    return found
