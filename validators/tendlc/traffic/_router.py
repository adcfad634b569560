"""Which documented operation an HTTP request is: matching as data.

A router is built once from every operation's method and path template (prefix included:
``/v1/10dlc/brands/{brand_id}``). A request matches a template when its path *ends* with it,
whatever host and base prefix come before, so the providers' hosts, a loopback sandbox
(``http://127.0.0.1:8000/api/accounts/…``) and a proxy with a prefix all match. Among
matching templates the longest wins, then the one with the most literal segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .._catalog import Operation, operations, per_catalog

__all__ = ["Match", "Router", "default_router"]


@dataclass(frozen=True)
class Match:
    """An operation a request answers to, with the path parameters read from its URL."""

    operation: Operation
    path_parameters: Mapping[str, str]
    #: the part of the path before the documented template (``/sandbox`` behind a proxy)
    prefix: str


@dataclass(frozen=True)
class _Route:
    operation: Operation
    segments: tuple[str, ...]
    literals: int

    def bind(self, path: tuple[str, ...]) -> dict[str, str] | None:
        """The path parameters, when ``path`` ends with this template."""
        if len(path) < len(self.segments):
            return None
        tail = path[len(path) - len(self.segments) :]
        found: dict[str, str] = {}
        for template, actual in zip(self.segments, tail, strict=True):
            if template.startswith("{") and template.endswith("}"):
                if not actual:
                    return None
                found[template[1:-1]] = actual
            elif template != actual:
                return None
        return found


def _segments(path: str) -> tuple[str, ...]:
    return tuple(unquote(part) for part in path.strip("/").split("/") if part != "")


class Router:
    """Finds the operation of a request from its method and URL."""

    def __init__(self, catalog: Iterable[Operation]) -> None:
        self._routes: dict[str, list[_Route]] = {}
        self._by_root: dict[tuple[str, str], Operation] = {}
        for operation in catalog:
            if not operation.routable:
                body = operation.request
                if body is not None and body.wire == "xml":
                    self._by_root[(operation.method, body.locator)] = operation
                continue
            segments = _segments(operation.url_template)
            literals = sum(1 for s in segments if not s.startswith("{"))
            route = _Route(operation, segments, literals)
            self._routes.setdefault(operation.method, []).append(route)
        for routes in self._routes.values():
            routes.sort(key=lambda route: (len(route.segments), route.literals), reverse=True)

    def match(self, method: str, url: str) -> Match | None:
        """The operation of ``method url`` (None when no documented template fits)."""
        path = _segments(urlsplit(url).path)
        for route in self._routes.get(method.upper(), ()):
            bound = route.bind(path)
            if bound is not None:
                prefix = "/" + "/".join(path[: len(path) - len(route.segments)])
                return Match(route.operation, bound, prefix.rstrip("/"))
        return None

    def match_body(self, method: str, root: str) -> Operation | None:
        """An operation at a URL the documentation does not fix (the order notification a
        provider posts to the customer), recognised by its body's root element."""
        return self._by_root.get((method.upper(), root))

    def nearest(self, method: str, url: str) -> list[str]:
        """Operations whose template fits the path with another method (for hints)."""
        path = _segments(urlsplit(url).path)
        return sorted(
            f"{route.operation.method} {route.operation.id}"
            for other, routes in self._routes.items()
            if other != method.upper()
            for route in routes
            if route.bind(path) is not None
        )


@per_catalog
def default_router() -> Router:
    """The router of the whole catalog (built once per reading of the provider records)."""
    return Router(operations())
