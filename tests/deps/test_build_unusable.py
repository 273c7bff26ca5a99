"""A BuildRequires provider that cannot be installed without a blocked binary is no clean way.

``heldlib`` is built from a source package that BuildRequires ``cx-zz`` (Citrix's): ``heldlib``
is blocked (``build-depends``), and a BuildRequires it alone meets blocks its requirer
(``app``). ``tool`` Requires ``heldlib``: it needs nothing tainted to be installed, so it is
clean, yet ``dnf builddep app2`` (``app2`` BuildRequires ``tool``) installs ``heldlib`` into
the buildroot, and ``heldlib`` cannot be rebuilt without Citrix. ``app2`` showed ``clean``: a
false clean (red team). A buildroot may hold no blocked binary, so a provider that cannot be
installed without one (through its run-time requirements, transitively) is no clean build
provider either. ``tool-alt`` Requires ``libheld``, which ``clean-lib`` provides as well:
``app3``'s buildroot may hold ``heldlib`` or not, so ``app3`` is `may-depend` (it showed clean
until a buildroot that may hold a blocked binary counted: `auditor.deps.maybuild`), unless
(``app5``) the buildroot also holds what conflicts with ``clean-lib``. Each case is held to libsolv, set up as ``dnf builddep`` installs a buildroot,
with the Citrix packages and the blocked binaries locked out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.deps.hops import HopKind
from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, libsolv_installs, verdicts
from tests.deps.screen import screen_only

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-zz", **CITRIX},
    {"name": "heldlib", "provides": ["libheld"], "buildrequires": ["cx-zz"]},
    {"name": "clean-lib", "provides": ["libheld"]},
    {"name": "tool", "requires": ["heldlib"]},
    {"name": "tool2", "requires": ["tool"]},
    {"name": "tool-alt", "requires": ["libheld"]},
    {"name": "anti", "conflicts": ["clean-lib"]},
    {"name": "app", "buildrequires": ["heldlib"]},
    {"name": "app2", "buildrequires": ["tool"]},
    {"name": "app3", "buildrequires": ["tool-alt"]},
    {"name": "app4", "buildrequires": ["tool2"]},
    {"name": "app5", "buildrequires": ["tool-alt", "anti"]},
    # What app2's binary alone lets build is blocked in turn.
    {"name": "app6", "buildrequires": ["app2"]},
]
LOCKED = ["cx-zz"]
BLOCKED = ["heldlib", "app", "app2", "app4", "app5"]
VERDICTS = [("app", "build-depends"), ("app2", "build-depends"), ("app3", "may-depend"),
            ("app4", "build-depends"), ("app5", "build-depends"), ("app6", "build-depends")]  # fmt: skip


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("buildunusable"))


@pytest.fixture(scope="module")
def found(repository: Path) -> dict[str, str]:
    return verdicts(audit(repository))


@pytest.mark.parametrize(("name", "verdict"), VERDICTS)
def test_a_buildroot_that_needs_a_blocked_binary_at_run_time_build_depends(
    repository: Path, found: dict[str, str], name: str, verdict: str
) -> None:
    assert libsolv_buildroot(repository, PACKAGES, name, locked=LOCKED) is not None
    without = libsolv_buildroot(repository, PACKAGES, name, locked=[*LOCKED, *BLOCKED])
    assert (without is None) == (verdict == "build-depends")
    if verdict == "may-depend":  # and a buildroot that holds a blocked binary
        package = next(one for one in PACKAGES if one["name"] == name)
        assert libsolv_installs(repository, "", also=[*package["buildrequires"], *BLOCKED[:1]]) is not None
    assert found[f"{name}-1.0-1.src"] == verdict
    assert found[f"{name}-1.0-1.noarch"] == verdict


def test_installing_one_needs_nothing_tainted(repository: Path, found: dict[str, str]) -> None:
    for name in ("tool", "tool2", "tool-alt"):
        assert libsolv_installs(repository, f"{name}-1.0-1.noarch", locked=LOCKED) is not None
        assert found[f"{name}-1.0-1.noarch"] == "clean", name
        assert found[f"{name}-1.0-1.src"] == "clean", name
    assert found["heldlib-1.0-1.noarch"] == "build-depends"


def test_the_chain_runs_through_the_requires_to_the_blocked_binary(repository: Path) -> None:
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}

    def hops(nevra: str) -> list[tuple[HopKind, str, str]]:
        chain = by_nevra[nevra].chain
        return [(hop.kind, hop.requirement, result.packages[hop.target].nevra) for hop in chain]

    assert hops("app2-1.0-1.src") == [
        (HopKind.BUILD_REQUIRES, "tool", "tool-1.0-1.noarch"),
        (HopKind.REQUIRES, "heldlib", "heldlib-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "heldlib-1.0-1.src.rpm", "heldlib-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-zz", "cx-zz-1.0-1.noarch"),
    ]
    assert [target for _kind, _requirement, target in hops("app4-1.0-1.src")] == [
        "tool2-1.0-1.noarch",
        "tool-1.0-1.noarch",
        "heldlib-1.0-1.noarch",
        "heldlib-1.0-1.src",
        "cx-zz-1.0-1.noarch",
    ]
    app5 = hops("app5-1.0-1.src")
    assert [(kind, target) for kind, _requirement, target in app5] == [
        (HopKind.BUILD_REQUIRES, "tool-alt-1.0-1.noarch"),
        (HopKind.REQUIRES, "heldlib-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "heldlib-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-zz-1.0-1.noarch"),
    ]
    assert app5[1][1].startswith("libheld [no clean way: ")
    assert [(kind, target) for kind, _requirement, target in hops("app3-1.0-1.src")] == [
        (HopKind.BUILD_REQUIRES, "tool-alt-1.0-1.noarch"),
        (HopKind.REQUIRES, "heldlib-1.0-1.noarch"),
        (HopKind.BUILT_FROM, "heldlib-1.0-1.src"),
        (HopKind.BUILD_REQUIRES, "cx-zz-1.0-1.noarch"),
    ]


def test_why_and_the_report_show_the_chain(repository: Path, tmp_path: Path, capsys: Any) -> None:
    targets = [str(repository), str(repository.parent / "SRPMS")]
    report = tmp_path / "report.json"
    assert main(["scan", *targets, "--no-cache", "--fail-on", "build-depends", "-q", "-o", str(report)]) == 1
    packages = {p["nevra"]: p for p in json.loads(report.read_text())["packages"]}
    assert packages["app2-1.0-1.src"]["status"] == "build-depends"
    assert packages["app2-1.0-1.src"]["blocking"]
    assert packages["tool-1.0-1.noarch"]["status"] == "clean"
    capsys.readouterr()
    main(["why", "app2-1.0-1.src", *targets, "--no-cache"])
    shown = capsys.readouterr().out
    chain = [line.strip() for line in shown.split("chain:\n", 1)[1].splitlines()[:5]]
    assert chain == [
        "app2-1.0-1.src",
        "build needs tool-1.0-1.noarch (for tool)",
        "needs heldlib-1.0-1.noarch (for heldlib)",
        "built from heldlib-1.0-1.src",
        "build needs cx-zz-1.0-1.noarch (for cx-zz)",
    ], shown


@pytest.mark.parametrize("screen", [False, True])
def test_a_build_side_only_run_that_asks_the_screen_s_choice_only_says_so(
    repository: Path, screen: bool
) -> None:
    """Only the build side has a mixed group here (``libheld``: the blocked ``heldlib`` or
    ``clean-lib``, which ``anti`` rules out); at run time ``heldlib`` is clean and nothing is
    mixed. Past `askevery.ASK_EVERY` the build rounds too ask only the screen's choice, and the
    run says so, as it does for the run-time rounds (`test_two_mixed_groups`)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        screen_only(monkeypatch, screen)
        result = audit(repository)
    said = [warning for warning in result.warnings if "clean-way screen" in warning]
    assert len(said) == screen
    assert verdicts(result)["app5-1.0-1.src"] == "build-depends"


