"""Running the conformance probes against a provider (or a sandbox) and checking every
exchange: the request each probe sends and the answer it gets.

The client keeps under the stated rate limits (the same model the sandbox enforces), backs
off on 429 as ``Retry-After`` says, and never prints, logs or records a credential.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .._catalog import Operation
from .._edit import edit_json, edit_xml
from .._errors import TendlcError
from .._parsing import ParseError, parse_document
from ..traffic import (
    Exchange,
    ExchangeResult,
    Limiter,
    Placeholders,
    Run,
    RunEntry,
    SecretRules,
    check,
    mask_url,
    scrub,
)
from ._probes import Probe, probes, substitute

__all__ = [
    "CREDENTIALS",
    "ConformOptions",
    "ConnectionProblem",
    "MissingCredentials",
    "ProbeTimeout",
    "run_conformance",
]

#: the environment variables each provider's credentials come from (never an option)
CREDENTIALS = {
    "bandwidth": ("BANDWIDTH_USERNAME", "BANDWIDTH_PASSWORD", "BANDWIDTH_ACCOUNT_ID"),
    "vonage": ("VONAGE_API_KEY", "VONAGE_API_SECRET"),
}
DEFAULT_BASE_URLS = {
    "bandwidth": "https://dashboard.bandwidth.com",
    "vonage": "https://api.nexmo.com",
}


class MissingCredentials(TendlcError, LookupError):
    """The environment does not hold the provider's credentials."""


class ConnectionProblem(TendlcError, ConnectionError):
    """The provider (or sandbox) could not be reached."""


class ProbeTimeout(TendlcError, TimeoutError):
    """A probe got no answer in time (or only 429s)."""


@dataclass(frozen=True)
class ConformOptions:
    provider: str
    base_url: str | None = None
    allow_writes: bool = False
    record: Path | None = None
    #: run the stated limits on a faster clock (a sandbox started with the same scale)
    time_scale: float = 1.0
    timeout: float = 30.0
    retries: int = 10
    fuzz: bool = False
    fuzz_examples: int = 5
    #: what recordings put in place of ids (``[tool.tendlc.record]``)
    record_path_parameters: Mapping[str, str] = field(default_factory=dict)
    record_values: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS[self.provider]).rstrip("/")


@dataclass
class _Session:
    options: ConformOptions
    credentials: tuple[str, str]
    account: str
    client: Any
    limiter: Limiter
    rules: SecretRules
    values: dict[str, str] = field(default_factory=dict)
    rate_limited: int = 0
    fuzz_refused: int = 0
    on_probe: Callable[[str], None] | None = None


def credentials_of(provider: str, environ: Mapping[str, str]) -> tuple[tuple[str, str], str]:
    """(user, password) and the account, from the environment."""
    names = CREDENTIALS[provider]
    missing = [name for name in names if not environ.get(name)]
    if missing:
        raise MissingCredentials(
            f"set {', '.join(missing)} in the environment (credentials are read from there only)"
        )
    user, password = environ[names[0]], environ[names[1]]
    account = environ[names[2]] if len(names) > 2 else user
    return (user, password), account


