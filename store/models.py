"""The tables. Every row the pipeline writes lives here; nothing else defines schema.

Times are aware UTC datetimes (SQLModel's ``UTCDateTime`` refuses naive ones on write).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    LargeBinary,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlmodel import Field, SQLModel


class QueueState(StrEnum):
    """Where a cluster stands. Counting only ever moves ``lead → watched → promoted``, or parks a
    cluster whose confirming evidence is all out of scope (and brings it back when that changes)."""

    LEAD = "lead"  # only zero-weight evidence (discovery, user submissions)
    WATCHED = "watched"  # one independent confirming source: the review queue
    PROMOTED = "promoted"  # two or more: the verification queue
    VERIFIED = "verified"  # a reviewer published it
    REJECTED = "rejected"  # a reviewer rejected it
    # Every confirming member is out of the tracker's scope: kept and visible, but not queued. (The
    # name is what is stored: at most 8 characters, the width SQLite's column was created with.)
    EXCLUDED = "out-of-scope"


class SourceState(SQLModel, table=True):
    """Polling state of one endpoint, committed together with the hits it produced."""

    __tablename__ = "source_state"

    source_id: str = Field(primary_key=True)  # "<stream>/<name>"
    stream: str = Field(index=True)
    url: str
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    error_count: int = 0  # consecutive failures; reset by a success
    failing_since: datetime | None = None  # first of the current consecutive failures (read only while error_count > 0)
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_success_at: datetime | None = None
    last_status: int | None = None


class Blob(SQLModel, table=True):
    """Raw bytes, content-addressed by sha256 and zlib-compressed; stored once however often fetched."""

    __tablename__ = "raw_blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class RawPayload(SQLModel, table=True):
    """One distinct response body of one source, with the HTTP facts needed to trust or replay it."""

    __tablename__ = "raw_payload"
    __table_args__ = (UniqueConstraint("source_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True)
    stream: str = Field(index=True)
    url: str
    final_url: str
    redirects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: int
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_type: str | None = None
    sha256: str = Field(foreign_key="raw_blob.sha256", max_length=64)
    fetched_at: datetime


class Cluster(SQLModel, table=True):
    """One real-world incident as far as matching can tell, with its independence count explained."""

    __tablename__ = "cluster"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    state: QueueState = Field(default=QueueState.LEAD, index=True)
    independent_count: int = 0
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    first_seen_at: datetime
    last_seen_at: datetime = Field(index=True)  # newest member's time; bounds the matching window
    promoted_at: datetime | None = None
    aiid_id: str | None = None
    claimed_by: str | None = None  # the reviewer holding the lease on this queue item (review.claims)
    claimed_until: datetime | None = None  # the lease ends here; after that anyone may claim it
    another_look: str | None = None  # why a rejected cluster needs review again (new independent origins)


class Candidate(SQLModel, table=True):
    """One normalized hit. ``key`` (the canonical URL, or a guid URN) makes re-ingestion a no-op."""

    __tablename__ = "candidate"
    __table_args__ = (
        Index("ix_candidate_stream_id", "stream", "id"),  # a stream's latest hits
        # the hits matching has still to place, in the order it takes them: an index of a few rows
        # in a store of millions. SQLite uses a partial index only for a query term spelled as its
        # predicate: "clustered = 0" is how repo.unclustered_candidates's condition renders there.
        Index("ix_candidate_unclustered", "published_at", "id", sqlite_where=text("clustered = 0"), postgresql_where=text("NOT clustered")),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    stream: str = Field(index=True)
    source_id: str
    role: str  # confirming | aggregator | lead | discovery
    url: str
    original_url: str
    via_url: str | None = None  # the aggregator entry or discovery post this article was found through
    publisher: str = Field(index=True)  # originating organization (registrable domain)
    title: str
    summary: str = ""
    published_at: datetime | None = None
    published_is_fallback: bool = False  # no usable date in the entry: the date in its URL, else the fetch time, used
    fetched_at: datetime
    language: str | None = None
    entities: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scope_score: float | None = None  # dedup.scope, 0..1; None: not assessed (counted as in scope)
    in_scope: bool | None = None
    scope_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(index=True)  # hash of normalized title + summary: identical copies
    raw_sha256: str = Field(max_length=64)
    clustered: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # a member of a cluster (never again not)


class MatchFeatures(SQLModel, table=True):
    """What matching computed of a candidate when it placed it (dedup.matcher.Features): later runs
    compare new hits with this instead of reading every stored hit again."""

    __tablename__ = "match_features"

    candidate_id: int = Field(foreign_key="candidate.id", primary_key=True)
    words: dict[str, list[str]] = Field(sa_column=Column(JSON, nullable=False))  # title, summary, names: its terms
    vector: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))  # widened, unit length
    block: list[str] = Field(sa_column=Column(JSON, nullable=False))  # its rare terms then
    names: list[str] = Field(sa_column=Column(JSON, nullable=False))  # its rare terms written as names
    identifiers: list[list[str]] = Field(sa_column=Column(JSON, nullable=False))  # [kind, value]: AIID id, docket, CVE


class MatchCluster(SQLModel, table=True):
    """What matching compares of a cluster, summed from its members' kept features: read instead of
    the members. A cache: anything that moves members drops the rows of the clusters concerned."""

    __tablename__ = "match_cluster"

    cluster_id: int = Field(foreign_key="cluster.id", primary_key=True)
    total: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))  # sum of the members' vectors
    block: list[str] = Field(sa_column=Column(JSON, nullable=False))  # their rare terms
    names: list[str] = Field(sa_column=Column(JSON, nullable=False))
    identifiers: list[list[str]] = Field(sa_column=Column(JSON, nullable=False))
    size: int  # members summed: a different count of members now means the row is stale


class MatchPosting(SQLModel, table=True):
    """A rare term of a matched candidate, by when the candidate was seen: how a run finds the few
    clusters that can take its hits without reading the others."""

    __tablename__ = "match_posting"

    term: str = Field(primary_key=True)
    # when the candidate was seen, in epoch seconds: read by the thousand in every run, no dates to convert
    seen: int = Field(sa_column=Column(BigInteger, primary_key=True))
    candidate_id: int = Field(foreign_key="candidate.id", primary_key=True)


class MatchTerm(SQLModel, table=True):
    """In how many matched hits a term occurred, decayed by half every matching window (so rarity
    is judged on recent hits, as a window would), as of ``counted_at``; and how familiar it is in
    English at large (the Zipf frequency of its commonest word)."""

    __tablename__ = "match_term"

    term: str = Field(primary_key=True)
    frequency: float
    familiarity: float
    counted_at: datetime


class MatchCorpus(SQLModel, table=True):
    """How many hits matching has counted, decayed as ``MatchTerm`` is, and the corpus clock: the
    latest time a counted hit was seen (one row)."""

    __tablename__ = "match_corpus"

    id: int = Field(default=1, primary_key=True)
    size: float
    counted_at: datetime
    # every clustered candidate has been indexed (a store upgraded from before the match index is
    # indexed a batch per transaction, and a run cut short resumes)
    indexed: bool = Field(default=False, sa_column_kwargs={"server_default": true()})


class ClusterMember(SQLModel, table=True):
    """Membership of a candidate in a cluster: one cluster per candidate, and how it got there."""

    __tablename__ = "cluster_member"

    candidate_id: int = Field(foreign_key="candidate.id", primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    score: float  # match score when it joined (1.0 for a cluster's founder)
    added_by: str = "auto"  # "auto" or the reviewer who placed it
    added_at: datetime


class ReviewerDecision(SQLModel, table=True):
    """A reviewer's merge, split, not-the-same, verify or reject: a fact later runs must respect."""

    __tablename__ = "reviewer_decision"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # merge | split | not_same | verify | reject
    cluster_id: int | None = Field(default=None, index=True)
    other_cluster_id: int | None = Field(default=None, index=True)  # a merge names the absorbed cluster here
    candidate_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # the other side's members when the decision relates two groups (merge, split, not_same)
    other_candidate_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str | None = None
    note: str | None = None  # the reviewer's words (what "other" means, duplicate of what)
    reviewer: str
    created_at: datetime


