"""Random universes for the clean-way tests: ``size`` packages over ``capabilities``, a share of
them Citrix's, each with random Requires, BuildRequires (when asked for) and Conflicts.

The draws are made in one order (Citrix, provides, then per package requires, buildrequires and
conflicts), so a seed names the same universe for as long as its parameters stay: the tests
cite seeds that were false cleans."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from tests.deps.built import CITRIX


def universe(
    seed: int,
    *,
    citrix_share: float,
    requires: Sequence[int],
    buildrequires: Sequence[int] | None = None,
    size: int = 22,
    capabilities: int = 7,
    conflicts: Sequence[int] = (0, 1, 1, 2),
) -> tuple[list[dict[str, Any]], list[str]]:
    """The packages (`tests.deps.built` descriptions) and the names of the Citrix ones. Each
    package requires ``rng.choice(requires)`` capabilities (none it provides itself), build-requires
    ``rng.choice(buildrequires)`` when given, and conflicts with ``rng.choice(conflicts)`` packages
    at most (a draw of itself is none)."""
    rng = random.Random(seed)
    names = [f"p{number}" for number in range(size)]
    packages: list[dict[str, Any]] = [
        {"name": name, "provides": [], "requires": [], "conflicts": [], "buildrequires": []} for name in names
    ]
    citrix = []
    for package in packages:
        if rng.random() < citrix_share:
            package.update(CITRIX)
            citrix.append(package["name"])
    for number in range(capabilities):
        for package in rng.sample(packages, rng.randint(1, 4)):
            package["provides"].append(f"c{number}")
    for package in packages:
        for number in rng.sample(range(capabilities), rng.choice(requires)):
            if f"c{number}" not in package["provides"]:
                package["requires"].append(f"c{number}")
        if buildrequires is not None:
            for number in rng.sample(range(capabilities), rng.choice(buildrequires)):
                package["buildrequires"].append(f"c{number}")
        for _conflict in range(rng.choice(conflicts)):
            other = rng.choice(names)
            if other != package["name"]:
                package["conflicts"].append(other)
    return packages, citrix
