"""Applying the advice rules to a document: one small mechanism per kind of rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..._catalog import Operation, get_operation, per_catalog
from ..._errors import InvalidArgument
from ..._parsing import ParseError, parse_json, parse_xml
from .._report import Issue, Severity, excerpt
from ._roles import RoleMap, Value, brand_readings, brand_values, role_map
from ._rules import Rule, RuleSet, rule_set
from ._text import (
    Document,
    Lexicon,
    Scanner,
    Text,
    domain_of,
    host_gate,
    non_latin_share,
    related_domains,
    spaced_names,
)

#: Texts with fewer words than this do not tell a language apart.
_MIN_WORDS = 4


@dataclass(frozen=True)
class Plan:
    """What judging one operation's documents takes, worked out once: the rules, the roles they
    read, per role read as text a scanner of only the lexicons its rules look for (and of the
    words the language rule counts), and the rules that look for a lexicon grouped so that a
    document is judged by a few set operations per text."""

    roles: RoleMap
    #: rule id -> its place in the rules file (issues come in that order)
    order: Mapping[str, int]
    scanners: Mapping[str, Scanner]
    #: the roles whose texts are read
    text_roles: tuple[str, ...]
    #: ``mentions`` of a lexicon in each text: role -> lexicon names, and (lexicon, rule) pairs
    each_required: Mapping[str, frozenset[str]]
    each: Mapping[str, tuple[tuple[str, Rule], ...]]
    #: ``mentions`` of a lexicon in any text of some roles: (roles, lexicon names, pairs)
    any_groups: tuple[tuple[tuple[str, ...], frozenset[str], tuple[tuple[str, Rule], ...]], ...]
    #: ``forbids``: role -> lexicon names, and (role, lexicon) -> the rules a finding breaks
    forbidden: Mapping[str, frozenset[str]]
    forbids: Mapping[tuple[str, str], tuple[Rule, ...]]
    #: every other rule, applied one by one by the mechanism of its kind
    rules: tuple[Rule, ...]
    #: (mechanism, rule) of those
    steps: tuple[tuple[Callable[[Rule, Context], None], Rule], ...] = ()
    #: what the scanners look for that is rare: template brackets, and hosts (a search)
    needs: tuple[str, ...] = ()
    hosts: Callable[[str], object] | None = None


@per_catalog
def _plan(operation_id: str) -> Plan | None:
    roles = role_map(get_operation(operation_id))
    if roles is None:
        return None
    rules = rules_for(operation_id)
    wanted: dict[str, dict[str, Lexicon]] = {}
    each: dict[str, list[tuple[str, Rule]]] = {}
    any_groups: dict[tuple[str, ...], list[tuple[str, Rule]]] = {}
    forbids: dict[tuple[str, str], list[Rule]] = {}
    one_by_one: list[Rule] = []
    text_roles: dict[str, None] = {}
    for rule in rules:
        if rule.kind in _TEXT_KINDS:
            text_roles.update(dict.fromkeys(role for role in rule.reads if role in roles.roles))
        lexicon = rule.lexicon
        if lexicon is not None:
            for role in rule.reads:
                wanted.setdefault(role, {})[lexicon.name] = lexicon
        if lexicon is not None and rule.kind == "mentions" and not rule.when:
            if rule.scope == "any":
                any_groups.setdefault(rule.reads, []).append((lexicon.name, rule))
            else:
                for role in rule.reads:
                    each.setdefault(role, []).append((lexicon.name, rule))
        elif lexicon is not None and rule.kind == "forbids":
            for role in rule.reads:
                forbids.setdefault((role, lexicon.name), []).append(rule)
        else:
            one_by_one.append(rule)
    scanners = _scanners(rules, wanted, text_roles)
    every = {lexicon for lexicons in wanted.values() for lexicon in lexicons.values()}
    forbidden: dict[str, set[str]] = {}
    for role, name in forbids:
        forbidden.setdefault(role, set()).add(name)
    return Plan(
        roles=roles,
        order={rule.id: index for index, rule in enumerate(rules)},
        scanners=scanners,
        text_roles=tuple(text_roles),
        each_required={role: frozenset(n for n, _ in pairs) for role, pairs in each.items()},
        each={role: tuple(pairs) for role, pairs in each.items()},
        any_groups=tuple(
            (group, frozenset(n for n, _ in pairs), tuple(pairs))
            for group, pairs in any_groups.items()
        ),
        forbidden={role: frozenset(names) for role, names in forbidden.items()},
        forbids={key: tuple(group) for key, group in forbids.items()},
        rules=tuple(one_by_one),
        steps=tuple((CHECKS[rule.kind], rule) for rule in one_by_one),
        needs=tuple(
            sorted({need for lexicon in every if lexicon.raw for need in lexicon.raw_needs})
        ),
        hosts=host_gate({host for lexicon in every for host in lexicon.hosts}),
    )


def _scanners(
    rules: tuple[Rule, ...], wanted: Mapping[str, Mapping[str, Lexicon]], text_roles: Iterable[str]
) -> dict[str, Scanner]:
    """Per role read as text, a scanner of the lexicons its rules look for (and of the words
    the language rules count, for the roles they read)."""
    counted = {role for rule in rules if rule.kind == "language" for role in rule.reads}
    return {
        role: Scanner(
            wanted.get(role, {}).values(),
            rule_set().domains,
            also=rule_set().languages.foreign if role in counted else (),
        )
        for role in (*wanted, *text_roles)
    }


def rules_for(operation_id: str | Operation) -> tuple[Rule, ...]:
    """The advice rules that judge an operation's request bodies, in file order (none for an
    operation the providers' role maps do not name)."""
    operation = get_operation(operation_id)
    roles = role_map(operation)
    if roles is None:
        return ()
    return tuple(
        rule for rule in rule_set().rules if any(role in roles.roles for role in rule.subjects)
    )


