"""ArxivAdapter on recorded arXiv API Atom: one hit per paper at its version-less abstract page,
the query and paging parameters, paging that stops at the high-water mark or the last result, the
API's error feed, and every recorded response of the arXiv corpus."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.arxiv import ArxivAdapter
from sources.base import Parsed, ParseError, Payload, SourceSpec
from tests.conftest import CORPORA, PAYLOADS

FOLDER = PAYLOADS / "arxiv"
ARXIV = CORPORA / "arxiv_api_responses"
API = "https://export.arxiv.org/api/query?sortBy=submittedDate&sortOrder=descending&start=0&max_results=100"
ADAPTER = ArxivAdapter()


def spec(url: str = API, **options: Any) -> SourceSpec:
    return SourceSpec("preprints", "arxiv-llm-incidents", "arxiv", url=url, options=options)


def payload(body: bytes, url: str = API) -> Payload:
    return Payload(body, url, "application/atom+xml; charset=utf-8")


def parse(file: str) -> Parsed:
    return ADAPTER.parse(spec(), payload((FOLDER / file).read_bytes()))


def test_entries_become_one_hit_per_paper() -> None:
    parsed = parse("query-llm-harms.atom")

    assert parsed.warnings == [] and len(parsed.hits) == 4
    first = parsed.hits[0]
    assert first.url == first.guid == "https://arxiv.org/abs/2405.20362"
    assert first.title == "Hallucination-Free? Assessing the Reliability of Leading AI Legal Research Tools"  # one line
    assert first.published == datetime(2024, 5, 30, 17, 56, 5, tzinfo=UTC)
    assert first.entities == {"arxiv_ids": ["2405.20362"]}
    assert first.summary.startswith("Legal practice has witnessed a sharp rise in products incorporating")
    assert first.summary.endswith(
        "\n\nAuthors: Varun Magesh, Faiz Surani, Matthew Dahl, Mirac Suzgun, Christopher D. Manning, Daniel E. Ho"
    )


def test_version_suffix_is_dropped_so_revisions_are_one_paper() -> None:
    second = parse("query-llm-harms.atom").hits[1]

    assert second.url == "https://arxiv.org/abs/2401.01301"  # the entry is v2
    assert second.entities == {"arxiv_ids": ["2401.01301"]}
    assert second.published == datetime(2024, 1, 2, 18, 40, 33, tzinfo=UTC)  # first submission, not the revision


def test_cursor_is_the_newest_submission() -> None:
    assert parse("query-llm-harms.atom").cursor == {"published": "2024-05-30T17:56:05+00:00"}


def test_error_feed_is_a_parse_error_with_the_api_message() -> None:
    with pytest.raises(ParseError, match=r"^arXiv API error: max_results must be an integer$"):
        parse("error-max-results.atom")


def test_request_sets_query_sorting_and_first_page() -> None:
    url = "http://127.0.0.1:8765/arxiv/query-llm-harms.atom?start=200&max_results=50"

    request = ADAPTER.request(spec(url, query='abs:"large language model" AND abs:incident'), {})

    assert request.url.startswith("http://127.0.0.1:8765/arxiv/query-llm-harms.atom?")
    assert parse_qs(urlsplit(request.url).query) == {
        "search_query": ['abs:"large language model" AND abs:incident'],
        "sortBy": ["submittedDate"],
        "sortOrder": ["descending"],
        "start": ["0"],
        "max_results": ["50"],
    }


def test_request_without_page_size_asks_for_a_hundred() -> None:
    request = ADAPTER.request(spec("https://export.arxiv.org/api/query?search_query=all:chatgpt"), {})

    assert parse_qs(urlsplit(request.url).query)["max_results"] == ["100"]
    assert parse_qs(urlsplit(request.url).query)["search_query"] == ["all:chatgpt"]  # kept without the option


def full_page() -> Payload:
    """The recorded page, as page one of a larger result asked four at a time."""
    body = (FOLDER / "query-llm-harms.atom").read_bytes().replace(b">4</opensearch:totalResults>", b">1843</opensearch:totalResults>")
    return payload(body, API.replace("max_results=100", "max_results=4"))


def test_next_page_advances_start_by_the_page_size() -> None:
    request = ADAPTER.next_page(spec(), full_page(), {})

    assert request is not None
    assert parse_qs(urlsplit(request.url).query)["start"] == ["4"]
    assert parse_qs(urlsplit(request.url).query)["max_results"] == ["4"]


@pytest.mark.parametrize(
    ("known", "follows"),
    [("2023-01-01T00:00:00+00:00", True), ("2023-06-08T18:43:11+00:00", False), ("2024-05-30T17:56:05+00:00", False)],
)
def test_next_page_stops_at_entries_already_seen(known: str, follows: bool) -> None:
    assert (ADAPTER.next_page(spec(), full_page(), {"published": known}) is not None) is follows


def test_next_page_stops_at_the_last_result() -> None:
    assert ADAPTER.next_page(spec(), payload((FOLDER / "query-llm-harms.atom").read_bytes()), {}) is None  # 4 of 4


def test_pipeline_reads_politeness_and_page_limit_from_the_class() -> None:
    assert (ArxivAdapter.page_delay, ArxivAdapter.max_pages) == (3.0, 3)


def corpus_files() -> list[Path]:
    if not ARXIV.is_dir():
        return []
    return sorted(p for p in ARXIV.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))


def recorded(path: Path) -> Payload:
    """raw_atom_xml holds bare responses named by their query; recorded_json wraps {url, status_code, body}."""
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        return payload(record["body"].encode(), record["url"])
    return payload(path.read_bytes(), f"http://export.arxiv.org/api/query?{path.stem}")


@pytest.mark.parametrize(
    "path", corpus_files() or [pytest.param(None, marks=pytest.mark.skip(reason=f"{ARXIV} not present"))],
    ids=lambda p: f"{p.parent.name}/{p.name}" if isinstance(p, Path) else "absent",
)
def test_corpus_response_parses_to_one_hit_per_entry(path: Path) -> None:
    response = recorded(path)
    ids = re.findall(rb"<id>https?://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>", response.body)
    if b"arxiv.org/api/errors" in response.body:
        with pytest.raises(ParseError, match=r"^arXiv API error: "):
            ADAPTER.parse(spec(), response)
        return

    parsed = ADAPTER.parse(spec(), response)

    assert parsed.warnings == []
    assert [h.entities["arxiv_ids"][0] for h in parsed.hits] == [i.decode() for i in ids]
    assert all(h.url == f"https://arxiv.org/abs/{h.entities['arxiv_ids'][0]}" for h in parsed.hits)
    assert all(h.title and "\n" not in h.title and h.published and h.published.tzinfo == UTC for h in parsed.hits)


@pytest.mark.skipif(not ARXIV.is_dir(), reason=f"{ARXIV} not present")
def test_corpus_replay_counts() -> None:
    outcomes = {"hits": 0, "responses": 0, "errors": 0}
    for path in corpus_files():
        try:
            outcomes["hits"] += len(ADAPTER.parse(spec(), recorded(path)).hits)
            outcomes["responses"] += 1
        except ParseError:
            outcomes["errors"] += 1

    assert outcomes == {"hits": 243, "responses": 23, "errors": 1}


@pytest.mark.skipif(not ARXIV.is_dir(), reason=f"{ARXIV} not present")
def test_corpus_paging_chain_requests_the_recorded_next_page() -> None:
    first = recorded(next((ARXIV / "recorded_json").glob("q_testing_s0_m10_*.json")))
    second = recorded(next((ARXIV / "recorded_json").glob("q_testing_s10_m10_*.json")))

    request = ADAPTER.next_page(spec(), first, {})

    assert request is not None
    assert parse_qs(urlsplit(request.url).query) == parse_qs(urlsplit(second.url).query)
