"""A spec file's own binary packages, which do not exist when the spec is built: no provider of
its BuildRequires (`auditor.deps.graph`)."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.deps.hops import Group
from auditor.rpm.model import Package


def spec_binaries(packages: Sequence[Package]) -> dict[int, frozenset[int]]:
    """Each source package read from a spec file (not built: ``spec`` and ``location`` are the
    spec's path) -> the binary packages read from the same spec.

    Those do not exist when the spec is built: ``dnf builddep`` installs another provider of a
    BuildRequires they would meet. An SRPM's binaries in the run are another matter and stay
    providers of its BuildRequires: they are the previous build, from which a distribution
    bootstraps the next (a compiler built with itself)."""
    by_spec: dict[str, list[int]] = {}
    sources: dict[str, int] = {}
    for index, package in enumerate(packages):
        if package.spec is None or package.spec != package.location:
            continue
        if package.is_source:
            sources[package.spec] = index
        else:
            by_spec.setdefault(package.spec, []).append(index)
    return {source: frozenset(by_spec.get(spec, ())) for spec, source in sources.items()}


def without_members(group: Group, own: frozenset[int]) -> Group:
    """``group`` without ``own``; whole when nothing else provides (the resolver's answer stands)."""
    kept = tuple(member for member in group.members if member not in own)
    return group if not kept or len(kept) == len(group.members) else group._replace(members=kept)
