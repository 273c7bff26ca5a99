"""Apply a policy to packages: the origin evidence each one carries, itself or from its source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from auditor.findings import Finding
from auditor.model import Package
from auditor.policy import Policy


def classify(
    packages: Sequence[Package], policy: Policy, indices: Sequence[int] | None = None
) -> dict[int, list[Finding]]:
    """Findings per package id. A binary inherits the findings of its source package in the run."""
    chosen = range(len(packages)) if indices is None else indices
    own: dict[int, list[Finding]] = {}
    for index in chosen:
        own[index] = _own_findings(packages[index], policy)
    sources: dict[str, int] = {}
    for index, package in enumerate(packages):
        if package.is_source:
            sources.setdefault(f"{package.name}-{package.version}-{package.release}.src.rpm", index)
    result: dict[int, list[Finding]] = {}
    for index in chosen:
        findings = list(own[index])
        package = packages[index]
        source_index = sources.get(package.sourcerpm or "") if not package.is_source else None
        if source_index is not None:
            source_findings = own.get(source_index)
            if source_findings is None:
                source_findings = _own_findings(packages[source_index], policy)
            seen = {(f.rule, f.value) for f in findings}
            source_nevra = packages[source_index].nevra
            for finding in source_findings:
                if (finding.rule, finding.value) not in seen:
                    inherited = replace(finding, inherited_from=source_nevra, allowed_by=None)
                    findings.append(_allowed(package, inherited, policy))
        result[index] = findings
    return result


def _own_findings(package: Package, policy: Policy) -> list[Finding]:
    findings = []
    for rule in policy.rules:
        for finding in rule.match(package):
            if finding.severity < policy.taint_severity:
                finding = replace(finding, taints=False)
            findings.append(_allowed(package, finding, policy))
    return findings


def _allowed(package: Package, finding: Finding, policy: Policy) -> Finding:
    for allow in policy.allows:
        if allow.matches(package, finding):
            return replace(finding, allowed_by=allow.id)
    return finding
