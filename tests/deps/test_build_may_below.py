"""A buildroot that holds a binary whose own build may need Citrix may need Citrix too.

``a``'s source BuildRequires ``tool``, which Citrix's ``cx-tool`` and ``clean-tool`` both
provide: ``dnf builddep a`` may install either, so ``a`` is `may-depend`, source and binary.
``b`` BuildRequires ``a``: every buildroot of ``b`` holds ``a``, which is rebuilt from clean
sources only by the right choice. ``b`` showed ``clean`` while the report showed ``a``, which it
needs, as `may-depend`: two outputs that disagree, and a clean verdict that is not (red team,
`chain` universe 84). The same holds when the buildroot takes ``a`` through a run-time
requirement (``c``), a round later (``e``, whose buildroot holds ``b``), and in a build cycle.
Installing ``a`` needs nothing tainted, so what Requires it (``user``) stays clean, as what
Requires a blocked binary does (`tests/deps/test_build_unusable.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps.hops import HopKind
from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "clean-tool", "provides": ["tool"]},
    {"name": "a", "buildrequires": ["tool"]},
    {"name": "b", "buildrequires": ["a"]},
    {"name": "d", "requires": ["a"]},
    {"name": "c", "buildrequires": ["d"]},
    {"name": "e", "buildrequires": ["b"]},
    {"name": "user", "requires": ["a"]},
    # A build cycle: each source BuildRequires the other's binary.
    {"name": "s1", "buildrequires": ["s2"]},
    {"name": "s2", "buildrequires": ["s1", "tool"]},
]
MAY = ("a", "b", "c", "e", "s1", "s2")


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("maybelow"))


@pytest.mark.parametrize("name", MAY)
def test_a_buildroot_holding_a_binary_whose_build_may_need_citrix_may_depend(
    repository: Path, name: str
) -> None:
    found = verdicts(audit(repository))
    assert found[f"{name}-1.0-1.src"] == "may-depend"
    assert found[f"{name}-1.0-1.noarch"] == "may-depend"


def test_libsolv_builds_each_both_ways(repository: Path) -> None:
    """A clean buildroot exists for every build (so none is `build-depends`), and ``a``'s
    buildroot may hold Citrix's ``cx-tool``."""
    for name in MAY:
        assert libsolv_buildroot(repository, PACKAGES, name, locked=["cx-tool"]) is not None, name
    assert libsolv_installs(repository, "", also=["tool", "cx-tool"]) is not None
    # Every buildroot of ``b`` and of ``c`` holds ``a``.
    for name in ("b", "c"):
        assert libsolv_buildroot(repository, PACKAGES, name, locked=["cx-tool", "a"]) is None, name


def test_installing_what_requires_it_needs_nothing_tainted(repository: Path) -> None:
    found = verdicts(audit(repository))
    for name in ("user", "d"):
        assert libsolv_installs(repository, f"{name}-1.0-1.noarch", locked=["cx-tool"]) is not None
        assert found[f"{name}-1.0-1.noarch"] == "clean", name


def test_the_chain_runs_through_the_binary_to_its_build(repository: Path) -> None:
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}

    def hops(nevra: str) -> list[tuple[HopKind, str]]:
        return [(hop.kind, result.packages[hop.target].nevra) for hop in by_nevra[nevra].chain]

    assert hops("b-1.0-1.src") == [
        (HopKind.BUILD_REQUIRES, "a-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "a-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-tool-1.0-1.noarch"),
    ]
    assert hops("c-1.0-1.src") == [
        (HopKind.BUILD_REQUIRES, "d-1.0-1.noarch"),
        (HopKind.REQUIRES, "a-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "a-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-tool-1.0-1.noarch"),
    ]
    assert [kind for kind, _target in hops("e-1.0-1.src")][:3] == [
        HopKind.BUILD_REQUIRES,
        HopKind.BUILT_FROM,
        HopKind.BUILD_REQUIRES,
    ]
    assert hops("e-1.0-1.src")[0][1] == "b-1.0-1.noarch"
    for nevra in ("s1-1.0-1.src", "s2-1.0-1.src"):
        assert hops(nevra)[-1] == (HopKind.BUILD_REQUIRES, "cx-tool-1.0-1.noarch"), nevra
