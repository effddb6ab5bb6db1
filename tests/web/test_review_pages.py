"""The reviewers' pages over a real uvicorn on loopback and a database the real pipeline filled
(five promoted clusters from the replay feeds): sign-in, CSRF, claim, verify with PISS, reject,
escaping, the maintainers' corrections, the trusted proxy header, ``lpi users add`` and revision 0006."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import Engine, inspect
from sqlmodel import col, select

from lpi.config import load_config
from lpi.pipeline import run_cycle
from review import claim, verify
from store import Cluster, Incident, QueueState, ReviewerDecision, repo, session_scope
from store.migrate import alembic_config, current_revision, head_revision
from tests.conftest import write_config
from tests.live import LiveServer
from tests.replay import ReplayServer
from web.accounts import Role, add_account, authenticate
from web.signin import LIFETIME, name_in_token, session_token

PASSWORDS = {"alice": "alice-password-123", "bob": "bob-password-4567", "mara": "mara-password-890"}
ROLES = {"alice": Role.REVIEWER, "bob": Role.REVIEWER, "mara": Role.MAINTAINER}
FIELDS = {
    "summary": "A support chatbot invented a refund policy and the airline was held to it.",
    "incident_date": "2024-02-14",
    "category": "hallucination",
    "sector": "customer-service",
    "piss_population": "1.0",
    "piss_harm": "1.5",
    "piss_detection": "2.5",
    "piss_response": "0.5",
    "detection_mechanism": "end-user",
    "lesson": "Chatbot answers bind the deployer.",
    "mitigation": "Ground policy answers in the policy text.",
    "recommendation": "Review what customer-facing bots promise.",
    "detection_gap": "Nobody checked the bot's answers against policy.",
}  # composite 5.5: Medium


@pytest.fixture
def promoted(tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine) -> list[int]:
    """The pipeline's promoted clusters (a full cycle over the replay feeds), and three accounts."""
    run_cycle(load_config(write_config(tmp_path / "lpi.yaml", replay, database_url)), engine)
    with session_scope(engine) as session:
        for name, password in PASSWORDS.items():
            add_account(session, name, ROLES[name], password)
        return sorted(c.id for c in repo.queue(session, [QueueState.PROMOTED]) if c.id is not None)


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def signed_in(live: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=live.url, timeout=10)
    form = client.get("/signin")
    answer = client.post("/signin", data={"csrf_token": token(form), "name": name, "password": PASSWORDS[name], "next": "/review"})
    assert answer.status_code == 303 and answer.headers["location"] == "/review"
    return client


def post(client: httpx.Client, path: str, page: str, **data: str) -> httpx.Response:
    """Post a form as the browser would: with the token of the page it is on."""
    return client.post(path, data={"csrf_token": token(client.get(page)), **data})


def test_pages_need_a_signed_session_cookie(promoted: list[int], live: LiveServer) -> None:
    client = httpx.Client(base_url=live.url, timeout=10)
    assert client.get("/review").headers["location"] == "/signin?next=/review"
    form = client.get("/signin")
    wrong = client.post("/signin", data={"csrf_token": token(form), "name": "alice", "password": "guess-guess-guess"})
    assert wrong.status_code == 401 and "Unknown name or wrong password" in wrong.text and "lpi_session" not in client.cookies

    right = client.post("/signin", data={"csrf_token": token(form), "name": "alice", "password": PASSWORDS["alice"], "next": "//evil.example/"})

    assert right.status_code == 303 and right.headers["location"] == "/review"  # never off-site
    cookie = right.headers["set-cookie"]
    assert "lpi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    queue = client.get("/review")
    assert queue.status_code == 200 and "Verification (5)" in queue.text
    for cluster_id in promoted:
        assert f'href="/review/{cluster_id}"' in queue.text
    forged = httpx.Client(base_url=live.url, cookies={"lpi_session": client.cookies["lpi_session"].replace("a", "b", 1) + "0"})
    assert forged.get("/review").status_code == 303


def test_session_tokens_expire_and_are_bound_to_the_install_secret() -> None:
    issued = session_token(b"secret-one-0123456789", "alice", at=1000.0)

    assert name_in_token(b"secret-one-0123456789", issued, at=1000.0 + LIFETIME - 1) == "alice"
    assert name_in_token(b"secret-one-0123456789", issued, at=1000.0 + LIFETIME + 1) is None
    assert name_in_token(b"secret-two-0123456789", issued, at=1000.0) is None


