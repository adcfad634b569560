"""Running the conformance probes against a provider (or a sandbox) and checking every
exchange: the request each probe sends and the answer it gets.

The client keeps under the stated rate limits (the same model the sandbox enforces), backs
off on 429 as ``Retry-After`` says, and never prints, logs or records a credential.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from .._catalog import Operation, get_operation, get_provider, media_example, per_catalog
from .._edit import edit_json, edit_xml
from .._parsing import ParseError, local_name, parse_document
from .._validation import Issue, Severity, validate
from ..traffic import (
    Exchange,
    ExchangeResult,
    Limiter,
    Placeholders,
    Run,
    RunEntry,
    SecretRules,
    Waits,
    bounded,
    check_exchange,
    mask_url,
    scrub,
)
from ._probes import Probe, probes, substitute
from ._session import ConformOptions, ConnectionProblem, MissingCredentials, ProbeTimeout, Session
from ._state import load_limiter, save_limiter

__all__ = ["credentials_of", "run_conformance"]


def credentials_of(provider: str, environ: Mapping[str, str]) -> tuple[tuple[str, str], str]:
    """(user, secret) and the account, from the environment variables the provider's record
    names (the user is empty for a token; the account is the user unless a variable holds it)."""
    record = get_provider(provider).credentials
    missing = [name for name in record.variables if not environ.get(name)]
    if missing:
        raise MissingCredentials(
            f"set {', '.join(missing)} in the environment (credentials are read from there only)"
        )
    user = environ[record.user] if record.user else ""
    secret = environ[record.secret] if record.secret else ""
    account = environ[record.account] if record.account else user
    return (user, secret), account


def _authentication(provider: str, credentials: tuple[str, str]) -> dict[str, Any]:
    """How the client sends the credentials: ``httpx.Client`` keywords."""
    import httpx

    record = get_provider(provider).credentials
    if record.scheme == "basic":
        return {"auth": httpx.BasicAuth(*credentials)}
    if record.scheme == "bearer":
        return {"headers": {"Authorization": f"Bearer {credentials[1]}"}}
    assert record.header is not None
    return {"headers": {record.header: credentials[1]}}


def run_conformance(
    options: ConformOptions,
    environ: Mapping[str, str],
    *,
    on_probe: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Run:
    """Run the probe suite; every exchange is checked into the returned :class:`Run`, which
    keeps of each its findings, timing and waits, and bounded excerpts of the bodies of
    those with findings only. ``on_warning`` is told what went wrong that does not stop the
    run (an unreadable limiter state file; default: :func:`warnings.warn`)."""
    from .._errors import require

    require(["httpx"], "traffic", "tendlc conform")
    if options.fuzz:
        require(["hypothesis"], "fuzz", "tendlc conform --fuzz")
        if options.fuzz_seed is None:  # drawn here so that the run can be repeated
            import secrets

            options = replace(options, fuzz_seed=secrets.randbits(32))
    import httpx

    from ..traffic import known_credentials

    credentials, account = credentials_of(options.provider, environ)
    # the credentials of this run, whatever mapping they came from, and the environment's:
    # masked in the run's reports, its messages and its recordings
    rules = SecretRules.from_environment(environ, {*credentials, account}).with_values(
        known_credentials()
    )
    run = _new_run(options, rules)
    warn = on_warning or _warn
    limiter = Limiter(time_scale=options.time_scale, margin=0.1)
    state_key = f"{options.provider} {mask_url(options.url, rules)}"
    if options.limiter_state is not None:
        load_limiter(options.limiter_state, state_key, limiter, warn)
    with httpx.Client(
        timeout=options.timeout,
        follow_redirects=False,
        **_authentication(options.provider, credentials),
    ) as client:
        session = Session(
            options,
            credentials,
            account,
            client,
            limiter,
            rules,
            {"account": account},
            on_probe=on_probe,
        )
        try:
            _run_suite(session, run)
        finally:
            if options.limiter_state is not None:
                save_limiter(options.limiter_state, state_key, limiter, warn)
    run.finished = datetime.now(timezone.utc)
    run.context["rate_limited"] = session.rate_limited
    return run


def _run_suite(session: Session, run: Run) -> None:
    """The probes, the generated cases (``--fuzz``), then the clean-up probes."""
    suite = probes(session.options.provider)
    for probe in (p for p in suite if not p.cleanup):
        run.entries.append(_run_probe(session, probe))
    if session.options.fuzz:
        from ._fuzz import fuzz

        # before the clean-up probes delete what the generated cases should reach
        run.extend(_bounded(fuzz(session, _send_and_check), session.rules))
        run.context.update(session.fuzz_context)
    for probe in (p for p in suite if p.cleanup):
        run.entries.append(_run_probe(session, probe))


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _bounded(entries: Iterable[RunEntry], rules: SecretRules) -> Iterator[RunEntry]:
    """The entries as a run keeps them: bodies only of exchanges with findings, bounded."""
    for entry in entries:
        yield entry if entry.result is None else replace(entry, result=bounded(entry.result, rules))


def _new_run(options: ConformOptions, rules: SecretRules) -> Run:
    """An empty run, with what it was asked (the base URL masked)."""
    context = {
        "provider": options.provider,
        "base_url": mask_url(options.url, rules),
        "allow_writes": options.allow_writes,
        "fuzz": options.fuzz,
        "time_scale": options.time_scale,
        "warnings_as_errors": options.warnings_as_errors,
        "max_response_time": options.max_response_time,
        "advice": options.advice or options.advice_as_errors,
        "advice_as_errors": options.advice_as_errors,
    }
    return Run(kind="conform", rules=rules, context=context)


def _run_probe(session: Session, probe: Probe) -> RunEntry:
    op_id = probe.operation.id
    if session.on_probe is not None:
        session.on_probe(probe.name)
    if probe.write and not session.options.allow_writes:
        return RunEntry(
            probe.name, None, "skipped", "changes the account: run with --allow-writes", op_id
        )
    missing = sorted(probe.needs() - set(session.values))
    if missing:
        note = f"needs {', '.join(missing)} from an earlier probe"
        return RunEntry(probe.name, None, "skipped", note, op_id)
    parameters = {k: str(v) for k, v in substitute(dict(probe.parameters), session.values).items()}
    parameter = get_provider(probe.operation.provider).account.parameter
    if parameter:
        parameters.setdefault(parameter, session.account)
    query = substitute(dict(probe.query), session.values)
    url = session.options.url + probe.operation.url_template.format(**parameters)
    if query:
        url += "?" + urlencode(query)
    body, media_type = _body(probe, session.values)
    attempts = probe.poll.attempts if probe.poll else 1
    result: ExchangeResult | None = None
    for attempt in range(attempts):
        try:
            result = _send_and_check(session, probe.operation, url, body, media_type, probe.name)
        except ProbeTimeout as exc:
            return RunEntry(probe.name, None, "failed", str(exc), op_id, exc.waits)
        if probe.poll is None or _polled(result, probe):
            break
        if attempt + 1 < attempts:
            time.sleep(probe.poll.every / session.options.time_scale)
    assert result is not None
    note = _note(probe, result)
    _capture(session, probe, result)
    return RunEntry(probe.name, bounded(result, session.rules), "checked", note)


def _send_and_check(
    session: Session,
    operation: Operation,
    url: str,
    body: bytes,
    media_type: str | None,
    name: str,
) -> ExchangeResult:
    import httpx

    options = session.options
    headers = {"Content-Type": media_type} if media_type and body else {}
    headers["Accept"] = _accept(operation)
    limited, waited = 0, 0.0
    for _ in range(options.retries + 1):
        waited += session.limiter.wait(operation)
        started = time.perf_counter()
        try:
            response = session.client.request(
                operation.method, url, content=body or None, headers=headers
            )
        except httpx.TimeoutException:
            raise ProbeTimeout(
                f"no answer within {options.timeout:g} s (timeout)",
                Waits(limited, limited, waited),
            ) from None
        except httpx.TransportError as exc:
            raise ConnectionProblem(
                f"cannot reach {mask_url(options.url, session.rules)}: {type(exc).__name__}"
            ) from None
        elapsed = time.perf_counter() - started
        if response.status_code == 429:
            session.rate_limited += 1
            limited += 1
            delay = _retry_after(response.headers.get("retry-after"))
            # kept by the limiter, so that the next run (its state saved) honours it too
            session.limiter.hold(delay)
            continue
        exchange = replace(Exchange.from_httpx(response), elapsed=elapsed)
        result = check_exchange(
            exchange,
            operation=operation,
            advice=options.advice or options.advice_as_errors,
            advice_as_errors=options.advice_as_errors,
            config=_check_config(options),
            brands=session.brands,
        )
        if options.warnings_as_errors:
            result = replace(result, issues=tuple(_as_error(i) for i in result.issues))
        result = replace(result, waits=Waits(limited, limited, waited))
        _record(session, name, result)
        return result
    raise ProbeTimeout(
        f"still answered 429 after {options.retries} retries",
        Waits(limited, options.retries, waited),
    )


def _check_config(options: ConformOptions) -> dict[str, Any]:
    """The settings the exchange checks read: the time budget of a call."""
    if options.max_response_time is None:
        return {}
    return {"max-response-time": options.max_response_time}


def _as_error(issue: Issue) -> Issue:
    """A warning made an error (warnings-as-errors): drift fails the run."""
    if issue.severity != Severity.WARNING:
        return issue
    return replace(issue, severity=Severity.ERROR, message=f"{issue.message} (warnings-as-errors)")


def _retry_after(value: str | None) -> float:
    """Seconds to wait: Retry-After's delay-seconds, or an HTTP date, or one second."""
    if value is None:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


