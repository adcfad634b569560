"""The brands a run of exchanges has shown, remembered for the campaigns that name them.

>>> from tendlc.traffic import BrandMemory, Exchange, Request, Response, check_exchange
>>> memory = BrandMemory()
>>> created = Exchange(
...     Request("POST", "https://api.nexmo.com/v1/10dlc/brands",
...             body=b'{"display_name": "Acme Plumbing", "website": "https://acme.example"}'),
...     Response(201, body=b'{"brand_id": "BXYZ123"}'),
... )
>>> memory.learn(created)
['BXYZ123']
>>> memory.get("vonage", "BXYZ123")["display_name"]
'Acme Plumbing'

``check_exchange(exchange, advice=True, brands=memory)`` reads the remembered brand of a
campaign exchange (the brand the campaign names by id) and learns from every exchange it
checks. It only notes them (:meth:`BrandMemory.observe`): the brands are read from the noted
exchanges when the memory is first read, so a run that never asks for advice never parses a
brand or loads the advice rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from .._catalog import Operation, advice_files, get_operation, per_catalog
from .._parsing import DEFAULT_LIMITS, Limits, ParseError, parse_json, parse_xml
from ._exchange import Exchange
from ._router import Router, default_router

__all__ = ["BrandMemory"]


class BrandMemory:
    """The brands exchanges have shown, by provider and id (thread-safe): what a brand's
    create or update sent and its answer's id, and the brands of the brand reads' answers
    (where each provider's exchanges hold them: ``brand_exchanges`` of its ``advice.yaml``).
    A campaign exchange that names a brand by id (``brand_references``) gets that brand from
    :meth:`brand_for`. At most ``size`` brands are kept, the oldest forgotten first."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._brands: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        #: exchanges noted by :meth:`observe`, read when the memory is next read
        self._noted: list[tuple[Exchange, Operation, dict[str, str], Limits]] = []
        self._noted_bytes = 0

    def observe(
        self,
        exchange: Exchange,
        *,
        operation: Operation,
        path_parameters: Mapping[str, str],
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        """Note an exchange to learn from when the memory is next read (the same as
        :meth:`learn`, later): only an answered success of an operation that shows brands is
        kept, and nothing is parsed now. An exchange with more than 64 KiB of bodies is read at
        once, and past 256 exchanges or 512 KiB of bodies the noted ones are."""
        response = exchange.response
        if response is None or not 200 <= response.status < 300:
            return
        if operation.id not in _showing_brands():
            return
        size = len(exchange.request.body) + len(response.body)
        if size > _NOTED_BODIES:  # a large answer is read now rather than kept
            self.learn(
                exchange, operation=operation, path_parameters=path_parameters, limits=limits
            )
            return
        with self._lock:
            self._noted.append((exchange, operation, dict(path_parameters), limits))
            self._noted_bytes += size
            full = len(self._noted) >= _NOTED or self._noted_bytes >= _NOTED_BYTES
        if full:
            self._settle()

    def _settle(self) -> None:
        """Learn from the exchanges noted so far, in the order they were noted."""
        with self._lock:
            noted, self._noted, self._noted_bytes = self._noted, [], 0
        for exchange, operation, parameters, limits in noted:
            self._learn(exchange, operation, parameters, limits)

    def remember(self, provider: str, brand_id: str, fields: Mapping[str, Any]) -> None:
        """Keep a brand (plain data: ``display_name``, ``company_name``, ``website`` ...),
        its fields laid over what was kept of it before."""
        self._settle()
        self._keep(provider, brand_id, fields)

    def _keep(self, provider: str, brand_id: str, fields: Mapping[str, Any]) -> None:
        key = (provider, brand_id)
        with self._lock:
            merged = {**self._brands.pop(key, {}), **fields}
            self._brands[key] = merged
            while len(self._brands) > self.size:
                del self._brands[next(iter(self._brands))]

    def get(self, provider: str, brand_id: str) -> dict[str, Any] | None:
        """The brand kept under this id (None: none was seen)."""
        self._settle()
        with self._lock:
            found = self._brands.get((provider, brand_id))
            return dict(found) if found is not None else None

    def __len__(self) -> int:
        """How many brands are kept."""
        self._settle()
        return len(self._brands)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """The (provider, id) of each kept brand, oldest first."""
        self._settle()
        with self._lock:
            return iter(list(self._brands))

    def clear(self) -> None:
        """Forget every brand (and the exchanges noted to learn from)."""
        with self._lock:
            self._brands.clear()
            self._noted, self._noted_bytes = [], 0

    def brand_for(
        self,
        operation: str | Operation,
        path_parameters: Mapping[str, str],
    ) -> dict[str, Any] | None:
        """The brand an operation's request names by id (None: it names none, or one not
        seen)."""
        found = get_operation(operation) if isinstance(operation, str) else operation
        from .._validation import brand_reference  # the advice package, when first needed

        parameter = brand_reference(found)
        brand_id = path_parameters.get(parameter) if parameter else None
        return self.get(found.provider, brand_id) if brand_id else None

    def learn(
        self,
        exchange: Exchange,
        *,
        operation: str | Operation | None = None,
        path_parameters: Mapping[str, str] | None = None,
        router: Router | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> list[str]:
        """Keep the brands an exchange shows (an answered success of an operation that shows
        brands); returns their ids. The operation and path parameters are the router's unless
        given; bodies that cannot be read show nothing."""
        response = exchange.response
        if response is None or not 200 <= response.status < 300:
            return []
        if operation is None or path_parameters is None:
            sent = exchange.request
            match = (router or default_router()).match(sent.method, sent.url)
            if operation is None and match is not None:
                operation = match.operation
            if operation is None:
                return []
            if path_parameters is None:
                path_parameters = (
                    match.path_parameters
                    if match is not None and match.operation.id == get_operation(operation).id
                    else {}
                )
        self._settle()
        found = get_operation(operation) if isinstance(operation, str) else operation
        return self._learn(exchange, found, path_parameters, limits)

    def _learn(
        self,
        exchange: Exchange,
        operation: Operation,
        path_parameters: Mapping[str, str],
        limits: Limits,
    ) -> list[str]:
        from .._validation import brand_source  # the advice package, when first needed

        source = brand_source(operation)
        response = exchange.response
        if source is None or response is None:
            return []
        request = _parsed(exchange.request.body, limits) if source.request else None
        shown = source.shown(request, _parsed(response.body, limits), path_parameters)
        for brand_id, fields in shown:
            self._keep(operation.provider, brand_id, fields)
        return [brand_id for brand_id, _ in shown]


#: the bounds of what is noted before it is read: exchanges, their bodies' bytes, and the
#: bodies of one exchange (a larger one is read at once)
_NOTED = 256
_NOTED_BYTES = 512 << 10
_NOTED_BODIES = 64 << 10


@per_catalog
def _showing_brands() -> frozenset[str]:
    """The operations whose exchanges show brands (``brand_exchanges`` of each provider's
    advice file), read without the advice rules."""
    return frozenset(
        str(operation)
        for data in advice_files().values()
        for operation in (data.get("brand_exchanges") or {})
    )


def _parsed(body: bytes, limits: Limits) -> Any:
    """A body as a document (None: empty or unreadable)."""
    data = body.strip()
    if not data:
        return None
    try:
        if data.startswith(b"<"):
            return parse_xml(data, limits)
        return parse_json(data, limits)
    except ParseError:
        return None
