"""The public surface is pinned: names exported, names reachable, and what importing costs."""

import subprocess
import sys

import pytest

import tendlc
from tendlc import strategies as tst

TENDLC_ALL = [
    "Body",
    "Check",
    "CheckContext",
    "ContractError",
    "InvalidArgument",
    "Issue",
    "Limits",
    "Operation",
    "Report",
    "Severity",
    "TendlcError",
    "UnknownOperationError",
    "UnknownProviderError",
    "__version__",
    "check",
    "get_operation",
    "operations",
    "prepare",
    "registered_checks",
    "unregister_check",
    "validate",
]
# Public submodules: importing them makes them attributes of the package, and that is fine.
PUBLIC_SUBMODULES = {
    "cassettes",
    "cli",
    "conform",
    "plugin",
    "proxy",
    "reports",
    "sandbox",
    "strategies",
    "traffic",
}
STRATEGIES_ALL = ["InvalidArgument", "Mutation", "invalid_requests", "requests", "responses"]


def _public(module):
    # "@py_builtins" and the like: pytest's assertion rewriting of plugin modules
    return {name for name in vars(module) if not name.startswith(("_", "@"))}


def test_exported_names_are_pinned():
    assert sorted(tendlc.__all__) == sorted(TENDLC_ALL)
    for name in tendlc.__all__:
        assert getattr(tendlc, name) is not None, name
    # Nothing else is reachable as a public name: private layers stay private.
    assert _public(tendlc) <= set(TENDLC_ALL) | PUBLIC_SUBMODULES, _public(tendlc)
    assert set(dir(tendlc)) >= set(TENDLC_ALL)


def test_strategies_names_are_pinned():
    assert sorted(tst.__all__) == sorted(STRATEGIES_ALL)
    assert _public(tst) == set(STRATEGIES_ALL), _public(tst) - set(STRATEGIES_ALL)


def test_every_layer_exports_what_it_defines_and_nothing_private():
    import tendlc._catalog as catalog
    import tendlc._parsing as parsing
    import tendlc._validation as validation

    for layer in (catalog, parsing, validation):
        assert all(not name.startswith("_") for name in layer.__all__), layer.__name__
        for name in layer.__all__:
            assert hasattr(layer, name), (layer.__name__, name)


def test_import_tendlc_is_cheap():
    code = (
        "import sys, tendlc\n"
        "heavy = ['lxml', 'xmlschema', 'jsonschema_rs', 'hypothesis', 'pytest', 'httpx', 'vcr',"
        " 'yaml', 'click']\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"import tendlc loaded {loaded}"


def test_errors_share_one_root_and_their_builtins():
    from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument

    assert issubclass(tendlc.UnknownOperationError, tendlc.TendlcError)
    assert issubclass(tendlc.UnknownOperationError, LookupError)
    assert issubclass(tendlc.InvalidArgument, ValueError)
    assert issubclass(tst.InvalidArgument, tendlc.InvalidArgument)
    assert issubclass(tst.InvalidArgument, HypothesisInvalidArgument)
    assert issubclass(tst.InvalidArgument, ValueError)
    assert issubclass(tendlc.ContractError, tendlc.TendlcError)


def test_unknown_operation_is_a_lookup_error_that_suggests_the_nearest_ids():
    with pytest.raises(LookupError) as caught:
        tendlc.validate("bandwidth.brand.create", b"<Brand/>")
    assert isinstance(caught.value, tendlc.UnknownOperationError)
    assert "bandwidth.brands.create" in str(caught.value)
    assert "bandwidth.brands.create" in caught.value.suggestions


def test_unknown_part_is_a_programmer_error():
    with pytest.raises(tendlc.InvalidArgument, match="part must be one of"):
        tendlc.validate("bandwidth.brands.create", b"<Brand/>", part="body")
    with pytest.raises(ValueError, match="part must be one of"):
        tendlc.validate("bandwidth.brands.create", b"<Brand/>", part="body")


def test_a_naive_clock_is_refused():
    from datetime import datetime

    with pytest.raises(tendlc.InvalidArgument, match="timezone-aware"):
        tendlc.validate("bandwidth.brands.create", b"<Brand/>", now=datetime(2030, 1, 1))
