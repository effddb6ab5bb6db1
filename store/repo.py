"""Reads and writes the pipeline needs, each idempotent where re-running must add nothing."""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import (
    ColumnElement,
    Executable,
    and_,
    case,
    delete,
    false,
    func,
    or_,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from store.models import (
    AuditEntry,
    Blob,
    Candidate,
    Cluster,
    ClusterMember,
    Incident,
    IncidentSequence,
    MatchCluster,
    MatchFeatures,
    QueueState,
    RawPayload,
    ReviewerAccount,
    ReviewerDecision,
    SourceState,
    Submission,
    SubmissionAttempt,
)

_MATCH_LOCK_KEY = 0x4C50494D  # "LPIM": one matcher at a time on PostgreSQL


def _insert(session: Session, table: type) -> postgresql.Insert | sqlite.Insert:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def source_states(session: Session, source_ids: Iterable[str] | None = None) -> dict[str, SourceState]:
    query = select(SourceState)
    if source_ids is not None:
        query = query.where(SourceState.source_id.in_(list(source_ids)))  # type: ignore[attr-defined]
    return {state.source_id: state for state in session.exec(query)}


def save_source_state(session: Session, state: SourceState) -> None:
    """Write ``state``; a new source's first state is an upsert, so two cycles saving it at once
    both succeed (the later one's values win) instead of one failing on the primary key."""
    if state in session:
        return  # loaded in this session: the row exists and the flush updates it
    values = {column.name: getattr(state, column.name) for column in SourceState.__table__.columns}  # type: ignore[attr-defined]
    insert = _insert(session, SourceState).values(**values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["source_id"], set_={name: insert.excluded[name] for name in values if name != "source_id"}
        )
    )


