"""The SARIF report: valid against the official SARIF 2.1.0 schema, and usable by code scanning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from auditor.reports import sarif
from auditor.reports.render import FORMATS
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import DATA, RPMS
from tests.paths import ROOT
from tests.report_cases import (
    ALLOW,
    CITRIX,
    HOSTILE_NAME,
    HOSTILE_VENDOR,
    WAIVER,
    audit_of,
    gate_view,
    scan,
    view_of,
)

SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def fixture_audit() -> AuditResult:
    return run_audit(AuditOptions(targets=(str(RPMS),)), load_policy())


def validate_sarif(document: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(SARIF_SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_follows_the_schema_and_locates_every_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fixture_audit: AuditResult
) -> None:
    monkeypatch.chdir(ROOT)
    code, out = scan(["tests/data/rpms", "--format", "sarif"], capsys)
    document = json.loads(out)
    validate_sarif(document)
    assert code == 1 and document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "auditor" and driver["version"] and driver["informationUri"].startswith("https://")
    )
    rules = {rule["id"]: rule for rule in driver["rules"]}
    statuses = {
        "status/depends",
        "status/may-depend",
        "status/build-depends",
        "status/unresolved",
        "status/gap",
    }
    used = {finding.rule for result in fixture_audit.results for finding in result.findings}
    assert set(rules) == used | statuses
    policy = load_policy()
    for rule_id, rule in rules.items():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["properties"]["tags"]
        policy_rule = policy.rule(rule_id)
        if policy_rule is not None:
            assert rule["helpUri"] == policy_rule.reference
            expected = {"high": "error", "medium": "warning"}.get(str(policy_rule.severity), "note")
            assert rule["defaultConfiguration"]["level"] == expected
    assert rules["citrix-packager"]["defaultConfiguration"]["level"] == "warning"
    assert [rule["id"] for rule in driver["rules"]].index("status/unresolved") == next(
        r["ruleIndex"] for r in run["results"] if r["ruleId"] == "status/unresolved"
    )

    results = run["results"]
    # One result per fact: each piece of evidence, each taint, each unresolved requirement.
    assert len(results) == sum(len(r.facts) for r in fixture_audit.results)
    for result in results:
        location = result["locations"][0]
        assert location["logicalLocations"][0]["name"] in {r.package.nevra for r in fixture_audit.results}
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("tests/data/rpms/") and uri.endswith(".rpm"), uri

    # A Source0 finding points at its spec line; its fingerprint is the JSON report's.
    source = next(
        r
        for r in results
        if r["properties"]["nevra"] == "xs-sources-1.0-1.src" and r["properties"]["field"] == "source0"
    )
    package = read_rpm_file(str(RPMS / "xs-sources-1.0-1.src.rpm"))
    line = next(s.line for s in package.sources if s.kind.value == "source" and s.number == 0)
    physical = source["locations"][0]["physicalLocation"]
    assert physical["region"] == {"startLine": line}
    assert physical["artifactLocation"]["uri"] == "tests/data/rpms/xs-sources-1.0-1.src.rpm"
    (xs_src,) = [r for r in fixture_audit.results if r.package.nevra == "xs-sources-1.0-1.src"]
    fact = next(f for f in xs_src.facts if f.finding is not None and f.finding.field == "source0")
    assert source["partialFingerprints"] == {"auditorFact/v1": fact.fingerprint}
    assert source["level"] == "error" and source["ruleId"] == "citrix-internal-host"
    # Inherited evidence has no spec line on the binary.
    inherited = next(r for r in results if r["properties"]["nevra"] == "nospec-1.0-1.noarch")
    assert "region" not in inherited["locations"][0]["physicalLocation"]

    unresolved = next(r for r in results if r["properties"]["nevra"] == "epochs-3:1.2-4.noarch")
    assert unresolved["ruleId"] == "status/unresolved" and unresolved["level"] == "error"
    assert "epochdep >= 2:1.0-1" in unresolved["message"]["text"]
    assert "suppressions" not in unresolved
    caret = next(r for r in results if r["properties"]["nevra"].startswith("caret-version"))
    uri = caret["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "tests/data/rpms/caret-version-2.0%5Egit20240101.abc-1.noarch.rpm"
    [invocation] = run["invocations"]
    assert (invocation["executionSuccessful"], invocation["exitCode"]) == (True, 1)
    assert invocation["exitCodeDescription"] == "blocking findings"
    # The fixtures include Sources no reader can expand: the run says it is incomplete.
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["descriptor"] == {"id": "auditor/incomplete"} and notification["level"] == "warning"
    assert "unexpanded-source" in notification["message"]["text"]


def test_sarif_locations_of_repository_packages(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    _, out = scan(["tests/data/repo", "tests/data/srpm-repo", "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "tests/data/repo/Packages/epochs-1.2-4.noarch.rpm" in uris
    assert "tests/data/srpm-repo/Packages/xs-sources-1.0-1.src.rpm" in uris
    # A repository given by its repomd.xml: the hrefs are joined to the repository directory.
    _, out = scan(["tests/data/repo/repodata/repomd.xml", "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "tests/data/repo/Packages/epochs-1.2-4.noarch.rpm" in uris
    # Outside the current directory a path is an absolute file: URI.
    monkeypatch.chdir(tmp_path)
    _, out = scan([str(DATA / "repo"), "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    expected = (DATA / "repo" / "Packages" / "epochs-1.2-4.noarch.rpm").as_uri()
    assert expected in {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert (
        sarif.artifact_uri("https://mirror.example/repo/Packages/a.rpm")
        == "https://mirror.example/repo/Packages/a.rpm"
    )
    # A source repository found beside the binary one: its files are located in it too.
    monkeypatch.chdir(ROOT)
    _, out = scan(["examples/xcp-ng-mini/repo", "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "examples/xcp-ng-mini/srpms/Packages/sm-2.30.8-1.xcpng.src.rpm" in uris


def test_sarif_statuses_chains_waivers_and_allowed_findings() -> None:
    document = json.loads(FORMATS["sarif"](gate_view(hostile=True)))
    validate_sarif(document)
    results = document["runs"][0]["results"]
    by_package: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        # The universe's binaries name no source package: each has a gap result of its own.
        if result["ruleId"] != "status/gap":
            by_package.setdefault(result["properties"]["nevra"], []).append(result)
    assert sum(result["ruleId"] == "status/gap" for result in results) == 9

    (xapi,) = by_package["xapi-1.0-1.noarch"]
    assert xapi["ruleId"] == "status/depends" and xapi["level"] == "error"
    assert xapi["message"]["text"].startswith(
        "xapi-1.0-1.noarch depends on origin packages (citrix): xapi-1.0-1.noarch -> needs xenlicense-1.0-1.noarch"
    )
    assert "which is origin: [citrix-vendor]" in xapi["message"]["text"]
    assert "suppressions" not in xapi

    (tools,) = by_package["xapi-tools-1.0-1.noarch"]
    [suppression] = tools["suppressions"]
    assert suppression["kind"] == "external" and suppression["state"] == "accepted"
    assert suppression["justification"].startswith(f"waived by {WAIVER} (release team, until 2027-01-01)")
    assert tools["properties"]["gate"] == "waived"

    (chooser,) = by_package["chooser-1.0-1.noarch"]
    assert chooser["ruleId"] == "status/may-depend" and chooser["level"] == "warning"
    assert "1 of 2 providers tainted" in chooser["message"]["text"]
    assert {r["ruleId"] for r in by_package["builder-1.0-1.src"]} == {"status/build-depends"}
    assert {r["ruleId"] for r in by_package["builder-bin-1.0-1.noarch"]} == {"status/build-depends"}
    (lonely,) = by_package["lonely-1.0-1.noarch"]
    assert lonely["ruleId"] == "status/unresolved" and "missing-thing" in lonely["message"]["text"]

    (reviewed,) = by_package["reviewed-1.0-1.noarch"]
    assert reviewed["ruleId"] == "citrix-vendor"
    assert reviewed["suppressions"] == [
        {
            "kind": "external",
            "state": "accepted",
            "justification": f"allowed by {ALLOW['id']}: {ALLOW['reason']}",
        }
    ]
    (origin,) = by_package["xenlicense-1.0-1.noarch"]
    assert (
        origin["ruleId"] == "citrix-vendor"
        and HOSTILE_VENDOR.replace("\x01", "") in origin["message"]["text"]
    )
    assert set(by_package) == {
        "xapi-1.0-1.noarch",
        "xapi-tools-1.0-1.noarch",
        "chooser-1.0-1.noarch",
        "builder-1.0-1.src",
        "builder-bin-1.0-1.noarch",
        "lonely-1.0-1.noarch",
        "reviewed-1.0-1.noarch",
        "xenlicense-1.0-1.noarch",
        f"{HOSTILE_NAME}-1.0-1.noarch",
    }


def test_sarif_reports_unreadable_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.rpm"
    broken.write_bytes((RPMS / "epochs-1.2-4.noarch.rpm").read_bytes()[:300])
    code = main(["scan", str(broken), str(RPMS / "weakdeps-1.0-1.noarch.rpm"), "--format", "sarif", "-q"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    validate_sarif(document)
    invocation = document["runs"][0]["invocations"][0]
    assert code == 3 and invocation["executionSuccessful"] is False and invocation["exitCode"] == 3
    notifications = invocation["toolExecutionNotifications"]
    (notification,) = [n for n in notifications if "descriptor" not in n]  # the input's own
    assert notification["level"] == "error" and str(broken) in notification["message"]["text"]
    # ... and the binary read beside it without its source package says its Sources were unseen.
    assert any(n.get("descriptor") == {"id": "auditor/incomplete"} for n in notifications)


def run_failure_notifications(document: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    validate_sarif(document)
    invocation = document["runs"][0]["invocations"][0]
    ids = ("auditor/stale-waiver", "auditor/nothing-audited")
    notifications = invocation["toolExecutionNotifications"]
    return invocation, [n for n in notifications if n.get("descriptor", {}).get("id") in ids]


@pytest.mark.parametrize("block", [True, False])
def test_sarif_notifies_a_stale_waiver_that_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: bool
) -> None:
    # A clean package and a waiver that matches nothing: only the stale waiver can fail the run.
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "gone"\npackage = "removed-pkg"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    target = str(RPMS / "conflicts-obsoletes-2.0-1.noarch.rpm")
    stale = ["--stale-waivers", "block" if block else "warn"]
    code, out = scan([target, "--format", "sarif", "--waivers", str(waivers), *stale], capsys)
    document = json.loads(out)
    invocation, failures = run_failure_notifications(document)
    assert code == invocation["exitCode"] == (1 if block else 0)
    # A run that blocks ran to its end: its results are whole (only exit 3 is an unsuccessful
    # execution). No result is an error: the notification is all that says the run fails.
    assert invocation["executionSuccessful"] is True
    assert all(result["level"] != "error" for result in document["runs"][0]["results"])
    if not block:
        assert failures == []
        return
    [failure] = failures
    assert failure["level"] == "error" and failure["descriptor"] == {"id": "auditor/stale-waiver"}
    assert failure["message"]["text"].startswith("stale waiver gone (removed-pkg, ")


def test_sarif_notifies_that_nothing_was_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = scan([str(tmp_path), "--format", "sarif"], capsys)
    invocation, [failure] = run_failure_notifications(json.loads(out))
    assert code == invocation["exitCode"] == 3 and invocation["executionSuccessful"] is False
    assert failure["level"] == "error" and failure["descriptor"] == {"id": "auditor/nothing-audited"}


def test_sarif_says_a_waiver_expired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An expired waiver no longer waives: its facts are errors, and a notification says why they
    are no longer suppressed, as the text formats do (the SARIF log said nothing of it)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "old"\npackage = "*"\nreason = "r"\nowner = "o"\nexpires = 2020-01-01\n'
    )
    code, out = scan([str(RPMS), "--format", "sarif", "--waivers", str(waivers)], capsys)
    document = json.loads(out)
    validate_sarif(document)
    notifications = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    gate = [n for n in notifications if n.get("descriptor", {}).get("id") == "auditor/gate"]
    assert code == 1
    assert [(n["level"], n["message"]["text"]) for n in gate] == [
        ("warning", "expired waiver old (*, expired 2020-01-01): no longer waives")
    ]


def test_a_taint_of_each_category_says_its_category_and_that_category_s_evidence() -> None:
    """An origin package on a Citrix host and under a proprietary licence taints what needs it
    twice, one fact per category. Both alerts read "app-1.0-1.noarch depends on origin packages:
    ...; which is origin: [citrix-vendor] ...": the proprietary one named the Citrix evidence,
    where `why` and JUnit name the licence, and a waiver of one category left two alerts no
    reader could tell apart."""
    view = view_of(
        audit_of([{"name": "fw", **CITRIX, "license": "Proprietary"}, {"name": "app", "requires": ["fw"]}])
    )
    run = json.loads(FORMATS["sarif"](view))["runs"][0]
    taints = {
        result["properties"]["category"]: result["message"]["text"]
        for result in run["results"]
        if result["ruleId"] == "status/depends"
    }
    assert sorted(taints) == ["citrix", "proprietary"]
    assert "(citrix)" in taints["citrix"] and "which is origin: [citrix-vendor]" in taints["citrix"]
    assert "(proprietary)" in taints["proprietary"]
    assert "which is origin: [proprietary-license]" in taints["proprietary"]
