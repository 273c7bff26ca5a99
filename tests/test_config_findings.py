"""Repository URLs in configuration reach the result and every report, and block like origin evidence."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from auditor.audit.pipeline import AuditOptions, AuditResult, audit_packages
from auditor.core.errors import ExitCode
from auditor.origin.findings import DEFAULT_FAIL_ON, Verdict
from auditor.origin.policy import load_policy
from auditor.reports import json_report, table
from auditor.sources.interface import ConfigUrl, LoadResult

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "report-v1.schema.json").read_text())


def _audit(urls: list[ConfigUrl], fail_on: frozenset[Verdict] = DEFAULT_FAIL_ON) -> AuditResult:
    options = AuditOptions(targets=("yum.conf",), fail_on=fail_on)
    return audit_packages(options, load_policy(), LoadResult(config_urls=urls), LoadResult())


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
    assert audit.exit_code() is ExitCode.FINDINGS
    document = json_report.document(audit)
    jsonschema.validate(document, SCHEMA)
    entry = document["config_findings"][0]
    assert entry["section"] == "epel" and entry["key"] == "baseurl" and entry["blocking"] and entry["taints"]
    text = table.render(audit)
    assert "repo.citrite.net" in text and "yum.conf [epel]" in text and "1 blocking" in text


def test_disabled_sections_and_fail_on_none_do_not_block() -> None:
    disabled = _audit([ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/", enabled=False)])
    assert disabled.config_findings and not disabled.config_findings[0].effective
    assert disabled.exit_code() is ExitCode.PASSED
    relaxed = _audit([ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/")], frozenset())
    assert relaxed.exit_code() is ExitCode.PASSED
    assert json_report.document(relaxed)["config_findings"][0]["blocking"] is False


def test_low_severity_host_does_not_taint_above_the_threshold(tmp_path: Path) -> None:
    policy_file = tmp_path / "p.toml"
    policy_file.write_text('[settings]\ntaint-severity = "high"\n')
    policy = load_policy([str(policy_file)])
    urls = [ConfigUrl("x.repo", "xs", "baseurl", "https://github.com/xenserver/repo/")]
    audit = audit_packages(AuditOptions(("x.repo",)), policy, LoadResult(config_urls=urls), LoadResult())
    assert audit.config_findings and audit.exit_code() is ExitCode.PASSED
