"""The test suite's own layout: shared helpers live in tests/_support, and no test module
imports another (a test module's import side effects are its tests; a helper needed twice
moves to tests/_support)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TEST_MODULES = sorted(path.stem for path in TESTS.glob("test_*.py"))
SOURCES = sorted([*TESTS.rglob("*.py"), ROOT / "conftest.py"])


def _imported(tree: ast.AST):
    """(line, module) of every import in ``tree``, inside functions too, and of every module
    named to ``__import__``, ``importlib.import_module`` or looked up in ``sys.modules``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = (
                function.id
                if isinstance(function, ast.Name)
                else function.attr
                if isinstance(function, ast.Attribute)
                else ""
            )
            looked_up = (
                name == "get"
                and isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Attribute)
                and function.value.attr == "modules"
            )
            argument = node.args[0]
            if (name in ("__import__", "import_module") or looked_up) and isinstance(
                argument, ast.Constant
            ):
                yield node.lineno, str(argument.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "modules"
            and isinstance(node.slice, ast.Constant)
        ):
            yield node.lineno, str(node.slice.value)


def imports_of_test_modules(source: str) -> list[str]:
    """The imports of test modules in ``source`` (as ``line: module``)."""
    found = []
    for line, module in _imported(ast.parse(source)):
        parts = module.split(".")
        if parts[0] == "tests":
            parts = parts[1:]
        if parts and parts[0] in TEST_MODULES:
            found.append(f"{line}: {module}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_test_module_imports_another(path):
    found = imports_of_test_modules(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} imports test modules, {found}: move the helpers to _support"


def test_the_check_sees_every_way_of_importing_a_test_module():
    assert "test_boundaries" in TEST_MODULES
    for source in (
        "from test_boundaries import CASES",
        "import test_boundaries as b",
        "from tests.test_boundaries import CASES",
        "def f():\n    import test_boundaries",
        "import importlib\nimportlib.import_module('test_boundaries')",
        "__import__('test_boundaries')",
        "import sys\nsys.modules.get('tests.test_boundaries')",
        "import sys\nsys.modules['test_boundaries']",
    ):
        assert imports_of_test_modules(source), source
    assert imports_of_test_modules("from _support.boundaries import CASES\nimport tendlc") == []


def test_every_module_beside_the_tests_is_a_test_module():
    """A helper module in tests/ would be imported by test modules under a name that is not
    in tests/_support: shared code has one home."""
    stray = sorted(path.name for path in TESTS.glob("*.py") if not path.name.startswith("test_"))
    assert stray == []
    assert (TESTS / "_support" / "__init__.py").is_file()
