"""A buildroot whose BuildRequires each have a clean way, and hold a blocked binary as a whole.

``held`` is built from a source package whose only ``libbb`` is Citrix's: ``held`` is blocked
(``build-depends``), and a BuildRequires it alone meets blocks its requirer. It needs nothing
tainted to be *installed*, so at run time it is a clean provider like any other. ``app-built``
BuildRequires ``libhr`` (``held`` or ``clean-hr``) and ``libhs`` (``hs1`` or ``hs2``, each of
which conflicts with ``clean-hr``): asked one requirement at a time, each has a way without
``held``, and no buildroot holds both without it. The clean-way check asked its buildroot before the build side
was known, with ``held`` as a clean provider, so ``app-built`` showed ``clean``: a false clean.
Each case is held to libsolv, set up as ``dnf builddep`` installs a buildroot, with the Citrix
packages and the blocked binaries locked out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.deps.hops import HopKind
from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-bb", "provides": ["libbb"], **CITRIX},
    {"name": "held", "provides": ["libhr"], "buildrequires": ["libbb"]},
    {"name": "clean-hr", "provides": ["libhr"], "conflicts": ["hs1", "hs2"]},
    {"name": "hs1", "provides": ["libhs"]},
    {"name": "hs2", "provides": ["libhs"]},
    {"name": "hs-ok", "provides": ["libhs-ok"]},
    # A choice between two libhs, each of which rules clean-hr out.
    {"name": "app-built", "provides": ["libab"], "buildrequires": ["libhr", "libhs"]},
    {"name": "app-built-ok", "buildrequires": ["libhr", "libhs-ok"]},
    # At run time held is a clean provider: the same two requirements leave an installation.
    {"name": "app-runs", "requires": ["libhr", "libhs"]},
    # A second round: app-built's binary is blocked by the first one.
    {"name": "clean-ab", "provides": ["libab"], "conflicts": ["hs3", "hs4"]},
    {"name": "hs3", "provides": ["libhs3"]},
    {"name": "hs4", "provides": ["libhs3"]},
    {"name": "app-ladder", "buildrequires": ["libab", "libhs3"]},
    # Deeper: what rules clean-hr out is what a BuildRequires needs at run time.
    {"name": "hs-pal", "requires": ["hs1"]},
    {"name": "app-deeper", "buildrequires": ["libhr", "hs-pal"]},
]
LOCKED = ["cx-bb"]
BLOCKED = ["held", "app-built"]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("buildcleanway"))


@pytest.fixture(scope="module")
def found(repository: Path) -> dict[str, str]:
    return verdicts(audit(repository))


@pytest.mark.parametrize(
    ("name", "verdict"),
    # app-built-ok's buildroot may take the blocked held or the clean clean-hr: may-depend.
    [("app-built", "build-depends"), ("app-built-ok", "may-depend"), ("app-ladder", "build-depends"),
     ("app-deeper", "build-depends")],
)  # fmt: skip
def test_a_buildroot_that_needs_a_blocked_binary_as_a_whole_build_depends(
    repository: Path, found: dict[str, str], name: str, verdict: str
) -> None:
    assert libsolv_buildroot(repository, PACKAGES, name, locked=LOCKED) is not None
    without = libsolv_buildroot(repository, PACKAGES, name, locked=[*LOCKED, *BLOCKED])
    assert (without is None) == (verdict == "build-depends")
    assert found[f"{name}-1.0-1.src"] == verdict
    # Its binaries are built from it: blocked too.
    assert found[f"{name}-1.0-1.noarch"] == verdict


def test_a_blocked_binary_is_still_a_clean_provider_at_run_time(
    repository: Path, found: dict[str, str]
) -> None:
    assert libsolv_installs(repository, "app-runs-1.0-1.noarch", locked=LOCKED) is not None
    assert found["app-runs-1.0-1.noarch"] == "clean"
    assert found["held-1.0-1.noarch"] == "build-depends"


def test_the_chain_runs_through_the_blocked_binary_to_citrix(repository: Path) -> None:
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}
    chain = list(by_nevra["app-built-1.0-1.src"].chain)
    hops = [(hop.kind, result.packages[hop.target].nevra) for hop in chain]
    assert hops == [
        (HopKind.BUILD_REQUIRES, "held-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "held-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-bb-1.0-1.noarch"),
    ]
    assert chain[0].requirement == (
        "libhr [no clean way: an installation of app-built cannot hold clean-hr with hs1, hs2]"
    )
    ladder = [result.packages[hop.target].name for hop in by_nevra["app-ladder-1.0-1.src"].chain]
    assert ladder == ["app-built", "app-built", "held", "held", "cx-bb"]
    assert by_nevra["app-ladder-1.0-1.src"].chain[0].requirement.startswith("libab [no clean way: ")


def test_it_blocks_the_run(repository: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    targets = [str(repository), str(repository.parent / "SRPMS")]
    assert main(["scan", *targets, "--no-cache", "--fail-on", "build-depends", "-o", str(report)]) == 1
    packages = {p["nevra"]: p for p in json.loads(report.read_text())["packages"]}
    built = packages["app-built-1.0-1.src"]
    assert built["status"] == "build-depends" and built["blocking"]
    assert "no clean way" in json.dumps(built["chain"])


@pytest.mark.parametrize("hosts", [["x86_64", "i686"], ["x86_64", "aarch64"]])
def test_several_build_hosts_ask_each_buildroot(repository: Path, tmp_path: Path, hosts: list[str]) -> None:
    """With two ``--arch``, a source's BuildRequires are every host's groups, which no one
    buildroot holds together: the buildroots were not asked at all, and ``app-built`` (and
    what only its binary lets build) showed ``clean``. Each host's buildroot is asked apart."""
    report = tmp_path / "report.json"
    targets = [str(repository), str(repository.parent / "SRPMS")]
    arches = [item for host in hosts for item in ("--arch", host)]
    assert main(["scan", *targets, *arches, "--no-cache", "--fail-on", "none", "-q", "-o", str(report)]) == 0
    status = {p["nevra"]: p["status"] for p in json.loads(report.read_text())["packages"]}
    for name in ("app-built", "app-ladder", "app-deeper"):
        assert status[f"{name}-1.0-1.src"] == "build-depends", name
    assert status["app-built-ok-1.0-1.src"] == "may-depend"
