"""Random multilib universes: `tests.deps.random_universe`'s shape over x86_64, i686 and noarch.

Each name is built for one architecture (noarch, x86_64 or i686) or for both x86_64 and i686
from one spec, as a multilib repository holds a library. A provide of an architecture-specific
package is sometimes written ``cN%{?_isa}`` (``cN(x86-64)`` or ``cN(x86-32)`` once built), a
requirement of one sometimes ``cN%{?_isa}`` or ``pM%{?_isa}`` (rpm gives each such package a
``pM(x86-64)`` provide of its own); some packages conflict with others by name, and some are of
the shipped policy's categories (Citrix's Vendor, a Proprietary License, or both; a name's
every architecture alike).

The draws are made in one order (architectures, categories, provides, then per name requires and
conflicts), so a seed names the same universe for as long as its parameters stay: tests cite
seeds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from tests.deps.built import CITRIX, PROPRIETARY

ARCH_DRAWS = (("noarch",), ("noarch",), ("x86_64",), ("i686",), ("x86_64", "i686"), ("x86_64", "i686"))


def arch_universe(
    seed: int,
    *,
    size: int = 22,
    capabilities: int = 7,
    requires: Sequence[int] = (0, 1, 1, 2, 2, 3),
    conflicts: Sequence[int] = (0, 0, 1, 1, 2),
    isa_share: float = 0.5,
    citrix: float = 0.1,
    proprietary: float = 0.1,
    both: float = 0.05,
    arch_draws: Sequence[tuple[str, ...]] = ARCH_DRAWS,
    stale: float = 0.0,
) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """The packages (`tests.deps.built` descriptions, one per name and architecture) and the
    categories of each origin name. ``stale``: the share of names built for both architectures
    whose i686 package is of an older version (a draw made after all the others)."""
    rng = random.Random(f"arch {seed}")
    names = [f"p{number}" for number in range(size)]
    arches = {name: rng.choice(arch_draws) for name in names}
    of: dict[str, set[str]] = {}
    for name in names:
        draw = rng.random()
        if draw < citrix:
            of[name] = {"citrix"}
        elif draw < citrix + proprietary:
            of[name] = {"proprietary"}
        elif draw < citrix + proprietary + both:
            of[name] = {"citrix", "proprietary"}
    fields: dict[str, dict[str, list[str]]] = {
        name: {"provides": [], "requires": [], "conflicts": []} for name in names
    }
    # A capability is an ISA one (its architecture-specific providers write ``%{?_isa}``, and its
    # architecture-specific requirers mostly do too) or a plain one.
    isa_caps = {number for number in range(capabilities) if rng.random() < isa_share}
    for number in range(capabilities):
        for name in rng.sample(names, rng.randint(1, 4)):
            isa = arches[name] != ("noarch",) and number in isa_caps
            fields[name]["provides"].append(f"c{number}%{{?_isa}}" if isa else f"c{number}")
    for name in names:
        specific = arches[name] != ("noarch",)
        own = {item.split("%")[0] for item in fields[name]["provides"]}
        for number in rng.sample(range(capabilities), rng.choice(requires)):
            if f"c{number}" in own:
                continue
            isa = specific and rng.random() < (0.8 if number in isa_caps else 0.1)
            fields[name]["requires"].append(f"c{number}%{{?_isa}}" if isa else f"c{number}")
        # A library's own sibling, as `Requires: foo-libs%{?_isa}` is written.
        if specific and rng.random() < 0.3:
            other = rng.choice(names)
            if other != name:
                fields[name]["requires"].append(f"{other}%{{?_isa}}" if rng.random() < isa_share else other)
        for _conflict in range(rng.choice(conflicts)):
            other = rng.choice(names)
            if other != name:
                fields[name]["conflicts"].append(other)
    older = {name for name in names if len(arches[name]) > 1 and rng.random() < stale}
    packages = []
    for name in names:
        extra: dict[str, str] = {}
        if "citrix" in of.get(name, ()):
            extra.update(CITRIX)
        if "proprietary" in of.get(name, ()):
            extra.update(PROPRIETARY)
        for arch in arches[name]:
            evr = "0.9-1" if arch == "i686" and name in older else "1.0-1"
            packages.append(
                {"name": name, "arch": arch, "evr": evr, "buildrequires": [], **extra, **fields[name]}
            )
    return packages, of