#: The kinds of rule that read texts (the others read values).
_TEXT_KINDS = ("mentions", "forbids", "flag-agrees", "distinct", "count", "language")


class _Fields(dict[str, Any]):
    """Message fields; a field a template names but the rule did not fill stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Context:
    """What the rules of one document share: its role values, the brand's, the texts (each
    read once), and the issues found so far."""

    def __init__(
        self,
        plan: Plan,
        values: Mapping[str, tuple[Value, ...]],
        brand: Mapping[str, tuple[Value, ...]],
        rules: RuleSet,
    ) -> None:
        self.plan = plan
        self.roles = plan.roles
        self.partial = plan.roles.partial
        self.values = values
        self.brand = brand
        self.rules = rules
        self.issues: list[Issue] = []
        # the texts of every role read, read together once for what is rare in them
        read = [
            (role, value)
            for role in plan.text_roles
            for value in values.get(role, ())
            if type(value.value) is str and value.value.strip()
        ]
        document = Document((value.value for _, value in read), plan.needs, plan.hosts)
        self._texts: dict[str, list[Text]] = {}
        for role, value in read:
            text = Text(value.value, value.path, plan.scanners.get(role), document)
            self._texts.setdefault(role, []).append(text)
        self._groups: dict[tuple[str, ...], list[Text]] = {}
        self._names: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._found: dict[tuple[str, ...], set[str]] = {}

    def role_texts(self, role: str) -> list[Text]:
        """The non-empty texts of one role."""
        texts = self._texts.get(role)
        if texts is None:  # a role no rule reads as text
            scanner = self.plan.scanners.get(role)
            texts = self._texts[role] = [
                Text(value.value, value.path, scanner)
                for value in self.values.get(role, ())
                if type(value.value) is str and value.value.strip()
            ]
        return texts

    def texts(self, roles: tuple[str, ...]) -> list[Text]:
        """The non-empty texts of these roles, in role order."""
        texts = self._groups.get(roles)
        if texts is None:
            texts = self._groups[roles] = [t for role in roles for t in self.role_texts(role)]
        return texts

    def found(self, roles: tuple[str, ...]) -> set[str]:
        """The names of the lexicons the texts of these roles hold."""
        cached = self._found.get(roles)
        if cached is None:
            cached = set().union(*(text.found for text in self.texts(roles)))
            self._found[roles] = cached
        return cached

    def first(self, lexicon: Lexicon, roles: tuple[str, ...]) -> str:
        """What of a lexicon the first text of these roles that holds it holds (for messages)."""
        for text in self.texts(roles):
            found = lexicon.find(text)
            if found is not None:
                return found
        return lexicon.about

    def names(self, roles: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The brand names these roles give (the document's, then the brand's), and the forms
        they may take in a text."""
        cached = self._names.get(roles)
        if cached is None:
            names: list[str] = []
            seen: set[str] = set()
            for source in (self.values, self.brand):
                for role in roles:
                    for value in source.get(role, ()):
                        text = str(value.value).strip() if value.value is not None else ""
                        if text and text.casefold() not in seen:
                            seen.add(text.casefold())
                            names.append(text)
            cached = (tuple(names), spaced_names(tuple(names), self.rules.name_suffixes))
            self._names[roles] = cached
        return cached

    def holds(self, when: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether the document's roles meet a rule's ``when`` conditions."""
        for role, test in when.items():
            values = [str(v.value) for v in self.values.get(role, ()) if v.value is not None]
            if "equals" in test and str(test["equals"]) not in values:
                return False
            if "in" in test and not {str(item) for item in test["in"]} & set(values):
                return False
            if "present" in test and bool(values) != bool(test["present"]):
                return False
        return True

    def flag(self, role: str) -> tuple[bool | None, str]:
        """A yes/no role: True, False or None (absent), and the path it is (or would be) at."""
        values = self.values.get(role, ())
        if not values:
            return None, self.roles.first_path(role)
        value = values[0].value
        truth = value if isinstance(value, bool) else str(value).strip().lower() == "true"
        return truth, values[0].path

    def add(self, rule: Rule, path: str, **fields: Any) -> None:
        """An advice issue of a rule at a path: the problem and the fix in one message."""
        filled = _Fields(fields)
        message = rule.problem.format_map(filled) + ": " + rule.fix.format_map(filled)
        self.issues.append(
            Issue(
                Severity.ADVICE,
                path,
                rule.id,
                message,
                location=rule.location,
                expected=rule.expected.format_map(filled),
            )
        )


def _shown(found: str) -> str:
    return excerpt(found, 60)


# -- one mechanism per kind ------------------------------------------------------------------


def _mentions(rule: Rule, ctx: Context) -> None:
    if ctx.partial and rule.scope == "any":
        return
    texts = ctx.texts(rule.reads)
    if not texts:
        return
    fields: dict[str, str] = {}
    if rule.names:
        names, forms = ctx.names(rule.names)
        if not forms:
            return
        missing = [text for text in texts if not any(map(text.spaced.__contains__, forms))]
        if missing:
            fields = {"names": ", ".join(names[:3]), "name": names[0]}
    else:
        assert rule.lexicon is not None
        name = rule.lexicon.name
        missing = [text for text in texts if name not in text.found]
    if rule.scope == "any":
        if len(missing) == len(texts):
            ctx.add(rule, texts[0].path, **fields)
        return
    for text in missing:
        ctx.add(rule, text.path, **fields)


def _lexicon_rules(ctx: Context) -> None:
    """The ``mentions`` and ``forbids`` rules of lexicons, all at once: per text, the lexicons
    its rules ask for less those found, and those found that its rules forbid."""
    plan = ctx.plan
    for role, required in plan.each_required.items():
        for text in ctx.role_texts(role):
            missing = required - text.found
            if missing:
                for name, rule in plan.each[role]:
                    if name in missing:
                        ctx.add(rule, text.path)
    if not ctx.partial:
        for roles, required, pairs in plan.any_groups:
            texts = ctx.texts(roles)
            if texts:
                missing = required - ctx.found(roles)
                for name, rule in pairs:
                    if name in missing:
                        ctx.add(rule, texts[0].path)
    for role, forbidden in plan.forbidden.items():
        for text in ctx.role_texts(role):
            bad = forbidden & text.found
            for name in sorted(bad):
                for rule in plan.forbids[(role, name)]:
                    if not rule.when or ctx.holds(rule.when):
                        assert rule.lexicon is not None
                        found = rule.lexicon.find(text) or rule.lexicon.about
                        ctx.add(rule, text.path, found=_shown(found))


def _forbids(rule: Rule, ctx: Context) -> None:
    assert rule.lexicon is not None
    for text in ctx.texts(rule.reads):
        found = rule.lexicon.find(text)
        if found is not None:
            ctx.add(rule, text.path, found=_shown(found))


def _flag_agrees(rule: Rule, ctx: Context) -> None:
    assert rule.lexicon is not None
    if not ctx.texts(rule.reads):
        return
    held = rule.lexicon.name in ctx.found(rule.reads)
    if rule.direction == "undeclared":
        if held:
            declared, path = ctx.flag(rule.flag)
            if not declared and not (ctx.partial and declared is None):
                found = ctx.first(rule.lexicon, rule.reads)
                ctx.add(rule, path, found=_shown(found), flag=path.rsplit("/", 1)[-1] or rule.flag)
    elif not held:
        declared, path = ctx.flag(rule.flag)
        if declared:
            ctx.add(rule, path, flag=path.rsplit("/", 1)[-1] or rule.flag)


def _distinct(rule: Rule, ctx: Context) -> None:
    seen: dict[str, str] = {}
    for text in ctx.texts(rule.reads):
        if text.spaced in seen:
            ctx.add(rule, text.path, other=seen[text.spaced])
        else:
            seen[text.spaced] = text.path


def _count(rule: Rule, ctx: Context) -> None:
    if ctx.partial:
        return
    texts = ctx.texts(rule.reads)
    if len(texts) >= rule.minimum:
        return
    present = {text.path for text in texts}
    missing = [
        source.pointer
        for role in rule.reads
        for source in ctx.roles.roles.get(role, ())
        if source.pointer not in present
    ]
    path = missing[0] if missing else ctx.roles.first_path(rule.reads[0])
    ctx.add(rule, path, count=len(texts), min=rule.minimum)


def _domain_match(rule: Rule, ctx: Context) -> None:
    emails = ctx.values.get(rule.email, ())
    websites = ctx.values.get(rule.website, ())
    if not emails or not websites:
        return
    email, website = str(emails[0].value), str(websites[0].value)
    if "@" not in email:
        return
    mail_domain, site_domain = domain_of(email), domain_of(website)
    if site_domain and not related_domains(mail_domain, site_domain):
        ctx.add(rule, emails[0].path, found=mail_domain, expected_domain=site_domain)


def _presence(rule: Rule, ctx: Context) -> None:
    for role in rule.reads:
        values = [v for v in ctx.values.get(role, ()) if str(v.value).strip()]
        if rule.expect == "present" and not values and not ctx.partial:
            ctx.add(rule, ctx.roles.first_path(role))
        elif rule.expect == "absent" and values:
            ctx.add(rule, values[0].path, found=_shown(str(values[0].value)))


def _language(rule: Rule, ctx: Context) -> None:
    languages = ctx.rules.languages
    for text in ctx.texts(rule.reads):
        if len(text.tokens) < _MIN_WORDS:
            continue
        if not text.raw.isascii() and non_latin_share(text.raw) > 0.5:
            ctx.add(rule, text.path, language="a non-Latin script")
            continue
        # the scanner counted the function words of other languages (the hits); the English
        # ones are counted only when there are enough of those to matter
        foreign = len(text.hits & languages.foreign)
        if foreign < languages.min_foreign:
            continue
        english = len(text.words & languages.english)
        if foreign <= english:
            continue  # no one language can outnumber the English words
        name, count = max(
            ((name, len(text.words & words)) for name, words in languages.others.items()),
            key=lambda item: item[1],
        )
        if count >= languages.min_foreign and count > english:
            ctx.add(rule, text.path, language=name)


CHECKS: Mapping[str, Callable[[Rule, Context], None]] = {
    "mentions": _mentions,
    "forbids": _forbids,
    "flag-agrees": _flag_agrees,
    "distinct": _distinct,
    "count": _count,
    "domain-match": _domain_match,
    "presence": _presence,
    "language": _language,
}
"""The mechanism of each kind of rule, one rule at a time (the rules of lexicons without
conditions are applied all at once by :func:`_lexicon_rules`, with the same meaning)."""


# -- the entry points ------------------------------------------------------------------------


@per_catalog
def _brand_readings(xml: bool) -> tuple[RoleMap, ...]:
    return brand_readings(rule_set().brand_mapping, xml)


def _parse_brand(data: Any) -> Any:
    try:
        return parse_json(data)
    except ParseError:
        pass
    try:
        return parse_xml(data)
    except ParseError as exc:
        raise InvalidArgument(f"the brand is neither JSON nor XML: {exc.message}") from None


def _document(operation: Operation, payload: Any) -> Any:
    """The parsed request body of a payload (None when it cannot be read)."""
    if not isinstance(payload, bytes | bytearray | memoryview | str):
        return payload
    data = payload if isinstance(payload, str) else bytes(payload)
    body = operation.request
    try:
        if body is not None and body.is_xml:
            return parse_xml(data)
        return parse_json(data)
    except ParseError:
        return None


def advise(operation_id: str | Operation, document: Any, *, brand: Any = None) -> Iterator[Issue]:
    """The advice on one request body: the reasons carriers and The Campaign Registry reject
    registrations that the contract accepts, each an :class:`~tendlc.Issue` of severity
    ``advice`` with the rule id, the field's path, a message saying what to change, the rule's
    source (``location``) and what would satisfy it (``expected``), in the order of the rules.

    ``document`` is the parsed body (a dict for JSON, an lxml element for XML; bytes and text
    are parsed, and a body that cannot be read gets no advice: the contract's report says why).
    ``brand`` is the brand behind a campaign, which the campaign names only by id: a mapping
    with ``display_name``, ``company_name``, ``website`` (and ``email``, ``entity_type``), or a
    brand request or response of any provider, parsed or not; a brand that cannot be read
    raises :class:`~tendlc.InvalidArgument`. Operations no rule reads get no advice; an unknown
    operation id raises :class:`~tendlc.UnknownOperationError`.
    """
    operation = get_operation(operation_id)
    rules = rule_set()
    brand_roles = {} if brand is None else brand_values(brand, _brand_readings, _parse_brand)
    plan = _plan(operation.id)
    if plan is None:
        return iter(())
    parsed = _document(operation, document)
    if type(parsed) is not dict and not isinstance(parsed, Mapping | etree._Element):
        # the contract says what is wrong
        return iter(())
    ctx = Context(plan, plan.roles.resolve(parsed), brand_roles, rules)
    _lexicon_rules(ctx)
    for mechanism, rule in plan.steps:
        if not rule.when or ctx.holds(rule.when):
            mechanism(rule, ctx)
    if len(ctx.issues) > 1:
        ctx.issues.sort(key=lambda issue: plan.order[issue.rule])
    return iter(ctx.issues)
