"""Read the machine-readable Bandwidth catalog that sits beside the XSDs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ._operation import Body, Operation
from ._parameters import parameters_schema
from ._yaml import load_contract

CATALOG = "bandwidth/catalog.yaml"
_XML = ("application/xml",)
DEFAULT_HOST = "https://dashboard.bandwidth.com"


def bandwidth_operations() -> Iterator[Operation]:
    catalog: Mapping[str, Any] = load_contract(CATALOG)
    for operation_id, entry in catalog.items():
        default_schema = f"bandwidth/{entry['schema']}"
        provider_sends = entry.get("sender") == "provider"
        request = entry.get("request")
        responses = {
            int(status): _body(spec, default_schema, closed=False)
            for status, spec in (entry.get("responses") or {}).items()
        }
        path_names = [part[1:-1] for part in entry["path"].split("/") if part.startswith("{")]
        yield Operation(
            id=operation_id,
            provider="bandwidth",
            method=entry["method"].upper(),
            path=entry["path"],
            summary=entry.get("summary", ""),
            source=entry.get("source", ""),
            request=None
            if not request
            else _body(request, default_schema, closed=not provider_sends),
            responses=MappingProxyType(responses),
            query=parameters_schema(entry.get("query") or {}, required=()),
            host=DEFAULT_HOST,
            path_parameters=parameters_schema(
                {name: {"type": "string", "minLength": 1} for name in path_names},
                required=path_names,
            ),
        )


def _body(spec: Mapping[str, Any] | None, default_schema: str, *, closed: bool) -> Body:
    if not spec:
        return Body(media_types=(), empty=True, closed=closed)
    media_types = tuple(spec.get("media_types", _XML))
    if spec.get("binary"):
        return Body(media_types=media_types, binary=True, closed=closed)
    schema = spec.get("schema")
    return Body(
        media_types=media_types,
        contract=f"bandwidth/{schema}" if schema else default_schema,
        locator=spec["root"],
        child=spec.get("child"),
        closed=closed,
    )
