"""The package's layers, written once: data flows down, and no module imports one above it.

The folder tree is the architecture. Each subpackage is a layer; a module may import its own
layer and the layers below it, never one above (a reader of RPM headers knows nothing of
policies, a policy nothing of reports). The check reads the import statements themselves
(``ast``), including those inside functions, so a lazy import cannot hide an upward arrow,
and there is no cycle between modules either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.paths import ROOT

PACKAGE = ROOT / "auditor"

LAYERS: tuple[str, ...] = (
    "auditor.core",  # errors and exit codes, safe file opening, TOML and schema checks
    "auditor.rpm",  # the package model and rpm's vocabulary: versions, dependencies, specs
    "auditor.formats",  # binary and XML formats: headers, payloads, OpenPGP, repomd
    "auditor.runtime",  # the model store, parallel work, progress
    "auditor.net",  # HTTP with its limits, the download cache, the URL policy
    "auditor.sources",  # inputs into packages: files, repositories, URLs, configurations
    "auditor.origin",  # the policy and what it says of each package
    "auditor.deps",  # what provides what, resolution, the dependency graph
    "auditor.audit",  # one audit: facts per package, plans, change audits
    "auditor.gate",  # the decision on the facts: waivers, baseline, progress
    "auditor.reports",  # the one view and the formats that render it
    "auditor.engine",  # the composition root
    "auditor.cli",  # the command line
    "auditor.__main__",
)
"""Lowest first. A module belongs to the longest prefix it matches."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), index)
        for index, prefix in enumerate(LAYERS)
        if module == prefix or module.startswith(prefix + ".")
    ]
    if not matches:
        raise AssertionError(f"{module} is in no layer: add its subpackage to LAYERS")
    return max(matches)[1]


def _imports(module: str, path: Path) -> set[str]:
    """The auditor modules ``module`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from auditor.x import y`` may name a module y or a name in x: keep the module.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


IMPORTS = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        if module != "auditor":
            layer_of(module)


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name != "auditor"))
def test_no_module_imports_from_a_layer_above_it(module: str) -> None:
    own = layer_of(module)
    upward = sorted(name for name in IMPORTS[module] if name != "auditor" and layer_of(name) > own)
    assert not upward, f"{module} ({LAYERS[own]}) imports from above: {upward}"


def test_no_import_cycles_between_modules() -> None:
    graph = nx.DiGraph()
    for module, imported in IMPORTS.items():
        # A package's __init__ that re-exports is not a cycle with its own modules.
        graph.add_edges_from((module, name) for name in imported if not module.startswith(name + "."))
    if not nx.is_directed_acyclic_graph(graph):
        raise AssertionError(f"an import cycle: {nx.find_cycle(graph)}")


def test_the_top_level_holds_only_subpackages_and_the_composition_root() -> None:
    loose = sorted(
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name not in {"__init__.py", "__main__.py", "engine.py"}
    )
    assert loose == []
