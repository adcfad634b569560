from __future__ import annotations

import difflib
from collections.abc import Iterable


class UnknownOperationError(LookupError):
    """An operation id that is not in the catalog; the message suggests the nearest ids."""

    def __init__(self, operation_id: str, known: Iterable[str]) -> None:
        self.operation_id = operation_id
        known = list(known)
        self.suggestions = difflib.get_close_matches(operation_id, known, n=3, cutoff=0.5)
        if not self.suggestions:
            prefix = operation_id.split(".")[0]
            self.suggestions = [op for op in known if op.startswith(prefix + ".")][:3]
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"unknown operation {operation_id!r}{hint} (`tendlc operations` lists all)"
        )

    def __str__(self) -> str:
        return str(self.args[0])
