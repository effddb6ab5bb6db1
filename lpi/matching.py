"""Store-backed matching: what a run reads from the match index, and what it keeps there.

Placement is the same code as ``lpi cluster-file`` (dedup.matcher.place). Instead of every stored
hit in the window, the store supplies what earlier runs kept (store.match_index): the statistics of
the new hits' terms, the clusters that share the most of a new hit's rare terms near its time or
hold its URL (as kept sums of their members' features), and the stored hits to widen new ones with.
A run's cost follows its hits and the window, not the store's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from dedup.cluster import Features, OpenCluster
from dedup.matcher import (
    CLUSTER_CANDIDATES,
    Background,
    JoinRule,
    KeptCluster,
    KnownCluster,
    KnownMember,
    MatchHit,
    MatchSettings,
    Placement,
    Reading,
    features,
    place,
    read,
)
from dedup.normalize import ZERO_WEIGHT_ROLES
from dedup.similarity import NEIGHBOUR_CANDIDATES, Corpus, TermStats, Wording
from store import match_index, repo, session_scope
from store.match_index import Counted, Kept, KeptFeatures
from store.models import Candidate

SUMMARIES_PER_STREAM = 50  # a stream's latest kept hits whose summaries show its template
INDEX_BATCH = 2000  # candidates indexed together when a store is indexed for the first time


def placements(session: Session, pending: Sequence[Candidate], settings: MatchSettings, may_join: JoinRule) -> list[Placement]:
    """Where each pending candidate goes, given the clusters earlier runs opened."""
    half_life = window = timedelta(days=settings.window_days)
    hits = [match_hit(c) for c in pending]
    summaries = _summaries(session, {hit.stream for hit in hits})
    reading = read(hits, summaries)
    stats = match_index.stats(session, _terms(reading), half_life)
    corpus = Corpus.of(reading.weights, reading.wordings, _term_stats(stats))
    salience = [_salience(corpus, weights, words.names) for weights, words in zip(reading.weights, reading.wordings, strict=True)]
    offered = match_index.sharing(
        session,
        [(seen_at(c), rare) for c, rare in zip(pending, salience, strict=True)],
        window,
        clusters=CLUSTER_CANDIDATES,
        candidates=NEIGHBOUR_CANDIDATES,
    )
    holding = repo.clusters_holding(session, _url_keys(pending))
    known = _known(session, offered.clusters | holding.keys(), holding)
    neighbours = [(stream, _wording(words)) for stream, words in match_index.words(session, offered.candidates)]
    more = match_index.stats(session, {t for _, w in neighbours for t in w.title | w.summary} - stats.frequency.keys(), half_life)
    background = Background(
        TermStats(stats.size, {**more.frequency, **stats.frequency}, {**more.familiarity, **stats.familiarity}),
        neighbours,
        summaries,
    )
    return place(known, hits, settings, may_join, background)


def keep(session: Session, placed: Sequence[Placement], settings: MatchSettings, ids: Mapping[OpenCluster, int]) -> None:
    """Keep what matching computed of these placed hits (keyed by candidate id), and the sums of the
    clusters they went to (stored under ``ids``), for later runs."""
    match_index.keep(session, [_counted(p.hit, p.features) for p in placed], timedelta(days=settings.window_days))
    match_index.keep_summed(session, [_summed(cluster, ids[cluster]) for cluster in {p.cluster: None for p in placed}])


def index_store(engine: Engine, settings: MatchSettings) -> int:
    """Index the clustered candidates of a store that has never been indexed whole (one upgraded from
    before the match index), earliest first, a batch per transaction, so that a big store never
    sits in one transaction and a run cut short resumes where it stopped; return how many were
    indexed. An indexed store costs one row read."""
    with session_scope(engine) as session:
        if match_index.is_indexed(session):
            return 0
        unkept = repo.clustered_without_features(session)
    indexed = 0
    for batch in repo.chunks(unkept, INDEX_BATCH):
        with _matching(engine) as session:  # another matcher may have indexed some since they were listed
            indexed += _index(session, match_index.lacking_features(session, batch), settings)
    with session_scope(engine) as session:
        unsummed = match_index.unsummed(session)
    for batch in repo.chunks(unsummed, INDEX_BATCH):
        with _matching(engine) as session:
            _known(session, batch, {})  # sums them, and keeps the sums
    with _matching(engine) as session:
        match_index.mark_indexed(session)
    return indexed


def index_unkept(session: Session, settings: MatchSettings) -> int:
    """Compute and keep, in this transaction, the features of every clustered candidate that has
    none (after reprocessing changed their text), and the sums of their clusters: the store is then
    indexed whole. Return how many."""
    indexed = _index(session, repo.clustered_without_features(session), settings)
    for batch in repo.chunks(match_index.unsummed(session), INDEX_BATCH):
        _known(session, batch, {})
    match_index.mark_indexed(session)
    return indexed


@contextmanager
def _matching(engine: Engine) -> Iterator[Session]:
    """A transaction holding the matchers' lock."""
    with session_scope(engine) as session:
        repo.lock_for_matching(session)
        yield session


