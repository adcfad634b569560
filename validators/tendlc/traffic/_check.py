"""Check an HTTP exchange against the contracts: one result per exchange.

The checks are the registered ones (:func:`tendlc.check`): the request's path parameters and
query (part ``path`` and ``query``), its body (``request``), the response's status and body
(``response``), and the exchange as a whole (``exchange``: an exchange that matches no
operation is an ``unmatched`` error, never a silent pass). Each issue names its check and the
direction it concerns, so an exchange's issues are the ones a payload gets.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from .._catalog import Operation, get_operation
from .._parsing import DEFAULT_LIMITS, Limits, ParseError, local_name, parse_xml
from .._validation import (
    CheckContext,
    Issue,
    Report,
    Severity,
    check,
    clock,
    run_checks,
    selected_checks,
)
from ._exchange import Exchange, Response
from ._router import Match, Router, default_router
from ._secrets import SecretRules, mask_url

__all__ = ["Direction", "ExchangeResult", "check_exchange", "check_request"]

Direction = Literal["request", "response", "exchange"]


@dataclass(frozen=True)
class ExchangeResult:
    """Everything the contracts say about one exchange: its issues, each naming its check and
    the direction it concerns."""

    exchange: Exchange
    operation: str | None
    issues: tuple[Issue, ...] = ()
    path_parameters: dict[str, str] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.operation is not None

    @property
    def valid(self) -> bool:
        """True when no issue is an error (undocumented response fields are warnings)."""
        return not self.errors

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "warning")

    @property
    def advice(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "advice")

    @property
    def provider(self) -> str | None:
        return self.operation.split(".", 1)[0] if self.operation else None

    def report(self, direction: Literal["request", "response"]) -> Report:
        """The issues of one direction as a :class:`~tendlc.Report`."""
        response = self.exchange.response
        return Report(
            self.operation or "",
            direction,
            response.status if direction == "response" and response is not None else None,
            tuple(issue for issue in self.issues if issue.direction == direction),
        )

    @property
    def request(self) -> Report:
        return self.report("request")

    @property
    def response(self) -> Report:
        return self.report("response")

    def describe(self, rules: SecretRules | None = None) -> str:
        """``POST https://…/brands (masked) → 201``: the exchange in one line, secrets masked
        (and the credential values ``rules`` know, such as an account id in the path)."""
        response = self.exchange.response
        status = f" → {response.status}" if response is not None else " → no response"
        request = self.exchange.request
        return f"{request.method} {mask_url(request.url, rules)}{status}"

    def lines(
        self,
        rules: SecretRules | None = None,
        *,
        severities: Iterable[str] = ("error", "warning", "advice"),
        verbose: bool = False,
    ) -> list[str]:
        """The exchange as people read it: a line naming it and its operation, then each issue
        of the ``severities`` asked for (credentials masked). Every front end prints exchanges
        so."""
        rules = rules or SecretRules()
        shown = set(severities)
        lines = [f"{self.describe(rules)} ({self.operation or 'no documented operation'})"]
        for issue in self.issues:
            if issue.severity.value in shown:
                lines.extend(
                    "  " + rules.mask(line) for line in issue.render(verbose=verbose).split("\n")
                )
        return lines

    def to_dict(self) -> dict[str, Any]:
        response = self.exchange.response
        return {
            "operation": self.operation,
            "method": self.exchange.request.method,
            "url": mask_url(self.exchange.request.url),
            "status": None if response is None else response.status,
            "valid": self.valid,
            "findings": [issue.to_dict() for issue in self.issues],
        }


def check_request(
    operation: Operation,
    *,
    path_parameters: Mapping[str, str] | None = None,
    query: str | Mapping[str, Any] = "",
    body: bytes = b"",
    media_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    exchange: Any = None,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] = (),
    advice: bool = False,
    advice_as_errors: bool = False,
    brand: Any = None,
    config: Mapping[str, Any] | None = None,
) -> list[Issue]:
    """Every issue of a request of ``operation`` (its path parameters, its query string or
    parameters, its body): what the sandbox answers a refusal with, and conform's fuzzing
    keeps a case by."""
    found: list[Issue] = []
    settings = config or {}
    parts: list[tuple[str, Any]] = [("query", query), ("request", body)]
    if path_parameters is not None and operation.path_parameters:
        parts.insert(0, ("path", dict(path_parameters)))
    for part, payload in parts:
        plan = selected_checks(part, checks, exclude_checks, advice=advice)
        context = CheckContext(
            operation,
            part,
            payload,
            media_type=media_type if part == "request" else None,
            limits=limits,
            exchange=exchange,
            config=settings,
            advice=advice,
            brand=brand,
        )
        found += run_checks(context, plan, "request", advice_as_errors=advice_as_errors)
    return found


def check_exchange(
    exchange: Exchange,
    *,
    operation: str | Operation | None = None,
    router: Router | None = None,
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] = (),
    advice: bool = False,
    advice_as_errors: bool = False,
    brand: Any = None,
    config: Mapping[str, Any] | None = None,
    strict_mocks: bool = False,
    known_drift: Iterable[str] = (),
) -> ExchangeResult:
    """Check one exchange: find its operation (or take ``operation``), then run the registered
    checks of each part (``checks`` / ``exclude_checks`` select them, ``advice`` adds the
    advice checks about ``brand``, ``advice_as_errors`` makes their advice errors), bodies
    within ``limits``. An exchange that matches no operation is a result with an
    ``unmatched`` error, never a silent pass.

    With ``strict_mocks``, an answer nothing answered over the network (a mock, a replayed
    cassette: ``exchange.live`` is False) was written by a test's author, so a field its
    contract does not document is an error, not drift; ``known_drift`` lists the ones that
    stay warnings (``OPERATION_GLOB PATH_GLOB`` each, e.g. ``vonage.campaigns.* /*/reason``).
    """
    router = router or default_router()
    found, match = _operation_of(exchange, operation, router)
    whole = CheckContext(
        found,
        "exchange",
        exchange,
        limits=limits,
        exchange=exchange,
        config={**(config or {}), "router": router},
        advice=advice,
    )
    plan = selected_checks("exchange", checks, exclude_checks, advice=advice)
    if found is None:
        return ExchangeResult(exchange, None, tuple(run_checks(whole, plan, "exchange")))
    request, response = exchange.request, exchange.response
    with clock(now):
        issues = check_request(
            found,
            path_parameters=match.path_parameters if match is not None else None,
            query=urlsplit(request.url).query,
            body=request.body,
            media_type=request.media_type,
            limits=limits,
            exchange=exchange,
            checks=checks,
            exclude_checks=exclude_checks,
            advice=advice,
            advice_as_errors=advice_as_errors,
            brand=brand,
            config=config,
        )
        if response is not None:
            answer = selected_checks("response", checks, exclude_checks, advice=advice)
            context = _response_context(found, exchange, response, limits, config, advice)
            answered = run_checks(context, answer, "response")
            if strict_mocks and exchange.live is False:
                answered = _mock_drift_as_errors(found.id, answered, tuple(known_drift))
            issues += answered
        issues += run_checks(whole, plan, "exchange")
    parameters = dict(match.path_parameters) if match is not None else {}
    return ExchangeResult(exchange, found.id, tuple(issues), parameters)


def _operation_of(
    exchange: Exchange, operation: str | Operation | None, router: Router
) -> tuple[Operation | None, Match | None]:
    """The exchange's operation (``operation`` when given, else the router's, else the one its
    XML body's root names) and the router's match (None when it is another operation's)."""
    match = router.match(exchange.request.method, exchange.request.url)
    if operation is None:
        return (match.operation if match is not None else _by_body(router, exchange)), match
    found = get_operation(operation)
    return found, match if match is not None and match.operation.id == found.id else None


def _response_context(
    operation: Operation,
    exchange: Exchange,
    response: Response,
    limits: Limits,
    config: Mapping[str, Any] | None,
    advice: bool,
) -> CheckContext:
    return CheckContext(
        operation,
        "response",
        response.body,
        status=response.status,
        media_type=response.media_type if response.body.strip() else None,
        limits=limits,
        exchange=exchange,
        config=config or {},
        advice=advice,
    )


def _mock_drift_as_errors(
    operation: str, issues: list[Issue], known: tuple[str, ...]
) -> list[Issue]:
    """A mock's undocumented fields as errors, but for the known drift."""
    return [
        replace(
            issue,
            severity=Severity.ERROR,
            message=issue.message.replace(" (undocumented in the contract)", "")
            + " (a mocked answer: its author wrote a field the contract does not document)",
        )
        if issue.rule == "additionalProperties"
        and issue.severity == "warning"
        and not _known(operation, issue.path, known)
        else issue
        for issue in issues
    ]


def _known(operation: str, path: str, known: tuple[str, ...]) -> bool:
    for entry in known:
        operations, _, paths = entry.strip().partition(" ")
        if fnmatch.fnmatchcase(operation, operations) and fnmatch.fnmatchcase(
            path, paths.strip() or "*"
        ):
            return True
    return False


def _by_body(router: Router, exchange: Exchange) -> Operation | None:
    body = exchange.request.body
    if not body.lstrip().startswith(b"<"):
        return None
    try:
        root = parse_xml(body)
    except ParseError:
        return None
    return router.match_body(exchange.request.method, local_name(root))


@check("unmatched", parts=("exchange",))
def _unmatched(context: CheckContext) -> list[Issue]:
    """An exchange that matches no documented operation."""
    if context.operation is not None:
        return []
    request = context.exchange.request
    router = context.config.get("router") or default_router()
    others = router.nearest(request.method, request.url)
    hint = f"; documented with another method: {', '.join(others)}" if others else ""
    return [
        Issue(
            Severity.ERROR,
            "",
            "unmatched",
            f"{request.method} {urlsplit(mask_url(request.url)).path} is not a documented "
            f"operation{hint}",
        )
    ]
