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
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .._catalog import Operation, get_operation
from .._parsing import DEFAULT_LIMITS, Limits, ParseError, local_name, parse_xml
from .._validation import (
    Check,
    CheckContext,
    Issue,
    Report,
    Severity,
    check,
    clock,
    run_checks,
    selected_checks,
)
from ._exchange import Exchange, Headers, Request, Response
from ._router import Match, Router, default_router
from ._secrets import SecretRules, mask_url

if TYPE_CHECKING:
    from ._brands import BrandMemory

__all__ = [
    "EXCERPT",
    "Direction",
    "ExchangeResult",
    "Waits",
    "bounded",
    "check_exchange",
    "check_request",
]

Direction = Literal["request", "response", "exchange"]

#: the bytes of each body an exchange with findings keeps (for a person to look at)
EXCERPT = 4096
#: the headers an excerpt keeps of each side: what the bodies were, never who sent them
KEPT_HEADERS = frozenset({"content-type", "content-encoding", "accept", "retry-after"})


@dataclass(frozen=True)
class Waits:
    """What getting one answer cost: the 429s it was answered first, the retries they made,
    and the seconds waited in all (the rate limits kept, and Retry-After)."""

    rate_limited: int = 0
    retries: int = 0
    waited: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "waited": round(self.waited, 6),
        }


@dataclass(frozen=True)
class ExchangeResult:
    """Everything the contracts say about one exchange: its issues, each naming its check and
    the direction it concerns."""

    exchange: Exchange
    operation: str | None
    issues: tuple[Issue, ...] = ()
    path_parameters: dict[str, str] = field(default_factory=dict)
    #: the 429s and retries it took to get the answer
    waits: Waits = field(default_factory=Waits)
    #: the sizes of the request and response bodies as they were, when the exchange keeps
    #: only excerpts of them (:func:`bounded`)
    sizes: tuple[int, int] | None = None

    @property
    def elapsed(self) -> float | None:
        """Seconds from sending the request to having the whole answer, when measured."""
        return self.exchange.elapsed

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
            "elapsed": None if self.elapsed is None else round(self.elapsed, 6),
            "waits": self.waits.to_dict(),
            "findings": [issue.to_dict() for issue in self.issues],
            "excerpt": self._excerpt(),
        }

    def _excerpt(self) -> dict[str, Any] | None:
        """The request and response, bodies cut to :data:`EXCERPT` bytes: for an exchange
        with findings only (a passing one keeps no body)."""
        if not self.issues:
            return None
        request, response = self.exchange.request, self.exchange.response
        sizes = self.sizes or (len(request.body), len(response.body) if response else 0)
        sent = {"method": request.method, "url": mask_url(request.url)}
        sent.update(_side(request.headers, request.body, sizes[0]))
        if response is None:
            return {"request": sent, "response": None}
        answer = {"status": response.status, **_side(response.headers, response.body, sizes[1])}
        return {"request": sent, "response": answer}


def _side(headers: Any, body: bytes, size: int) -> dict[str, Any]:
    shown = body[:EXCERPT]
    return {
        "headers": {name: value for name, value in headers if name.lower() in KEPT_HEADERS},
        "body": SecretRules().mask(shown.decode("utf-8", "replace")),
        "bytes": size,
        "truncated": size > len(shown),
    }


def bounded(result: ExchangeResult, rules: SecretRules | None = None) -> ExchangeResult:
    """What a run keeps of a checked exchange: its metadata, the headers that say what the
    bodies were, and, when it has findings, the first :data:`EXCERPT` bytes of each body
    (credentials ``rules`` know masked); a passing exchange keeps no body at all."""
    rules = rules or SecretRules()
    exchange = result.exchange
    request, response = exchange.request, exchange.response
    keep = bool(result.issues)

    def excerpt(body: bytes) -> bytes:
        if not keep or not body:
            return b""
        return rules.mask(body[:EXCERPT].decode("utf-8", "replace")).encode("utf-8")

    kept = Exchange(
        Request(request.method, request.url, _kept(request.headers), excerpt(request.body)),
        None
        if response is None
        else Response(
            response.status, _kept(response.headers), excerpt(response.body), response.reason
        ),
        exchange.live,
        exchange.elapsed,
    )
    sizes = result.sizes or (len(request.body), len(response.body) if response else 0)
    return replace(result, exchange=kept, sizes=sizes)


