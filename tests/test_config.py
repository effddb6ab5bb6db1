"""The configuration file: the packaged default, validation errors naming the file, keyword
inheritance, and which database URL is in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup.matcher import MatchSettings
from lpi.config import DEFAULT_CONFIG, ConfigError, load_config
from sources.streams import STREAMS


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lpi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_default_loads_with_sources_for_all_twelve_streams() -> None:
    config = load_config()

    assert config.path == DEFAULT_CONFIG
    assert list(config.streams) == list(STREAMS) and len(STREAMS) == 12
    for stream, specs in config.streams.items():
        assert specs, f"{stream} has no sources"
        assert all(s.stream == stream and s.kind and s.name for s in specs)
        assert all(s.url for s in specs if s.kind != "submissions")
    assert config.fetch.deadline == 60 and config.fetch.user_agent.startswith("lpi-intake/")
    assert config.matching == MatchSettings()  # the packaged file and the code agree on every knob


def test_lpi_config_environment_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "user_agent: from-env/1\n")
    monkeypatch.setenv("LPI_CONFIG", str(path))

    config = load_config()

    assert config.path == path and config.fetch.user_agent == "from-env/1" and config.streams == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("streams:\n  tier9-news: {}\n", "unknown stream 'tier9-news'"),
        ("fetch:\n  timeout: 5\n", "unknown key(s) in fetch: timeout"),
        ("matching:\n  treshold: 0.5\n", "unknown key(s) in matching: treshold"),
        ("streams:\n  tier1-news:\n    sources:\n      - {name: bbc, url: 'https://x'}\n", "needs a name and a kind"),
        ("streams:\n  tier1-news:\n    sources:\n      - {kind: feed, url: 'https://x'}\n", "needs a name and a kind"),
        ("streams:\n  tech-press:\n    sources:\n      - {name: a, kind: feed}\n      - {name: a, kind: feed}\n",
         "duplicate source name(s) in tech-press: a"),
        ("streams: [unclosed\n", "is not valid YAML"),
        ("- just\n- a list\n", "the top level must be a mapping"),
    ],
    ids=["unknown-stream", "unknown-fetch-key", "unknown-matching-key", "source-without-kind", "source-without-name",
         "duplicate-names", "invalid-yaml", "not-a-mapping"],
)
def test_invalid_configuration_raises_config_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert str(path) in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize("name", ["missing.yaml", "a-directory"])
def test_unreadable_file_raises_config_error_naming_it(tmp_path: Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()

    with pytest.raises(ConfigError, match="cannot read configuration") as caught:
        load_config(tmp_path / name)

    assert str(tmp_path / name) in str(caught.value)


@pytest.mark.parametrize(
    "text", ["streams:\n  tier1-news:\n    - {name: a, kind: feed}\n", "fetch: 5\n"], ids=["stream-as-list", "fetch-scalar"]
)
def test_misshapen_sections_raise_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, text))


def test_source_keywords_override_the_streams_and_options_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, """
streams:
  tier1-news:
    keywords: [llm, chatbot]
    sources:
      - {name: own, kind: feed, url: 'https://a.example/rss', keywords: [copilot]}
      - {name: inherits, kind: feed, url: 'https://b.example/rss', publisher_from: source-element,
         verified: true, checked: "seen in public configs"}
""")

    own, inherits = load_config(path).streams["tier1-news"]

    assert own.keywords == ("copilot",)
    assert inherits.keywords == ("llm", "chatbot")
    assert inherits.options == {"publisher_from": "source-element"}  # provenance notes are not options
    assert inherits.source_id == "tier1-news/inherits"


def test_store_url_prefers_lpi_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, "database_url: sqlite:////tmp/from-file.db\n"))
    assert config.store_url() == "sqlite:////tmp/from-file.db"

    monkeypatch.setenv("LPI_DATABASE_URL", "postgresql+psycopg://u@db/lpi")

    assert config.store_url() == "postgresql+psycopg://u@db/lpi"
    assert load_config(write(tmp_path, "{}\n")).store_url() == "postgresql+psycopg://u@db/lpi"


def test_store_url_is_none_without_file_or_environment(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "user_agent: x/1\n")).store_url() is None


def test_every_kind_of_the_packaged_configuration_has_an_adapter() -> None:
    from sources import ADAPTERS

    kinds = {spec.kind for spec in load_config().sources()}
    assert kinds - set(ADAPTERS) == set()
