"""Advice: the reasons carriers and The Campaign Registry reject registrations that the contracts
accept, checked offline before a campaign is submitted.

The rules are data (``rules.yaml`` beside this module: each rule's kind, the field roles it reads,
its lexicons, its cited source and the fix it suggests); each provider maps the roles to its
fields in ``contracts/<provider>/advice.yaml``. Advice never makes a report invalid.
"""

from __future__ import annotations

from typing import Any

from .._catalog import Operation, get_operation
from .._validation import Report, validate
from ._engine import CHECKS, advise, rules_for
from ._roles import RoleMap, Value, role_map
from ._rules import Citation, Rule, RuleSet, rule_set

__all__ = [
    "CHECKS",
    "Citation",
    "RoleMap",
    "Rule",
    "RuleSet",
    "Value",
    "advice_for",
    "advise",
    "role_map",
    "rule_set",
    "rules",
    "rules_for",
]


def rules() -> tuple[Rule, ...]:
    """Every advice rule, in the order of the rules file."""
    return rule_set().rules


def advice_for(
    operation_id: str | Operation, payload: Any, *, brand: Any = None, **options: Any
) -> Report:
    """The contract's report on a request body with the advice on it added: ``validate`` (with
    ``options``) and then :func:`advise`. Advice leaves the report valid."""
    operation = get_operation(operation_id)
    report = validate(operation, payload, part="request", **options)
    advice = tuple(advise(operation, payload, brand=brand))
    if not advice:
        return report
    return Report(report.operation, report.part, report.status, report.issues + advice)
