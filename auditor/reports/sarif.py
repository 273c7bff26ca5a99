"""SARIF 2.1.0, as GitHub code scanning reads it.

One run. Its driver's ``rules`` hold every policy rule that produced a finding and the four
status rules (``status/depends``, ``status/may-depend``, ``status/build-depends``,
``status/unresolved``). The results are one per finding, and one per package whose status
is neither ``clean`` nor ``origin`` (an origin package is explained by its findings), each
located at the package file with the NEVRA as logical location. Accepted results (a finding
an ``[[allow]]`` entry overrides, or a package a waiver accepted) carry an external
suppression with its justification, so code scanning shows them as dismissed instead of
dropping them. No timestamps, no absolute paths for files under the current directory:
the same audit gives the same bytes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor import __version__
from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.origin.findings import Finding, Severity, Verdict, fingerprint
from auditor.reports.view import (
    chain_evidence,
    chain_text,
    clean_text,
    finding_text,
    gate,
    package_path,
    verdicts_by_index,
)
from auditor.rpm.model import Package

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/auditor-rpm/auditor"
FINDING_FINGERPRINT = "auditorFinding/v1"
"""The finding's fingerprint (rule, package name, capability), as the JSON report gives it."""
STATUS_FINGERPRINT = "auditorStatus/v1"
"""fingerprint(status rule, package name, arch): one alert per package and status across versions."""

LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
MAX_LISTED = 20


@dataclass(frozen=True)
class StatusRule:
    id: str
    severity: Severity
    short: str
    full: str
    fix: str


STATUS_RULES: dict[Verdict, StatusRule] = {
    Verdict.DEPENDS: StatusRule(
        "status/depends",
        Severity.HIGH,
        "Cannot be installed without an origin package",
        "A runtime requirement of the package can only be satisfied, directly or through other "
        "packages, by origin packages (packages that come from Citrix/XenServer or are proprietary). "
        "The result message gives the shortest chain of requirements to one.",
        "Rebuild or replace the origin package at the end of the chain with an independent one, or "
        "make a clean package provide the requirement.",
    ),
    Verdict.MAY_DEPEND: StatusRule(
        "status/may-depend",
        Severity.MEDIUM,
        "A requirement has both tainted and clean providers",
        "One of the package's requirements, directly or through other packages, can be satisfied by "
        "an origin package as well as by a clean one: which one is installed depends on the "
        "solver and the repositories enabled.",
        "Make sure the clean provider is the one installed: drop or obsolete the tainted provider, "
        "or make the requirement name the clean one.",
    ),
    Verdict.BUILD_DEPENDS: StatusRule(
        "status/build-depends",
        Severity.MEDIUM,
        "Cannot be built without origin packages",
        "A BuildRequires of the source package can only be satisfied by tainted packages, so the "
        "package cannot be rebuilt independently; the binaries built from it share the status.",
        "Rebuild the build dependency at the end of the chain independently, or change the BuildRequires.",
    ),
    Verdict.UNRESOLVED: StatusRule(
        "status/unresolved",
        Severity.HIGH,
        "Has requirements that nothing in the run provides",
        "A runtime requirement of the package is satisfied by no package of the audit: the package "
        "cannot be installed from these repositories alone, and its independence cannot be proved.",
        "Add the repository that provides the requirement as context (`--with PATH`), or fix the "
        "requirement.",
    ),
}


def render(audit: AuditResult) -> str:
    # json.dumps escapes control characters; clean_text replaces lone surrogates from odd metadata.
    return clean_text(json.dumps(document(audit), indent=2, ensure_ascii=False)) + "\n"


