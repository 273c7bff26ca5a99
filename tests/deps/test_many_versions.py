"""Versioned relations on a name with many versions: bisected (`auditor.deps.versions`), never
compared pair by pair, and answering exactly as the pair by pair reading does.

A hostile repository of n versions of ``x`` and n packages each with ``Obsoletes: x < 1.0-K``
(a distinct range each) took 23 s and 669 MB at n = 3,000: each range compared with each
version, and each match copied into a set that each of its packages referred to. The answers
here are held to `auditor.rpm.evr.ranges_overlap` applied to every pair; the cost is counted in
comparisons and bytes, never in seconds.
"""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from auditor.deps import provides, resolve, versions
from auditor.deps.coinstall import SameName, incompatible
from auditor.deps.resolve import Resolver
from auditor.deps.versions import BISECT_FROM
from auditor.rpm import evr
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.model import Dependency, Op, Package
from tests.deps.test_apart_shared import _same_name_apart, interned
from tests.universe import universe

_VERSIONS = ("1.0", "1_0", "1.1", "2", "1.0~rc1", "1.0^git1", "0.9", "10")
_RELEASES = ("1", "2", "10", "1.el8", "")
_OPS = ("<", "<=", "=", ">=", ">")


def _evr(chance: random.Random) -> str:
    epoch = chance.choice(("", "", "1:"))
    release = chance.choice(_RELEASES)
    return f"{epoch}{chance.choice(_VERSIONS)}" + (f"-{release}" if release else "")


def many_versions(seed: int) -> list[Package]:
    """More versions of ``x`` than `BISECT_FROM` (some providing ``cap = EVR``, with or without
    a release), and packages requiring, conflicting with and obsoleting ranges of both."""
    chance = random.Random(seed)
    specs: list[dict[str, Any]] = []
    for _ in range(BISECT_FROM + chance.randint(0, 30)):
        provided = [f"cap = {_evr(chance)}"] if chance.random() < 0.7 else []
        if chance.random() < 0.1:
            provided.append(chance.choice(("cap", "cap >= 1.0")))  # unversioned, or not an "="
        specs.append({"name": "x", "evr": _evr(chance), "arch": "x86_64", "provides": provided})
    for k in range(chance.randint(5, 40)):
        relation = f"{chance.choice(('x', 'cap'))} {chance.choice(_OPS)} {_evr(chance)}"
        kind = chance.choice(("requires", "conflicts", "obsoletes"))
        specs.append({"name": f"o{k}", "arch": "x86_64", kind: [relation]})
    return interned(universe(specs))


def _provides(package: Package) -> list[Dependency]:
    own = Dependency(package.name, Op.EQ, package.evr)
    return [*package.provides, own]


def _one_by_one(
    packages: list[Package], dep: Dependency, by: Callable[[Package], list[Dependency]]
) -> list[int]:
    return [
        index
        for index, package in enumerate(packages)
        if not package.is_source
        and any(p.name == dep.name and ranges_overlap(p.op, p.evr, dep.op, dep.evr) for p in by(package))
    ]


def _named(package: Package) -> list[Dependency]:
    return [Dependency(package.name, Op.EQ, package.evr)]


@pytest.mark.parametrize("seed", range(150))
def test_versioned_relations_match_what_each_pair_matches(seed: int) -> None:
    packages = many_versions(seed)
    resolved = Resolver(packages).resolve_all()
    for resolutions in resolved.requirements.values():
        for resolution in resolutions:
            if resolution.kind.value == "requires":
                expected = _one_by_one(packages, resolution.dependency, _provides)
                assert list(resolution.providers) == expected, (seed, str(resolution.dependency))
    pairs: set[tuple[int, int]] = set()
    for owner, matches in resolved.matches.items():
        for match in matches:
            by = _named if match.kind.value == "obsoletes" else _provides
            expected = _one_by_one(packages, match.dependency, by)
            assert list(match.packages) == expected, (seed, match.kind, str(match.dependency))
            pairs.update((owner, other) for other in expected if other != owner)
            pairs.update((other, owner) for other in expected if other != owner)
    apart_from = incompatible(packages, resolved.matches)
    for first in range(len(packages)):
        for second in range(len(packages)):
            expected_apart = (first, second) in pairs or (
                first != second and _same_name_apart(packages[first], packages[second])
            )
            found = first in apart_from and second in apart_from[first]
            assert found == expected_apart, (seed, first, second)


def _hostile(n: int) -> list[Package]:
    """n versions of ``x``; n packages obsoleting ``x < 1.0-K``, n requiring ``x <= 1.0-K``."""
    specs: list[dict[str, Any]] = [
        {"name": "x", "evr": f"1.0-{k}", "arch": "x86_64"} for k in range(1, n + 1)
    ]
    specs += [{"name": f"o{k}", "arch": "x86_64", "obsoletes": [f"x < 1.0-{k}"]} for k in range(1, n + 1)]
    specs += [{"name": f"r{k}", "arch": "x86_64", "requires": [f"x <= 1.0-{k}"]} for k in range(1, n + 1)]
    return interned(universe(specs))


def test_distinct_ranges_are_not_compared_with_every_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """n distinct ranges over n versions: about n log n comparisons, not n x n (160,000 here)."""
    n = 400
    packages = _hostile(n)
    calls = [0]

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            calls[0] += 1
            return function(*args)

        return call

    monkeypatch.setattr(resolve, "ranges_overlap", counted(evr.ranges_overlap))
    monkeypatch.setattr(provides, "ranges_overlap", counted(evr.ranges_overlap))
    monkeypatch.setattr(versions, "rpmvercmp", counted(evr.rpmvercmp))
    resolved = Resolver(packages).resolve_all()
    assert calls[0] < 40 * n, calls[0]
    obsoleters = {packages[owner].name: m for owner, ms in resolved.matches.items() for m in ms}
    assert obsoleters["o1"].packages == ()
    assert obsoleters[f"o{n}"].packages == tuple(range(n - 1))  # x-1.0-1 .. x-1.0-(n-1)
    requirer = next(i for i, p in enumerate(packages) if p.name == "r7")
    assert resolved.requirements[requirer][0].providers == tuple(range(7))


def test_distinct_matches_are_not_copied_per_package() -> None:
    """n packages apart from n different prefixes of one name's versions: references to the
    resolver's tuples, a few bytes each, not a set of each match and an entry per member."""
    n = 600
    packages = _hostile(n)
    matches = Resolver(packages).resolve_all().matches
    tracemalloc.start()
    try:
        apart_from = incompatible(packages, matches)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # n x n / 2 = 180,000 memberships: as sets and dictionary entries they took 23 MB.
    assert peak < 6 * 1024 * 1024, peak
    owner = next(i for i, p in enumerate(packages) if p.name == f"o{n}")
    assert all(v in apart_from[owner] and owner in apart_from[v] for v in range(n - 1))
    assert n - 1 not in apart_from[owner] and owner not in apart_from.get(
        n - 1, SameName(packages).apart_from_some()
    )
