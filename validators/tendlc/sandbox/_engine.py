"""The sandbox's engine: one request in, one documented response out.

Routing is the traffic layer's router over the catalog; what an operation does is the
behaviour table; bodies are the documented examples with the kept records laid over them.
Nothing here names an operation: adding one to a contract adds it to the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .._catalog import Operation, Provider, get_operation, get_provider
from .._errors import InvalidArgument
from .._parsing import local_name
from .._validation import Issue, validate
from ..traffic import Headers, Limiter, Match, Response, Router, check_request, default_router
from ._behaviour import Behaviour, OperationBehaviour, Resource, behaviour
from ._bodies import (
    documented_only,
    error_body,
    lay_over,
    list_body,
    media_type_of,
    read_record,
)
from ._misbehave import Misbehaviour

__all__ = ["Arrival", "Sandbox", "SandboxConfig"]


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox behaves. ``credentials`` maps a provider to the (user, password) it
    accepts, sent as the provider's record says (None: any well-formed Basic or Bearer
    credentials, or any token in the record's header); ``time_scale`` runs the
    stated rate limits and the order progress on a faster clock (60: a minute is a second)."""

    #: the providers served (empty: every provider of the catalog)
    providers: tuple[str, ...] = ()
    credentials: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    time_scale: float = 1.0
    rate_limits: bool = True
    misbehave: tuple[str, ...] = ()
    webhook_url: str | None = None
    seed: int = 0
    #: the registered checks requests are refused by (None: the default ones)
    checks: tuple[str, ...] | None = None
    exclude_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arrival:
    """One request as the sandbox saw it (the log tests read)."""

    at: float
    method: str
    path: str
    operation: str | None
    status: int


@dataclass
class _Record:
    id: str
    fields: Any
    server: dict[str, str]
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    created: float = 0.0


