"""Repository URLs in configuration reach the result and every report, and block like origin evidence."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.audit.result import AuditResult
from auditor.core.errors import ExitCode
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.origin.findings import DEFAULT_FAIL_ON, Verdict
from auditor.origin.policy import Policy, load_policy
from auditor.reports import cyclonedx, json_report, sarif, table
from auditor.reports.view import ReportView, build_view
from auditor.sources.interface import ConfigUrl, LoadResult
from tests.paths import ROOT
from tests.universe import universe

SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())


def _audit(urls: list[ConfigUrl], policy: Policy | None = None) -> AuditResult:
    # One clean package beside the configuration: an audit of nothing is never a pass, whatever
    # its configuration says (see test_a_configuration_alone_audits_nothing).
    loaded = LoadResult(packages=universe([{"name": "fine"}]), config_urls=urls)
    return audit_packages(AuditOptions(targets=("yum.conf",)), policy or load_policy(), loaded, LoadResult())


def _view(audit: AuditResult, fail_on: frozenset[Verdict] = DEFAULT_FAIL_ON) -> ReportView:
    return build_view(audit, decide(audit, GateOptions(fail_on=fail_on)))


def test_a_baseurl_on_a_policy_host_blocks_and_is_in_every_report() -> None:
    audit = _audit(
        [
            ConfigUrl(
                "yum.conf", "epel", "baseurl", "https://repo.citrite.net/ctx-local-contrib/epel/7/x86_64/"
            ),
            ConfigUrl("yum.conf", "base", "baseurl", "https://mirror.example.org/centos/7/os/x86_64/"),
        ]
    )
    assert [(c.section, c.finding.rule) for c in audit.config_findings] == [("epel", "citrix-internal-host")]
    view = _view(audit)
    assert view.exit_code is ExitCode.FINDINGS
    document = json_report.document(view)
    jsonschema.validate(document, SCHEMA)
    entry = document["config_findings"][0]
    assert entry["section"] == "epel" and entry["key"] == "baseurl" and entry["blocking"] and entry["taints"]
    text = table.render(view)
    assert "repo.citrite.net" in text and "yum.conf [epel]" in text and "1 blocking" in text
    # The headline's count is the packages and the URLs; each document counts them apart, by
    # one name for one thing.
    assert view.headline.text == "1 blocking"
    assert (document["summary"]["blocking"], document["summary"]["blocking_config"]) == (0, 1)
    properties = sarif.document(view)["runs"][0]["properties"]
    assert (properties["blocking"], properties["blockingConfig"]) == (0, 1)
    bom = json.loads(cyclonedx.render(view))["metadata"]["properties"]
    counts = {p["name"]: p["value"] for p in bom if p["name"].endswith("-count")}
    assert counts["auditor:blocking-count"] == "0" and counts["auditor:blocking-config-count"] == "1"


def test_disabled_sections_and_fail_on_none_do_not_block() -> None:
    disabled = _audit([ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/", enabled=False)])
    assert disabled.config_findings and not disabled.config_findings[0].effective
    assert _view(disabled).exit_code is ExitCode.PASSED
    relaxed = _audit([ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/")])
    assert _view(relaxed, frozenset()).exit_code is ExitCode.PASSED
    assert json_report.document(_view(relaxed, frozenset()))["config_findings"][0]["blocking"] is False


def test_low_severity_host_does_not_taint_above_the_threshold(tmp_path: Path) -> None:
    policy_file = tmp_path / "p.toml"
    policy_file.write_text('[settings]\ntaint-severity = "high"\n')
    policy = load_policy([str(policy_file)])
    urls = [ConfigUrl("x.repo", "xs", "baseurl", "https://github.com/xenserver/repo/")]
    audit = _audit(urls, policy)
    assert audit.config_findings and _view(audit).exit_code is ExitCode.PASSED


def test_a_configuration_alone_audits_nothing_and_never_passes() -> None:
    urls = [ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/", enabled=False)]
    audit = audit_packages(
        AuditOptions(("x.repo",)), load_policy(), LoadResult(config_urls=urls), LoadResult()
    )
    view = _view(audit)
    assert view.exit_code is ExitCode.INPUT and view.headline.state == "failed"
    assert ("nothing-audited", 1) in view.decision.completeness.reasons
