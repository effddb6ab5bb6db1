"""``lpi users add``: local accounts for the reviewers' web pages."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from lpi.cli_common import ConfigOption, _config, _engine
from store import session_scope
from web.accounts import AccountError, Role, add_account

users_app = typer.Typer(help="Accounts for the reviewers' web pages (lpi web).", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[Role, typer.Option(help="reviewer, or maintainer (may also correct published incidents).")] = Role.REVIEWER,
    config: ConfigOption = None,
) -> None:
    """Add an account. The password is asked twice on a terminal, else read from the first line of
    standard input (never from the command line, where other users could read it)."""
    password = _password()
    engine = _engine(_config(config))
    try:
        with session_scope(engine) as session:
            add_account(session, name, role, password)
    except AccountError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"account {name.strip()} added ({role.value})")


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        typer.secho("the passwords differ", fg="red", err=True)
        raise typer.Exit(1)
    return first