def _index(session: Session, candidate_ids: Sequence[int], settings: MatchSettings) -> int:
    """Compute and keep the features of these candidates, earliest first, INDEX_BATCH at a time."""
    half_life = timedelta(days=settings.window_days)
    for batch in repo.chunks(candidate_ids, INDEX_BATCH):
        hits = [match_hit(c) for c in repo.candidates_by_id(session, batch)]
        summaries = _summaries(session, {hit.stream for hit in hits})
        stats = match_index.stats(session, _terms(read(hits, summaries)), half_life)
        computed = features(hits, settings, Background(_term_stats(stats), (), summaries))
        match_index.keep(session, [_counted(h, f) for h, f in zip(hits, computed, strict=True)], half_life)
        session.flush()
    return len(candidate_ids)


def match_hit(candidate: Candidate) -> MatchHit:
    """A stored candidate as matching reads it."""
    return MatchHit(
        candidate.id, candidate.url, candidate.title, candidate.summary, seen_at(candidate), candidate.entities, candidate.stream
    )


def _known(session: Session, cluster_ids: Iterable[int], urls: Mapping[int, set[str]]) -> list[KnownCluster | KeptCluster]:
    """These clusters, least recently seen first (ties by id): as summed, where the sum is current
    (as many members as summed), else summed again from their members' kept features (and kept),
    else (a member has none: placed by hand) with their members read whole. ``urls``: the URLs
    of pending hits they hold."""
    wanted = set(cluster_ids)
    members = match_index.member_ids(session, wanted)
    summed = {k: s for k, s in match_index.summed(session, wanted).items() if s.size == len(members.get(k, ()))}
    known: list[KnownCluster | KeptCluster] = [
        KeptCluster(
            OpenCluster.kept(
                k, s.last_seen, s.total, set(s.block), {(kind, value) for kind, value in s.identifiers}, set(s.names), s.size, urls.get(k)
            ),
            members[k],
        )
        for k, s in summed.items()
    ]
    again = _from_members(session, match_index.members(session, wanted - summed.keys()))
    match_index.keep_summed(session, [_summed(k.cluster, k.cluster.ref) for k in again if isinstance(k, KeptCluster)])
    return sorted([*known, *again], key=_seen_order)


