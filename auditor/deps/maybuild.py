"""Source packages whose buildroot may hold a tainted package: `may-depend` on the build side.

``dnf builddep`` and mock choose between a BuildRequires' providers as ``dnf install`` chooses
between a Requires' ones, so a BuildRequires that a Citrix package and a clean one both meet
may put Citrix's package in the buildroot, as a Requires would put it on a host. The source
is `may-depend` (a clean way exists: its build is not `build-depends`), and so is each binary
built from it, as a binary of a `build-depends` source is `build-depends`.

A BuildRequires may take: an origin package of the category, a package that depends or may
depend on one at run time (the buildroot installs its requirements too), and a blocked binary
(it cannot be rebuilt without one). A provider that may need a blocked binary only at run
time (``tool-alt`` requiring ``libheld``, which the blocked ``heldlib`` or a clean package
meets) is not followed: run-time chains end at origin packages, and a blocked binary is none,
so that source stays clean (`tests/deps/test_build_unusable.py`'s ``app3``).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.deps.chains import make_hop
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Chain, Hop, HopKind


def may_build(
    graph: DependencyGraph,
    own: Mapping[int, Chain | None],
    runtime: Mapping[int, Chain],
    may: Mapping[int, Chain],
    builds: Mapping[int, Chain],
) -> dict[int, Chain]:
    """The `may-depend` chains of the sources (and their binaries) of one category that are
    neither `build-depends` nor in ``may`` (``own``: the category's origin packages and their
    own chains; ``runtime``, ``may``, ``builds``: its other chains), each through its
    BuildRequires' nearest tainted provider."""
    partly = graph.resolved.present_on
    packages = graph.packages

    def rest_of(member: int) -> tuple[Chain | None] | None:
        """(the chain after a hop to ``member``,) when it reaches the category."""
        if member in own:
            return (own[member],)
        for chains in (runtime, may, builds):
            found = chains.get(member)
            if found is not None:
                return (found,)
        return None

    found: dict[int, Chain] = {}
    for source, groups in graph.build.items():
        if source in builds or source in may:
            continue
        best: Chain | None = None
        for group in groups:
            reaching = [(member, rest_of(member)) for member in group.members if member != source]
            tainted = [(member, rest[0]) for member, rest in reaching if rest is not None]
            for member, rest in tainted:
                # An origin source's chain ends at another origin package, never back at itself.
                if (member if rest is None else rest[-1].target) == source:
                    continue
                if best is None or (0 if rest is None else len(rest)) + 1 < len(best):
                    best = Chain(make_hop(source, group, member, len(tainted), partly), rest)
        if best is not None:
            found[source] = best
    for source, chain in list(found.items()):
        for binary in graph.binaries.get(source, ()):
            if all(binary not in chains for chains in (own, runtime, may, builds, found)):
                hop = Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or "")
                found[binary] = Chain(hop, chain)
    return found
