"""The reviewer workflow: the one place its rules live, for the command line and the web page alike.

Every operation takes an open session (``store.session_scope``) and does its work in that one
transaction; decisions are stored as facts, and every action is written to the audit log.
"""

from review.audit import log as audit_log
from review.claims import LEASE, Claim, claim, release
from review.draft import FIELDS, IncidentDraft, parse_draft
from review.errata import correct
from review.errors import (
    ConflictError,
    DraftError,
    LeaseError,
    NotFound,
    ReviewError,
    StateError,
)
from review.evidence import (
    ClusterEvidence,
    DecisionRecord,
    MemberEvidence,
    evidence,
    suggested_fields,
)
from review.export import COLUMNS, records, write_csv, write_json
from review.in_scope import mark_in_scope
from review.matching import MatchingDecisions, decisions_for_matching
from review.publish import verify
from review.queue import Order, QueueFilter, QueueItem, Section, list_queue
from review.recheck import flag_for_another_look
from review.regroup import merge, not_same, split
from review.reject import reject
from review.report import render_report
from review.scope import ScopeView, scope_view
from review.vocabulary import CATEGORIES, DETECTION_MECHANISMS, REJECT_REASONS, SECTORS

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DETECTION_MECHANISMS",
    "FIELDS",
    "LEASE",
    "REJECT_REASONS",
    "SECTORS",
    "Claim",
    "ClusterEvidence",
    "ConflictError",
    "DecisionRecord",
    "DraftError",
    "IncidentDraft",
    "LeaseError",
    "MatchingDecisions",
    "MemberEvidence",
    "NotFound",
    "Order",
    "QueueFilter",
    "QueueItem",
    "ReviewError",
    "ScopeView",
    "Section",
    "StateError",
    "audit_log",
    "claim",
    "correct",
    "decisions_for_matching",
    "evidence",
    "flag_for_another_look",
    "list_queue",
    "mark_in_scope",
    "merge",
    "not_same",
    "parse_draft",
    "records",
    "reject",
    "release",
    "render_report",
    "scope_view",
    "split",
    "suggested_fields",
    "verify",
    "write_csv",
    "write_json",
]
