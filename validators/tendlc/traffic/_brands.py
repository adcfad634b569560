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
checks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from .._catalog import Operation, get_operation
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

    def remember(self, provider: str, brand_id: str, fields: Mapping[str, Any]) -> None:
        """Keep a brand (plain data: ``display_name``, ``company_name``, ``website`` ...),
        its fields laid over what was kept of it before."""
        key = (provider, brand_id)
        with self._lock:
            merged = {**self._brands.pop(key, {}), **fields}
            self._brands[key] = merged
            while len(self._brands) > self.size:
                del self._brands[next(iter(self._brands))]

    def get(self, provider: str, brand_id: str) -> dict[str, Any] | None:
        """The brand kept under this id (None: none was seen)."""
        with self._lock:
            found = self._brands.get((provider, brand_id))
            return dict(found) if found is not None else None

    def __len__(self) -> int:
        """How many brands are kept."""
        return len(self._brands)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """The (provider, id) of each kept brand, oldest first."""
        with self._lock:
            return iter(list(self._brands))

    def clear(self) -> None:
        """Forget every brand."""
        with self._lock:
            self._brands.clear()

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
        found = get_operation(operation) if isinstance(operation, str) else operation
        from .._validation import brand_source  # the advice package, when first needed

        source = brand_source(found)
        if source is None:
            return []
        request = _parsed(exchange.request.body, limits) if source.request else None
        shown = source.shown(request, _parsed(response.body, limits), path_parameters)
        for brand_id, fields in shown:
            self.remember(found.provider, brand_id, fields)
        return [brand_id for brand_id, _ in shown]


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
