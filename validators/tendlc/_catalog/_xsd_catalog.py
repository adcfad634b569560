"""Read a provider's XSD operation catalog (``catalog.yaml`` beside its XSDs) into operations.

The format is in ``contracts/README.md``: per operation id, the method, the path template,
the query parameters with their bounds, the XSD file and the root element of the request and
of each documented response.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .._errors import ContractError
from ._operation import Body, Operation
from ._parameters import parameters_schema
from ._providers import Provider
from ._yaml import load_contract

__all__ = ["xsd_catalog_operations"]

_XML = ("application/xml",)


def xsd_catalog_operations(provider: Provider) -> Iterator[Operation]:
    """The operations of a provider whose contract is an XSD catalog."""
    catalog: Mapping[str, Any] = load_contract(f"{provider.name}/{provider.contract}")
    for operation_id, entry in catalog.items():
        if not str(operation_id).startswith(provider.name + "."):
            raise ContractError(
                f"{provider.name}/{provider.contract}: {operation_id!r} does not start with "
                f"the provider's name"
            )
        default_schema = f"{provider.name}/{entry['schema']}"
        provider_sends = entry.get("sender") == "provider"
        request = entry.get("request")
        responses = {
            int(status): _body(provider, spec, default_schema, closed=False)
            for status, spec in (entry.get("responses") or {}).items()
        }
        path_names = [part[1:-1] for part in entry["path"].split("/") if part.startswith("{")]
        yield Operation(
            id=operation_id,
            provider=provider.name,
            method=entry["method"].upper(),
            path=entry["path"],
            summary=entry.get("summary", ""),
            source=entry.get("source", provider.source),
            request=None
            if not request
            else _body(provider, request, default_schema, closed=not provider_sends),
            responses=MappingProxyType(responses),
            query=parameters_schema(entry.get("query") or {}, required=()),
            base_path=provider.base_path or "",
            host=provider.default_url,
            path_parameters=parameters_schema(
                {name: {"type": "string", "minLength": 1} for name in path_names},
                required=path_names,
            ),
        )


def _body(
    provider: Provider, spec: Mapping[str, Any] | None, default_schema: str, *, closed: bool
) -> Body:
    if not spec:
        return Body(media_types=(), empty=True, closed=closed)
    media_types = tuple(spec.get("media_types", _XML))
    if spec.get("binary"):
        return Body(media_types=media_types, binary=True, closed=closed)
    schema = spec.get("schema")
    return Body(
        media_types=media_types,
        contract=f"{provider.name}/{schema}" if schema else default_schema,
        locator=spec["root"],
        child=spec.get("child"),
        closed=closed,
    )
