"""The ``tendlc`` command group (the commands register themselves on it)."""

from __future__ import annotations

import sys
from typing import Any

import click

__all__ = ["main"]


class _Group(click.Group):
    """Commands whose feature is not installed say which extra to add, in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        from .._errors import MissingExtra

        try:
            return super().invoke(ctx)
        except MissingExtra as exc:
            click.echo(f"tendlc: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tendlc")
def main() -> None:
    """Contract checks for the 10DLC registration APIs of Bandwidth (XML) and Vonage (JSON).

    Shell completion (operation ids included): eval "$(_TENDLC_COMPLETE=bash_source tendlc)"
    (zsh_source, fish_source for other shells).
    """
