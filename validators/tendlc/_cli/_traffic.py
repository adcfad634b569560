"""Commands over HTTP traffic: cassettes, the sandbox, conformance runs, the proxy."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ._common import (
    EXIT_INVALID,
    EXIT_USAGE,
    EXIT_VALID,
    PROVIDER,
    echo_json,
    live,
    progress,
    project_config,
)
from ._group import main


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
    or the body, Basic credentials, known credential values from the environment, ids that
    ``[tool.tendlc.record]`` replaces) is an error. Exit status: 0 clean, 1 issues, 2 a path
    or cassette that cannot be read.
    """
    from ..cassettes import CassetteError, cassette_files, check_file, read_cassette
    from ..traffic import Run, SecretRules, Summary

    project = project_config()
    # The ids [tool.tendlc.record] replaces in recordings must not be left in a cassette either.
    rules = SecretRules.from_environment(values=project.record_values)
    missing = [p for p in paths if not Path(p).exists()]
    for name in missing:
        click.echo(f"tendlc: {name}: no such file or directory", err=True)
    files = list(cassette_files(p for p in paths if p not in missing))
    run = Run(kind="cassettes", context={"paths": list(paths)})
    problems: list[str] = [f"{name}: no such file or directory" for name in missing]
    with progress(len(files), "cassettes") as advance:
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
                    if entry.result is not None and entry.result.issues:
                        click.echo(f"{entry.name}: {'ok' if entry.valid else 'FAIL'}")
                        for line in entry.result.lines(rules):
                            click.echo(f"  {line}")
            advance()
    summary = Summary.of(entry.to_dict() for entry in run.entries)
    if output == "json":
        echo_json({**run.to_dict(), "unreadable": problems})
    else:
        click.echo(
            f"{len(files)} cassette(s), {summary.exchanges} interaction(s): "
            f"{summary.errors} error(s), {summary.warnings} warning(s), "
            f"{summary.unmatched} unmatched, {len(problems)} unreadable"
        )
    if problems:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_VALID if summary.errors == 0 else EXIT_INVALID)


# -- sandbox, conform, proxy -------------------------------------------------------------------

_REPORT_OPTIONS = (
    click.option("--junit-xml", type=click.Path(dir_okay=False), help="Write a JUnit XML report."),
    click.option("--json", "json_report", type=click.Path(dir_okay=False), help="Write JSON."),
    click.option("--markdown", type=click.Path(dir_okay=False), help="Write Markdown."),
    click.option("--html", type=click.Path(dir_okay=False), help="Write an HTML page."),
)


def _report_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_REPORT_OPTIONS):
        function = option(function)
    return function


_ADVICE_OPTIONS = (
    click.option(
        "--advice/--no-advice",
        default=None,
        help="Add the advice checks (why carriers reject registrations): a report section of "
        "their own, failing nothing (default: [tool.tendlc] advice).",
    ),
    click.option(
        "--advice-as-errors/--no-advice-as-errors",
        default=None,
        help="Advice fails the run (implies --advice; default: [tool.tendlc] advice-as-errors).",
    ),
)


def _advice_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_ADVICE_OPTIONS):
        function = option(function)
    return function


def _advice_settings(
    project: Any, advice: bool | None, advice_as_errors: bool | None
) -> tuple[bool, bool]:
    """(advice, advice as errors): the command line, else [tool.tendlc] advice and
    advice-as-errors; advice as errors implies advice."""
    as_errors = project.advice_as_errors if advice_as_errors is None else advice_as_errors
    wanted = project.advice if advice is None else advice
    return wanted or as_errors, as_errors


def _write_reports(
    run: Any, junit_xml: str | None, json_report: str | None, markdown: str | None, html: str | None
) -> None:
    if not any((junit_xml, json_report, markdown, html)):
        return
    from ..reports import write_reports  # type: ignore[import-untyped, unused-ignore]

    for written in write_reports(
        run, junit_xml=junit_xml, json=json_report, markdown=markdown, html=html
    ):
        click.echo(f"wrote {written}", err=True)


