"""Propagation and the graph hold what the input has, not its square (red-team round 7: 05-07).

Each case is a shape a real distribution reaches, made large: a long Requires chain, one
capability with thousands of providers that thousands of packages require (a virtual provide),
and thousands of versions of one name (a vault of kernels). The peak memory of the step is
measured with tracemalloc and bounded per package: no timing assertion. Each also checks that
what is true stays true (the statuses and chains).
"""

from __future__ import annotations

import dataclasses
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from auditor.deps import askevery, cleanway, edges, maybuild, propagation
from auditor.deps.coinstall import SameName
from auditor.deps.graph import DependencyGraph
from auditor.deps.propagation import Propagation, propagate
from auditor.deps.resolve import Resolver
from auditor.origin.findings import Category, Finding, Severity, Verdict
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import Dependency, Package
from tests.deps.test_conflicting_providers import CITRIX as VENDOR
from tests.deps.test_conflicting_providers import audit, verdicts
from tests.universe import universe

T = TypeVar("T")

BYTES_PER_PACKAGE = 2048
"""What a step may allocate at its peak per package of the run: a list entry, a hop, a label
or a chain cell per package take a few hundred bytes; a pair per two packages takes megabytes."""


def _peak(step: Callable[[], T]) -> tuple[T, int]:
    tracemalloc.start()
    try:
        found = step()
        return found, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _packages(specs: list[dict[str, Any]]) -> list[Package]:
    """The packages of ``specs``, each dependency one object however many packages have it,
    as the repodata reader gives them (`auditor.sources.primary`)."""
    known: dict[Dependency, Dependency] = {}

    def interned(deps: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
        return tuple(known.setdefault(dep, dep) for dep in deps)

    return [
        dataclasses.replace(package, requires=interned(package.requires), provides=interned(package.provides))
        for package in universe(specs)
    ]


CITRIX = Finding("vendor", Severity.HIGH, "vendor", "Citrix", "a Citrix vendor", category=Category.CITRIX)


def _propagated(specs: list[dict[str, Any]], origin: set[str]) -> tuple[list[Package], Propagation, int]:
    """The run of ``specs``, the packages named in ``origin`` having a Citrix vendor; and the peak
    memory of propagating it."""
    packages = _packages(specs)
    graph = DependencyGraph(packages, Resolver(packages).resolve_all())
    findings = {index: [CITRIX] for index, package in enumerate(packages) if package.name in origin}
    propagation, peak = _peak(lambda: propagate(graph, findings))
    return packages, propagation, peak


def _by_name(packages: list[Package]) -> dict[str, int]:
    return {package.name: index for index, package in enumerate(packages)}


def test_a_long_requires_chain_holds_one_hop_per_package() -> None:
    """p0 -> p1 -> ... -> p2999 (Citrix): each package's chain is its hop and the next one's chain."""
    n = 3000
    specs: list[dict[str, Any]] = [{"name": f"p{i}", "requires": [f"p{i + 1}"]} for i in range(n - 1)]
    specs.append({"name": f"p{n - 1}"})
    packages, propagation, peak = _propagated(specs, {f"p{n - 1}"})
    assert peak < BYTES_PER_PACKAGE * n, f"{peak} bytes at the peak for {n} packages"
    names = _by_name(packages)
    for i in (0, 1, n // 2, n - 2):
        verdict = propagation.verdict(names[f"p{i}"])
        assert verdict.verdict is Verdict.DEPENDS and len(verdict.chain) == n - 1 - i
        assert [packages[hop.target].name for hop in verdict.chain] == [f"p{k}" for k in range(i + 1, n)]
        assert verdict.chain[-1].target == names[f"p{n - 1}"]


def test_a_capability_with_many_providers_is_one_group_not_an_edge_per_requirer_and_provider() -> None:
    """n providers of ``common`` (one of them Citrix) and n packages requiring it: n x n edges
    before; each requirer may depend on the Citrix one, one hop with n alternatives, 1 tainted."""
    n = 2000
    specs: list[dict[str, Any]] = [{"name": f"provider{i}", "provides": ["common"]} for i in range(n)]
    specs += [{"name": f"user{i}", "requires": ["common"]} for i in range(n)]
    # Beside it, a capability whose every provider is Citrix: its requirers depend on them.
    specs += [{"name": f"vendor{i}", "provides": ["closed"]} for i in range(50)]
    specs += [{"name": f"client{i}", "requires": ["closed"]} for i in range(n)]
    origin = {"provider0", *(f"vendor{i}" for i in range(50))}
    packages, propagation, peak = _propagated(specs, origin)
    assert peak < BYTES_PER_PACKAGE * len(specs), f"{peak} bytes at the peak for {len(specs)} packages"
    names = _by_name(packages)
    for i in (0, n // 2, n - 1):
        verdict = propagation.verdict(names[f"user{i}"])
        assert verdict.verdict is Verdict.MAY_DEPEND
        [hop] = verdict.chain
        assert (hop.target, hop.alternatives, hop.tainted) == (names["provider0"], n, 1)
        verdict = propagation.verdict(names[f"client{i}"])
        assert verdict.verdict is Verdict.DEPENDS
        [hop] = verdict.chain
        assert (hop.target, hop.alternatives, hop.tainted) == (names["vendor0"], 50, 50)
    assert propagation.verdict(names["provider1"]).verdict is Verdict.CLEAN


def test_many_versions_of_one_name_are_never_turned_into_pairs() -> None:
    """2,000 versions of ``same``: which of them can be installed together is asked pair by pair,
    never listed (k x k sets before); a package requiring ``same`` still depends on the Citrix
    one when it is the only provider it can be installed with."""
    k = 2000
    specs: list[dict[str, Any]] = [{"name": "same", "evr": f"1.{i}-1"} for i in range(k - 1)]
    specs.append({"name": "same", "evr": f"1.{k - 1}-1"})
    specs.append({"name": "user", "requires": ["same"]})
    packages = _packages(specs)
    resolved = Resolver(packages).resolve_all()
    graph, peak = _peak(lambda: DependencyGraph(packages, resolved))
    assert peak < BYTES_PER_PACKAGE * len(packages), f"{peak} bytes at the peak for {len(packages)} packages"
    # Every version but the Citrix one can be installed for ``user``: it may depend on it.
    [group] = graph.runtime[k]
    assert len(group.members) == k
    findings = {k - 1: [CITRIX]}
    assert propagate(graph, findings).verdict(k).verdict is Verdict.MAY_DEPEND
    # A version requiring ``same`` can never be installed with another: its only way is itself,
    # which needs no other package (`auditor.deps.graph._without_own`).
    specs[0]["requires"] = ["same"]
    packages = _packages(specs)
    graph = DependencyGraph(packages, Resolver(packages).resolve_all())
    assert 0 not in graph.runtime


@pytest.mark.parametrize(
    "relation", ["obsoletes: x < 1.500", "conflicts: x < 1.500", "conflicts: (x < 1.500 or v)"]
)
def test_many_packages_obsoleting_many_versions_are_never_turned_into_pairs(relation: str) -> None:
    """1,000 packages requiring ``x`` and obsoleting (or conflicting with) 500 of its 1,000
    versions: one answer shared by all, never a pair per package and version (n x n sets and
    tuples before); each can still have only the other 500."""
    k = 1000
    kind, dependency = relation.split(": ")
    specs: list[dict[str, Any]] = [{"name": "x", "evr": f"1.{i}-1"} for i in range(k)]
    specs += [{"name": f"o{i}", "requires": ["x"], kind: [dependency]} for i in range(k)]
    packages = _packages(specs)
    graph, peak = _peak(lambda: DependencyGraph(packages, Resolver(packages).resolve_all()))
    assert peak < BYTES_PER_PACKAGE * len(packages), f"{peak} bytes at the peak for {len(packages)} packages"
    for owner in (k, 2 * k - 1):
        [group] = graph.runtime[owner]
        assert group.members == tuple(range(500, k)) and group.excluded == 500


class _CountedGroups(list[Any]):
    """A package's groups that count the steps taken walking them, and stop the test past ``limit``."""

    steps = 0
    limit = 0

    def __iter__(self) -> Any:
        for group in super().__iter__():
            _CountedGroups.steps += 1
            assert _CountedGroups.steps <= _CountedGroups.limit, "a walk of a package's groups per tie"
            yield group


def test_a_package_requiring_many_capabilities_of_one_origin_package_walks_its_groups_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``big`` requires c0..c2999, all provided by one Citrix package: 3,000 groups of one member
    met from it at once, each tie broken by where the group stands among ``big``'s groups. Each
    was found by a walk of them: 4.5 million steps (15,000 requirements took 30 s)."""
    n = 3000
    specs: list[dict[str, Any]] = [
        {"name": "ctx", "provides": [f"c{i}" for i in range(n)]},
        {"name": "big", "requires": [f"c{i}" for i in range(n)]},
    ]
    made = edges.reverse

    def counted(groups: dict[int, list[Any]]) -> edges.Edges:
        found = made(groups)
        found.owned = {owner: _CountedGroups(owned) for owner, owned in found.owned.items()}
        return found

    monkeypatch.setattr(propagation, "reverse", counted)
    monkeypatch.setattr(_CountedGroups, "steps", 0)
    monkeypatch.setattr(_CountedGroups, "limit", 4 * n)
    packages, result, _ = _propagated(specs, {"ctx"})
    names = _by_name(packages)
    verdict = result.verdict(names["big"])
    assert verdict.verdict is Verdict.DEPENDS
    [hop] = verdict.chain
    assert (hop.target, hop.requirement) == (names["ctx"], "c0")


def _own_architectures(n: int) -> list[Package]:
    """n packages of one name, each of an architecture of its own that no host lists (free text
    in repository metadata), each requiring that name; and one x86_64 package requiring it."""
    specs: list[dict[str, Any]] = [
        {"name": "same", "arch": f"arch{i}", "requires": ["same"]} for i in range(n)
    ]
    specs.append({"name": "user", "arch": "x86_64", "requires": ["same"]})
    return _packages(specs)


def test_architectures_no_host_knows_are_never_turned_into_pairs() -> None:
    """1,500 packages of architectures of their own: whether two such architectures go
    together was kept for every pair met, n x n answers (4,000 of them: 1.7 GB). Each goes with
    itself and noarch only, and the package still needs only itself."""
    n = 1500
    packages = _own_architectures(n)
    graph, peak = _peak(lambda: DependencyGraph(packages, Resolver(packages).resolve_all()))
    assert peak < BYTES_PER_PACKAGE * len(packages), f"{peak} bytes at the peak for {len(packages)} packages"
    assert 0 not in graph.runtime  # it meets its requirement itself: no other package is needed


def test_packages_of_architectures_no_host_knows_are_not_asked_apart_pair_by_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same shape: each package's multilib twins (its version, of other architectures) were
    each asked whether they can be installed with it before their architecture was, n x n
    questions (4,000 packages: 37 s, 5 s now). The architecture parts them first."""
    n = 1500
    asked = 0
    apart = SameName.apart

    def counting(self: SameName, first: int, second: int) -> bool:
        nonlocal asked
        asked += 1
        assert asked <= 4 * n, "packages of one name asked apart pair by pair"
        return apart(self, first, second)

    monkeypatch.setattr(SameName, "apart", counting)
    packages = _own_architectures(n)
    graph = DependencyGraph(packages, Resolver(packages).resolve_all())
    assert n - 1 not in graph.runtime  # it meets its requirement itself: no other package is needed


def test_packages_asked_for_a_clean_way_walk_a_shared_chain_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """n packages that reach a mixed group (``x1``: Citrix ``cx1`` or clean ``c1``) and hold a
    package apart from another mixed group's clean way (``y`` conflicts with ``c2``), so the
    clean-way check asks each (`auditor.deps.cleanway`); each also holds a chain of m packages.
    Each ask walked the chain: n x m groups (2,000 x 2,000: 20 s). Nothing in the chain can rule
    a clean way out, so it is walked once."""
    n = m = 1500
    specs: list[dict[str, Any]] = [
        {"name": "cx1", "provides": ["lib1"]}, {"name": "c1", "provides": ["lib1"]},
        {"name": "x1", "requires": ["lib1"]},
        {"name": "cx2", "provides": ["lib2"]}, {"name": "c2", "provides": ["lib2"]},
        {"name": "x2", "requires": ["lib2"]},
        {"name": "y", "conflicts": ["c2"]},
        *({"name": f"core{i}", "requires": [f"core{i + 1}"]} for i in range(m)),
        {"name": f"core{m}"},
        *({"name": f"app{i}", "requires": ["x1", "y", "core0"]} for i in range(n)),
    ]  # fmt: skip
    asked = [0]
    groups_met = [0]
    ask, binds = cleanway._Search.ask, cleanway._Search.binds

    def counted_ask(self: Any, package: int, groups: Any) -> Any:
        asked[0] += 1
        return ask(self, package, groups)

    def counted_binds(self: Any, group: Any) -> bool:
        groups_met[0] += 1
        return binds(self, group)

    monkeypatch.setattr(cleanway._Search, "ask", counted_ask)
    monkeypatch.setattr(cleanway._Search, "binds", counted_binds)
    packages, result, _ = _propagated(specs, {"cx1", "cx2"})
    names = _by_name(packages)
    assert result.verdict(names["app0"]).verdict is Verdict.MAY_DEPEND
    assert asked[0] >= n
    assert groups_met[0] <= 20 * (n + m)


def test_a_clean_way_check_cut_short_is_a_gap_of_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `cleanway.STEPS` the packages left are not asked: each may still say may-depend
    where it needs Citrix (as here), so the run is incomplete and says how many."""
    n = 40
    specs: list[dict[str, Any]] = [
        {"name": "cx-b", "provides": ["libb"], **VENDOR}, {"name": "clean-b", "provides": ["libb"]},
        {"name": "mid", "requires": ["pal"]},
        {"name": "pal", "conflicts": ["clean-b"]},
        *({"name": f"app{i}", "requires": ["libb", "mid"]} for i in range(n)),
    ]  # fmt: skip
    whole = audit(specs)
    assert {verdicts(whole)[f"app{i}"] for i in range(n)} == {"depends"}
    assert not [gap for gap in whole.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    monkeypatch.setattr(cleanway, "STEPS", -1)
    cut = audit(specs)
    assert {verdicts(cut)[f"app{i}"] for i in range(n)} == {"may-depend"}
    [gap] = [gap for gap in cut.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    assert gap.count == n
    assert [fact for fact in cut.run_facts if "clean-way-unchecked" in str(fact.rule)]


def _ladder(n: int) -> list[dict[str, Any]]:
    """``app1`` has no clean installation (``mid1`` needs ``pal1``, which conflicts with
    ``clean1``); each ``app<k>`` has none only once ``app<k-1>`` is tainted (its ``lib<k>`` is
    ``clean<k>`` or a package needing ``app<k-1>``), so each is found a round after the last."""
    specs: list[dict[str, Any]] = [{"name": "cx1", "provides": ["lib1"], "vendor": "Citrix Systems, Inc."}]
    for k in range(1, n + 1):
        specs += [
            {"name": f"clean{k}", "provides": [f"lib{k}"]},
            {"name": f"mid{k}", "requires": [f"pal{k}"]},
            {"name": f"pal{k}", "conflicts": [f"clean{k}"]},
            {"name": f"app{k}", "requires": [f"lib{k}", f"mid{k}"]},
        ]
        if k > 1:
            specs.append({"name": f"via{k}", "provides": [f"lib{k}"], "requires": [f"app{k - 1}"]})
    return specs


def test_clean_way_checks_found_in_turn_stop_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each round of the clean-way check propagates the whole graph again: a ladder of n took n
    rounds where the screen chooses what is asked (a run past `askevery.ASK_EVERY`). Past
    `cleanway.ROUNDS` the run stops, and what the next round would ask is a gap."""
    monkeypatch.setattr(cleanway, "ROUNDS", 1)
    asked_every = audit(_ladder(12))  # each app asked: each walk follows the ladder down
    assert {verdicts(asked_every)[f"app{k}"] for k in range(1, 13)} == {"depends"}
    assert not [gap for gap in asked_every.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    monkeypatch.setattr(cleanway, "ROUNDS", 64)
    monkeypatch.setattr(askevery, "ASK_EVERY", 0)
    whole = audit(_ladder(12))
    assert verdicts(whole)["app12"] == "depends"
    assert not [gap for gap in whole.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    monkeypatch.setattr(cleanway, "ROUNDS", 5)
    cut = audit(_ladder(12))
    assert verdicts(cut)["app5"] == "depends" and verdicts(cut)["app12"] == "may-depend"
    [gap] = [gap for gap in cut.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    assert gap.count >= 1


def test_choices_between_inert_providers_are_not_tried_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """``app`` needs ``clean-r`` (``cx-r`` aside), and ``yz``, whose two providers each need a
    package that conflicts with ``clean-r``; before ``yz`` it meets n requirements of two
    providers that nothing rules out and that rule nothing out. Trying those in turn as well
    made 2^n walks before the search learnt that no choice of ``yz`` is clean (n = 16 went past
    `cleanway.STEPS`: ``app`` left unasked, at may-depend). Either of such a pair leaves every
    way the other leaves."""
    n = 12
    specs: list[dict[str, Any]] = [
        {"name": "cx-r", "provides": ["libr"], **VENDOR},
        {"name": "clean-r", "provides": ["libr"], "requires": ["g"]},
        {"name": "g1", "provides": ["g"], "conflicts": ["z"]},  # the screen asks app: z holds it apart
        {"name": "g2", "provides": ["g"]},
        {"name": "z"},
        {"name": "w1", "provides": ["yz"], "requires": ["q1"]},
        {"name": "w2", "provides": ["yz"], "requires": ["q2"]},
        {"name": "q1", "conflicts": ["clean-r"]},
        {"name": "q2", "conflicts": ["clean-r"]},
        {"name": "app", "requires": ["libr", *(f"y{i:02d}" for i in range(n)), "yz", "z"]},
        *({"name": f"y{i:02d}-{side}", "provides": [f"y{i:02d}"]} for i in range(n) for side in "ab"),
    ]  # fmt: skip
    walks = [0]
    walk = cleanway._Search._walk

    def counted_walk(self: Any, package: int, groups: Any, picks: Any) -> Any:
        walks[0] += 1
        return walk(self, package, groups, picks)

    monkeypatch.setattr(cleanway._Search, "_walk", counted_walk)
    result = audit(specs)
    assert verdicts(result)["app"] == "depends"
    assert not [gap for gap in result.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]
    assert walks[0] <= 8  # the first walk and the two choices of yz (it was 2^13)


def test_a_long_chain_of_builds_each_may_need_citrix_asks_each_source_a_few_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """s0 BuildRequires ``tool`` (Citrix's ``cx`` or clean ``ctool``), and each s(i) the binary
    of s(i-1): each build may need Citrix, one round after the other (`auditor.deps.maybuild`).
    Asking every source open in each round, with a walk of the whole graph, was n x n (3,000
    builds: 20 s); a round asks the sources whose BuildRequires met what the last one found."""
    n = 3000
    specs: list[dict[str, Any]] = [
        {"name": "cx", "provides": ["tool"], "sourcerpm": "cx-1.0-1.src.rpm"},
        {"name": "ctool", "provides": ["tool"], "sourcerpm": "ctool-1.0-1.src.rpm"},
        *({"name": f"b{i}", "sourcerpm": f"s{i}-1.0-1.src.rpm"} for i in range(n)),
        {"name": "s0", "arch": "src", "requires": ["tool"]},
        *({"name": f"s{i}", "arch": "src", "requires": [f"b{i - 1}"]} for i in range(1, n)),
    ]
    asked = [0]
    build_chain = maybuild._Tainted.build_chain

    def counted(self: Any, source: int) -> Any:
        asked[0] += 1
        return build_chain(self, source)

    monkeypatch.setattr(maybuild._Tainted, "build_chain", counted)
    packages, result, _ = _propagated(specs, {"cx"})
    names = {(package.name, package.arch): index for index, package in enumerate(packages)}
    last = result.verdict(names[(f"s{n - 1}", "src")])
    assert last.verdict is Verdict.MAY_DEPEND
    assert len(last.chain) == 2 * n - 1  # through each binary and its build, to cx
    assert result.verdict(names[(f"b{n - 1}", "noarch")]).verdict is Verdict.MAY_DEPEND
    assert asked[0] <= 3 * n
