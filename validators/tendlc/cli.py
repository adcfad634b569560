"""The ``tendlc`` command line: validate payloads, list operations, check documented examples."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tendlc")
def main() -> None:
    """Contract checks for the 10DLC registration APIs of Bandwidth (XML) and Vonage (JSON)."""


@main.command()
@click.argument("operation")
@click.argument("files", nargs=-1, required=True)
@click.option("--response", "is_response", is_flag=True, help="The files are response bodies.")
@click.option(
    "--status",
    type=int,
    default=None,
    help="The response's HTTP status (default: the documented status it fits).",
)
@click.option(
    "--part",
    type=click.Choice(["request", "response", "query", "path"]),
    default=None,
    help="What the files hold (query: a query string).",
)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def validate(
    operation: str,
    files: tuple[str, ...],
    is_response: bool,
    status: int | None,
    part: str | None,
    output: str,
) -> None:
    """Validate FILES (or - for standard input) against OPERATION's contract.

    Exit status: 0 every file is valid, 1 some file is invalid, 2 usage error or unreadable file.
    """
    from . import UnknownOperationError, get_operation
    from . import validate as run

    if part is None:
        part = "response" if is_response or status is not None else "request"
    elif is_response and part != "response":
        raise click.UsageError("--response contradicts --part " + part)
    if status is not None and part != "response":
        raise click.UsageError("--status only applies to responses")
    try:
        get_operation(operation)
    except UnknownOperationError as exc:
        raise click.UsageError(str(exc)) from None

    results = []
    for name in files:
        payload = _read(name)
        report = run(operation, payload, part=part, status=status)  # type: ignore[arg-type]
        results.append((name, report))

    if output == "json":
        _echo_json(
            {
                "valid": all(r.valid for _, r in results),
                "files": [{"file": name, **report.to_dict()} for name, report in results],
            }
        )
    else:
        for name, report in results:
            verdict = "valid" if report.valid else "INVALID"
            counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
            status_text = f" {report.status}" if report.status is not None else ""
            click.echo(
                f"{name}: {verdict} ({report.operation} {report.part}{status_text}; {counts})"
            )
            for issue in report.issues:
                line = f"line {issue.line}" if issue.line is not None else "-"
                click.echo(
                    f"  {issue.severity:<7} {line:<9} {issue.path or '/'}  "
                    f"[{issue.rule}]  {issue.message}"
                )
    sys.exit(EXIT_VALID if all(r.valid for _, r in results) else EXIT_INVALID)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except OSError as exc:
        click.echo(f"tendlc: cannot read {name}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)


@main.command()
@click.option("--provider", type=click.Choice(["bandwidth", "vonage"]), default=None)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def operations(provider: str | None, output: str) -> None:
    """List the operation ids of the catalog."""
    from . import operations as listing

    found = listing(provider)
    if output == "json":
        _echo_json([operation.to_dict() for operation in found])
        return
    width = max(len(operation.id) for operation in found)
    for operation in found:
        statuses = ",".join(map(str, operation.statuses))
        click.echo(f"{operation.id:<{width}}  {operation.method:<6} {operation.path}  [{statuses}]")
    click.echo(f"{len(found)} operations")


@main.command()
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def examples(output: str) -> None:
    """Validate every documented provider example bundled with tendlc.

    Each example must get the verdict the errata records: valid, or rejected naming the
    fields at fault (and valid again after the errata's repair).
    """
    from ._documented import documented_examples

    rows = []
    for example in documented_examples():
        report = example.validate()
        rows.append((example, report, example.mismatches()))
    if output == "json":
        _echo_json(
            [
                {
                    "example": ex.name,
                    "operation": ex.operation,
                    "expected": ex.expect,
                    "agrees": not problems,
                    "problems": problems,
                    **report.to_dict(),
                }
                for ex, report, problems in rows
            ]
        )
    else:
        for example, report, problems in rows:
            verdict = (
                "valid"
                if report.valid
                else "rejected: "
                + ", ".join(f"{issue.path} [{issue.rule}]" for issue in report.errors)
            )
            mark = "ok  " if not problems else "FAIL"
            click.echo(f"{mark} {example.name}: {verdict}")
            for problem in problems:
                click.echo(f"       {problem}")
        agree = sum(1 for *_, problems in rows if not problems)
        click.echo(f"{len(rows)} documented examples, {agree} with the verdict the errata records")
    sys.exit(EXIT_VALID if all(not problems for *_, problems in rows) else EXIT_INVALID)


@main.group()
def cassettes() -> None:
    """Check vcrpy cassettes against the contracts."""


@cassettes.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def cassettes_check(paths: tuple[str, ...], output: str) -> None:
    """Check every interaction of the cassettes under PATHS (files or directories).

    Each interaction is matched to its operation and checked like live traffic; anything that
    looks like a credential (Authorization and API-key headers, keys and tokens in the query
    or the body, Basic credentials, known credential values from the environment) is an
    error. Exit status: 0 clean, 1 issues, 2 a path or cassette that cannot be read.
    """
    from .cassettes import CassetteError, cassette_files, check_file, read_cassette, result_lines
    from .traffic import Run, SecretRules, Summary, known_credentials

    rules = SecretRules().with_values(known_credentials())
    missing = [p for p in paths if not Path(p).exists()]
    for name in missing:
        click.echo(f"tendlc: {name}: no such file or directory", err=True)
    files = list(cassette_files(p for p in paths if p not in missing))
    run = Run(kind="cassettes", context={"paths": list(paths)})
    problems: list[str] = [f"{name}: no such file or directory" for name in missing]
    with _progress(len(files), "cassettes") as advance:
        for where in files:
            try:
                cassette = read_cassette(where)
            except CassetteError as exc:
                problems.append(str(exc))
                click.echo(f"tendlc: {exc}", err=True)
                advance()
                continue
            entries = check_file(cassette, rules)
            run.extend(entries)
            if output == "text":
                for entry in entries:
                    if entry.result is not None and entry.result.findings:
                        click.echo(f"{entry.name}: {'ok' if entry.valid else 'FAIL'}")
                        for line in result_lines(entry.result):
                            click.echo(f"  {line}")
            advance()
    summary = Summary.of(entry.to_dict() for entry in run.entries)
    if output == "json":
        _echo_json({**run.to_dict(), "unreadable": problems})
    else:
        click.echo(
            f"{len(files)} cassette(s), {summary.exchanges} interaction(s): "
            f"{summary.errors} error(s), {summary.warnings} warning(s), "
            f"{summary.unmatched} unmatched, {len(problems)} unreadable"
        )
    if problems:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_VALID if summary.errors == 0 else EXIT_INVALID)


@contextlib.contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[], None]]:
    """A progress bar on standard error for long runs at a terminal; a no-op otherwise."""
    if total < 20 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as progress:
        task = progress.add_task(what, total=total)
        yield lambda: progress.advance(task)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
