"""`needing_any` spreads "never installable" as passes over every package's groups to a fixed
point did: the same packages, on random graphs of shared groups, chains and cycles."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from auditor.deps.hops import Group, HopKind
from auditor.deps.sureneeds import _with_other_colour, binds_exactly, needing_any
from auditor.rpm.model import Dependency, Package
from tests.universe import package


def _passes(
    packages: Sequence[Package],
    runtime: Mapping[int, Sequence[Group]],
    broken: frozenset[int],
    refusing_themselves: frozenset[int],
) -> frozenset[int]:
    """The passes `needing_any` made before it waited on one member of each group."""
    found = (set(broken) - _with_other_colour(packages, broken)) | set(refusing_themselves)
    broken = broken | found
    changed = bool(found)
    while changed:
        changed = False
        for owner, groups in runtime.items():
            if owner in found:
                continue
            for group in groups:
                members = group.members
                if members and found.issuperset(members) and binds_exactly(group) and not group.lock_step:
                    found.add(owner)
                    changed = True
                    break
    return broken | found


@pytest.mark.parametrize("seed", range(300))
def test_the_packages_never_installable_are_those_the_passes_found(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(2, 40)
    # Two colours of one name for some: a broken one beside its namesake starts nothing.
    packages = [
        package({"name": f"p{rng.randrange(count) if rng.random() < 0.2 else index}", "arch": arch,
                 "evr": f"{rng.randint(1, 2)}.0-1"})
        for index, arch in enumerate(rng.choice(("x86_64", "i686", "noarch")) for _ in range(count))
    ]  # fmt: skip
    shared = [
        Group(
            HopKind.REQUIRES,
            Dependency(f"cap{number}"),
            tuple(rng.sample(range(count), min(count, rng.choice((0, 1, 1, 1, 2, 3))))),
            rough=rng.random() < 0.1,
            lock_step=rng.random() < 0.1,
        )
        for number in range(rng.randint(1, 2 * count))
    ]
    runtime = {
        owner: [rng.choice(shared) for _ in range(rng.randint(1, 4))]
        for owner in rng.sample(range(count), rng.randint(1, count))
    }
    broken = frozenset(rng.sample(range(count), rng.randint(0, min(count, 4))))
    refusing = frozenset(rng.sample(range(count), rng.choice((0, 0, 1))))
    assert needing_any(packages, runtime, broken, refusing) == _passes(packages, runtime, broken, refusing)
