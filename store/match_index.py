"""What matching keeps between runs (the ``match_*`` tables), read and written.

A run reads the statistics of its hits' terms, the postings of their rare terms near each hit's
time (to find the few clusters that can take them), and the features kept for those clusters'
members; it writes its own hits' features, postings and counts. So its cost follows the hits it
matches and the stories they tell, not the size of the store.

Document frequencies decay by half every ``half_life`` of the corpus clock (the latest time a
counted hit was seen), so a term is rare or common by recent hits, as it would be over a window.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import Executable, delete, func
from sqlmodel import Session, col, select

from store.models import (
    Candidate,
    Cluster,
    ClusterMember,
    MatchCluster,
    MatchCorpus,
    MatchFeatures,
    MatchPosting,
    MatchTerm,
)
from store.repo import _insert, chunks, driver_rows

T = TypeVar("T")


@dataclass(frozen=True)
class Stats:
    """The decayed corpus size and, for the terms asked, decayed frequencies and familiarity."""

    size: float
    frequency: dict[str, float]
    familiarity: dict[str, float]


@dataclass(frozen=True, slots=True)
class KeptFeatures:
    """What a run computed of a hit, as kept (a ``MatchFeatures`` row)."""

    words: dict[str, list[str]]  # title, summary, names: its terms by field
    vector: dict[str, float]  # widened, unit length
    block: list[str]  # its rare terms then
    names: list[str]  # its rare terms written as names
    identifiers: list[list[str]]  # [kind, value]


@dataclass(frozen=True, slots=True)
class Kept:
    """A clustered candidate as matching reads it back: the features a run kept for it, or None
    (placed by hand, or stored before the index), when its text is read to compute them again."""

    cluster_id: int
    id: int
    url: str
    seen: datetime  # published, else fetched
    vector: dict[str, float] | None
    block: list[str] | None
    names: list[str] | None
    identifiers: list[list[str]] | None


@dataclass(frozen=True, slots=True)
class Summed:
    """A cluster as matching summed it (a ``MatchCluster`` row), with when it was last seen."""

    cluster_id: int
    last_seen: datetime
    total: dict[str, float]
    block: list[str]
    names: list[str]
    identifiers: list[list[str]]
    size: int


@dataclass(frozen=True)
class Counted:
    """One placed hit to keep: its features, and the terms it adds to the document frequencies with
    the familiarity of each."""

    candidate_id: int
    seen: datetime
    features: KeptFeatures
    terms: Mapping[str, float]  # term → familiarity


def decayed(value: float, at: datetime, clock: datetime, half_life: timedelta) -> float:
    """``value`` counted at ``at``, as of ``clock``."""
    return float(value * 0.5 ** max(0.0, (clock - at) / half_life))


def stats(session: Session, terms: Iterable[str], half_life: timedelta) -> Stats:
    """The corpus size and these terms' frequencies as of the corpus clock (nothing before the first run)."""
    corpus = session.get(MatchCorpus, 1)
    if corpus is None:
        return Stats(0.0, {}, {})
    frequency, familiarity = {}, {}
    for term, count, zipf, counted_at in _term_rows(session, sorted(set(terms))):
        frequency[term] = decayed(count, counted_at, corpus.counted_at, half_life)
        familiarity[term] = zipf
    return Stats(corpus.size, frequency, familiarity)


def _term_rows(session: Session, terms: Sequence[str]) -> Iterator[tuple[str, float, float, datetime]]:
    columns = (col(MatchTerm.term), col(MatchTerm.frequency), col(MatchTerm.familiarity), col(MatchTerm.counted_at))
    for chunk in chunks(terms):
        yield from session.execute(sqlalchemy.select(*columns).where(col(MatchTerm.term).in_(chunk))).tuples()


def is_indexed(session: Session) -> bool:
    """Every clustered candidate has been indexed once: not so in a new store, nor in one upgraded
    from before these tables until a run has indexed it whole."""
    corpus = session.get(MatchCorpus, 1)
    return corpus is not None and corpus.indexed


