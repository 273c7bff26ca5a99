"""Text pieces every human format shares: chains, findings, verdict summaries, gates, paths."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.deps.graph import Hop
from auditor.origin.findings import Finding, Verdict
from auditor.rpm.model import Package


def hop_text(hop: Hop, packages: Sequence[Package], source: Verdict | None = None) -> str:
    """One hop in words; ``source`` is the verdict of the package the hop starts from."""
    target = packages[hop.target].nevra
    if hop.kind == "built-from":
        return f"built from {target}"
    label = "needs" if hop.kind == "requires" else "build needs"
    return f"{label} {target} (for {hop.requirement}{alternatives_text(hop, source)})"


def alternatives_text(hop: Hop, source: Verdict | None = None) -> str:
    """How many of the requirement's providers are tainted, when it has several.

    ``source`` (the verdict of the package the hop starts from) is kept for callers that
    know it; the hop itself counts its tainted providers.
    """
    if hop.alternatives <= 1:
        return ""
    if hop.tainted >= hop.alternatives:
        return f", all {hop.alternatives} providers tainted"
    return f", {hop.tainted} of {hop.alternatives} providers tainted"


def hop_source(
    result: PackageResult, hop: Hop, verdicts: Mapping[int, Verdict] | None = None
) -> Verdict | None:
    """The verdict of the package ``hop`` starts from: the result's own, or looked up in ``verdicts``."""
    if hop.source == result.index:
        return result.verdict
    return verdicts.get(hop.source) if verdicts is not None else None


def verdicts_by_index(audit: AuditResult) -> dict[int, Verdict]:
    return {result.index: result.verdict for result in audit.results}


def chain_text(
    result: PackageResult,
    packages: Sequence[Package],
    arrow: str = " -> ",
    verdicts: Mapping[int, Verdict] | None = None,
) -> str:
    if not result.chain:
        return ""
    hops = (hop_text(hop, packages, hop_source(result, hop, verdicts)) for hop in result.chain)
    return arrow.join([result.package.nevra, *hops])


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
        items = list(dict.fromkeys(str(r.dependency) for r in result.unresolved))
        return "nothing provides " + ", ".join(items[:3]) + (" ..." if len(items) > 3 else "")
    if result.chain:
        end = audit.packages[chain_end(result)]
        first = result.chain[0]
        text = hop_text(first, audit.packages, hop_source(result, first))
        return f"{text}; {len(result.chain)} hop(s) to {end.nevra}"
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
    waived = sum(1 for result in audit.results if result.waived_by)
    if waived:
        text += f", {waived} waived"
    if audit.errors:
        text += f"; {len(audit.errors)} input(s) could not be read, the audit is incomplete"
    return text


def gate(result: PackageResult) -> str:
    """``waived`` when a waiver accepted the package's blocking status, ``blocking``, or ``""``."""
    if result.waived_by:
        return "waived"
    return "blocking" if result.blocking else ""


def status_mark(result: PackageResult) -> str:
    """The table's status column: ``origin *`` when blocking, ``depends (waived)`` when waived."""
    state = gate(result)
    if state == "blocking":
        return f"{result.verdict.value} *"
    return f"{result.verdict.value} (waived)" if state else result.verdict.value


def report_order(results: Sequence[PackageResult]) -> list[PackageResult]:
    """Flagged packages worst first: blocking, then waived, then the rest; by status, name, NEVRA."""
    weight = {"blocking": 0, "waived": 1, "": 2}
    flagged = [result for result in results if result.verdict is not Verdict.CLEAN]
    return sorted(flagged, key=lambda r: (weight[gate(r)], r.verdict.rank, r.package.name, r.package.nevra))


def explanation(
    result: PackageResult, audit: AuditResult, verdicts: Mapping[int, Verdict] | None = None
) -> list[str]:
    """Why a package has its status, as plain lines: evidence, chain, what is missing, waivers."""
    lines: list[str] = []
    for finding in result.findings:
        lines.append(("evidence: " if finding.effective else "noted: ") + finding_text(finding))
    if result.chain:
        lines.append("chain:")
        lines.append(f"  {result.package.nevra}")
        lines.extend(
            "  " + "  " * depth + hop_text(hop, audit.packages, hop_source(result, hop, verdicts))
            for depth, hop in enumerate(result.chain, 1)
        )
        evidence = chain_evidence(result, audit)
        if evidence is not None:
            lines.append("  " + "  " * (len(result.chain) + 1) + "which is origin: " + finding_text(evidence))
    lines.extend(f"nothing provides {resolution.dependency}" for resolution in result.unresolved)
    if result.waived_by:
        lines.append("waived by " + ", ".join(result.waived_by))
    return lines


def chain_evidence(result: PackageResult, audit: AuditResult) -> Finding | None:
    """The first piece of evidence that makes the end of the package's chain an origin package."""
    if not result.chain:
        return None
    return next((f for f in audit.findings.get(chain_end(result), []) if f.effective), None)


def package_path(package: Package, audit: AuditResult) -> str:
    """Where the package file is: its RPM path, or its repository href joined to the repository."""
    location = package.location
    if "://" in location or os.path.isabs(location):
        return location
    if package.input not in _repositories(audit):
        return location
    if "://" in package.input:
        return package.input.rstrip("/") + "/" + location
    return os.path.join(package.input, location)


def _repositories(audit: AuditResult) -> set[str]:
    """What repository packages name as their input: the path given, or, for a path to
    ``repodata/repomd.xml``, the repository directory (as an absolute path)."""
    found: set[str] = set()
    for item in audit.inputs:
        if item.kind != "repository":
            continue
        found.add(item.path)
        if os.path.basename(item.path.rstrip("/")) == "repomd.xml":
            found.add(os.path.dirname(os.path.dirname(os.path.abspath(item.path))))
    return found


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """``text`` with what XML 1.0 and UTF-8 cannot carry (controls, lone surrogates) made U+FFFD.

    Package metadata is untrusted: a control character in a summary must not make an XML
    report unparsable or an HTML report fail to encode.
    """
    return _NOT_XML.sub("\ufffd", text)
