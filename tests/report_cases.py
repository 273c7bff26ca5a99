"""Audits the report tests render: every status, a waiver, an allowed finding, hostile metadata.

Reports render a `ReportView`: the audit joined with the gate's decision. The waiver here is a
real one, applied by the real gate (`auditor.gate.decision.decide`), never a result edited by
hand: what the reports are tested on is what a user gets.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any

import pytest

from auditor.audit.facts import Fact
from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.gate.baseline import Baseline
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.gate.waivers import Waiver, load_waivers
from auditor.origin.policy import load_policy
from auditor.reports.view import ReportView, build_view
from auditor.rpm.gaps import Gap
from auditor.sources.interface import LoadResult
from tests.universe import universe

CITRIX = {"vendor": "Citrix Systems, Inc."}
HOSTILE_VENDOR = "Citrix | `@team` <script>alert(1)</script>\x01"
HOSTILE_SUMMARY = (
    '</script><script>document.body.dataset.pwned="script"</script>'
    '<img src=x onerror="document.body.dataset.pwned=\'img\'"><!-- \u2028 & "quoted"'
)
HOSTILE_NAME = 'evil"\\pkg<b>&'
ALLOW = {
    "id": "reviewed-vendor",
    "packages": ["reviewed"],
    "rules": ["citrix-vendor"],
    "reason": "rebuilt from public sources, reviewed",
}
NOTED = {
    "id": "noted-host",
    "kind": "host",
    "severity": "low",
    "domains": ["noted.example"],
    "message": "URL on a host the project notes but does not block (below the taint severity)",
}
WAIVER = "waiver-xapi-tools"
TODAY = datetime.date(2026, 11, 24)

GATE: list[dict[str, Any]] = [
    {"name": "xenlicense", **CITRIX, "provides": ["licensing"]},
    {"name": "freelicense", "provides": ["licensing"]},
    {"name": "xapi", "requires": ["xenlicense >= 1.0"]},
    {"name": "xapi-tools", "requires": ["xapi"]},
    {"name": "chooser", "requires": ["licensing"]},
    {"name": "builder", "arch": "src", "requires": ["xapi-tools"]},
    {"name": "builder-bin", "sourcerpm": "builder-1.0-1.src.rpm"},
    {"name": "lonely", "requires": ["missing-thing"]},
    {"name": "reviewed", **CITRIX},
    {"name": "fine"},
]
"""origin, clean, depends, depends (waived), may-depend, build-depends (source and binary),
unresolved, clean with an allowed finding, clean."""


def audit_of(
    specs: list[dict[str, Any]],
    context: list[dict[str, Any]] | None = None,
    run_gaps: Sequence[Gap] = (),
    **options: Any,
) -> AuditResult:
    """The audit of ``specs`` (`tests.universe`), ``run_gaps`` being what the inputs left unseen."""
    policy = load_policy(project={"allow": [ALLOW], "rule": [NOTED]})
    return audit_packages(
        AuditOptions(targets=("universe",), **options),
        policy,
        LoadResult(packages=universe(specs), gaps=list(run_gaps)),
        LoadResult(packages=universe(context or [])),
    )


def waiver(package: str, waiver_id: str = WAIVER, **fields: Any) -> Waiver:
    entry: dict[str, Any] = {
        "id": waiver_id,
        "package": package,
        "reason": "accepted",
        "owner": "release team",
    }
    entry.update({"expires": datetime.date(2027, 1, 1), **fields})
    [loaded] = load_waivers([entry], "report_cases")
    return loaded


def view_of(
    audit: AuditResult,
    waivers: Sequence[Waiver] = (),
    gate: GateOptions | None = None,
    baseline: Baseline | None = None,
) -> ReportView:
    """What a user's report of ``audit`` shows: the audit joined with the real gate's decision."""
    options = gate or GateOptions(today=TODAY)
    return build_view(audit, decide(audit, options, waivers, baseline))


def gate_view(*, hostile: bool = False) -> ReportView:
    specs = [dict(spec) for spec in GATE]
    if hostile:
        specs.append({"name": "evil", **CITRIX})
    audit = audit_of(specs)
    if hostile:
        audit = _hostile(audit)
    return view_of(audit, [waiver("xapi-tools")])


def _hostile(audit: AuditResult) -> AuditResult:
    """Untrusted metadata everywhere a report shows package data (after the audit: names must resolve)."""
    packages = list(audit.packages)
    for index, package in enumerate(packages):
        if package.name in ("xenlicense", "fine"):
            packages[index] = dataclasses.replace(package, summary=HOSTILE_SUMMARY, vendor=HOSTILE_VENDOR)
        elif package.name == "evil":
            packages[index] = dataclasses.replace(package, name=HOSTILE_NAME, summary=HOSTILE_SUMMARY)

    def hostile_fact(fact: Fact, name: str) -> Fact:
        finding = fact.finding
        if name == "xenlicense" and finding is not None:
            finding = dataclasses.replace(finding, value=HOSTILE_VENDOR)
            fact = dataclasses.replace(
                fact, finding=finding, text=f"[{finding.rule}] {finding.field}: {finding.value}"
            )
        return (
            dataclasses.replace(fact, subject=packages[fact.package].name)
            if fact.package is not None
            else fact
        )

    results = []
    findings = dict(audit.findings)
    for result in audit.results:
        name = result.package.name
        facts = tuple(hostile_fact(fact, name) for fact in result.facts)
        own = [fact.finding for fact in facts if fact.finding is not None]
        findings[result.index] = own if name == "xenlicense" else findings.get(result.index, [])
        results.append(
            dataclasses.replace(
                result,
                package=packages[result.index],
                facts=facts,
                findings=own if name == "xenlicense" else result.findings,
            )
        )
    return dataclasses.replace(audit, packages=packages, results=results, findings=findings)


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``auditor scan ARGS -q``: the exit code and what it printed."""
    code = main(["scan", *args, "-q"])
    return code, capsys.readouterr().out
