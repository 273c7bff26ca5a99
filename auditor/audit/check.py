"""The contributor check: what a change (new RPMs, SRPMs or spec files) does to a repository.

``auditor check NEW... --against BASE...`` audits BASE alone, then BASE with NEW in it (a
NEW package replaces the BASE package of the same name and architecture, as an update
would), and reports only the difference: the new packages' own status, BASE packages whose
status gets worse or better, and requirements of NEW that nothing satisfies. Only something
getting worse fails the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.core.errors import ExitCode
from auditor.deps.resolve import Resolution
from auditor.rpm.model import Package
from auditor.sources.interface import LoadResult


def _key(package: Package) -> tuple[str, str]:
    return package.name, package.arch


@dataclass
class Change:
    before: PackageResult | None
    after: PackageResult


@dataclass
class CheckResult:
    before: AuditResult
    after: AuditResult
    new: list[Change] = field(default_factory=list)
    """The packages NEW brings, with what they replace (if anything)."""
    worse: list[Change] = field(default_factory=list)
    """BASE packages whose status gets worse because of NEW."""
    better: list[Change] = field(default_factory=list)
    """BASE packages whose status gets better because of NEW."""
    unresolved: list[tuple[PackageResult, Resolution]] = field(default_factory=list)
    """Requirements of NEW that nothing in BASE (or NEW) satisfies."""
    obsoletes: list[tuple[PackageResult, PackageResult]] = field(default_factory=list)
    """(new package, tainted BASE package it obsoletes): a replacement."""

    @property
    def regressions(self) -> list[Change]:
        fail_on = self.after.options.fail_on
        found = [change for change in self.worse if change.after.verdict in fail_on]
        for change in self.new:
            before_rank = change.before.verdict.rank if change.before else 1 << 10
            if change.after.verdict in fail_on and change.after.verdict.rank < before_rank:
                found.append(change)
        return found

    def exit_code(self) -> ExitCode:
        if self.before.errors or self.after.errors:
            return ExitCode.INPUT
        return ExitCode.FINDINGS if self.regressions else ExitCode.PASSED


def compare_change(
    audit: Callable[[LoadResult, LoadResult], AuditResult],
    new: LoadResult,
    base: LoadResult,
    context: LoadResult,
) -> CheckResult:
    """Audit ``base`` alone and with ``new`` in it (``audit(targets, context)``), keep the difference."""
    before = audit(base, context)
    replaced = {_key(package) for package in new.packages}
    kept = [package for package in base.packages if _key(package) not in replaced]
    merged = LoadResult(
        packages=[*new.packages, *kept],
        errors=[*new.errors, *base.errors],
        inputs=[*new.inputs, *base.inputs],
    )
    after = audit(merged, context)
    result = CheckResult(before, after)
    before_by_key = {_key(r.package): r for r in before.results}
    new_ids = range(len(new.packages))
    for item in after.results:
        previous = before_by_key.get(_key(item.package))
        if item.index in new_ids:
            result.new.append(Change(previous, item))
            result.unresolved.extend((item, resolution) for resolution in item.unresolved)
        elif previous is not None and previous.verdict is not item.verdict:
            change = Change(previous, item)
            (result.worse if item.verdict.rank < previous.verdict.rank else result.better).append(change)
    tainted = {r.index: r for r in after.results if r.verdict.rank <= 1}
    for index in new_ids:
        for match in after.resolved.matches.get(index, ()):
            if match.kind != "obsoletes":
                continue
            for target in match.packages:
                if target in tainted:
                    replacement = next(r for r in after.results if r.index == index)
                    result.obsoletes.append((replacement, tainted[target]))
    return result