def run_conformance(
    options: ConformOptions,
    environ: Mapping[str, str],
    *,
    on_probe: Callable[[str], None] | None = None,
) -> Run:
    """Run the probe suite; every exchange is checked into the returned :class:`Run`."""
    from .._errors import require

    require(["httpx"], "traffic", "tendlc conform")
    if options.fuzz:
        require(["schemathesis", "hypothesis"], "fuzz", "tendlc conform --fuzz")
    import httpx

    from ..traffic import known_credentials

    credentials, account = credentials_of(options.provider, environ)
    # the credentials of this run, whatever mapping they came from, and the environment's:
    # masked in the run's reports, its messages and its recordings
    rules = SecretRules.from_environment(environ, {*credentials, account}).with_values(
        known_credentials()
    )
    run = Run(
        kind="conform",
        rules=rules,
        context={
            "provider": options.provider,
            "base_url": mask_url(options.url, rules),
            "allow_writes": options.allow_writes,
            "fuzz": options.fuzz,
            "time_scale": options.time_scale,
        },
    )
    with httpx.Client(
        auth=httpx.BasicAuth(*credentials), timeout=options.timeout, follow_redirects=False
    ) as client:
        session = _Session(
            options,
            credentials,
            account,
            client,
            Limiter(time_scale=options.time_scale, margin=0.1),
            rules,
            {"account": account},
            on_probe=on_probe,
        )
        suite = probes(options.provider)
        for probe in (p for p in suite if not p.cleanup):
            run.entries.append(_run_probe(session, probe))
        if options.fuzz and options.provider == "vonage":
            from ._fuzz import fuzz

            # before the clean-up probes delete what the generated cases should reach
            run.extend(fuzz(session, _send_and_check))
            run.context["fuzz_cases_the_contracts_refuse"] = session.fuzz_refused
        for probe in (p for p in suite if p.cleanup):
            run.entries.append(_run_probe(session, probe))
    run.finished = datetime.now(timezone.utc)
    run.context["rate_limited"] = session.rate_limited
    return run


def _run_probe(session: _Session, probe: Probe) -> RunEntry:
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
    if probe.operation.provider == "bandwidth":
        parameters.setdefault("accountId", session.account)
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
            return RunEntry(probe.name, None, "failed", str(exc), op_id)
        if probe.poll is None or _polled(result, probe):
            break
        if attempt + 1 < attempts:
            time.sleep(probe.poll.every / session.options.time_scale)
    assert result is not None
    note = _note(probe, result)
    _capture(session, probe, result)
    return RunEntry(probe.name, result, "checked", note)


def _send_and_check(
    session: _Session,
    operation: Operation,
    url: str,
    body: bytes,
    media_type: str | None,
    name: str,
) -> ExchangeResult:
    import httpx

    headers = {"Content-Type": media_type} if media_type and body else {}
    headers["Accept"] = _accept(operation)
    for _ in range(session.options.retries + 1):
        session.limiter.wait(operation)
        try:
            response = session.client.request(
                operation.method, url, content=body or None, headers=headers
            )
        except httpx.TimeoutException:
            raise ProbeTimeout(
                f"no answer within {session.options.timeout:g} s (timeout)"
            ) from None
        except httpx.TransportError as exc:
            raise ConnectionProblem(
                f"cannot reach {mask_url(session.options.url, session.rules)}: {type(exc).__name__}"
            ) from None
        if response.status_code == 429:
            session.rate_limited += 1
            time.sleep(_retry_after(response.headers.get("retry-after")))
            continue
        exchange = Exchange.from_httpx(response)
        result = check(exchange, operation=operation)
        _record(session, name, result)
        return result
    raise ProbeTimeout(f"still answered 429 after {session.options.retries} retries")


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


@cache
def _documented(operation_id: str) -> tuple[bytes, str | None]:
    """The documented request body of an operation: its cassette's (repaired), or else the
    documented example itself when the contracts accept it."""
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


def _capture(session: _Session, probe: Probe, result: ExchangeResult) -> None:
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
    response = result.exchange.response
    if response is None:
        return ""
    text = response.body.decode("utf-8", "replace")
    found = re.search(r"<Description>(.*?)</Description>|\"detail\"\s*:\s*\"([^\"]*)\"", text)
    if not found:
        return ""
    return ": " + (found.group(1) or found.group(2) or "")[:160]


def _record(session: _Session, name: str, result: ExchangeResult) -> None:
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


def _placeholder_environment(session: _Session) -> dict[str, str]:
    if session.options.provider == "bandwidth":
        return {"BANDWIDTH_ACCOUNT_ID": session.account}
    return {"VONAGE_API_KEY": session.credentials[0]}
