"""A local provider sandbox, built from the contracts and the catalog.

>>> from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread
>>> running = serve_in_thread(create_app(SandboxConfig()))  # doctest: +SKIP
>>> str(running)  # doctest: +SKIP
'http://127.0.0.1:40123'

Every documented operation of every provider is served under one root: the traffic layer's
router finds the operation, tendlc validates the request (a refused one gets the provider's
documented error body), and the behaviour table (each provider's ``sandbox.yaml``) says what
the operation does to the records kept and which answer fields the sandbox sets (ids,
accounts, users, dates, links, paging). Answers are the documented examples with the records
laid over them, so they follow the contracts. Rate limits, credentials, orders that move on
(with their notifications), seeds a reset returns to, a request log, ``Prefer`` choices and
named misbehaviours are there to test clients against; ``SandboxConfig(review="strict")``
refuses what the advice rules find fault with, as a carrier's review would.
"""

from .._errors import require as _require

_require(["starlette", "uvicorn", "httpx"], "sandbox", "the tendlc sandbox")

from ._app import create_app  # noqa: E402
from ._engine import REVIEWS, Sandbox, SandboxConfig  # noqa: E402
from ._log import Arrival, access_log  # noqa: E402
from ._misbehave import RULES, Injection, Misbehaviour, Rule  # noqa: E402
from ._prefer import MAX_DELAY  # noqa: E402
from ._seed import SeedEntry, parse_seed, seed_file, seed_schema  # noqa: E402
from ._server import RunningServer, serve_in_thread  # noqa: E402

__all__ = [
    "MAX_DELAY",
    "REVIEWS",
    "RULES",
    "Arrival",
    "Injection",
    "Misbehaviour",
    "Rule",
    "RunningServer",
    "Sandbox",
    "SandboxConfig",
    "SeedEntry",
    "access_log",
    "create_app",
    "parse_seed",
    "seed_file",
    "seed_schema",
    "serve_in_thread",
]
