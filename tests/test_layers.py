"""The package's layers only ever import downwards, and only through each other's public surface.

catalog → parsing → validation → advice → strategies → traffic → reports / sandbox →
conform / proxy → plugin / cli. A module may import any lower layer's package (its ``__all__``),
never a private module inside another layer, and never a higher layer (lazily inside a function
included).
"""

import ast
from pathlib import Path

import pytest

import tendlc

PACKAGE = Path(tendlc.__file__).parent
# rank of each top-level module or subpackage of tendlc; equal ranks may not import each other
RANKS = {
    "_errors": 0,
    "_resources": 0,
    "__init__": 0,
    "_catalog": 1,
    "_parsing": 2,
    "_validation": 3,
    "_edit": 4,
    "_documented": 4,
    "_advice": 4,
    "strategies": 5,
    "traffic": 6,
    "cassettes": 7,
    "_config": 5,
    "_infer": 6,
    "reports": 7,
    "sandbox": 8,
    "conform": 9,
    "proxy": 9,
    "plugin": 10,
    "cli": 11,
    "_cli": 10,
    "__main__": 12,
}
# the package root re-exports lazily from below: it may name any layer
ROOT_MAY_IMPORT = {"_catalog", "_parsing", "_validation", "_errors"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        yield relative.parts, path


def _layer(parts):
    return parts[0]


def _targets(parts, tree):
    """(line, imported module parts relative to tendlc) for every import of the package."""
    package = list(parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = [*base, *(node.module.split(".") if node.module else [])]
                names = [alias.name for alias in node.names]
                if node.module is None:  # from . import x: a submodule, or a name of the package
                    for name in names:
                        candidate = PACKAGE.joinpath(*base, name)
                        is_module = candidate.is_dir() or candidate.with_suffix(".py").exists()
                        yield node.lineno, [*base, name] if is_module else [*base, "__init__"]
                    continue
                yield node.lineno, module
            elif node.module and node.module.split(".")[0] == "tendlc":
                yield node.lineno, node.module.split(".")[1:]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tendlc":
                    yield node.lineno, alias.name.split(".")[1:]


MODULES = list(_modules())


def test_every_module_belongs_to_a_ranked_layer():
    unknown = {_layer(parts) for parts, _ in MODULES} - set(RANKS)
    assert not unknown, f"add these to RANKS in tests/test_layers.py: {sorted(unknown)}"


@pytest.mark.parametrize(("parts", "path"), MODULES, ids=["/".join(p) for p, _ in MODULES])
def test_imports_go_down_through_public_surfaces(parts, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    source = _layer(parts)
    problems = []
    for line, target in _targets(parts, tree):
        if not target:
            continue
        layer = target[0]
        if layer == source:
            continue
        if source == "__init__" and len(parts) == 1:
            if layer not in ROOT_MAY_IMPORT and RANKS.get(layer, 99) > 0:
                problems.append(f"line {line}: the package root imports {'.'.join(target)}")
            continue
        if RANKS.get(layer, 99) >= RANKS[source] and RANKS.get(layer, 99) > 0:
            problems.append(f"line {line}: {source} imports the higher layer {'.'.join(target)}")
        private = [step for step in target[1:] if step.startswith("_")]
        if private:
            problems.append(f"line {line}: imports the private module {'.'.join(target)}")
    assert not problems, problems
