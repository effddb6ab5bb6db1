"""``lpi queue scope``: why a cluster is in or out of scope, member by member, and the reviewer's
"in scope after all" (in process, on a store the real pipeline filled from the replay feeds)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lpi.cli import app

runner = CliRunner()


def lpi(config: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_queue_scope_explains_a_parked_cluster_and_brings_it_back(config_file: Path) -> None:
    lpi(config_file, "run", "--plain")
    [parked] = json.loads(lpi(config_file, "queue", "list", "--state", "out-of-scope", "--json"))
    promoted = json.loads(lpi(config_file, "queue", "list", "--state", "promoted", "--json"))[0]

    shown = lpi(config_file, "queue", "scope", str(parked["id"]))
    assert shown.splitlines()[:2] == [
        f"cluster {parked['id']} [out-of-scope]  Console login delays",
        "scope: out of scope: all 1 confirming member(s) score below 0.5",
    ]
    assert "confirming               out (0.40)  Console login delays" in shown
    assert "      - names or describes no frontier LLM (-0.10)" in shown and "      hints: categories" in shown

    brought = lpi(config_file, "queue", "scope", str(parked["id"]), "--in-scope", "-r", "alice", "--note", "vendor outage")
    assert brought.startswith(f"cluster {parked['id']} in scope after all (decision ") and "): now watched" in brought
    assert "scope: in scope: alice decided so" in brought
    assert parked["id"] in [r["id"] for r in json.loads(lpi(config_file, "queue", "list", "--state", "watched", "--json"))]

    refused = lpi(config_file, "queue", "scope", str(promoted["id"]), "--in-scope", "-r", "alice", code=1)
    assert "is promoted: only an out-of-scope cluster can be brought in scope" in refused
    view = json.loads(lpi(config_file, "queue", "scope", str(promoted["id"]), "--json"))
    assert view["out_of_scope"] is False and all(m["in_scope"] for m in view["members"] if m["confirming"])
    assert "no cluster 999999" in lpi(config_file, "queue", "scope", "999999", code=1)