@main.command()
@click.option(
    "--provider",
    "provider_names",
    type=PROVIDER,
    multiple=True,
    help="A provider to serve (repeatable; default: every provider).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="0: a free port.")
@click.option(
    "--misbehave",
    multiple=True,
    metavar="RULE[:OPERATIONS][=VALUE]",
    help="Drift on purpose: drop-required-field, undocumented-field, wrong-status, "
    "wrong-root, slow, 429-storm, accept-invalid, for OPERATIONS (an operation id or a glob "
    "of ids; default all) (repeatable).",
)
@click.option(
    "--seed",
    "seed",
    type=click.Path(exists=True, dir_okay=False),
    help="Records to start with and to return to on reset: a YAML or JSON list of requests "
    "(format: tendlc/sandbox/seed.schema.json).",
)
@click.option("--webhook-url", help="Where order notifications are posted.")
@click.option(
    "--time-scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Run rate limits and order progress on a faster clock (60: a minute is a second).",
)
@click.option("--no-rate-limits", is_flag=True, help="Do not enforce the stated rate limits.")
@click.option(
    "--review",
    type=click.Choice(["off", "strict"]),
    default="off",
    show_default=True,
    help="strict: refuse a request that draws advice (a campaign a carrier would reject) with "
    "the provider's documented error for an invalid request, naming each advice.",
)
@click.option(
    "--quiet",
    is_flag=True,
    help="No access log line per request on stderr (GET /_sandbox/requests still has them).",
)
def sandbox(
    provider_names: tuple[str, ...],
    host: str,
    port: int,
    misbehave: tuple[str, ...],
    seed: str | None,
    webhook_url: str | None,
    time_scale: float,
    no_rate_limits: bool,
    review: str,
    quiet: bool,
) -> None:
    """Serve a local provider sandbox that behaves as the documentation says.

    Every provider's documented paths are served under one root, so the sandbox's URL is the
    --base-url of `tendlc conform` for any of them. Credentials: any well-formed ones (Basic,
    Bearer, or the provider's own token header), or exactly those the environment variables of
    a provider's record hold when they are set, sent the way its record says.

    A request may choose its answer with a Prefer header (an undocumented status or
    example is a 400 naming the documented ones):

    \b
      Prefer: code=404      a documented status, answered with its documented body
      Prefer: example=NAME  a named documented example of the answer
      Prefer: delay=2.5     wait that many seconds first (at most 60)

    Administration under /_sandbox/: health, reset (back to the seed), seed, requests (the
    request log), arrivals, injected, notifications, misbehave.
    """
    import os

    from .._catalog import providers
    from .._errors import InvalidArgument
    from ..sandbox import SandboxConfig, access_log, create_app, seed_file

    credentials = {
        record.name: _pair(os.environ, record.credentials.user, record.credentials.secret)
        for record in providers()
    }
    served = provider_names or tuple(record.name for record in providers())
    try:
        config = SandboxConfig(
            providers=served,
            credentials=credentials,
            time_scale=time_scale,
            rate_limits=not no_rate_limits,
            misbehave=misbehave,
            webhook_url=webhook_url,
            review=review,
        )
        app = create_app(config)
        if seed:
            created = app.state.sandbox.seed(seed_file(seed))
            click.echo(f"seeded {len(created)} record(s) from {seed}", err=True)
            for note in app.state.sandbox.seed_notes:
                click.echo(f"tendlc: {note}", err=True)
    except InvalidArgument as exc:
        raise click.UsageError(str(exc)) from None
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"tendlc: the sandbox listens on {host}, not only on this machine", err=True)
    from ..traffic import SecretRules

    listener = _listen(host, port)
    # printed once listening, with the port a --port 0 was given
    click.echo(f"tendlc sandbox on {_address(listener)} ({', '.join(served)})", err=True)
    with access_log(None if quiet else sys.stderr):
        _serve(app, listener, SecretRules.from_environment())


def _pair(environ: Any, user: str | None, secret: str | None) -> tuple[str, str] | None:
    """(user, secret) from the environment when both variables are set (a token: user "")."""
    if secret and environ.get(secret) and (user is None or environ.get(user)):
        return (environ[user] if user else "", environ[secret])
    return None


