"""Generated XSD regular expressions: an alternation of pieces over atoms the libxml2 shapes
take and atoms they decline, each with a strategy of strings it matches (or nearly)."""

from __future__ import annotations

from hypothesis import strategies as st

# The atoms of the shapes, then atoms that are declined wherever they are; each with the
# characters it matches, or that one engine or the other may take it to match.
_ATOMS = {
    **{"a": "a", "b": "b", "-": "-", "\\-": "-", "\\.": ".", "\\{": "{", "\\t": "\t"},
    **{"\\s": " \t\n\r\x85", "[ab]": "ab", "[a-c]": "abc", "[a-]": "a-", "[b{]": "b{"},
    **{"[\\-a]": "-a", "[a\\s]": "a \n\u2003", "[.\\r]": ".\r"},
}
_OTHER_ATOMS = {
    **{".": "a.\n\u2003", "\\S": "a-\x85", "\\d": "1\u0663", "[^a]": "ab-", "é": "é"},
    **{"[\\t-\\r]": "\t-\\r\n\r", "[\\--\\t]": "-\t.,"},
}
# (spelling, fewest, most repetitions)
_QUANTIFIERS = [("", 1, 1)] * 3 + [("?", 0, 1), ("*", 0, None), ("+", 1, None)]
_QUANTIFIERS += [(f"{{{n}}}", n, n) for n in (0, 1, 2, 3)]
_QUANTIFIERS += [(f"{{{lo},{hi}}}", lo, hi) for lo, hi in ((0, 1), (1, 2), (0, 2), (2, 3), (1, 3))]
_QUANTIFIERS += [(f"{{{n},}}", n, None) for n in (0, 1, 2)] + [("{0,17}", 0, 17)]


def _repeat(quantifier, atom):
    """(the quantified text, a strategy of strings): up to 3 repetitions beyond the fewest."""
    spelling, low, high = quantifier
    most = low + 3 if high is None else min(high, low + 3)
    return atom[0] + spelling, st.lists(atom[1], min_size=low, max_size=most).map("".join)


_ATOM_NAMES = sorted(_ATOMS) * 4 + sorted(_OTHER_ATOMS)  # one atom in about 13 is declined


@st.composite
def _piece(draw, depth):
    if depth and draw(st.sampled_from([True, False, False])):
        inner = draw(branches(depth - 1, branches=2, pieces=3))
        atom = (f"({inner[0]})", inner[1])
    else:
        name = draw(st.sampled_from(_ATOM_NAMES))
        atom = (name, st.sampled_from((_ATOMS | _OTHER_ATOMS)[name]))
    return _repeat(draw(st.sampled_from(_QUANTIFIERS)), atom)


@st.composite
def branches(draw, depth, branches=3, pieces=4):
    """(an alternation of sequences of pieces, a strategy of strings it matches or nearly)."""
    found = []
    for _ in range(draw(st.integers(1, branches))):
        drawn = draw(st.lists(_piece(depth), min_size=1, max_size=pieces))
        found.append(
            ("".join(text for text, _ in drawn), st.tuples(*(s for _, s in drawn)).map("".join))
        )
    return "|".join(text for text, _ in found), st.one_of([s for _, s in found])


PATTERNS = st.one_of(
    branches(0, branches=1),  # flat
    branches(0),  # branches of atoms
    branches(1, branches=1),  # one branch with groups
    branches(1, branches=1),
    branches(2, branches=2, pieces=3),  # anything: nested groups, groups beside '|'
)
CHARS = "ab-{.c\\rt \t\n\r\x85\u2003"


def near(text):
    """``text``, or a string one edit away from it."""
    edits = [st.just(text)]
    if text:
        index = st.integers(0, len(text) - 1)
        edits.append(index.map(lambda i: text[:i] + text[i + 1 :]))
        edits.append(index.map(lambda i: text[:i] + text[i] + text[i:]))
        edits.append(
            st.tuples(index, st.sampled_from(CHARS)).map(
                lambda t: text[: t[0]] + t[1] + text[t[0] + 1 :]
            )
        )
    edits.append(
        st.tuples(st.integers(0, len(text)), st.sampled_from(CHARS)).map(
            lambda t: text[: t[0]] + t[1] + text[t[0] :]
        )
    )
    return st.one_of(edits)