def _accept(operation: Operation) -> str:
    types = sorted({m for body in operation.responses.values() for m in body.media_types})
    return ", ".join(types) if types else "*/*"


@per_catalog
def _documented(operation_id: str) -> tuple[bytes, str | None]:
    """The documented request body of an operation: its cassette's (repaired), or else the
    documented example itself when the contracts accept it, or else (a provider added without
    documented exchanges) the example its contract gives the request."""
    from .._documented import documented_examples
    from ..cassettes import build_documented, documented_sources

    for entry in documented_sources():
        if entry["operation"] == operation_id and (
            "body" in entry["request"] or "inline" in entry["request"]
        ):
            exchange, _ = build_documented(entry)
            return exchange.request.body, exchange.request.media_type
    for example in documented_examples():
        usable = example.expect == "valid" or example.repair
        if example.operation == operation_id and example.part == "request" and usable:
            return example.repaired(), None
    request = get_operation(operation_id).request
    example_body = media_example(request) if request is not None else None
    if example_body is not None and validate(operation_id, example_body, part="request").valid:
        return example_body, None
    return b"", None


def _body(probe: Probe, values: Mapping[str, str]) -> tuple[bytes, str | None]:
    if probe.body is None:
        return b"", None
    if probe.body == "documented":
        body, media_type = _documented(probe.operation.id)
    else:
        body, media_type = probe.body.encode("utf-8"), None
    request = probe.operation.request
    if media_type is None and request is not None and request.media_types:
        media_type = request.media_types[0]
    if probe.edits and body:
        sets = substitute(dict(probe.edits), values)
        if request is not None and request.wire == "xml":
            body = edit_xml(body, sets, [])
        else:
            data = edit_json(body, {k: {"json": v} for k, v in sets.items()}, [])
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return body, media_type


