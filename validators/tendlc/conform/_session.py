"""What a conformance run is given (:class:`ConformOptions`) and what it carries from one call
to the next (:class:`Session`), and the errors it ends with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._catalog import Operation, get_provider
from .._errors import TendlcError
from ..traffic import BrandMemory, ExchangeResult, Limiter, SecretRules, Waits

__all__ = [
    "ConformOptions",
    "ConnectionProblem",
    "MissingCredentials",
    "ProbeTimeout",
    "Send",
    "Session",
]


class MissingCredentials(TendlcError, LookupError):
    """The environment does not hold the provider's credentials."""


class ConnectionProblem(TendlcError, ConnectionError):
    """The provider (or sandbox) could not be reached."""


class ProbeTimeout(TendlcError, TimeoutError):
    """A probe got no answer in time (or only 429s); ``waits`` says what it waited."""

    def __init__(self, message: str, waits: Waits | None = None) -> None:
        super().__init__(message)
        self.waits = waits or Waits()


@dataclass(frozen=True)
class ConformOptions:
    provider: str
    base_url: str | None = None
    allow_writes: bool = False
    record: Path | None = None
    #: run the stated limits on a faster clock (a sandbox started with the same scale)
    time_scale: float = 1.0
    timeout: float = 30.0
    retries: int = 10
    fuzz: bool = False
    #: generated cases per operation, of each kind (valid, invalid)
    fuzz_examples: int = 5
    #: the same cases for the same seed (None: new ones each run, the seed drawn is reported)
    fuzz_seed: int | None = None
    #: seconds after which no further generated case is sent (None: no bound)
    fuzz_time: float | None = None
    #: what recordings put in place of ids (``[tool.tendlc.record]``)
    record_path_parameters: Mapping[str, str] = field(default_factory=dict)
    record_values: Mapping[str, str] = field(default_factory=dict)
    #: undocumented response fields (warnings) are errors: they fail the run
    warnings_as_errors: bool = False
    #: seconds a call may take; a slower answer is a ``response-time`` error (None: any)
    max_response_time: float | None = None
    #: run the advice checks (why carriers reject registrations); advice fails nothing
    #: unless ``advice_as_errors``
    advice: bool = False
    advice_as_errors: bool = False
    #: where the rate limiter's state is kept between runs (None: not kept)
    limiter_state: Path | None = None

    @property
    def url(self) -> str:
        """Where the probes go: ``base_url``, or the provider's first documented host."""
        return (self.base_url or get_provider(self.provider).default_url).rstrip("/")


@dataclass
class Session:
    """One run's client, limiter, masking rules, the values its probes captured and the
    brands its exchanges showed (for the advice on the campaigns that name them)."""

    options: ConformOptions
    credentials: tuple[str, str]
    account: str
    client: Any
    limiter: Limiter
    rules: SecretRules
    values: dict[str, str] = field(default_factory=dict)
    rate_limited: int = 0
    #: what fuzzing did (its seed, the cases sent), for the run's context
    fuzz_context: dict[str, Any] = field(default_factory=dict)
    on_probe: Callable[[str], None] | None = None
    brands: BrandMemory = field(default_factory=BrandMemory)


#: sends one request of an operation and checks the exchange: (session, operation, url, body,
#: media type, name) → the checked result
Send = Callable[[Session, Operation, str, bytes, "str | None", str], ExchangeResult]
