"""The edges the graph formats draw between a few packages are the networkx graph's, without it.

`DependencyGraph.edges_among` reads the run's requirement groups directly: on distro-60k the
networkx graph of every package took 225 MB to draw a few hundred."""

from __future__ import annotations

import random

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.conftest import DATA, RPMS


@pytest.fixture(scope="module")
def audit() -> AuditResult:
    return run_audit(AuditOptions(targets=(str(RPMS), str(DATA / "srpm-repo"))), load_policy())


@pytest.mark.parametrize("seed", range(20))
def test_the_edges_among_some_packages_are_the_networkx_subgraphs(seed: int, audit: AuditResult) -> None:
    graph = audit.graph
    whole = graph.graph
    chosen = random.Random(seed).sample(range(len(graph.packages)), k=1 + seed * len(graph.packages) // 20)
    nodes = set(chosen)
    expected = {
        (a, b): (data["kind"], data["requirements"]) for a, b, data in whole.subgraph(nodes).edges(data=True)
    }
    assert graph.edges_among(nodes) == expected
    assert any(
        kind.value == "built-from" for kind, _ in graph.edges_among(set(range(len(graph.packages)))).values()
    )


@pytest.mark.parametrize("seed", range(10))
def test_the_dependants_of_some_packages_are_their_networkx_predecessors(
    seed: int, audit: AuditResult
) -> None:
    graph = audit.graph
    targets = set(random.Random(seed).sample(range(len(graph.packages)), k=1 + seed))
    expected = {source for target in targets for source in graph.graph.predecessors(target)}
    assert graph.dependants(targets) == expected
