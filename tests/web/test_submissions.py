"""User submissions over real HTTP (uvicorn on loopback, httpx): the JSON API and the HTML form,
validation and its messages, size caps, the SSRF guard, escaping, folding, the per-client rate
limit across app instances, CSRF, and the security headers."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from collections.abc import Callable, MutableMapping
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from store import open_engine, session_scope
from store.models import Submission, SubmissionAttempt
from tests.web.conftest import SETTINGS, LiveServer
from web import create_app
from web.clients import client_hash
from web.csrf import COOKIE, new_token

API = "/api/submissions"
AIR_CANADA = "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/"
DPD = "https://www.theguardian.com/technology/2024/jan/20/dpd-ai-chatbot-swears-calls-itself-useless-and-criticises-firm"
HOSTILE = '<script>alert(1)</script>" onmouseover="alert(2)'
HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onmouseover=&#34;alert(2)"
Serve = Callable[..., LiveServer]


def post_json(live: LiveServer, body: Any, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(live.url + API, content=content, headers={"content-type": "application/json", **headers})


def stored(engine: Engine) -> list[Submission]:
    with session_scope(engine) as session:
        return list(session.exec(select(Submission).order_by(Submission.id)))  # type: ignore[arg-type]


def form_token(client: httpx.Client, live: LiveServer) -> str:
    page = client.get(live.url + "/submit")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match and client.cookies.get(COOKIE) == match.group(1)
    return match.group(1)


# --- JSON API ---------------------------------------------------------------------------------


def test_a_valid_json_report_is_stored_and_acknowledged(live: LiveServer, engine: Engine) -> None:
    response = post_json(live, {"url": AIR_CANADA, "title": "Air Canada chatbot invented a refund policy",
                                "description": "Tribunal ruled the airline liable.", "contact": "reader@example.net"})

    assert response.status_code == 201
    assert response.json() == {
        "id": 1, "times_submitted": 1, "folded": False,
        "message": "Thank you: report 1 received. Reviewers will look for independent sources that confirm it.",
    }
    [row] = stored(engine)
    assert (row.url, row.title, row.description, row.contact) == (
        AIR_CANADA, "Air Canada chatbot invented a refund policy", "Tribunal ruled the airline liable.", "reader@example.net"
    )
    assert row.canonical_url == AIR_CANADA.removesuffix("/")
    assert row.client_hash == client_hash(SETTINGS.secret, "127.0.0.1") and "127.0.0.1" not in row.client_hash
    assert row.times_submitted == 1 and row.first_submitted_at == row.last_submitted_at


def test_only_the_url_is_required(live: LiveServer, engine: Engine) -> None:
    assert post_json(live, {"url": DPD, "title": None}).status_code == 201
    assert (stored(engine)[0].title, stored(engine)[0].contact) == ("", "")


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({}, 422, "url is required", "url"),
        ({"url": "   "}, 422, "url is required", "url"),
        ({"title": "no link"}, 422, "url is required", "url"),
        ({"url": "ftp://files.example.com/report.pdf"}, 422, "url must start with http:// or https://", "url"),
        ({"url": "javascript:alert(1)"}, 422, "url must start with http:// or https://", "url"),
        ({"url": "file:///etc/passwd"}, 422, "url must start with http:// or https://", "url"),
        ({"url": "arstechnica.com/air-canada"}, 422, "url must start with http:// or https://", "url"),
        ({"url": "https://"}, 422, "url has no host name", "url"),
        ({"url": "https://user:secret@arstechnica.com/"}, 422, "url must not contain a user name or password", "url"),
        ({"url": "https://arstechnica.com:99999/"}, 422, "url is not a valid URL: Port out of range 0-65535", "url"),
        ({"url": "https://intranet/"}, 422, "url's host 'intranet' is not a public domain name (like example.com)", "url"),
        ({"url": "https://ars technica.com/"}, 422, "url must not contain spaces", "url"),
        ({"url": "https://example.com/" + "a" * 2030}, 422, "url is too long: 2050 characters, at most 2048", "url"),
        ({"url": DPD, "title": "t" * 301}, 422, "title is too long: 301 characters, at most 300", "title"),
        ({"url": DPD, "description": "d" * 5001}, 422, "description is too long: 5001 characters, at most 5000", "description"),
        ({"url": DPD, "contact": "c" * 201}, 422, "contact is too long: 201 characters, at most 200", "contact"),
        ({"url": DPD, "title": 42}, 422, "title must be a string", "title"),
        ({"url": ["https://a.example"]}, 422, "url must be a string", "url"),
        ({"url": DPD, "name": "x"}, 422, "unknown field 'name'; expected url, title, description, contact", "name"),
    ],
)
def test_invalid_json_reports_get_a_clear_error(live: LiveServer, engine: Engine, body: dict[str, Any], status: int, error: str, field: str) -> None:
    response = post_json(live, body)

    assert (response.status_code, response.json()) == (status, {"error": error, "field": field})
    assert stored(engine) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/admin", "127.0.0.1 is not a public address (loopback)"),
        ("http://localhost/", "localhost is a local-only host name"),
        ("http://10.0.0.5/wiki", "10.0.0.5 is not a public address (private)"),
        ("http://192.168.1.1/", "192.168.1.1 is not a public address (private)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address (link-local)"),
        ("http://[::1]:8000/", "::1 is not a public address (loopback)"),
        ("http://[fe80::1]/", "fe80::1 is not a public address (link-local)"),
        ("http://[fd00::1]/", "fd00::1 is not a public address (private)"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is not a public address (loopback)"),
        ("http://2130706433/", "2130706433 is not a public address (loopback)"),
        ("http://0x7f000001/", "0x7f000001 is not a public address (loopback)"),
        ("http://0/", "0 is not a public address (unspecified)"),
        ("http://printer.local/", "printer.local is a local-only host name"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a local-only host name"),
        ("https://intranet.example.com/", "intranet.example.com resolves only to non-public addresses: 10.0.0.7 (private)"),
        ("https://rebind.example.com/", "rebind.example.com resolves only to non-public addresses: 127.0.0.1 (loopback), ::1 (loopback)"),
    ],
)
def test_urls_into_private_networks_are_refused(live: LiveServer, engine: Engine, url: str, reason: str) -> None:
    response = post_json(live, {"url": url, "title": "ChatGPT leaks"})

    assert (response.status_code, response.json()) == (422, {"error": f"url is refused: {reason}", "field": "url"})
    assert stored(engine) == []


def test_a_name_that_does_not_resolve_is_accepted(live: LiveServer) -> None:
    assert post_json(live, {"url": "https://blog.no-such-host.example.org/slack-ai-prompt-injection"}).status_code == 201


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        (b'{"url": "https://arstechnica.com/"', 400, "the body is not valid JSON"),
        (b"\xff\xfe not utf-8", 400, "the body is not valid JSON"),
        (b"", 400, "the body is not valid JSON"),
        (b'{"url": ' + b"[" * 8000 + b"]" * 8000 + b"}", 400, "the body is not valid JSON"),  # too deep to parse
        (b'["https://arstechnica.com/"]', 400, 'the body must be a JSON object, e.g. {"url": "https://..."}'),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(live: LiveServer, content: bytes, status: int, error: str) -> None:
    response = post_json(live, content)

    assert (response.status_code, response.json()) == (status, {"error": error, "field": None})


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_the_api_takes_json_only(live: LiveServer, engine: Engine, content_type: str | None) -> None:
    """A cross-site page can send a simple form POST without preflight; it cannot send application/json."""
    headers = {"content-type": content_type} if content_type else {}
    response = httpx.post(live.url + API, content=json.dumps({"url": DPD}).encode(), headers=headers)

    assert response.status_code == 415
    assert response.json() == {"error": "send the report as JSON, with Content-Type: application/json", "field": None}
    assert stored(engine) == []


def test_json_with_a_charset_parameter_is_json(live: LiveServer) -> None:
    assert post_json(live, {"url": DPD}, **{"content-type": "Application/JSON; charset=utf-8"}).status_code == 201


def test_control_characters_are_stripped_and_the_rest_kept_verbatim(live: LiveServer, engine: Engine) -> None:
    title = "DPD\x00 chatbot\u202e swears\r\nat customer\ud800"
    response = post_json(live, {"url": DPD, "title": title, "description": "line one\r\nline two\x07\n\tindented"})

    assert response.status_code == 201
    row = stored(engine)[0]
    assert row.title == "DPD chatbot swears at customer"
    assert row.description == "line one\nline two\n\tindented"


# --- folding identical reports ----------------------------------------------------------------


def test_an_identical_report_is_folded_into_the_first(live: LiveServer, engine: Engine) -> None:
    report = {"url": AIR_CANADA, "title": "Air Canada chatbot", "description": "Refund policy invented."}
    first = post_json(live, report)
    again = post_json(live, {**report, "contact": "second@example.net"})

    assert first.status_code == 201 and first.json()["id"] == 1
    assert again.status_code == 200
    assert again.json() == {
        "id": 1, "times_submitted": 2, "folded": True,
        "message": "This report was already submitted: counted again on report 1 (submitted 2 times).",
    }
    [row] = stored(engine)
    assert row.times_submitted == 2 and row.last_submitted_at > row.first_submitted_at
    assert row.contact == "second@example.net"  # the first came without one


def test_folding_ignores_case_spacing_and_tracking_parameters(live: LiveServer, engine: Engine) -> None:
    post_json(live, {"url": AIR_CANADA, "title": "Air Canada chatbot"})
    again = post_json(live, {"url": AIR_CANADA.replace("https://", "http://www.") + "?utm_source=mastodon#comments",
                             "title": "  air canada   CHATBOT "})
    other = post_json(live, {"url": AIR_CANADA, "title": "Air Canada chatbot", "description": "More detail"})

    assert (again.status_code, again.json()["id"], again.json()["times_submitted"]) == (200, 1, 2)
    assert other.status_code == 201 and other.json()["id"] > 1  # PostgreSQL's sequence may skip a number
    assert [row.times_submitted for row in stored(engine)] == [2, 1]


def test_concurrent_identical_reports_fold_into_one_row(live: LiveServer, engine: Engine) -> None:
    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
            return await asyncio.gather(*[client.post(API, json={"url": DPD, "title": "DPD chatbot swears"}) for _ in range(8)])

    responses = asyncio.run(burst())

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert {r.json()["id"] for r in responses} == {stored(engine)[0].id}
    assert stored(engine)[0].times_submitted == 8


# --- size limits ------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_before_parsing(live: LiveServer, engine: Engine) -> None:
    response = post_json(live, {"url": DPD, "description": "x" * 20_000})

    assert response.status_code == 413
    assert response.json() == {"error": "the request body is larger than 16384 bytes", "field": None}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert stored(engine) == []


def test_a_chunked_body_without_content_length_is_counted(live: LiveServer, engine: Engine) -> None:
    def chunks() -> Any:
        yield b'{"url": "' + DPD.encode() + b'", "description": "'
        for _ in range(40):
            yield b"y" * 1024
        yield b'"}'

    response = httpx.post(live.url + API, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert stored(engine) == []


def raw_exchange(live: LiveServer, head: bytes, body: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as conn:
        conn.sendall(head + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return received


def test_a_declared_oversized_body_is_refused_without_reading_it(live: LiveServer) -> None:
    head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000000\r\nConnection: close\r\n\r\n").encode()

    answer = raw_exchange(live, head, b'{"url": "https://www.theverge.com/"}')  # far less than announced

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_an_understated_content_length_smuggles_nothing(live: LiveServer, engine: Engine) -> None:
    """uvicorn frames the body by Content-Length: the excess is a malformed next request."""
    head = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n").encode()
    body = json.dumps({"url": DPD, "description": "z" * 30_000}).encode()

    answer = raw_exchange(live, head, body)

    assert answer.startswith(b"HTTP/1.1 400 ") and b'"the body is not valid JSON"' in answer
    assert b" 201 " not in answer and b" 413 " not in answer.split(b"\r\n")[0]
    assert stored(engine) == []


def test_a_lying_content_length_is_caught_by_counting(engine: Engine) -> None:
    """Below uvicorn (another server, a proxy that re-frames): the app counts what arrives."""
    app = create_app(engine, SETTINGS)
    messages = [{"type": "http.request", "body": b"x" * 8192, "more_body": True} for _ in range(3)]
    messages[-1]["more_body"] = False
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": API, "raw_path": API.encode(), "root_path": "", "query_string": b"", "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80), "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
    }
    asyncio.run(app(scope, receive, send))

    assert sent[0]["status"] == 413
    assert stored(engine) == []


# --- rate limit -------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_with_retry_after(serve: Serve, engine: Engine) -> None:
    live = serve(rate_limit=3, rate_window=600)
    statuses = [post_json(live, {"url": f"{DPD}?page={n}"}).status_code for n in range(3)]
    refused = post_json(live, {"url": DPD})

    assert statuses == [201, 201, 201]
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 590 <= retry_after <= 600
    assert refused.json() == {"error": f"too many submissions from your address; try again in {retry_after} seconds", "field": None}
    assert len(stored(engine)) == 3


def test_invalid_attempts_count_toward_the_limit(serve: Serve) -> None:
    live = serve(rate_limit=2)
    post_json(live, {"url": "http://10.0.0.1/"})
    post_json(live, {"url": "ftp://x.example/"})

    assert post_json(live, {"url": DPD}).status_code == 429


def test_the_rate_limit_holds_across_app_instances_on_one_database(serve: Serve, engine: Engine, database_url: str) -> None:
    other_engine = open_engine(database_url)  # as a second process would open it
    try:
        first, second = serve(rate_limit=3), serve(on=other_engine, rate_limit=3)
        codes = [post_json(first, {"url": f"{DPD}?n=1"}).status_code, post_json(second, {"url": f"{DPD}?n=2"}).status_code,
                 post_json(first, {"url": f"{DPD}?n=3"}).status_code]
        refused_by_second = post_json(second, {"url": f"{DPD}?n=4"})
        refused_by_first = post_json(first, {"url": f"{DPD}?n=5"})
    finally:
        other_engine.dispose()

    assert codes == [201, 201, 201]
    assert refused_by_second.status_code == 429 and int(refused_by_second.headers["retry-after"]) > 0
    assert refused_by_first.status_code == 429
    with session_scope(engine) as session:
        assert len(session.exec(select(SubmissionAttempt)).all()) == 3


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(serve: Serve) -> None:
    direct = serve(rate_limit=2)
    spoofed = [post_json(direct, {"url": f"{DPD}?n={n}"}, **{"x-forwarded-for": f"203.0.113.{n}"}).status_code for n in range(3)]

    assert spoofed == [201, 201, 429]


def test_a_trusted_proxy_names_the_client(serve: Serve, engine: Engine) -> None:
    import ipaddress

    behind_proxy = serve(rate_limit=1, trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),))
    first = post_json(behind_proxy, {"url": f"{DPD}?n=1"}, **{"x-forwarded-for": "198.51.100.1, 203.0.113.7"})
    same_client = post_json(behind_proxy, {"url": f"{DPD}?n=2"}, **{"x-forwarded-for": "203.0.113.7"})
    other_client = post_json(behind_proxy, {"url": f"{DPD}?n=3"}, **{"x-forwarded-for": "203.0.113.8"})

    assert (first.status_code, same_client.status_code, other_client.status_code) == (201, 429, 201)
    assert [row.client_hash for row in stored(engine)] == [client_hash(SETTINGS.secret, "203.0.113.7"), client_hash(SETTINGS.secret, "203.0.113.8")]


# --- HTML form --------------------------------------------------------------------------------


def test_the_form_page_carries_a_token_and_security_headers(live: LiveServer) -> None:
    with httpx.Client() as client:
        page = client.get(live.url + "/submit")
        token = form_token(client, live)

    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert token.count(".") == 1


def test_a_valid_form_report_is_stored_and_acknowledged(live: LiveServer, engine: Engine) -> None:
    with httpx.Client() as client:
        token = form_token(client, live)
        response = client.post(live.url + "/submit", data={"csrf_token": token, "url": DPD, "title": "DPD chatbot swears",
                                                           "description": "Poem criticising the firm.", "contact": ""})
        again = client.post(live.url + "/submit", data={"csrf_token": token, "url": DPD, "title": "DPD chatbot swears",
                                                        "description": "Poem criticising the firm."})

    assert response.status_code == 201
    assert "Thank you: report 1 received." in response.text
    assert again.status_code == 200
    assert "This report was already submitted: counted again on report 1 (submitted 2 times)." in again.text
    [row] = stored(engine)
    assert (row.url, row.title, row.description, row.times_submitted) == (DPD, "DPD chatbot swears", "Poem criticising the firm.", 2)


def test_a_hostile_title_is_stored_verbatim_and_rendered_escaped(live: LiveServer, engine: Engine) -> None:
    with httpx.Client() as client:
        token = form_token(client, live)
        accepted = client.post(live.url + "/submit", data={"csrf_token": token, "url": DPD, "title": HOSTILE})
        rejected = client.post(live.url + "/submit", data={"csrf_token": token, "url": 'https://a"><script>x</script>.example/',
                                                           "title": HOSTILE, "description": "</textarea><script>alert(3)</script>"})

    assert accepted.status_code == 201
    assert HOSTILE_ESCAPED in accepted.text and "<script>" not in accepted.text
    assert rejected.status_code == 422
    assert f'value="{HOSTILE_ESCAPED}"' in rejected.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;</textarea>" in rejected.text
    assert "<script>" not in rejected.text and 'a"><script>' not in rejected.text
    assert stored(engine)[0].title == HOSTILE


def test_an_invalid_form_is_shown_again_with_the_errors_and_the_input(live: LiveServer, engine: Engine) -> None:
    with httpx.Client() as client:
        token = form_token(client, live)
        response = client.post(live.url + "/submit", data={"csrf_token": token, "url": "http://169.254.169.254/latest/",
                                                           "title": "t" * 301, "description": "Metadata", "contact": "me"})

    assert response.status_code == 422
    assert '<a href="#url">url is refused: 169.254.169.254 is not a public address (link-local)</a>' in response.text
    assert '<a href="#title">title is too long: 301 characters, at most 300</a>' in response.text
    assert 'value="http://169.254.169.254/latest/" aria-invalid="true"' in response.text
    assert ">Metadata</textarea>" in response.text and 'value="me"' in response.text
    assert stored(engine) == []


@pytest.mark.parametrize(
    "case", ["no field", "no cookie", "mismatch", "unsigned", "other install"]
)
def test_a_form_post_without_a_matching_signed_token_is_403(live: LiveServer, engine: Engine, case: str) -> None:
    forged = "attacker-nonce." + "0" * 64
    foreign = new_token(b"another-install-secret-0123456789")
    with httpx.Client() as elsewhere:
        someone_elses = form_token(elsewhere, live)
    with httpx.Client() as client:
        token = form_token(client, live)
        cookie, field = {
            "no field": (token, None),
            "no cookie": (None, token),
            "mismatch": (token, someone_elses),
            "unsigned": (forged, forged),
            "other install": (foreign, foreign),
        }[case]
        client.cookies.clear()
        if cookie:
            client.cookies.set(COOKIE, cookie)
        data = {"url": DPD, "title": "DPD chatbot swears"} | ({"csrf_token": field} if field else {})
        response = client.post(live.url + "/submit", data=data)

    assert response.status_code == 403
    assert "This form has expired or was not sent from this site." in response.text
    assert 'value="DPD chatbot swears"' in response.text  # nothing typed is lost
    assert stored(engine) == []


def test_the_form_is_rate_limited_too(serve: Serve) -> None:
    live = serve(rate_limit=1)
    with httpx.Client() as client:
        token = form_token(client, live)
        client.post(live.url + "/submit", data={"csrf_token": token, "url": DPD})
        refused = client.post(live.url + "/submit", data={"csrf_token": token, "url": AIR_CANADA})

    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "too many submissions from your address; try again in" in refused.text
    assert f'value="{AIR_CANADA}"' in refused.text


# --- what leaves the app ----------------------------------------------------------------------


def test_contact_details_are_not_logged(live: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    post_json(live, {"url": DPD, "contact": "whistleblower@example.net"})

    assert "submission 1: " + DPD.replace("www.", "") + " (times submitted: 1)" in caplog.text
    assert "whistleblower" not in caplog.text


def test_security_headers_are_on_every_response(live: LiveServer) -> None:
    for response in (httpx.get(live.url + "/nowhere"), post_json(live, {"url": DPD}), httpx.get(live.url + API)):
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
