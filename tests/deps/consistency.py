"""Local consistency of a run's taints: what each package's own requirements imply of it.

libsolv answers whether a package can do without a category, not whether a choice may take
it, so `may-depend` has no authority to be held to. These rules need none: per category, a
package one of whose requirements every provider of which needs the category (origin or
`depends`) depends on it; a package one of whose requirements may take a provider that needs or
may need it at run time is at least `may-depend`; a source package one of whose BuildRequires may
take a package that needs, may need or cannot be rebuilt without it is at least `may-depend`;
and the binaries of a source inherit its build's status. A report that breaks one shows two
packages that disagree (`tests/deps/test_build_may_below.py`: ``b`` clean, its buildroot's
``a`` `may-depend`).
"""

from __future__ import annotations

from auditor.audit.result import AuditResult
from auditor.deps.hops import HopKind
from auditor.deps.propagation import propagate
from auditor.origin.findings import Verdict

_BUILD_SIDE = (HopKind.BUILT_FROM, HopKind.BUILD_REQUIRES)


def inconsistencies(result: AuditResult) -> list[str]:
    """Each package of ``result`` whose taints break one of the rules above, in words."""
    graph, names = result.graph, result.graph.packages
    found = propagate(graph, result.findings)
    partly = graph.resolved.present_on
    broken: list[str] = []
    categories = {category for chains in found.by_category.values() for category in chains}
    for category in sorted(categories, key=str):
        depends = found.by_category[Verdict.DEPENDS].get(category, {})
        may = found.by_category[Verdict.MAY_DEPEND].get(category, {})
        builds = found.by_category[Verdict.BUILD_DEPENDS].get(category, {})
        origin = {
            index
            for index, items in result.findings.items()
            if any(item.effective and item.category == category for item in items)
        }
        needs = origin | set(depends)
        may_need = needs | {index for index, chain in may.items() if chain[0].kind not in _BUILD_SIDE}
        for index, groups in graph.runtime.items():
            if index in needs:
                continue
            for group in groups:
                members = [member for member in group.members if member != index]
                if group.lock_step or group.trigger or not members:
                    continue
                if all(member in needs for member in members) and not any(
                    member in partly for member in members
                ):
                    broken.append(
                        f"{category}: {names[index].nevra} not depends, all of {group.dependency} need it"
                    )
                    break
                if index not in may and any(member in may_need for member in members):
                    broken.append(f"{category}: {names[index].nevra} clean, {group.dependency} may take it")
                    break
        for source, groups in graph.build.items():
            if source in builds or source in origin or source in may:
                continue
            for group in groups:
                if any(
                    member in needs or member in builds or member in may
                    for member in group.members
                    if member != source
                ):
                    broken.append(
                        f"{category}: {names[source].nevra} clean, its build's {group.dependency} may take it"
                    )
                    break
        for source, binaries in graph.binaries.items():
            for binary in binaries:
                if source in builds and binary not in builds and binary not in needs:
                    broken.append(f"{category}: {names[binary].nevra} not build-depends, its source is")
                elif (
                    source in may
                    and not any(binary in chains for chains in (builds, may))
                    and binary not in needs
                ):
                    broken.append(f"{category}: {names[binary].nevra} clean, its source may-depend")
    return broken
