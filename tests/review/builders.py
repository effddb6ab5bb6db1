"""Queue items built the way the intake leaves them: candidates stored, clustered and counted."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from review import counting
from store import Candidate, Cluster, repo, session_scope

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
_serial = itertools.count(1)

# A complete, valid set of incident fields (the cluster supplies title and AIID id).
FIELDS: dict[str, Any] = {
    "summary": "A support chatbot promised refunds the airline's policy did not allow; a tribunal held the airline liable.",
    "incident_date": "2025-02-20",
    "category": "hallucination",
    "sector": "customer-service",
    "model_vendor": "OpenAI",
    "model_name": "GPT-4",
    "deployer": "Example Air",
    "jurisdiction": "CA",
    "piss_population": "1.0",
    "piss_harm": "1.5",
    "piss_detection": "2.5",
    "piss_response": "0.75",
    "detection_mechanism": "end-user",
    "lesson": "Customer-facing answers about policy need grounding in the policy text.",
    "mitigation": "Retrieval over the published policy; refuse when it is not found.",
    "recommendation": "Monitor chatbot commitments against policy before users act on them.",
    "detection_gap": "No check of the chatbot's promises against the refund policy.",
}


@dataclass(frozen=True)
class Source:
    publisher: str
    stream: str = "tech-press"
    role: str = "confirming"
    text: str | None = None  # identical text across publishers makes a syndicated copy
    summary: str = "Air Canada chatbot invented a bereavement refund policy and a tribunal made the airline pay."
    published: datetime | None = None
    entities: dict[str, Any] | None = None


def candidate(source: Source, title: str) -> Candidate:
    n = next(_serial)
    url = f"https://{source.publisher}/story/{n}"
    published = source.published or T0 - timedelta(days=1) + timedelta(seconds=n)
    return Candidate(
        key=url, stream=source.stream, source_id=f"{source.stream}/test", role=source.role, url=url, original_url=url,
        publisher=source.publisher, title=title, summary=source.summary, published_at=published, fetched_at=published,
        entities=source.entities if source.entities is not None else {"models": [{"vendor": "OpenAI", "model": "ChatGPT", "mention": "ChatGPT"}]},
        fingerprint=source.text or f"fp-{n}", raw_sha256="0" * 64,
    )


def add_cluster(
    engine: Engine, sources: Sequence[Source | str], title: str = "Airline chatbot invents refund policy", at: datetime = T0
) -> int:
    """Store one candidate per source, cluster them and count; return the cluster id."""
    candidates = [candidate(s if isinstance(s, Source) else Source(s), title) for s in sources]
    with session_scope(engine) as session:
        ids = repo.insert_new_candidates(session, candidates)
        stored = [session.get(Candidate, i) for i in ids]
        seen = [c.published_at for c in stored if c and c.published_at]
        cluster = Cluster(title=title, first_seen_at=min(seen), last_seen_at=max(seen))
        session.add(cluster)
        session.flush()
        for c in stored:
            assert c is not None
            repo.add_member(session, cluster, c, 1.0, at)
        counting.refresh(session, cluster, at)
        assert cluster.id is not None
        return cluster.id


def add_members(engine: Engine, cluster_id: int, sources: Sequence[Source | str], at: datetime = T0) -> list[int]:
    """New hits joining an existing cluster, the way the matcher adds them (the recount is the caller's)."""
    with session_scope(engine) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        ids = repo.insert_new_candidates(session, [candidate(s if isinstance(s, Source) else Source(s), cluster.title) for s in sources])
        for i in ids:
            stored = session.get(Candidate, i)
            assert stored is not None
            repo.add_member(session, cluster, stored, 0.8, at)
        return ids
