"""The rate limits the provider pages state (the file a provider record names under
``rate_limits``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from .._shared import load_yaml
from ._caches import forget_with_catalog
from ._operation import Operation
from ._providers import get_provider, providers

__all__ = ["RateLimit", "rate_limits"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``per_minute`` requests a minute to the paths it applies to, and bursts of at
    most ``burst[method]`` requests of one method class."""

    name: str
    provider: str
    applies_to: str
    per_minute: int
    burst: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""

    def applies(self, operation: Operation) -> bool:
        return operation.provider == self.provider and self.applies_to in operation.path

    def burst_of(self, method: str) -> int:
        """The burst of a method (the sustained rate when the page states none)."""
        return int(self.burst.get(method.upper(), self.per_minute))

    def group_of(self, method: str) -> str:
        """Methods that share one burst allowance: GET alone, every write together."""
        return "read" if method.upper() in ("GET", "HEAD") else "write"


@cache
def rate_limits(provider: str | None = None) -> tuple[RateLimit, ...]:
    """The stated rate limits (of one provider when given)."""
    found: list[RateLimit] = []
    for record in providers() if provider is None else (get_provider(provider),):
        path = record.file("rate_limits")
        if path is None:
            continue
        for entry in load_yaml(path) or []:
            found.append(_limit(record.name, entry))
    return tuple(found)


forget_with_catalog(rate_limits.cache_clear)


def _limit(provider: str, entry: Mapping[str, Any]) -> RateLimit:
    return RateLimit(
        name=str(entry["name"]),
        provider=provider,
        applies_to=str(entry["applies_to"]),
        per_minute=int(entry["per_minute"]),
        burst=MappingProxyType(
            {str(k).upper(): int(v) for k, v in (entry.get("burst") or {}).items()}
        ),
        source=str(entry.get("source", "")),
    )
