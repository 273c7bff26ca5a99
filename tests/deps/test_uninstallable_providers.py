"""A clean provider dnf can never install is no way around a Citrix one (red team rt5).

Each ``app-*`` requires a capability that a Citrix package and a clean one provide; the clean
one cannot be installed at all: it needs a package that conflicts with it (either way round),
or two packages that conflict with each other. libsolv (the ``solv`` wheel, as dnf sets it
up) installs each app only with the Citrix provider: each depends on Citrix, not may-depend.
A provider that conflicts only with itself (rpm ignores that) stays a way around.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-a", "provides": ["cap-a"], **CITRIX},
    {"name": "clean-a", "provides": ["cap-a"], "requires": ["needs-a"]},
    {"name": "needs-a", "conflicts": ["clean-a"]},  # what clean-a surely needs conflicts with it
    {"name": "app-a", "requires": ["cap-a"]},
    {"name": "cx-b", "provides": ["cap-b"], **CITRIX},
    {"name": "clean-b", "provides": ["cap-b"], "requires": ["needs-b"], "conflicts": ["needs-b"]},
    {"name": "needs-b"},
    {"name": "app-b", "requires": ["cap-b"]},
    {"name": "cx-c", "provides": ["cap-c"], **CITRIX},
    {"name": "clean-c", "provides": ["cap-c"], "requires": ["one-c", "two-c"]},
    {"name": "one-c", "conflicts": ["two-c"]},
    {"name": "two-c"},
    {"name": "app-c", "requires": ["cap-c"]},
    {"name": "cx-d", "provides": ["cap-d"], **CITRIX},
    {"name": "clean-d", "provides": ["cap-d"], "conflicts": ["clean-d"]},
    {"name": "app-d", "requires": ["cap-d"]},
    # Two levels down: clean-e needs mid-e, which needs deep-e, which conflicts with clean-e (rt6).
    {"name": "cx-e", "provides": ["cap-e"], **CITRIX},
    {"name": "clean-e", "provides": ["cap-e"], "requires": ["mid-e"]},
    {"name": "mid-e", "requires": ["deep-e"]},
    {"name": "deep-e", "conflicts": ["clean-e"]},
    {"name": "app-e", "requires": ["cap-e"]},
]
CITRIX_NAMES = [package["name"] for package in PACKAGES if "vendor" in package]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("uninstallable"))


@pytest.mark.parametrize(
    ("requirer", "verdict"),
    [
        ("app-a", "depends"),
        ("app-b", "depends"),
        ("app-c", "depends"),
        ("app-d", "may-depend"),
        ("app-e", "depends"),
    ],
)
def test_a_clean_provider_dnf_can_never_install_spares_nobody(
    repository: Path, requirer: str, verdict: str
) -> None:
    nevra = f"{requirer}-1.0-1.noarch"
    assert verdicts(audit(repository))[nevra] == verdict
    assert libsolv_installs(repository, nevra) is not None
    assert (libsolv_installs(repository, nevra, locked=CITRIX_NAMES) is None) == (verdict == "depends")


def test_the_graph_asks_only_the_packages_apart_somewhere_and_misses_none() -> None:
    """The graph asks `uninstallable` only of the binaries off its plain path (a package and all
    it surely needs apart from nothing cannot be apart from each other): the answer is the one
    asking every package gives, here with noise packages on the plain path around each shape."""
    from auditor.deps.coinstall import incompatible
    from auditor.deps.graph import DependencyGraph
    from auditor.deps.resolve import Resolver
    from auditor.deps.sureneeds import uninstallable
    from tests.universe import universe

    noise = [
        {"name": f"n{i}", "requires": [f"n{i + 1}", "cap-a"] if i % 3 else [f"n{i + 1}"]} for i in range(40)
    ]
    noise.append({"name": "n40"})
    packages = universe([*PACKAGES, *noise])
    resolved = Resolver(packages).resolve_all()
    everyone = uninstallable(packages, resolved.requirements, incompatible(packages, resolved.matches))
    graph = DependencyGraph(packages, resolved)
    names = {packages[index].name for index in graph.uninstallable}
    assert graph.uninstallable == everyone
    assert names == {"clean-a", "clean-b", "clean-c", "clean-e"}
