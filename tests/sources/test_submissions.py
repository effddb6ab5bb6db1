"""SubmissionsAdapter over the recorded export, and read_submissions over the real table: reports
become lead hits (title from the URL when none was given), the cursor is the highest id read,
contact details never leave the table, and the fetcher's ``lpi:`` mount reads the export."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine

from sources.base import Hit, Parsed, ParseError, Payload, Request, SourceSpec
from sources.fetch import Fetcher, FetchPolicy
from sources.submissions import (
    FEED_URL,
    PAGE_SIZE,
    SubmissionsAdapter,
    read_submissions,
    title_from_url,
)
from store import repo, session_scope
from store.models import Submission
from tests.conftest import PAYLOADS

EXPORT = PAYLOADS / "submissions" / "submissions.json"
SPEC = SourceSpec("user-submissions", "lpi-submission-form", "submissions", FEED_URL)
ADAPTER = SubmissionsAdapter()
AT = datetime(2024, 2, 22, 9, 12, 44, tzinfo=UTC)


def parse_body(body: bytes, content_type: str = "application/json") -> Parsed:
    return ADAPTER.parse(SPEC, Payload(body, FEED_URL, content_type))


def parse_items(*items: Any) -> Parsed:
    return parse_body(json.dumps({"submissions": list(items)}).encode())


def submit(engine: Engine, url: str, *, title: str = "", description: str = "", contact: str = "", at: datetime = AT) -> tuple[int, int]:
    row = Submission(
        url=url, canonical_url=url, title=title, description=description, contact=contact, digest=hashlib.sha256(f"{url}|{title}|{description}".encode()).hexdigest(),
        client_hash="c" * 64, first_submitted_at=at, last_submitted_at=at,
    )
    with session_scope(engine) as session:
        return repo.save_submission(session, row)


def test_recorded_export_becomes_lead_hits() -> None:
    parsed = parse_body(EXPORT.read_bytes())

    assert parsed.warnings == []
    assert parsed.cursor == {"after": 6}
    assert [h.guid for h in parsed.hits] == [f"lpi:submissions/{n}" for n in range(1, 7)]
    assert parsed.hits[0] == Hit(
        url="https://www.bbc.com/travel/article/20240222-air-canada-chatbot-misinformation-what-travellers-should-know",
        title="Air Canada ordered to pay customer who was misled by airline's chatbot",
        summary="Tribunal in British Columbia held Air Canada liable for its website chatbot inventing a bereavement refund "
        "policy (Moffatt v. Air Canada, 2024 BCCRT 149).",
        published=datetime(2024, 2, 22, 9, 12, 44, 318206, tzinfo=UTC),
        guid="lpi:submissions/1",
        entities={"submission_ids": ["1"]},
    )
    assert all(hit.role is None and hit.publisher is None for hit in parsed.hits)  # the stream's role "lead" applies


def test_a_report_without_a_title_is_titled_from_its_url() -> None:
    hits = parse_body(EXPORT.read_bytes()).hits

    assert hits[1].title == "Air canada must honor refund policy invented by airlines chatbot"
    assert hits[1].url.endswith("/?utm_source=mastodon")  # as submitted; normalization canonicalizes
    assert hits[4].title == "Data exfiltration from slack ai via indirect prompt injection"


def test_submitted_text_is_passed_on_verbatim() -> None:
    hit = parse_body(EXPORT.read_bytes()).hits[2]

    assert hit.title == "DPD AI chatbot swears, calls itself 'useless' <script>alert(1)</script>"
    assert hit.summary.endswith("system update.\nDPD disabled the AI element.")


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://example.com/news/air-canada-chatbot-refund", "Air canada chatbot refund"),
        ("https://example.com/2024/02/16/air_canada_chatbot/", "Air canada chatbot"),
        ("https://example.com/story/dpd-chatbot-swears.html", "Dpd chatbot swears"),
        ("https://example.com/tech/google-ai-overviews-glue-pizza/index.html", "Google ai overviews glue pizza"),
        ("https://example.com/a/b%C3%A9ziers-chatbot", "Béziers chatbot"),
        ("https://example.com/item/123456", "Item"),
        ("https://news.example.com/", "news.example.com"),
    ],
)
def test_title_from_url(url: str, title: str) -> None:
    assert title_from_url(url) == title


def test_request_reads_on_from_the_cursor() -> None:
    assert ADAPTER.request(SPEC, {}) == Request("lpi:submissions?after=0")
    assert ADAPTER.request(SPEC, {"after": 42}) == Request("lpi:submissions?after=42")
    mirror = SourceSpec("user-submissions", "mirror", "submissions", "http://127.0.0.1:9/export?after=3&format=json")
    assert ADAPTER.request(mirror, {"after": 7}).url == "http://127.0.0.1:9/export?format=json&after=7"
    assert ADAPTER.next_page(SPEC, Payload(EXPORT.read_bytes(), FEED_URL), {}) is None


def test_malformed_items_are_skipped_with_a_warning_and_still_move_the_cursor() -> None:
    parsed = parse_items(
        {"id": 7, "url": "https://www.theverge.com/2024/5/23/google-ai-overview-glue-pizza", "title": "Glue on pizza"},
        {"id": 8, "url": "javascript:alert(1)", "title": "not a web URL"},
        {"id": "9", "url": "https://example.com/x"},
        {"id": True, "url": "https://example.com/y"},
        ["not", "an", "object"],
        {"url": "https://example.com/no-id"},
    )

    assert [h.url for h in parsed.hits] == ["https://www.theverge.com/2024/5/23/google-ai-overview-glue-pizza"]
    assert parsed.hits[0].published is None and parsed.hits[0].summary == ""
    assert parsed.warnings == ["5 submissions without an integer id or a web URL skipped"]
    assert parsed.cursor == {"after": 8}


def test_an_empty_export_keeps_the_cursor() -> None:
    assert parse_items() == Parsed([], [], None)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/json", "not JSON (empty body)"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html", "not JSON (HTML page, content-type text/html)"),
        (b'{"results": []}', "application/json", "not a submissions export (no submissions list: the JSON is an object with keys results)"),
        (b'[{"id": 1}]', "application/json", "not a submissions export (no submissions list: the JSON is a list of 1)"),
    ],
)
def test_what_is_not_an_export_is_a_clear_parse_error(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_body(body, content_type)

    assert str(error.value) == message


def test_read_submissions_serves_newer_ids_oldest_first_without_contact(engine: Engine) -> None:
    first, _ = submit(engine, "https://www.bbc.com/news/technology-68015230", title="DPD chatbot swears", contact="reader@example.net")
    second, _ = submit(engine, "https://arstechnica.com/air-canada-chatbot/", description="Tribunal ruling", at=AT + timedelta(hours=1))
    folded_id, times = submit(engine, "https://www.bbc.com/news/technology-68015230", title="DPD chatbot swears", at=AT + timedelta(days=1))

    everything = json.loads(read_submissions(engine, "lpi:submissions?after=0"))
    newer = json.loads(read_submissions(engine, f"lpi:submissions?after={first}"))

    assert (folded_id, times) == (first, 2)
    assert everything == {
        "submissions": [
            {"id": first, "url": "https://www.bbc.com/news/technology-68015230", "title": "DPD chatbot swears", "description": "",
             "first_submitted_at": "2024-02-22T09:12:44+00:00", "times_submitted": 2},
            {"id": second, "url": "https://arstechnica.com/air-canada-chatbot/", "title": "", "description": "Tribunal ruling",
             "first_submitted_at": "2024-02-22T10:12:44+00:00", "times_submitted": 1},
        ]
    }
    assert [item["id"] for item in newer["submissions"]] == [second]
    assert b"reader@example.net" not in read_submissions(engine, "lpi:submissions")  # no after: from the start
    assert json.loads(read_submissions(engine, f"lpi:submissions?after={second}")) == {"submissions": []}


def test_read_submissions_pages_at_most_page_size(engine: Engine) -> None:
    rows = [
        Submission(url=f"https://example.com/report/{n}", canonical_url=f"https://example.com/report/{n}", digest=f"{n:064d}",
                   client_hash="c" * 64, first_submitted_at=AT, last_submitted_at=AT)
        for n in range(PAGE_SIZE + 3)
    ]
    with session_scope(engine) as session:
        session.add_all(rows)

    page = json.loads(read_submissions(engine, "lpi:submissions?after=0"))["submissions"]
    rest = json.loads(read_submissions(engine, f"lpi:submissions?after={page[-1]['id']}"))["submissions"]

    assert len(page) == PAGE_SIZE and len(rest) == 3
    assert [item["url"] for item in page + rest] == [row.url for row in rows]


def test_read_submissions_refuses_a_cursor_that_is_not_an_id(engine: Engine) -> None:
    with pytest.raises(ValueError, match="after must be a submission id, not '-1'"):
        read_submissions(engine, "lpi:submissions?after=-1")


def test_the_fetcher_mount_and_the_adapter_agree(engine: Engine) -> None:
    submit(engine, "https://www.theguardian.com/technology/2024/jan/20/dpd-ai-chatbot-swears-calls-itself-useless-and-criticises-firm")
    with Fetcher(FetchPolicy(user_agent="lpi-tests"), local={"lpi": partial(read_submissions, engine)}) as fetcher:
        first = fetcher.fetch(ADAPTER.request(SPEC, {}))
        parsed = ADAPTER.parse(SPEC, Payload(first.body, first.final_url, first.content_type))
        again = fetcher.fetch(ADAPTER.request(SPEC, parsed.cursor or {}))

    assert first.content_type == "application/json"
    assert [h.title for h in parsed.hits] == ["Dpd ai chatbot swears calls itself useless and criticises firm"]
    assert ADAPTER.parse(SPEC, Payload(again.body, again.final_url, again.content_type)).hits == []
