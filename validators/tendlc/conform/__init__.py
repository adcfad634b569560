"""Conformance runs: a suite of probes against a provider's sandbox (or tendlc's own), every
request and every answer checked against the contracts.

The probes (the ``probes`` file of each provider record) run in an order that feeds the ids one
call returns to the next; read-only by default, they write only with ``allow_writes``.
Credentials come from the environment only (the variables the provider record names under
``credentials``) and never reach a report, a log or a recording.
"""

from ._probes import Poll, Probe, probes
from ._runner import run_conformance
from ._session import ConformOptions, ConnectionProblem, MissingCredentials, ProbeTimeout
from ._state import CACHE_VARIABLE, limiter_state_file

__all__ = [
    "CACHE_VARIABLE",
    "ConformOptions",
    "ConnectionProblem",
    "MissingCredentials",
    "Poll",
    "Probe",
    "ProbeTimeout",
    "limiter_state_file",
    "probes",
    "run_conformance",
]