def document(audit: AuditResult) -> dict[str, Any]:
    rules = _rules(audit)
    verdicts = verdicts_by_index(audit)
    rule_index = {rule["id"]: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for result in audit.results:
        for finding in result.findings:
            results.append(_finding_result(result, finding, audit, rule_index))
        if result.verdict in STATUS_RULES:
            results.append(_status_result(result, audit, rule_index, verdicts))
    driver = {
        "name": "auditor",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [_invocation(audit)],
        "results": results,
        "properties": {
            "statuses": audit.counts(),
            "blocking": len(audit.blocking),
            "waived": sum(1 for result in audit.results if result.waived_by),
            "failOn": sorted(verdict.value for verdict in audit.options.fail_on),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# -- rules ----------------------------------------------------------------------------------


def _rules(audit: AuditResult) -> list[dict[str, Any]]:
    used: dict[str, Finding] = {}
    for result in audit.results:
        for finding in result.findings:
            used.setdefault(finding.rule, finding)
    rules = [_policy_rule(rule_id, used[rule_id], audit) for rule_id in sorted(used)]
    rules.extend(_status_rule(rule) for rule in STATUS_RULES.values())
    return rules


def _policy_rule(rule_id: str, example: Finding, audit: AuditResult) -> dict[str, Any]:
    rule = audit.policy.rule(rule_id)
    severity = rule.severity if rule else example.severity
    message = (rule.message if rule else example.message).rstrip(". ")
    reference = rule.reference if rule else example.reference
    kind = rule.kind if rule else "policy"
    tier = rule.tier if rule else None
    short, _, _ = message.partition(": ")
    described = f"{kind} rule" + (f", tier {tier}" if tier else "")
    full = (
        f"{message}. Policy rule {rule_id} ({described}), severity {severity}. A finding at or above "
        f"the policy's taint severity ({audit.policy.taint_severity}) makes the package an origin "
        "package, and every package that cannot do without it depends on it."
    )
    todo = (
        "Build the package from sources that Citrix neither hosts nor controls, or replace it with an "
        "independent package. If the case has been reviewed and is acceptable, add an [[allow]] entry "
        f'to the policy (packages = ["NAME"], rules = ["{rule_id}"], reason = "..."): the finding '
        "stays visible but no longer taints."
    )
    text = f"{message}.\n\n{todo}"
    markdown = f"{_md(message)}.\n\n{_md(todo)}"
    if reference:
        text += f"\n\nReference: {reference}"
        markdown += (
            f"\n\nReference: <{reference}>" if _is_url(reference) else f"\n\nReference: {_md(reference)}"
        )
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": sorted({"auditor", "origin-policy", kind, *([tier] if tier else [])}),
            "severity": str(severity),
        },
    }
    if _is_url(reference):
        descriptor["helpUri"] = reference
    return descriptor


def _status_rule(rule: StatusRule) -> dict[str, Any]:
    status = rule.id.split("/", 1)[1]
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {
            "text": f"{rule.full}\n\n{rule.fix}\n\n`auditor why NAME PATH...` explains one package.",
            "markdown": f"{rule.full}\n\n{rule.fix}\n\n`auditor why NAME PATH...` explains one package.",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["auditor", "dependency-status", status], "severity": str(rule.severity)},
    }


# -- results --------------------------------------------------------------------------------


def _finding_result(
    result: PackageResult, finding: Finding, audit: AuditResult, rule_index: dict[str, int]
) -> dict[str, Any]:
    package = result.package
    text = f"{package.nevra}: {finding.message.rstrip('. ')}. {finding.field}: {finding.value}"
    if finding.inherited_from:
        text += f" (from {finding.inherited_from})"
    if finding.replacement:
        text += f". Replaced in XCP-ng by {finding.replacement}"
    if finding.allowed_by:
        text += f". Allowed by {finding.allowed_by}"
    elif not finding.taints:
        text += f". Evidence only: below the policy's taint severity ({audit.policy.taint_severity})"
    data: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": LEVELS[finding.severity] if finding.taints else "note",
        "message": {"text": text},
        "locations": [_location(package, audit, _spec_line(package, finding))],
        "partialFingerprints": {FINDING_FINGERPRINT: finding.fingerprint(package.name)},
        "properties": {
            "nevra": package.nevra,
            "status": result.verdict.value,
            "gate": gate(result),
            "field": finding.field,
            "value": finding.value,
            "severity": str(finding.severity),
            "taints": finding.effective,
        },
    }
    if finding.allowed_by:
        data["suppressions"] = [_suppression(_allow_justification(finding.allowed_by, audit))]
    elif result.waived_by and finding.effective:
        data["suppressions"] = [_suppression("waived by " + ", ".join(result.waived_by))]
    return data


