"""The traffic layer: HTTP exchanges checked against the contracts.

>>> from tendlc.traffic import Exchange, Request, Response, check_exchange
>>> exchange = Exchange(
...     Request("GET", "https://api.nexmo.com/v1/10dlc/brands/BLQKOPK"),
...     Response(200, body=b"{}"),
... )
>>> result = check_exchange(exchange)
>>> result.operation
'vonage.brands.get'

An :class:`Exchange` is built from httpx, requests, a vcrpy interaction or ASGI;
:func:`check_exchange` finds its operation (whatever host and prefix the URL has) and runs the
registered checks (:func:`tendlc.check`) of the request (path, query, body) and the response
(status, body) into one :class:`ExchangeResult`; :func:`capture` and
:class:`CheckingTransport` see the traffic of code that was not written for it;
:class:`BrandMemory` remembers the brands exchanges show, for the advice on the campaigns
that name them by id; :func:`scrub` removes credentials before a recording,
:meth:`SecretRules.mask` (and :func:`mask_run` for a serialised run) before a report or a log
line.
"""

from ._brands import BrandMemory
from ._capture import AsyncCheckingTransport, CheckingTransport, Sink, capture
from ._check import (
    EXCERPT,
    Direction,
    ExchangeResult,
    Waits,
    bounded,
    check_exchange,
    check_request,
)
from ._exchange import Exchange, Headers, Request, Response
from ._limiter import Limiter, arrivals_within_limits
from ._router import Match, Router, default_router
from ._run import Run, RunEntry, Summary, mask_run
from ._secrets import (
    Placeholders,
    SecretRules,
    Suspect,
    credential_variables,
    find_secrets,
    known_credentials,
    mask_url,
    scrub,
)

__all__ = [
    "EXCERPT",
    "AsyncCheckingTransport",
    "BrandMemory",
    "CheckingTransport",
    "Direction",
    "Exchange",
    "ExchangeResult",
    "Headers",
    "Limiter",
    "Match",
    "Placeholders",
    "Request",
    "Response",
    "Router",
    "Run",
    "RunEntry",
    "SecretRules",
    "Sink",
    "Summary",
    "Suspect",
    "Waits",
    "arrivals_within_limits",
    "bounded",
    "capture",
    "check_exchange",
    "check_request",
    "credential_variables",
    "default_router",
    "find_secrets",
    "known_credentials",
    "mask_run",
    "mask_url",
    "scrub",
]
