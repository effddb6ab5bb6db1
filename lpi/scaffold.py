"""``lpi sources new NAME``: a new source kind, wired in everywhere an operator would otherwise edit by hand.

It writes the adapter module, registers it, adds a configuration entry under its stream and an
on-demand deployment that polls just this source, and records a sample payload with a contract case
and a test. Everything it writes is plain code and YAML meant to be edited afterwards.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from sources.registry import ADAPTERS
from sources.streams import STREAMS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class ScaffoldError(ValueError):
    """The new source cannot be scaffolded as asked; nothing was written."""


@dataclass(frozen=True)
class Format:
    base_module: str
    base_class: str
    sample_suffix: str
    content_type: str
    sample: str


FORMATS: dict[str, Format] = {
    "json": Format(
        "sources.jsonlist",
        "JsonListAdapter",
        ".json",
        "application/json",
        """{
  "items": [
    {
      "id": "example-1",
      "url": "https://www.example.org/2024/05/chatbot-gave-wrong-refund-policy",
      "title": "Airline chatbot invented a refund policy, tribunal rules",
      "summary": "Replace this sample with a real recorded response of the endpoint.",
      "published": "2024-05-02T09:30:00Z"
    }
  ]
}
""",
    ),
    "feed": Format(
        "sources.feeds",
        "FeedAdapter",
        ".xml",
        "application/rss+xml; charset=utf-8",
        """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://www.example.org/</link>
<item><title>Airline chatbot invented a refund policy, tribunal rules</title>
<link>https://www.example.org/2024/05/chatbot-gave-wrong-refund-policy</link>
<description>Replace this sample with a real recorded response of the endpoint.</description>
<pubDate>Thu, 02 May 2024 09:30:00 GMT</pubDate><guid>example-1</guid></item>
</channel></rss>
""",
    ),
}

JSON_MODULE = '''"""{title}: {url}.

Scaffolded by `lpi sources new`. :meth:`hit` maps one item of the API's list to a hit; ``items`` is the
dotted path to that list. The contract is in sources/base.py, the JSON helpers in sources/jsonlist.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sources.base import Hit, SourceSpec
from sources.jsonlist import JsonListAdapter, parse_time, text


class {cls}(JsonListAdapter):
    kind: ClassVar[str] = "{kind}"
    items: ClassVar[str] = "items"

    def hit(self, spec: SourceSpec, item: Mapping[str, Any]) -> Hit | None:
        url, title = text(item.get("url")), text(item.get("title"))
        if not url.startswith(("https://", "http://")) or not title:
            return None
        return Hit(
            url=url,
            title=title,
            summary=text(item.get("summary")),
            published=parse_time(item.get("published")),
            guid=text(item.get("id")) or None,
        )
'''

FEED_MODULE = '''"""{title}: {url}.

Scaffolded by `lpi sources new`: an RSS/Atom feed read by the generic feed adapter. Override ``parse``
(calling ``super().parse``) to adjust hits, e.g. to pull a case number out of the titles.
"""

from __future__ import annotations

from typing import ClassVar

from sources.feeds import FeedAdapter


class {cls}(FeedAdapter):
    kind: ClassVar[str] = "{kind}"
'''

TEST_MODULE = '''"""{cls} on its recorded sample (tests/payloads/{kind}/); the shared contract suite runs it too."""

from __future__ import annotations

from sources.base import Payload, SourceSpec
from sources.{module} import {cls}
from tests.conftest import PAYLOADS

SAMPLE = PAYLOADS / "{kind}" / "{sample}"


def test_sample_parses_into_hits() -> None:
    spec = SourceSpec("{stream}", "{kind}", "{kind}", "{url}")
    parsed = {cls}().parse(spec, Payload(SAMPLE.read_bytes(), "{url}", "{content_type}"))

    assert len(parsed.hits) == {count}
    assert parsed.hits[0].title == {first_title!r}
    assert parsed.hits[0].url == {first_url!r}
