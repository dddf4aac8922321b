"""The shape of the code: no import cycles, and no import inside a function
without a reason written beside it.

import-linter (``pyproject.toml``) keeps the layers; these two rules are the
ones its contracts cannot say.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator
from pathlib import Path

import grimp

from tests.conftest import ROOT

PACKAGES = ("workstation", "ui", "db")
"""Where cycles are looked for."""

HOISTED = ("workstation", "db", "ui")
"""Where an import inside a function needs a ``# lazy:`` reason."""

LAZY = "# lazy:"

#: Files (``workstation/bundles/age.py``) still importing inside functions
#: without a reason while their owner cleans them up; empty now. The test fails
#: on an entry that has become clean, so the list only shrinks.
PENDING_LAZY: frozenset[str] = frozenset()


# --- no import cycles ----------------------------------------------------------


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each set of modules that import one another in a circle, sorted.

    The strongly connected components of the import graph (Tarjan's
    algorithm, iterative) with more than one module, plus any module that
    imports itself.
    """
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            for imported in pending:
                if imported not in index:
                    index[imported] = low[imported] = len(index)
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, iter(edges.get(imported, []))))
                    break
                if imported in on_stack:
                    low[module] = min(low[module], index[imported])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1 or module in edges[module]:
                        cycles.append(sorted(component))
    return sorted(cycles)


def _describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    members = set(cycle)
    lines = [" <-> ".join(cycle)]
    for importer in cycle:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(
                    f"    {importer} -> {imported} "
                    f"(l.{detail['line_number']}: {detail['line_contents']})"
                )
    return "\n".join(lines)


def test_the_cycle_finder_names_every_cycle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("a.one", "a.two"),
        ("a.two", "a.three"),
        ("a.three", "a.one"),
        ("a.three", "a.four"),
        ("a.four", "a.five"),
        ("a.six", "a.six"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["a.one", "a.three", "a.two"], ["a.six"]]


def test_no_import_cycles() -> None:
    # Imports inside functions count (they run); those under ``if
    # TYPE_CHECKING:`` do not (they never run, and grimp can tell them apart).
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(_describe(graph, c) for c in cycles)


# --- imports inside functions say why ------------------------------------------


def _unexplained_imports(path: Path) -> Iterator[str]:
    """``file:line: statement`` for each import in a function with no ``# lazy:``."""
    source = path.read_text(encoding="utf-8")
    commented = {
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT and token.string.startswith(LAZY)
    }
    lines = source.splitlines()

    def visit(node: ast.AST, in_function: bool) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                span = range(child.lineno, (child.end_lineno or child.lineno) + 1)
                if not commented.intersection(span):
                    where = path.relative_to(ROOT).as_posix()
                    yield f"{where}:{child.lineno}: {lines[child.lineno - 1].strip()}"
            yield from visit(
                child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            )

    yield from visit(ast.parse(source, filename=str(path)), False)


def _python_files() -> Iterator[Path]:
    for package in HOISTED:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_imports_inside_functions_say_why_they_are_lazy() -> None:
    found = [line for path in _python_files() for line in _unexplained_imports(path)]
    unexplained = [line for line in found if line.split(":")[0] not in PENDING_LAZY]
    assert not unexplained, (
        "import at the top of the module, or say why not at the end of its line "
        f"('{LAZY} <reason>', e.g. a measured start-up cost):\n" + "\n".join(unexplained)
    )
    clean = PENDING_LAZY - {line.split(":")[0] for line in found}
    assert not clean, f"no longer pending, remove from PENDING_LAZY: {sorted(clean)}"
