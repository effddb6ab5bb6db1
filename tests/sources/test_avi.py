"""AviExportAdapter: the lpi-avi-export/1 document (validated against avi_export.schema.json, a
broken record skipped by index) and AVID reports and vulnerabilities, replayed over the whole
AVID corpus."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sources.avi import SCHEMA, AviExportAdapter
from sources.base import Parsed, ParseError, Payload, SourceSpec
from tests.conftest import CORPORA, PAYLOADS

RECORDED = PAYLOADS / "avi-export" / "export.json"
AVID = CORPORA / "avid_ai_vulnerability_reports"
SPEC = SourceSpec("avi-tracker", "avi-export", "avi-export", "file:///var/lib/lpi/avi-tracker/export.json")
ADAPTER = AviExportAdapter()


def parse(body: bytes) -> Parsed:
    return ADAPTER.parse(SPEC, Payload(body, "file:///var/lib/lpi/avi-tracker/export.json", None))


def export() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(RECORDED.read_bytes())
    return document


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def avid_report(ident: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"data_type": "AVID", "data_version": "0.3.3", "metadata": {"report_id": ident},
            "problemtype": {"classof": "LLM Evaluation", "type": "Advisory", "description": {"lang": "eng", "value": title}},
            "references": [], "description": {"lang": "eng", "value": f"{title}, in detail."}, "reported_date": "2025-03-04",
            **extra}


def test_the_schema_is_valid_draft_2020_12_and_the_recorded_export_matches_it() -> None:
    Draft202012Validator.check_schema(SCHEMA)

    assert list(Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(export())) == []


def test_confirming_reproductions_are_hits_at_their_page_else_their_first_reference() -> None:
    parsed = parse(RECORDED.read_bytes())

    assert parsed.warnings == []
    assert [(h.guid, h.url) for h in parsed.hits] == [
        ("AVI-2025-0003", "https://avi-tracker.example.org/reproductions/AVI-2025-0003"),
        ("AVI-2024-0011", "https://avi-tracker.example.org/reproductions/AVI-2024-0011"),
        ("AVI-2024-0007", "https://embracethered.com/blog/posts/2024/chatgpt-macos-app-persistent-data-exfiltration/"),
    ]  # AVI-2025-0019 was not reproduced: it confirms nothing
    echoleak, slack, spaiware = parsed.hits
    assert echoleak.published == datetime(2025, 6, 12, 14, 20, tzinfo=UTC)
    assert spaiware.published == datetime(2024, 9, 24, 15, 45, tzinfo=UTC)  # +02:00 in the export
    assert echoleak.entities == {
        "cves": ["CVE-2025-32711"],
        "models": [{"vendor": "Microsoft", "model": "Microsoft 365 Copilot", "version": None}],
    }
    assert echoleak.summary.endswith(
        "not reproducible since.\n\nAVI tracker status: mitigated on 2025-06-12. Models: Microsoft 365 Copilot. "
        "Severity: critical (CVSS:3.1 9.3). Category: prompt-injection."
    )
    assert slack.summary.endswith(
        "AVI tracker status: reproduced on 2024-08-22. Models: Salesforce Slack AI. Severity: high. "
        "Category: data-exfiltration. Deployer: Slack."
    )
    assert [m["version"] for m in spaiware.entities["models"]] == ["1.2024.247", "2024-08-06"]


def test_a_record_that_breaks_the_schema_is_skipped_with_its_index_and_the_others_still_count() -> None:
    document = export()
    del document["reproductions"][0]["models"]
    document["reproductions"][1]["status"] = "confirmed"
    document["reproductions"][2]["cves"] = ["CVE-24-1"]

    parsed = parse(encode(document))

    assert parsed.hits == []
    assert parsed.warnings == [
        "reproduction 0 (AVI-2025-0003) skipped: the record: 'models' is a required property",
        ("reproduction 1 (AVI-2024-0011) skipped: /status: 'confirmed' is not one of "
         "['reproduced', 'partially-reproduced', 'not-reproduced', 'mitigated', 'withdrawn']"),
        "reproduction 2 (AVI-2024-0007) skipped: /cves/0: 'CVE-24-1' does not match '^CVE-[0-9]{4}-[0-9]{4,}$'",
    ]


def test_a_bad_reproduction_time_or_link_is_caught_by_the_schema() -> None:
    document = export()
    document["reproductions"][0]["reproduced_at"] = "last Tuesday"
    document["reproductions"][1]["url"] = "avi-tracker.example.org/reproductions/AVI-2024-0011"

    parsed = parse(encode(document))

    assert [h.guid for h in parsed.hits] == ["AVI-2024-0007"]
    assert parsed.warnings[0] == "reproduction 0 (AVI-2025-0003) skipped: /reproduced_at: 'last Tuesday' is not a 'date-time'"
    assert parsed.warnings[1].startswith("reproduction 1 (AVI-2024-0011) skipped: /url: 'avi-tracker.example.org/")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.pop("generated_at"), "does not match lpi-avi-export/1: the document: 'generated_at' is a required"),
        (lambda d: d.update(reproductions={}), "does not match lpi-avi-export/1: /reproductions: {} is not of type 'array'"),
        (lambda d: d.update(schema="lpi-avi-export/2"), "unsupported export schema 'lpi-avi-export/2'"),
    ],
)
def test_a_document_that_is_not_a_valid_export_is_a_parse_error(change: Any, says: str) -> None:
    document = copy.deepcopy(export())
    change(document)

    with pytest.raises(ParseError, match=says):
        parse(encode(document))


def test_avid_records_come_as_one_object_a_list_or_json_lines() -> None:
    one = avid_report("AVID-2025-R0042", "Grok 2 image prompt bypasses the public-figure filter")
    two = avid_report("AVID-2025-R0043", "Gemini 1.5 Pro leaks its system prompt when asked to translate it",
                      impact={"avid": {"vuln_id": "AVID-2025-V007"}},
                      references=[{"label": "NVD entry", "url": "https://www.cve.org/CVERecord?id=CVE-2025-1001"}])

    single = parse(encode(one))
    listed = parse(encode([one, two]))
    lines = parse(b"\n".join([encode(one), b"{not json", b"", encode(two), encode({"data_type": "CVE"})]))

    assert [h.url for h in single.hits] == ["https://avidml.org/database/avid-2025-r0042/"]
    assert [h.guid for h in listed.hits] == [h.guid for h in lines.hits] == ["AVID-2025-R0042", "AVID-2025-R0043"]
    assert listed.hits[1].entities == {"avid_ids": ["AVID-2025-R0043", "AVID-2025-V007"], "cves": ["CVE-2025-1001"]}
    assert listed.hits[0].published == datetime(2025, 3, 4, tzinfo=UTC)
    assert lines.warnings == [
        "line 2 skipped: not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        "record 2 skipped: not an AVID record (data_type is not AVID)",
    ]


def test_an_avid_record_without_an_id_or_a_title_is_skipped_by_index() -> None:
    no_id = avid_report("", "Untraceable")
    no_title = avid_report("AVID-2025-R0044", "")
    no_title["description"]["value"] = ""

    parsed = parse(encode([avid_report("AVID-2025-R0045", "Fine"), no_id, no_title]))

    assert [h.guid for h in parsed.hits] == ["AVID-2025-R0045"]
    assert parsed.warnings == [
        "record 1 skipped: metadata has no AVID report_id or vuln_id (found 'none')",
        "record 2 skipped: AVID-2025-R0044 has neither problemtype.description.value nor description.value",
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"incidents": []}', "no AVID record"),
        (b"[1, 2, 3]", "no AVID record"),
        (b"id,title\nAVI-1,Something\n", "not an AVI export or AVID records"),
        (b"1 2", "no line holds one whole"),
    ],
)
def test_a_document_of_neither_form_is_a_parse_error(body: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        parse(body)


@pytest.mark.skipif(not AVID.is_dir(), reason="corpus avid_ai_vulnerability_reports not available")
def test_every_avid_report_and_vulnerability_in_the_corpus_becomes_one_hit() -> None:
    files = sorted(AVID.rglob("*.json"))
    hits, warnings, errors = 0, [], []
    for file in files:
        try:
            parsed = ADAPTER.parse(SPEC, Payload(file.read_bytes(), file.resolve().as_uri(), "application/json"))
        except ParseError as exc:
            errors.append(f"{file.name}: {exc}")
            continue
        hits += len(parsed.hits)
        warnings += parsed.warnings
        assert all(h.url.startswith("https://avidml.org/database/avid-") and h.title and h.published for h in parsed.hits)

    assert (len(files), hits, warnings, errors) == (837, 837, [], [])
    echo = ADAPTER.parse(SPEC, Payload((AVID / "vulnerabilities" / "2023" / "AVID-2023-V028.json").read_bytes(), "file:///x"))
    assert echo.hits[0].title == "It is possible to make ChatGPT perform remote code execution just by asking politely"
    assert echo.hits[0].entities == {"avid_ids": ["AVID-2023-V028", "AVID-2023-R0004"]}
    assert echo.hits[0].summary.endswith(
        "Developer: OpenAI. Deployer: OpenAI, boxcars.ai. Artifacts: ChatGPT, boxcars.ai. AVID class: LLM Evaluation / Advisory."
    )
