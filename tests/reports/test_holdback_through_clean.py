"""The independence page draws every package an origin holds back, a build chain through a clean
binary included (red team 40).

``heldlib`` is built with Citrix ``cx-zz``: a blocked binary. ``tool`` Requires it and needs
nothing tainted itself (clean), yet ``app2``'s buildroot (BuildRequires ``tool``) holds
``heldlib``: ``app2`` is ``build-depends``, its chain ``tool``, ``heldlib``, ``heldlib.src``,
``cx-zz`` (`auditor.deps.spread`). The drawing of who needs ``cx-zz`` walked tainted packages
only ("no chain runs through an untainted package"): it drew 2 of the 6 packages ``cx-zz`` holds
back and said nothing of the rest, ``app2`` and ``app4`` (through ``tool2`` and ``tool``) and
``app6``, which BuildRequires ``app2``. ``user`` Requires ``heldlib`` and is on no chain: it is
not drawn. ``--focus tool`` (DOT, GraphML) drew the chains through ``tool`` up to it and no
further: ``tool``, clean, has no chain of its own. Real packages (rpmbuild, createrepo_c).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from auditor.audit.plan import DependentsFinder, make_plan
from auditor.cli.main import main
from tests.deps.built import CITRIX, audit, build_repository

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-zz", **CITRIX},
    {"name": "heldlib", "provides": ["libheld"], "buildrequires": ["cx-zz"]},
    {"name": "tool", "requires": ["heldlib"]},
    {"name": "tool2", "requires": ["tool"]},
    {"name": "user", "requires": ["libheld"]},
    {"name": "app2", "buildrequires": ["tool"]},
    {"name": "app4", "buildrequires": ["tool2"]},
    {"name": "app6", "buildrequires": ["app2"]},
]
HELD = {f"{name}-1.0-1.{arch}" for name in ("heldlib", "app2", "app4", "app6") for arch in ("src", "noarch")}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("holdback"))


def test_the_drawing_holds_every_package_the_origin_holds_back(repository: Path, tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    args = ["scan", str(repository), str(repository.parent / "SRPMS"), "--no-cache", "-q", "-o", str(page)]
    assert main(args) == 1
    html = page.read_text()
    start = html.index('<section class="focus" id="focus-0" data-source="cx-zz"')
    panel = html[start : html.index("</section>", start)]
    nodes = {
        nevra: role for role, nevra in re.findall(r'class="node node-(\w+)" data-nevra="([^"]+)"', panel)
    }
    assert {nevra for nevra, role in nodes.items() if role == "held"} == HELD
    # The clean binaries on the way are drawn as such, and the clean one on no chain is not drawn.
    assert {nevra for nevra, role in nodes.items() if role == "through"} == {
        "tool-1.0-1.noarch",
        "tool2-1.0-1.noarch",
    }
    assert "user-1.0-1.noarch" not in nodes
    assert 'data-held="8" data-dependents="8"' in panel
    assert "Also need it" not in panel and "The drawing shows" not in panel


def test_each_package_held_back_has_a_chain_of_real_edges_to_the_origin(repository: Path) -> None:
    result = audit(repository)
    edges = result.graph.graph
    finder = DependentsFinder(result)
    [item] = make_plan(result).items
    dependents = finder.of(item.packages)
    assert set(item.holds_back) <= set(dependents.toward)
    nevra = {index: result.packages[index].nevra for index in dependents.toward}
    assert {nevra[index] for index in dependents.through} == {"tool-1.0-1.noarch", "tool2-1.0-1.noarch"}
    for index in dependents.toward:
        chain = dependents.chain(index)
        assert len(chain) == dependents.distance[index] and chain[-1].target in item.packages
        for hop in chain:
            assert edges.has_edge(hop.source, hop.target)
            assert edges.edges[hop.source, hop.target]["kind"] == hop.kind


def test_a_focus_on_the_clean_binary_draws_the_chains_through_it_to_the_origin(
    repository: Path, tmp_path: Path
) -> None:
    """``--focus tool``: ``tool`` has no chain of its own (it is clean); the chains through it
    were drawn up to it and stopped, a blocking ``app2`` needing a clean ``tool`` and nothing
    reaching ``cx-zz``."""
    graphml, dot = tmp_path / "r.graphml", tmp_path / "r.dot"
    sides = [str(repository), str(repository.parent / "SRPMS")]
    assert (
        main(["scan", *sides, "--no-cache", "-q", "--focus", "tool", "-o", str(graphml), "-o", str(dot)]) == 1
    )
    graph = nx.parse_graphml(graphml.read_text())
    node = {data["nevra"]: name for name, data in graph.nodes(data=True)}
    for start in ("app2-1.0-1.src", "app6-1.0-1.src", "tool-1.0-1.noarch"):
        path = nx.shortest_path(graph, node[start], node["cx-zz-1.0-1.noarch"])
        assert node["heldlib-1.0-1.noarch"] in path, start
    dot_nodes = set(re.findall(r'nevra="([^"]+)"', dot.read_text()))
    assert {"heldlib-1.0-1.noarch", "heldlib-1.0-1.src", "cx-zz-1.0-1.noarch"} <= dot_nodes


def test_why_the_clean_binary_says_the_chain_through_it(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``auditor why tool`` said "nothing ties it to an origin package": installing it needs
    nothing tainted, but every source package whose buildroot holds it is build-depends."""
    sides = [str(repository), str(repository.parent / "SRPMS")]
    assert main(["why", "tool", *sides, "--no-cache", "-q"]) == 1
    binary = capsys.readouterr().out.split("\n\n")[0]
    assert "nothing ties it" not in binary
    assert "cannot be built without origin packages" in binary
    assert binary.index("needs heldlib-1.0-1.noarch") < binary.index("which is origin: [citrix-vendor]")
    assert main(["why", "user", *sides, "--no-cache", "-q"]) == 1
    assert "nothing ties it to an origin package" in capsys.readouterr().out.split("\n\n")[0]
