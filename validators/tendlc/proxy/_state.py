"""What a proxy session keeps: its run (verdicts and the metadata of each exchange, never
whole bodies), the lines it prints as exchanges pass, and the cassettes it records."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._errors import InvalidArgument
from .._validation import Issue
from ..traffic import (
    EXCERPT,
    BrandMemory,
    Exchange,
    ExchangeResult,
    Headers,
    Placeholders,
    Request,
    Run,
    RunEntry,
    SecretRules,
    bounded,
    check_exchange,
    default_router,
    mask_url,
    scrub,
)

__all__ = ["EXCERPT", "ProxyState"]

#: the headers that tell passing entries apart: what the bodies were, never who sent them
_KEPT_HEADERS = frozenset({"content-type", "content-encoding"})
#: how many distinct passing entries are shared at most (see ProxyState._entry)
_SHARED = 4096


class ProxyState:
    """What a proxy session has seen (its run), where it records, and what it prints.

    Every exchange is checked whole (:func:`tendlc.traffic.check_exchange`), then only its
    verdict and its metadata stay in the run: method, URL, status, content types, operation,
    issues, timing (:func:`tendlc.traffic.bounded`, the model conform keeps too). An
    exchange with findings also keeps the first :data:`EXCERPT` bytes of each body,
    credentials masked. ``advice`` adds the advice checks, ``advice_as_errors`` makes their
    advice fail an exchange. ``echo`` gets one line per exchange as it passes, and one more
    per finding of a failing one, every credential the rules know masked.
    """

    def __init__(
        self,
        upstream: str,
        *,
        record: Path | None = None,
        on_result: Callable[[ExchangeResult], None] | None = None,
        placeholders: Placeholders | None = None,
        echo: Callable[[str], None] | None = None,
        advice: bool = False,
        advice_as_errors: bool = False,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument(f"the upstream must be an http(s) URL, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        base = urlsplit(self.upstream)
        self._origin = f"{base.scheme}://{base.netloc}"
        self._prefix = base.path.rstrip("/")
        self.record = record
        self.advice = advice or advice_as_errors
        self.advice_as_errors = advice_as_errors
        self.on_result = on_result
        self.echo = echo
        self.placeholders = placeholders or Placeholders.from_environment()
        #: the environment's credentials: masked in the run's reports, lines and recordings
        self.rules = SecretRules.from_environment()
        self.run = Run(
            kind="proxy",
            context={
                "upstream": mask_url(self.upstream, self.rules),
                "advice": self.advice,
                "advice_as_errors": self.advice_as_errors,
            },
            rules=self.rules,
        )
        self._lock = threading.Lock()
        self._count = 0
        self._shared: dict[tuple[Any, ...], RunEntry] = {}
        #: the brands the session's exchanges showed, for the campaigns that name them
        self.brands = BrandMemory()

    def target(self, path: str, query: str) -> str:
        """The upstream URL of a request path: always under the configured upstream."""
        return f"{self._origin}{self._prefix}{path}" + (f"?{query}" if query else "")

    def observe(self, exchange: Exchange) -> ExchangeResult:
        """Check one exchange that came back whole, keep its verdict, print and record it."""
        result = self._check(exchange)
        entry = self._entry(f"{exchange.request.method} {exchange.request.path}", result)
        with self._lock:
            self._count += 1
            count = self._count
            self.run.entries.append(entry)
        if self.record is not None:
            self._write(result, count)
        self._show(result)
        if self.on_result is not None:
            self.on_result(result)
        return result

    def failed(
        self, method: str, path: str, note: str, *, request: Request | None = None
    ) -> RunEntry:
        """An exchange that did not come back whole (the upstream refused, reset or did not
        answer in time; a body too large to check): a failed entry of the run, with the
        findings of its request when there is one to check."""
        result = None
        operation = None
        if request is not None:
            result = self._check(Exchange(request))
            operation = result.operation
        else:
            match = default_router().match(method, path)
            operation = match.operation.id if match is not None else None
        kept = None if result is None else bounded(result, self.rules)
        entry = RunEntry(f"{method} {path}", kept, "failed", note, operation)
        with self._lock:
            self._count += 1
            self.run.entries.append(entry)
        if self.echo is not None:
            where = self.rules.mask(request.url if request is not None else path)
            self.echo(
                self.rules.mask(f"FAIL {method} {where} ({operation or 'unmatched'}): {note}")
            )
            if result is not None:
                self._findings(result)
        return entry

    def _check(self, exchange: Exchange) -> ExchangeResult:
        return check_exchange(
            exchange,
            advice=self.advice,
            advice_as_errors=self.advice_as_errors,
            brands=self.brands,
        )

    # -- what stays -----------------------------------------------------------------------

    def _entry(self, name: str, result: ExchangeResult) -> RunEntry:
        """The run's entry for a checked exchange, bodies kept only when it has findings.
        Exchanges without findings that say the same (same request line, status, operation)
        share one entry (and the timing of the first): a long session of the same calls
        costs the run a reference per call."""
        if result.issues:
            return RunEntry(name, bounded(result, self.rules))
        exchange = result.exchange
        response = exchange.response
        key = (
            name,
            exchange.request.url,
            _kept_headers(exchange.request.headers),
            None if response is None else (response.status, _kept_headers(response.headers)),
            result.operation,
            tuple(sorted(result.path_parameters.items())),
            tuple(_issue_key(issue) for issue in result.issues),
        )
        shared = self._shared.get(key)
        if shared is None:
            shared = RunEntry(name, bounded(result, self.rules))
            if len(self._shared) >= _SHARED:
                self._shared.clear()
            self._shared[key] = shared
        return shared

    # -- what is printed and recorded ----------------------------------------------------

    def _show(self, result: ExchangeResult) -> None:
        if self.echo is None:
            return
        operation = result.operation or "unmatched"
        if result.valid:
            warnings = len(result.warnings)
            extra = f", {warnings} warning(s)" if warnings else ""
            self.echo(self.rules.mask(f"ok   {result.describe(self.rules)} ({operation}{extra})"))
            return
        self.echo(self.rules.mask(f"FAIL {result.describe(self.rules)} ({operation})"))
        self._findings(result)

    def _findings(self, result: ExchangeResult) -> None:
        assert self.echo is not None
        for line in result.lines(self.rules)[1:]:
            self.echo(f"   {line}")

    def _write(self, result: ExchangeResult, count: int) -> None:
        from ..cassettes import write_cassette

        scrubbed = scrub(result.exchange, self.rules, self.placeholders, result.path_parameters)
        name = re.sub(r"[^A-Za-z0-9]+", "-", result.operation or "unmatched").strip("-")
        assert self.record is not None
        write_cassette(self.record / f"{count:04d}-{name}.yaml", [scrubbed])


def _kept_headers(headers: Headers) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value in headers if name.lower() in _KEPT_HEADERS)


def _issue_key(issue: Issue) -> tuple[Any, ...]:
    """An issue as a key (its expected value may be a list, which does not hash)."""
    return (
        *(value for name, value in vars(issue).items() if name != "expected"),
        repr(issue.expected),
    )
