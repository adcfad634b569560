"""Advice: the reasons carriers and The Campaign Registry reject registrations that the contracts
accept, checked offline before a campaign is submitted.

The rules are data (``rules.yaml`` beside this module: each rule's kind, the field roles it reads,
its lexicons, its cited source and the fix it suggests); each provider maps the roles to its
fields in ``contracts/<provider>/advice.yaml``. Advice never makes a report invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .._checks import CheckContext, check
from .._report import Issue
from ._brands import BrandSource, brand_fields, brand_reference, brand_source
from ._engine import CHECKS, advise, rules_for
from ._roles import RoleMap, Value, role_map
from ._rules import Citation, Rule, RuleSet, rule_set

__all__ = [
    "CHECKS",
    "BrandSource",
    "Citation",
    "RoleMap",
    "Rule",
    "RuleSet",
    "Value",
    "advise",
    "brand_fields",
    "brand_reference",
    "brand_source",
    "register_checks",
    "role_map",
    "rule_set",
    "rules",
    "rules_for",
]


def rules() -> tuple[Rule, ...]:
    """Every advice rule, in the order of the rules file."""
    return rule_set().rules


def _advice_of(context: CheckContext) -> Mapping[str, list[Issue]]:
    """Every advice of the context's body by rule id: the engine runs once per body, however
    many advice checks are selected."""
    found: dict[str, list[Issue]] = {}
    context.memo[_MEMO] = found
    operation = context.operation
    if operation is not None and role_map(operation) is not None:
        document = context.document
        if document is not None:
            for issue in advise(operation, document, brand=context.brand):
                found.setdefault(issue.rule, []).append(issue)
    return found


_MEMO = "advice"


def _rule_check(rule_id: str) -> Callable[[CheckContext], Iterable[Issue]]:
    """The check of one rule: its issues among those the engine found (one call of the engine
    per body, the others a look-up; this runs once per rule and body)."""

    def rule_check(context: CheckContext) -> Iterable[Issue]:
        found = context.memo.get(_MEMO)
        if found is None:
            found = _advice_of(context)
        return found.get(rule_id, ())

    return rule_check


def register_checks() -> None:
    """Register each advice rule as a check named by its rule id (once per process: the
    registry's loader calls it the first time advice is asked for)."""
    for rule in rule_set().rules:
        check(rule.id, parts=("request",), advice=True, description=rule.rationale)(
            _rule_check(rule.id)
        )