def _from_members(session: Session, kept: Sequence[Kept]) -> list[KnownCluster | KeptCluster]:
    by_cluster: dict[int, list[Kept]] = defaultdict(list)
    for k in kept:
        by_cluster[k.cluster_id].append(k)
    lacking = [k.id for k in kept if k.vector is None]  # placed by hand: read whole, computed again
    unkept = dict(zip(lacking, repo.candidates_by_id(session, lacking), strict=True))
    found: list[KnownCluster | KeptCluster] = []
    for cluster_id, rows in by_cluster.items():
        last_seen = max(k.seen for k in rows)
        if any(k.id in unkept for k in rows):
            found.append(KnownCluster(cluster_id, last_seen, [_member(k) if k.id not in unkept else match_hit(unkept[k.id]) for k in rows]))
            continue
        cluster = OpenCluster(cluster_id, last_seen)
        for k in rows:
            cluster.add(_member(k).features)
        found.append(KeptCluster(cluster, [k.id for k in rows]))
    return found


def _member(kept: Kept) -> KnownMember:
    """A member with the features a run kept (its URL is stored canonical)."""
    assert kept.vector is not None and kept.block is not None and kept.names is not None and kept.identifiers is not None
    url = kept.url if kept.url.startswith("https://") else ""
    ids = frozenset((kind, value) for kind, value in kept.identifiers)
    return KnownMember(kept.id, Features(kept.vector, frozenset(kept.block), url, ids, kept.seen, frozenset(kept.names)))


def _seen_order(known: KnownCluster | KeptCluster) -> tuple[datetime, int]:
    ref, last_seen = (known.cluster.ref, known.cluster.last_seen) if isinstance(known, KeptCluster) else (known.ref, known.last_seen)
    assert isinstance(ref, int) and last_seen is not None
    return last_seen, ref


def _summed(cluster: OpenCluster, cluster_id: Hashable) -> match_index.Summed:
    assert isinstance(cluster_id, int) and cluster.last_seen is not None
    return match_index.Summed(
        cluster_id,
        cluster.last_seen,
        cluster.total,
        sorted(cluster.block),
        sorted(cluster.names),
        sorted([kind, value] for kind, value in cluster.identifiers),
        cluster.size,
    )


def _counted(hit: MatchHit, computed: Features) -> Counted:
    assert isinstance(hit.key, int) and hit.seen is not None and computed.words is not None
    words = computed.words
    kept = KeptFeatures(
        {"title": sorted(words.title), "summary": sorted(words.summary), "names": sorted(words.names)},
        computed.vector,
        sorted(computed.block),
        sorted(computed.names),
        sorted([kind, value] for kind, value in computed.identifiers),
    )
    return Counted(hit.key, hit.seen, kept, {term: words.familiarity.get(term, 0.0) for term in computed.terms})


def _salience(corpus: Corpus, weights: dict[str, float], names: frozenset[str]) -> dict[str, float]:
    """Each rare term of a hit with its weight in the hit's own vector (dedup.cluster.Features.salience)."""
    own = corpus.vector(weights, names)
    return {term: own[term] for term in corpus.block(weights)}


def _wording(words: dict[str, list[str]]) -> Wording:
    return Wording(frozenset(words["title"]), frozenset(words["summary"]), frozenset(words["names"]))


def _summaries(session: Session, streams: Iterable[str]) -> dict[str, list[frozenset[str]]]:
    recent = match_index.recent_summaries(session, streams, SUMMARIES_PER_STREAM)
    return {stream: [frozenset(terms) for terms in rows] for stream, rows in recent.items()}


def _terms(reading: Reading) -> set[str]:
    return {term for weights in reading.weights for term in weights}


def _term_stats(stats: match_index.Stats) -> TermStats:
    return TermStats(stats.size, stats.frequency, stats.familiarity)


def _url_keys(candidates: Iterable[Candidate]) -> list[str]:
    """The keys a candidate with one of these web URLs is stored under, whatever its role."""
    urls = sorted({c.url for c in candidates if c.url.startswith("https://")})
    return [key for url in urls for key in (url, *(f"{role}:{url}" for role in sorted(ZERO_WEIGHT_ROLES)))]


def seen_at(candidate: Candidate) -> datetime:
    """When a candidate was seen: published, else fetched."""
    return candidate.published_at or candidate.fetched_at