# The buildroot reaches the blocked binary through the source's own binary: lib0.src
# BuildRequires lib1, lib1 Requires lib0, lib0 Requires heldlib. spread found lib0.src blocked,
# but the chains skipped lib0 (blocked itself), and a blocked package with no chain got no fact:
# lib0 showed clean (red team).
OWN_BINARY: list[dict[str, Any]] = [
    {"name": "cx-zz", **CITRIX},
    {"name": "heldlib", "buildrequires": ["cx-zz"]},
    {"name": "lib0", "requires": ["heldlib"], "buildrequires": ["lib1"]},
    {"name": "lib1", "requires": ["lib0"]},
]


def test_a_buildroot_needing_a_blocked_binary_through_the_sources_own_binary_build_depends(
    tmp_path: Path,
) -> None:
    repo = build_repository(OWN_BINARY, tmp_path)
    assert libsolv_buildroot(repo, OWN_BINARY, "lib0", locked=["cx-zz"]) is not None
    assert libsolv_buildroot(repo, OWN_BINARY, "lib0", locked=["cx-zz", "heldlib"]) is None
    found = verdicts(audit(repo))
    assert found["lib0-1.0-1.src"] == "build-depends"
    assert found["lib0-1.0-1.noarch"] == "build-depends"
    assert found["lib1-1.0-1.noarch"] == "clean"  # installing it needs nothing tainted
