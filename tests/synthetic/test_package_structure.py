"""The house rules of the Python packages, read from the source with ``ast``.

- ``synthetic/`` has no import cycle. Imports inside functions count too: an import
  moved into a function to get round a cycle still is one (the generator used to be held
  together that way).
- ``ingest/`` (what a real delivery goes through) never imports ``synthetic``.
- No module of the repository's own packages uses an underscore-private name of another
  of its modules (``from x import _y``, or ``x._y`` on an imported module): what another
  module needs is public, or it lives in that module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import synthetic

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
PACKAGES = ("ingest", "synthetic", "searchlight", "ledger", "expectations", "orchestration",
            "bench", "tests")


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    line: int
    target: str  # the module imported from (dotted)
    names: tuple[str, ...]  # the names taken from it (empty for ``import x``)
    local: tuple[str, ...]  # what each name is bound to (``as``); for ``import x.y as z``: z


def module_files(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import statement of the module, at any depth (functions, classes, ifs)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or (alias.name if "." not in alias.name else None)
                yield Import(module, node.lineno, alias.name, (), (local,) if local else ())
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield Import(module, node.lineno, base, tuple(a.name for a in node.names),
                         tuple(a.asname or a.name for a in node.names))


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of ``modules`` it imports (``from p import m``: the module m)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for imp in imports_of(module, path):
            targets = [f"{imp.target}.{n}" for n in imp.names if f"{imp.target}.{n}" in modules]
            if len(targets) < len(imp.names) or not imp.names:
                targets.append(imp.target)  # names defined in the module itself
            graph[module] |= {t for t in targets if t in modules and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one module, as one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_cycle_through(graph, sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _cycle_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A readable cycle a -> b -> ... -> a inside one strongly connected component."""
    start, members = component[0], set(component)
    path, seen = [start], {start}
    while True:
        nxt = sorted(graph[path[-1]] & members)
        back = [n for n in nxt if n == start]
        if back and len(path) > 1:
            return [*path, start]
        step = next((n for n in nxt if n not in seen), None)
        if step is None:  # the shortest way back to the start from here
            return [*path, *_shortest(graph, path[-1], start, members)[1:]]
        path.append(step)
        seen.add(step)


def _shortest(graph: dict[str, set[str]], a: str, b: str, members: set[str]) -> list[str]:
    frontier, came = [a], {a: a}
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == b:
                    path = [v]
                    while path[-1] != a:
                        path.append(came[path[-1]])
                    return [*reversed(path), b]
                if w not in came:
                    came[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{b} unreachable from {a}")


def private_uses(modules: dict[str, Path], root: Path = ROOT) -> list[str]:
    """``from x import _y`` and ``x._y`` where x is another module of ``modules``."""
    problems = []
    for module, path in modules.items():
        rel = path.relative_to(root).as_posix()
        bound: dict[str, str] = {}  # local name -> the repository module it refers to
        for imp in imports_of(module, path):
            private = [n for n in imp.names
                       if _is_private(n) and f"{imp.target}.{n}" not in modules]
            if imp.target in modules and imp.target != module and private:
                problems.append(f"{rel}:{imp.line}: from {imp.target} import "
                                + ", ".join(private))
            for name, local in zip(imp.names, imp.local):
                if f"{imp.target}.{name}" in modules:
                    bound[local] = f"{imp.target}.{name}"
            if not imp.names and imp.local and imp.target in modules:
                bound[imp.local[0]] = imp.target
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _is_private(node.attr)
                    and isinstance(node.value, ast.Name) and node.value.id in bound
                    and bound[node.value.id] != module):
                problems.append(f"{rel}:{node.lineno}: {node.value.id}.{node.attr} "
                                f"({bound[node.value.id]})")
    return problems


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# --------------------------------------------------------------------------- the tests


def test_the_synthetic_package_has_no_import_cycle():
    graph = import_graph(module_files(packages=("synthetic",)))
    assert len(graph) >= 10
    found = cycles(graph)
    assert not found, "import cycles in synthetic/:\n  " + "\n  ".join(
        " -> ".join(c) for c in found)


def test_the_package_map_lists_every_module_above_those_that_import_it():
    """synthetic/__init__.py maps the package in layers; the map stays complete and true."""
    listed = re.findall(r"^ {4}(\w+)(?:\.py|/) ", synthetic.__doc__ or "", re.MULTILINE)
    modules = module_files(packages=("synthetic",))

    def layer(module: str) -> str:  # synthetic.families.fairness -> families
        return module.split(".")[1] if module != "synthetic" else "synthetic"

    assert sorted(listed) == sorted({layer(m) for m in modules} - {"synthetic"})
    rank = {name: k for k, name in enumerate(listed)}
    for module, targets in import_graph(modules).items():
        for target in targets:
            if module != "synthetic" and layer(target) != layer(module):
                assert rank[layer(target)] < rank[layer(module)], (
                    f"{module} imports {target}, listed below it in synthetic/__init__.py")


def test_ingest_never_imports_the_generator():
    modules = module_files()
    ingest = {m: p for m, p in modules.items() if m == "ingest" or m.startswith("ingest.")}
    uses = [f"{p.relative_to(ROOT)}:{imp.line}: {imp.target}"
            for m, p in ingest.items() for imp in imports_of(m, p)
            if imp.target == "synthetic" or imp.target.startswith("synthetic.")]
    assert not uses, "ingest/ is what a real delivery goes through:\n  " + "\n  ".join(uses)


def test_no_module_uses_a_private_name_of_another():
    problems = private_uses(module_files())
    assert not problems, ("underscore-private names used across modules (make the name "
                          "public, or move the code to where it is used):\n  "
                          + "\n  ".join(problems))


def test_the_checks_see_cycles_and_private_names(tmp_path):
    """The graph counts imports inside functions, relative imports and ``from p import m``."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from .c import _helper\n    return _helper\n")
    (pkg / "c.py").write_text("import pkg.a as alias\n\n\ndef _helper():\n"
                              "    return alias._secret\n")
    modules = module_files(tmp_path, ("pkg",))
    graph = import_graph(modules)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    assert private_uses(modules, tmp_path) == ["pkg/b.py:2: from pkg.c import _helper",
                                               "pkg/c.py:5: alias._secret (pkg.a)"]