@main.command()
@click.option("--provider", type=PROVIDER, required=True)
@click.option("--base-url", help="Replaces the provider's host (a sandbox's URL, say).")
@click.option(
    "--allow-writes/--read-only",
    default=None,
    help="Run the probes that change the account (default: read-only, or "
    "[tool.tendlc.conform] allow-writes).",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False),
    help="Keep what was seen as scrubbed cassettes under this directory.",
)
@click.option(
    "--fuzz/--no-fuzz",
    default=None,
    help="Add generated requests to every operation: valid ones, and invalid ones that must "
    "be refused with a documented 4xx (default: [tool.tendlc.conform] fuzz, else off).",
)
@click.option(
    "--fuzz-examples",
    type=click.IntRange(min=1),
    help="Generated requests per operation, of each kind (default: fuzz-examples, else 5).",
)
@click.option(
    "--fuzz-seed",
    type=click.IntRange(min=0),
    help="The same generated requests for the same seed (default: a new seed, reported).",
)
@click.option(
    "--fuzz-time",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds after which no further generated request is sent (the rest are listed as "
    "skipped).",
)
@click.option(
    "--time-scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Keep under the limits on a faster clock (a sandbox's --time-scale).",
)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per call.")
@click.option(
    "--max-response-time",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="A slower answer is a response-time error (default: [tool.tendlc.conform] "
    "max-response-time, else no budget).",
)
@click.option(
    "--warnings-as-errors/--no-warnings-as-errors",
    default=None,
    help="Undocumented response fields (drift) fail the run (default: [tool.tendlc.conform] "
    "warnings-as-errors, else [tool.tendlc] warnings-as-errors, else off).",
)
@_advice_options
@_report_options
def conform(
    provider: str,
    base_url: str | None,
    allow_writes: bool | None,
    record: str | None,
    fuzz: bool | None,
    fuzz_examples: int | None,
    fuzz_seed: int | None,
    fuzz_time: float | None,
    time_scale: float | None,
    timeout: float | None,
    max_response_time: float | None,
    warnings_as_errors: bool | None,
    advice: bool | None,
    advice_as_errors: bool | None,
    junit_xml: str | None,
    json_report: str | None,
    markdown: str | None,
    html: str | None,
) -> None:
    """Probe a provider's API (or a sandbox) and check every exchange against the contracts.

    Credentials come from the environment only: the variables the provider's record names
    (`tendlc providers` lists them). The rate limits' state (the last calls, a Retry-After
    still running) is kept between runs in the user's cache directory (TENDLC_CACHE_DIR
    overrides it), so a run right after another waits only what is left. Exit status: 0
    everything conforms, 1 contract errors (drift too with --warnings-as-errors, advice with
    --advice-as-errors, answers slower than --max-response-time), 2 usage or connection errors.
    """
    import os

    from ..conform import ConnectionProblem, MissingCredentials, run_conformance

    given = dict(fuzz=fuzz, fuzz_examples=fuzz_examples, max_response_time=max_response_time)
    given.update(fuzz_seed=fuzz_seed, fuzz_time=fuzz_time)
    given.update(warnings_as_errors=warnings_as_errors, advice=advice)
    given.update(advice_as_errors=advice_as_errors)
    options = _conform_options(
        provider, base_url, allow_writes, record, time_scale, timeout, **given
    )

    def warn(text: str) -> None:
        click.echo(f"tendlc: warning: {text}", err=True)

    try:
        with live(f"conform {provider}") as show:
            run = run_conformance(options, os.environ, on_probe=show, on_warning=warn)
    except (MissingCredentials, ConnectionProblem) as exc:
        click.echo(f"tendlc: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    _print_run(run)
    if run.context.get("fuzz"):
        click.echo(_fuzz_line(run.context))
    _write_reports(run, junit_xml, json_report, markdown, html)
    sys.exit(EXIT_VALID if run.summary().conforms else EXIT_INVALID)


def _conform_options(
    provider: str,
    base_url: str | None,
    allow_writes: bool | None,
    record: str | None,
    time_scale: float | None,
    timeout: float | None,
    **given: Any,
) -> Any:
    """The options of a conformance run: the command line's, else the configuration's."""
    import os

    from ..conform import ConformOptions, limiter_state_file

    fuzz, fuzz_examples = given["fuzz"], given["fuzz_examples"]
    fuzz_seed, fuzz_time = given["fuzz_seed"], given["fuzz_time"]
    max_response_time = given["max_response_time"]
    warnings_as_errors = given["warnings_as_errors"]
    advice, advice_as_errors = given["advice"], given["advice_as_errors"]
    project = project_config()
    defaults = project.conform
    # Precedence: the command line, then [tool.tendlc.conform], then the built-in default;
    # warnings-as-errors falls back on [tool.tendlc] warnings-as-errors before the default,
    # and advice on [tool.tendlc] advice / advice-as-errors (conform has no keys of its own).
    if warnings_as_errors is None:
        warnings_as_errors = bool(defaults.get("warnings-as-errors", project.warnings_as_errors))
    if max_response_time is None:
        max_response_time = defaults.get("max-response-time")
    advice, advice_as_errors = _advice_settings(project, advice, advice_as_errors)
    options = ConformOptions(
        provider=provider,
        base_url=base_url or project.base_url(provider),
        allow_writes=allow_writes
        if allow_writes is not None
        else bool(defaults.get("allow-writes", False)),
        record=Path(record) if record else None,
        time_scale=time_scale if time_scale is not None else defaults.get("time-scale", 1.0),
        timeout=timeout if timeout is not None else defaults.get("timeout", 30.0),
        fuzz=fuzz if fuzz is not None else bool(defaults.get("fuzz", False)),
        fuzz_examples=fuzz_examples or int(defaults.get("fuzz-examples", 5)),
        fuzz_seed=fuzz_seed if fuzz_seed is not None else defaults.get("fuzz-seed"),
        fuzz_time=fuzz_time if fuzz_time is not None else defaults.get("fuzz-time"),
        record_path_parameters=project.record_path_parameters,
        record_values=project.record_values,
        warnings_as_errors=warnings_as_errors,
        max_response_time=max_response_time,
        advice=advice,
        advice_as_errors=advice_as_errors,
        limiter_state=limiter_state_file(os.environ),
    )
    return options


def _fuzz_line(context: Any) -> str:
    """What fuzzing sent, who drew it, and the seed that sends it again."""
    drivers = ", ".join(
        f"{count} by {driver}"
        for driver, count in (context.get("fuzz_cases_by_driver") or {}).items()
    )
    fallbacks = len(context.get("fuzz_generator_fallbacks") or ())
    fell_back = (
        f", {fallbacks} kind(s) of case schemathesis could not generate" if fallbacks else ""
    )
    return (
        f"fuzz: {context.get('fuzz_operations', 0)} operation(s), "
        f"{context.get('fuzz_cases_valid', 0)} valid and {context.get('fuzz_cases_invalid', 0)} "
        f"invalid request(s) sent ({drivers or 'none'}{fell_back}); "
        f"--fuzz-seed {context.get('fuzz_seed')} sends them again"
    )


def _print_run(run: Any) -> None:
    def echo(line: str) -> None:
        click.echo(run.rules.mask(line))

    for entry in run.entries:
        if entry.result is None:
            mark = "skip" if entry.status == "skipped" else "FAIL"
            echo(f"{mark} {entry.name}: {entry.note}")
            continue
        mark = "ok  " if entry.valid else "FAIL"
        note = f" ({entry.note})" if entry.note else ""
        echo(f"{mark} {entry.name}{note}")
        for line in entry.result.lines(run.rules)[1:]:
            echo(f"     {line}")
    click.echo(_summary_line(run))


def _summary_line(run: Any) -> str:
    summary = run.summary()
    advice = f", {summary.advice} advice" if summary.advice else ""
    return (
        f"{summary.exchanges} exchange(s): {summary.errors} error(s), {summary.warnings} "
        f"warning(s){advice}, {summary.unmatched} unmatched; {summary.skipped} skipped, "
        f"{summary.failed} failed; {'conforms' if summary.conforms else 'DOES NOT CONFORM'}"
    )


@main.command()
@click.option("--upstream", required=True, help="Where every request is forwarded.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="0: a free port (the address it listens on is printed).",
)
@click.option("--record", type=click.Path(file_okay=False), help="Record scrubbed cassettes.")
@click.option(
    "--upstream-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds the upstream has to answer whole (then 504, a failed exchange).",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a client has to send a whole request once begun (then 408).",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds a client connection may wait for its next request.",
)
@_advice_options
@_report_options
def proxy(
    upstream: str,
    host: str,
    port: int,
    record: str | None,
    upstream_timeout: float,
    read_timeout: float,
    idle_timeout: float,
    advice: bool | None,
    advice_as_errors: bool | None,
    junit_xml: str | None,
    json_report: str | None,
    markdown: str | None,
    html: str | None,
) -> None:
    """Forward to UPSTREAM, checking every exchange against the contracts.

    The application sees the upstream's answers unchanged; a line is printed per exchange as
    it passes, and one per finding of a failing one. An upstream that refuses, resets or
    does not answer in time is answered 502 or 504 and is a failed exchange. The reports are
    written when the proxy stops (Ctrl-C, SIGINT or SIGTERM). The credentials of the
    environment variables the provider records name are masked in every line it prints and
    in the reports.
    Exit status: 0 every exchange conformed, 1 otherwise, 2 usage errors (a bad upstream or
    configuration, an address it cannot listen on).
    """
    from .._errors import InvalidArgument
    from ..proxy import ProxyState, create_proxy_app, server_options
    from ..traffic import Placeholders

    project = project_config()
    placeholders = Placeholders.from_environment(
        path_parameters=project.record_path_parameters, values=project.record_values
    )
    advice, advice_as_errors = _advice_settings(project, advice, advice_as_errors)
    try:
        state = ProxyState(
            upstream,
            record=Path(record) if record else None,
            placeholders=placeholders,
            echo=lambda line: click.echo(line, err=True),
            advice=advice,
            advice_as_errors=advice_as_errors,
        )
    except InvalidArgument as exc:
        raise click.UsageError(str(exc)) from None
    options = server_options(read_timeout=read_timeout, idle_timeout=idle_timeout)
    listener = _listen(host, port)
    click.echo(f"tendlc proxy on {_address(listener)} -> {state.run.context['upstream']}", err=True)
    _serve(create_proxy_app(state, timeout=upstream_timeout), listener, state.rules, **options)
    # every exchange was printed as it passed: the summary is what is left to say
    click.echo(_summary_line(state.run))
    _write_reports(state.run, junit_xml, json_report, markdown, html)
    sys.exit(EXIT_VALID if state.run.summary().conforms else EXIT_INVALID)


def _listen(host: str, port: int) -> Any:
    """A socket listening on host:port (0: a free port); a usage error (exit 2) when the
    address cannot be had (in use, not this machine's, not an address)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError) as exc:
        click.echo(f"tendlc: cannot listen on {host!r}: {_reason(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)  # from here on connections wait for the server: none is refused
    except OSError as exc:
        listener.close()
        click.echo(f"tendlc: cannot listen on {host}:{port}: {_reason(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    return listener


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc) or type(exc).__name__


def _address(listener: Any) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _serve(app: Any, listener: Any, rules: Any, **options: Any) -> None:
    """Serve on the listener until SIGINT or SIGTERM, then return (so that the reports are
    written); uvicorn's own log lines are masked with ``rules`` too. ``options`` are more
    keyword arguments of ``uvicorn.Config``."""
    import logging
    import signal
    import threading

    import uvicorn

    settings: dict[str, Any] = {"log_level": "warning", "access_log": False}
    config = uvicorn.Config(app, **{**settings, **options})  # configures logging
    masking = _MaskingFilter(rules)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        logging.getLogger(name).addFilter(masking)
    server = uvicorn.Server(config)
    # uvicorn raises the signal that stopped it again once it has shut down: SIGTERM's default
    # action would end the process before the reports are written, so it is caught here.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: None) if main_thread else None
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # the SIGINT raised again: the proxy stops, as asked
        pass
    finally:
        if main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
            logging.getLogger(name).removeFilter(masking)
        listener.close()


class _MaskingFilter:
    """A logging filter that masks the credentials the rules know in a record's message,
    arguments and traceback."""

    def __init__(self, rules: Any) -> None:
        self.rules = rules

    def filter(self, record: Any) -> bool:
        import logging

        if isinstance(record.msg, str):
            record.msg = self.rules.mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.rules.mask(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.rules.mask(logging.Formatter().formatException(record.exc_info))
        return True
