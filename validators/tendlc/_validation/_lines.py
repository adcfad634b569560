"""The lines of a JSON body's issues, worked out only when there are issues.

XML issues carry the line of their element from the parsed tree; a JSON body is parsed at C
speed without positions, so its issues get their lines here, from a second reading of the text
(:func:`~tendlc.parsing.json_positions`) that the valid path never pays for. An issue gets the
line where the value its path names starts; an undocumented member, the line of its key; a path
past the document (a missing field), the line of the deepest value on its way, the object that
misses it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .._catalog import Body
from .._parsing import json_positions
from ._report import STRUCTURAL_RULES, Issue

#: rules about a member's name rather than its value: their line is the key's
_KEY_RULES = frozenset({"additionalProperties"})
#: the check whose issues at the document's own path ("") are about the document
_CONTRACT_CHECK = "body"


def with_json_lines(body: Body | None, payload: Any, issues: list[Issue]) -> list[Issue]:
    """``issues`` of a JSON body given as text, each whose path points into the document
    given its line (issues that have one, and issues of other payloads, are left as they
    are)."""
    if (
        body is None
        or body.is_xml
        or not body.structured
        or body.multipart
        or not isinstance(payload, bytes | bytearray | memoryview | str)
    ):
        return issues
    wanted = {issue.path for issue in issues if _locatable(issue)}
    if not wanted:
        return issues
    if isinstance(payload, memoryview):
        payload = payload.tobytes()
    if (b"\n" if not isinstance(payload, str) else "\n") not in payload:
        # a text on one line (what most clients send): every place in it is on line 1
        return [replace(issue, line=1) if _locatable(issue) else issue for issue in issues]
    positions = json_positions(payload, wanted)
    if not positions:
        return issues
    placed = []
    for issue in issues:
        position = positions.get(issue.path) if _locatable(issue) else None
        if position is not None:
            line = position.line
            if issue.rule in _KEY_RULES and position.key_line is not None:
                line = position.key_line
            issue = replace(issue, line=line)
        placed.append(issue)
    return placed


def _locatable(issue: Issue) -> bool:
    if issue.line is not None:
        return False
    if issue.path.startswith("/"):
        return True
    # the document itself: the contract's judgement of its root, not a parse or status issue
    return (
        issue.path == "" and issue.check == _CONTRACT_CHECK and issue.rule not in STRUCTURAL_RULES
    )
