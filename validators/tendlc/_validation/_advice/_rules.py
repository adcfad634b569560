"""The advice rules file, compiled once per process: citations, lexicons and rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..._errors import ContractError
from ..._shared import load_yaml
from ._roles import RoleMap
from ._text import Lexicon

RULES_FILE = Path(__file__).with_name("rules.yaml")
KINDS = (
    "mentions",
    "forbids",
    "flag-agrees",
    "distinct",
    "count",
    "domain-match",
    "presence",
    "language",
)


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a sentence of a seed page, or a fact of a public page."""

    id: str
    seed: str = ""
    quote: str = ""
    url: str = ""
    fact: str = ""

    @property
    def location(self) -> str:
        """``URL``, or ``seed-file#quoted sentence``."""
        return self.url or f"{self.seed}#{self.quote}"


@dataclass(frozen=True)
class Rule:
    """One advice rule: what it reads, how it judges (``kind`` and its parameters), why, and
    what to do about it."""

    id: str
    kind: str
    reads: tuple[str, ...]
    sources: tuple[Citation, ...]
    rationale: str
    problem: str
    fix: str
    expected: str
    lexicon: Lexicon | None = None
    names: tuple[str, ...] = ()
    scope: str = "each"
    flag: str = ""
    direction: str = ""
    minimum: int = 0
    email: str = ""
    website: str = ""
    expect: str = "present"
    when: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def family(self) -> str:
        """The rule's family: its id up to the second dot (``advice.call-to-action``)."""
        return ".".join(self.id.split(".")[:2])

    @property
    def location(self) -> str:
        """Where the rule comes from: its first source."""
        return self.sources[0].location

    @property
    def subjects(self) -> tuple[str, ...]:
        """The roles whose fields the rule judges (an operation without any of them is not
        judged by it)."""
        return tuple(role for role in (*self.reads, self.flag, self.email) if role)


@dataclass(frozen=True)
class Languages:
    """The function words the language rule counts."""

    english: frozenset[str]
    others: Mapping[str, frozenset[str]]
    min_foreign: int

    @cached_property
    def foreign(self) -> frozenset[str]:
        """The function words of every other language."""
        return frozenset().union(*self.others.values())


@dataclass(frozen=True)
class RuleSet:
    """The whole rules file."""

    rules: tuple[Rule, ...]
    lexicons: Mapping[str, Lexicon]
    citations: Mapping[str, Citation]
    languages: Languages
    brand_mapping: RoleMap
    name_suffixes: Lexicon | None
    #: the top-level domains a link without a scheme may end with (``acme.com/x``)
    domains: frozenset[str]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _words(items: Any) -> frozenset[str]:
    return frozenset(str(item).lower() for item in items or ())


@cache
def rule_set() -> RuleSet:
    """The rules file, compiled (once per process)."""
    return compile_rules(load_yaml(RULES_FILE))


def compile_rules(data: Mapping[str, Any]) -> RuleSet:
    """Compile a rules document; :class:`~tendlc.ContractError` names what is wrong in it."""
    citations = {
        str(key): Citation(
            str(key),
            seed=str(value.get("seed", "")),
            quote=" ".join(str(value.get("quote", "")).split()),
            url=str(value.get("url", "")),
            fact=" ".join(str(value.get("fact", "")).split()),
        )
        for key, value in (data.get("sources") or {}).items()
    }
    lexicons = {
        str(name): Lexicon.from_data(str(name), spec)
        for name, spec in (data.get("lexicons") or {}).items()
    }
    rules = []
    for entry in data.get("rules") or ():
        rules.append(_rule(entry, citations, lexicons))
    ids = [rule.id for rule in rules]
    duplicated = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicated:
        raise ContractError(f"advice rules defined twice: {', '.join(duplicated)}")
    languages = data.get("languages") or {}
    return RuleSet(
        rules=tuple(rules),
        lexicons=lexicons,
        citations=citations,
        languages=Languages(
            english=_words(languages.get("english")),
            others={str(k): _words(v) for k, v in (languages.get("others") or {}).items()},
            min_foreign=int(languages.get("min_foreign", 3)),
        ),
        brand_mapping=RoleMap.from_data(data.get("brand_mapping") or {}),
        name_suffixes=lexicons.get(str(data.get("name_suffixes", "legal_suffix"))),
        domains=frozenset(str(domain).lower() for domain in data.get("top_level_domains") or ()),
    )


def _rule(
    entry: Mapping[str, Any], citations: Mapping[str, Citation], lexicons: Mapping[str, Lexicon]
) -> Rule:
    rule_id = str(entry.get("id", ""))
    kind = str(entry.get("kind", ""))
    if not rule_id.startswith("advice.") or kind not in KINDS:
        raise ContractError(f"advice rule {rule_id!r}: an id advice.* and a kind of {KINDS}")
    sources = entry.get("source") or ()
    sources = [sources] if isinstance(sources, str) else list(sources)
    unknown = [str(name) for name in sources if name not in citations]
    if not sources or unknown:
        raise ContractError(f"advice rule {rule_id}: unknown or missing source {unknown}")
    lexicon_name = entry.get("lexicon")
    if lexicon_name is not None and lexicon_name not in lexicons:
        raise ContractError(f"advice rule {rule_id}: unknown lexicon {lexicon_name!r}")
    for key in ("problem", "fix", "rationale", "expected"):
        if not entry.get(key):
            raise ContractError(f"advice rule {rule_id}: no {key}")
    return Rule(
        id=rule_id,
        kind=kind,
        reads=tuple(str(role) for role in entry.get("reads") or ()),
        sources=tuple(citations[str(name)] for name in sources),
        rationale=" ".join(str(entry["rationale"]).split()),
        problem=str(entry["problem"]),
        fix=str(entry["fix"]),
        expected=str(entry["expected"]),
        lexicon=lexicons[lexicon_name] if lexicon_name is not None else None,
        names=tuple(str(role) for role in entry.get("names") or ()),
        scope=str(entry.get("scope", "each")),
        flag=str(entry.get("flag", "")),
        direction=str(entry.get("direction", "")),
        minimum=int(entry.get("min", 0)),
        email=str(entry.get("email", "")),
        website=str(entry.get("website", "")),
        expect=str(entry.get("expect", "present")),
        when=dict(entry.get("when") or {}),
    )