def _value_at(result: ExchangeResult, path: str) -> str | None:
    response = result.exchange.response
    if response is None or not response.body.strip():
        return None
    try:
        if response.body.lstrip().startswith(b"<"):
            return parse_document("xml", response.body).text(path)
        return parse_document("json", response.body).text(path)
    except (ParseError, ValueError):
        return None


def _capture(session: Session, probe: Probe, result: ExchangeResult) -> None:
    response = result.exchange.response
    if response is None or response.status >= 300:
        return
    for name, path in probe.capture.items():
        value = _value_at(result, path)
        if value:
            session.values[name] = value


def _polled(result: ExchangeResult, probe: Probe) -> bool:
    assert probe.poll is not None
    return _value_at(result, probe.poll.path) in probe.poll.until


def _note(probe: Probe, result: ExchangeResult) -> str:
    response = result.exchange.response
    if response is None:
        return ""
    if response.status >= 300:
        documented = response.status in probe.operation.responses
        expected = " (expected for this probe)" if response.status in probe.expect else ""
        return (
            f"answered {response.status}"
            + (" (documented)" if documented else "")
            + expected
            + _error_text(result)
        )
    return ""


def _error_text(result: ExchangeResult) -> str:
    """``: <message>`` of an error answer, read where the provider's error envelope keeps it."""
    response = result.exchange.response
    if response is None or not response.body.strip() or result.operation is None:
        return ""
    envelope = get_provider(result.operation.split(".", 1)[0]).errors
    try:
        document = parse_document(envelope.wire, response.body)
    except ParseError:
        return ""
    paths = [envelope.message]
    if envelope.wire == "xml":  # the envelope may sit inside the operation's own root
        paths.append("/" + local_name(document.root) + envelope.message)
    message = next((text for path in paths if (text := document.text(path))), None)
    return ": " + message[:160] if message else ""


def _record(session: Session, name: str, result: ExchangeResult) -> None:
    if session.options.record is None:
        return
    from ..cassettes import write_cassette

    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "probe"
    target = session.options.record / session.options.provider / f"{slug}.yaml"
    placeholders = Placeholders.from_environment(
        _placeholder_environment(session),
        path_parameters=session.options.record_path_parameters,
        values=session.options.record_values,
    )
    scrubbed = scrub(result.exchange, session.rules, placeholders, result.path_parameters)
    existing: list[Exchange] = []
    if target.exists():
        from ..cassettes import read_cassette

        existing = list(read_cassette(target).exchanges)
    write_cassette(target, [*existing, scrubbed], {"operation": result.operation})


def _placeholder_environment(session: Session) -> dict[str, str]:
    """The run's own credentials under the variables the provider's record names, so that
    recordings put the provider's placeholder in place of the account they act for."""
    record = get_provider(session.options.provider).credentials
    values = {record.user: session.credentials[0], record.account: session.account}
    return {name: value for name, value in values.items() if name and value}
