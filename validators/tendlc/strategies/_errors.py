from __future__ import annotations

from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument

from .._errors import InvalidArgument as TendlcInvalidArgument

__all__ = ["InvalidArgument"]


class InvalidArgument(TendlcInvalidArgument, HypothesisInvalidArgument):
    """A strategy was called with arguments it cannot honour (unknown operation, field, status
    or form). It is both :class:`tendlc.InvalidArgument` (a :class:`ValueError`) and
    Hypothesis's own ``InvalidArgument``, so either ``except`` clause catches it."""
