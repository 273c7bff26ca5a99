"""The release gate: waivers, the baseline ratchet, and their reports."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.core.errors import PolicyError
from auditor.engine import run_audit
from auditor.gate.baseline import load_baseline
from auditor.gate.decision import Disposition, decide
from auditor.gate.options import GateOptions
from auditor.gate.waivers import load_waivers
from auditor.origin.policy import load_policy
from auditor.reports.view import Gate, PackageView, ReportView, build_view
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
REPO = str(EXAMPLE / "repo")
SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())
TODAY = datetime.date(2026, 11, 24)


def audit() -> AuditResult:
    return run_audit(AuditOptions(targets=(REPO,)), load_policy())


def waiver(**fields: object) -> dict[str, object]:
    return {"reason": "accepted", "owner": "release team", "expires": datetime.date(2027, 1, 1), **fields}


GATE = GateOptions(today=TODAY)


def binaries(view: ReportView) -> dict[str, PackageView]:
    """The binary packages' rows by name (their source packages, read beside them, share the names)."""
    return {row.package.name: row for row in view.rows if not row.package.is_source}


def test_waived_findings_stay_visible_and_stop_blocking() -> None:
    result = audit()
    decision = decide(result, GATE, load_waivers([waiver(id="sm", package="sm*")], "test"))
    by_name = binaries(build_view(result, decision))
    for name in ("sm", "sm-cli", "sm-fairlock"):
        assert by_name[name].waivers == ("sm",) and not by_name[name].blocking
        assert by_name[name].gate is Gate.WAIVED and by_name[name].facts  # still visible
    assert by_name["xenopsd"].blocking  # its own status was not waived
    waived = {r.fact.subject for r in decision.rulings if r.disposition is Disposition.WAIVED}
    assert waived == {"sm", "sm-cli", "sm-fairlock"}
    assert decision.stale == () and decision.expired == ()


def test_waiver_scope_by_status_rule_version_and_arch() -> None:
    result = audit()
    waivers = load_waivers(
        [
            waiver(id="only-depends", package="x*", status="depends"),
            waiver(id="only-rule", package="emu-manager", rule="proprietary-license"),
            waiver(id="old-versions", package="v6d-citrix", versions="< 10"),
            waiver(id="other-arch", package="citrix-build-tools", arch="x86_64"),
        ],
        "test",
    )
    decision = decide(result, GATE, waivers)
    by_name = binaries(build_view(result, decision))
    # x* depends: xenopsd and xcp-ng-deps are accepted; xcp-python-libs, an origin, is not.
    assert not by_name["xenopsd"].blocking and not by_name["xcp-ng-deps"].blocking
    assert by_name["xcp-python-libs"].blocking
    assert by_name["emu-manager"].blocking  # its other evidence is not waived
    emu = [item for item in by_name["emu-manager"].facts if item.fact.rule == "proprietary-license"]
    assert emu and all(item.disposition is Disposition.WAIVED for item in emu)  # exactly that rule
    assert by_name["v6d-citrix"].blocking  # 10.1.0 is not < 10
    assert {w.id for w in decision.stale} == {"old-versions", "other-arch"}


def test_expired_waivers_stop_waiving_and_say_so() -> None:
    result = audit()
    decision = decide(
        result, GATE, load_waivers([waiver(id="late", package="sm", expires="2026-01-01")], "t")
    )
    assert [w.id for w in decision.expired] == ["late"]
    sm = next(r for r in result.results if r.package.name == "sm")
    assert decision.blocks(sm.index)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"package": "x", "owner": "o", "expires": "2027-01-01"}, "missing 'reason'"),
        ({"package": "x", "reason": "r", "owner": "o"}, "missing 'expires'"),
        ({"package": "x", "reason": "r", "owner": "o", "expires": "soon"}, "not a date"),
        ({"package": "x", "reason": "r", "owner": "o", "expires": "2027-01-01", "status": "bad"}, "status"),
        (
            {"package": "x", "reason": "r", "owner": "o", "expires": "2027-01-01", "versions": "~ 1"},
            "versions",
        ),
        (
            {"package": "x", "reason": "r", "owner": "o", "expires": "2027-01-01", "colour": "red"},
            "unknown key",
        ),
    ],
)
def test_bad_waivers_are_policy_errors(entry: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_waivers([entry], "auditor.toml")


def test_baseline_ratchet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", REPO]) == 0
    baseline = load_baseline(None)
    assert baseline is not None and len(baseline.entries) > 5
    assert all("version" not in entry and "2.30.8" not in entry["capability"] for entry in baseline.entries)
    # a later run in the same directory picks the baseline up: nothing new, nothing blocks
    assert main(["scan", REPO]) == 0
    capsys.readouterr()
    # with the sources added and build-depends blocking, new findings appear: only they block
    assert (
        main(
            [
                "scan",
                REPO,
                str(EXAMPLE / "srpms"),
                "--format",
                "json",
                "--fail-on",
                "origin,depends,build-depends",
            ]
        )
        == 1
    )
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, SCHEMA)
    new = {(item["package"], item["kind"]) for item in document["gate"]["blocking"]}
    assert ("blktap", "status:build-depends") in new
    assert not any(package == "sm" for package, _ in new)
    # a package no longer audited is not progress: its entries are "gone", not "fixed"
    assert (
        main(["scan", str(EXAMPLE / "srpms"), "--format", "json", "--fail-on", "origin"]) == 0
    )  # sources: same names, same findings
    gate = json.loads(capsys.readouterr().out)["gate"]
    assert any(entry["package"] == "sm-cli" for entry in gate["gone"])
    assert not any(entry["package"] == "sm-cli" for entry in gate["fixed"])
    before = len(baseline.entries)
    wider = ["--fail-on", "origin,depends,build-depends"]
    assert main(["baseline", REPO, str(EXAMPLE / "srpms"), *wider]) == 0
    assert "NOT recorded" in capsys.readouterr().err
    after = load_baseline(None)
    assert after is not None and len(after.entries) == before
    assert main(["baseline", REPO, str(EXAMPLE / "srpms"), *wider, "--rewrite"]) == 0
    grown = load_baseline(None)
    assert grown is not None and len(grown.entries) > before


def test_fingerprints_ignore_versions(tmp_path: Path) -> None:
    result = audit()
    prints = {ruling.fact.fingerprint for ruling in decide(result, GATE).blocking}
    for item in result.results:  # same packages at another version and path: same fingerprints
        object.__setattr__(item.package, "version", "99.0")
        object.__setattr__(item.package, "location", "/elsewhere/x.rpm")
    assert {ruling.fact.fingerprint for ruling in decide(result, GATE).blocking} == prints


def test_corrupt_baseline_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "baseline.json"
    broken.write_text("{not json")
    assert main(["scan", REPO, "--baseline", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err


def test_stale_waivers_can_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.toml").write_text(
        '[[waiver]]\npackage = "ghost"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    assert main(["scan", str(EXAMPLE / "repo" / "Packages" / "ocaml-4.14.1-1.xcpng.noarch.rpm")]) == 0
    assert "stale waiver" in capsys.readouterr().out
    assert (
        main(
            [
                "scan",
                str(EXAMPLE / "repo" / "Packages" / "ocaml-4.14.1-1.xcpng.noarch.rpm"),
                "--stale-waivers",
                "block",
            ]
        )
        == 1
    )
