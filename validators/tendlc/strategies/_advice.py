"""Advice strategies: registrations that pass every advice rule (and the contract), and labelled
mutations that each break exactly one advice rule.

A clean registration is a valid payload of the operation whose field roles (the providers' role
maps) are rewritten from parts: a brand and its domain, samples that name it and say how to opt
out, a call to action with every element, replies that confirm and give a contact. A mutation
leaves one part out, or adds one thing a rule forbids, so the rule it breaks is known before the
advice is asked for; the label's path is the field the rule is about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from .._catalog import Body, get_operation
from .._validation import RoleMap, Rule, advise, role_map, rules_for, validate
from ._adapters import Adapter, adapter_for
from ._errors import InvalidArgument

# -- the parts clean texts are written from -------------------------------------------------

_NAMES = (
    "Acme Plumbing",
    "Bright Smile Dental",
    "Cedar Ridge Vet",
    "Northwind Outfitters",
    "Juniper Coffee",
    "Harbor Point Clinic",
    "Maple Street Diner",
    "Riverbend Fitness",
)
_SUFFIXES = ("", " LLC", " Inc.", " Co.")
_PURPOSES = (
    "appointment reminders",
    "order updates",
    "account alerts",
    "delivery notifications",
    "service updates",
)
_BODIES = (
    "your visit is confirmed for tomorrow at 10 AM.",
    "your order has been packed and will ship today.",
    "your invoice is ready in your account.",
    "your technician will arrive between 9 and 11 AM.",
    "thanks for your visit today, we hope to see you again soon.",
)
_OPT_OUTS = ("Reply STOP to opt out.", "Text STOP to cancel.", "Reply STOP to unsubscribe.")
#: what a mutation adds to break a ``forbids`` or ``flag-agrees`` rule, per lexicon
_FORBIDDEN = {
    "shortener": "Book at bit.ly/x4kq9 today.",
    "cannabis": "We also stock CBD gummies.",
    "sex": "We also offer adult entertainment.",
    "firearms": "Ammunition is on sale this week.",
    "tobacco": "New vape juice flavors are in.",
    "debt_collection": "Ask about our debt relief program.",
    "credit_repair": "We can fix your credit fast.",
    "alcohol": "Craft beer is on tap at our open house.",
    "lending": "You may qualify for a personal loan.",
    "link": "Details: https://{domain}/details",
    "phone": "Questions? Call 415-555-0100.",
    "placeholder_brand": "<Brand Name>",
    "placeholder_any": "Ask for {agent}.",
}
_SPANISH = "{brand}: Hola, su cita es mañana a las 10. Responda STOP para cancelar los mensajes."


@dataclass(frozen=True)
class _Content:
    """The parts of one clean registration, and the texts written from them (``omit`` names
    the part a mutation leaves out)."""

    brand: str
    domain: str
    purpose: str
    bodies: tuple[str, ...]
    opt_out: str

    def samples(self, count: int, omit: str = "") -> list[str]:
        name = "" if omit == "brand" else f"{self.brand}: "
        stop = "" if omit == "opt_out" else f" {self.opt_out}"
        return [f"{name}{self.bodies[i % len(self.bodies)]}{stop}" for i in range(count)]

    def description(self) -> str:
        return f"{self.brand} sends {self.purpose} by text to customers who opted in."

    def flow(self, omit: str = "") -> str:
        parts = {
            "brand": f"Brand: {self.brand}.",
            "cta_consent": f"Customers sign up on the form at https://{self.domain}/join.",
            "cta_purpose": f"Messages are {self.purpose}.",
            "cta_frequency": "Message frequency varies.",
            "cta_rates": "Msg & data rates may apply.",
            "cta_help": "Text HELP for help.",
            "opt_out": "Text STOP to cancel.",
            "cta_terms": f"Terms: https://{self.domain}/terms",
            "cta_privacy": f"Privacy: https://{self.domain}/privacy",
        }
        return " ".join(text for part, text in parts.items() if part != omit)

    def consent(self) -> str:
        return f"Customers sign up on the form at https://{self.domain}/join."

    def opt_in(self, omit: str = "") -> str:
        name = "" if omit == "names" else f"{self.brand}: "
        help_ = "" if omit == "help" else " Reply HELP for help."
        stop = "" if omit == "opt_out" else " Reply STOP to cancel."
        return f"{name}You are subscribed to {self.purpose}.{help_}{stop}"

    def opt_out_reply(self, omit: str = "") -> str:
        name = "" if omit == "names" else f"{self.brand}: "
        ack = "" if omit == "opt_out_ack" else "You have been unsubscribed. "
        done = "" if omit == "no_further" else "You will receive no further messages."
        return f"{name}{ack}{done}".strip() or "Thank you for being with us."

    def help_reply(self, omit: str = "") -> str:
        name = "" if omit == "names" else f"{self.brand}: "
        contact = "" if omit == "support_contact" else f"For help email support@{self.domain}. "
        return f"{name}{contact}Reply STOP to cancel."


@st.composite
def _contents(draw: st.DrawFn) -> _Content:
    name = draw(st.sampled_from(_NAMES))
    suffix = draw(st.sampled_from(_SUFFIXES))
    bodies = draw(st.permutations(_BODIES))
    return _Content(
        brand=name + suffix,
        domain=name.lower().replace(" ", "") + ".com",
        purpose=draw(st.sampled_from(_PURPOSES)),
        bodies=tuple(bodies),
        opt_out=draw(st.sampled_from(_OPT_OUTS)),
    )


# -- writing roles ---------------------------------------------------------------------------


@dataclass
class _Writer:
    """Writes role values into one payload through the operation's role map."""

    operation_id: str
    adapter: Adapter
    roles: RoleMap
    payload: Any
    xml: bool
    paths: dict[str, list[str]] = field(default_factory=dict)

    def present(self, role: str) -> list[str]:
        """The paths of a role's values in the payload."""
        return [value.path for value in self.roles.resolve(self.payload).get(role, ())]

    def pointers(self, role: str) -> list[str]:
        """The plain pointers a role may be written at (not its extracted or wildcard ones)."""
        return [
            source.pointer
            for source in self.roles.roles.get(role, ())
            if source.extract is None and "*" not in source.steps
        ]

    def put(self, path: str, value: Any) -> None:
        if self.xml and not isinstance(value, str):
            value = str(value).lower()
        self.adapter.put(self.payload, path, value)

    def delete(self, path: str) -> None:
        self.adapter.delete(self.payload, path)


