"""No import cycles between the modules of serverless_tutor.cloud.

grimp (import-linter's graph) sees every import: at the top of a module, inside a
function, and under `if TYPE_CHECKING:`. So a cycle cannot be hidden by moving one
of its imports into a function.
"""

import sys
import textwrap
from pathlib import Path

import grimp
import pytest

CLOUD = "serverless_tutor.cloud"


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Each group of modules inside `package` that import each other in a circle (Tarjan's SCCs)."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {
        m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in inside)
        for m in modules
    }
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                lowlink[module] = min(lowlink[module], lowlink[imported])
            elif imported in on_stack:
                lowlink[module] = min(lowlink[module], index[imported])
        if lowlink[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in edges[module]:
                cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_the_cloud_package_has_no_import_cycles() -> None:
    graph = grimp.build_graph("serverless_tutor", cache_dir=None)
    assert len([m for m in graph.modules if m.startswith(CLOUD + ".")]) > 20  # the graph sees cloud
    assert import_cycles(graph, CLOUD) == []


def test_a_cycle_hidden_inside_a_function_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "router.py").write_text("from cyclepkg.gateway import handle\n")
    (package / "gateway.py").write_text(
        textwrap.dedent(
            """
            def handle():
                from cyclepkg.router import route  # the import that used to hide a cycle
                return route
            """
        )
    )
    (package / "leaf.py").write_text("import cyclepkg.router\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        graph = grimp.build_graph("cyclepkg", cache_dir=None)
    finally:
        for name in [n for n in sys.modules if n.startswith("cyclepkg")]:
            del sys.modules[name]
    assert import_cycles(graph, "cyclepkg") == [["cyclepkg.gateway", "cyclepkg.router"]]