class Sandbox:
    """The state and the answers of a provider sandbox (thread-safe)."""

    def __init__(self, config: SandboxConfig | None = None, *, router: Router | None = None):
        self.config = config or SandboxConfig()
        self.table: Behaviour = behaviour()
        self.router = router or default_router()
        self.limiter = Limiter(time_scale=self.config.time_scale)
        self.misbehaviour = Misbehaviour.parse(self.config.misbehave)
        self.arrivals: list[Arrival] = []
        self.notifications: list[tuple[str, bytes]] = []
        self._lock = threading.RLock()
        self._records: dict[tuple[str, str, tuple[str, ...]], dict[str, _Record]] = {}
        self._rng = random.Random(self.config.seed)
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_notification: Callable[[str, bytes], Any] | None = None
        self._last_id: str | None = None

    # -- administration ------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self.arrivals.clear()
            self.notifications.clear()
            self.misbehaviour.reset()
            self.limiter = Limiter(time_scale=self.config.time_scale)

    def records(self, resource: str) -> list[dict[str, Any]]:
        """The records kept for a resource (every account and parent), for inspection."""
        with self._lock:
            return [
                {"id": record.id, "account": account, "scope": list(scope), **record.server}
                for (name, account, scope), kept in self._records.items()
                if name == resource
                for record in kept.values()
            ]

    # -- one request ---------------------------------------------------------------------
    async def handle(self, method: str, url: str, headers: Headers, body: bytes) -> Response:
        method = method.upper()
        match = self.router.match(method, url)
        operation = match.operation if match is not None else None
        served = self.config.providers
        if operation is None or (served and operation.provider not in served):
            response = _plain(404, "not a documented operation of this sandbox")
        else:
            response = await self._answer(operation, match, method, url, headers, body)
        with self._lock:
            self.arrivals.append(
                Arrival(
                    time.monotonic(),
                    method,
                    urlsplit(url).path,
                    operation.id if operation is not None else None,
                    response.status,
                )
            )
        return response

    async def _answer(
        self,
        operation: Operation,
        match: Match | None,
        method: str,
        url: str,
        headers: Headers,
        body: bytes,
    ) -> Response:
        provider = get_provider(operation.provider)
        account = self._account(provider, match, headers)
        if account is None:
            return self._error(
                operation,
                "unauthorized",
                provider.unauthorized_status,
                "the request carries no valid credentials",
            )
        stormed = self.misbehaviour.storm(operation)
        if stormed:
            return self._rate_limited(operation, 1.0, injected=True)
        if self.config.rate_limits:
            delay = self.limiter.delay(operation, method, key=f"{provider.name}:{account}")
            if delay > 0:
                return self._rate_limited(operation, delay)
        issues = self._request_issues(operation, match, url, headers, body)
        plan = self.table.of(operation)
        if issues:
            return self._error(
                operation,
                "invalid",
                400,
                "; ".join(_describe(i) for i in issues[:5]),
                plan.resource,
            )
        status = min((s for s in operation.statuses if s < 300), default=200)
        answer = self._act(plan, operation, status, account, match, url, body, headers)
        if answer.status >= 300:
            return answer
        answer = documented_only(operation, answer)
        await self.misbehaviour.delay(operation)
        return self.misbehaviour.apply(operation, answer)

    def _account(self, provider: Provider, match: Match | None, headers: Headers) -> str | None:
        """Who the request acts for: the account path parameter where the provider has one,
        else the user its credentials name (None: no acceptable credentials)."""
        user = _credential_user(provider, headers, self.config.credentials.get(provider.name))
        if user is None:
            return None
        parameter = provider.account.parameter
        if parameter and match is not None:
            return match.path_parameters.get(parameter, user)
        return user

    def _request_issues(
        self, operation: Operation, match: Match | None, url: str, headers: Headers, body: bytes
    ) -> list[Issue]:
        """The errors of a request: the registered checks of its parts (the configuration's
        selection), the same a traffic check of it would find."""
        found = check_request(
            operation,
            path_parameters=match.path_parameters if match is not None else None,
            query=urlsplit(url).query,
            body=body,
            media_type=headers.get("content-type"),
            checks=self.config.checks,
            exclude_checks=self.config.exclude_checks,
        )
        return [issue for issue in found if issue.severity == "error"]

    # -- errors ---------------------------------------------------------------------------
    def _error(
        self,
        operation: Operation,
        kind: str,
        status: int,
        message: str,
        resource: Resource | None = None,
    ) -> Response:
        code = self.table.error_code(operation.provider, kind, resource)
        data, media = error_body(get_provider(operation.provider), operation, status, code, message)
        return Response(status, Headers({"Content-Type": media}), data)

    def _rate_limited(self, operation: Operation, delay: float, injected: bool = False) -> Response:
        response = self._error(operation, "rate_limited", 429, "Too Many Requests")
        retry = max(1, math.ceil(delay))
        headers = Headers([*response.headers, ("Retry-After", str(retry))])
        return Response(429, headers, response.body)

    # -- actions --------------------------------------------------------------------------
    def _scope(
        self, resource: Resource, match: Match | None, account: str
    ) -> tuple[str, ...] | None:
        """The ids of the parents a record lives under (None: a parent does not exist)."""
        chain: list[str] = []
        parent_name = resource.parent
        scope: list[str] = []
        while parent_name is not None:
            chain.append(parent_name)
            parent_name = self.table.resources[parent_name].parent
        for name in reversed(chain):
            parent = self.table.resources[name]
            assert parent.id is not None and parent.id.parameter is not None
            value = (match.path_parameters if match else {}).get(parent.id.parameter)
            kept = self._records.get((name, account, tuple(scope)), {})
            if value is None or value not in kept:
                return None
            scope.append(value)
        return tuple(scope)

    def _act(
        self,
        plan: OperationBehaviour,
        operation: Operation,
        status: int,
        account: str,
        match: Match | None,
        url: str,
        body: bytes,
        headers: Headers,
        forced_id: str | None = None,
    ) -> Response:
        resource = plan.resource
        response_body = operation.responses.get(status)
        media = {"Content-Type": media_type_of(response_body)} if response_body else {}
        if plan.action == "template" or resource is None:
            data = lay_over(operation, status, None, None, {})
            return Response(status, Headers(media if data else {}), data)
        with self._lock:
            scope = self._scope(resource, match, account)
            if scope is None:
                return self._error(operation, "not_found", 404, "the parent record does not exist")
            kept = self._records.setdefault((resource.name, account, scope), {})
            record_id = self._record_id(resource, match, kept, operation, body)
            record = kept.get(record_id) if record_id is not None else None
            if record is None and resource.always and record_id is not None:
                record = self._create(resource, kept, record_id, None, account, operation)
            action = plan.action
            if action in ("get", "update", "delete", "act", "store", "download") and record is None:
                return self._error(
                    operation, "not_found", 404, _missing(resource, record_id), resource
                )
            request = operation.request
            fields = read_record(request, body) if request is not None else None
            if action in ("create", "upsert") and record is None:
                record = self._create(
                    resource,
                    kept,
                    forced_id or record_id,
                    fields,
                    account,
                    operation,
                    headers,
                    body,
                )
            elif action in ("update", "upsert") and record is not None:
                _merge(record, fields)
            elif action == "delete":
                assert record_id is not None and record is not None
                del kept[record_id]
                if response_body is not None and response_body.binary and record.files:
                    return _file_response(status, response_body, record.files[-1])
                data = lay_over(operation, status, None, None, {})
                return Response(status, Headers(media if data else {}), data)
            elif action == "store":
                assert record is not None
                self._store(resource, kept, record, operation, headers, body)
            if action == "download":
                assert record is not None and response_body is not None
                file = record.files[-1] if record.files else ("", "", b"")
                return _file_response(status, response_body, file)
            if action == "list":
                entries: list[tuple[Any, Mapping[str, str]]] = [
                    (r.fields, self._server_fields(resource, r)) for r in kept.values()
                ]
                total = len(entries)
                entries = _page(entries, operation, url)
                data = list_body(
                    operation, status, plan.items or "", plan.count, entries, total=total
                )
                return Response(status, Headers(media), data)
            assert record is not None
            data = lay_over(
                operation, status, plan.item, record.fields, self._server_fields(resource, record)
            )
            return Response(status, Headers(media if data else {}), data)

    def _record_id(
        self,
        resource: Resource,
        match: Match | None,
        kept: Mapping[str, _Record],
        operation: Operation,
        body: bytes,
    ) -> str | None:
        if resource.singleton:
            return "settings"
        spec = resource.id
        if spec is None:
            return None
        parameters = match.path_parameters if match is not None else {}
        if spec.parameter and spec.parameter in parameters:
            return parameters[spec.parameter]
        if spec.from_request and operation.request is not None:
            fields = read_record(operation.request, body)
            found = _field(fields, spec.field)
            if found:
                return found
        return None

    def _create(
        self,
        resource: Resource,
        kept: dict[str, _Record],
        record_id: str | None,
        fields: Any,
        account: str,
        operation: Operation,
        headers: Headers | None = None,
        body: bytes = b"",
    ) -> _Record:
        if record_id is None:
            spec = resource.id
            record_id = spec.new(self._rng) if spec is not None else "settings"
            while record_id in kept and spec is not None:
                record_id = spec.new(self._rng)
        server: dict[str, str] = {}
        if resource.id is not None:
            server[resource.id.field] = record_id
        if resource.progress is not None:
            server[resource.progress.field] = resource.progress.steps[0]
        record = _Record(record_id, copy.deepcopy(fields), server, created=time.monotonic())
        if resource.files is not None and headers is not None:
            record.files.extend(_file_parts(headers.get("content-type") or "", body))
            if record.files:
                name, media, _ = record.files[0]
                server[resource.files["name"]] = name
                server[resource.files["media_type"]] = media
        kept[record_id] = record
        self._last_id = record_id
        if resource.progress is not None:
            self._start_progress(resource, record, account)
        return record

    # -- bodies too large, seeds -------------------------------------------------------
    def takes_large(self, method: str, url: str) -> bool:
        """Whether the operation's contract allows bodies above the default parse limit."""
        match = self.router.match(method, url)
        request = match.operation.request if match is not None else None
        return request is not None and request.binary

    def too_large(self, method: str, url: str, limit: int) -> Response:
        match = self.router.match(method, url)
        if match is None:
            return _plain(413, f"the body is larger than {limit:,} bytes")
        return self._error(
            match.operation, "invalid", 400, f"the body is larger than {limit:,} bytes"
        )

    def seed(self, entries: list[Mapping[str, Any]]) -> list[str]:
        """Create records as if clients had sent these requests (no credentials, no rate
        limits): ``{operation, account, parameters, body, id}`` each; returns their ids."""
        created = []
        for entry in entries:
            operation = get_operation(str(entry["operation"]))
            provider = get_provider(operation.provider)
            account = str(entry.get("account", provider.account.placeholder))
            parameters = {str(k): str(v) for k, v in (entry.get("parameters") or {}).items()}
            if provider.account.parameter:
                parameters.setdefault(provider.account.parameter, account)
            body = entry.get("body", b"")
            if isinstance(body, Mapping | list):
                body = json.dumps(body).encode("utf-8")
            elif isinstance(body, str):
                body = body.encode("utf-8")
            report = validate(operation, body, part="request")
            if not report.valid:
                raise InvalidArgument(
                    f"seed for {operation.id} is refused by its contract: "
                    + "; ".join(_describe(issue) for issue in report.errors[:3])
                )
            url = operation.host + operation.url_template.format(**parameters)
            match = Match(operation, parameters, "")
            status = min((s for s in operation.statuses if s < 300), default=200)
            plan = self.table.of(operation)
            answer = self._act(
                plan,
                operation,
                status,
                account,
                match,
                url,
                bytes(body),
                Headers(),
                forced_id=entry.get("id"),
            )
            if answer.status >= 300:
                raise InvalidArgument(f"seed for {operation.id} failed: {answer.body[:200]!r}")
            created.append(self._last_id or "")
        return created

    def _store(
        self,
        resource: Resource,
        kept: dict[str, _Record],
        record: _Record,
        operation: Operation,
        headers: Headers,
        body: bytes,
    ) -> None:
        record.files.append(("upload", headers.get("content-type") or "", body))

    def _server_fields(self, resource: Resource, record: _Record) -> dict[str, str]:
        return dict(record.server)

    # -- orders that move on ------------------------------------------------------------
    def _start_progress(self, resource: Resource, record: _Record, account: str) -> None:
        progress = resource.progress
        assert progress is not None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._advance(resource, record, account))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _advance(self, resource: Resource, record: _Record, account: str) -> None:
        progress = resource.progress
        assert progress is not None
        for step in progress.steps[1:]:
            await asyncio.sleep(progress.every / self.config.time_scale)
            with self._lock:
                record.server[progress.field] = step
            if progress.notify:
                await self._notify(progress.notify, record, step)

    async def _notify(self, operation_id: str, record: _Record, status: str) -> None:
        from ._notify import notification_body, post

        data = notification_body(operation_id, record.id, status, record.fields)
        with self._lock:
            self.notifications.append((status, data))
        if self.config.webhook_url:
            await post(self.config.webhook_url, data)


