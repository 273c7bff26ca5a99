"""`incompatible` holds shared matches by reference (n packages obsoleting the n versions of one
name are not n x n pairs), and answers exactly what the pair by pair reading answers.

The reference below is that reading written out: every pair of packages, a Conflicts or an
Obsoletes of either (matched here without the resolver's shared answers), and the packages of
one name (`SameName`'s rules, restated). Random small runs: several names, versions, versioned
and rich relations, multilib, installonly, source packages, a name with more versions than
`SameName.SMALL`.
"""

from __future__ import annotations

import random
from collections.abc import Container, Sequence
from dataclasses import replace
from typing import Any

import pytest

from auditor.deps import coinstall, viability
from auditor.deps import graph as graph_module
from auditor.deps.coinstall import INSTALLONLY_PROVIDES, SameName, incompatible
from auditor.deps.graph import DependencyGraph
from auditor.deps.provides import ProvidesIndex, host_arches
from auditor.deps.resolve import Resolver
from auditor.deps.rich import Evaluation
from auditor.rpm.deps import parse
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.model import Dependency, Op, Package
from tests.universe import universe

NAMES = ("a", "b", "kernel")
VERSIONS = ("1.0-1", "1.0-2", "2.0-1", "1:0.5-1")
ARCHES = ("noarch", "x86_64", "x86_64", "i686", "aarch64", "s390x", "src")
RELATIONS = (
    "a", "a < 2.0", "a < 1.0-2", "a >= 1.0-2", "a = 1.0-1", "b", "b > 1:0", "kernel <= 2.0",
    "v", "v > 1.0", "v > 2.0", "o", "(a with v)", "(b if a)", "(v or kernel)", "(a without b)",
)  # fmt: skip
"""Conflicts and Obsoletes of the random runs: names, versions (two of one name and operator,
that a shared answer must tell apart), a provided ``v``, an ``o`` that owners have, rich ones (an Obsoletes matches by name, so a rich one matches nothing)."""


REQUIREMENTS = ("a", "a >= 1.0-2", "b", "v", "kernel", "o", "(a or b)")


def random_run(seed: int) -> list[Package]:
    chance = random.Random(seed)
    specs = []
    for _ in range(chance.randint(2, 12)):
        name = chance.choice((*NAMES, "o"))
        provides = []
        if chance.random() < 0.3:
            provides.append(f"v = {chance.choice(VERSIONS)}")
        if chance.random() < 0.2:
            provides.append(chance.choice(sorted(INSTALLONLY_PROVIDES)))
        specs.append(
            {
                "name": name,
                "evr": chance.choice(VERSIONS),
                "arch": chance.choice(ARCHES),
                "provides": provides,
                "conflicts": chance.sample(RELATIONS, chance.choice((0, 0, 1, 2))),
                "obsoletes": chance.sample(RELATIONS, chance.choice((0, 0, 1, 2))),
                "requires": chance.sample(REQUIREMENTS, chance.choice((0, 1, 2))),
            }
        )
    if chance.random() < 0.15:  # more versions of one name than SameName.SMALL
        arch = chance.choice(("x86_64", "noarch"))
        specs += [{"name": "a", "evr": f"1.{n}-1", "arch": arch} for n in range(SameName.SMALL + 2)]
    return interned(universe(specs))


