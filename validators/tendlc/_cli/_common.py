"""What every command shares: exit codes, JSON output, progress on a terminal, colours."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the configuration is read when a command runs
    from .._config import Config

__all__ = [
    "EXIT_INVALID",
    "EXIT_USAGE",
    "EXIT_VALID",
    "PROVIDER",
    "ProviderName",
    "colour",
    "echo_json",
    "live",
    "progress",
    "stderr_console",
]

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def colour(text: str, fg: str) -> str:
    """``text`` in colour at a terminal, unless NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return click.style(text, fg=fg)


def _nothing(done: int = 1) -> None:
    pass


@contextlib.contextmanager
def progress(total: int, what: str) -> Iterator[Callable[..., None]]:
    """A progress bar on standard error for long runs at a terminal; a no-op otherwise.
    The callable it gives takes how many more are done (default 1)."""
    if total < 20 or not sys.stderr.isatty():
        yield _nothing
        return
    try:
        from rich.progress import Progress
    except ImportError:  # rich comes with the traffic extra: without it, no bar
        yield _nothing
        return
    with Progress(transient=True, console=stderr_console()) as bar:
        task = bar.add_task(what, total=total)

        def advance(done: int = 1) -> None:
            bar.advance(task, done)

        yield advance


def project_config() -> Config:
    """The project's configuration (``[tool.tendlc]``); exit status 2 when it is bad."""
    from .._config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        click.echo(f"tendlc: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))


@contextlib.contextmanager
def live(title: str) -> Iterator[Callable[[str], None]]:
    """A live line on standard error naming the step running (at a terminal only)."""
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    try:
        from rich.status import Status
    except ImportError:
        yield lambda name: None
        return
    with Status(title, console=stderr_console()) as status:
        yield lambda name: status.update(f"{title}: {name}")


class ProviderName(click.ParamType):  # type: ignore[type-arg, unused-ignore]
    """A provider's name, checked against the provider records when the command runs (so that
    providers users add are choices too); completes to the known names."""

    name = "provider"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .._catalog import provider_names

        known = provider_names()
        if value in known:
            return str(value)
        self.fail(f"{value!r} is not a provider; known: {', '.join(known)}", param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        from .._catalog import provider_names

        return [CompletionItem(name) for name in provider_names() if name.startswith(incomplete)]


PROVIDER = ProviderName()