def archive_payload(
    session: Session,
    *,
    source_id: str,
    stream: str,
    url: str,
    final_url: str,
    redirects: list[str],
    status: int,
    headers: dict[str, str],
    body: bytes,
    fetched_at: datetime,
) -> str:
    """Store ``body`` content-addressed and record where it came from; return its sha256."""
    sha = hashlib.sha256(body).hexdigest()
    session.execute(
        _insert(session, Blob)
        .values(sha256=sha, size=len(body), data=zlib.compress(body, 6))
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    session.execute(
        _insert(session, RawPayload)
        .values(
            source_id=source_id,
            stream=stream,
            url=url,
            final_url=final_url,
            redirects=redirects,
            status=status,
            headers=headers,
            content_type=headers.get("content-type"),
            sha256=sha,
            fetched_at=fetched_at,
        )
        .on_conflict_do_nothing(index_elements=["source_id", "sha256"])
    )
    return sha


def raw_payloads(session: Session, source_ids: Sequence[str]) -> list[RawPayload]:
    """Archived payloads of these sources, oldest first (the order they were first ingested in)."""
    query = (
        select(RawPayload)
        .where(RawPayload.source_id.in_(list(source_ids)))  # type: ignore[attr-defined]
        .order_by(RawPayload.fetched_at, RawPayload.id)  # type: ignore[arg-type]
    )
    return list(session.exec(query))


def read_blob(session: Session, sha256: str) -> bytes:
    blob = session.get(Blob, sha256)
    if blob is None:
        raise KeyError(f"no raw payload with sha256 {sha256}")
    return zlib.decompress(blob.data)


def insert_new_candidates(session: Session, candidates: Sequence[Candidate]) -> list[int]:
    """Insert those whose key is not stored yet (also under concurrent writers); return new ids.

    Rows go in key order, so two writers with overlapping batches lock them in the same order and
    cannot deadlock each other on PostgreSQL; as one statement compiled once, which the driver runs
    in as few batches as the database's parameter limit allows.
    """
    table = Candidate.__table__  # type: ignore[attr-defined]
    columns = [c.name for c in table.columns if c.name != "id"]
    rows = [{name: getattr(c, name) for name in columns} for c in sorted(candidates, key=lambda c: c.key)]
    if not rows:
        return []
    statement = _insert(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    return sorted(session.connection().execute(statement, rows).scalars())  # ids grow in key order


_KEYS_PER_QUERY = 500  # databases cap the parameters of one statement
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = _KEYS_PER_QUERY) -> Iterator[Sequence[T]]:
    """``items`` ``size`` at a time: by default a statement's worth (_KEYS_PER_QUERY)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def driver_rows(session: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as the database driver returns them, without SQLAlchemy's result
    rows, which cost three times the query itself where matching reads postings by the hundred
    thousand. Only for columns the driver returns as they are meant (numbers, text): not JSON or
    dates, which SQLite returns as text."""
    result = session.connection().execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def candidates_by_key(session: Session, keys: Iterable[str]) -> dict[str, tuple[Candidate, int | None]]:
    """The stored candidates with these keys, each with the cluster it is in (None before matching)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, tuple[Candidate, int | None]] = {}
    for chunk in chunks(wanted):
        rows = session.exec(
            select(Candidate, ClusterMember.cluster_id)
            .outerjoin(ClusterMember, col(ClusterMember.candidate_id) == col(Candidate.id))
            .where(col(Candidate.key).in_(chunk))
        )
        found.update((candidate.key, (candidate, cluster_id)) for candidate, cluster_id in rows)
    return found


def lock_for_matching(session: Session) -> None:
    """Serialize matchers: SQLite's BEGIN IMMEDIATE already does; PostgreSQL takes an advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MATCH_LOCK_KEY})


def unclustered_candidates(session: Session) -> list[Candidate]:
    """Candidates in no cluster yet, earliest published first: read through the partial index that
    holds them alone, however big the store."""
    query = select(Candidate).where(col(Candidate.clustered) == false()).order_by(col(Candidate.published_at), col(Candidate.id))
    return list(session.exec(query))


def clusters_holding(session: Session, keys: Sequence[str]) -> dict[int, set[str]]:
    """The clusters holding a candidate with one of these keys, each with those candidates' URLs:
    point lookups on the key's unique index, however old the clusters (the same article is the
    same incident however late it comes)."""
    found: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(keys):
        rows = session.exec(
            select(ClusterMember.cluster_id, Candidate.url)
            .join(Candidate, col(Candidate.id) == col(ClusterMember.candidate_id))
            .where(col(Candidate.key).in_(chunk))
        )
        for cluster_id, url in rows:
            found[cluster_id].add(url)
    return dict(found)


def clustered_without_features(session: Session) -> list[int]:
    """The clustered candidates matching kept no features for, by id, earliest seen first."""
    kept = select(MatchFeatures.candidate_id).where(col(MatchFeatures.candidate_id) == col(ClusterMember.candidate_id))
    unkept = select(ClusterMember.candidate_id).where(~kept.exists())
    seen = func.coalesce(col(Candidate.published_at), col(Candidate.fetched_at))
    query = sqlalchemy.select(col(Candidate.id)).where(col(Candidate.id).in_(unkept)).order_by(seen, col(Candidate.id))
    return list(session.execute(query).scalars())


def candidates_by_id(session: Session, candidate_ids: Sequence[int]) -> list[Candidate]:
    """These candidates, in the order given."""
    found: dict[int | None, Candidate] = {}
    for chunk in chunks(candidate_ids):
        found.update((c.id, c) for c in session.exec(select(Candidate).where(col(Candidate.id).in_(chunk))))
    return [found[candidate_id] for candidate_id in candidate_ids]


def clusters_by_id(session: Session, cluster_ids: Iterable[int]) -> dict[int, Cluster]:
    """These clusters' rows, a query per _KEYS_PER_QUERY of them."""
    wanted = list(cluster_ids)
    found: dict[int, Cluster] = {}
    for chunk in chunks(wanted):
        rows = session.exec(select(Cluster).where(col(Cluster.id).in_(chunk)))
        found.update((cluster.id, cluster) for cluster in rows if cluster.id is not None)
    return found


def add_member(session: Session, cluster: Cluster, candidate: Candidate, score: float, at: datetime) -> None:
    assert cluster.id is not None and candidate.id is not None
    session.add(ClusterMember(candidate_id=candidate.id, cluster_id=cluster.id, score=score, added_at=at))
    candidate.clustered = True


def cluster_members(session: Session, cluster_id: int) -> list[tuple[Candidate, ClusterMember]]:
    """Members earliest-published first (the order independence counting credits origins in)."""
    rows = session.exec(
        select(Candidate, ClusterMember)
        .join(ClusterMember, ClusterMember.candidate_id == Candidate.id)  # type: ignore[arg-type]
        .where(ClusterMember.cluster_id == cluster_id)
        .order_by(Candidate.published_at, Candidate.id)  # type: ignore[arg-type]
    )
    return list(rows)


def members_of_clusters(session: Session, cluster_ids: Sequence[int]) -> dict[int, list[tuple[Candidate, ClusterMember]]]:
    """``cluster_members`` of many clusters: a query per _KEYS_PER_QUERY of them."""
    found: dict[int, list[tuple[Candidate, ClusterMember]]] = defaultdict(list)
    for chunk in chunks(cluster_ids):
        rows = session.exec(
            select(Candidate, ClusterMember)
            .join(ClusterMember, col(ClusterMember.candidate_id) == col(Candidate.id))
            .where(col(ClusterMember.cluster_id).in_(chunk))
            .order_by(col(Candidate.published_at), col(Candidate.id))
        )
        for candidate, member in rows:
            found[member.cluster_id].append((candidate, member))
    return dict(found)


def latest_decisions(session: Session, kind: str, cluster_ids: Sequence[int]) -> dict[int, ReviewerDecision]:
    """The latest decision of ``kind`` made on each of these clusters, where there is one."""
    found: dict[int, ReviewerDecision] = {}
    for chunk in chunks(cluster_ids):
        query = (
            select(ReviewerDecision)
            .where(col(ReviewerDecision.kind) == kind, col(ReviewerDecision.cluster_id).in_(chunk))
            .order_by(col(ReviewerDecision.created_at), col(ReviewerDecision.id))
        )
        for decision in session.exec(query):
            assert decision.cluster_id is not None
            found[decision.cluster_id] = decision
    return found


def queue(session: Session, states: Sequence[QueueState]) -> list[Cluster]:
    query = (
        select(Cluster)
        .where(Cluster.state.in_(list(states)))  # type: ignore[attr-defined]
        .order_by(Cluster.independent_count.desc(), Cluster.last_seen_at.desc())  # type: ignore[attr-defined]
    )
    return list(session.exec(query))


def member_counts(session: Session, cluster_ids: Sequence[int]) -> dict[int, int]:
    rows = session.exec(
        select(ClusterMember.cluster_id, func.count())
        .where(ClusterMember.cluster_id.in_(list(cluster_ids)))  # type: ignore[attr-defined]
        .group_by(ClusterMember.cluster_id)
    )
    return dict(rows.all())


_ATTEMPTS_LOCK_KEY = 0x4C504953  # "LPIS": one client's attempts are counted one at a time on PostgreSQL
_SUBMISSION_ORDER_LOCK_KEY = 0x4C50494F  # "LPIO": submissions commit in id order on PostgreSQL


def take_submission_slot(session: Session, client_hash: str, at: datetime, limit: int, window: timedelta) -> float | None:
    """Record an attempt by ``client_hash`` unless it already made ``limit`` in the ``window`` up to ``at``.

    Returns None when recorded, else the seconds until a slot frees. The count holds across
    processes: SQLite's BEGIN IMMEDIATE serializes it, PostgreSQL takes a per-client lock (and
    only one writer at a time prunes expired attempts, so clients never wait on each other).
    """
    prune = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key, hashtext(:client))"), {"key": _ATTEMPTS_LOCK_KEY, "client": client_hash}
        )
        prune = bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _ATTEMPTS_LOCK_KEY}).scalar())
    since = at - window
    if prune:
        session.execute(delete(SubmissionAttempt).where(col(SubmissionAttempt.at) <= since))
    times = session.exec(
        select(SubmissionAttempt.at)
        .where(SubmissionAttempt.client_hash == client_hash, SubmissionAttempt.at > since)
        .order_by(col(SubmissionAttempt.at))
    ).all()
    if len(times) >= limit:
        frees_at = times[len(times) - limit] + window
        return max(1.0, (frees_at - at).total_seconds())
    session.add(SubmissionAttempt(client_hash=client_hash, at=at))
    return None


