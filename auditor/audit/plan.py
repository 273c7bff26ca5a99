"""The independence plan: which origin packages to replace first, and what is avoidable now.

Origin packages are grouped by source package (replacing a source replaces every binary
built from it) and ranked by how many packages they hold back: the packages whose
``depends`` or ``build-depends`` status would clear if that one group were clean. That
is computed on the graph by propagating again without the group's evidence, so it counts
exactly the packages that have no other tainted way out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.audit.result import AuditResult
from auditor.origin.findings import Finding, Verdict


@dataclass
class PlanItem:
    source: str
    """The source package name (or the binary's name when its source is not in the run)."""
    packages: list[int]
    """Ids of the group's origin packages."""
    holds_back: list[int]
    """Ids of audited packages whose depends/build-depends status clears once the group is clean."""
    replacements: list[str]
    """Known replacements, from the policy's component rules."""
    obsoleted_by: list[int]
    """Ids of packages in the run that obsolete one of the group (a replacement already present)."""


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)
    avoidable: list[int] = field(default_factory=list)
    """Ids of may-depend packages: a clean alternative exists for every tainted requirement."""
    needs_more: list[int] = field(default_factory=list)
    """depends/build-depends packages no single replacement clears: a rebuild or several replacements."""


def make_plan(audit: AuditResult) -> Plan:
    verdicts = {result.index: result.verdict for result in audit.results}
    origin = {index for index, items in audit.findings.items() if any(f.effective for f in items)}
    groups: dict[str, list[int]] = {}
    for index in sorted(origin):
        package = audit.packages[index]
        groups.setdefault(package.source_name or package.name, []).append(index)
    held = {
        index for index, verdict in verdicts.items() if verdict in (Verdict.DEPENDS, Verdict.BUILD_DEPENDS)
    }
    cleared_somewhere: set[int] = set()
    plan = Plan()
    obsoleted = _obsoleted_by(audit)
    components = audit.policy.components()
    for source, members in groups.items():
        member_set = set(members)
        findings: dict[int, list[Finding]] = {
            index: ([] if index in member_set else items) for index, items in audit.findings.items()
        }
        after = audit.graph.verdicts(findings)
        cleared = sorted(
            index for index in held if after[index].verdict not in (Verdict.DEPENDS, Verdict.BUILD_DEPENDS)
        )
        cleared_somewhere.update(cleared)
        names = {audit.packages[index].name for index in members} | {source}
        replacements = sorted(
            {components[name].replaced_by or "" for name in names if name in components} - {""}
        )
        plan.items.append(
            PlanItem(
                source=source,
                packages=members,
                holds_back=cleared,
                replacements=replacements,
                obsoleted_by=sorted({o for index in members for o in obsoleted.get(index, ())}),
            )
        )
    plan.items.sort(key=lambda item: (-len(item.holds_back), item.source))
    plan.avoidable = [r.index for r in audit.results if r.verdict is Verdict.MAY_DEPEND]
    plan.needs_more = [r.index for r in audit.results if r.index in held and r.index not in cleared_somewhere]
    return plan


def _obsoleted_by(audit: AuditResult) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for index, matches in audit.resolved.matches.items():
        for match in matches:
            if match.kind == "obsoletes":
                for target in match.packages:
                    found.setdefault(target, []).append(index)
    return found
