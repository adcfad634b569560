"""The XML hot path: libxml2 on the contract compiled to XSD 1.0, for a yes/no answer.

:func:`accepts` may only ever say "valid". It says so when the document is plain (elements
and text only, see :func:`~tendlc.parsing.parse_plain_xml`), its root is the body's root,
libxml2 accepts it against the closed contract compiled by :mod:`._xsd10`, the compiled
checks (asserts, repeatable ``xs:all`` children) hold, no comment sits inside a value, and a
response carries the child its status needs. Anything else goes to xmlschema, which writes
the issues, so reports do not change. Validating against the *closed* contract makes it
exact for responses too: a response it accepts has no undocumented field to warn about.
A document it declines after reading it whole is handed on as read (its tree is the one
:func:`~tendlc.parsing.parse_xml` would give): the explaining path does not parse it again.

Each contract root compiles once per process, on first use, under a lock; each thread gets
its own libxml2 schema and check function (lxml objects are not shared between threads).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree

from .._catalog import Body
from .._parsing import Limits, parse_plain_xml
from ._once import once

if TYPE_CHECKING:  # the compiler is imported when a contract is first compiled
    from ._xsd10 import Compiled

#: Why a contract root stays on xmlschema, by (contract, root): filled as contracts compile.
FALLBACKS: dict[tuple[str, str], str] = {}


class Declined:
    """The hot path's "ask the explaining path": never a yes (its truth value is False).
    ``tree`` is the document when the hot path read it whole before declining it, as
    :func:`~tendlc.parsing.parse_xml` reads it (but for the depth limit: see
    :func:`~tendlc.parsing.within_depth`), so that it is not parsed again; else None."""

    __slots__ = ("tree",)

    def __init__(self, tree: etree._Element | None = None) -> None:
        self.tree = tree

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "DECLINED" if self.tree is None else f"Declined(<{self.tree.tag}>)"


#: The verdict of every call that hands nothing on: one shared instance, no allocation.
DECLINED = Declined()
#: True: accepted with nothing to report; else :class:`Declined`.
Verdict = Literal[True] | Declined


def accepts(body: Body, payload: Any, limits: Limits) -> bool:
    """True only when the body's contract accepts ``payload`` with nothing to report."""
    return checker(body)(payload, limits) is True


def checker(body: Body, plan: Compiled | None = None) -> Callable[[Any, Limits], Verdict]:
    """A :data:`Verdict` for one body's documents, its contract compiled on the first call
    (or ``plan``, a contract compiled already)."""
    contract, root_name, child = body.contract, body.locator, body.child
    local = threading.local()  # this body's libxml2 schema and check function, per thread

    def check(payload: Any, limits: Limits) -> Verdict:
        engines = getattr(local, "engines", None)
        if engines is None:
            found = plan or compiled(contract, root_name)
            engines = local.engines = (found, *found.engines()) if found is not None else ()
        if not engines:
            return DECLINED
        compiled_plan, validator, assertions = engines
        if compiled_plan.depth > limits.max_depth:
            return DECLINED
        plain = parse_plain_xml(payload, limits)
        if plain is None:
            return DECLINED
        root, comments, whole = plain
        try:
            accepted = root.tag == root_name and validator(root) and assertions(root)
        except Exception:  # anything unusual is for the explaining path to report
            accepted = False
        if (
            accepted
            and (not comments or all(_between(comment, compiled_plan) for comment in comments))
            and (child is None or next(root.iterchildren(child), None) is not None)
        ):
            return True
        return Declined(root) if whole else DECLINED

    return check


def _between(comment: Any, plan: Compiled) -> bool:
    """Whether a comment sits in an element of complex type: xmlschema refuses a comment in a
    value (libxml2 reads the text around it as one), and ignores it between elements."""
    parent = comment.getparent()
    names = [parent.tag, *(ancestor.tag for ancestor in parent.iterancestors())]
    return tuple(reversed(names))[1:] in plan.complex_paths


@once
def compiled(contract: str, root: str) -> Compiled | None:
    """The compiled contract root, or None when it stays on xmlschema (reason in FALLBACKS)."""
    from ._xsd import load_schema
    from ._xsd10 import Untranslatable, compile_contract

    try:
        return compile_contract(load_schema(contract), root)
    except Untranslatable as exc:
        FALLBACKS[(contract, root)] = str(exc)
        return None
