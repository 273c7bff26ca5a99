"""What resolving a run answers (`auditor.deps.resolve`): each requirement's `Resolution`, each
Conflicts and Obsoletes' `Match`, and all of a run's in `Resolved`, which the graph, the facts
and the reports read without the resolver that made them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from auditor.deps.hosts import Host
from auditor.deps.rich import MAX_CLAUSES
from auditor.rpm.model import Dependency, Package
from auditor.rpm.package_fields import DependencyKind
from auditor.sources.interface import ConfigReader


class Status(enum.Enum):
    SATISFIED = "satisfied"
    RPM = "rpm"
    """Satisfied by rpm itself (``rpmlib(...)`` features)."""
    UNRESOLVED = "unresolved"
    INVALID = "invalid"
    """The dependency string does not parse."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one requirement (or weak dependency) of one package."""

    kind: DependencyKind
    """requires, recommends, suggests, supplements or enhances (BuildRequires for a source package)."""
    dependency: Dependency
    status: Status
    groups: tuple[tuple[int, ...], ...] = ()
    """Conjunction of alternatives: every group must be met by one of its package ids."""
    missing: tuple[str, ...] = ()
    """The capabilities nothing provides, when unresolved."""
    detail: str = ""
    every_host: tuple[tuple[int, ...], ...] = ()
    """Of the groups of a rich requirement under a condition (``if``, ``unless``), those it
    needs whichever way its conditions go (`auditor.deps.rich.Requirement.every_host`)."""
    triggers: tuple[tuple[tuple[int, ...], frozenset[int]], ...] = ()
    """Of the other groups, each one some packages make needed by their presence, and those
    packages (`auditor.deps.triggers`)."""

    @property
    def providers(self) -> tuple[int, ...]:
        seen: dict[int, None] = {}
        for group in self.groups:
            for index in group:
                seen[index] = None
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Match:
    """A conflict or obsolete of one package, and the packages it matches."""

    kind: DependencyKind
    dependency: Dependency
    packages: tuple[int, ...]


@dataclass
class Resolved:
    """Every resolution of a run, by package id."""

    packages: Sequence[Package]
    audited: frozenset[int]
    """Ids of the packages being audited (the rest are context, used only to resolve)."""
    _requirements: dict[int, list[Resolution]] | None = field(default_factory=dict)
    matches: dict[int, list[Match]] = field(default_factory=dict)
    installable: Sequence[int] = ()
    """Ids of the packages that can be installed (binaries of the allowed architectures, not
    hidden from dnf by their repository's configuration). The
    provides index itself is not kept: a distribution's takes 20 MB, which the facts and the
    report then reuse."""
    hidden: frozenset[int] = frozenset()
    """Ids of the packages their repository's configuration hides from dnf: audited, never installable."""
    hidden_on: Mapping[int, ConfigReader] = field(default_factory=dict)
    """Ids of the packages one reader of their repository's configuration hides, and that
    reader: installable (on the other's hosts), a provider, and no way around a tainted one
    (`auditor.deps.edges.least_fixed_point`)."""
    present_on: Mapping[int, frozenset[Host]] = field(default_factory=dict)
    """The hosts that have each package of ``hidden_on`` (`present_on`): those alike are lacked
    by the same hosts, what `auditor.deps.edges.least_fixed_point` asks."""
    refusing_themselves: set[int] = field(default_factory=set)
    """Ids of the binary packages a Requires' ``(A unless B)`` of which they meet B themselves
    (`auditor.rpm.deps.refused`): libsolv can never install them, and they are no way around."""

    @property
    def requirements(self) -> dict[int, list[Resolution]]:
        """The resolutions of each package's requirements and weak dependencies, until `release`."""
        if self._requirements is None:
            raise RuntimeError("the resolutions were released once the facts were stated (Resolved.release)")
        return self._requirements

    def release(self) -> None:
        """Let the resolutions go: the audit calls it once the graph and the facts hold what
        they need of them (the unresolved ones are in the facts), and the report reuses the
        memory (11 MB for distro-60k). Reading `requirements` afterwards raises, so nothing can
        mistake their absence for a run where everything resolved."""
        self._requirements = None

    def unresolved(self, *, weak: bool = False) -> list[tuple[int, Resolution]]:
        """(package id, resolution) for every unresolved requirement of the audited packages."""
        found = []
        for index in sorted(self.audited, key=lambda i: self.packages[i].nevra):
            for resolution in self.requirements.get(index, ()):
                if resolution.status in (Status.UNRESOLVED, Status.INVALID) and (
                    weak or resolution.kind is DependencyKind.REQUIRES
                ):
                    found.append((index, resolution))
        return found


ROUGH = (
    f"more than {MAX_CLAUSES} ways to meet it: read as needing every provider of its widest"
    " alternatives, which can add taint, never hide it"
)
"""The detail of a requirement `Evaluation` read conservatively (`auditor.deps.rich.MAX_CLAUSES`)."""
