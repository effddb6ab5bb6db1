"""What every ``lpi`` command module shares: the --config and --json options, and opening the
configuration and the database with a usage error (exit 2) instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from lpi.config import Config, ConfigError, load_config

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="Configuration YAML (default: $LPI_CONFIG, else the packaged one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        typer.secho(f"configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None


def _engine(cfg: Config) -> Engine:
    from store import open_engine

    return open_engine(cfg.store_url())