def test_every_form_needs_the_csrf_token(promoted: list[int], live: LiveServer, engine: Engine) -> None:
    client = signed_in(live, "alice")
    refused = client.post(f"/review/{promoted[0]}/claim", data={})
    forged = client.post(f"/review/{promoted[0]}/claim", data={"csrf_token": "made.up"})
    anonymous = httpx.post(f"{live.url}/signin", data={"name": "alice", "password": PASSWORDS["alice"]})

    assert refused.status_code == forged.status_code == anonymous.status_code == 403
    assert "expired or was not sent from this site" in refused.text
    with session_scope(engine) as session:
        assert session.get(Cluster, promoted[0]).claimed_by is None  # type: ignore[union-attr]


def test_claim_and_verify_publish_with_the_server_computed_piss(promoted: list[int], live: LiveServer, engine: Engine) -> None:
    client = signed_in(live, "alice")
    item = f"/review/{promoted[0]}"
    assert post(client, f"{item}/claim", item).headers["location"] == item
    page = client.get(item)
    assert "claimed by <strong>alice</strong>" in page.text and f'href="{item}/verify"' in page.text

    preview = post(client, f"{item}/verify", f"{item}/verify", action="preview", **FIELDS)
    bad = post(client, f"{item}/verify", f"{item}/verify", action="publish", **{**FIELDS, "piss_harm": "2.7", "category": "nonsense"})
    published = post(client, f"{item}/verify", f"{item}/verify", action="publish", **FIELDS)

    assert preview.status_code == 200 and "5.5 (Medium)" in preview.text
    assert bad.status_code == 422 and "2.7 is not a harm severity score" in bad.text and "unknown category" in bad.text
    assert published.status_code == 303
    incident_id = published.headers["location"].removeprefix("/incidents/")
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.cluster_id == promoted[0]
        assert (incident.piss_composite, incident.piss_band, incident.category) == (5.5, "Medium", "Hallucination causing user harm")
    shown = client.get(f"/incidents/{incident_id}")
    assert "PISS 5.5 · Medium" in shown.text and "Detected by external researcher, customer complaint, or end user" in shown.text
    assert "Correct</button>" not in shown.text  # a reviewer, not a maintainer
    assert incident_id in client.get("/incidents").text
    report = client.get("/report").text
    assert "1 published incidents" in report and "<svg" in report and "<td>Hallucination causing user harm</td><td>1</td>" in report


def test_someone_elses_claim_blocks_verify_and_the_reject_reasons_are_fixed(promoted: list[int], live: LiveServer) -> None:
    alice, bob = signed_in(live, "alice"), signed_in(live, "bob")
    item = f"/review/{promoted[1]}"
    post(alice, f"{item}/claim", item)

    taken = post(bob, f"{item}/claim", item)
    blocked = post(bob, f"{item}/verify", f"{item}/verify", action="publish", **FIELDS)
    no_note = post(alice, f"{item}/reject", f"{item}/reject", reason="other")
    rejected = post(alice, f"{item}/reject", f"{item}/reject", reason="out-of-scope", note="a lab demo")

    assert taken.status_code == 409 and "is claimed by alice" in taken.text
    assert blocked.status_code == 409 and "claimed by alice" in blocked.text
    assert no_note.status_code == 409 and "needs a note" in no_note.text
    assert [label in alice.get(f"{item}/reject").text for label in ("Out of scope", "Unverified", "Duplicate", "No identifiable harm")] == [True] * 4
    assert rejected.status_code == 303
    assert f'href="{item}"' not in alice.get("/review", params={"section": "verification"}).text


def test_untrusted_text_is_escaped(promoted: list[int], live: LiveServer, engine: Engine) -> None:
    with session_scope(engine) as session:
        cluster = session.get(Cluster, promoted[2])
        assert cluster is not None
        cluster.title = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = signed_in(live, "alice")

    for path in ("/review", f"/review/{promoted[2]}"):
        text = client.get(path).text
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def test_only_maintainers_correct_published_incidents(promoted: list[int], live: LiveServer, engine: Engine) -> None:
    with session_scope(engine) as session:
        claim(session, promoted[3], "mara")
        incident_id = verify(session, promoted[3], "mara", FIELDS).id
    path = f"/incidents/{incident_id}"
    change = {"field": "piss_harm", "value": "2.5", "reason": "a court ruling showed legal harm"}

    refused = post(signed_in(live, "alice"), f"{path}/correct", path, **change)
    mara = signed_in(live, "mara")
    done = post(mara, f"{path}/correct", path, **change)

    assert refused.status_code == 403 and "maintainers only" in refused.text
    assert done.status_code == 303
    page = mara.get(path).text
    assert "PISS 6.5 · High" in page and "a court ruling showed legal harm" in page and "mara: piss_harm" in page


