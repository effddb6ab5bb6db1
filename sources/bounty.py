"""Which bug-bounty disclosures concern AI: the ones from an AI vendor's programme, or whose title
or weakness names an AI/LLM failure. Platforms disclose thousands of web bugs a year; only these
belong to the tracker, so the bug-bounty adapters keep them and leave the rest out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sources.base import SourceSpec

# Whole words or phrases, case-insensitive. Bare "model" is left out on purpose: web-bug titles say
# "Document Object Model" and "threat model"; the OWASP LLM Top 10 names below are the AI weaknesses.
AI_TERMS: tuple[str, ...] = (
    "ai", "artificial intelligence", "llm", "llms", "large language model", "language model", "ai model",
    "genai", "generative ai", "chatbot", "ai assistant", "ai agent", "agentic", "model context protocol", "mcp",
    "prompt injection", "jailbreak", "system prompt", "insecure output handling", "training data poisoning",
    "model denial of service", "excessive agency", "model theft",
    "chatgpt", "gpt", "openai", "claude", "anthropic", "gemini", "copilot", "grok", "xai", "llama", "mistral",
)


@dataclass(frozen=True)
class AiScope:
    """Programmes kept whole (``options["programmes"]``, handles or engagement codes) and the terms
    (``options["terms"]``, default :data:`AI_TERMS`) that keep a disclosure from any programme."""

    programmes: frozenset[str]
    terms: re.Pattern[str]

    @classmethod
    def of(cls, spec: SourceSpec, default_programmes: Iterable[str]) -> AiScope:
        programmes = _strings(spec.options.get("programmes", list(default_programmes)))
        terms = _strings(spec.options.get("terms", list(AI_TERMS)))
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        pattern = rf"\b(?:{alternatives})\b" if terms else r"(?!)"  # no terms: programmes alone decide
        return cls(frozenset(p.lower() for p in programmes), re.compile(pattern, re.IGNORECASE))

    def covers(self, programme: str, *texts: str) -> bool:
        return programme.lower() in self.programmes or any(self.terms.search(t) for t in texts if t)


def _strings(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    return [str(item).strip() for item in items if str(item).strip()]