def _status_result(
    result: PackageResult, audit: AuditResult, rule_index: dict[str, int], verdicts: dict[int, Verdict]
) -> dict[str, Any]:
    rule = STATUS_RULES[result.verdict]
    package = result.package
    state = gate(result)
    level = LEVELS[rule.severity]
    if state:
        level = "error"
    elif level == "error":
        level = "warning"  # flagged, but --fail-on does not block on this status
    data: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": rule_index[rule.id],
        "level": level,
        "message": {"text": _status_message(result, audit, verdicts)},
        "locations": [_location(package, audit, None)],
        "partialFingerprints": {STATUS_FINGERPRINT: fingerprint(rule.id, package.name, package.arch)},
        "properties": {
            "nevra": package.nevra,
            "status": result.verdict.value,
            "gate": state,
            "chain": [audit.packages[hop.target].nevra for hop in result.chain],
        },
    }
    if result.waived_by:
        data["suppressions"] = [_suppression("waived by " + ", ".join(result.waived_by))]
    return data


def _status_message(result: PackageResult, audit: AuditResult, verdicts: dict[int, Verdict]) -> str:
    nevra = result.package.nevra
    if result.verdict is Verdict.UNRESOLVED:
        missing = list(dict.fromkeys(str(resolution.dependency) for resolution in result.unresolved))
        more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        return f"{nevra}: nothing provides {', '.join(missing[:MAX_LISTED])}{more}"
    head = {
        Verdict.DEPENDS: "depends on origin packages",
        Verdict.MAY_DEPEND: "may depend on origin packages (a requirement has tainted and clean providers)",
        Verdict.BUILD_DEPENDS: "cannot be built without origin packages",
    }[result.verdict]
    text = f"{nevra} {head}: {chain_text(result, audit.packages, verdicts=verdicts)}"
    evidence = chain_evidence(result, audit)
    if evidence is not None:
        text += f"; which is origin: {finding_text(evidence)}"
    return text


def _suppression(justification: str) -> dict[str, Any]:
    return {"kind": "external", "state": "accepted", "justification": justification}


def _allow_justification(allow_id: str, audit: AuditResult) -> str:
    allow = next((item for item in audit.policy.allows if item.id == allow_id), None)
    if allow is not None and allow.reason:
        return f"allowed by {allow_id}: {allow.reason}"
    return f"allowed by {allow_id}"


def _invocation(audit: AuditResult) -> dict[str, Any]:
    code = audit.exit_code()
    return {
        "executionSuccessful": not audit.errors,
        "exitCode": int(code),
        "exitCodeDescription": {
            0: "passed",
            1: "blocking findings",
            3: "input error: the audit is incomplete",
        }.get(int(code), code.name.lower()),
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"{error.source}: {error.reason}"}}
            for error in audit.errors
        ],
    }


# -- locations ------------------------------------------------------------------------------


def _location(package: Package, audit: AuditResult, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(package_path(package, audit))}}
    if line:
        physical["region"] = {"startLine": line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": package.nevra, "fullyQualifiedName": package.nevra, "kind": "package"}],
    }


def artifact_uri(path: str) -> str:
    """A relative URI for a path under the current directory (what code scanning maps to the
    repository), a ``file:`` URI for any other local path, a URL as it is."""
    if "://" in path:
        return path
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        return quote(relative.replace(os.sep, "/"))
    return Path(absolute).as_uri()


def _spec_line(package: Package, finding: Finding) -> int | None:
    """The spec line of a ``sourceN``/``patchN`` finding found on this package's own spec."""
    if finding.inherited_from:
        return None
    for source in package.sources:
        number = "" if source.number is None else str(source.number)
        if f"{source.kind.value}{number}" == finding.field and source.line:
            return source.line
    return None


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def _md(text: str) -> str:
    """Plain text made inert in Markdown: every ASCII punctuation mark that Markdown reads is escaped."""
    return "".join("\\" + char if char in "\\`*_{}[]()<>#+-!|~&" else char for char in text)
