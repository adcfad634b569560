"""schema_errors: xmlschema's own error list, from a copied validation context where it can.

tests/test_hot_paths.py compares the two routes on the whole corpus; these pin which route a
document takes, and that threads validating at once keep their errors apart.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from _support.xml import signature
from tendlc._validation import assert_contexts, load_schema
from tendlc._validation._xsd_errors import schema_errors

CONTRACT = "bandwidth/vetting.xsd"
ROOT = "BrandVetting"


class _Public:
    """The schema, counting the documents its public iter_errors is asked about."""

    def __init__(self, schema):
        self.schema = schema
        self.calls = 0

    def iter_errors(self, root):
        self.calls += 1
        return self.schema.iter_errors(root)


def _signatures(errors):
    return [signature(error) for error in errors]


def _errors(schema, root):
    with assert_contexts():
        return list(schema.iter_errors(root))


@pytest.fixture(scope="module")
def schema():
    return load_schema(CONTRACT)


def _document(*children, namespace=None):
    tag = f"{{{namespace}}}{ROOT}" if namespace else ROOT
    root = etree.Element(tag)
    for name, text in children:
        child = etree.SubElement(root, f"{{{namespace}}}{name}" if namespace else name)
        child.text = text
    return etree.fromstring(etree.tostring(root))


@pytest.mark.parametrize(
    "children",
    [
        [("EvpId", "WMC"), ("VettingId", "STANDARD")],  # an undocumented field, one missing
        [("EvpId", "WMC")],  # incomplete content
        [("EvpId", "WMC"), ("VettingClass", "STANDARD")],  # valid: no errors at all
        [("EvpId", "x" * 500), ("VettingClass", "NOT-A-CLASS")],
    ],
)
def test_a_document_without_namespaces_is_validated_in_a_copied_context(schema, children):
    root = _document(*children)
    public = _Public(schema)
    errors = schema_errors(public, schema.elements[ROOT], root)
    assert public.calls == 0, "the copied context was not used"
    assert _signatures(errors) == _signatures(_errors(schema, root))


@pytest.mark.parametrize(
    "root",
    [
        _document(("EvpId", "WMC"), namespace="urn:elsewhere"),
        etree.fromstring(b'<BrandVetting><EvpId xmlns:x="urn:x">WMC</EvpId></BrandVetting>'),
        etree.fromstring(b'<BrandVetting xmlns:x="urn:x"><EvpId>x:WMC</EvpId></BrandVetting>'),
    ],
    ids=["namespaced", "declared-below-the-root", "declared-unused"],
)
def test_a_document_declaring_a_namespace_gets_iter_errors_own_list(schema, root):
    public = _Public(schema)
    errors = schema_errors(public, schema.elements[ROOT], root)
    assert public.calls == 1
    assert errors and _signatures(errors) == _signatures(_errors(schema, root))


def test_threads_validating_at_once_keep_their_errors_apart(schema):
    documents = [
        _document(("EvpId", "WMC"), ("VettingClass", "STANDARD")),
        _document(("EvpId", "WMC"), ("VettingId", "STANDARD")),
        _document(("VettingClass", "ENHANCED")),
    ] * 20
    expected = [_signatures(_errors(schema, root)) for root in documents]

    def run(root):
        with assert_contexts():
            return _signatures(schema_errors(schema, schema.elements[ROOT], root))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(run, documents)) == expected
    assert any(expected) and not all(expected)


def test_without_the_protocol_every_document_gets_iter_errors(schema, monkeypatch):
    from tendlc._validation import _xsd_errors

    monkeypatch.setattr(_xsd_errors, "_template", lambda: None)
    root = _document(("EvpId", "WMC"), ("VettingId", "STANDARD"))
    public = _Public(schema)
    errors = schema_errors(public, schema.elements[ROOT], root)
    assert public.calls == 1
    assert errors and _signatures(errors) == _signatures(_errors(schema, root))
