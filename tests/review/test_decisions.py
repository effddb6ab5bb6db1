"""Reject with a reason from the fixed list; merge, split and not-the-same as stored two-sided
decisions; what matching must respect afterwards; an audit row for each."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

import review
from review import ConflictError, ReviewError, StateError, counting
from review.counting import member_ids
from store import Cluster, QueueState, repo, session_scope
from tests.review.builders import T0, add_cluster
from tests.review.test_publish import claim_and_verify


def cluster(engine: Engine, cluster_id: int) -> Cluster:
    with session_scope(engine) as session:
        found = session.get(Cluster, cluster_id)
        assert found is not None
        return found


def members(engine: Engine, cluster_id: int) -> list[int]:
    with session_scope(engine) as session:
        return member_ids(session, cluster_id)


def reject(engine: Engine, cluster_id: int, reason: str, **options: object) -> Cluster:
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=T0)
    with session_scope(engine) as session:
        return review.reject(session, cluster_id, "alice", reason, at=T0, **options)  # type: ignore[arg-type]


def test_reject_keeps_the_reason_and_the_members_it_saw(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    rejected = reject(engine, cluster_id, "No identifiable harm", note="a wrong trivia answer")
    assert rejected.state is QueueState.REJECTED and rejected.claimed_by is None
    with session_scope(engine) as session:
        (decision,) = repo.cluster_decisions(session, cluster_id)
        (entry,) = [e for e in review.audit_log(session, f"cluster:{cluster_id}") if e.action == "reject"]
    assert (decision.kind, decision.reason, decision.note) == ("reject", "no-identifiable-harm", "a wrong trivia answer")
    assert decision.candidate_ids == members(engine, cluster_id)
    assert entry.reason == "No identifiable harm; a wrong trivia answer"
    assert (entry.before["state"], entry.after["state"]) == ("promoted", "rejected")


def test_reject_reasons_come_from_the_fixed_list(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    with pytest.raises(ReviewError, match="unknown reject reason 'boring'; one of: out-of-scope, unverified"):
        reject(engine, cluster_id, "boring")
    with pytest.raises(ReviewError, match="'other' needs a note"):
        reject(engine, cluster_id, "other")
    with pytest.raises(ReviewError, match="needs duplicate_of"):
        reject(engine, cluster_id, "duplicate")
    with pytest.raises(ReviewError, match="duplicate_of goes with reason 'duplicate'"):
        reject(engine, cluster_id, "unverified", duplicate_of=3)
    with pytest.raises(review.NotFound, match="no incident LPI-2025-0042"):
        reject(engine, cluster_id, "duplicate", duplicate_of="LPI-2025-0042")
    assert cluster(engine, cluster_id).state is QueueState.PROMOTED


def test_a_duplicate_names_the_published_incident(engine: Engine) -> None:
    original = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    published = claim_and_verify(engine, original)
    again = add_cluster(engine, ["wired.com", "arstechnica.com"])
    reject(engine, again, "duplicate", duplicate_of=published.id)
    with session_scope(engine) as session:
        (decision,) = repo.cluster_decisions(session, again)
    assert (decision.reason, decision.other_cluster_id) == ("duplicate", original)


def test_merge_moves_the_members_and_recounts(engine: Engine) -> None:
    keep = add_cluster(engine, ["bbc.co.uk"])
    absorb = add_cluster(engine, ["theverge.com", "bbc.co.uk"])
    kept, moved = members(engine, keep), members(engine, absorb)
    assert cluster(engine, keep).state is QueueState.WATCHED
    with session_scope(engine) as session:
        merged = review.merge(session, keep, absorb, "alice", note="same airline story", at=T0)
    assert merged.independent_count == 2 and merged.state is QueueState.PROMOTED
    assert sorted(members(engine, keep)) == sorted(kept + moved) and members(engine, absorb) == []
    assert cluster(engine, absorb).state is QueueState.REJECTED
    with session_scope(engine) as session:
        (decision,) = repo.reviewer_decisions(session, ["merge"])
        (entry,) = review.audit_log(session, f"cluster:{keep}")
        placed = {m.candidate_id: m.added_by for _, m in repo.cluster_members(session, keep)}
    assert (decision.cluster_id, decision.other_cluster_id) == (keep, absorb)
    assert (decision.candidate_ids, decision.other_candidate_ids) == (kept, moved)
    assert entry.action == "merge" and entry.before["absorbed"]["members"] == moved
    assert entry.after["kept"]["independent"] == 2 and entry.after["absorbed"]["state"] == "rejected"
    assert {placed[c] for c in moved} == {"alice"} and {placed[c] for c in kept} == {"auto"}


def test_split_moves_the_chosen_members_out_and_both_parts_recount(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com", "wired.com"])
    bbc, verge, wired = members(engine, cluster_id)
    with session_scope(engine) as session:
        new = review.split(session, cluster_id, [verge, wired], "alice", note="two different chatbots", at=T0)
    assert new.id is not None
    assert members(engine, cluster_id) == [bbc] and members(engine, new.id) == [verge, wired]
    assert cluster(engine, cluster_id).state is QueueState.WATCHED  # a split may take a promotion back
    assert cluster(engine, new.id).state is QueueState.PROMOTED and new.independent_count == 2
    with session_scope(engine) as session:
        (decision,) = repo.reviewer_decisions(session, ["split"])
        (entry,) = review.audit_log(session, f"cluster:{cluster_id}")
    assert (decision.candidate_ids, decision.other_candidate_ids, decision.other_cluster_id) == ([bbc], [verge, wired], new.id)
    assert entry.after["split_off"]["cluster"] == new.id and entry.after["rest"]["state"] == "watched"


def test_split_needs_some_but_not_all_members_of_the_cluster(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    other = add_cluster(engine, ["wired.com"])
    everyone = members(engine, cluster_id)
    for chosen, message in ((everyone, "some but not all"), ([], "some but not all"), (members(engine, other), "not members")):
        with pytest.raises(ReviewError, match=message), session_scope(engine) as session:
            review.split(session, cluster_id, chosen, "alice")


def test_regrouping_respects_claims_and_verdicts(engine: Engine) -> None:
    held, free = add_cluster(engine, ["bbc.co.uk", "theverge.com"]), add_cluster(engine, ["wired.com"])
    with session_scope(engine) as session:
        review.claim(session, held, "bob")
    with pytest.raises(review.LeaseError, match="claimed by bob"), session_scope(engine) as session:
        review.merge(session, free, held, "alice")
    published = add_cluster(engine, ["ft.com", "nytimes.com"])
    claim_and_verify(engine, published)
    with pytest.raises(StateError, match="is verified: only clusters awaiting review or parked can be merged"), session_scope(engine) as session:
        review.merge(session, free, published, "alice")
    with pytest.raises(ReviewError, match="two different clusters"), session_scope(engine) as session:
        review.not_same(session, free, free, "alice")


def test_not_same_blocks_a_merge_unless_overridden(engine: Engine) -> None:
    first, second = add_cluster(engine, ["bbc.co.uk"]), add_cluster(engine, ["theverge.com"])
    with session_scope(engine) as session:
        marked = review.not_same(session, first, second, "alice", note="different airlines", at=T0)
    with pytest.raises(ConflictError, match=f"decision {marked.id} keeps members of clusters {first} and {second} apart"), session_scope(engine) as session:
        review.merge(session, first, second, "bob")
    with session_scope(engine) as session:
        review.merge(session, first, second, "bob", override=True)
        entries = [e.action for e in review.audit_log(session, f"cluster:{first}")]
    assert entries == ["not_same", "merge"]


def test_decisions_for_matching_fold_later_decisions_over_earlier_ones(engine: Engine) -> None:
    a, b, c = (add_cluster(engine, [p], title=f"Story {p}") for p in ("bbc.co.uk", "theverge.com", "wired.com"))
    (a1,), (b1,), (c1,) = members(engine, a), members(engine, b), members(engine, c)
    with session_scope(engine) as session:
        review.not_same(session, a, b, "alice", at=T0)
        review.merge(session, a, c, "alice", at=T0)
    with session_scope(engine) as session:
        facts = review.decisions_for_matching(session)
    pair = frozenset
    assert set(facts.apart) == {pair((a1, b1))} and set(facts.together) == {pair((a1, c1))}
    assert facts.placed == {c1: a}
    assert facts.apart_clusters == {pair((a, b))} and not facts.may_merge(a, b) and facts.may_merge(b, c)
    assert not facts.may_join(b1, [a1, c1]) and facts.may_join(b1, [c1]) is True
    assert [s.kind for s in facts.standing] == ["not_same", "merge"]

    # a later split of the merged cluster separates what the merge joined: the merge no longer stands
    with session_scope(engine) as session:
        review.split(session, a, [c1], "bob", at=T0)
        facts = review.decisions_for_matching(session)
    assert set(facts.together) == set() and set(facts.apart) == {pair((a1, b1)), pair((a1, c1))}
    assert [s.kind for s in facts.standing] == ["not_same", "split"]
    assert facts.separating([c1], [a1, b1]) is not None


def parked(engine: Engine, sources: list[str], title: str = "Airline chatbot invents refund policy") -> int:
    """A cluster whose confirming members were all judged out of scope: parked, not queued."""
    cluster_id = add_cluster(engine, sources, title)
    with session_scope(engine) as session:
        for member in counting.members(session, cluster_id):
            member.in_scope, member.scope_score = False, 0.2
        found = session.get(Cluster, cluster_id)
        assert found is not None
        counting.refresh(session, found, T0)
    assert cluster(engine, cluster_id).state is QueueState.EXCLUDED
    return cluster_id


def test_a_parked_cluster_can_be_merged_into_a_queued_one_and_split_back_out(engine: Engine) -> None:
    queued, out = add_cluster(engine, ["bbc.co.uk"]), parked(engine, ["theverge.com", "wired.com"])
    moved = members(engine, out)

    with session_scope(engine) as session:
        review.merge(session, queued, out, "alice", note="the same refund story")
    assert cluster(engine, queued).state is QueueState.PROMOTED and cluster(engine, queued).independent_count == 3

    with session_scope(engine) as session:
        new = review.split(session, queued, moved, "alice", note="judged out of scope after all")
    assert new.id is not None and cluster(engine, new.id).state is QueueState.EXCLUDED  # parked again
    assert cluster(engine, queued).state is QueueState.WATCHED


def test_a_parked_cluster_can_be_split(engine: Engine) -> None:
    out = parked(engine, ["theverge.com", "wired.com", "ft.com"])
    first, *rest = members(engine, out)

    with session_scope(engine) as session:
        new = review.split(session, out, [first], "alice")

    assert new.id is not None and members(engine, new.id) == [first] and members(engine, out) == rest
    assert cluster(engine, out).state is QueueState.EXCLUDED and cluster(engine, new.id).state is QueueState.EXCLUDED
