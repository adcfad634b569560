"""A mutation site: one way to break one rule at one path of a payload, through an adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ._adapters import Adapter

#: (adapter, payload, drawn value) → whether the payload now breaks the rule
Action = Callable[[Adapter, Any, Any], bool]


@dataclass(frozen=True)
class Site:
    """One way to break one rule at one path."""

    path: str
    rule: str
    description: str
    action: Action
    value: st.SearchStrategy[Any] | None = None

    def apply(self, adapter: Adapter, payload: Any, value: Any) -> bool:
        return self.action(adapter, payload, value)
