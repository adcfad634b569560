"""The package's layers only ever import downwards, and only through each other's public surface.

shared → catalog / parsing → validation → strategies → traffic → reports / sandbox →
conform / proxy → plugin / cli. A module may import any lower layer's package (its
``__all__``), never a private module inside another layer, and never a higher layer (lazily
inside a function included).
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
    "_shared": 1,
    "_catalog": 2,
    "_parsing": 2,
    "_validation": 3,
    "_edit": 4,
    "_documented": 4,
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


@pytest.mark.parametrize("module", ["tendlc._parsing", "tendlc.traffic", "tendlc.reports"])
def test_layers_that_need_no_xsd_engine_do_not_load_it(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print('xmlschema' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def _code_words(tree):
    """Every string constant (docstrings left out) and every name of a module's code."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.lineno, node.name
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif isinstance(node, ast.alias):
            yield node.lineno, node.asname or node.name


def test_no_package_code_outside_the_catalog_names_a_provider():
    from tendlc._catalog import providers

    names = [provider.name.lower() for provider in providers()]
    assert len(names) >= 2
    found = []
    for parts, path in MODULES:
        if _layer(parts) == "_catalog":
            continue
        for line, word in _code_words(ast.parse(path.read_text(encoding="utf-8"))):
            if any(name in word.lower() for name in names):
                found.append(f"{'/'.join(parts)}.py:{line}: {word[:60]!r}")
    assert not found, found


def _module_of(steps):
    """The module (parts relative to tendlc, ending in ``__init__`` for a package) at
    ``steps``, or None when it is no module of the package (a name inside one)."""
    path = PACKAGE.joinpath(*steps)
    if path.is_dir():
        return (*steps, "__init__")
    if path.with_suffix(".py").is_file():
        return tuple(steps)
    return None


def _imported_modules(parts, tree):
    """Every module of the package that ``parts`` imports, at module level or in a function
    (a name imported from a package is its submodule when there is one)."""
    package = list(parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                steps = alias.name.split(".")
                if steps[0] == "tendlc":
                    yield _module_of(steps[1:])
        elif isinstance(node, ast.ImportFrom):
            steps = (node.module or "").split(".") if node.module else []
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif steps and steps[0] == "tendlc":
                base, steps = [], steps[1:]
            else:
                continue
            for alias in node.names:
                yield _module_of([*base, *steps, alias.name]) or _module_of([*base, *steps])


def _import_graph():
    graph = {}
    for parts, path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[tuple(parts)] = {m for m in _imported_modules(parts, tree) if m and m != parts}
    return graph


def _cycles(graph):
    """One cycle through each group of modules that import each other, as module paths."""
    order, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = set()
            while not group or module not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in order:
            visit(module)
    cycles = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until a module repeats
            step = min(target for target in graph[path[-1]] if target in group)
            if step in seen:
                path = [*path[path.index(step) :], step]
                break
            path.append(step)
            seen.add(step)
        cycles.append(" -> ".join("/".join(module) for module in path))
    return cycles


def test_the_import_graph_has_the_modules_and_their_imports():
    graph = _import_graph()
    assert ("_validation", "_validate") in graph[("_validation", "__init__")]
    assert ("_validation", "_hot") in graph[("_validation", "_validate")]
    # an import inside a function counts, and a name imported from a package is its module
    assert ("_validation", "_xsd") in graph[("_validation", "_hot_xml")]
    assert ("_parsing", "__init__") in graph[("_validation", "_hot_xml")]


def test_cycle_finder_names_a_cycle():
    graph = {("a",): {("b",)}, ("b",): {("c",)}, ("c",): {("a",), ("d",)}, ("d",): set()}
    assert _cycles(graph) == ["a -> b -> c -> a"]
    assert _cycles({("a",): {("b",)}, ("b",): set()}) == []


def test_no_import_cycles_inside_the_package():
    cycles = _cycles(_import_graph())
    assert not cycles, "modules that import each other (move what both need into a module):\n" + (
        "\n".join(cycles)
    )


LONG = 60  # lines (end_lineno - lineno + 1) over which a function is long
MOST_LONG = 3  # long functions the package may keep


def _function_lengths():
    """(file, function name, lines) for every function and method of the package."""
    for parts, path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = "/".join(parts) + ".py"
                yield name, node.name, node.end_lineno - node.lineno + 1


def test_few_functions_run_over_sixty_lines():
    lengths = list(_function_lengths())
    long = sorted(f"{file} {name}: {lines} lines" for file, name, lines in lengths if lines > LONG)
    assert len(long) <= MOST_LONG, (
        f"more than {MOST_LONG} functions run over {LONG} lines (make tables and small "
        f"functions of them): {long}"
    )