def mark_indexed(session: Session) -> None:
    """Record that every clustered candidate has been indexed (nothing to record before a run counted)."""
    if corpus := session.get(MatchCorpus, 1):
        corpus.indexed = True


def lacking_features(session: Session, candidate_ids: Sequence[int]) -> list[int]:
    """Those of ``candidate_ids`` no features are kept for, in the order given."""
    kept: set[int] = set()
    for chunk in chunks(candidate_ids):
        kept.update(session.execute(sqlalchemy.select(col(MatchFeatures.candidate_id)).where(col(MatchFeatures.candidate_id).in_(chunk))).scalars())
    return [candidate_id for candidate_id in candidate_ids if candidate_id not in kept]


@dataclass(frozen=True)
class Sharing:
    """What the postings offer a run's hits: the clusters to score them against, and the stored
    hits to widen them with."""

    clusters: set[int]
    candidates: set[int]


def sharing(
    session: Session, hits: Sequence[tuple[datetime, Mapping[str, float]]], window: timedelta, *, clusters: int, candidates: int
) -> Sharing:
    """For each of ``hits`` (seen, weight of each of its rare terms), among the stored hits seen
    within ``window`` of it that share a rare term: the ``clusters`` clusters and the ``candidates``
    hits sharing the most of its rare terms' weight. Hits close in time are looked up together: a
    query per span of a window, a handful per run."""
    found = Sharing(set(), set())
    for span in _spans(sorted(((seen, salience) for seen, salience in hits if salience), key=lambda hit: hit[0]), window):
        terms = sorted(set().union(*(salience for _, salience in span)))
        postings: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # term → (seen, candidate, cluster)
        for chunk in chunks(terms):
            rows = driver_rows(
                session,
                sqlalchemy.select(
                    col(MatchPosting.term), col(MatchPosting.seen), col(MatchPosting.candidate_id), col(ClusterMember.cluster_id)
                )
                .join(ClusterMember, col(ClusterMember.candidate_id) == col(MatchPosting.candidate_id))
                .where(
                    col(MatchPosting.term).in_(chunk),
                    col(MatchPosting.seen).between(_epoch(span[0][0] - window), _epoch(span[-1][0] + window)),
                ),
            )
            for term, seen, candidate_id, cluster_id in rows:
                postings[term].append((seen, candidate_id, cluster_id))
        for found_for_term in postings.values():
            found_for_term.sort()
        reach = window.total_seconds()
        for seen, salience in span:
            at = seen.timestamp()
            by_cluster: dict[int, float] = defaultdict(float)
            by_candidate: dict[int, float] = defaultdict(float)
            for term, weight in salience.items():
                posted = postings[term]
                within = posted[bisect_left(posted, at - reach, key=_seen) : bisect_right(posted, at + reach, key=_seen)]
                for _, candidate_id, _ in within:
                    by_candidate[candidate_id] += weight
                # a cluster counts a term once, however many members carry it
                for cluster_id in {cluster_id for _, _, cluster_id in within}:
                    by_cluster[cluster_id] += weight
            found.clusters.update(heapq.nsmallest(clusters, by_cluster, key=lambda k: (-by_cluster[k], k)))
            found.candidates.update(heapq.nsmallest(candidates, by_candidate, key=lambda c: (-by_candidate[c], c)))
    return found


def _seen(posting: tuple[int, int, int]) -> int:
    return posting[0]


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _spans(hits: list[tuple[datetime, T]], window: timedelta) -> Iterator[list[tuple[datetime, T]]]:
    """``hits`` (sorted by time) cut where a span would grow longer than ``window``."""
    span: list[tuple[datetime, T]] = []
    for hit in hits:
        if span and hit[0] - span[0][0] > window:
            yield span
            span = []
        span.append(hit)
    if span:
        yield span


