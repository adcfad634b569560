"""The boundary cases of every contract constraint (tests/boundaries/*.yaml, described in its
README): each edits a valid documented example at one path to the last valid or the first
invalid value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import tendlc
from tendlc._documented import documented_examples
from tendlc._edit import dump_json, edit_json, edit_query, edit_xml

HERE = Path(__file__).resolve().parent.parent / "boundaries"
_BY_NAME = {example.name: example for example in documented_examples()}


def _cases():
    for path in sorted(HERE.glob("*.yaml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for case in group["cases"]:
                yield pytest.param(group, case, id=f"{path.stem}::{case['name']}")


#: every case as ``pytest.param(group, case)``, id ``file::name``
CASES = list(_cases())


def _base(group: dict[str, Any]) -> bytes | str:
    if "payload" in group:
        return group["payload"]
    example = _BY_NAME[group["base"]]
    return example.repaired()


def edited(group: dict[str, Any], case: dict[str, Any]) -> bytes | str:
    """The payload of one case: its group's base with the case's ``set`` and ``delete``."""
    base = _base(group)
    sets, deletes = case.get("set") or {}, case.get("delete") or []
    if group["part"] == "query":
        return edit_query(base if isinstance(base, str) else base.decode(), sets, deletes)
    operation = tendlc.get_operation(group["operation"])
    body = (
        operation.request if group["part"] == "request" else (operation.responses[group["status"]])
    )
    if body.is_xml:
        return edit_xml(base, sets, deletes)
    return dump_json(edit_json(base, sets, deletes)).encode("utf-8")
