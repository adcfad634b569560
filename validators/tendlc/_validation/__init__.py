"""Validation: the engines behind :func:`validate`, and the :class:`Report` they produce."""

from ._clock import clock, current_time
from ._messages import describe
from ._report import STRUCTURAL_RULES, Issue, Report, Severity, excerpt, relevance, unique
from ._validate import PARTS, prepare, validate

__all__ = [
    "PARTS",
    "STRUCTURAL_RULES",
    "Issue",
    "Report",
    "Severity",
    "clock",
    "current_time",
    "describe",
    "excerpt",
    "prepare",
    "relevance",
    "unique",
    "validate",
]
