"""The SARIF rules: one per policy rule that produced a finding, and one per kind of fact the
gate rules on without a policy rule (the dependency statuses and the gaps)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.audit.facts import FactKind
from auditor.gate.decision import Disposition
from auditor.origin.findings import Finding, Severity
from auditor.reports.rows import FactView
from auditor.reports.text import markdown_text
from auditor.reports.view import ReportView

LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}


@dataclass(frozen=True)
class StatusRule:
    id: str
    severity: Severity
    short: str
    full: str
    fix: str


STATUS_RULES: dict[FactKind, StatusRule] = {
    FactKind.DEPENDS: StatusRule(
        "status/depends",
        Severity.HIGH,
        "Cannot be installed without an origin package",
        "A runtime requirement of the package can only be satisfied, directly or through other "
        "packages, by origin packages (packages that come from Citrix/XenServer or are proprietary). "
        "The result message gives the shortest chain of requirements to one.",
        "Rebuild or replace the origin package at the end of the chain with an independent one, or "
        "make a clean package provide the requirement.",
    ),
    FactKind.MAY_DEPEND: StatusRule(
        "status/may-depend",
        Severity.MEDIUM,
        "A requirement has both tainted and clean providers",
        "One of the package's requirements, directly or through other packages, can be satisfied by "
        "an origin package as well as by a clean one: which one is installed depends on the "
        "solver and the repositories enabled.",
        "Make sure the clean provider is the one installed: drop or obsolete the tainted provider, "
        "or make the requirement name the clean one.",
    ),
    FactKind.BUILD_DEPENDS: StatusRule(
        "status/build-depends",
        Severity.MEDIUM,
        "Cannot be built without origin packages",
        "A BuildRequires of the source package can only be satisfied by tainted packages, so the "
        "package cannot be rebuilt independently; the binaries built from it share the status.",
        "Rebuild the build dependency at the end of the chain independently, or change the BuildRequires.",
    ),
    FactKind.UNRESOLVED: StatusRule(
        "status/unresolved",
        Severity.HIGH,
        "Has a requirement that nothing in the run provides",
        "A runtime requirement of the package is satisfied by no package of the audit: the package "
        "cannot be installed from these repositories alone, and its independence cannot be proved.",
        "Add the repository that provides the requirement as context (`--with PATH`), or fix the "
        "requirement.",
    ),
    FactKind.GAP: StatusRule(
        "status/gap",
        Severity.MEDIUM,
        "Evidence about the package could not be seen",
        "The auditor could not see part of the evidence about the package (its source package is "
        "not among the inputs, its spec could not be read, a download budget ran out, a spec "
        "conditional could not be decided, a macro in a Source could not be expanded). A clean "
        "verdict covers only what was seen.",
        "Give the auditor what it lacks (the source repository with --sources, a --define for the "
        'conditional), or accept the gap with a waiver (rule = "gap:<kind>"). --strict makes gaps fail.',
    ),
}


def fact_rule(item: FactView) -> tuple[str, Severity]:
    """The SARIF rule of a fact and its severity: its finding's, else its kind's status rule."""
    finding = item.fact.finding
    if finding is not None:
        return finding.rule, finding.severity
    status_rule = STATUS_RULES[item.fact.kind]
    return status_rule.id, status_rule.severity


def fact_level(item: FactView, severity: Severity) -> str:
    """A fact's result level: ``error`` when it blocks, ``note`` when a policy allow or the taint
    severity keeps it from tainting, else its severity's (a fact ``--fail-on`` leaves out is a
    ``warning`` at most)."""
    if item.blocks:
        return "error"
    if item.disposition in (Disposition.ALLOWED, Disposition.BELOW_THRESHOLD):
        return "note"
    level = LEVELS[severity]
    return "warning" if level == "error" and item.disposition is Disposition.NOT_GATED else level


def rules_of(view: ReportView) -> list[dict[str, Any]]:
    used: dict[str, Finding] = {}
    for row in view.rows:
        for item in row.facts:
            if item.fact.finding is not None:
                used.setdefault(item.fact.finding.rule, item.fact.finding)
    for item in view.config:
        if item.fact.finding is not None:
            used.setdefault(item.fact.finding.rule, item.fact.finding)
    rules = [_policy_rule(rule_id, used[rule_id], view) for rule_id in sorted(used)]
    rules.extend(_status_rule(rule) for rule in STATUS_RULES.values())
    return rules


def _policy_rule(rule_id: str, example: Finding, view: ReportView) -> dict[str, Any]:
    rule = view.policy.rule(rule_id)
    severity = rule.severity if rule else example.severity
    message = (rule.message if rule else example.message).rstrip(". ")
    reference = rule.reference if rule else example.reference
    kind = rule.kind if rule else "policy"
    tier = rule.tier if rule else None
    category = example.category.value
    short, _, _ = message.partition(": ")
    described = f"{kind} rule, category {category}" + (f", tier {tier}" if tier else "")
    full = (
        f"{message}. Policy rule {rule_id} ({described}), severity {severity}. A finding at or above "
        f"the policy's taint severity ({view.policy.taint_severity}) makes the package an origin "
        "package, and every package that cannot do without it depends on it."
    )
    todo = (
        "Build the package from sources that Citrix neither hosts nor controls, or replace it with an "
        "independent package. If the case has been reviewed and is acceptable, add an [[allow]] entry "
        f'to the policy (packages = ["NAME"], rules = ["{rule_id}"], reason = "..."): the finding '
        "stays visible but no longer taints."
    )
    text = f"{message}.\n\n{todo}"
    markdown = f"{markdown_text(message)}.\n\n{markdown_text(todo)}"
    if reference:
        text += f"\n\nReference: {reference}"
        markdown += (
            f"\n\nReference: <{reference}>"
            if is_url(reference)
            else f"\n\nReference: {markdown_text(reference)}"
        )
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": sorted({"auditor", "origin-policy", kind, category, *([tier] if tier else [])}),
            "severity": str(severity),
            "category": category,
        },
    }
    if is_url(reference):
        descriptor["helpUri"] = reference
    return descriptor


def _status_rule(rule: StatusRule) -> dict[str, Any]:
    status = rule.id.split("/", 1)[1]
    help_text = f"{rule.full}\n\n{rule.fix}\n\n`auditor why NAME PATH...` explains one package."
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["auditor", "dependency-status", status], "severity": str(rule.severity)},
    }


def is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))
