"""Propagation against a reference written from its definition, on random graphs.

`auditor.deps.propagation.propagate` counts, per requirement, the alternatives not yet tainted, over
reverse edges. The reference below iterates the definitions until nothing changes:

- *depends*: not origin, and some runtime requirement whose every alternative is origin or
  depends (least fixed point: a cycle with no tainted way out stays clean); an origin package
  too when such requirements lead it to another origin package (not back to itself);
- *may-depend*: not depends, and some path of runtime alternatives to an origin package other
  than itself, never through a requirement a package meets itself (rpm installs a package with
  its own provides; createrepo_c leaves such a requirement out of primary.xml); and a source
  package not build-depends with an alternative of a BuildRequires that is origin, depends,
  may-depend or build-depends (its buildroot may hold it), and the binaries built from it;
- *build-depends*: a source package with a BuildRequires whose every alternative is tainted,
  build-depends, or cannot be installed without one of those (through runtime requirements
  whose every alternative is: a buildroot may hold no blocked binary), and every binary built
  from such a source.

The graphs include what a distribution has and a counter can get wrong: cycles, a package
among its own alternatives, and the same requirement written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.deps.graph import DependencyGraph
from auditor.deps.propagation import propagate
from auditor.deps.resolution import Resolution, Resolved, Status
from auditor.origin.findings import Category, Finding, Severity, Verdict
from auditor.rpm.model import Dependency, Package, PackageKind
from auditor.rpm.package_fields import DependencyKind

Groups = list[list[tuple[int, ...]]]


def _binary(index: int, sourcerpm: str | None) -> Package:
    return Package(f"b{index}", None, "1", "1", "x86_64", PackageKind.BINARY, f"b{index}.rpm", "r", sourcerpm)


def _source(index: int) -> Package:
    return Package(f"s{index}", None, "1", "1", "src", PackageKind.SOURCE, f"s{index}.rpm", "r")


def _graph(
    binaries: int, runtime: Groups, sources: int, build: Groups, built_from: Sequence[int | None]
) -> DependencyGraph:
    packages = [
        _binary(index, None if source is None else f"s{source}-1-1.src.rpm")
        for index, source in enumerate(built_from)
    ]
    packages += [_source(index) for index in range(sources)]
    # One Resolution per distinct requirement, shared by the packages that have it, as the
    # resolver's cache shares them; a package may list the same one twice.
    shared: dict[tuple[int, ...], Resolution] = {}

    def resolution(members: tuple[int, ...]) -> Resolution:
        if members not in shared:
            dependency = Dependency("cap-" + "-".join(map(str, members)))
            shared[members] = Resolution(DependencyKind.REQUIRES, dependency, Status.SATISFIED, (members,))
        return shared[members]

    requirements = {
        owner: [resolution(members) for members in groups] for owner, groups in enumerate(runtime)
    }
    for number, groups in enumerate(build):
        requirements[binaries + number] = [resolution(members) for members in groups]
    return DependencyGraph(packages, Resolved(packages, frozenset(range(len(packages))), requirements))


def _finding(category: Category = Category.CITRIX) -> Finding:
    return Finding("vendor", Severity.HIGH, "vendor", "Citrix", "a Citrix vendor", category=category)


def _least(candidates: Iterable[int], holds: Callable[[int, set[int]], bool]) -> set[int]:
    """The least set of ``candidates`` each of which ``holds`` given the set: grown until nothing changes."""
    found: set[int] = set()
    changed = True
    while changed:
        changed = False
        for candidate in candidates:
            if candidate not in found and holds(candidate, found):
                found.add(candidate)
                changed = True
    return found


Edges = Callable[[int], Iterable[int]]


def _reaches(start: int, edges: Edges, target: Callable[[int], bool]) -> bool:
    """Whether a ``target`` package other than ``start`` is reached from it along ``edges``."""
    seen, todo = {start}, [start]
    while todo:
        for member in edges(todo.pop()):
            if member != start and target(member):
                return True
            if member not in seen:
                seen.add(member)
                todo.append(member)
    return False


def _all_tainted(runtime: Groups, tainted: set[int]) -> Edges:
    """From a package to the members of its requirements whose every alternative is tainted."""
    return lambda owner: (
        m for g in runtime[owner] if owner not in g and all(m in tainted for m in g) for m in g
    )


def _any_alternative(runtime: Groups) -> Edges:
    """From a package to the members of its requirements, but those it meets itself."""
    return lambda owner: (m for g in runtime[owner] if owner not in g for m in g)


def _reference(
    binaries: int,
    runtime: Groups,
    sources: int,
    build: Groups,
    built_from: Sequence[int | None],
    origin: set[int],
) -> tuple[set[int], set[int], set[int]]:
    others = [owner for owner in range(binaries) if owner not in origin]
    depends = _least(
        others, lambda owner, found: any(all(m in origin | found for m in g) for g in runtime[owner])
    )
    tainted = origin | depends

    def is_origin(member: int) -> bool:
        return member in origin

    every = _all_tainted(runtime, tainted)
    depends |= {owner for owner in origin if _reaches(owner, every, is_origin)}
    anyhow = _any_alternative(runtime)
    may = {o for o in range(binaries) if o not in depends and _reaches(o, anyhow, is_origin)}
    tainted = origin | depends

    def built(found: set[int]) -> set[int]:
        return found | {b for b, s in enumerate(built_from) if s is not None and binaries + s in found}

    def unusable(found: set[int]) -> set[int]:
        """What cannot be installed without a tainted or blocked package: no buildroot may hold it."""
        held = tainted | built(found)
        return held | _least(
            [o for o in range(binaries) if o not in held],
            lambda owner, more: any(all(m in held | more for m in g) for g in runtime[owner]),
        )

    def unbuildable(source: int, found: set[int]) -> bool:
        reach = unusable(found)
        return any(group and all(m in reach for m in group) for group in build[source - binaries])

    blocked = built(_least(range(binaries, binaries + sources), unbuildable))
    return (
        depends,
        may | _may_build(binaries, sources, build, built_from, runtime, origin | depends | may | blocked),
        blocked,
    )


def _may_build(
    binaries: int,
    sources: int,
    build: Groups,
    built_from: Sequence[int | None],
    runtime: Groups,
    reaching: set[int],
) -> set[int]:
    """The sources not in ``reaching`` some alternative of whose BuildRequires is in it, or may
    hold at run time a binary whose own build is tainted (in it, or found here: a buildroot may
    hold it), and the binaries built from them not in ``reaching`` either; a least fixed point."""
    anyhow = _any_alternative(runtime)
    found: set[int] = set()
    while True:
        held = {b for b, s in enumerate(built_from) if s is not None and (binaries + s) in reaching | found}
        held = {b for b in held if b in reaching | found}

        def leads(member: int, held: set[int] = held, found: set[int] = found) -> bool:
            return member in reaching or member in found or _reaches(member, anyhow, held.__contains__)

        more = {
            binaries + s
            for s in range(sources)
            if binaries + s not in reaching | found and any(leads(m) for group in build[s] for m in group)
        }
        if not more:
            return found
        found |= more | {
            b
            for b, s in enumerate(built_from)
            if s is not None and binaries + s in more and b not in reaching
        }


@st.composite
def _runs(draw: st.DrawFn) -> tuple[int, Groups, int, Groups, list[int | None], set[int]]:
    binaries = draw(st.integers(1, 9))
    sources = draw(st.integers(0, 3))
    members = st.lists(st.integers(0, binaries - 1), min_size=1, max_size=3, unique=True).map(tuple)
    runtime = [draw(st.lists(members, max_size=3)) for _ in range(binaries)]
    for groups in runtime:
        twice: bool = draw(st.booleans())
        if groups and twice:  # the same requirement written twice
            groups.append(groups[0])
    build = [draw(st.lists(members, max_size=3)) for _ in range(sources)]
    built_from = [draw(st.none() | st.integers(0, sources - 1)) if sources else None for _ in range(binaries)]
    origin = draw(st.sets(st.integers(0, binaries - 1), max_size=3))
    return binaries, runtime, sources, build, built_from, origin


@settings(max_examples=400, deadline=None)
@given(_runs())
def test_propagation_is_the_least_fixed_point_of_its_definition(
    run: tuple[int, Groups, int, Groups, list[int | None], set[int]],
) -> None:
    binaries, runtime, sources, build, built_from, origin = run
    graph = _graph(binaries, runtime, sources, build, built_from)
    propagation = propagate(graph, {index: [_finding()] for index in origin})
    depends, may, blocked = _reference(binaries, runtime, sources, build, built_from, origin)
    assert set(propagation.origin) == origin
    assert set(propagation.depends) == depends
    assert set(propagation.may_depend) == may
    assert set(propagation.build_depends) == blocked
    for index, chain in [*propagation.depends.items(), *propagation.may_depend.items()]:
        # Each hop is a requirement of the package it leaves, and the chain ends at another origin.
        assert chain[0].source == index and chain[-1].target in origin and chain[-1].target != index
        for hop in chain:
            if hop.kind == "built-from":
                assert built_from[hop.source] == hop.target - binaries
            else:
                groups = runtime[hop.source] if hop.source < binaries else build[hop.source - binaries]
                assert any(hop.target in group for group in groups)


@settings(max_examples=300, deadline=None)
@given(_runs(), st.lists(st.sampled_from(["citrix", "proprietary", "both"]), min_size=9, max_size=9))
# b1 (proprietary) Requires b0 (Citrix) or b4, built from s0, which BuildRequires b1: no buildroot
# may hold b4, so s0's takes b0 and its build is Citrix's too (once found proprietary only).
@example(
    run=(5, [[], [(0, 4)], [], [], []], 1, [[(1,)]], [None, None, None, None, 0], {0, 1}),
    kinds=["citrix", "proprietary"] + ["citrix"] * 7,
)
def test_each_category_has_its_own_taint_and_chain(
    run: tuple[int, Groups, int, Groups, list[int | None], set[int]], kinds: list[str]
) -> None:
    """Per category: *depends* when requirements whose every alternative is tainted lead to an
    origin package of that category (other than itself), *may-depend* when not and some path of
    alternatives does; each chain ends at an origin package of its category."""
    binaries, runtime, sources, build, built_from, origin = run
    graph = _graph(binaries, runtime, sources, build, built_from)
    of = {
        index: {"citrix": {Category.CITRIX}, "proprietary": {Category.PROPRIETARY}}.get(
            kinds[index], set(Category)
        )
        for index in origin
    }
    propagation = propagate(
        graph, {index: [_finding(category) for category in sorted(of[index], key=str)] for index in origin}
    )
    depends, _may, blocked = _reference(binaries, runtime, sources, build, built_from, origin)
    tainted = origin | depends

    every, anyhow = _all_tainted(runtime, tainted), _any_alternative(runtime)
    # What no buildroot may hold, whatever the category: tainted, blocked, or not installable
    # without one of those.
    held = tainted | blocked
    held |= _least(
        [o for o in range(binaries) if o not in held],
        lambda owner, more: any(all(m in held | more for m in g) for g in runtime[owner]),
    )
    for category in Category:

        def of_category(member: int, category: Category = category) -> bool:
            return category in of.get(member, ())

        needs = {p for p in range(binaries) if _reaches(p, every, of_category)}
        may = {p for p in range(binaries) if p not in needs and _reaches(p, anyhow, of_category)}
        found = propagation.by_category.get(Verdict.DEPENDS, {}).get(category, {})
        assert set(found) == needs
        found_may = propagation.by_category.get(Verdict.MAY_DEPEND, {}).get(category, {})
        for index, chain in [*found.items(), *found_may.items()]:
            assert (chain[-1].target != index and category in of[chain[-1].target]) or (
                chain[-1].kind == "built-from"
            )

        # build-depends of this category: a BuildRequires whose every alternative is tainted or
        # build-depends, one of which leads to an origin package of the category.
        def leads(
            member: int, found: set[int], category: Category = category, needs: set[int] = needs
        ) -> bool:
            source = built_from[member]
            return (
                category in of.get(member, ())
                or member in needs
                or (source is not None and binaries + source in found)
            )

        def leading(found: set[int], leads: Callable[[int, set[int]], bool] = leads) -> set[int]:
            """What leads to the category at build time: ``leads``, and what cannot be installed
            without one of those (a buildroot may hold no blocked binary: its chain runs on),
            never through a requirement a package meets itself."""
            base = {m for m in range(binaries) if leads(m, found)}
            return base | _least(
                [o for o in range(binaries) if o not in base],
                lambda owner, more: any(
                    owner not in g and all(m in held for m in g) and any(m in base | more for m in g)
                    for g in runtime[owner]
                ),
            )

        def unbuildable(source: int, found: set[int]) -> bool:
            lead = leading(found)
            return any(
                group and all(m in held for m in group) and any(m in lead for m in group)
                for group in build[source - binaries]
            )

        sources_found = _least(range(binaries, binaries + sources), unbuildable)
        built = sources_found | {
            b for b, s in enumerate(built_from) if s is not None and binaries + s in sources_found
        }
        found_build = propagation.by_category.get(Verdict.BUILD_DEPENDS, {}).get(category, {})
        assert set(found_build) == built
        reaching = {p for p in range(binaries) if of_category(p)} | needs | may | built
        assert set(found_may) == may | _may_build(binaries, sources, build, built_from, runtime, reaching)
        for chain in found_build.values():
            assert category in of[chain[-1].target] or chain[-1].kind == "built-from"