def _kept(headers: Headers) -> Headers:
    return Headers([(name, value) for name, value in headers if name.lower() in KEPT_HEADERS])


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
    brands: BrandMemory | None = None,
    config: Mapping[str, Any] | None = None,
    strict_mocks: bool = False,
    known_drift: Iterable[str] = (),
) -> ExchangeResult:
    """Check one exchange: find its operation (or take ``operation``), then run the registered
    checks of each part (``checks`` / ``exclude_checks`` select them, ``advice`` adds the
    advice checks about ``brand``, ``advice_as_errors`` makes their advice errors), bodies
    within ``limits``. An exchange that matches no operation is a result with an
    ``unmatched`` error, never a silent pass.

    ``brands`` (a :class:`~tendlc.traffic.BrandMemory`) gives the brand behind a campaign
    that names its brand by id, when ``brand`` is not given, and learns the brands the
    exchange shows (:meth:`~tendlc.traffic.BrandMemory.observe`).

    With ``strict_mocks``, an answer nothing answered over the network (a mock, a replayed
    cassette: ``exchange.live`` is False) was written by a test's author, so a field its
    contract does not document is an error, not drift; ``known_drift`` lists the ones that
    stay warnings (``OPERATION_GLOB PATH_GLOB`` each, e.g. ``vonage.campaigns.* /*/reason``).
    """
    router = router or default_router()
    found, match = _operation_of(exchange, operation, router)
    given = {**(config or {}), "router": router}
    whole = CheckContext(
        found, "exchange", exchange, limits=limits, exchange=exchange, config=given, advice=advice
    )
    plan = selected_checks("exchange", checks, exclude_checks, advice=advice)
    if found is None:
        return ExchangeResult(exchange, None, tuple(run_checks(whole, plan, "exchange")))
    response = exchange.response
    if brand is None and brands is not None and advice:
        brand = brands.brand_for(found, match.path_parameters if match is not None else {})
    chosen: dict[str, Any] = {"checks": checks, "exclude_checks": exclude_checks}
    chosen |= {"advice": advice, "advice_as_errors": advice_as_errors}
    with clock(now):
        issues = _request_issues(found, exchange, match, limits, chosen, brand, config)
        if response is not None:
            answer = selected_checks("response", checks, exclude_checks, advice=advice)
            context = _response_context(found, exchange, response, limits, config, advice)
            issues += _answer_issues(context, answer, strict_mocks, known_drift)
        issues += run_checks(whole, plan, "exchange")
    parameters = dict(match.path_parameters) if match is not None else {}
    if brands is not None:
        # noted, and read when a campaign's advice next asks for its brand
        brands.observe(exchange, operation=found, path_parameters=parameters, limits=limits)
    return ExchangeResult(exchange, found.id, tuple(issues), parameters)


def _request_issues(
    operation: Operation,
    exchange: Exchange,
    match: Match | None,
    limits: Limits,
    selection: Mapping[str, Any],
    brand: Any,
    config: Mapping[str, Any] | None,
) -> list[Issue]:
    """The issues of the exchange's request (its path, query and body), as
    :func:`check_request` finds them with the ``selection`` of checks."""
    request = exchange.request
    return check_request(
        operation,
        path_parameters=match.path_parameters if match is not None else None,
        query=urlsplit(request.url).query,
        body=request.body,
        media_type=request.media_type,
        limits=limits,
        exchange=exchange,
        brand=brand,
        config=config,
        **selection,
    )


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


def _answer_issues(
    context: CheckContext, plan: tuple[Check, ...], strict_mocks: bool, known_drift: Iterable[str]
) -> list[Issue]:
    """The response's issues; an answer no server sent is held to its contract when asked."""
    answered = run_checks(context, plan, "response")
    assert context.operation is not None and context.exchange is not None
    if strict_mocks and context.exchange.live is False:
        return _mock_drift_as_errors(context.operation.id, answered, tuple(known_drift))
    return answered


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


@check("response_time", parts=("exchange",))
def _response_time(context: CheckContext) -> list[Issue]:
    """An answer slower than the time budget of a call (``max-response-time`` seconds in the
    configuration the exchange is checked with; no budget, no check)."""
    budget = context.config.get("max-response-time")
    exchange = context.exchange
    elapsed = getattr(exchange, "elapsed", None)
    if budget is None or elapsed is None or exchange.response is None or elapsed <= budget:
        return []
    return [
        Issue(
            Severity.ERROR,
            "",
            "response-time",
            f"answered in {elapsed:.3f} s, more than the {float(budget):g} s a call may take "
            "(max-response-time)",
            expected=f"at most {float(budget):g} s",
        )
    ]