def _file_response(status: int, body: Any, file: tuple[str, str, bytes]) -> Response:
    """A kept file, as the documented body type says (its own type when that is covered)."""
    from .._validation import media_type_issues

    _, media, content = file
    if not media or media_type_issues(body, media):
        media = body.media_types[0] if body.media_types else "application/octet-stream"
    return Response(status, Headers({"Content-Type": media}), content)


def _file_parts(media_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    """(file name, media type, content) of every file part of a multipart body."""
    if "multipart/" not in media_type.lower():
        return []
    import email.parser
    import email.policy

    head = f"Content-Type: {media_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    files = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("filename", header="content-disposition")
        content = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(content, bytes):
            files.append((name, part.get_content_type(), content))
    return files


def _merge(record: _Record, fields: Any) -> None:
    if fields is None:
        return
    if isinstance(record.fields, dict) and isinstance(fields, Mapping):
        record.fields.update(copy.deepcopy(dict(fields)))
        return
    if record.fields is not None and hasattr(fields, "tag"):
        for child in list(fields):
            if not isinstance(child.tag, str):
                continue
            previous = record.fields.find(child.tag)
            if previous is not None:
                record.fields.replace(previous, copy.deepcopy(child))
            else:
                record.fields.append(copy.deepcopy(child))
        return
    record.fields = copy.deepcopy(fields)


def _field(fields: Any, name: str) -> str | None:
    if isinstance(fields, Mapping):
        value = fields.get(name)
        return str(value) if value is not None else None
    if fields is not None and hasattr(fields, "findtext"):
        return fields.findtext(name) if local_name(fields) != name else (fields.text or None)
    return None


def _page(entries: list[Any], operation: Operation, url: str) -> list[Any]:
    """The page a list request asks for, as the provider's record pages (its page and size
    parameters, the number of its first page, its default size), when the operation takes
    those parameters (a list that documents none is answered whole)."""
    pagination = get_provider(operation.provider).pagination
    declared = (operation.query or {}).get("properties") or {}
    if pagination.size not in declared and pagination.page not in declared:
        return entries
    query = dict(parse_qsl(urlsplit(url).query))
    size_text = query.get(pagination.size, "")
    size = int(size_text) if size_text.isdigit() else pagination.default_size
    if pagination.max_size is not None:
        size = min(size, pagination.max_size)
    page_text = query.get(pagination.page, "")
    page = int(page_text) if page_text.isdigit() else pagination.first_page
    if size < 1 or page < pagination.first_page:
        return entries
    start = (page - pagination.first_page) * size
    return entries[start : start + size]


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


def _plain(status: int, message: str) -> Response:
    return Response(status, Headers({"Content-Type": "text/plain"}), message.encode("utf-8"))
