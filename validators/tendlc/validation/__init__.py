"""Validation: the engines behind :func:`validate`, and the :class:`Report` they produce."""

from ._report import Issue, Report, Severity, excerpt
from ._validate import PARTS, Part, validate

__all__ = ["PARTS", "Issue", "Part", "Report", "Severity", "excerpt", "validate"]