'''


@dataclass(frozen=True)
class Scaffold:
    name: str
    stream: str
    format: str
    url: str
    root: Path = PROJECT_ROOT
    config: Path | None = None  # default: the packaged default configuration
    sample: Path | None = None  # a recorded response of the real endpoint

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def cls(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("-")) + "Adapter"

    @property
    def config_file(self) -> Path:
        return self.config or self.root / "lpi" / "default_config.yaml"

    def paths(self) -> dict[str, Path]:
        fmt = FORMATS[self.format]
        return {
            "module": self.root / "sources" / f"{self.module}.py",
            "sample": self.root / "tests" / "payloads" / self.name / f"sample{fmt.sample_suffix}",
            "contract": self.root / "tests" / "payloads" / self.name / "contract.yaml",
            "test": self.root / "tests" / "sources" / f"test_{self.module}.py",
            "registry": self.root / "sources" / "registry.py",
            "config": self.config_file,
            "deployments": self.root / "deployments.yaml",
        }


def create(scaffold: Scaffold) -> dict[str, Path]:
    """Write and wire the new source; returns what was written or changed, by role."""
    paths = _check(scaffold)
    fmt = FORMATS[scaffold.format]
    title = f"{STREAMS[scaffold.stream].title} source {scaffold.name}"
    template = JSON_MODULE if scaffold.format == "json" else FEED_MODULE
    paths["module"].write_text(template.format(title=title, url=scaffold.url, cls=scaffold.cls, kind=scaffold.name))
    paths["sample"].parent.mkdir(parents=True, exist_ok=True)
    if scaffold.sample:
        shutil.copyfile(scaffold.sample, paths["sample"])
    else:
        paths["sample"].write_text(fmt.sample, encoding="utf-8")
    _register(paths["registry"], scaffold)
    count, first_title, first_url = _parse_sample(scaffold, paths["sample"])
    paths["contract"].write_text(
        f"# The shared adapter contract's case for kind {scaffold.name!r} (tests/sources/test_contract.py).\n"
        + yaml.safe_dump(
            {"stream": scaffold.stream, "file": paths["sample"].name, "content_type": fmt.content_type, "options": {}, "min_hits": max(count, 1)},
            sort_keys=False,
        )
    )
    paths["test"].write_text(
        TEST_MODULE.format(
            cls=scaffold.cls, kind=scaffold.name, module=scaffold.module, sample=paths["sample"].name, stream=scaffold.stream,
            url=scaffold.url, content_type=fmt.content_type, count=count, first_title=first_title, first_url=first_url,
        )
    )
    _add_config_entry(paths["config"], scaffold)
    _add_deployment(paths["deployments"], scaffold)
    return paths


def _check(scaffold: Scaffold) -> dict[str, Path]:
    if not NAME_RE.match(scaffold.name):
        raise ScaffoldError(f"name {scaffold.name!r} must be kebab-case: lower-case letters, digits and single hyphens")
    if scaffold.stream not in STREAMS:
        raise ScaffoldError(f"unknown stream {scaffold.stream!r}; known: {', '.join(STREAMS)}")
    if scaffold.format not in FORMATS:
        raise ScaffoldError(f"unknown format {scaffold.format!r}; one of {', '.join(FORMATS)}")
    if not scaffold.url.startswith(("https://", "http://", "file:")):
        raise ScaffoldError(f"url {scaffold.url!r} must be http(s) or file:")
    if scaffold.sample and not scaffold.sample.is_file():
        raise ScaffoldError(f"sample {scaffold.sample} is not a file")
    if scaffold.name in ADAPTERS:
        raise ScaffoldError(f"kind {scaffold.name!r} is registered already")
    paths = scaffold.paths()
    for role in ("module", "test", "contract"):
        if paths[role].exists():
            raise ScaffoldError(f"{paths[role]} exists already: kind {scaffold.name!r} is taken")
    for role in ("registry", "config", "deployments"):
        if not paths[role].is_file():
            raise ScaffoldError(f"{paths[role]} not found: run this from a checkout of the project (or pass --root)")
    return paths


def _register(registry: Path, scaffold: Scaffold) -> None:
    """Add the import after the last adapter import and the instance as the tuple's last element."""
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    last_import = max(i for i, line in enumerate(lines) if line.startswith("from sources.") and line.rstrip().endswith("Adapter"))
    lines.insert(last_import + 1, f"from sources.{scaffold.module} import {scaffold.cls}\n")
    closing = next(i for i, line in enumerate(lines) if line.rstrip() == "    )" and i > last_import)
    lines.insert(closing, f"        {scaffold.cls}(),\n")
    registry.write_text("".join(lines), encoding="utf-8")


def _parse_sample(scaffold: Scaffold, sample: Path) -> tuple[int, str, str]:
    """Parse the sample with the new module as written, so the generated test states real figures."""
    import importlib.util

    from sources.base import Payload, SourceSpec

    spec = importlib.util.spec_from_file_location(f"_scaffold_{scaffold.module}", scaffold.paths()["module"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    adapter = getattr(module, scaffold.cls)()
    source = SourceSpec(scaffold.stream, scaffold.name, scaffold.name, scaffold.url)
    hits = adapter.parse(source, Payload(sample.read_bytes(), scaffold.url, FORMATS[scaffold.format].content_type)).hits
    if not hits:
        raise ScaffoldError(f"the sample {sample} parses into no hits with the generated adapter; adjust it and re-run")
    return len(hits), hits[0].title, hits[0].url


def _add_config_entry(config: Path, scaffold: Scaffold) -> None:
    """Append a source entry at the end of the stream's block, keeping every comment of the file."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if line.rstrip() == f"  {scaffold.stream}:"), None)
    if header is None:
        raise ScaffoldError(f"{config} has no block for stream {scaffold.stream!r} under streams:")
    end = next((i for i in range(header + 1, len(lines)) if re.match(r"^ {0,2}\S", lines[i])), len(lines))
    while end > header + 1 and not lines[end - 1].strip():
        end -= 1
    entry = (
        f"      - name: {scaffold.name}\n"
        f"        url: \"{scaffold.url}\"\n"
        f"        kind: {scaffold.name}\n"
        f"        verified: false\n"
        f"        checked: \"added with `lpi sources new`: confirm the endpoint and its format, then set verified\"\n"
    )
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines.insert(end, entry)
    text = "".join(lines)
    sources = (yaml.safe_load(text).get("streams") or {}).get(scaffold.stream, {}).get("sources") or []
    if not any(s.get("name") == scaffold.name for s in sources):
        raise ScaffoldError(f"could not place the entry in {config}: its {scaffold.stream} block has an unexpected layout")
    config.write_text(text, encoding="utf-8")


def _add_deployment(deployments: Path, scaffold: Scaffold) -> None:
    """An on-demand deployment that polls only the new source: run it from the UI while trying it out."""
    text = deployments.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += (
        f"  - {{name: {scaffold.stream}--{scaffold.name}, flow: poll-stream, "
        f"parameters: {{stream: {scaffold.stream}, sources: [{scaffold.name}]}}}}\n"
    )
    deployments.write_text(text, encoding="utf-8")