class IncidentSequence(SQLModel, table=True):
    """Last issued number per publication year, so ``LPI-YYYY-NNNN`` is never reused."""

    __tablename__ = "incident_sequence"

    year: int = Field(primary_key=True)
    last_number: int = 0


class Incident(SQLModel, table=True):
    """A published incident: one row of ``incident-database.csv``."""

    __tablename__ = "incident"

    id: str = Field(primary_key=True)  # LPI-YYYY-NNNN
    cluster_id: int = Field(foreign_key="cluster.id", unique=True)
    title: str
    summary: str
    incident_date: date | None = None
    category: str
    sector: str
    model_vendor: str | None = None
    model_name: str = "undisclosed frontier model"
    model_version: str | None = None
    deployer: str | None = None
    jurisdiction: str | None = None
    piss_population: float
    piss_harm: float
    piss_detection: float
    piss_response: float
    piss_composite: float
    piss_band: str
    detection_mechanism: str
    lesson: str = ""
    mitigation: str = ""
    recommendation: str = ""
    detection_gap: str = ""
    sources: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    aiid_id: str | None = None
    notable: bool = False
    status: str = "published"
    errata: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime


class Submission(SQLModel, table=True):
    """A user-submitted report: a lead. Identical reports (same ``digest``) fold into one row."""

    __tablename__ = "submission"

    id: int | None = Field(default=None, primary_key=True)
    url: str  # as given
    canonical_url: str
    title: str = ""
    description: str = ""
    contact: str = ""  # for reviewers only: never in the intake payload, never logged
    digest: str = Field(unique=True, max_length=64)  # sha256 of canonical URL + normalized title + description
    client_hash: str = Field(max_length=64)  # keyed hash of the first submitter's address, never the address
    times_submitted: int = 1
    first_submitted_at: datetime
    last_submitted_at: datetime


class SubmissionAttempt(SQLModel, table=True):
    """One submission attempt of one client: the rate limit's memory, shared by every web process."""

    __tablename__ = "submission_attempt"
    __table_args__ = (Index("ix_submission_attempt_client_at", "client_hash", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_hash: str = Field(max_length=64)
    at: datetime


class AuditEntry(SQLModel, table=True):
    """One reviewer action (or automatic flag): who, when, what, and the state before and after."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str  # the reviewer, or "recount" for the automatic another-look flag
    action: str = Field(index=True)  # claim | release | verify | reject | merge | split | not_same | correct | flag
    subject: str = Field(index=True)  # "cluster:12" or "incident:LPI-2026-0001"
    decision_id: int | None = Field(default=None, foreign_key="reviewer_decision.id")
    reason: str | None = None
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ReviewerAccount(SQLModel, table=True):
    """A local account for the reviewers' web pages: a salted scrypt hash, never the password."""

    __tablename__ = "reviewer"

    name: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)  # reviewer | maintainer (maintainers may also correct published incidents)
    password_hash: str  # "scrypt$n$r$p$salt$hash", salt and hash in base64
    created_at: datetime