def _write_clean(writer: _Writer, content: _Content) -> None:
    roles = writer.roles.roles
    if "samples" in roles:
        slots = writer.pointers("samples")
        count = max(2, len(writer.present("samples")))
        for path, sample in zip(slots, content.samples(count), strict=False):
            writer.put(path, sample)
    texts: dict[str, Callable[[], str]] = {
        "description": content.description,
        "message_flow": content.flow,
        "consent_details": content.consent,
        "opt_in_message": content.opt_in,
        "opt_out_message": content.opt_out_reply,
        "help_message": content.help_reply,
    }
    for role, write in texts.items():
        for path in writer.present(role):
            writer.put(path, write())
    for path in writer.present("brand_name"):
        if path in writer.pointers("brand_name"):
            writer.put(path, content.brand)
    for role in ("embedded_link", "embedded_phone"):
        for path in writer.present(role):
            writer.put(path, False)
    for role, value in (
        ("brand_display_name", content.brand),
        ("brand_company_name", content.brand),
        ("brand_email", f"support@{content.domain}"),
        ("brand_website", f"https://www.{content.domain}"),
    ):
        # the email and the website are written even where the payload left them out, so
        # that the rule comparing them has something to compare
        paths = writer.present(role) or (
            writer.pointers(role)[:1] if role in ("brand_email", "brand_website") else []
        )
        for path in paths:
            writer.put(path, value)
    entity = writer.roles.resolve(writer.payload).get("brand_entity_type", ())
    if entity and str(entity[0].value) == "SOLE_PROPRIETOR":
        for path in writer.present("brand_ein"):
            writer.delete(path)
        for role in ("brand_display_name", "brand_company_name"):
            for path in writer.present(role):
                writer.put(path, content.brand.split(" ")[0] + " Services")
    pin = writer.roles.resolve(writer.payload).get("pin_preference", ())
    if pin and str(pin[0].value) == "Email" and not writer.present("filing_email"):
        for path in writer.pointers("filing_email")[:1]:
            writer.put(path, f"filings@{content.domain}")


# -- mutations: one rule broken, by kind -----------------------------------------------------


def _mutate(rule: Rule, writer: _Writer, content: _Content) -> str | None:
    """Break ``rule`` in the payload; the path of the field the rule is about, or None when
    this payload has nothing for it to break."""
    lexicon = rule.lexicon.name if rule.lexicon is not None else "names"
    if rule.kind == "mentions":
        return _without(rule, writer, content, lexicon)
    if rule.kind == "forbids" and rule.lexicon is not None:
        return _with(rule, writer, content, lexicon)
    if rule.kind == "flag-agrees":
        return _flag(rule, writer, content, lexicon)
    samples = writer.present("samples")
    if rule.kind == "distinct" and len(samples) >= 2:
        first = writer.roles.resolve(writer.payload)["samples"][0].value
        writer.put(samples[1], str(first).upper())
        return samples[1]
    if rule.kind == "count" and len(samples) >= 2:
        for path in samples[1:]:
            writer.delete(path)
        return samples[1]
    if rule.kind == "language" and samples:
        writer.put(samples[-1], _SPANISH.format(brand=content.brand))
        return samples[-1]
    if rule.kind == "domain-match":
        paths = writer.present(rule.email)
        if paths and writer.present(rule.website):
            writer.put(paths[0], f"support@other-{content.domain}")
            return paths[0]
    return None


