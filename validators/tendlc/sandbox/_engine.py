"""The sandbox's engine: one request in, one documented response out.

Routing is the traffic layer's router over the catalog; what an operation does is the
behaviour table (one small function per action, ``_actions``); bodies are the documented
examples with the kept records laid over them. Nothing here names an operation or a field:
adding one to a contract and to the behaviour table adds it to the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._catalog import Operation, Provider, get_operation, get_provider
from .._errors import InvalidArgument
from .._validation import Issue, brand_fields, brand_reference, validate
from ..traffic import Headers, Limiter, Match, Response, Router, check_request, default_router
from ._actions import ACTIONS, NEEDS_RECORD, Call, Target, answer_template, make, requested_id
from ._behaviour import Behaviour, Resource, behaviour
from ._bodies import documented_only, error_body, example_names, media_type_of, template
from ._fields import Subject, values_of
from ._log import Arrival, RequestLog
from ._misbehave import Misbehaviour
from ._prefer import Preferences, PreferError, check_example, parse_prefer
from ._seed import SeedEntry, parse_seed
from ._state import Record, Records

__all__ = ["REVIEWS", "Arrival", "Sandbox", "SandboxConfig"]

#: how a sandbox reviews what it is sent: ``off`` (the contract only), ``strict`` (advice too)
REVIEWS = ("off", "strict")

#: the kind of refusal a documented error status stands for (the errors table's codes)
_KINDS = {400: "invalid", 401: "unauthorized", 403: "unauthorized", 404: "not_found"}
_KINDS |= {409: "conflict", 429: "rate_limited"}


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox behaves. ``credentials`` maps a provider to the (user, password) it
    accepts, sent as the provider's record says (None: any well-formed Basic or Bearer
    credentials, or any token in the record's header); ``time_scale`` runs the
    stated rate limits and the order progress on a faster clock (60: a minute is a second);
    ``seed`` fixes the ids it makes (None: different ids on every run); ``review``
    ``"strict"`` refuses a request the advice rules find fault with, as a carrier's review
    would (the provider's documented error for an invalid request, naming each advice), and
    ``"off"`` lets the advice pass."""

    #: the providers served (empty: every provider of the catalog)
    providers: tuple[str, ...] = ()
    credentials: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    time_scale: float = 1.0
    rate_limits: bool = True
    misbehave: tuple[str, ...] = ()
    webhook_url: str | None = None
    seed: int | None = None
    #: the registered checks requests are refused by (None: the default ones)
    checks: tuple[str, ...] | None = None
    exclude_checks: tuple[str, ...] = ()
    #: how many requests the request log keeps
    log_size: int = 10_000
    #: ``off`` or ``strict``: whether a request that draws advice is refused
    review: str = "off"

    def __post_init__(self) -> None:
        if self.review not in REVIEWS:
            raise InvalidArgument(
                f"review must be one of {', '.join(REVIEWS)}, not {self.review!r}"
            )