def test_the_proxy_user_header_is_believed_from_trusted_proxies_only(promoted: list[int], serve: Callable[..., LiveServer]) -> None:
    headers = {"X-Forwarded-User": "bob"}
    untrusted = httpx.get(f"{serve().url}/review", headers=headers)
    trusted = serve(trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),))
    believed = httpx.get(f"{trusted.url}/review", headers=headers)
    stranger = httpx.get(f"{trusted.url}/review", headers={"X-Forwarded-User": "mallory"})  # no such account

    assert untrusted.status_code == 303 and stranger.status_code == 303
    assert believed.status_code == 200 and "bob (reviewer)" in believed.text


def test_the_calculator_script_is_a_static_file_under_the_csp(promoted: list[int], live: LiveServer) -> None:
    client = signed_in(live, "alice")
    item = f"/review/{promoted[0]}"
    post(client, f"{item}/claim", item)
    form = client.get(f"{item}/verify")
    script = client.get("/static/piss.js")

    assert '<script src="/static/piss.js" defer></script>' in form.text and "<script>" not in form.text
    assert "script-src" not in form.headers["content-security-policy"] and "default-src 'self'" in form.headers["content-security-policy"]
    assert script.status_code == 200 and "javascript" in script.headers["content-type"] and "piss-preview" in script.text


def test_lpi_users_add_reads_the_password_from_stdin(tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine) -> None:
    config = write_config(tmp_path / "lpi.yaml", replay, database_url)
    args = [sys.executable, "-m", "lpi.cli", "users", "add", "carol", "--role", "maintainer", "--config", str(config)]

    added = subprocess.run(args, input="carol-password-1234\n", capture_output=True, text=True, timeout=60, check=False)
    again = subprocess.run(args, input="carol-password-1234\n", capture_output=True, text=True, timeout=60, check=False)
    short = subprocess.run([*args[:5], "dave", *args[6:]], input="short\n", capture_output=True, text=True, timeout=60, check=False)

    assert added.returncode == 0 and "account carol added (maintainer)" in added.stdout
    assert again.returncode == 1 and "already an account named 'carol'" in again.stderr
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    with session_scope(engine) as session:
        account = authenticate(session, "carol", "carol-password-1234")
        assert account is not None and account.role == "maintainer" and "carol-password" not in account.password_hash
        assert authenticate(session, "carol", "wrong-password-1234") is None


def test_revision_0006_downgrades_and_upgrades_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0005")
    assert "reviewer" not in inspect(engine).get_table_names()
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision() and "reviewer" in inspect(engine).get_table_names()


def test_split_not_same_and_merge_from_the_item_page(promoted: list[int], live: LiveServer, engine: Engine) -> None:
    alice = signed_in(live, "alice")
    first, second, third = (f"/review/{c}" for c in promoted[2:5])
    for item in (first, second, third):
        post(alice, f"{item}/claim", item)
    with session_scope(engine) as session:
        members = [c.id for c, _ in repo.cluster_members(session, promoted[2])]
    assert 'action="' + first + '/split"' in alice.get(first).text

    nothing_ticked = post(alice, f"{first}/split", first)
    split_off = post(alice, f"{first}/split", first, **{f"member-{members[-1]}": "on", "note": "a different chatbot"})
    no_number = post(alice, f"{second}/not-same", second, other="")
    different = post(alice, f"{second}/not-same", second, other=f"#{promoted[4]}")
    refused = post(alice, f"{second}/merge", second, other=str(promoted[4]))

    assert nothing_ticked.status_code == 422 and "tick the members" in nothing_ticked.text
    assert split_off.status_code == 303 and no_number.status_code == 422 and different.status_code == 303
    assert refused.status_code == 409
    with session_scope(engine) as session:
        assert members[-1] not in [c.id for c, _ in repo.cluster_members(session, promoted[2])]
        kinds = [d.kind for d in session.exec(select(ReviewerDecision).order_by(col(ReviewerDecision.id))).all()]
    assert kinds == ["split", "not_same"]
