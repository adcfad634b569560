"""Mutations for the conditional rules, read from the contracts' own annotations.

XSD asserts carry ``t:kind`` (requires | forbids | invalid), ``t:field`` and ``t:when``
(``Child=VALUE`` or ``Child!=VALUE``, joined by `` and ``), plus ``t:invalid`` (a value that
breaks only this rule) for ``invalid``. JSON Schema rules are read from their own keywords:
``if``/``then`` with ``required``, ``not`` with ``required``, ``dependentRequired``, and an
``x-invalid`` value for anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from .._parsing import element_path
from .._shared import JSON_FIELD, JSON_INVALID, JSON_RULE, assert_rules
from .._validation import child_declarations, declarations_by_element, simple_facets
from ._adapters import Adapter, JsonAdapter, XmlAdapter, rule_nodes
from ._sites import Site


def xml_conditional_sites(adapter: XmlAdapter, payload: Any) -> list[Site]:
    sites: list[Site] = []
    for element, declaration in declarations_by_element(payload, adapter.declaration).items():
        children = child_declarations(declaration)
        base = element_path(element)
        for rule in assert_rules(declaration.type):
            if not (rule.kind and rule.field):
                continue
            triggers: dict[str, str] = {}
            feasible = True
            for clause in rule.when:
                if not clause.negated:
                    triggers[clause.field] = clause.value
                    continue
                name = clause.field
                options = (
                    simple_facets(children[name].type).enumeration if name in children else None
                )
                others = [option for option in options or () if option != clause.value]
                if not others:
                    feasible = False
                    break
                current = element.findtext(name)
                triggers[name] = current if current in others else others[0]
            if not feasible:
                continue
            target = f"{base}/{rule.field}"
            fill = adapter.value_strategy(target) if rule.kind == "forbids" else None

            def act(
                a: Adapter,
                p: Any,
                drawn: Any,
                *,
                triggers: dict[str, str] = triggers,
                base: str = base,
                target: str = target,
                kind: str = rule.kind,
                invalid: str | None = rule.invalid,
            ) -> bool:
                for name, value in triggers.items():
                    if not a.put(p, f"{base}/{name}", value):
                        return False
                if kind == "requires":
                    return a.delete(p, target) or not a.exists(p, target)
                if kind == "forbids":
                    return a.exists(p, target) or a.put(p, target, drawn)
                return invalid is not None and a.put(p, target, invalid)

            described = ", ".join(f"{k}={v}" for k, v in triggers.items())
            sites.append(
                Site(
                    target,
                    rule.rule,
                    f"{rule.kind} {rule.field} with {described or 'any values'}",
                    act,
                    fill,
                )
            )
    return sites


def json_conditional_sites(adapter: JsonAdapter, payload: Any) -> list[Site]:
    generator = adapter.generator
    sites: list[Site] = []
    objects = [("", adapter.root, payload)] + [
        (path, schema, value)
        for path, value, schema, _ in adapter.walk(payload)
        if isinstance(value, dict)
    ]
    for path, schema, value in objects:
        for node in rule_nodes(generator, schema):
            rule = node[JSON_RULE]
            sites.extend(_json_rule_sites(adapter, path, node, rule, value))
    return sites


def _json_rule_sites(
    adapter: JsonAdapter, path: str, node: Mapping[str, Any], rule: str, value: Mapping[str, Any]
) -> list[Site]:
    generator = adapter.generator
    sites: list[Site] = []
    if JSON_INVALID in node and node.get(JSON_FIELD):
        target = f"{path}/{node['x-field']}"
        invalid = node[JSON_INVALID]

        def put_invalid(a: Adapter, p: Any, _drawn: Any, t: str = target, v: Any = invalid) -> bool:
            return a.put(p, t, v)

        sites.append(
            Site(
                target,
                rule,
                f"break {rule}",
                put_invalid,
            )
        )
    conditionals = [node] + [generator.resolve(member) for member in node.get("allOf", [])]
    for conditional in conditionals:
        if "if" in conditional and "then" in conditional:
            sites.extend(_if_then_sites(adapter, path, rule, conditional))
    for field, needed in (node.get("dependentRequired") or {}).items():
        for other in needed:
            sites.append(_requires_site(adapter, path, rule, {}, [field], other))
    negated = generator.resolve(node.get("not")) if "not" in node else None
    if isinstance(negated, Mapping) and negated.get("required") and node.get(JSON_FIELD):
        both = list(negated["required"])
        offered = {name: adapter.value_strategy(f"{path}/{name}") for name in both}
        strategies = {name: found for name, found in offered.items() if found is not None}
        if len(strategies) == len(offered):
            target = f"{path}/{node['x-field']}"

            def fill(a: Adapter, p: Any, drawn: dict[str, Any], base: str = path) -> bool:
                for name, item in drawn.items():
                    if not a.exists(p, f"{base}/{name}") and not a.put(p, f"{base}/{name}", item):
                        return False
                return True

            sites.append(
                Site(
                    target,
                    rule,
                    f"send both {' and '.join(both)}",
                    fill,
                    st.fixed_dictionaries(strategies),
                )
            )
    return sites


def _if_then_sites(
    adapter: JsonAdapter, path: str, rule: str, node: Mapping[str, Any]
) -> list[Site]:
    generator = adapter.generator
    condition = generator.resolve(node["if"])
    then = generator.resolve(node["then"])
    triggers = {}
    for name, sub in (condition.get("properties") or {}).items():
        sub = generator.resolve(sub)
        if "const" in sub:
            triggers[name] = sub["const"]
        elif isinstance(sub.get("enum"), list) and sub["enum"]:
            triggers[name] = sub["enum"][0]
    present = [name for name in condition.get("required", []) if name not in triggers]
    return [
        _requires_site(adapter, path, rule, triggers, present, field, condition)
        for field in then.get("required", [])
    ]


def _requires_site(
    adapter: JsonAdapter,
    path: str,
    rule: str,
    triggers: dict[str, Any],
    present: list[str],
    field: str,
    condition: Any = None,
) -> Site:
    target = f"{path}/{field}"
    offered = {name: adapter.value_strategy(f"{path}/{name}") for name in present}
    strategies = {name: found for name, found in offered.items() if found is not None}

    def act(a: Adapter, p: Any, drawn: dict[str, Any] | None) -> bool:
        for name, value in triggers.items():
            if not a.put(p, f"{path}/{name}", value):
                return False
        for name, value in (drawn or {}).items():
            if not a.exists(p, f"{path}/{name}") and not a.put(p, f"{path}/{name}", value):
                return False
        a.delete(p, target)
        if condition is not None and not adapter.holds(condition, a.get(p, path) if path else p):
            return False  # the drawn values do not meet the rule's condition: no mutation
        return not a.exists(p, target)

    described = ", ".join([f"{k}={v}" for k, v in triggers.items()] + present)
    return Site(
        target,
        rule,
        f"leave out {field} with {described}",
        act,
        st.fixed_dictionaries(strategies) if strategies else None,
    )
