"""``bulwark user add|disable``: accounts for the people who use the review console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bulwark.cli_support import console, fail
from bulwark.console.accounts import ROLES, AccountError, Accounts
from bulwark.store.db import Database

user_app = typer.Typer(help="Console accounts for reviewers.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Create an account; the password is asked for (twice) unless piped in."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        person = Accounts(Database()).add(name, role, password)
    except AccountError as exc:
        raise fail(exc, 2) from exc
    console.print(f"user {person.name} added as {person.role}")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Disable an account and end its sessions at once."""
    try:
        Accounts(Database()).disable(name)
    except AccountError as exc:
        raise fail(exc, 2) from exc
    console.print(f"user {name} disabled")


__all__ = ["user_app"]
