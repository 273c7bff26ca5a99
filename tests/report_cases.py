"""Audits the report tests render: every status, a waiver, an allowed finding, hostile metadata."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from auditor.audit.pipeline import AuditOptions, AuditResult, audit_packages
from auditor.cli.main import main
from auditor.origin.policy import load_policy
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
WAIVER = "waiver-xapi-tools"

GATE = [
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
    specs: list[dict[str, Any]], context: list[dict[str, Any]] | None = None, **options: Any
) -> AuditResult:
    policy = load_policy(project={"allow": [ALLOW]})
    return audit_packages(
        AuditOptions(targets=("universe",), **options),
        policy,
        LoadResult(packages=universe(specs)),
        LoadResult(packages=universe(context or [])),
    )


def waive(audit: AuditResult, name: str, waiver: str) -> AuditResult:
    """What a waiver step does to a result: it no longer blocks, and says which waiver accepted it."""
    audit.results = [
        dataclasses.replace(result, blocking=False, waived_by=(waiver,))
        if result.package.name == name
        else result
        for result in audit.results
    ]
    return audit


def gate_audit(*, hostile: bool = False) -> AuditResult:
    specs = [dict(spec) for spec in GATE]
    if hostile:
        specs.append({"name": "evil", **CITRIX})
    audit = audit_of(specs)
    if hostile:
        audit = _hostile(audit)
    return waive(audit, "xapi-tools", WAIVER)


def _hostile(audit: AuditResult) -> AuditResult:
    """Untrusted metadata everywhere a report shows package data (after the audit: names must resolve)."""
    evil = next(result for result in audit.results if result.package.name == "evil")
    packages = list(audit.packages)
    for index, package in enumerate(packages):
        if package.name in ("xenlicense", "fine"):
            packages[index] = dataclasses.replace(package, summary=HOSTILE_SUMMARY, vendor=HOSTILE_VENDOR)
    packages[evil.index] = dataclasses.replace(
        packages[evil.index], name=HOSTILE_NAME, summary=HOSTILE_SUMMARY
    )
    audit.packages = packages
    audit.results = [dataclasses.replace(result, package=packages[result.index]) for result in audit.results]
    for result in audit.results:
        if result.package.name == "xenlicense":
            result.findings = [dataclasses.replace(f, value=HOSTILE_VENDOR) for f in result.findings]
            audit.findings[result.index] = result.findings
    return audit


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``auditor scan ARGS -q``: the exit code and what it printed."""
    code = main(["scan", *args, "-q"])
    return code, capsys.readouterr().out