def _without(rule: Rule, writer: _Writer, content: _Content, part: str) -> str | None:
    (role,) = rule.reads
    paths = writer.present(role)
    if not paths:
        return None
    if role == "samples":
        omit = "brand" if part == "names" else part
        for path, text in zip(paths, content.samples(len(paths), omit=omit), strict=False):
            writer.put(path, text)
        return paths[0]
    written: Mapping[str, Callable[[str], str]] = {
        "message_flow": content.flow,
        "opt_in_message": content.opt_in,
        "opt_out_message": content.opt_out_reply,
        "help_message": content.help_reply,
    }
    if role not in written:
        return None
    writer.put(paths[0], written[role](part))
    return paths[0]


def _with(rule: Rule, writer: _Writer, content: _Content, lexicon: str) -> str | None:
    """Add what the rule forbids to the first field of its roles where the contract still
    accepts it (a sample may not carry a shortener, a description may)."""
    added = _FORBIDDEN.get(lexicon)
    if added is None:
        return None
    for role in rule.reads:
        paths = writer.present(role)
        if not paths or (lexicon == "placeholder_brand" and (role != "samples" or len(paths) < 2)):
            continue
        current = str(writer.roles.resolve(writer.payload)[role][0].value)
        if lexicon == "placeholder_brand":
            text = current.replace(content.brand, added, 1)
        else:
            text = f"{current} {added.replace('{domain}', content.domain)}"
        before = writer.adapter.clone(writer.payload)
        writer.put(paths[0], text)
        if validate(writer.operation_id, writer.payload).valid:
            return paths[0]
        writer.payload = before
    return None


def _flag(rule: Rule, writer: _Writer, content: _Content, lexicon: str) -> str | None:
    flags = writer.pointers(rule.flag)
    texts = [path for role in rule.reads for path in writer.present(role)]
    if not flags or not texts:
        return None
    if rule.direction == "undeclared":
        added = _FORBIDDEN.get(lexicon)
        if added is None:
            return None
        current = writer.roles.resolve(writer.payload)[rule.reads[0]][0].value
        writer.put(texts[0], f"{current} {added.replace('{domain}', content.domain)}")
        writer.put(flags[0], False)
    else:
        writer.put(flags[0], True)
    return flags[0]


# -- the strategies --------------------------------------------------------------------------


def _setup(operation_id: str, body: Body) -> tuple[Adapter, RoleMap]:
    roles = role_map(get_operation(operation_id))
    assert roles is not None  # checked by the callers
    list(advise(operation_id, None))  # compile the rules and lexicons now, not in a draw
    return adapter_for(body, response=False), roles


def clean_requests(
    operation_id: str, body: Body, valid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Payloads drawn from ``valid`` with their field roles rewritten clean: the contract
    accepts them and no advice rule fires."""
    adapter, roles = _setup(operation_id, body)

    @st.composite
    def clean(draw: st.DrawFn) -> Any:
        writer = _Writer(operation_id, adapter, roles, adapter.clone(draw(valid)), body.is_xml)
        _write_clean(writer, draw(_contents()))
        assume(validate(operation_id, writer.payload).valid)
        assume(not list(advise(operation_id, writer.payload)))
        return writer.payload

    return clean()


@dataclass(frozen=True)
class AdviceMutation:
    """A clean payload with one advice rule broken (the fields a :class:`Mutation` holds)."""

    payload: Any
    path: str
    rule: str
    description: str


def advice_mutations(
    operation_id: str, body: Body, valid: st.SearchStrategy[Any], only: str | None = None
) -> st.SearchStrategy[AdviceMutation]:
    """Clean payloads, each with exactly one advice rule broken (``only`` that rule), labelled
    with the rule and the path of the field it is about. The contract still accepts them."""
    adapter, roles = _setup(operation_id, body)
    breakable = [
        rule
        for rule in rules_for(operation_id)
        if breakable_rule(rule) and (only is None or rule.id == only)
    ]
    if not breakable:
        raise InvalidArgument(
            f"the advice mutations know no way to break the rules of {operation_id}"
            + (f" ({only})" if only else "")
        )

    @st.composite
    def mutated(draw: st.DrawFn) -> AdviceMutation:
        # The rule first, then a payload it can be broken in: every rule gets its share.
        rule = draw(st.sampled_from(breakable))
        content = draw(_contents())
        writer = _Writer(operation_id, adapter, roles, adapter.clone(draw(valid)), body.is_xml)
        _write_clean(writer, content)
        path = _mutate(rule, writer, content)
        assume(path is not None)
        assert path is not None
        assume(validate(operation_id, writer.payload).valid)
        fired = {issue.rule for issue in advise(operation_id, writer.payload)}
        assume(fired == {rule.id})
        return AdviceMutation(writer.payload, path, rule.id, f"{rule.id}: {rule.problem}")

    return mutated()


def breakable_rule(rule: Rule) -> bool:
    """Whether the mutations know how to break a rule (rules about brands' sole-proprietor
    status and vetting depend on fields the role maps do not name)."""
    if rule.kind in ("distinct", "count", "language", "domain-match", "flag-agrees"):
        return True
    if rule.kind == "forbids":
        return rule.lexicon is not None and rule.lexicon.name in _FORBIDDEN
    return rule.kind == "mentions" and len(rule.reads) == 1


def has_advice(operation_id: str) -> bool:
    """Whether any advice rule judges the operation's request bodies."""
    return bool(rules_for(operation_id))
