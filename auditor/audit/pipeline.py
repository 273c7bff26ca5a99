"""One audit: read, resolve, classify, propagate. The result object every report renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from auditor.core.errors import ExitCode, InputError, UsageError
from auditor.deps.graph import DependencyGraph, Hop
from auditor.deps.provides import host_arches
from auditor.deps.resolve import Resolution, Resolved, Resolver, Status
from auditor.net.remote import RemoteOptions
from auditor.origin.classify import ExtraFindings, classify, classify_config
from auditor.origin.findings import DEFAULT_FAIL_ON, ConfigFinding, Finding, Verdict
from auditor.origin.policy import Policy
from auditor.rpm.model import Package
from auditor.runtime.parallel import Background
from auditor.sources.interface import InputSummary, LoadResult

if TYPE_CHECKING:
    from auditor.gate.decision import GateResult


@dataclass(frozen=True)
class AuditOptions:
    targets: tuple[str, ...]
    context: tuple[str, ...] = ()
    arches: tuple[str, ...] = ()
    """Host architectures: restrict providers and audited packages to what such hosts install."""
    roots: tuple[str, ...] = ()
    """Audit only what installing these packages pulls in."""
    fail_on: frozenset[Verdict] = DEFAULT_FAIL_ON
    read_rpms: bool = False
    """Read the RPM files of directories even where they hold repodata/."""
    cache: bool = True
    """Keep and reuse the models of RPM files already read (in the cache directory)."""
    weak: bool = False
    """Also resolve weak dependencies (Recommends, Suggests, Supplements, Enhances) and report
    the unresolved ones; they never block and never carry a verdict."""
    defines: tuple[tuple[str, str], ...] = ()
    """Macros for reading spec files (``--define``)."""
    remote: RemoteOptions = field(default_factory=RemoteOptions)
    """Network and cache settings for URLs and the repositories configuration files name."""
    resolve_urls: bool = False
    """Follow every Source, Patch and URL value's redirects (network; off by default)."""


@dataclass
class PackageResult:
    index: int
    package: Package
    verdict: Verdict
    chain: tuple[Hop, ...]
    findings: Sequence[Finding]
    unresolved: Sequence[Resolution]
    blocking: bool
    waived_by: tuple[str, ...] = ()
    """Waivers that accepted this package's blocking status (it then no longer blocks)."""
    weak_unresolved: Sequence[Resolution] = ()
    """Weak dependencies nothing satisfies (only with ``AuditOptions.weak``); informational."""


@dataclass
class AuditResult:
    options: AuditOptions
    policy: Policy
    packages: Sequence[Package]
    results: list[PackageResult]
    """The audited packages, sorted by name, arch and NEVRA."""
    errors: list[InputError]
    inputs: list[InputSummary]
    resolved: Resolved
    graph: DependencyGraph
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    roots: tuple[int, ...] = ()
    gate: GateResult | None = None
    """Waivers and baseline applied (`auditor.gate.decision.apply_gate`), when the caller asked for them."""
    config_findings: list[ConfigFinding] = field(default_factory=list)
    """Configured repository URLs (``.repo``/``yum.conf``, URLs scanned) on policy hosts."""
    warnings: list[str] = field(default_factory=list)
    """What the user should know but that leaves the audit complete (a cache entry re-fetched...)."""

    def counts(self) -> dict[str, int]:
        counts = {verdict.value: 0 for verdict in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        return counts

    @property
    def blocking(self) -> list[PackageResult]:
        return [result for result in self.results if result.blocking]

    @property
    def blocking_config(self) -> list[ConfigFinding]:
        """Config findings block like origin evidence: when they taint and ``origin`` blocks."""
        if Verdict.ORIGIN not in self.options.fail_on:
            return []
        return [item for item in self.config_findings if item.effective]

    def exit_code(self) -> ExitCode:
        if self.errors:
            return ExitCode.INPUT
        stale_blocks = self.gate is not None and self.gate.stale_blocks and bool(self.gate.stale)
        return ExitCode.FINDINGS if self.blocking or self.blocking_config or stale_blocks else ExitCode.PASSED

    def by_name(self, name: str) -> list[PackageResult]:
        return [result for result in self.results if result.package.name == name]


Progress = Callable[[str], None]

PARALLEL_CLASSIFY = 5000
"""From this many packages, classification runs in a forked process during resolution:
below it, the fork costs more than the work it moves."""


def audit_packages(
    options: AuditOptions,
    policy: Policy,
    targets: LoadResult,
    context: LoadResult,
    note: Progress = lambda _message: None,
    extra_findings: Callable[[Sequence[Package]], ExtraFindings] | None = None,
) -> AuditResult:
    """Resolve, classify and propagate. ``extra_findings`` adds evidence found outside the
    packages (the redirect chains of their URLs) before classification, so it propagates
    like any other finding."""
    packages = [*targets.packages, *context.packages]
    audited_ids = range(len(targets.packages))
    arches = host_arches(options.arches) if options.arches else None
    extra = extra_findings(packages) if extra_findings is not None else None
    # Classification needs no edges: a large run classifies on the other core meanwhile.
    classified = Background(
        partial(classify, packages, policy, extra=extra), fork=len(packages) >= PARALLEL_CLASSIFY
    )
    note(f"resolving {len(packages)} packages")
    resolver = Resolver(packages, arches=arches, rpm_features=policy.rpm_features)
    resolved = resolver.resolve_all(weak=options.weak)
    graph = DependencyGraph(packages, resolved)
    note("classifying")
    findings = classified.result()
    note("propagating")
    verdicts = graph.verdicts(findings)
    audited = {index for index in audited_ids if index in resolved.audited}
    roots: tuple[int, ...] = ()
    if options.roots:
        roots = tuple(
            index
            for index in resolved.index.installable  # type: ignore[union-attr]
            if packages[index].name in options.roots
        )
        missing = set(options.roots) - {packages[index].name for index in roots}
        if missing:
            raise UsageError(f"--roots: no package named {', '.join(sorted(missing))} in the run")
        audited &= graph.runtime_closure(roots)
    results = []
    failed = (Status.UNRESOLVED, Status.INVALID)
    for index in sorted(audited, key=lambda i: (packages[i].name, packages[i].arch, packages[i].nevra)):
        verdict = verdicts[index]
        unresolved: Sequence[Resolution] = ()
        weak: Sequence[Resolution] = ()
        if index in graph.unresolved or options.weak:  # most packages have none: share one empty tuple
            failures = [r for r in resolved.requirements.get(index, ()) if r.status in failed]
            unresolved = [r for r in failures if r.kind == "requires"]
            weak = [r for r in failures if r.kind != "requires"]
        results.append(
            PackageResult(
                index,
                packages[index],
                verdict.verdict,
                verdict.chain,
                findings.get(index, ()),
                unresolved,
                verdict.verdict in options.fail_on,
                weak_unresolved=weak,
            )
        )
    return AuditResult(
        options=options,
        policy=policy,
        packages=packages,
        results=results,
        errors=[*targets.errors, *context.errors],
        inputs=[*targets.inputs, *context.inputs],
        resolved=resolved,
        graph=graph,
        findings=findings,
        roots=roots,
        config_findings=classify_config([*targets.config_urls, *context.config_urls], policy),
        warnings=[*targets.warnings, *context.warnings],
    )
