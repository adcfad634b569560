"""Conformance runs: a suite of probes against a provider's sandbox (or tendlc's own), every
request and every answer checked against the contracts.

The probes (``probes.yaml``) run in an order that feeds the ids one call returns to the next;
read-only by default, they write only with ``allow_writes``. Credentials come from the
environment only (``BANDWIDTH_USERNAME``, ``BANDWIDTH_PASSWORD``, ``BANDWIDTH_ACCOUNT_ID``;
``VONAGE_API_KEY``, ``VONAGE_API_SECRET``) and never reach a report, a log or a recording.
"""

from ._probes import Poll, Probe, probes
from ._runner import (
    CREDENTIALS,
    DEFAULT_BASE_URLS,
    ConformOptions,
    ConnectionProblem,
    MissingCredentials,
    ProbeTimeout,
    run_conformance,
)

__all__ = [
    "CREDENTIALS",
    "DEFAULT_BASE_URLS",
    "ConformOptions",
    "ConnectionProblem",
    "MissingCredentials",
    "Poll",
    "Probe",
    "ProbeTimeout",
    "probes",
    "run_conformance",
]