def members(session: Session, cluster_ids: Iterable[int]) -> list[Kept]:
    """The members of these clusters, earliest seen first, with the features kept for them."""
    seen = func.coalesce(col(Candidate.published_at), col(Candidate.fetched_at))
    found: list[Kept] = []
    for chunk in chunks(sorted(cluster_ids)):
        rows = session.execute(
            sqlalchemy.select(
                col(ClusterMember.cluster_id),
                col(Candidate.id),
                col(Candidate.url),
                seen,
                col(MatchFeatures.vector),
                col(MatchFeatures.block),
                col(MatchFeatures.names),
                col(MatchFeatures.identifiers),
            )
            .join(Candidate, col(Candidate.id) == col(ClusterMember.candidate_id))
            .outerjoin(MatchFeatures, col(MatchFeatures.candidate_id) == col(Candidate.id))
            .where(col(ClusterMember.cluster_id).in_(chunk))
            .order_by(col(ClusterMember.cluster_id), seen, col(Candidate.id))
        )
        found.extend(Kept(*row) for row in rows)
    return found


def summed(session: Session, cluster_ids: Iterable[int]) -> dict[int, Summed]:
    """What matching summed of these clusters, where it did."""
    found: dict[int, Summed] = {}
    for chunk in chunks(sorted(cluster_ids)):
        rows = session.execute(
            sqlalchemy.select(
                col(MatchCluster.cluster_id),
                col(Cluster.last_seen_at),
                col(MatchCluster.total),
                col(MatchCluster.block),
                col(MatchCluster.names),
                col(MatchCluster.identifiers),
                col(MatchCluster.size),
            )
            .join(Cluster, col(Cluster.id) == col(MatchCluster.cluster_id))
            .where(col(MatchCluster.cluster_id).in_(chunk))
        )
        found.update((row[0], Summed(*row)) for row in rows)
    return found


def member_ids(session: Session, cluster_ids: Iterable[int]) -> dict[int, list[int]]:
    """The candidate ids of each of these clusters' members (from the membership index alone)."""
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks(sorted(cluster_ids)):
        query = sqlalchemy.select(col(ClusterMember.cluster_id), col(ClusterMember.candidate_id)).where(
            col(ClusterMember.cluster_id).in_(chunk)
        )
        for cluster_id, candidate_id in session.execute(query):
            found[cluster_id].append(candidate_id)
    return dict(found)


def keep_summed(session: Session, rows: Sequence[Summed]) -> None:
    """Write (or write again) what matching summed of these clusters."""
    values = [
        {"cluster_id": r.cluster_id, "total": r.total, "block": r.block, "names": r.names, "identifiers": r.identifiers, "size": r.size}
        for r in rows
    ]
    if values:
        _write(session, _upsert(session, MatchCluster, "cluster_id", ("total", "block", "names", "identifiers", "size")), values)


def unsummed(session: Session) -> list[int]:
    """The clusters matching has not summed (or whose sum was dropped), by id."""
    summed_already = select(MatchCluster.cluster_id).where(col(MatchCluster.cluster_id) == col(Cluster.id))
    return list(session.exec(select(Cluster.id).where(~summed_already.exists()).order_by(col(Cluster.id))))  # type: ignore[arg-type]


def words(session: Session, candidate_ids: Iterable[int]) -> list[tuple[str, dict[str, list[str]]]]:
    """The stream and kept words of each of these candidates (those with kept features)."""
    found: list[tuple[str, dict[str, list[str]]]] = []
    for chunk in chunks(sorted(candidate_ids)):
        rows = session.execute(
            sqlalchemy.select(col(Candidate.stream), col(MatchFeatures.words))
            .join(MatchFeatures, col(MatchFeatures.candidate_id) == col(Candidate.id))
            .where(col(Candidate.id).in_(chunk))
            .order_by(col(Candidate.id))
        )
        found.extend((stream, kept) for stream, kept in rows)
    return found


