"""The shipped example (examples/xcp-ng-mini, built by its build.py with rpmbuild): its expected findings."""

from __future__ import annotations

import gc

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.engine import run_audit
from auditor.gate.decision import decide
from auditor.origin.policy import load_policy
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
EXPECTED = {
    "v6d-citrix-10.1.0-1.xs8.noarch": "origin",
    "v6d-citrix-10.1.0-1.xs8.src": "origin",
    "emu-manager-1.3.0-1.xcpng.noarch": "origin",
    "emu-manager-1.3.0-1.xcpng.src": "origin",
    "citrix-build-tools-3.0-1.xcpng.noarch": "origin",
    "citrix-build-tools-3.0-1.xcpng.src": "origin",
    "sm-2.30.8-1.xcpng.noarch": "origin",  # from repodata alone: its gitsha() provide
    "sm-cli-2.30.8-1.xcpng.noarch": "origin",  # built from sm.src, whose Source0 is internal
    "sm-fairlock-2.30.8-1.xcpng.noarch": "origin",
    "xenopsd-0.150.0-1.xcpng.noarch": "depends",  # through a file requirement
    "xcp-ng-deps-1.0-1.xcpng.noarch": "depends",
    "xapi-core-1.249.0-1.xcpng.noarch": "depends",  # xcp-python-libs is now an origin
    "blktap-3.54.0-1.xcpng.src": "build-depends",
    "blktap-3.54.0-1.xcpng.noarch": "build-depends",
    "xenopsd-0.150.0-1.xcpng.src": "build-depends",
    "xcp-featured-1.1.0-1.xcpng.noarch": "clean",
    "xcp-emu-manager-1.2.0-1.xcpng.noarch": "clean",
    "xcp-python-libs-3.0.0-1.xcpng.noarch": "origin",  # github.com/xenserver is a XenServer repository
    "xcp-python-libs-tools-3.0.0-1.xcpng.noarch": "origin",
    "xenserver-lvm2-2.02.180-1.xcpng.noarch": "clean",  # a name prefix is not evidence
    "xcp-ng-release-1.0-1.xcpng.noarch": "clean",
    "ocaml-4.14.1-1.xcpng.noarch": "clean",
    "xapi-1.249.0-1.xcpng.src": "clean",
    "sm-2.30.8-1.xcpng.src": "origin",  # its SRPM is read: Source0 on code.citrite.net
}


@pytest.fixture(scope="module")
def audit() -> AuditResult:
    options = AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")))
    return run_audit(options, load_policy())


def test_expected_statuses(audit: AuditResult) -> None:
    statuses = {result.package.nevra: result.verdict.value for result in audit.results}
    assert {nevra: statuses[nevra] for nevra in EXPECTED} == EXPECTED
    assert audit.errors == []
    assert int(decide(audit).exit_code) == 1


def test_expected_evidence(audit: AuditResult) -> None:
    by_nevra = {result.package.nevra: result for result in audit.results}
    v6d = {(f.rule, f.field) for f in by_nevra["v6d-citrix-10.1.0-1.xs8.noarch"].findings if f.effective}
    assert {
        ("xenserver-proprietary-component", "name"),
        ("citrix-vendor", "vendor"),
        ("proprietary-license", "license"),
    } <= v6d
    replacement = {f.replacement for f in by_nevra["v6d-citrix-10.1.0-1.xs8.noarch"].findings}
    assert "xcp-featured" in replacement
    sm = by_nevra["sm-2.30.8-1.xcpng.noarch"].findings
    assert [(f.rule, f.field) for f in sm] == [("citrix-internal-host", "provides")]
    python_libs = by_nevra["xcp-python-libs-3.0.0-1.xcpng.noarch"].findings
    # github.com/xenserver is a XenServer repository: an origin, of category citrix (its own URL
    # tag, and the same URL found on the source package it inherits from).
    assert {(f.rule, f.effective, f.category.value) for f in python_libs} == {
        ("citrix-public-organisation", True, "citrix")
    }
    for result in audit.results:  # the changelog author jane.doe@citrix.com is never evidence
        assert all("jane.doe" not in f.value for f in result.findings)


def test_chains_name_each_requirement(audit: AuditResult) -> None:
    by_nevra = {result.package.nevra: result for result in audit.results}
    chain = by_nevra["xcp-ng-deps-1.0-1.xcpng.noarch"].chain
    names = [audit.packages[hop.target].name for hop in chain]
    assert names == ["xenopsd", "sm-cli", "sm"]  # one of its shortest chains, through a file requirement
    # sm-cli is an origin through the source it was built from: the last hop is built-from.
    assert [hop.requirement for hop in chain] == ["xenopsd", "/usr/bin/sm-cli", "sm-2.30.8-1.xcpng.src.rpm"]
    assert chain[-1].kind == "built-from"
    xenopsd = by_nevra["xenopsd-0.150.0-1.xcpng.noarch"].chain
    assert [audit.packages[hop.target].name for hop in xenopsd] == ["sm-cli", "sm"]
    assert [hop.requirement for hop in xenopsd] == ["/usr/bin/sm-cli", "sm-2.30.8-1.xcpng.src.rpm"]
    blktap = by_nevra["blktap-3.54.0-1.xcpng.noarch"].chain
    assert [hop.kind for hop in blktap] == ["built-from", "buildrequires"]
    sole = by_nevra["xapi-core-1.249.0-1.xcpng.noarch"].chain[0]
    assert (sole.requirement, sole.alternatives, sole.tainted) == ("xcp-python-libs", 1, 1)


def test_roots(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["why", "sm", str(EXAMPLE / "repo"), "--roots", "xcp-ng-deps"])
    out = capsys.readouterr().out
    assert code == 1
    assert "pulled in by: xcp-ng-deps-1.0-1.xcpng.noarch -> xenopsd" in out
    assert "needed by:" in out and "sm-cli" in out


def test_the_readme_command_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")]) == 1
    assert "xapi-core-1.249.0-1.xcpng.noarch" in capsys.readouterr().out


def test_a_run_leaves_no_cycles_for_the_paused_collector() -> None:
    # The command runs with the cyclic collector paused: anything in a reference cycle
    # would stay in memory until the end (an expat parser and its handlers did, 20% of a
    # distribution's heap).
    options = AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")), cache=False)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = run_audit(options, load_policy())
        assert result.results
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kinds = sorted({type(item).__name__ for item in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert kinds == []
