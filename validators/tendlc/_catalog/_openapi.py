"""Read a provider's OpenAPI 3.1 document into operations.

An operation's id is the provider's name and the document's ``operationId``
(``<provider>.<operationId>``); its base path is the record's, or else the path of the
document's first server. The examples a document gives a request or response media type
(``example``, or the first of ``examples``) are the documented bodies of a provider that ships
no documented exchanges of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from .._errors import ContractError
from .._shared import MISSING, get_at, json_pointer, resolve_ref, split_pointer
from ._operation import Body, Operation
from ._parameters import parameters_schema
from ._providers import Provider
from ._yaml import load_contract

__all__ = ["media_example", "openapi_operations"]

_METHODS = ("get", "put", "post", "patch", "delete")


def openapi_operations(provider: Provider) -> Iterator[Operation]:
    """The operations of a provider whose contract is an OpenAPI document."""
    contract = f"{provider.name}/{provider.contract}"
    document: Mapping[str, Any] = load_contract(contract)
    servers = document.get("servers") or [{}]
    base_path = provider.base_path
    if base_path is None:
        base_path = urlsplit(str(servers[0].get("url", ""))).path
    base_path = base_path.rstrip("/")
    for path, item in document.get("paths", {}).items():
        shared_parameters = item.get("parameters", [])
        for method in _METHODS:
            if method not in item:
                continue
            operation = item[method]
            base = ("paths", path, method)
            parameters = [
                resolve_ref(document, p)[0]
                for p in (*shared_parameters, *operation.get("parameters", []))
            ]
            yield Operation(
                id=f"{provider.name}.{operation['operationId']}",
                provider=provider.name,
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                source=operation.get("x-source", provider.source),
                request=_request(contract, document, operation, base),
                responses=MappingProxyType(_responses(contract, document, operation, base)),
                query=_parameters(document, parameters, "query"),
                path_parameters=_parameters(document, parameters, "path"),
                base_path=base_path,
                host=provider.default_url,
            )


def _parameters(
    document: Mapping[str, Any], parameters: list[Mapping[str, Any]], where: str
) -> dict[str, Any] | None:
    chosen = [p for p in parameters if p.get("in") == where]
    return parameters_schema(
        {p["name"]: _inlined(document, p.get("schema", {})) for p in chosen},
        required=[p["name"] for p in chosen if p.get("required")],
    )


_MAX_DEPTH = 32


def _inlined(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """A schema with each local ``$ref`` replaced by its target: parameter schemas are
    compiled (and their types read) on their own, away from the document."""
    if depth > _MAX_DEPTH:
        raise ContractError(f"a parameter schema nests (or refers to itself) past {_MAX_DEPTH}")
    node, _ = resolve_ref(document, node)
    if isinstance(node, Mapping):
        return {key: _inlined(document, value, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(document, value, depth + 1) for value in node]
    return node


def _request(
    contract: str,
    document: Mapping[str, Any],
    operation: Mapping[str, Any],
    base: tuple[str, ...],
) -> Body | None:
    if "requestBody" not in operation:
        return None
    body, moved = resolve_ref(document, operation["requestBody"])
    at = (moved,) if moved else (json_pointer([*base, "requestBody"]),)
    return _content(contract, body, at[0], closed=True)


def _responses(
    contract: str,
    document: Mapping[str, Any],
    operation: Mapping[str, Any],
    base: tuple[str, ...],
) -> dict[int, Body]:
    result: dict[int, Body] = {}
    for status, response in operation.get("responses", {}).items():
        if not str(status).isdigit():
            continue
        body, moved = resolve_ref(document, response)
        result[int(status)] = _content(
            contract, body, moved or json_pointer([*base, "responses", str(status)]), closed=False
        )
    return result


def _content(contract: str, body: Mapping[str, Any], at: str, *, closed: bool) -> Body:
    content = body.get("content") or {}
    if not content:
        return Body(media_types=(), empty=True, closed=closed)
    media_types = tuple(content)
    json_types = [media for media in media_types if media.endswith("json")]
    if json_types:
        locator = at + json_pointer(["content", json_types[0], "schema"])
        return Body(media_types=media_types, contract=contract, locator=locator, closed=closed)
    media = media_types[0]
    return Body(
        media_types=media_types,
        contract=contract,
        locator=at + json_pointer(["content", media, "schema"]),
        binary=True,
        closed=closed,
    )


def media_example(body: Body) -> bytes | None:
    """The example an OpenAPI document gives the media type of ``body`` (its ``example``, or
    the first of its ``examples``), as the bytes a client or a server would send; None when
    the document gives none (or the body's contract is not an OpenAPI document)."""
    tokens = split_pointer(body.locator) if body.locator.startswith("/") else []
    if not body.contract or tokens[-1:] != ["schema"]:
        return None
    document: Mapping[str, Any] = load_contract(body.contract)
    media = get_at(document, json_pointer(tokens[:-1]), None)
    if not isinstance(media, Mapping):
        return None
    value = media.get("example", MISSING)
    if value is MISSING:
        examples = media.get("examples")
        if not isinstance(examples, Mapping) or not examples:
            return None
        first, _ = resolve_ref(document, next(iter(examples.values())))
        if not isinstance(first, Mapping) or "value" not in first:
            return None
        value = first["value"]
    if isinstance(value, str) and body.wire != "json":
        return value.encode("utf-8")
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
