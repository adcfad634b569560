"""``tendlc validate`` (one payload or ten thousand), ``tendlc operations``, ``tendlc examples``."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import click

from ._common import (
    EXIT_INVALID,
    EXIT_USAGE,
    EXIT_VALID,
    PROVIDER,
    colour,
    echo_json,
    progress,
)
from ._group import main

#: file suffixes a directory is searched for
PAYLOAD_SUFFIXES = (".xml", ".json", ".jsonl", ".ndjson")
#: below this many payloads one process is quicker than starting others
PARALLEL_FROM = 200
_CHUNK = 64


def _complete_operation(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    from .. import operations

    return [
        CompletionItem(operation.id, help=f"{operation.method} {operation.path}")
        for operation in operations()
        if operation.id.startswith(incomplete)
    ]


@dataclass(frozen=True)
class _Item:
    """One payload to validate (or, with no payload, one file to read, split and validate
    where it is validated): where it came from and what it is for."""

    name: str
    payload: bytes | None
    operation: str
    part: str
    status: int | None
    path: str | None = None
    #: the line of its file the payload starts on (one file may hold several payloads)
    first_line: int = 1


@main.command()
@click.argument("items", nargs=-1, required=True, shell_complete=_complete_operation)
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
    "--format",
    "output",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="jsonl: one JSON object per payload, streamed as it is checked.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print the verdicts only.")
@click.option("-v", "--verbose", is_flag=True, help="Print where each rule lives in the contracts.")
@click.option(
    "--jobs",
    type=int,
    default=None,
    help="Processes to use (default: every core for large runs, 1 otherwise).",
)
@click.option(
    "--mapped-only",
    is_flag=True,
    help="Skip files the configuration's mappings do not name (what the pre-commit hook does).",
)
@click.option(
    "--warnings-as-errors/--no-warnings-as-errors",
    default=None,
    help="Warnings make a payload invalid too (default: the configuration's "
    "warnings-as-errors, else no).",
)
@click.option(
    "--checks",
    metavar="NAMES",
    default=None,
    help="Run only these checks (comma-separated names or families; `tendlc checks` lists "
    "them; default: the configuration's checks, else every default check).",
)
@click.option("--exclude-checks", metavar="NAMES", default=None, help="Leave these checks out.")
@click.option(
    "--advice/--no-advice",
    default=None,
    help="Add the advice: why carriers and TCR reject registrations the contract accepts.",
)
@click.option(
    "--advice-as-errors", is_flag=True, default=None, help="Advice makes a payload invalid."
)
@click.option(
    "--brand",
    "brand_file",
    type=click.Path(exists=True, dir_okay=False),
    help="The brand behind the campaigns (a brand request or response body): the advice "
    "checks the samples against its names and website.",
)
def validate(
    items: tuple[str, ...],
    is_response: bool,
    status: int | None,
    part: str | None,
    output: str,
    quiet: bool,
    verbose: bool,
    jobs: int | None,
    mapped_only: bool,
    warnings_as_errors: bool | None,
    checks: str | None,
    exclude_checks: str | None,
    advice: bool | None,
    advice_as_errors: bool | None,
    brand_file: str | None,
) -> None:
    """Validate payload files against their operation's contract.

    \b
    tendlc validate OPERATION FILE...    the files are for OPERATION
    tendlc validate OPERATION --part query 'a=1&b=2'
                                         a query string (or path parameters) inline
    tendlc validate FILE|DIR...          each file's operation is inferred: from the
                                         configuration's mappings, its name
                                         (<provider>/<resource>.<action>.<part>[.<status>].<ext>),
                                         or its payload

    Directories are searched for .xml, .json and JSON Lines (.jsonl, .ndjson: one payload a
    line); a file holding several XML documents is read as one payload per document. Large
    runs use every core. Exit status: 0 every payload is valid, 1 some payload is invalid,
    2 usage error, unreadable file or an operation that cannot be inferred.
    """
    config = _config()
    # Precedence: the command line, then the configuration.
    strict = warnings_as_errors if warnings_as_errors is not None else config.warnings_as_errors
    settings = _settings(config, checks, exclude_checks, advice, advice_as_errors, brand_file)
    operation, files = _operation_and_files(items)
    part = _part(part, is_response, status)
    problems: list[str] = []
    work = list(_items(files, operation, part, status, config, mapped_only, problems))
    for problem in problems:
        click.echo(f"tendlc: {problem}", err=True)
    if not work and problems:
        sys.exit(EXIT_USAGE)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs is None and len(work) < PARALLEL_FROM:
        workers = 1
    show = partial(_show, quiet=quiet, verbose=verbose)
    valid = _run(work, workers, settings, output, strict, show, problems)
    if problems:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_VALID if valid else EXIT_INVALID)


def _config() -> Any:
    """The project's configuration, its check modules imported (exit 2 when it is bad)."""
    from .._config import ConfigError, load_config

    try:
        config = load_config()
        config.import_check_modules()
    except ConfigError as exc:
        click.echo(f"tendlc: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    return config


@dataclass(frozen=True)
class _Settings:
    """What every payload of a run is validated with (sent to worker processes whole)."""

    limits: Any
    options: tuple[tuple[str, Any], ...]

    def keywords(self) -> dict[str, Any]:
        return dict(self.options)


def _settings(
    config: Any,
    checks: str | None,
    exclude: str | None,
    advice: bool | None,
    advice_as_errors: bool | None,
    brand_file: str | None,
) -> _Settings:
    """The check selection: the command line, then the configuration (checked now: an
    unknown check is a usage error, before any payload is read)."""
    from .. import InvalidArgument
    from .._validation import selected_checks

    chosen = config.selection()
    if checks is not None:
        chosen["checks"] = tuple(name.strip() for name in checks.split(",") if name.strip())
    if exclude is not None:
        chosen["exclude_checks"] = tuple(n.strip() for n in exclude.split(",") if n.strip())
    if advice_as_errors:
        chosen["advice_as_errors"] = chosen["advice"] = True
    if advice is not None:
        chosen["advice"] = advice or chosen["advice_as_errors"]
    if brand_file is not None:
        chosen["brand"] = Path(brand_file).read_bytes()
    try:
        selected_checks("request", chosen["checks"], chosen["exclude_checks"])
    except InvalidArgument as exc:
        raise click.UsageError(str(exc)) from None
    return _Settings(config.limits, tuple(chosen.items()))


def _operation_and_files(items: Sequence[str]) -> tuple[str | None, list[str]]:
    """The operation named first, if any, and what to validate."""
    from .. import UnknownOperationError, get_operation

    files = list(items)
    if not files or Path(files[0]).exists() or files[0] == "-":
        return None, files
    try:
        operation = get_operation(files[0]).id
    except UnknownOperationError as exc:
        raise click.UsageError(f"{files[0]} is neither a file nor an operation: {exc}") from None
    if len(files) < 2:
        raise click.UsageError("name the files to validate after the operation")
    return operation, files[1:]


def _part(part: str | None, is_response: bool, status: int | None) -> str | None:
    if part is None and (is_response or status is not None):
        return "response"
    if is_response and part not in (None, "response"):
        raise click.UsageError("--response contradicts --part " + str(part))
    if status is not None and part not in (None, "response"):
        raise click.UsageError("--status only applies to responses")
    return part


def _run(
    work: list[_Item],
    workers: int,
    settings: _Settings,
    output: str,
    strict: bool,
    show: Any,
    problems: list[str],
) -> bool:
    """Validate every item, print each verdict as it comes (or the JSON document at the
    end), and say whether every payload was valid."""
    started = time.perf_counter()
    results: list[tuple[str, dict[str, Any]]] = []
    valid = True
    count = 0
    out = _Lines()
    with progress(len(work), "validating") as advance:
        for outcomes in _reports(work, workers, settings):
            for name, report in outcomes:
                if isinstance(report, str):  # a file that could not be read
                    problems.append(report)
                    click.echo(f"tendlc: {report}", err=True)
                    continue
                count += 1
                ok = report["valid"] and not (strict and _warnings(report))
                valid &= ok
                if output == "json":
                    results.append((name, report))
                else:
                    show(out, name, report, ok, output)
            advance(1)
    out.flush()
    if output == "json":
        echo_json({"valid": valid, "files": [{"file": n, **r} for n, r in results]})
    elapsed = time.perf_counter() - started
    if count > 1 and output != "json":
        rate = count / elapsed if elapsed > 0 else float("inf")
        click.echo(
            f"{count} payload(s) in {elapsed:.2f} s ({rate:,.0f}/s, {workers} process(es))",
            err=True,
        )
    return valid


def _warnings(report: dict[str, Any]) -> list[Any]:
    return [issue for issue in report["issues"] if issue["severity"] == "warning"]


def _files(names: Sequence[str]) -> Iterator[Path | str]:
    for name in names:
        if name == "-":
            yield name
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(_payload_files(name), key=lambda where: where.split(os.sep))
            yield from map(Path, found)
        else:
            yield path


def _payload_files(folder: str) -> Iterator[str]:
    """The payload files under a folder, as strings: a directory of ten thousand payloads is
    listed in milliseconds (comparing Path objects to sort them took a quarter second)."""
    for where, _, names in os.walk(folder):
        for name in names:
            if os.path.splitext(name)[1] in PAYLOAD_SUFFIXES:
                found = os.path.join(where, name)
                if os.path.isfile(found):
                    yield found


def _split(path: Path | str, data: bytes) -> Iterator[tuple[str, bytes, int]]:
    """One file's payloads, each with the line of the file it starts on: JSON Lines give one
    a line, stacked XML documents one each."""
    name = str(path)
    if isinstance(path, Path) and path.suffix in (".jsonl", ".ndjson"):
        for number, text in enumerate(data.splitlines(), start=1):
            if text.strip():
                yield f"{name}:{number}", text, number
        return
    if data.count(b"<?xml") > 1 and data.lstrip().startswith(b"<?xml"):
        starts = [found.start() for found in _DECLARATION.finditer(data)]
        documents = [
            (start, end)
            for start, end in zip(starts, [*starts[1:], len(data)], strict=True)
            if data[start + len(b"<?xml") : end].strip()
        ]
        first_line, counted = 1, 0
        for number, (start, end) in enumerate(documents, start=1):
            first_line += data.count(b"\n", counted, start)  # each line break counted once
            counted = start
            yield f"{name}#{number}", data[start:end], first_line
        return
    yield name, data, 1


_DECLARATION = re.compile(rb"<\?xml")


def _in_file(report: dict[str, Any], first_line: int) -> dict[str, Any]:
    """A report of a payload that starts on ``first_line`` of its file, its issues' lines
    counted in the file (a report's lines count from the payload's first line)."""
    if first_line > 1:
        for issue in report["issues"]:
            if issue["line"] is not None:
                issue["line"] += first_line - 1
    return report


def _items(
    names: Sequence[str],
    operation: str | None,
    part: str | None,
    status: int | None,
    config: Any,
    mapped_only: bool,
    problems: list[str],
) -> Iterator[_Item]:
    from .._infer import infer

    for path in _files(names):
        if operation is not None and part in ("query", "path") and not Path(path).exists():
            # a query string or path parameters given inline, not in a file
            yield _Item(f"({part})", str(path).encode("utf-8"), operation, part, None)
            continue
        if operation is not None and path != "-":
            # Read where it is validated: in a worker when the run uses several.
            yield _Item(str(path), None, operation, part or "request", status, str(path))
            continue
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            problems.append(f"cannot read {path}: {exc.strerror or exc}")
            continue
        for name, payload, first_line in _split(path, data):
            if operation is not None:
                yield _Item(
                    name, payload, operation, part or "request", status, str(path), first_line
                )
                continue
            where = Path(path) if isinstance(path, Path) else None
            if mapped_only and (where is None or config.mapping_for(where) is None):
                continue
            inference = infer(where, payload, config)
            chosen = inference.chosen
            if chosen is None:
                problems.append(_undecided(name, inference.candidates))
                continue
            yield _Item(
                name,
                payload,
                chosen.operation,
                part or chosen.part,
                status if status is not None else chosen.status,
                str(path),
                first_line,
            )


def _undecided(name: str, candidates: Sequence[Any]) -> str:
    if not candidates:
        return (
            f"{name}: cannot tell which operation it is for; name it "
            "(tendlc validate OPERATION FILE) or map the file in [tool.tendlc.files]"
        )
    listed = "\n".join(f"  - {candidate}" for candidate in candidates)
    return f"{name}: {len(candidates)} operations fit; name one:\n{listed}"


#: What validating one item gives: each payload's name and report (as a mapping), or for a
#: file that cannot be read its name and why.
_Outcomes = list[tuple[str, dict[str, Any] | str]]


def _validate_chunk(chunk: list[_Item], settings: _Settings | None = None) -> list[_Outcomes]:
    """Validate a chunk of items with ``settings`` (default: the defaults)."""
    from .. import Limits
    from .. import validate as run
    from .._catalog import as_part

    bounds = settings.limits if settings is not None else Limits()
    keywords = settings.keywords() if settings is not None else {}

    outcomes: list[_Outcomes] = []
    for item in chunk:
        part = as_part(item.part)
        if item.payload is not None:
            pieces: list[tuple[str, bytes, int]] = [(item.name, item.payload, item.first_line)]
        else:
            path = Path(item.path or item.name)
            try:
                pieces = list(_split(path, path.read_bytes()))
            except OSError as exc:
                outcomes.append([(item.name, f"cannot read {path}: {exc.strerror or exc}")])
                continue
        outcomes.append(
            [
                (
                    name,
                    _in_file(
                        run(
                            item.operation,
                            payload,
                            part=part,
                            status=item.status,
                            limits=bounds,
                            **keywords,
                        ).to_dict(),
                        first_line,
                    ),
                )
                for name, payload, first_line in pieces
            ]
        )
    return outcomes


def _warm() -> None:
    """Load the catalog in a worker before the first chunk arrives."""
    from .. import operations

    operations()


def _chunks(work: list[_Item], size: int) -> Iterator[list[_Item]]:
    for start in range(0, len(work), size):
        yield work[start : start + size]


def _reports(
    work: list[_Item], workers: int, settings: _Settings | None = None
) -> Iterator[_Outcomes]:
    """What each item gives, in input order, as soon as its chunk is done."""
    if workers <= 1 or len(work) <= _CHUNK:
        for item in work:
            yield _validate_chunk([item], settings)[0]
        return
    # Compile each contract the run needs here, once: workers forked from this process start
    # with it compiled instead of compiling it each (a third of a second per contract).
    first: dict[tuple[str, str, int | None], _Item] = {}
    for item in work:
        first.setdefault((item.operation, item.part, item.status), item)
    _validate_chunk(list(first.values()), settings)
    chunks = list(_chunks(work, _CHUNK))
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        for outcomes in pool.map(partial(_validate_chunk, settings=settings), chunks):
            yield from outcomes


class _Lines:
    """Standard output for a run's verdict lines: written as they come, flushed when an issue
    is shown or a tenth of a second has passed (a flush per line cost more than validating)."""

    def __init__(self) -> None:
        self.stream = sys.stdout
        self.verdicts = {True: colour("valid", "green"), False: colour("INVALID", "red")}
        self.flushed = time.monotonic()

    def write(self, line: str, *, now: bool = False) -> None:
        self.stream.write(line + "\n")
        if now or time.monotonic() - self.flushed > 0.1:
            self.flush()

    def flush(self) -> None:
        self.stream.flush()
        self.flushed = time.monotonic()


def _show(
    out: _Lines,
    name: str,
    report: dict[str, Any],
    ok: bool,
    output: str,
    *,
    quiet: bool,
    verbose: bool,
) -> None:
    if output == "jsonl":
        out.write(json.dumps({"file": name, **report}, ensure_ascii=False), now=not ok)
        return
    counts = {severity: 0 for severity in ("error", "warning", "advice")}
    for issue in report["issues"]:
        counts[issue["severity"]] += 1
    status = f" {report['status']}" if report["status"] is not None else ""
    advice = f", {counts['advice']} advice" if counts["advice"] else ""
    out.write(
        f"{name}: {out.verdicts[ok]} ({report['operation']} {report['part']}{status}; "
        f"{counts['error']} error(s), {counts['warning']} warning(s){advice})",
        now=not ok,
    )
    if quiet:
        return
    from .._validation import Issue

    for issue in _sorted(report["issues"]):
        for line in Issue.from_dict(issue).render(verbose=verbose).split("\n"):
            out.write(f"  {line}")
    if report["issues"]:  # the issues of a payload are shown as soon as they are found
        out.flush()


def _sorted(issues: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issues by line (those without a line last), in their found order otherwise."""
    indexed = list(enumerate(issues))
    indexed.sort(key=lambda pair: (pair[1]["line"] is None, pair[1]["line"] or 0, pair[0]))
    return [issue for _, issue in indexed]


@main.command()
@click.option("--provider", type=PROVIDER, default=None, help="Only this provider's operations.")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def operations(provider: str | None, output: str) -> None:
    """List the operation ids of the catalog."""
    from .. import operations as listing

    found = listing(provider)
    if output == "json":
        echo_json([operation.to_dict() for operation in found])
        return
    width = max(len(operation.id) for operation in found)
    for operation in found:
        statuses = ",".join(map(str, operation.statuses))
        click.echo(f"{operation.id:<{width}}  {operation.method:<6} {operation.path}  [{statuses}]")
    click.echo(f"{len(found)} operations")


@main.command("checks")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_checks(output: str) -> None:
    """List the registered checks: the built-in ones, the advice rules, and those the
    configuration's check-modules register."""
    from .. import traffic  # noqa: F401  (registers the exchange checks)
    from .._validation import registered_checks

    _config()
    found = registered_checks()
    rows = [
        {
            "name": entry.name,
            "parts": sorted(entry.parts),
            "runs": "with advice" if entry.advice else "by default" if entry.default else "by name",
            "description": entry.description,
        }
        for entry in found
    ]
    if output == "json":
        echo_json(rows)
        return
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        parts = ",".join(row["parts"])
        click.echo(f"{row['name']:<{width}}  {row['runs']:<11} {parts:<24} {row['description']}")
    click.echo(f"{len(rows)} checks")


@main.command()
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def providers(output: str) -> None:
    """List the providers: their contracts, hosts and credential variables.

    The shipped providers, then those of TENDLC_PROVIDERS and [tool.tendlc] providers.
    """
    from .. import operations as listing
    from .._catalog import providers as records

    rows: list[dict[str, Any]] = [
        {
            "name": record.name,
            "title": record.title,
            "contract": f"{record.contract_kind}: {record.name}/{record.contract}",
            "operations": len(listing(record.name)),
            "hosts": list(record.hosts),
            "credentials": [record.credentials.scheme, *record.credentials.variables],
            "directory": str(record.directory),
        }
        for record in records()
    ]
    if output == "json":
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['name']}: {row['title']} ({row['operations']} operations)")
        click.echo(f"  contract     {row['contract']}")
        click.echo(f"  hosts        {', '.join(row['hosts']) or '(none documented)'}")
        scheme, *variables = row["credentials"]
        click.echo(f"  credentials  {scheme}: {', '.join(variables)}")
        click.echo(f"  directory    {row['directory']}")


@main.command()
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def examples(output: str) -> None:
    """Validate every documented provider example bundled with tendlc.

    Each example must get the verdict the errata records: valid, or rejected naming the
    fields at fault (and valid again after the errata's repair).
    """
    from .._documented import documented_examples

    rows = []
    for example in documented_examples():
        report = example.validate()
        rows.append((example, report, example.mismatches()))
    if output == "json":
        echo_json(
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
