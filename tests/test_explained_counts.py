"""The three explained counts of scripts/explained_counts.py, through the real pipeline on both
databases: a reader's report sent to the real submission endpoint, recorded feeds served on loopback,
`lpi run --plain`, then `lpi queue show` as text and as JSON. Candidate ids differ between runs (the
sources are polled concurrently), so members are named by publisher."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from typer.testing import CliRunner

from lpi.cli import app
from tests.replay import ReplayServer

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "explained_counts.py"
GLUE = "https://404media.co/google-is-paying-reddit-60-million-for-fucksmith-to-tell-its-users-to-eat-glue"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("explained_counts", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _show(config: Path, cluster_id: int) -> tuple[str, dict[str, Any]]:
    runner = CliRunner()
    text = runner.invoke(
        app, ["queue", "show", str(cluster_id), "--config", str(config)]
    )
    data = runner.invoke(
        app, ["queue", "show", str(cluster_id), "--config", str(config), "--json"]
    )
    assert text.exit_code == 0 and data.exit_code == 0, text.output + data.output
    return text.stdout, json.loads(data.stdout)


def _draft(config: Path, cluster_id: int) -> dict[str, Any]:
    """The fields `lpi queue draft` pre-fills for the reviewer."""
    result = CliRunner().invoke(
        app, ["queue", "draft", str(cluster_id), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    fields: dict[str, Any] = yaml.safe_load(result.stdout)
    return fields


def _origins(found: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Origin → (publisher of the hit it counts through, why, if not its own)."""
    return {
        o["origin"]: (o["counted"]["publisher"], o["counted"]["reason"])
        for o in found["count"]["origins"]
    }


def _collapsed(found: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Publisher of each collapsed hit → (origin it collapsed into, why)."""
    return {
        c["publisher"]: (o["origin"], c["reason"])
        for o in found["count"]["origins"]
        for c in o["collapsed"]
    }


def _id_of(found: dict[str, Any], publisher: str, role: str = "confirming") -> int:
    return next(
        int(m["candidate_id"])
        for m in found["members"]
        if m["publisher"] == publisher and m["role"] == role
    )


def test_three_explained_counts(
    tmp_path: Path, replay: ReplayServer, database_url: str
) -> None:
    explained = _script()
    config = explained.prepare(tmp_path, replay, database_url)
    run = CliRunner().invoke(app, ["run", "--plain", "--config", str(config)])
    assert run.exit_code == 0, run.output
    clusters = explained.shown_clusters(database_url)
    assert len(set(clusters.values())) == 3

    # (a) The AP story and three outlets carrying it count once, as AP; the Guardian's own report counts.
    text, wire = _show(config, clusters["a"])
    ap = _id_of(wire, "apnews.com")
    assert (wire["state"], wire["independent"]) == ("promoted", 2)
    assert _origins(wire) == {
        "theguardian.com": ("theguardian.com", ""),
        "apnews.com": ("apnews.com", ""),
    }
    copies = _collapsed(wire)
    assert copies["go.com"] == (
        "apnews.com",
        f"identical text to candidate {ap}: a syndicated copy; wire copy credited to AP",
    )
    origin, why = copies["washingtonpost.com"]
    assert origin == "apnews.com" and why.startswith(
        f"near-identical text to candidate {ap} (simhash distance "
    )
    assert why.endswith("); wire copy credited to AP")
    assert copies["usnews.com"] == (
        "apnews.com",
        "wire copy credited to AP",
    )  # retitled and cut: the credit tells
    assert wire["count"]["zero"] == [] and wire["hints"]["deployers"] == ["Deloitte"]
    assert (
        f"+ #{_id_of(wire, 'usnews.com')} usnews.com collapsed into it: wire copy credited to AP"
        in text
    )

    draft = _draft(config, clusters["a"])
    assert (draft["deployer"], draft["model_vendor"], draft["model_name"]) == (
        "Deloitte",
        "OpenAI",
        "GPT",
    )

    # (b) The Verge and a newsletter retell 404 Media's story; one BBC report under two domains.
    text, retold = _show(config, clusters["b"])
    assert (retold["state"], retold["independent"]) == ("promoted", 2)
    assert _origins(retold) == {
        "404media.co": ("404media.co", ""),
        "bbc.co.uk": ("bbc.co.uk", ""),
    }
    assert _collapsed(retold) == {
        "theverge.com": (
            "404media.co",
            f"re-reports 404media.co (attribution 'as 404 Media first reported' + link to {GLUE})",
        ),
        "garymarcus.substack.com": (
            "404media.co",
            f"re-reports 404media.co (attribution 'via 404 Media' + link to {GLUE})",
        ),
        "bbc.co.uk": (
            "bbc.co.uk",
            "same originating organization (bbc.com is one of bbc.co.uk's domains)",
        ),
    }
    verge = _id_of(retold, "theverge.com")
    assert (
        f"+ #{verge} theverge.com collapsed into it: re-reports 404media.co (attribution 'as 404 Media first reported'"
        in text
    )
    assert next(
        m["why"] for m in retold["members"] if m["candidate_id"] == verge
    ).startswith("collapsed into 404media.co: re-reports")

    # (c) Wired's copy of the Ars story collapses into Ars; the Hacker News post and the reader's report count zero.
    text, zero = _show(config, clusters["c"])
    assert (zero["state"], zero["independent"]) == ("promoted", 2)
    assert _origins(zero) == {
        "theregister.com": ("theregister.com", ""),
        "arstechnica.com": ("arstechnica.com", ""),
    }
    origin, why = _collapsed(zero)["wired.com"]
    assert origin == "arstechnica.com" and why.startswith(
        f"near-identical text to candidate {_id_of(zero, 'arstechnica.com')} (simhash"
    )
    assert sorted((z["publisher"], z["reason"]) for z in zero["count"]["zero"]) == [
        (
            "arstechnica.com",
            "user-submitted lead: counts zero until confirmed elsewhere",
        ),
        (
            "ycombinator.com",
            "discovery only (Reddit / Hacker News): never a confirming source",
        ),
    ]
    draft = _draft(config, clusters["c"])  # a bot whose model was not disclosed
    assert (draft["deployer"], draft["model_vendor"], draft["model_name"]) == (
        "Cursor",
        None,
        "undisclosed frontier model",
    )
    lead = _id_of(zero, "arstechnica.com", role="lead")
    assert f"zero: #{lead} arstechnica.com: user-submitted lead" in text and zero[
        "hints"
    ]["deployers"] == ["Cursor"]


def test_the_script_prints_the_three_shows() -> None:
    """The script as a user runs it: `lpi run --plain` and `lpi queue show` as subprocesses, SQLite."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    sections = done.stdout.split("\n=== (")[1:]
    assert [s[0] for s in sections] == ["a", "b", "c"]
    assert all("independent confirming sources: 2\n" in s for s in sections)
    assert (
        "collapsed into it: identical text" in sections[0]
        and "wire copy credited to AP" in sections[0]
    )
    assert (
        "collapsed into it: re-reports 404media.co (attribution 'via 404 Media'"
        in sections[1]
    )
    assert (
        "zero: #" in sections[2]
        and "discovery only" in sections[2]
        and "user-submitted lead" in sections[2]
    )
