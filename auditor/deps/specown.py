"""A spec file's own binary packages, which do not exist when the spec is built: no provider of
its BuildRequires (`auditor.deps.graph`)."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.deps.hops import Group
from auditor.rpm.model import Package


def spec_binaries(packages: Sequence[Package]) -> dict[int, frozenset[int]]:
    """Each source package read from a spec file (not built: ``spec`` and ``location`` are the
    spec's path) -> the binary packages read from the same spec; and each source RPM given alone
    -> the binaries its rebuild makes (`auditor.audit.rebuilds`: read from the spec it carries,
    their location its file).

    Those do not exist when the spec is built, nor when the SRPM is rebuilt: ``dnf builddep``
    installs another provider of a BuildRequires they would meet (``rpmbuild`` refuses to start
    without one). An SRPM's built binaries in the run are another matter and stay providers of
    its BuildRequires: they are the previous build, from which a distribution bootstraps the next
    (a compiler built with itself)."""
    by_spec: dict[tuple[bool, str, str], list[int]] = {}
    sources: dict[tuple[bool, str, str], int] = {}
    for index, package in enumerate(packages):
        # A spec file's packages by its path; a rebuild's binaries (a built binary has no
        # ``spec``), and the source RPM they are read from, by that file.
        read = package.spec is not None and package.spec == package.location
        key = (read, package.input, package.location)
        if package.is_source:
            sources[key] = index
        elif package.spec is not None:
            by_spec.setdefault(key, []).append(index)
    return {
        source: frozenset(by_spec.get(key, ())) for key, source in sources.items() if key[0] or key in by_spec
    }


def without_members(group: Group, own: frozenset[int]) -> Group:
    """``group`` without ``own``; whole when nothing else provides (the resolver's answer stands)."""
    kept = tuple(member for member in group.members if member not in own)
    return group if not kept or len(kept) == len(group.members) else group._replace(members=kept)
