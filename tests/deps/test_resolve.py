"""Resolver cases (tests/cases/*.toml) and the resolver's answers in detail."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from auditor.deps.provides import host_arches
from auditor.deps.resolution import Status
from auditor.deps.resolve import Resolver
from auditor.rpm.model import Dependency
from tests.paths import TESTS
from tests.universe import universe

CASES = sorted((TESTS / "cases").glob("*.toml"))


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path: Path) -> None:
    case = tomllib.loads(path.read_text())
    packages = universe(case["package"])
    resolved = Resolver(packages).resolve_all()
    unresolved = sorted(str(resolution.dependency) for _, resolution in resolved.unresolved())
    assert unresolved == sorted(case["expected"]["unresolved"])


def test_groups_keep_alternatives_apart() -> None:
    packages = universe(
        [
            {"name": "app", "requires": ["(a or b)", "(c and d)", "c"]},
            {"name": "a"},
            {"name": "b"},
            {"name": "c"},
            {"name": "d"},
        ]
    )
    resolver = Resolver(packages)
    names = {index: package.name for index, package in enumerate(packages)}
    either = resolver.resolve(Dependency("(a or b)"))
    assert [[names[i] for i in group] for group in either.groups] == [["a", "b"]]
    both = resolver.resolve(Dependency("(c and d)"))
    assert [[names[i] for i in group] for group in both.groups] == [["c"], ["d"]]


def test_rpmlib_is_rpm_itself() -> None:
    packages = universe(
        [{"name": "app", "requires": ["rpmlib(CompressedFileNames) <= 3.0.4-1", "rpmlib(Nonsense)"]}]
    )
    plain = Resolver(packages).resolve_all()
    assert [r.status for r in plain.requirements[0]] == [Status.RPM, Status.RPM]
    strict = Resolver(packages, rpm_features={"CompressedFileNames": "3.0.4-1"}).resolve_all()
    assert [r.status for r in strict.requirements[0]] == [Status.RPM, Status.UNRESOLVED]


def test_arch_restriction() -> None:
    packages = universe(
        [
            {"name": "app", "arch": "x86_64", "requires": ["armlib", "i686lib"]},
            {"name": "armlib", "arch": "aarch64"},
            {"name": "i686lib", "arch": "i686"},
        ]
    )
    # Without --arch, each package is resolved for a host of its own architecture: no host
    # installs the aarch64 armlib beside the x86_64 app, one does the i686 i686lib (multilib).
    everything = Resolver(packages).resolve_all()
    ((_, unresolved),) = everything.unresolved()
    assert (str(unresolved.dependency), unresolved.detail) == (
        "armlib",
        "provided only by packages of aarch64, which no x86_64 host installs",
    )
    assert 1 in everything.audited
    x86 = Resolver(packages, arches=host_arches(["x86_64"])).resolve_all()
    assert [str(r.dependency) for _, r in x86.unresolved()] == ["armlib"]
    assert 1 not in x86.audited  # the aarch64 package is not audited on an x86_64 host


def test_obsoletes_match_names_and_conflicts_match_provides() -> None:
    packages = universe(
        [
            {"name": "new", "obsoletes": ["old < 2.0", "virtual"], "conflicts": ["virtual"]},
            {"name": "old", "evr": "1.0-1"},
            {"name": "other", "provides": ["virtual"]},
        ]
    )
    matches = Resolver(packages).resolve_all().matches[0]
    by_kind = {(m.kind, str(m.dependency)): [packages[i].name for i in m.packages] for m in matches}
    assert by_kind == {
        ("obsoletes", "old < 2.0"): ["old"],
        ("obsoletes", "virtual"): [],  # obsoletes do not match provides
        ("conflicts", "virtual"): ["other"],
    }
