"""The result of one audit: every package's facts, and what the analysis built to find them.

It is the same whatever the gate later decides: waivers, the baseline, ``--fail-on`` and
``--strict`` are applied by `auditor.gate.decision` to a finished result, never written
back into it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.audit.facts import Fact
from auditor.audit.options import AuditOptions
from auditor.audit.reach import OriginReach
from auditor.core.errors import InputError
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Hop
from auditor.deps.resolution import Resolution, Resolved
from auditor.origin.findings import ConfigFinding, Finding, Verdict
from auditor.origin.policy import Policy
from auditor.rpm.gaps import Gap
from auditor.rpm.model import Package
from auditor.sources.interface import InputSummary

_VERDICTS = tuple(Verdict)
_CLEAN_ONLY = (Verdict.CLEAN,)


@dataclass(frozen=True, slots=True)
class PackageResult:
    """One audited package: its facts, and the summary status a person sees first."""

    index: int
    package: Package
    verdict: Verdict
    """The worst status the facts give the package, before any gate (a summary, never gated)."""
    chain: Sequence[Hop]
    """The chain behind ``verdict``."""
    findings: Sequence[Finding]
    unresolved: Sequence[Resolution]
    facts: tuple[Fact, ...] = ()
    weak_unresolved: Sequence[Resolution] = ()
    """Weak dependencies nothing satisfies (only with ``AuditOptions.weak``); informational."""

    @property
    def statuses(self) -> tuple[Verdict, ...]:
        """Every status the facts give the package, worst first (``clean`` when none)."""
        found = []
        for fact in self.facts:
            status = fact.status
            if status is not None and fact.taints:
                found.append(status)
        if not found:
            return _CLEAN_ONLY
        return tuple(verdict for verdict in _VERDICTS if verdict in found)


@dataclass(frozen=True)
class AuditResult:
    options: AuditOptions
    policy: Policy
    packages: Sequence[Package]
    results: Sequence[PackageResult]
    """The audited packages, sorted by name, arch and NEVRA."""
    errors: Sequence[InputError]
    inputs: Sequence[InputSummary]
    resolved: Resolved
    graph: DependencyGraph
    tainted: frozenset[int]
    """Every package of the run, audited or context, that the propagation tainted (origin,
    depends, may-depend or build-depends): the packages a chain runs through."""
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    roots: tuple[int, ...] = ()
    config_findings: Sequence[ConfigFinding] = ()
    """Configured repository URLs (``.repo``/``yum.conf``, URLs scanned) on policy hosts."""
    gaps: Sequence[Gap] = ()
    """Evidence about the run's inputs (not one package) that could not be seen."""
    run_facts: tuple[Fact, ...] = ()
    """Facts about no one package: configured URLs on policy hosts, gaps of the inputs."""
    warnings: Sequence[str] = ()
    """What the user should know but that leaves the audit complete (a cache entry re-fetched...)."""

    @functools.cached_property
    def origin_reach(self) -> OriginReach:
        """Every origin package each taint can lead to (for the baseline), computed as asked."""
        return OriginReach(self.graph, self.findings)

    @property
    def facts(self) -> list[Fact]:
        """Every fact of the run: each audited package's, then the run's own."""
        return [fact for result in self.results for fact in result.facts] + list(self.run_facts)

    def counts(self) -> dict[str, int]:
        """How many audited packages have each summary status."""
        counts = {verdict.value: 0 for verdict in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        return counts

    def by_name(self, name: str) -> list[PackageResult]:
        return [result for result in self.results if result.package.name == name]
