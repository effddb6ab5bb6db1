"""The store: SQLModel tables, the engine, migrations. The only package that talks SQL."""

from store import match_index, repo
from store.engine import (
    database_url,
    default_database_path,
    now,
    open_engine,
    session_scope,
)
from store.models import (
    Blob,
    Candidate,
    Cluster,
    ClusterMember,
    Incident,
    IncidentSequence,
    QueueState,
    RawPayload,
    ReviewerDecision,
    SourceState,
)

__all__ = [
    "Blob",
    "Candidate",
    "Cluster",
    "ClusterMember",
    "Incident",
    "IncidentSequence",
    "QueueState",
    "RawPayload",
    "ReviewerDecision",
    "SourceState",
    "database_url",
    "default_database_path",
    "match_index",
    "now",
    "open_engine",
    "repo",
    "session_scope",
]
