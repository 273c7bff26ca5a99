"""``auditor why NAME``: one package's status, evidence, chain and dependants."""

from __future__ import annotations

from collections import deque

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.origin.findings import Verdict
from auditor.reports.view import finding_text, hop_source, hop_text, verdicts_by_index


def render_why(audit: AuditResult, name: str) -> tuple[str, bool]:
    results = audit.by_name(name)
    if not results:
        return "", False
    verdicts = verdicts_by_index(audit)
    blocks = [_explain(result, audit, verdicts) for result in results]
    return "\n".join(blocks), True


def _explain(result: PackageResult, audit: AuditResult, verdicts: dict[int, Verdict]) -> str:
    packages = audit.packages
    lines = [f"{result.package.nevra}: {result.verdict.value}" + (" (blocking)" if result.blocking else "")]
    if result.findings:
        lines.append("  evidence:")
        lines.extend(f"    {finding_text(finding)}" for finding in result.findings)
        replacements = sorted({f.replacement for f in result.findings if f.replacement})
        if replacements:
            lines.append(f"  replaced in XCP-ng by: {', '.join(replacements)}")
    if result.chain:
        lines.append("  chain:")
        lines.append(f"    {result.package.nevra}")
        for depth, hop in enumerate(result.chain, start=1):
            lines.append("    " + "  " * depth + hop_text(hop, packages, hop_source(result, hop, verdicts)))
        end = result.chain[-1].target
        evidence = [f for f in audit.findings.get(end, []) if f.effective]
        if evidence:
            lines.append(
                "    " + "  " * (len(result.chain) + 1) + "which is origin: " + finding_text(evidence[0])
            )
    if result.unresolved:
        lines.append("  unresolved:")
        lines.extend(f"    nothing provides {resolution.dependency}" for resolution in result.unresolved)
    dependants = _dependants(result.index, audit)
    if dependants:
        lines.append("  needed by:")
        lines.extend(f"    {line}" for line in dependants)
    if audit.roots:
        path = _path_from_roots(result.index, audit)
        if path:
            lines.append("  pulled in by: " + " -> ".join(packages[index].nevra for index in path))
    if result.verdict is Verdict.CLEAN and not result.findings:
        lines.append("  nothing ties it to an origin package")
    return "\n".join(lines) + "\n"


def _dependants(index: int, audit: AuditResult) -> list[str]:
    graph = audit.graph.graph
    verdicts = {result.index: result.verdict for result in audit.results}
    lines = []
    for source in sorted(graph.predecessors(index), key=lambda i: audit.packages[i].nevra):
        if source not in verdicts:
            continue
        data = graph.edges[source, index]
        requirements = ", ".join(data.get("requirements", []))
        kind = data.get("kind", "requires")
        label = {"requires": "for", "buildrequires": "to build, for", "built-from": "built from it:"}.get(
            kind, kind
        )
        lines.append(f"{audit.packages[source].nevra} [{verdicts[source].value}] ({label} {requirements})")
    return lines


def _path_from_roots(target: int, audit: AuditResult) -> list[int]:
    """Shortest runtime path from a root to ``target`` (breadth first over requirement groups)."""
    previous: dict[int, int] = {}
    queue = deque(audit.roots)
    seen = set(audit.roots)
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while path[-1] in previous:
                path.append(previous[path[-1]])
            return path[::-1]
        for group in audit.graph.runtime.get(node, ()):
            for member in group.members:
                if member not in seen:
                    seen.add(member)
                    previous[member] = node
                    queue.append(member)
    return []