def recent_summaries(session: Session, streams: Iterable[str], per_stream: int) -> dict[str, list[list[str]]]:
    """The summary terms of each stream's latest ``per_stream`` kept hits: where its template shows."""
    found: dict[str, list[list[str]]] = {}
    for stream in sorted(set(streams)):
        rows = session.exec(
            select(MatchFeatures.words)
            .join(Candidate, col(Candidate.id) == col(MatchFeatures.candidate_id))
            .where(col(Candidate.stream) == stream)
            .order_by(col(Candidate.id).desc())
            .limit(per_stream)
        )
        found[stream] = [words.get("summary", []) for words in rows]
    return found


def keep(session: Session, counted: Sequence[Counted], half_life: timedelta) -> None:
    """Write these hits' features and postings, and add them to the decayed counts."""
    if not counted:
        return
    kept = [
        {"candidate_id": c.candidate_id, "words": f.words, "vector": f.vector, "block": f.block, "names": f.names, "identifiers": f.identifiers}
        for c in counted
        if (f := c.features)
    ]
    _write(session, _insert(session, MatchFeatures), kept)
    postings = [{"term": term, "seen": _epoch(c.seen), "candidate_id": c.candidate_id} for c in counted for term in c.features.block]
    if postings:
        _write(session, _insert(session, MatchPosting).on_conflict_do_nothing(), postings)
    _count(session, counted, half_life)


def forget(session: Session, candidate_ids: Sequence[int]) -> None:
    """Drop the features and postings kept for these candidates (their text changed), and the sums of
    their clusters. What they added to the counts stays, and decays."""
    for chunk in chunks(candidate_ids):
        clusters = select(ClusterMember.cluster_id).where(col(ClusterMember.candidate_id).in_(chunk))
        session.execute(delete(MatchCluster).where(col(MatchCluster.cluster_id).in_(clusters)))
        session.execute(delete(MatchPosting).where(col(MatchPosting.candidate_id).in_(chunk)))
        session.execute(delete(MatchFeatures).where(col(MatchFeatures.candidate_id).in_(chunk)))


def _count(session: Session, counted: Sequence[Counted], half_life: timedelta) -> None:
    corpus = session.get(MatchCorpus, 1)
    latest = max(c.seen for c in counted)
    clock = latest if corpus is None else max(corpus.counted_at, latest)
    size = len(counted) + (0.0 if corpus is None else decayed(corpus.size, corpus.counted_at, clock, half_life))
    if corpus is None:
        session.add(MatchCorpus(size=size, counted_at=clock))
    else:
        corpus.size, corpus.counted_at = size, clock
    added = Counter(term for c in counted for term in c.terms)
    familiarity: dict[str, float] = {}
    for c in counted:
        for term, zipf in c.terms.items():
            familiarity[term] = max(familiarity.get(term, 0.0), zipf)
    frequency = {term: float(count) for term, count in added.items()}
    for term, count, zipf, counted_at in _term_rows(session, sorted(added)):
        frequency[term] += decayed(count, counted_at, clock, half_life)
        familiarity[term] = max(zipf, familiarity[term])
    rows = [{"term": t, "frequency": f, "familiarity": familiarity[t], "counted_at": clock} for t, f in frequency.items()]
    if rows:
        _write(session, _upsert(session, MatchTerm, "term", ("frequency", "familiarity", "counted_at")), rows)


def _write(session: Session, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run an INSERT for many rows as plain SQL in the session's transaction: the ORM's bulk path
    adds nothing to rows that are not objects, and costs as much again."""
    session.connection().execute(statement, rows)


def _upsert(session: Session, table: type, key: str, columns: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE these columns: one statement, run for many rows."""
    insert = _insert(session, table)
    return insert.on_conflict_do_update(index_elements=[key], set_={name: insert.excluded[name] for name in columns})
