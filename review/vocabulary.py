"""The methodology's fixed lists: incident categories, sectors, detection mechanisms, and the
reasons a candidate can be rejected for.

Each term has a short slug (for the command line and forms) and the label the methodology prints
(stored on the incident and shown in exports and the report). ``hints`` are regular expressions
that suggest a term to the reviewer from the evidence text; they never decide anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    slug: str
    label: str
    hints: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = tuple(re.compile(rf"\b(?:{hint})", re.IGNORECASE) for hint in self.hints)
        object.__setattr__(self, "patterns", compiled)


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]

    def resolve(self, value: str) -> Term:
        """The term whose slug or label is ``value`` (any case); ValueError naming the choices otherwise."""
        wanted = value.strip().casefold()
        for term in self.terms:
            if wanted in (term.slug, term.label.casefold()):
                return term
        raise ValueError(f"unknown {self.name} {value!r}; one of: {', '.join(self.slugs)}")

    @property
    def slugs(self) -> list[str]:
        return [term.slug for term in self.terms]

    @property
    def labels(self) -> list[str]:
        return [term.label for term in self.terms]


CATEGORIES = Vocabulary(
    "category",
    (
        Term("hallucination", "Hallucination causing user harm",
             (r"hallucinat", r"made[- ]up", r"false information", r"wrong (?:advice|answer|information)", r"dosage", r"misinform",
              r"fabricated (?:api|function|library)", r"visa requirement")),
        Term("fabricated-citations", "Fabricated citations / sources",
             (r"fake (?:case|citation)", r"fabricated (?:case|citation|source)", r"non-?existent (?:case|citation)", r"citations?", r"sanction")),
        Term("data-exposure", "Sensitive data exposure",
             (r"data (?:leak|exposure|breach)", r"leak", r"expos", r"personal (?:data|information)", r"pii\b", r"system prompt", r"privacy",
              r"regurgitat", r"training data", r"exfiltrat")),
        Term("discriminatory-output", "Discriminatory output",
             (r"discriminat", r"bias", r"racis", r"sexis", r"disparate", r"protected (?:class|group)", r"demographic")),
        Term("agent-tool-misuse", "Agent / tool misuse",
             (r"agent", r"tool use", r"refund", r"purchas", r"plugin", r"subscri", r"sent (?:an )?e-?mails?")),
        Term("policy-violating-content", "Policy-violating content reaching users",
             (r"offensive", r"inappropriate", r"harmful content", r"explicit", r"jailbr", r"policy", r"impersonat", r"swear")),
        Term("misattribution", "Misattribution of statements to real people",
             (r"defam", r"falsely (?:accus|claim|attribut)", r"fabricated quote", r"quotes?", r"libel", r"misattribut")),
        Term("unauthorized-agent-actions", "Unauthorized actions in agent contexts",
             (r"unauthori[sz]ed", r"without (?:permission|consent|approval)", r"deleted", r"wiped", r"beyond (?:its|the) (?:authori[sz]ed )?scope")),
        Term("cross-user-leakage", "Cross-user data leakage",
             (r"cross-(?:user|tenant|session)", r"other users'?", r"another user'?s", r"chat histor", r"session (?:bleed|leak)")),
        Term("autonomous-override", "Autonomous system override failures",
             (r"override", r"kill switch", r"failed to stop", r"human oversight")),
    ),
)

SECTORS = Vocabulary(
    "sector",
    (
        Term("legal", "Legal", (r"lawyer", r"attorney", r"court", r"legal", r"judge", r"law firm")),
        Term("healthcare", "Healthcare", (r"health", r"medical", r"patient", r"hospital", r"doctor", r"clinic", r"triage", r"symptom", r"diagnos")),
        Term("financial-services", "Financial services", (r"bank", r"financ", r"loan", r"credit", r"insur", r"invest", r"kyc\b")),
        Term("government", "Government / public sector",
             (r"government", r"public sector", r"benefits", r"city", r"agency", r"ministry", r"immigration", r"eligibility")),
        Term("media", "Media / journalism", (r"newspaper", r"journalis", r"news outlet", r"publisher", r"media", r"editorial", r"retract")),
        Term("education", "Education", (r"school", r"universit", r"student", r"teacher", r"education", r"plagiari", r"grading")),
        Term("customer-service", "Customer service", (r"customer (?:service|support)", r"support (?:bot|agent)", r"airline", r"chatbot")),
        Term("recruitment", "Recruitment", (r"recruit", r"hiring", r"job applica", r"resume", r"candidates? screening", r"fake[- ]credential")),
        Term("retail", "Retail / e-commerce",
             (r"retail", r"e-?commerce", r"shop", r"dealership", r"product (?:listing|description)", r"return policy")),
        Term("other", "Other"),
    ),
)

DETECTION_MECHANISMS = Vocabulary(
    "detection mechanism",
    (
        Term("end-user", "End user reported it publicly"),
        Term("external-researcher", "External researcher / journalist"),
        Term("regulator-court", "Regulator / court"),
        Term("internal-review", "Internal review (post-harm)"),
        Term("automated-monitoring", "Automated monitoring"),
        Term("pre-deployment-miss", "Pre-deployment testing miss caught later"),
    ),
)

REJECT_REASONS = Vocabulary(
    "reject reason",
    (
        Term("out-of-scope", "Out of scope"),
        Term("unverified", "Unverified"),
        Term("duplicate", "Duplicate"),  # of another cluster or a published incident: needs duplicate_of
        Term("no-identifiable-harm", "No identifiable harm"),
        Term("other", "Other"),  # needs a note saying what
    ),
)

INCIDENT_STATUSES = ("published", "withdrawn")  # a withdrawn incident keeps its id and its row


def suggest(vocabulary: Vocabulary, text: str) -> list[str]:
    """Slugs of the terms whose hints occur in ``text``, most hinted first."""
    counts = {term.slug: sum(len(p.findall(text)) for p in term.patterns) for term in vocabulary.terms}
    return [slug for slug, n in sorted(counts.items(), key=lambda item: -item[1]) if n]
