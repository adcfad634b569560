"""The hostile-input corpus: malformed, oversized and hostile payloads, in named tables.

tests/test_hostile_input.py takes its cases from these tables; tests/test_conform.py (the
sandbox and the proxy) and tests/test_hot_paths.py (both validation paths) send the whole
corpus through (``hostile_payloads``, ``large_payloads``). A case added to a table reaches
every suite that uses the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

XML_OP = "bandwidth.campaignImports.create"
JSON_OP = "vonage.brands.create"
_PARAM = type(pytest.param(None))  # pytest's ParameterSet, a name pytest does not export


def _billion_laughs() -> str:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<!DOCTYPE x [<!ENTITY l0 "lol">{entities}]>'
        "<ImportedCampaign><CampaignId>&l9;</CampaignId></ImportedCampaign>"
    )


def _quadratic_blowup() -> str:
    big = "a" * 100_000
    return (
        f'<!DOCTYPE x [<!ENTITY a "{big}">]><ImportedCampaign><CampaignId>'
        + "&a;" * 10_000
        + "</CampaignId></ImportedCampaign>"
    )


#: payloads of single tests, by name
UNPARAMETRISED: dict[str, bytes | str] = {
    "billion-laughs": _billion_laughs(),
    "quadratic-blowup": _quadratic_blowup(),
    "lying-declaration": (
        b'<?xml version="1.0" encoding="UTF-16"?>'
        b"<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"
    ),
}


def oversized_json() -> bytes:
    """A JSON body of 11 MiB, above the size limit."""
    return b'{"display_name": "' + b"x" * (11 * 1024 * 1024) + b'"}'


def hundred_megabytes(operation: str) -> bytes:
    """A 100 MiB body in the wire format of ``operation`` (XML_OP or JSON_OP)."""
    return (
        b"<a>" + b"x" * (100 * 1024 * 1024) + b"</a>"
        if operation == XML_OP
        else (b'{"a": "' + b"x" * (100 * 1024 * 1024) + b'"}')
    )


#: the bodies larger than the size limit, by name, made only when asked for
LARGE: dict[str, Callable[[], bytes]] = {
    "11MB-json": oversized_json,
    "100MB-xml": lambda: hundred_megabytes(XML_OP),
    "100MB-json": lambda: hundred_megabytes(JSON_OP),
}

#: (payload, words) for XML_OP: not a document, and a word of the parse issue that says so
BROKEN_XML = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"   \n", "empty", id="blank"),
    pytest.param(
        b"<ImportedCampaign><CampaignId>C1</CampaignId>", "not well-formed", id="unclosed"
    ),
    pytest.param(b"not xml at all", "not well-formed", id="text"),
    pytest.param(b"<ImportedCampaign/>junk", "not well-formed", id="junk-after-root"),
    pytest.param(
        b"<?pi data?><ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>",
        "processing instruction",
        id="pi",
    ),
    pytest.param(b"<ImportedCampaign>" * 100_000, "not well-formed", id="deep"),
    pytest.param(
        b"<ImportedCampaign>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</ImportedCampaign>",
        "depth",
        id="deep-closed",
    ),
    pytest.param(
        b'<?xml version="1.0" encoding="UTF-8"?><ImportedCampaign><CampaignId>\xe9'
        b"</CampaignId></ImportedCampaign>",
        "not well-formed",
        id="bad-utf8",
    ),
]

#: XML_OP's root element in a namespace (its contract has none)
FOREIGN_ROOTS = [
    b'<ImportedCampaign xmlns="urn:elsewhere"><CampaignId>C1</CampaignId></ImportedCampaign>',
    b'<p:ImportedCampaign xmlns:p="urn:elsewhere"><CampaignId>C1</CampaignId></p:ImportedCampaign>',
]

#: (payload, words) for JSON_OP: not JSON the strict parser takes, and a word of its issue
BROKEN_JSON = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"{", "not valid JSON", id="unclosed"),
    pytest.param(b'{"a": 1, "a": 2}', "appears twice", id="duplicate-key"),
    pytest.param(b'{"a": NaN}', "not a JSON number", id="nan"),
    pytest.param(b'{"a": Infinity}', "not a JSON number", id="infinity"),
    pytest.param(b'{"a": ' + b"9" * 10_000 + b"}", "digits", id="long-number"),
    pytest.param(b"\xef\xbb\xbf{}", "byte order mark", id="bom"),
    pytest.param('{"a": 1}'.encode("utf-16"), "byte order mark", id="utf16-bom"),
    pytest.param('{"a": 1}'.encode("utf-16-le"), "UTF-16", id="utf16"),
    pytest.param(b'{"a": "\xff"}', "not valid UTF-8", id="bad-utf8"),
    pytest.param(b'{"a": "\\ud800"}', "lone surrogate", id="lone-surrogate"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "nests deeper", id="deep"),
]

#: JSON_OP bodies whose top level is not an object (Python values too)
NOT_AN_OBJECT: list[Any] = [b"[]", b"3", b'"brand"', b"null", [], 7]

#: (operation, payload) with a NUL byte inside a value
NUL_BYTES = [
    pytest.param(
        XML_OP, b"<ImportedCampaign><CampaignId>C\x001</CampaignId></ImportedCampaign>", id="xml"
    ),
    pytest.param(JSON_OP, b'{"display_name": "a\x00b"}', id="json"),
]

#: file name -> (operation, body), for the command line
HOSTILE_FILES = {
    "xxe.xml": (
        XML_OP,
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<ImportedCampaign><CampaignId>&e;</CampaignId></ImportedCampaign>",
    ),
    "deep.json": (JSON_OP, b"[" * 100_000),
    "dupe.json": (JSON_OP, b'{"a": 1, "a": 2}'),
    "bad-utf8.xml": (XML_OP, b"<ImportedCampaign><CampaignId>\xff</CampaignId></ImportedCampaign>"),
    "empty.json": (JSON_OP, b""),
}

# (name in the corpus, table, position of the payload in a case), in the corpus's order
_TABLES: tuple[tuple[str, Sequence[Any], int], ...] = (
    ("a_root_element_in_another_namespace_says_so", FOREIGN_ROOTS, 0),
    ("broken_json", BROKEN_JSON, 0),
    ("broken_xml", BROKEN_XML, 0),
    ("nul_bytes", NUL_BYTES, 1),
    ("top_level_shape_other_than_an_object", NOT_AN_OBJECT, 0),
)


def hostile_payloads() -> list[tuple[str, bytes | str]]:
    """(name, payload) of every hostile input up to the size limit, in a stable order: the
    files as ``file-NAME``, each table's cases as ``TABLE-ID`` (or ``TABLE-POSITION``), then
    UNPARAMETRISED. Python values that are not bytes or text are left out."""
    found: list[tuple[str, bytes | str]] = [
        (f"file-{name}", body) for name, (_, body) in HOSTILE_FILES.items()
    ]
    for subject, table, index in _TABLES:
        for position, case in enumerate(table):
            if isinstance(case, _PARAM):
                values, case_id = case.values, case.id
            else:
                values, case_id = (case if isinstance(case, tuple) else (case,)), None
            payload = values[index]
            if isinstance(payload, bytes | str):
                found.append((f"{subject}-{case_id or position}", payload))
    found.extend(UNPARAMETRISED.items())
    return found


def large_payloads() -> dict[str, Callable[[], bytes]]:
    """Name -> a function making a body above the size limit (up to 100 MB)."""
    return dict(LARGE)
