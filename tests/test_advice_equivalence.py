"""The advice engine keeps its answers: the issues it gives (every field, in order) over the
advice corpus, the rule cases of test_advice.py, the documented examples and some tens of
thousands of edits of them have the digests recorded in ``advice_corpus/engine_digests.json``.
The edits put each snippet below into each text field (added to the text, or as the whole text),
turn the yes/no fields on, repeat a sample, read a campaign as a partial update and drop the
brand, so that every rule fires, and keeps quiet, in many ways. And the scanner, which finds in
one pass what lexicons a text holds, finds what each lexicon's definition says, in the texts of
the corpus and in texts made up of the lexicons' own words.

``python tests/test_advice_equivalence.py --record`` writes the digests again; do so only when
a change of the rules or of the corpus is meant to change the advice.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support.advice_cases import BRAND, CASES, CORPUS_CASES, corpus_body, edited
from tendlc._documented import documented_examples
from tendlc._validation._advice import advise, role_map, rule_set
from tendlc._validation._advice._engine import _plan
from tendlc._validation._advice._text import Scanner, Text, _under
from tendlc._validation._report import Issue, json_ready

HERE = Path(__file__).parent

DIGESTS = HERE / "advice_corpus" / "engine_digests.json"
CAMPAIGN = "vonage.campaigns.create"
TEXT_FIELDS = (
    "sample_one",
    "sample_two",
    "sample_three",
    "sample_four",
    "sample_five",
    "description",
    "message_flow",
    "opt_in_message",
    "opt_out_message",
    "help_message",
)
FLAGS = ("embedded_link", "embedded_phone", "age_gated", "direct_lending")
#: added to a text field, each in turn
SNIPPETS = (
    "Book at bit.ly/x4kq9 today.",
    "See https://t.co/abc and tinyurl.com/y.",
    "Visit www.example.org/path?q=1, or http://sub.bit.ly.",
    "e.g. tomorrow.Please call",
    "We also stock CBD gummies.",
    "Weed control and weed killer for lawns.",
    "weed weed control",
    "We also offer adult entertainment.",
    "A police escort, an escort service.",
    "Ammunition is on sale this week.",
    "Nail guns and glue guns, guns.",
    "New vape juice flavors are in.",
    "Nicotine patch and nicotine.",
    "Ask about our debt relief program.",
    "We can fix your credit fast.",
    "Craft beer is on tap at our open house.",
    "Root beer, ginger beer, gin rummy and gin.",
    "You may qualify for a personal loan.",
    "A library loan, an interlibrary loan.",
    "Details: https://acmeplumbing.com/details",
    "Questions? Call 415-555-0100 or +1 (212) 555-0147.",
    "Email help@example.com.",
    "<Brand Name>",
    "[Company Name] and {{ brand name }}",
    "Ask for {agent}.",
    "Hi [First Name].",
    "Reply STOP to opt out.",
    "reply stop to end",
    "Text HELP for help.",
    "send the word info",
    "STOPALL, END, CANCEL, UNSUBSCRIBE, QUIT",
    "non-stop STOP2END stopwatch",
    "You have been unsubscribed.",
    "You will receive no further messages.",
    "You won\u2019t receive more texts and won't be sent any.",
    "Message frequency varies. Msg & data rates may apply.",
    "Terms & Conditions and privacy policy.",
    "Customers opt in on the web form to get appointment reminders.",
    "Hola, su cita es ma\u00f1ana a las 10. Responda para cancelar los mensajes.",
    "Bonjour, votre commande est pr\u00eate pour vous et nous.",
    "Caf\u00e9 cr\u00e8me, na\u00efve \u00fcber \u0130stanbul \u212a",
    "\u3053\u3093\u306b\u3061\u306f\u3001\u3054\u4e88\u7d04\u306e\u304a\u77e5\u3089\u305b\u3067\u3059",
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435, "
    "\u0432\u0430\u0448 \u0437\u0430\u043a\u0430\u0437 \u0433\u043e\u0442\u043e\u0432",
    "Acme\u00a0Plumbing\u2003LLC \ud83d\ude00 tab\tand\nnew line",
    "ACME PLUMBING INC. and Bright Smile Dental PC",
)
#: given as the whole value of a text field, each in turn
WHOLE = (
    "",
    "   ",
    "STOP",
    "Hola, su cita es ma\u00f1ana a las 10. Responda STOP para cancelar los mensajes.",
    "\u3053\u3093\u306b\u3061\u306f\u3001\u3054\u4e88\u7d04\u306e\u304a\u77e5\u3089\u305b\u3067\u3059",
    42,
    None,
)


def bases() -> Iterator[tuple[str, str, Any, Any]]:
    """(key, operation, body, brand): every corpus case, both documents of every rule case of
    test_advice.py, and the documented request examples of the operations advice reads."""
    for case in CORPUS_CASES:
        operation = case.get("operation", CAMPAIGN)
        yield f"corpus:{case['id']}", operation, corpus_body(case), case.get("brand")
    for rule, operation, base, fire, quiet in CASES:
        for side, edits in (("fire", fire), ("quiet", quiet)):
            body = edited(base, edits)
            yield f"rule:{rule}:{side}", operation, body, BRAND
    from tendlc._catalog import get_operation

    for example in documented_examples():
        if example.part == "request" and role_map(get_operation(example.operation)):
            yield f"documented:{example.name}", example.operation, example.published(), None


def variants(operation: str, body: Any, brand: Any) -> Iterator[tuple[str, Any, Any]]:
    """(operation, body, brand): the document itself, then its edits."""
    yield operation, body, brand
    if not isinstance(body, dict):
        return
    if operation == CAMPAIGN:
        yield "vonage.campaigns.update", body, brand
        yield operation, body, None
        fields = [name for name in TEXT_FIELDS if isinstance(body.get(name), str)]
        for name in fields:
            for snippet in SNIPPETS:
                yield operation, {**body, name: f"{body[name]} {snippet}"}, brand
            for whole in WHOLE:
                yield operation, {**body, name: whole}, brand
        for flag in FLAGS:
            for value in (True, "true", False):
                yield operation, {**body, flag: value}, brand
        if len(fields) > 1:
            yield operation, {**body, fields[1]: str(body[fields[0]]).upper()}, brand
        yield operation, {**body, "message_flow": "Brand: Acme Plumbing\\ " + SNIPPETS[26]}, brand
        details = {
            "brand_name": "Acme",
            "consent_mechanisms": [{"details": s} for s in SNIPPETS[:4]],
        }
        yield operation, {**body, "message_flow_details": details}, brand
    elif operation.endswith(".brands.create"):
        for name, value in (
            ("entity_type", "SOLE_PROPRIETOR"),
            ("email", "someone@gmail.com"),
            ("email", "not-an-address"),
            ("website", "https://www.acme.example.com/x"),
            ("display_name", "Jane Smith LLC"),
            ("company_name", "Jane Smith Plumbing L.L.C."),
            ("ein", None),
        ):
            yield operation, {**body, name: value}, brand


def _canonical(issues: list[Issue]) -> list[Any]:
    return [
        [
            issue.severity.value,
            issue.path,
            issue.rule,
            issue.message,
            issue.line,
            issue.location,
            json_ready(issue.expected),
            issue.check,
            issue.direction,
        ]
        for issue in issues
    ]


def digests() -> dict[str, list[Any]]:
    """key -> [digest of the issues of every variant, variants, issues]."""
    found: dict[str, list[Any]] = {}
    for key, operation, body, brand in bases():
        digest = hashlib.sha256()
        count = issues = 0
        for variant_operation, variant, variant_brand in variants(operation, body, brand):
            answer = _canonical(list(advise(variant_operation, variant, brand=variant_brand)))
            digest.update(json.dumps(answer, sort_keys=True, ensure_ascii=True).encode())
            digest.update(b"\n")
            count += 1
            issues += len(answer)
        found[key] = [digest.hexdigest()[:24], count, issues]
    return found


@pytest.mark.slow
def test_the_engine_gives_the_recorded_issues():
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    found = digests()
    assert sorted(found) == sorted(recorded)
    changed = {key: (recorded[key], found[key]) for key in found if found[key] != recorded[key]}
    assert changed == {}
    assert sum(count for _, count, _ in found.values()) >= 20_000
    assert sum(issues for _, _, issues in found.values()) >= 20_000


if __name__ == "__main__" and "--record" in sys.argv:
    DIGESTS.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


# -- the scanner against the lexicons' definition, text by text ------------------------------


def _reference(scanner: Scanner, text: Text) -> set[str]:
    """The lexicons of a scanner a text holds, by the definition of each part (the words of the
    text as a whole set, every lexicon tried in turn): what the scanner must find."""
    words = frozenset(text.tokens)
    raw_needs = {need for lexicon in scanner.lexicons if lexicon.raw for need in lexicon.raw_needs}
    bracketed = any(need in text.raw for need in raw_needs)
    found = set()
    for lexicon in scanner.lexicons:
        if (
            any(
                term.split()[0] in words and lexicon.term_found(text, term)
                for term in lexicon.terms
            )
            or (not words.isdisjoint(lexicon.gates) and lexicon.keyword_found(text) is not None)
            or (bracketed and lexicon.raw is not None and lexicon.raw.search(text.raw))
            or any(lexicon.any_link or _under(host, lexicon.hosts) for host, _ in text.links)
            or (lexicon.emails and text.emails)
            or (lexicon.phones and text.phones)
        ):
            found.add(lexicon.name)
    return found


def _scanners() -> list[tuple[str, Scanner]]:
    found = []
    for operation in ("vonage.campaigns.create", "vonage.brands.create", "bandwidth.brands.create"):
        plan = _plan(operation)
        assert plan is not None
        found += [(f"{operation}:{role}", scanner) for role, scanner in plan.scanners.items()]
    return found


SCANNERS = _scanners()
#: the texts of the corpus, the snippets, and each snippet after each corpus text of a few
TEXTS = sorted(
    {
        value
        for case in CORPUS_CASES
        for value in corpus_body(case).values()
        if isinstance(value, str)
    }
)
TEXTS += list(SNIPPETS) + [f"{text} {snippet}" for text in TEXTS[::9] for snippet in SNIPPETS]


def _agrees(raw: str) -> None:
    for name, scanner in SCANNERS:
        text = Text(raw, "/x", scanner)
        assert text.found == _reference(scanner, text), (name, raw)


def test_the_scanner_finds_what_the_lexicons_define_in_every_text():
    assert len(TEXTS) > 1000
    for raw in TEXTS:
        _agrees(raw)


#: the pieces texts are made of: every word, phrase and keyword of the lexicons in several
#: cases, the other languages' function words, links, addresses, numbers and brackets
PIECES = sorted(
    {
        variant
        for lexicon in rule_set().lexicons.values()
        for term in (*lexicon.terms, *lexicon.exact, *lexicon.needs, *lexicon.hosts)
        for variant in (term.strip(), term.strip().upper(), term.strip().title())
    }
    | set(rule_set().languages.foreign)
    | {"https://acme.com/x", "acme.com", "a@b.com", "415-555-0100", "<Brand>", "{x}", "e.g."}
)
SEPARATORS = (" ", "  ", ", ", ". ", "-", "/", "\n", "\u2019", "\u00a0", ":", "!", "")


@given(
    st.lists(
        st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=1, max_size=12
    )
)
def test_the_scanner_finds_what_the_lexicons_define_in_made_up_texts(parts):
    _agrees("".join(piece + separator for piece, separator in parts))
