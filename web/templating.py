"""The Jinja2 templates of every page, autoescaped: submitted text is only ever rendered escaped."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.templating import Jinja2Templates

templates = Jinja2Templates(
    env=Environment(
        loader=PackageLoader("web", "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
)