def save_submission(session: Session, submission: Submission) -> tuple[int, int]:
    """Insert ``submission``, or fold it into the stored one with the same digest (also under
    concurrent writers); return the row's id and how many times it has now been submitted.

    Writers take turns (SQLite's BEGIN IMMEDIATE; an advisory lock on PostgreSQL), so ids commit in
    ascending order and a reader's "after id N" high-water mark never passes a row still to commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SUBMISSION_ORDER_LOCK_KEY})
    columns = [c.name for c in Submission.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    insert = _insert(session, Submission).values(**{name: getattr(submission, name) for name in columns})
    upsert = insert.on_conflict_do_update(
        index_elements=["digest"],
        set_={
            "times_submitted": Submission.times_submitted + 1,
            "last_submitted_at": insert.excluded.last_submitted_at,
            "contact": func.coalesce(func.nullif(Submission.contact, ""), insert.excluded.contact),
        },
    ).returning(col(Submission.id), col(Submission.times_submitted))
    row_id, times = session.execute(upsert).one()
    return int(row_id), int(times)


def submissions_after(session: Session, after: int, limit: int) -> list[Submission]:
    """Submissions with an id above ``after``, oldest first: what the intake has not read yet."""
    query = select(Submission).where(col(Submission.id) > after).order_by(col(Submission.id)).limit(limit)
    return list(session.exec(query))


def hit_totals(session: Session, since: datetime) -> dict[str, tuple[int, datetime, datetime]]:
    """Per source with hits: how many were fetched since ``since``, and its first and last hit ever."""
    fetched = col(Candidate.fetched_at)
    rows = session.exec(
        select(Candidate.source_id, func.sum(case((fetched >= since, 1), else_=0)), func.min(fetched), func.max(fetched))
        .group_by(Candidate.source_id)
    )
    return {source_id: (int(recent), first, last) for source_id, recent, first, last in rows}


def recent_hit_times(session: Session, per_source: int) -> dict[str, list[datetime]]:
    """Per source, the fetch times of its newest ``per_source`` polls that brought hits, oldest first."""
    polls = select(Candidate.source_id, Candidate.fetched_at).distinct().subquery()
    newest_first = func.row_number().over(partition_by=polls.c.source_id, order_by=polls.c.fetched_at.desc())
    ranked = select(polls.c.source_id, polls.c.fetched_at, newest_first.label("rank")).subquery()
    rows = session.execute(
        select(ranked.c.source_id, ranked.c.fetched_at)
        .where(ranked.c.rank <= per_source)
        .order_by(ranked.c.source_id, ranked.c.fetched_at)
    )
    times: dict[str, list[datetime]] = defaultdict(list)
    for source_id, fetched_at in rows:
        times[source_id].append(fetched_at)
    return dict(times)


# The reviewer workflow (review/): leases, incident numbers, regrouping, decisions, incidents, audit.


def _free_for(reviewer: str, at: datetime) -> ColumnElement[bool]:
    """No live lease held by anyone but ``reviewer``."""
    return or_(col(Cluster.claimed_by).is_(None), col(Cluster.claimed_until) <= at, col(Cluster.claimed_by) == reviewer)


def claim_cluster(
    session: Session,
    cluster_id: int,
    reviewer: str,
    at: datetime,
    until: datetime,
    *,
    states: Sequence[QueueState],
    flagged_states: Sequence[QueueState] = (),
) -> bool:
    """Lease a cluster to ``reviewer`` until ``until`` if it is in one of ``states`` (or one of
    ``flagged_states`` with the another-look flag set) and nobody else holds a live lease.

    One conditional UPDATE decides, so two reviewers never both win: PostgreSQL re-checks the WHERE
    against the row a concurrent claimer has just committed, and SQLite runs writers one at a time.
    """
    claimable = or_(
        col(Cluster.state).in_(list(states)),
        and_(col(Cluster.state).in_(list(flagged_states)), col(Cluster.another_look).is_not(None)),
    )
    result = session.execute(
        update(Cluster)
        .where(col(Cluster.id) == cluster_id, claimable, _free_for(reviewer, at))
        .values(claimed_by=reviewer, claimed_until=until)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def hold_cluster(session: Session, cluster_id: int, reviewer: str, at: datetime, *, claim_required: bool) -> Cluster | None:
    """Lock a cluster's row for a decision by ``reviewer`` and return it; None when they may not
    decide on it: someone else holds a live lease, or (``claim_required``) they hold none."""
    if claim_required:
        allowed = and_(col(Cluster.claimed_by) == reviewer, col(Cluster.claimed_until) > at)
    else:
        allowed = _free_for(reviewer, at)
    query = (
        select(Cluster)
        .where(col(Cluster.id) == cluster_id, allowed)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def release_cluster(session: Session, cluster_id: int, reviewer: str) -> bool:
    """End ``reviewer``'s lease on a cluster; False when they held none."""
    result = session.execute(
        update(Cluster)
        .where(col(Cluster.id) == cluster_id, col(Cluster.claimed_by) == reviewer)
        .values(claimed_by=None, claimed_until=None)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def next_incident_number(session: Session, year: int) -> int:
    """Take the next incident number of ``year`` in the caller's transaction.

    The year's row stays locked until commit, so concurrent publishers queue up behind it, and a
    rollback gives the number back: numbers are neither duplicated nor skipped."""
    insert = _insert(session, IncidentSequence).values(year=year, last_number=1)
    statement = insert.on_conflict_do_update(
        index_elements=["year"], set_={"last_number": IncidentSequence.last_number + 1}
    ).returning(col(IncidentSequence.last_number))
    return int(session.execute(statement).scalar_one())


def members_of(session: Session, cluster_ids: Sequence[int]) -> dict[int, list[Candidate]]:
    """Each cluster's candidates, earliest published first, in one query."""
    rows = session.exec(
        select(ClusterMember.cluster_id, Candidate)
        .join(Candidate, col(Candidate.id) == col(ClusterMember.candidate_id))
        .where(col(ClusterMember.cluster_id).in_(list(cluster_ids)))
        .order_by(col(Candidate.published_at), col(Candidate.id))
    )
    members: dict[int, list[Candidate]] = defaultdict(list)
    for cluster_id, candidate in rows:
        members[cluster_id].append(candidate)
    return dict(members)


def move_members(session: Session, candidate_ids: Sequence[int], cluster_id: int, by: str, at: datetime) -> None:
    """Put candidates into ``cluster_id``, recorded as placed by ``by`` (a reviewer's regrouping).
    What matching summed of the clusters concerned is dropped, to be summed again."""
    concerned = {cluster_id, *clusters_of(session, candidate_ids).values()}
    session.execute(delete(MatchCluster).where(col(MatchCluster.cluster_id).in_(sorted(concerned))))
    session.execute(
        update(ClusterMember)
        .where(col(ClusterMember.candidate_id).in_(list(candidate_ids)))
        .values(cluster_id=cluster_id, added_by=by, added_at=at)
    )


def reviewer_decisions(session: Session, kinds: Sequence[str]) -> list[ReviewerDecision]:
    """Decisions of these kinds, oldest first (the order in which later ones override earlier ones)."""
    query = (
        select(ReviewerDecision)
        .where(col(ReviewerDecision.kind).in_(list(kinds)))
        .order_by(col(ReviewerDecision.created_at), col(ReviewerDecision.id))
    )
    return list(session.exec(query))


def cluster_decisions(session: Session, cluster_id: int) -> list[ReviewerDecision]:
    """Every decision naming the cluster on either side, oldest first."""
    names = or_(col(ReviewerDecision.cluster_id) == cluster_id, col(ReviewerDecision.other_cluster_id) == cluster_id)
    query = select(ReviewerDecision).where(names).order_by(col(ReviewerDecision.created_at), col(ReviewerDecision.id))
    return list(session.exec(query))


def incident_of_cluster(session: Session, cluster_id: int) -> Incident | None:
    return session.exec(select(Incident).where(col(Incident.cluster_id) == cluster_id)).first()


def incidents(session: Session) -> list[Incident]:
    """Every published incident, in publication order."""
    return list(session.exec(select(Incident).order_by(col(Incident.published_at), col(Incident.id))))


def incident_for_update(session: Session, incident_id: str) -> Incident | None:
    """The incident with its row locked until commit, so corrections apply one at a time."""
    query = (
        select(Incident)
        .where(col(Incident.id) == incident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def audit_entries(session: Session, subject: str | None = None) -> list[AuditEntry]:
    """The audit log, or one subject's part of it ("cluster:12"), oldest first."""
    query = select(AuditEntry).order_by(col(AuditEntry.at), col(AuditEntry.id))
    if subject is not None:
        query = query.where(col(AuditEntry.subject) == subject)
    return list(session.exec(query))


def clusters_of(session: Session, candidate_ids: Sequence[int]) -> dict[int, int]:
    """The cluster each of these candidates is in now (a query per _KEYS_PER_QUERY of them: every
    reviewer decision's candidates are asked for at each matching run, more than SQLite's limit of
    parameters in one statement once the history is long)."""
    wanted = list(candidate_ids)
    found: dict[int, int] = {}
    for chunk in chunks(wanted):
        rows = session.exec(
            select(ClusterMember.candidate_id, ClusterMember.cluster_id).where(
                col(ClusterMember.candidate_id).in_(chunk)
            )
        )
        found.update(rows.all())
    return found


def reviewer_account(session: Session, name: str) -> ReviewerAccount | None:
    return session.get(ReviewerAccount, name)


def add_reviewer_account(session: Session, account: ReviewerAccount) -> bool:
    """Insert ``account``; False when the name is taken (the insert is conditional, so two adds race safely)."""
    statement = (
        _insert(session, ReviewerAccount)
        .values(**account.model_dump())
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(col(ReviewerAccount.name))
    )
    return session.execute(statement).scalar() is not None