def interned(packages: list[Package]) -> list[Package]:
    """Equal dependencies as one object, as the readers make them: the resolver shares its
    answers by the object, and so do the graph's groups."""
    known: dict[Dependency, Dependency] = {}

    def one(deps: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
        return tuple(known.setdefault(dep, dep) for dep in deps)

    return [
        replace(p, requires=one(p.requires), conflicts=one(p.conflicts), obsoletes=one(p.obsoletes))
        for p in packages
    ]


def colour(arch: str) -> int:
    return 3 if arch == "noarch" else 2 if arch == "s390x" or "64" in arch else 1


def _installonly(package: Package) -> bool:
    return package.name in INSTALLONLY_PROVIDES or any(
        p.name in INSTALLONLY_PROVIDES for p in package.provides
    )


def _same_name_apart(one: Package, other: Package) -> bool:
    if one.name != other.name or one.is_source or other.is_source:
        return False
    if _installonly(one) and _installonly(other):
        return False
    same = (one.epoch or 0, one.version, one.release) == (other.epoch or 0, other.version, other.release)
    if colour(one.arch) & colour(other.arch):
        return True
    return not same and colour(other.arch) == 1  # a 32-bit one, as a dependency of the other


def _matched(packages: Sequence[Package], index: ProvidesIndex, owner: int) -> set[int]:
    """The packages a Conflicts or an Obsoletes of ``owner`` matches (an Obsoletes of a binary only)."""
    package = packages[owner]
    found: set[int] = set()
    for dep in package.conflicts:
        if dep.is_rich:
            found.update(Evaluation(index).conflicting(parse(dep.name), None if package.is_source else owner))
        else:
            found.update(index.providers(Dependency(dep.name, dep.op, dep.evr)))
    if not package.is_source:
        for dep in package.obsoletes:
            found.update(
                other
                for other in index.installable
                if packages[other].name == dep.name
                and ranges_overlap(Op.EQ, packages[other].evr, dep.op, dep.evr)
            )
    return found


def reference(packages: Sequence[Package], arches: frozenset[str] | None) -> set[tuple[int, int]]:
    """Every (package, package it can never be installed with), listed pair by pair."""
    index = ProvidesIndex(packages, arches=arches)
    owners = [
        i for i, p in enumerate(packages) if arches is None or p.is_source or p.arch in arches
    ]  # the audited packages: the resolver matches their relations
    pairs: set[tuple[int, int]] = set()
    for owner in owners:
        for matched in _matched(packages, index, owner):
            if matched != owner:
                pairs.add((owner, matched))
                if not packages[owner].is_source:
                    pairs.add((matched, owner))
    for first, one in enumerate(packages):
        for second, other in enumerate(packages):
            if first != second and _same_name_apart(one, other):
                pairs.add((first, second))
    return pairs


@pytest.mark.parametrize("arches", [None, host_arches(["x86_64"])], ids=["any arch", "x86_64 host"])
def test_apart_answers_every_pair_as_listed_pairs(arches: frozenset[str] | None) -> None:
    for seed in range(400):
        packages = random_run(seed)
        apart_from = incompatible(packages, Resolver(packages, arches=arches).resolve_all().matches)
        expected = reference(packages, arches)
        found = {
            (first, second)
            for first in apart_from
            for second in range(len(packages))
            if second in apart_from[first]
        }
        assert found == expected, f"seed {seed}"
        large = {p.name for p in packages if sum(o.name == p.name for o in packages) > SameName.SMALL}
        keys = {first for first, _ in expected}
        assert keys <= set(apart_from), f"seed {seed}"
        assert all(packages[i].name in large for i in set(apart_from) - keys), f"seed {seed}"


def test_apart_from_any_answers_as_asking_each_one() -> None:
    """`Apart.apart_from_any` meets the shared sets as sets; it answers as ``in`` per package."""
    for seed in range(200):
        packages = random_run(seed)
        apart_from = incompatible(packages, Resolver(packages).resolve_all().matches)
        chance = random.Random(seed)
        for apart in apart_from.values():
            others = frozenset(chance.sample(range(len(packages)), min(len(packages), chance.randint(1, 6))))
            by_name: dict[str, list[int]] = {}
            for other in others:
                by_name.setdefault(packages[other].name, []).append(other)
            expected = any(other in apart for other in others)
            assert apart.apart_from_any(others, by_name) == expected, f"seed {seed}"


def test_identical_relations_share_one_answer() -> None:
    """n packages obsoleting (or conflicting with) the n versions of ``x``: one tuple of their
    ids, and each package apart from the others through at most two shared sets, not n entries."""
    n = 40
    versions = [{"name": "x", "evr": f"1.0-{v}", "arch": "x86_64"} for v in range(n)]
    owners = [
        {"name": f"o{k}", "obsoletes": ["x < 9999"], "conflicts": ["x" if k % 2 else "(x or v)"]}
        for k in range(n)
    ]
    packages = universe(versions + owners)
    matches = Resolver(packages).resolve_all().matches
    obsoleted = {id(m.packages) for ms in matches.values() for m in ms if m.kind.value == "obsoletes"}
    conflicting = {
        str(m.dependency): id(m.packages)
        for ms in matches.values()
        for m in ms
        if m.kind.value == "conflicts"
    }
    assert len(obsoleted) == 1
    assert len(conflicting) == 2
    apart_from = incompatible(packages, matches)
    assert all(len(apart.among) <= 4 for apart in apart_from.values())
    assert all(n + k in apart_from[v] and v in apart_from[n + k] for v in range(n) for k in range(n))
    assert all(n + k not in apart_from[n + j] for k in range(n) for j in range(n))


SIBLING_PROVIDES: list[dict[str, Any]] = [
    {"name": "a", "evr": "1.0-1", "requires": ["v"]},
    {"name": "a", "evr": "2.0-1", "provides": ["v"]},
    {"name": "t", "provides": ["v"]},
    {"name": "c", "evr": "1.0-1", "requires": ["v"]},
    {"name": "c", "evr": "2.0-1"},
]
"""The older ``a`` cannot have the newer one for ``v``; the older ``c``, apart from the same
shared sets (none), can: an answer shared by those sets alone would give it a's."""


def runs() -> list[list[Package]]:
    return [interned(universe(SIBLING_PROVIDES)), *(random_run(seed) for seed in range(400))]


def test_shared_answers_give_each_package_its_own_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The groups of the graph, with answers shared by what they depend on (`shared_answers`),
    are those made package by package."""
    shared_runs = []
    for packages in runs():
        found = DependencyGraph(packages, Resolver(packages).resolve_all())
        shared_runs.append((found.runtime, found.build))
    with monkeypatch.context() as each:
        each.setattr(viability, "shared_answers", lambda *_: None)
        for number, packages in enumerate(runs()):
            expected = DependencyGraph(packages, Resolver(packages).resolve_all())
            assert shared_runs[number] == (expected.runtime, expected.build), f"run {number}"


def test_packages_apart_from_alike_share_their_groups() -> None:
    """n packages requiring ``x`` and obsoleting some of its n versions: one group of the
    versions they can have, not n copies of it."""
    n = 20
    versions = [{"name": "x", "evr": f"1.{v}-1", "arch": "x86_64"} for v in range(n)]
    owners = [{"name": f"o{k}", "requires": ["x"], "obsoletes": ["x < 1.10"]} for k in range(n)]
    packages = interned(universe(versions + owners))
    groups = DependencyGraph(packages, Resolver(packages).resolve_all()).runtime
    kept = {id(group) for owner in range(n, 2 * n) for group in groups[owner]}
    assert len(kept) == 1
    assert groups[n][0].members == tuple(range(10, n))


class CountingIndex(ProvidesIndex):
    """The provides index, counting the questions asked of it."""

    asked = 0

    def providers(self, dep: Dependency) -> tuple[int, ...]:
        self.asked += 1
        return super().providers(dep)


def test_a_rich_conflict_reads_each_leaf_once() -> None:
    """Each of n candidates of ``(x or v)`` is asked about: the providers of x are read once,
    not once per candidate (n x n)."""
    n = 40
    packages = universe([{"name": "x", "evr": f"1.{v}-1", "arch": "x86_64"} for v in range(n)])
    index = CountingIndex(packages)
    found = Evaluation(index).conflicting(parse("(x or v)"), None)
    assert found == tuple(range(n))
    assert index.asked <= 6


def large_run(seed: int) -> list[Package]:
    """More versions of ``a`` than a match holds as a set (`coinstall._HASHED_UP_TO`), of noarch
    and of two architectures, some providing ``v``, with owners of every architecture (source
    ones too) conflicting with or obsoleting ranges of them: the matches are bisected tuples."""
    chance = random.Random(seed)
    arch = chance.choice(("x86_64", "noarch", "i686"))
    specs: list[dict[str, Any]] = [
        {
            "name": "a",
            "evr": f"1.{k}-1",
            "arch": chance.choice((arch, "noarch", "aarch64")),
            "provides": [f"v = 1.{k}-1"] if chance.random() < 0.7 else [],
        }
        for k in range(2 * coinstall._HASHED_UP_TO + chance.randint(1, 20))
    ]
    specs += [
        {
            "name": f"o{k}",
            "arch": chance.choice(("x86_64", "noarch", "aarch64", "src")),
            "obsoletes": chance.sample(["a < 1.100", "a", "a >= 1.5", "v"], chance.randint(0, 2)),
            "conflicts": chance.sample(["a", "v", "v < 1.90", "(a or b)", "a > 1.3"], chance.randint(0, 2)),
            "requires": chance.sample(["a", "v", "v >= 1.20", "(a or b)"], chance.randint(0, 2)),
        }
        for k in range(8)
    ]
    return interned(universe(specs))


@pytest.mark.parametrize("arches", [None, host_arches(["x86_64"])], ids=["any arch", "x86_64 host"])
def test_large_matches_answer_every_pair_as_listed_pairs(arches: frozenset[str] | None) -> None:
    large = 0
    for seed in range(30):
        packages = large_run(seed)
        matches = Resolver(packages, arches=arches).resolve_all().matches
        large += any(len(m.packages) > coinstall._HASHED_UP_TO for ms in matches.values() for m in ms)
        apart_from = incompatible(packages, matches)
        found = {
            (one, other) for one in apart_from for other in range(len(packages)) if other in apart_from[one]
        }
        assert found == reference(packages, arches), f"seed {seed}"
    assert large >= 10  # the runs do reach the bisected matches


def narrowed_one_by_one(
    self: viability.Viability[Any], group: Any, arch: str, apart: Container[int] | None
) -> Any:
    """`Viability.of` without its shared answers and shortcuts: each package's own narrowing
    (`Viability._kept`) of every group of two or more, the reference the graph is held to."""
    return group if len(group.members) < 2 else self._kept(group, arch, apart)


def test_large_runs_give_each_package_the_groups_narrowed_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph's groups, shared and with a noarch package's kept whole, are the groups each
    package's own narrowing gives (`Viability._kept`, asked for every group), on every host a
    source package is built on."""
    made = [
        DependencyGraph(packages, Resolver(packages).resolve_all(), build_hosts=hosts)
        for packages in map(large_run, range(30))
        for hosts in ((), ("x86_64", "aarch64"))
    ]
    with monkeypatch.context() as each:
        each.setattr(viability.Viability, "of", narrowed_one_by_one)
        expected = [
            DependencyGraph(packages, Resolver(packages).resolve_all(), build_hosts=hosts)
            for packages in map(large_run, range(30))
            for hosts in ((), ("x86_64", "aarch64"))
        ]
    for number, (graph, reference_graph) in enumerate(zip(made, expected, strict=True)):
        assert (graph.runtime, graph.build) == (reference_graph.runtime, reference_graph.build), (
            f"run {number}"
        )


def own_name_run(n: int) -> list[Package]:
    """n versions of ``x`` (x86_64) each requiring ``x``, a multilib twin (i686, same version)
    of every tenth, an obsoleter of the first ten, and installonly ``kernel`` versions each
    requiring ``kernel``: each package's answer depends on itself (`shared_answers` is None)."""
    specs: list[dict[str, Any]] = [
        {"name": "x", "evr": f"1.0-{k}", "arch": "x86_64", "requires": ["x"]} for k in range(n)
    ]
    specs += [{"name": "x", "evr": f"1.0-{k}", "arch": "i686", "requires": ["x"]} for k in range(0, n, 10)]
    specs += [{"name": "o", "arch": "x86_64", "obsoletes": ["x < 1.0-10"], "requires": ["x"]}]
    specs += [
        {"name": "kernel", "evr": f"5.{k}-1", "arch": "x86_64", "requires": ["kernel"]} for k in range(5)
    ]
    return interned(universe(specs))


def test_versions_requiring_their_own_name_are_narrowed_by_their_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Of its own name a package keeps itself and its multilib twin (`SameName.apart`): the
    graph's groups are those each package's own narrowing gives, without asking each pair (n
    versions each requiring their name were n x n asks)."""
    n = 300
    packages = own_name_run(n)
    asked = [0]
    apart = coinstall.SameName.apart

    def counted(self: coinstall.SameName, first: int, second: int) -> bool:
        asked[0] += 1
        return apart(self, first, second)

    # Every package here meets its requirement itself, which the graph then drops
    # (`_without_own`): kept, the groups show what each package's narrowing gave.
    monkeypatch.setattr(graph_module, "_without_own", lambda table: None)
    with monkeypatch.context() as counting:
        counting.setattr(coinstall.SameName, "apart", counted)
        graph = DependencyGraph(packages, Resolver(packages).resolve_all())
    assert asked[0] < 20 * n, asked[0]
    with monkeypatch.context() as each:
        each.setattr(viability.Viability, "of", narrowed_one_by_one)
        expected = DependencyGraph(packages, Resolver(packages).resolve_all())
    assert (graph.runtime, graph.build) == (expected.runtime, expected.build)
    twin = next(i for i, p in enumerate(packages) if p.arch == "i686" and p.release == "10")
    own = next(i for i, p in enumerate(packages) if p.arch == "x86_64" and p.release == "10")
    assert graph.runtime[own][0].members == (own, twin)