class Sandbox:
    """The state and the answers of a provider sandbox (thread-safe). ``clock`` is its
    wall clock (seconds since the epoch): the dates it writes in answers."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        router: Router | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.config = config or SandboxConfig()
        self.table: Behaviour = behaviour()
        self.router = router or default_router()
        self.limiter = Limiter(time_scale=self.config.time_scale)
        self.misbehaviour = Misbehaviour.parse(self.config.misbehave)
        self.log = RequestLog(self.config.log_size)
        self.notifications: list[tuple[str, bytes]] = []
        self.state = Records(self.table, random.Random(self.config.seed))
        #: what seeding said about its entries (an account left to the placeholder)
        self.seed_notes: list[str] = []
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: list[tuple[Resource, Record]] = []
        self._seeded: list[tuple[SeedEntry, str]] = []

    def now(self) -> float:
        """The sandbox's clock."""
        return self._clock()

    # -- administration ------------------------------------------------------------------
    @property
    def arrivals(self) -> list[Arrival]:
        """The requests the log keeps, oldest first."""
        return self.log.entries()

    def reset(self) -> None:
        """Back to the seeded state: every record made since is forgotten and the seed is
        replayed (the same ids); the logs, limits and misbehaviour counters start afresh."""
        with self.state.lock:
            for task in self._tasks:
                task.cancel()
            self._pending.clear()
            self.state.clear()
            self.log.clear()
            self.notifications.clear()
            self.misbehaviour.reset()
            self.limiter = Limiter(time_scale=self.config.time_scale)
            for entry, record_id in self._seeded:
                self._apply(entry, record_id)

    @property
    def seeded(self) -> list[str]:
        """The ids of the seeded records, in seed order (what a reset brings back)."""
        return [record_id for _, record_id in self._seeded]

    def records(self, resource: str) -> list[dict[str, Any]]:
        """The records kept for a resource (every account and parent), for inspection."""
        return self.state.dump(resource)

    # -- one request ---------------------------------------------------------------------
    async def handle(self, method: str, url: str, headers: Headers, body: bytes) -> Response:
        """The answer to one request, entered in the request log."""
        started, at, wall = time.perf_counter(), time.monotonic(), self.now()
        self._start_pending()
        method = method.upper()
        match = self.router.match(method, url)
        operation = match.operation if match is not None else None
        served = self.config.providers
        refused: list[Issue] = []
        if operation is None or (served and operation.provider not in served):
            response = _plain(404, "not a documented operation of this sandbox")
        else:
            assert match is not None
            response = await self._answer(operation, match, method, url, headers, body, refused)
        self.log.add(
            Arrival(
                at,
                method,
                urlsplit(url).path,
                operation.id if operation is not None else None,
                response.status,
                wall,
                time.perf_counter() - started,
                tuple(refused),
            )
        )
        return response

    async def _answer(
        self,
        operation: Operation,
        match: Match,
        method: str,
        url: str,
        headers: Headers,
        body: bytes,
        refused: list[Issue],
    ) -> Response:
        provider = get_provider(operation.provider)
        caller = self._caller(provider, match, headers)
        if caller is None:
            message = "the request carries no valid credentials"
            return self.error(operation, "unauthorized", provider.unauthorized_status, message)
        account, user = caller
        if self.misbehaviour.storm(operation):
            return self._rate_limited(operation, 1.0)
        if self.config.rate_limits:
            delay = self.limiter.delay(operation, method, key=f"{provider.name}:{account}")
            if delay > 0:
                return self._rate_limited(operation, delay)
        plan = self.table.of(operation)
        found = self._request_issues(operation, match, url, headers, body, account)
        refused.extend(issue for issue in found if issue.severity == "error")
        if refused and self.misbehaviour.accepts_invalid(operation, (i.path for i in refused)):
            return self._documented(operation, Preferences())
        if refused:
            message = "; ".join(_describe(i) for i in refused[:5])
            return self.error(operation, "invalid", _refusal(operation), message, plan.resource)
        advice = [issue for issue in found if issue.severity == "advice"]
        if advice:
            refused.extend(advice)
            return self.error(
                operation, "invalid", _refusal(operation), _review(advice), plan.resource
            )
        try:
            prefer = self._preferences(operation, headers)
        except PreferError as exc:
            return self.error(operation, "invalid", 400, str(exc), plan.resource)
        if prefer.delay:
            await asyncio.sleep(prefer.delay)
        if prefer.static:
            return _applied(self._documented(operation, prefer), prefer)
        parts = urlsplit(url)
        call = Call(
            self, plan, _success(operation), account, user, match.path_parameters, headers, body
        )
        call.path, call.query = parts.path, parts.query
        call.base_url = f"{parts.scheme}://{parts.netloc}{match.prefix}"
        answer = self.perform(call)
        if answer.status >= 300:
            return _applied(answer, prefer)
        answer = documented_only(operation, answer)
        await self.misbehaviour.delay(operation)
        return _applied(self.misbehaviour.apply(operation, answer), prefer)

    def perform(self, call: Call) -> Response:
        """What the operation does to the records, and its answer (the behaviour table's
        action for it)."""
        plan, resource = call.plan, call.plan.resource
        if plan.action == "template" or resource is None:
            return answer_template(call)
        with self.state.lock:
            target = self._target(call, resource)
            if target is None:
                message = "the parent record does not exist"
                return self.error(call.operation, "not_found", 404, message, resource)
            if plan.action in NEEDS_RECORD and target.record is None:
                message = _missing(resource, target.record_id)
                return self.error(call.operation, "not_found", 404, message, resource)
            return ACTIONS[plan.action](call, target)

    def _target(self, call: Call, resource: Resource) -> Target | None:
        """The records a call acts on (None: a parent record does not exist)."""
        scope = self.state.scope(resource, call.parameters, call.account)
        if scope is None:
            return None
        record_id = requested_id(call, resource)
        kept = self.state.kept(resource, call.account, scope)
        target = Target(
            resource,
            kept,
            scope,
            record_id,
            kept.get(record_id) if record_id is not None else None,
            self._addressing(resource, call.account, scope),
        )
        if target.record is None and resource.always and record_id is not None:
            target.record = make(call, target, record_id, None)
        return target

    def _addressing(
        self, resource: Resource, account: str, scope: tuple[str, ...]
    ) -> dict[str, str]:
        """The path parameters of a record's parents, and of its account."""
        parameters: dict[str, str] = {}
        account_parameter = get_provider(resource.provider).account.parameter
        if account_parameter:
            parameters[account_parameter] = account
        chain = []
        parent = resource.parent
        while parent is not None:
            chain.append(self.table.resources[parent])
            parent = chain[-1].parent
        for owner, value in zip(reversed(chain), scope, strict=True):
            if owner.id is not None and owner.id.parameter:
                parameters[owner.id.parameter] = value
        return parameters

    def _caller(self, provider: Provider, match: Match, headers: Headers) -> tuple[str, str] | None:
        """Who the request acts for: the account path parameter where the provider has one,
        else the user its credentials name, and that user (None: no acceptable
        credentials)."""
        user = _credential_user(provider, headers, self.config.credentials.get(provider.name))
        if user is None:
            return None
        parameter = provider.account.parameter
        if parameter:
            return match.path_parameters.get(parameter, user), user
        return user, user

    def _request_issues(
        self,
        operation: Operation,
        match: Match,
        url: str,
        headers: Headers,
        body: bytes,
        account: str,
    ) -> list[Issue]:
        """The errors of a request: the registered checks of its parts (the configuration's
        selection), the same a traffic check of it would find; in a strict review, its
        advice too, about the brand the sandbox keeps under the id the request names."""
        strict = self.config.review == "strict"
        found = check_request(
            operation,
            path_parameters=match.path_parameters,
            query=urlsplit(url).query,
            body=body,
            media_type=headers.get("content-type"),
            checks=self.config.checks,
            exclude_checks=self.config.exclude_checks,
            advice=strict,
            brand=self._brand(operation, match, account) if strict else None,
        )
        return [issue for issue in found if issue.severity in ("error", "advice")]

    def _brand(self, operation: Operation, match: Match, account: str) -> Any:
        """The brand the request names by id, as the sandbox keeps it (None: it names none,
        or one the account does not have)."""
        parameter = brand_reference(operation)
        brand_id = match.path_parameters.get(parameter) if parameter else None
        if brand_id is None:
            return None
        with self.state.lock:
            for resource in self.table.resources.values():
                if resource.provider != operation.provider or resource.id is None:
                    continue
                if resource.id.parameter != parameter:
                    continue
                scope = self.state.scope(resource, match.path_parameters, account)
                record = None if scope is None else self.state.kept(resource, account, scope)
                kept = None if record is None else record.get(brand_id)
                if kept is not None:
                    return brand_fields(kept.fields) or None
        return None

    # -- Prefer ---------------------------------------------------------------------------
    def _preferences(self, operation: Operation, headers: Headers) -> Preferences:
        prefer = parse_prefer(headers.get_all("prefer"), operation)
        if prefer.example is not None:
            status = prefer.code if prefer.code is not None else _success(operation)
            check_example(operation, status, prefer.example, example_names(operation, status))
        return prefer

    def _documented(self, operation: Operation, prefer: Preferences) -> Response:
        """The documented answer a Prefer header asked for, as documented (nothing kept)."""
        status = prefer.code if prefer.code is not None else _success(operation)
        data = template(operation, status, prefer.example)
        documented = operation.responses[status]
        if data is not None:
            media = {"Content-Type": media_type_of(documented)} if data else {}
            return Response(status, Headers(media), data)
        if status >= 400:
            kind = _KINDS.get(status, str(status))
            message = f"the documented {status} answer, as the request's Prefer header asked"
            answer = self.error(operation, kind, status, message)
            if status == 429:
                return Response(429, Headers([*answer.headers, ("Retry-After", "1")]), answer.body)
            return answer
        return Response(status, Headers(), b"")

    # -- errors ---------------------------------------------------------------------------
    def error(
        self,
        operation: Operation,
        kind: str,
        status: int,
        message: str,
        resource: Resource | None = None,
    ) -> Response:
        """The provider's documented error body for a refusal of ``kind``."""
        code = self.table.error_code(operation.provider, kind, resource)
        data, media = error_body(get_provider(operation.provider), operation, status, code, message)
        return Response(status, Headers({"Content-Type": media}), data)

    def _rate_limited(self, operation: Operation, delay: float) -> Response:
        response = self.error(operation, "rate_limited", 429, "Too Many Requests")
        retry = max(1, math.ceil(delay))
        headers = Headers([*response.headers, ("Retry-After", str(retry))])
        return Response(429, headers, response.body)

    # -- bodies too large ---------------------------------------------------------------
    def takes_large(self, method: str, url: str) -> bool:
        """Whether the operation's contract allows bodies above the default parse limit."""
        match = self.router.match(method, url)
        request = match.operation.request if match is not None else None
        return request is not None and request.binary

    def too_large(self, method: str, url: str, limit: int) -> Response:
        """The refusal of a body larger than ``limit`` (entered in the request log)."""
        started, at, wall = time.perf_counter(), time.monotonic(), self.now()
        match = self.router.match(method, url)
        message = f"the body is larger than {limit:,} bytes"
        if match is None:
            response = _plain(413, message)
        else:
            response = self.error(match.operation, "invalid", 400, message)
        operation = match.operation.id if match is not None else None
        path = urlsplit(url).path
        duration = time.perf_counter() - started
        self.log.add(Arrival(at, method.upper(), path, operation, response.status, wall, duration))
        return response

    # -- seeds ----------------------------------------------------------------------------
    def seed(self, entries: Any) -> list[str]:
        """Create records as if clients had sent these requests (no credentials, no rate
        limits; format: ``seed.schema.json``), and keep them as the state a reset returns to;
        returns their ids. A seed that cannot be honoured is an :class:`InvalidArgument`
        naming the entry and the field, and keeps nothing of it. An entry without an
        account is kept under the provider's account placeholder, and :attr:`seed_notes`
        says so."""
        if isinstance(entries, list) and all(isinstance(e, SeedEntry) for e in entries):
            parsed: list[SeedEntry] = entries
        else:
            parsed = parse_seed(list(entries) if isinstance(entries, tuple) else entries)
        for entry in parsed:
            self._check_body(entry)
        made: list[tuple[SeedEntry, str]] = []
        with self.state.lock:
            try:
                for entry in parsed:
                    made.append((entry, self._apply(entry, entry.id)))
            except InvalidArgument:
                self._forget(made)
                raise
        for entry, _ in made:
            if entry.account is None:
                provider = get_provider(entry.operation.provider)
                self.seed_notes.append(
                    f"{entry} names no account: its record belongs to "
                    f"{provider.account.placeholder!r}, the {provider.name} account placeholder "
                    f"(requests for another account do not see it)"
                )
        self._seeded.extend(made)
        return [record_id for _, record_id in made]

    def _check_body(self, entry: SeedEntry) -> None:
        report = validate(entry.operation, entry.body, part="request")
        if not report.valid:
            problems = "; ".join(_describe(issue) for issue in report.errors[:3])
            raise entry.refused("field body", f"refused by its contract: {problems}")

    def _apply(self, entry: SeedEntry, record_id: str | None) -> str:
        operation = entry.operation
        provider = get_provider(operation.provider)
        account = entry.account or provider.account.placeholder
        parameters = dict(entry.parameters)
        if provider.account.parameter:
            parameters.setdefault(provider.account.parameter, account)
        request = operation.request
        media = request.media_types[0] if request is not None and request.media_types else ""
        call = Call(
            host=self,
            plan=self.table.of(operation),
            status=_success(operation),
            account=account,
            user=entry.user or account,
            parameters=parameters,
            headers=Headers({"Content-Type": media} if media else {}),
            body=entry.body,
            path=_filled(operation.url_template, parameters),
            forced_id=record_id,
        )
        resource = call.plan.resource
        assert resource is not None
        if self.state.scope(resource, parameters, account) is None:
            raise entry.refused(
                "field parameters",
                f"names no parent record the seed has made before it: {parameters}",
            )
        answer = self.perform(call)
        if resource.singleton and answer.status < 300:
            return "settings"  # a second entry for a singleton changes the first
        if answer.status == 409 or (answer.status < 300 and call.made is None):
            raise entry.refused("field id", f"{record_id} is the id of an earlier record")
        if answer.status >= 300 or call.made is None:
            raise entry.refused("the entry", f"answered {answer.status}: {answer.body[:200]!r}")
        return call.made.id

    def _forget(self, made: list[tuple[SeedEntry, str]]) -> None:
        """Take back the records of a seed refused part way."""
        for entry, record_id in reversed(made):
            resource = self.table.of(entry.operation).resource
            assert resource is not None
            account = entry.account or get_provider(entry.operation.provider).account.placeholder
            self.state.forget(resource.name, account, record_id)

    # -- orders that move on ------------------------------------------------------------
    def started(self, resource: Resource, record: Record) -> None:
        """Move a new order through its steps (once a loop runs: seeds are made before)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._pending.append((resource, record))
            return
        task = loop.create_task(self._advance(resource, record))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _start_pending(self) -> None:
        if self._pending:
            with self.state.lock:
                pending, self._pending = self._pending, []
            for resource, record in pending:
                self.started(resource, record)

    async def _advance(self, resource: Resource, record: Record) -> None:
        progress = resource.progress
        assert progress is not None
        for step in progress.steps[1:]:
            await asyncio.sleep(progress.every / self.config.time_scale)
            with self.state.lock:
                record.progress = step
                record.updated = self.now()
            if progress.notify is not None:
                await self._notify(resource, record)

    async def _notify(self, resource: Resource, record: Record) -> None:
        from ._notify import notification_body, post

        notify = resource.progress.notify if resource.progress is not None else None
        assert notify is not None
        with self.state.lock:
            subject = Subject(
                account=record.account,
                user=record.user,
                base_url=record.base_url,
                now=self.now(),
                id=record.id,
                scope=record.scope,
                parameters=record.parameters,
                request=record.fields,
                progress=record.progress,
                created=record.created,
                updated=record.updated,
            )
            values = values_of(notify.fields, subject, self.state, resource.name)
        data, media = notification_body(get_operation(notify.operation), values)
        with self.state.lock:
            self.notifications.append((record.progress or "", data))
        if self.config.webhook_url:
            await post(self.config.webhook_url, data, media)


def _success(operation: Operation) -> int:
    """The status a request the sandbox honours is answered with: the first documented
    success."""
    return min((s for s in operation.statuses if s < 300), default=200)


def _refusal(operation: Operation) -> int:
    """The status an invalid request is refused with: 400, or the operation's documented 422
    where it documents no 400."""
    return 422 if 400 not in operation.responses and 422 in operation.responses else 400


def _applied(response: Response, prefer: Preferences) -> Response:
    applied = prefer.applied()
    if not applied:
        return response
    headers = Headers([*response.headers, ("Preference-Applied", applied)])
    return Response(response.status, headers, response.body, response.reason)


def _filled(template_path: str, parameters: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: parameters.get(m.group(1), m.group(0)), template_path)


def _missing(resource: Resource, record_id: str | None) -> str:
    words = re.sub(r"(?<!^)([A-Z])", r" \1", resource.name.split(".", 1)[1]).lower()
    if resource.singleton:
        return f"the {words} of this account are not set up yet"
    return f"{words}: no record with id {record_id!r}"


def _credential_user(
    provider: Provider, headers: Headers, expected: tuple[str, str] | None
) -> str | None:
    """The user of well-formed credentials (Basic, Bearer, or the provider's own token
    header). When the sandbox was given the credentials (``expected``: user, secret), only
    those are accepted, and only sent the way the provider's record says they travel."""
    scheme = provider.credentials.scheme
    own = provider.credentials.header
    if own is not None and headers.get(own):
        token = (headers.get(own) or "").strip()
        return None if expected is not None and token != expected[1] else "token"
    sent, _, token = (headers.get("authorization") or "").partition(" ")
    if expected is not None and sent.lower() != scheme:
        return None
    if sent.lower() == "bearer" and token.strip():
        return None if expected is not None and token.strip() != expected[1] else "bearer"
    if sent.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    if not sep or not user or (expected is not None and (user, password) != tuple(expected)):
        return None
    return user


def _describe(issue: Issue) -> str:
    return f"{issue.path or '/'}: {issue.message}"


def _review(advice: list[Issue]) -> str:
    """A strict review's refusal: the advice ids first (the envelope's message is
    shortened), then each advice where it applies."""
    rules = ", ".join(dict.fromkeys(issue.rule for issue in advice))
    details = "; ".join(f"{issue.rule} at {_describe(issue)}" for issue in advice)
    return f"rejected in review ({rules}): {details}"


def _plain(status: int, message: str) -> Response:
    return Response(status, Headers({"Content-Type": "text/plain"}), message.encode("utf-8"))
