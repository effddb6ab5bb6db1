"""All twelve streams, each with every adapter kind that serves it, over recorded real-format payloads:
the feeds of the foundation's cycle plus each kind's contract case (tests/payloads/<kind>/contract.yaml),
and user submissions read from our own table. Used by tests/test_all_streams.py and scripts/demo.py."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import INTAKE_STREAMS, PAYLOADS

# Reports a user might send through the form, as the demo and the test send them.
SUBMISSIONS = [
    {"url": "https://www.theguardian.com/technology/2024/jan/20/dpd-ai-chatbot-swears-calls-itself-useless-and-criticises-firm",
     "title": "DPD chatbot swears at a customer and calls itself useless", "contact": "reader@example.net"},
    {"url": "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/",
     "description": "The airline's chatbot invented a bereavement refund policy; a tribunal made the airline honour it."},
]


def all_streams() -> dict[str, Any]:
    """A ``streams:`` section with relative URLs (``write_config`` points them at the replay server)."""
    streams = copy.deepcopy(INTAKE_STREAMS)
    for contract_file in sorted(PAYLOADS.glob("*/contract.yaml")):
        kind = contract_file.parent.name
        contract = yaml.safe_load(contract_file.read_text(encoding="utf-8"))
        if kind in ("feed", "submissions"):
            continue  # feeds are in INTAKE_STREAMS already; submissions come from the table below
        path = (contract_file.parent / contract["file"]).resolve().relative_to(PAYLOADS.resolve())
        source = {"name": f"recorded-{kind}", "kind": kind, "url": f"/{Path(path).as_posix()}", "page_delay": 0, **(contract.get("options") or {})}
        streams.setdefault(contract["stream"], {"sources": []})["sources"].append(source)
    streams["user-submissions"] = {"sources": [{"name": "form", "kind": "submissions", "url": "lpi:submissions"}]}
    return streams
