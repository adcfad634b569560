"""Validation: the engines behind :func:`validate`, and the :class:`Report` they produce."""

from .._catalog import PARTS
from ._clock import clock, current_time
from ._json import explain
from ._messages import describe
from ._report import STRUCTURAL_RULES, Issue, Report, Severity, excerpt, relevance, unique
from ._validate import media_type_issues, prepare, validate

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
    "explain",
    "media_type_issues",
    "prepare",
    "relevance",
    "unique",
    "validate",
]
