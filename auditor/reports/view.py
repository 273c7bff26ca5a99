"""Text pieces every human format shares: chains, findings, verdict summaries."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.audit import AuditResult, PackageResult
from auditor.findings import Finding, Verdict
from auditor.graph import Hop
from auditor.model import Package


def hop_text(hop: Hop, packages: Sequence[Package]) -> str:
    target = packages[hop.target].nevra
    if hop.kind == "built-from":
        return f"built from {target}"
    label = "needs" if hop.kind == "requires" else "build needs"
    if hop.alternatives == 1:
        alternatives = ""
    elif hop.tainted >= hop.alternatives:
        alternatives = f", all {hop.alternatives} providers tainted"
    else:
        alternatives = f", {hop.tainted} of {hop.alternatives} providers tainted"
    return f"{label} {target} (for {hop.requirement}{alternatives})"


def chain_text(result: PackageResult, packages: Sequence[Package], arrow: str = " -> ") -> str:
    if not result.chain:
        return ""
    return arrow.join([result.package.nevra, *(hop_text(hop, packages) for hop in result.chain)])


def chain_end(result: PackageResult) -> int:
    return result.chain[-1].target if result.chain else result.index


def finding_text(finding: Finding) -> str:
    text = f"[{finding.rule}] {finding.field}: {finding.value}"
    if finding.inherited_from:
        text += f" (from {finding.inherited_from})"
    if finding.allowed_by:
        text += f" (allowed by {finding.allowed_by})"
    return text


def reason(result: PackageResult, audit: AuditResult) -> str:
    """One line saying why a package has its verdict."""
    if result.verdict is Verdict.ORIGIN:
        effective = sorted((f for f in result.findings if f.effective), key=lambda f: -f.severity)
        return finding_text(effective[0]) + (f" (+{len(effective) - 1} more)" if len(effective) > 1 else "")
    if result.verdict is Verdict.UNRESOLVED:
        items = [str(r.dependency) for r in result.unresolved]
        return "nothing provides " + ", ".join(items[:3]) + (" ..." if len(items) > 3 else "")
    if result.chain:
        end = audit.packages[chain_end(result)]
        first = result.chain[0]
        return f"{hop_text(first, audit.packages)}; {len(result.chain)} hop(s) to {end.nevra}"
    return ""


def gate_lines(audit: AuditResult) -> list[str]:
    """What waivers and the baseline did, for the human formats."""
    gate = audit.gate
    if gate is None:
        return []
    lines = []
    for reason_, waiver in gate.waived:
        lines.append(
            f"waived: {reason_.package}: {reason_.text} "
            f"(waiver {waiver.id}, {waiver.owner}, until {waiver.expires})"
        )
    for waiver in gate.expired:
        lines.append(
            f"expired waiver {waiver.id} ({waiver.package}, expired {waiver.expires}): no longer waives"
        )
    for waiver in gate.stale:
        lines.append(
            f"stale waiver {waiver.id} ({waiver.package}): matches nothing"
            + (" (blocking)" if gate.stale_blocks else "")
        )
    if gate.baselined or gate.fixed:
        lines.append(
            f"baseline: {len(gate.baselined)} accepted, {len(gate.new)} new, "
            f"{len(gate.fixed)} fixed since the baseline"
        )
    for entry in gate.fixed:
        lines.append(f"fixed since the baseline: {entry['package']}: {entry['kind']} {entry['capability']}")
    return lines


def summary_line(audit: AuditResult) -> str:
    counts = audit.counts()
    parts = [f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value]]
    blocking = len(audit.blocking)
    text = f"{len(audit.results)} packages audited: " + (", ".join(parts) or "none")
    if audit.config_findings:
        text += f"; {len(audit.config_findings)} configured repository URL(s) on policy hosts"
        blocking += len(audit.blocking_config)
    text += f"; {blocking} blocking" if blocking else "; nothing blocking"
    if audit.errors:
        text += f"; {len(audit.errors)} input(s) could not be read, the audit is incomplete"
    return text
