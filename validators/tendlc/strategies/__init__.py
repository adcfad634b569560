"""Hypothesis strategies driven by the contracts: valid payloads and labelled invalid ones.

>>> from hypothesis import given
>>> from tendlc import strategies as tst
>>> @given(tst.requests("vonage.brands.create", overrides={"entity_type": "PUBLIC_PROFIT"}))
... def test_my_client(payload): ...

Every strategy is keyword-only after the operation id, validates its arguments when called
(raising :class:`InvalidArgument`), and shrinks to small readable payloads.
"""

from .._errors import require as _require

_require(["hypothesis"], "strategies", "tendlc.strategies")

from ._errors import InvalidArgument  # noqa: E402
from ._generate import Mutation, invalid_requests, requests, responses  # noqa: E402

__all__ = ["InvalidArgument", "Mutation", "invalid_requests", "requests", "responses"]
