from __future__ import annotations


class InvalidArgument(ValueError):
    """A strategy was called with arguments it cannot honour (unknown field, wrong part …)."""
