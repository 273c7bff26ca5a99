"""libsolv's infarch rule, read over what an installation may reach (`auditor.deps.infarch`).

dnf never installs ``n-2-1.i686`` for a package whose installation may reach ``n-1-1.x86_64``:
the best architecture of a name within reach wins, and a package of a worse one comes only
with a twin of its EVR. The walk that takes ``n-2-1.i686`` need not take ``n-1-1.x86_64``
(rpm-md hunt, ``archmix`` 143, where the auditor found a clean way libsolv never takes: a
false ``may-depend``). Within reach means through any provider of any requirement, and through
what supplements a package within reach. Each scenario is built by rpmbuild and held to
libsolv, set up as dnf sets it (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.audit.result import AuditResult
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, libsolv_needs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx", **CITRIX, "provides": ["a-c0", "b-c2", "c-c2", "d-c0", "d-c7", "e-c0", "f-c8"]},
    # a: the hunt's universe, reduced. a-app and a-mid reach a-n's two packages, through a-n's
    # i686 one itself: only a-tail (which needs Citrix) is left for a-c2.
    {"name": "a-low", "evr": "1-1", "arch": "i686", "provides": ["a-c3"]},
    {"name": "a-app", "evr": "1-1", "arch": "x86_64", "requires": ["a-c1 >= 2"]},
    {"name": "a-mid", "evr": "1-1", "provides": ["a-c1"], "requires": ["a-c2 = 1"]},
    {"name": "a-n", "evr": "1-1", "arch": "x86_64", "provides": ["a-c3 = 1"]},
    {"name": "a-n", "evr": "2-1", "arch": "i686", "provides": ["a-c2"], "requires": ["a-c3 = 1"]},
    {"name": "a-tail", "evr": "1-1", "provides": ["a-c2 = 1"], "requires": ["a-c0 > 2"]},
    # b: nothing b-app may reach is b-n's x86_64 package: its i686 one comes alone.
    {"name": "b-app", "evr": "1-1", "arch": "x86_64", "requires": ["b-c2"]},
    {"name": "b-n", "evr": "1-1", "arch": "x86_64"},
    {"name": "b-n", "evr": "2-1", "arch": "i686", "provides": ["b-c2"]},
    # c: c-n's x86_64 package supplements c-other, which c-app requires: gathered with it.
    {"name": "c-app", "evr": "1-1", "arch": "x86_64", "requires": ["c-c2", "c-other"]},
    {"name": "c-other", "evr": "1-1"},
    {"name": "c-n", "evr": "1-1", "arch": "x86_64", "supplements": ["c-other"]},
    {"name": "c-n", "evr": "2-1", "arch": "i686", "provides": ["c-c2"]},
    # d: the hunt's ``archmix`` 143 STRICT line, reduced. d-need's own installation reaches
    # d-n's two packages (d-n-2-1.i686 for d-c2, which needs d-n-1-1.x86_64), so it bans the
    # i686 one and has only d-way, which needs Citrix; d-n-2-1.i686 asked for itself is spared
    # the rule and meets d-need's d-c2 itself. d-user, which it or Citrix meets, reaches d-n's
    # two packages through it: installed for d-user, it is banned again.
    {"name": "d-n", "evr": "1-1", "arch": "x86_64", "provides": ["d-c3 = 1"]},
    {
        "name": "d-n",
        "evr": "2-1",
        "arch": "i686",
        "provides": ["d-c2", "d-c7"],
        "requires": ["d-c3 = 1", "d-c5 >= 3"],
    },
    {"name": "d-need", "evr": "2-1", "arch": "x86_64", "provides": ["d-c5 = 3"], "requires": ["d-c2 < 3"]},
    {"name": "d-way", "evr": "1-1", "provides": ["d-c2 = 1"], "requires": ["d-c0 > 2"]},
    {"name": "d-user", "evr": "1-1", "arch": "x86_64", "requires": ["d-c7"]},
    # e: d, with e-alt another way to e-c3 for e-n's i686 package, which so needs no x86_64 one
    # surely and is a way around for the graph: e-need's own walk bans it (`HeldApart`).
    {"name": "e-n", "evr": "1-1", "arch": "x86_64", "provides": ["e-c3 = 1"]},
    {"name": "e-alt", "evr": "1-1", "provides": ["e-c3 = 1"]},
    {
        "name": "e-n",
        "evr": "2-1",
        "arch": "i686",
        "provides": ["e-c2"],
        "requires": ["e-c3 = 1", "e-c5 >= 3"],
    },
    {"name": "e-need", "evr": "2-1", "arch": "x86_64", "provides": ["e-c5 = 3"], "requires": ["e-c2 < 3"]},
    {"name": "e-way", "evr": "1-1", "provides": ["e-c2 = 1"], "requires": ["e-c0 > 2"]},
    {"name": "e-user", "evr": "1-1", "arch": "x86_64", "requires": ["e-c2 < 3"]},
    # f: the rpm-md hunt's ``el7`` 1000, reduced. f-mid's other way to f-c8, f-lib, needs f-n's
    # i686 package, which f-mid's installation bans; f-n's i686 package asked for itself meets
    # f-lib's f-c4, but f-lib requires what nothing provides: libsolv needs Citrix for f-mid.
    {"name": "f-n", "evr": "1-1", "arch": "x86_64", "provides": ["f-c3 = 1"]},
    {"name": "f-alt", "evr": "1-1", "provides": ["f-c3 = 1"]},
    {"name": "f-n", "evr": "2-1", "arch": "i686", "provides": ["f-c4"], "requires": ["f-c3 = 1", "f-c7"]},
    {"name": "f-mid", "evr": "1-1", "provides": ["f-c7"], "requires": ["f-c8"]},
    {"name": "f-lib", "evr": "1-1", "arch": "x86_64", "provides": ["f-c8"], "requires": ["f-c4", "f-none"]},
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("infarch"))


@pytest.fixture(scope="module")
def result(repository: Path) -> AuditResult:
    return audit(repository)


@pytest.mark.parametrize(
    "nevra",
    ["a-app-1-1.x86_64", "a-mid-1-1.noarch", "c-app-1-1.x86_64"],
)
def test_a_worse_architecture_within_reach_of_a_better_one_is_no_way_around(
    repository: Path, result: AuditResult, nevra: str
) -> None:
    assert libsolv_needs(repository, nevra, ["cx"])
    assert verdicts(result)[nevra] == "depends"


def test_a_worse_architecture_out_of_reach_of_a_better_one_comes_alone(
    repository: Path, result: AuditResult
) -> None:
    installed = libsolv_installs(repository, "b-app-1-1.x86_64", locked=["cx"])
    assert installed is not None and "b-n-2-1.i686" in installed
    assert verdicts(result)["b-app-1-1.x86_64"] == "may-depend"


@pytest.mark.parametrize("nevra", ["d-need-2-1.x86_64", "e-need-2-1.x86_64"])
def test_a_package_whose_installation_reaches_both_is_banned_the_worse_one(
    repository: Path, result: AuditResult, nevra: str
) -> None:
    assert libsolv_needs(repository, nevra, ["cx"])
    assert verdicts(result)[nevra] == "depends"


@pytest.mark.parametrize("name", ["d", "e"])
def test_the_banned_package_asked_for_itself_lifts_the_rule_for_its_name(
    repository: Path, result: AuditResult, name: str
) -> None:
    """d-n's i686 package asked for itself lifts the rule for its name, so it installs d-need
    with itself; d-need's own `depends` (its installation bans d-n's i686 package) spread to it
    over the requirement edges (`auditor.deps.lifting` asks it again with the rule lifted)."""
    installed = libsolv_installs(repository, f"{name}-n-2-1.i686", locked=["cx"])
    assert installed is not None and f"{name}-need-2-1.x86_64" in installed
    assert verdicts(result)[f"{name}-n-2-1.i686"] == "may-depend"


@pytest.mark.parametrize("nevra", ["d-user-1-1.x86_64", "e-user-1-1.x86_64"])
def test_what_needs_the_banned_package_is_banned_it_again(
    repository: Path, result: AuditResult, nevra: str
) -> None:
    """Spared for itself, d-n's i686 package is a dependency of d-user, whose installation
    reaches d-n's x86_64 package through it: banned there, as libsolv finds (so e-n's for e-user)."""
    assert libsolv_needs(repository, nevra, ["cx"])
    assert verdicts(result)[nevra] == "depends"


def test_the_banned_package_asked_for_itself_through_an_unmet_requirement_keeps_its_depends(
    repository: Path, result: AuditResult
) -> None:
    """With the rule lifted, f-n's i686 package would take f-lib (a way around whose own
    requirement nothing meets, on purpose: README) where f-mid's ban ruled it out: it keeps the
    `depends` libsolv finds."""
    assert libsolv_needs(repository, "f-n-2-1.i686", ["cx"])
    assert verdicts(result)["f-n-2-1.i686"] == "depends"
