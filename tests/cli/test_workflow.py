"""Contributor check, independence plan and release diff on the shipped example."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import weakref
from pathlib import Path

import pytest

from auditor.audit.check import audit_change
from auditor.audit.options import AuditOptions
from auditor.audit.plan import make_plan
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.engine import open_run, run_audit, run_check
from auditor.gate.options import GateOptions
from auditor.gate.packagechanges import Basis
from auditor.origin.policy import load_policy
from auditor.reports import check_report
from auditor.reports.check_report import check_view
from auditor.reports.check_sides import BaseRecord, keep_base
from auditor.sources.interface import LoadResult
from tests.conftest import RPMS
from tests.deps.built import CITRIX, build_repository
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
BASE = (str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"))

NEW_XAPI = """\
Name: xapi
Version: 1.250.0
Release: 1.xcpng
Summary: the toolstack, next version
License: LGPLv2
URL: https://github.com/xapi-project/xen-api
Source0: https://github.com/xapi-project/xen-api/archive/v%{version}/xen-api-%{version}.tar.gz
BuildArch: noarch
%description
x
%package core
Summary: core
Requires: %{?with_emu:emu-manager}%{!?with_emu:xcp-emu-manager}
Requires: xcp-featured
%description core
x
%files core
%{_datadir}/xapi
"""


def write_spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "xapi.spec"
    path.write_text(text)
    return str(path)


def test_a_clean_change_passes_and_shows_what_improves(tmp_path: Path) -> None:
    change = run_check((write_spec(tmp_path, NEW_XAPI),), BASE, AuditOptions(targets=()), load_policy())
    result = check_view(change, GateOptions())
    statuses = {c.after.nevra: (c.before.status if c.before else None, c.after.status) for c in result.new}
    assert statuses["xapi-core-1.250.0-1.xcpng.noarch"] == ("depends", "clean")  # no more xcp-python-libs
    assert {c.basis for c in result.new} == {Basis.NEWEST}  # 1.249.0 is in BASE, 1.250.0 is not
    assert result.regressions == [] and int(result.exit_code) == 0
    # xcp-ng-deps still depends through xenopsd, but no longer may depend on proprietary code
    # (emu-manager, an alternative the old xapi-core's requirement allowed): one fact fixed.
    [(old, new)] = [pair for pair in result.better if not pair[1].nevra.endswith(".src")]
    assert new.name == "xcp-ng-deps" and (old.status, new.status) == ("depends", "depends")
    assert "may-depend" in old.statuses and "may-depend" not in new.statuses


def test_a_change_that_brings_a_citrix_dependency_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(
        tmp_path,
        NEW_XAPI.replace("Requires: xcp-featured", "Requires: xcp-featured, v6d-citrix, nowhere >= 1"),
    )
    assert main(["check", spec, "--against", *BASE, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    # xapi-core depended on Citrix before (xcp-python-libs); needing v6d-citrix, Citrix's and
    # proprietary, is new (a fact per origin package and category), and so is what it brings
    # xcp-ng-deps (proprietary code it only might have needed before), and the requirement
    # nothing provides.
    assert [(r["package"], r["kind"], r["capability"]) for r in document["regressions"]] == [
        ("xapi-core", "depends", "citrix:v6d-citrix"),
        ("xapi-core", "depends", "proprietary:v6d-citrix"),
        ("xapi-core", "unresolved", "nowhere"),
        ("xcp-ng-deps", "depends", "proprietary:v6d-citrix"),
    ]
    [core] = [item for item in document["new"] if item["nevra"] == "xapi-core-1.250.0-1.xcpng.noarch"]
    assert (core["before"], core["after"]) == ("depends", "depends") and "v6d-citrix" in core["why"]
    assert main(["check", spec, "--against", *BASE, "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "makes things worse" in markdown and "`xapi-core-1.250.0-1.xcpng.noarch`" in markdown


def test_defines_decide_spec_conditionals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, NEW_XAPI)
    statuses = {}
    for defines in ([], ["--define", "with_emu 1"]):
        main(["check", spec, "--against", *BASE, *defines, "--format", "json"])
        new = json.loads(capsys.readouterr().out)["new"]
        statuses[bool(defines)] = next(i for i in new if i["nevra"].startswith("xapi-core-"))
    assert statuses[False]["after"] == "clean"  # xcp-emu-manager
    assert statuses[True]["after"] == "depends" and "emu-manager" in statuses[True]["why"]


def test_undefine_decides_a_machine_conditional(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--undefine xenserver`` (rpmbuild's option), or ``undefine`` in auditor.toml, says the
    build host lacks the macro: XCP-ng's specs test ``%if 0%{?xenserver} >= 9`` by the dozen,
    each read both ways without it. The command line's --define wins over the file's word."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "case.spec"
    spec.write_text(
        "Name: case\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%if 0%{?xenserver} >= 9\n"
        "Source1: https://code.citrite.net/x.tgz\n%endif\n%description\nd\n%files\n"
    )

    def scan(*extra: str) -> int:
        code = main(["scan", str(spec), "--no-cache", "--strict", "-q", "--format", "json", *extra])
        capsys.readouterr()
        return code

    assert scan() == 3  # read both ways: the Citrix Source, and a gap under --strict
    assert scan("--undefine", "xenserver") == 0
    (tmp_path / "auditor.toml").write_text('[audit]\nundefine = ["xenserver"]\ndefine = { dist = ".x" }\n')
    assert scan() == 0
    assert scan("--define", "xenserver 9") == 1  # decided the other way: the Citrix Source
    (tmp_path / "auditor.toml").write_text('[audit]\nundefine = ["_target"]\n')
    assert scan() == 2
    (tmp_path / "auditor.toml").write_text('[audit]\nundefine = ["a b"]\n')
    assert scan() == 2


@pytest.mark.parametrize(
    "arguments",
    [["--undefine", "_target"], ["--undefine", "a b"], ["--undefine", "x", "--define", "x 1"]],
    ids=["rpm-defines-it", "two-words", "also-defined"],
)
def test_undefine_refuses_what_it_cannot_settle(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm sets %_target again after the command line: undefined here, it would read the clean
    branch where rpm reads the other."""
    spec = write_spec(tmp_path, NEW_XAPI)
    assert main(["scan", spec, "--no-cache", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--undefine" in err


def test_spec_code_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = NEW_XAPI.replace(
        "Summary: core", f"Summary: core %(touch {marker})\nRequires: %{{lua: os.execute('touch {marker}')}}"
    )
    assert main(["check", write_spec(tmp_path, text), "--against", *BASE]) in (0, 1)
    assert not marker.exists()


def test_plan_ranks_what_to_replace_first() -> None:
    audit = run_audit(AuditOptions(targets=BASE), load_policy())
    plan = make_plan(audit)
    order = [(item.source, len(item.holds_back)) for item in plan.items]
    assert order[:3] == [("citrix-build-tools", 3), ("sm", 1), ("xcp-python-libs", 1)]
    # Replacing sm alone clears xenopsd's depends, its only taint the gate blocks by default,
    # although xenopsd still cannot be built without citrix-build-tools (build-depends).
    [sm] = [item for item in plan.items if item.source == "sm"]
    assert [audit.packages[i].nevra for i in sm.holds_back] == ["xenopsd-0.150.0-1.xcpng.noarch"]
    by_source = {item.source: item for item in plan.items}
    assert by_source["v6d-citrix"].replacements == ["xcp-featured"]
    assert {audit.packages[i].name for i in by_source["v6d-citrix"].obsoleted_by} >= {"xcp-featured"}
    assert [audit.packages[i].name for i in plan.avoidable] == []
    # xcp-ng-deps needs sm and xcp-python-libs replaced
    assert sorted(audit.packages[i].name for i in plan.needs_more) == ["xcp-ng-deps"]


def test_the_plans_text_keeps_its_table_and_sections_on_lines_of_their_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", *BASE, "-q", "--no-cache"]) in (0, 1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Replace or rebuild, most blocking first:"
    assert lines[1].split() == ["#", "origin", "source", "holds", "back", "packages", "replacement"]
    assert any(line.split()[:2] == ["1", "citrix-build-tools"] for line in lines)
    assert "Not cleared by any single replacement (rebuild, or replace several):" in lines


def test_a_plan_made_without_some_evidence_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """Without the source packages, citrix-build-tools' Source URLs and the BuildRequires on it
    are not seen and it is missing from the ranking: the plan itself must say it is incomplete,
    not only a warning on standard error."""
    repo = str(EXAMPLE / "repo")
    assert main(["plan", repo, "-q", "--no-cache", "--no-source-discovery", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["completeness"]["complete"] is False
    assert {"reason": "source-not-audited", "count": 17} in document["completeness"]["reasons"]
    assert main(["plan", repo, "-q", "--no-cache", "--no-source-discovery"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "incomplete: 17 source-not-audited: the plan covers only what was seen"
    )
    assert main(["plan", *BASE, "-q", "--no-cache", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["completeness"]["complete"] is True


def test_diff_between_a_report_and_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "old.json"
    assert main(["scan", *BASE, "--format", "json", "-o", str(report)]) == 1
    spec = write_spec(tmp_path, NEW_XAPI)
    assert main(["diff", str(report), spec, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {"old": "xapi-core-1.249.0-1.xcpng.noarch", "new": "xapi-core-1.250.0-1.xcpng.noarch"} in document[
        "upgraded"
    ]
    # Only the spec is on the new side: v6d-citrix was not fixed, it is no longer there.
    gone = [item for item in document["facts"] if item["package"].startswith("v6d-citrix")]
    assert gone and all(item["change"] == "gone" for item in gone)
    assert main(["diff", str(report), str(report), "--format", "markdown"]) == 0
    assert "Independence progress" in capsys.readouterr().out


def test_a_check_of_nothing_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A change that brings no package, or a base that holds none, is an audit of nothing:
    never a pass (a PR job whose build produced no RPM, an --against path that is wrong)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", str(empty), "--against", *BASE, "--format", "json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["headline"] == "failed: the change holds no package (NEW gave nothing to audit)"
    assert document["exit_code"] == 3
    assert main(["check", str(RPMS / "epochs-1.2-4.noarch.rpm"), "--against", str(empty), "--strict"]) == 3
    assert "failed: BASE holds no package" in capsys.readouterr().out


def test_a_check_says_what_it_did_not_see(capsys: pytest.CaptureFixture[str]) -> None:
    """A new binary whose source package is not given: the check passes, and every format and
    standard error say the audit is incomplete; --strict fails it, and says why."""
    new = str(RPMS / "payload-xz-1.0-1.noarch.rpm")
    assert main(["check", new, "--against", *BASE, "--format", "json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["completeness"]["complete"] is False
    assert document["completeness"]["summary"] == "incomplete: 1 source-not-audited"
    assert document["headline"].startswith("nothing gets worse, but the audit is incomplete: ")
    assert "auditor: warning: the audit with the change is incomplete: " in captured.err
    assert main(["check", new, "--against", *BASE, "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### ⚠️ auditor check: nothing gets worse, but the audit is")
    assert main(["check", new, "--against", *BASE, "--strict", "--format", "json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["headline"].startswith("failed: evidence was not seen and --strict is set (1 new gap(s))")


def test_a_new_packages_why_is_its_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A source package and its binary share a name: each new package's why is its own row's
    (x86_64 sorts after src, so the first row of the name is the source package's)."""
    text = NEW_XAPI.replace("BuildArch: noarch\n", "Requires: nowhere-at-all\n")
    text = text.replace("%description core", "%files\n%{_datadir}/xapi-main\n%description core")
    assert main(["check", write_spec(tmp_path, text), "--against", *BASE, "--format", "json"]) == 1
    new = {item["nevra"]: item for item in json.loads(capsys.readouterr().out)["new"]}
    assert "nowhere-at-all" in new["xapi-1.250.0-1.xcpng.x86_64"]["why"]
    assert "nowhere-at-all" not in new["xapi-1.250.0-1.xcpng.src"]["why"]


def test_facts_whose_evidence_left_the_run_are_gone_not_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same binaries without their source packages: the evidence the sources carried is no
    longer seen (a source-not-audited gap), which is no progress, in diff, --compare and the
    baseline alike."""
    monkeypatch.chdir(tmp_path)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    binaries = [BASE[0], "--no-source-discovery", "--no-cache"]
    assert main(["scan", *BASE, "--no-cache", "--format", "json", "-o", str(old)]) == 1
    main(["scan", *binaries, "--format", "json", "-o", str(new)])
    capsys.readouterr()
    main(["diff", str(old), str(new), "--format", "json"])
    facts = json.loads(capsys.readouterr().out)["facts"]
    unseen = {item["package"] for item in facts if item["change"] == "new" and item["kind"] == "gap"}
    assert unseen
    assert [f for f in facts if f["change"] == "fixed" and f["package"] in unseen] == []
    assert any(f["change"] == "gone" and f["package"] in unseen for f in facts)
    assert main(["baseline", *BASE, "--no-cache", "-q"]) == 0
    main(["scan", *binaries, "--format", "json", "-o", str(new)])
    gate = json.loads(new.read_text())["gate"]
    assert gate["fixed"] == [] and gate["gone"]


def test_diff_against_nothing_fails_and_an_incomplete_side_claims_no_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty later release, or the report of an audit of nothing, is no release to compare
    (exit 3); the same release read from its metadata alone fixes nothing, and says so."""
    old, meta, nothing = tmp_path / "old.json", tmp_path / "meta.json", tmp_path / "nothing.json"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["scan", *BASE, "--no-cache", "--format", "json", "-o", str(old)]) == 1
    assert main(["scan", str(empty), "--no-cache", "--format", "json", "-o", str(nothing)]) == 3
    assert main(["scan", *BASE, "--metadata-only", "--no-cache", "--format", "json", "-o", str(meta)]) == 1
    capsys.readouterr()
    assert main(["diff", str(old), str(empty), "--no-cache"]) == 3
    assert main(["diff", str(old), str(nothing)]) == 3
    assert "an audit of nothing is no release to compare" in capsys.readouterr().err
    assert main(["diff", str(old), str(meta), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["incomplete"]["new"].startswith("incomplete: ") and document["incomplete"]["old"] == ""
    assert [item for item in document["facts"] if item["change"] == "fixed"] == []


def test_diff_under_strict_fails_when_a_side_did_not_see_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--strict`` makes evidence not seen fail every command that audits (review 15, F9):
    ``diff`` accepted it and exited 0 beside an incomplete later (or earlier) side."""
    old, meta = tmp_path / "old.json", tmp_path / "meta.json"
    assert main(["scan", *BASE, "--no-cache", "--format", "json", "-o", str(old)]) == 1
    assert main(["scan", *BASE, "--metadata-only", "--no-cache", "--format", "json", "-o", str(meta)]) == 1
    capsys.readouterr()
    assert main(["diff", str(old), str(meta), "--strict", "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["incomplete"]["new"].startswith("incomplete: ")  # the report is written
    assert "auditor: error: the later audit is incomplete: " in captured.err and "--strict" in captured.err
    assert main(["diff", str(meta), str(old), "--strict"]) == 3
    assert "the earlier audit is incomplete: " in capsys.readouterr().err
    assert main(["diff", str(old), str(old), "--strict"]) == 0
    assert main(["diff", str(old), str(meta)]) == 0  # without --strict it reports, as before


def test_diff_under_strict_passes_where_scan_does_when_waivers_accept_the_gaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A binary without its source package, whose gap auditor.toml's waiver accepts: `scan
    --strict` passes; `diff --strict` of it, from the input or from its report, failed (exit 3)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.toml").write_text(
        '[[waiver]]\npackage = "*"\nrule = "gap:source-not-audited"\nreason = "built elsewhere"\n'
        'owner = "o"\nexpires = 2099-01-01\n'
    )
    binary, report = str(RPMS / "payload-xz-1.0-1.noarch.rpm"), tmp_path / "report.json"
    assert main(["scan", binary, "--strict", "-q", "--format", "json", "-o", str(report)]) == 0
    assert json.loads(report.read_text())["completeness"]["waived"] == 1
    capsys.readouterr()
    assert main(["diff", binary, binary, "--strict"]) == 0, capsys.readouterr().err
    assert main(["diff", str(report), binary, "--strict"]) == 0, capsys.readouterr().err
    (tmp_path / "auditor.toml").unlink()  # no waiver: the gap fails both
    assert main(["scan", binary, "--strict", "-q"]) == 3
    assert main(["diff", str(report), binary, "--strict"]) == 3
    assert "the later audit is incomplete: 1 source-not-audited, and --strict" in capsys.readouterr().err


def test_a_waiver_file_scan_is_given_every_command_that_decides_is_given_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`baseline` refused a gap and said to accept it with a waiver, but took no --waivers (nor
    did `diff` and `plan`, which decide on waivers too): only auditor.toml could hold it."""
    monkeypatch.chdir(tmp_path)
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "*"\nrule = "gap:source-not-audited"\nreason = "built elsewhere"\n'
        'owner = "o"\nexpires = 2099-01-01\n'
    )
    binary = str(RPMS / "payload-xz-1.0-1.noarch.rpm")
    assert main(["baseline", binary, "-q", "--no-cache"]) == 3
    assert 'accept each gap with a waiver (rule = "gap:KIND")' in capsys.readouterr().err
    assert main(["baseline", binary, "-q", "--no-cache", "--waivers", str(waivers)]) == 0
    assert (tmp_path / ".auditor-baseline.json").exists()
    assert main(["diff", binary, binary, "--strict", "-q", "--no-cache", "--waivers", str(waivers)]) == 0
    assert main(["plan", binary, "--strict", "-q", "--no-cache", "--waivers", str(waivers)]) == 0
    assert main(["plan", binary, "--strict", "-q", "--no-cache"]) == 3
    # A waiver file that cannot be used is refused even where no side is audited (two reports).
    report = tmp_path / "report.json"
    assert main(["scan", binary, "-q", "--no-cache", "--format", "json", "-o", str(report)]) in (0, 1)
    capsys.readouterr()
    assert main(["diff", str(report), str(report), "--waivers", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: no such waiver file" in capsys.readouterr().err


def test_diff_refuses_the_report_of_an_audit_that_could_not_read_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As ``diff`` of the inputs themselves does (exit 3): its unread packages would count as
    gone and their blocking facts as fixed (red team 11, #04)."""
    old, cut = tmp_path / "old.json", tmp_path / "cut.json"
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", broken)
    (broken / "cut.rpm").write_bytes((RPMS / "epochs-1.2-4.noarch.rpm").read_bytes()[:300])
    assert main(["scan", *BASE, "--no-cache", "--format", "json", "-o", str(old)]) == 1
    assert main(["scan", str(broken), "--no-cache", "--format", "json", "-o", str(cut)]) == 3
    capsys.readouterr()
    assert main(["diff", str(broken), str(broken), "--no-cache"]) == 3
    assert main(["diff", str(old), str(cut)]) == 3
    assert (
        f"auditor: error: {cut}: its audit could not read 1 input(s); the first: " in capsys.readouterr().err
    )


def test_a_waiver_of_the_source_package_alone_leaves_its_binary_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fingerprint names the package, not its arch: the source package and the binary that
    inherits its evidence share one. A waiver scoped to ``arch = "src"`` covers the first
    only; ``check`` let the waived one stand for both and said nothing got worse, while
    ``scan`` blocked (review 8b, finding 3)."""
    top = tmp_path / "rpmbuild"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "foo.tar.gz").write_bytes(b"")
    spec = tmp_path / "foo.spec"
    spec.write_text(
        "Name: foo\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Source0: https://code.citrite.net/foo.tar.gz\n%description\nd\n%files\n"
    )
    subprocess.run(["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    new = [str(next((top / "SRPMS").glob("*.src.rpm"))), str(next((top / "RPMS").rglob("*.noarch.rpm")))]
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "foo"\narch = "src"\nreason = "rebuilt next sprint"\n'
        'owner = "release team"\nexpires = 2099-12-31\n'
    )
    for order in (new, new[::-1]):
        code = main(["check", *order, "--against", *BASE, "--waivers", str(waivers), "--format", "json"])
        document = json.loads(capsys.readouterr().out)
        assert [(r["package"], r["kind"]) for r in document["regressions"]] == [("foo", "origin")]
        assert code == 1


FOO_WITH_EXTRA = """\
Name: foo
Version: 1.0
Release: 1
Summary: t
License: MIT
URL: https://example.org/
BuildArch: noarch
AutoReqProv: no
%description
t
%package extra
Summary: x
%description extra
x
%install
mkdir -p %{buildroot}/usr/share/foo
echo x > %{buildroot}/usr/share/foo/a
echo x > %{buildroot}/usr/share/foo/b
%files
/usr/share/foo/a
%files extra
/usr/share/foo/b
"""


def test_a_base_binary_the_change_does_not_replace_keeps_its_source_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec of foo-1.0-1 no longer builds foo-extra: the BASE foo-extra stays, built from
    the BASE SRPM, which the spec's source package replaced. It lost its source package and
    'check --strict' failed on a gap the change did not cause (review 9b, finding 1)."""
    top = tmp_path / "rpmbuild"
    spec = tmp_path / "foo.spec"
    spec.write_text(FOO_WITH_EXTRA)
    subprocess.run(["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    base = tmp_path / "base"
    for directory, pattern in (("noarch", "RPMS/noarch/*.rpm"), ("SRPMS", "SRPMS/*.rpm")):
        (base / directory).mkdir(parents=True)
        for built in top.glob(pattern):
            shutil.copy(built, base / directory)
        subprocess.run(["createrepo_c", "--quiet", str(base / directory)], check=True)
    new = tmp_path / "new" / "foo.spec"
    new.parent.mkdir()
    new.write_text(FOO_WITH_EXTRA.split("%package extra")[0] + "%install\n%files\n")
    code = main(["check", str(new), "--against", str(base / "noarch"), "--strict", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["regressions"] == [] and document["worse"] == []
    assert sorted(item["nevra"] for item in document["new"]) == ["foo-1.0-1.noarch", "foo-1.0-1.src"]
    assert code == 0


def test_a_change_outside_what_the_roots_install_gets_nothing_worse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --roots, a change none of whose packages the roots pull in changes nothing they
    install (scan of the same inputs leaves it out): it is no change of no package, which
    fails (red team 11, #05)."""
    change = str(RPMS / "epochs-1.2-4.noarch.rpm")
    main(["scan", change, *BASE, "--roots", "sm", "--no-cache", "--format", "json"])
    assert "epochs" not in {package["name"] for package in json.loads(capsys.readouterr().out)["packages"]}
    code = main(["check", change, "--against", *BASE, "--roots", "sm", "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["headline"].startswith(
        "nothing gets worse (the change is outside what the roots install)"
    )
    assert code == document["exit_code"] == 0


def test_compare_counts_what_blocked_from_the_facts_it_compares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The count before came from the report's summary, the facts compared from its facts: a
    report whose facts were all cleared said "51 in the earlier report, 51 now (no change)"
    beside "33 facts block now that did not before"."""
    report = tmp_path / "old.json"
    assert main(["scan", "-q", *BASE, "--format", "json", "-o", str(report)]) == 1
    document = json.loads(report.read_text())
    for package in document["packages"]:
        for fact in package["facts"]:
            fact["blocks"] = False
    report.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["diff", str(report), BASE[0], "--format", "json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert compared["blocking"] == {"old": 0, "new": 51}
    page = tmp_path / "page.html"
    assert main(["scan", "-q", *BASE, "--compare", str(report), "-o", str(page)]) == 1
    assert "0 in the earlier report, 51 now" in page.read_text()


def test_compare_rules_the_earlier_report_with_this_scans_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report written with --fail-on origin, compared by a scan of the same release with the
    default --fail-on: the page read "36 in the earlier report, 51 now (+15); 11 facts block now
    that did not before", every one of them a depends the earlier gate did not ask about."""
    report = tmp_path / "old.json"
    assert main(["scan", "-q", *BASE, "--fail-on", "origin", "-o", str(report)]) == 1
    page = tmp_path / "page.html"
    assert main(["scan", "-q", *BASE, "--compare", str(report), "-o", str(page)]) == 1
    capsys.readouterr()
    assert (
        "51 in the earlier report, 51 now (no change); 0 facts block now that did not before"
        in page.read_text()
    )


def test_compare_refuses_a_fact_whose_blocks_is_not_a_boolean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bool("false") is True: a string read as the flag turned an accepted fact blocking."""
    report = tmp_path / "old.json"
    assert main(["scan", "-q", *BASE, "--format", "json", "-o", str(report)]) == 1
    document = json.loads(report.read_text())
    document["packages"][0]["facts"][0]["blocks"] = "false"
    report.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["diff", str(report), BASE[0]]) == 3
    assert f"{report}: malformed report (TypeError: blocks is str, not a boolean)" in capsys.readouterr().err


def test_a_check_that_blocks_still_says_what_it_did_not_see(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change that makes things worse and whose audit is incomplete (a `%(shell)` line the
    auditor never runs): the Markdown comment and the table said only "makes things worse";
    that the audit missed evidence was in the JSON's completeness and on standard error alone."""
    text = NEW_XAPI.replace("BuildArch: noarch\n", "BuildArch: noarch\nBuildRequires: nowhere-at-all\n")
    text = text.replace("%description\n", "%global kv %(uname -r)\n%description\n", 1)
    spec = write_spec(tmp_path, text)
    for fmt in ("table", "markdown", "json"):
        assert main(["check", spec, "--against", *BASE, "--format", fmt]) == 1
        out = capsys.readouterr().out
        headline = json.loads(out)["headline"] if fmt == "json" else out.splitlines()[0]
        assert "makes things worse: 1 new blocking fact(s); and the audit is incomplete: " in headline
        assert "spec-code" in headline
        # and which line was not seen, in every format (the JSON in its facts)
        assert "spec-code: " in out and "%global kv %(uname -r)" in out


def test_a_change_no_host_of_the_arch_installs_is_a_check_of_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --roots, a change none of whose packages a host of --arch installs (an i686
    package on aarch64) audits nothing of the change, as `scan` of it audits nothing and exits 3:
    `check` passed it as "the change is outside what the roots install", with no roots given."""
    change = str(RPMS / "multilib-1.0-1.i686.rpm")
    assert main(["scan", change, "--arch", "aarch64", "--no-cache", "--format", "json"]) == 3
    capsys.readouterr()
    code = main(["check", change, "--against", *BASE, "--arch", "aarch64", "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert "roots" not in document["headline"]
    assert document["headline"].startswith("failed: none of the 1 package(s) of the change was audited")
    assert code == document["exit_code"] == 3


def test_define_is_read_as_rpm_reads_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rpm ends a --define's name at the first character that cannot be in one, and any white
    space parts it from the body: 'srcurl<TAB>URL' defines %srcurl (rpmspec -P shows the Source).
    Split at the first space alone, it defined a macro named 'srcurl\\tURL': the Citrix Source
    was an unexpanded-source gap, and the check passed. What rpm reads otherwise than meant, or
    refuses, is a usage error naming the option."""
    spec = tmp_path / "d.spec"
    spec.write_text(
        "Name: d\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: %{srcurl}\n%description\nd\n%files\n"
    )
    url = "https://repo.citrite.net/a.tgz"
    shown = subprocess.run(
        ["rpmspec", "-P", "--define", f"srcurl\t{url}", str(spec)], capture_output=True, text=True, check=True
    )
    assert f"Source0: {url}" in shown.stdout
    for separator in ("\t", " ", "  \t"):
        assert main(["check", str(spec), "--against", *BASE, "--define", f"srcurl{separator}{url}"]) == 1
        assert "[citrix-internal-host] source0: https://repo.citrite.net/a.tgz" in capsys.readouterr().out
    for wrong in (f"srcurl={url}", "srcurl", f"srcurl() {url}", f"_ {url}"):
        assert main(["check", str(spec), "--against", *BASE, "--define", wrong]) == 2
        assert f"auditor: error: --define {wrong!r}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "define",
    ['{ "dist=.x" = "1" }', '{ dist = "" }', '{ "_" = "1" }', '{ "a-b" = "1" }'],
    ids=["name-with-equals", "empty-value", "underscore-alone", "name-with-dash"],
)
def test_the_project_files_define_takes_what_rpm_defines(
    define: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """auditor.toml's ``define`` refused only names with white space: a name rpm refuses (or
    never reads, ``dist=.x``) or an empty value (rpm: "Macro %dist has empty body") defined
    nothing rpm defines, silently; now a policy error (exit 2) naming the entry."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.toml").write_text(f"[audit]\ndefine = {define}\n")
    assert main(["scan", write_spec(tmp_path, NEW_XAPI), "--no-cache", "-q"]) == 2
    assert "auditor.toml: audit.define: " in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--bcond-with", "--bcond-without"])
def test_a_wrong_build_conditional_names_its_option(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The error named rpmbuild's `--with 'cit rix'`, which is this command's option for
    context inputs: the user was sent to the wrong option."""
    assert main(["scan", write_spec(tmp_path, NEW_XAPI), option, "cit rix", "--no-cache"]) == 2
    assert f"auditor: error: {option} 'cit rix': a build conditional is" in capsys.readouterr().err


def test_a_spec_and_the_srpm_made_of_it_are_two_new_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contributor gives the spec and the SRPM rpmbuild made of it. The spec `%include`s a
    Source that adds a citrite Source2: the spec reads it as a spec-code gap, the SRPM's SPEC
    tag holds it. One record per NEVRA was kept, the spec's: the new packages showed
    `inc-1.0-1.src (new) -> clean` beside a new blocking fact of inc, the origin row gone."""
    sources = tmp_path / "SOURCES"
    sources.mkdir()
    (sources / "extra.inc").write_text("Source2: https://repo.citrite.net/hidden.tgz\n")
    for name in ("inc.tgz", "hidden.tgz"):  # rpmbuild -bs packs every Source
        (sources / name).write_text("")
    spec = tmp_path / "inc.spec"
    spec.write_text(
        "Name: inc\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Source0: inc.tgz\nSource1: extra.inc\n%include %{SOURCE1}\n%description\nd\n%files\n"
    )
    defines = [f"_topdir {tmp_path}", f"_sourcedir {sources}", f"_srcrpmdir {tmp_path}"]
    command = ["rpmbuild", "-bs", "--quiet", *(item for value in defines for item in ("--define", value))]
    subprocess.run([*command, str(spec)], check=True, capture_output=True)
    srpm = str(tmp_path / "inc-1.0-1.src.rpm")
    assert main(["check", str(spec), srpm, "--against", *BASE, "--no-cache", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    rows = sorted(
        (item["after"], item["why"]) for item in document["new"] if item["nevra"] == "inc-1.0-1.src"
    )
    assert [status for status, _why in rows] == ["clean", "origin"]
    assert "repo.citrite.net/hidden.tgz" in rows[1][1]
    assert [item["package"] for item in document["regressions"]] == ["inc"]


def test_a_base_path_that_holds_nothing_fails_a_strict_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped BASE path among several (an empty directory) is the empty-input gap of BASE
    on both sides of the check, so no news: `check --strict` passed it, while `scan --strict`
    of the same BASE fails. Without --strict the check passes and says the audit is incomplete."""
    empty = tmp_path / "typo"
    empty.mkdir()
    new = str(RPMS / "payload-xz-1.0-1.noarch.rpm")
    assert main(["scan", *BASE, str(empty), "--strict", "--no-cache", "-q"]) == 3
    capsys.readouterr()
    assert main(["check", new, "--against", *BASE, str(empty), "--strict", "--format", "json"]) == 3
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["headline"].startswith("failed: BASE was not read whole and --strict is set (")
    assert str(empty) in document["headline"] and document["exit_code"] == 3
    # Standard error says why it failed, not that the check covers only what was seen.
    assert "the check covers only what was seen" not in captured.err
    assert "BASE was not read whole, which fails the check" in captured.err
    assert main(["check", new, "--against", *BASE, str(empty), "--format", "json"]) == 0
    assert "incomplete" in json.loads(capsys.readouterr().out)["headline"]


def test_a_strict_check_of_a_base_with_thousands_of_repositories_not_read_keeps_its_headline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt17: a BASE .repo file of 3,000 repositories on a policy host made the Markdown headline
    list every one (300,000 characters): the comment's bound left the headline out whole, and the
    comment began with "... 6 more lines left out". Their URLs were written raw in it too (a
    mention, a link). The Markdown headline lists three, quoted, and counts the rest."""
    config = tmp_path / "base.repo"
    sections = [
        f"[xs{index}]\nname=x\nbaseurl=https://updates.xenserver.com/repo{index}/@octocat/\nenabled=1\n"
        for index in range(3000)
    ]
    config.write_text("\n".join(sections))
    new = str(RPMS / "payload-xz-1.0-1.noarch.rpm")
    command = ["check", new, "--against", *BASE, str(config), "--strict", "--no-cache", "-q"]
    assert main([*command, "--format", "markdown"]) == 3
    comment = capsys.readouterr().out
    headline = comment.splitlines()[0]
    assert headline.startswith("### ❌ auditor check: failed: BASE was not read whole and --strict is set (`")
    assert headline.endswith("; and 2997 more (the table and JSON formats list them all))")
    assert "(`not seen: repository-not-read: " in headline
    assert not any("@octocat" in outside for outside in comment.split("`")[::2])  # all in code spans
    assert comment.rstrip().endswith("exit code 3")
    assert main([*command, "--format", "json"]) == 3  # the JSON's headline is whole
    assert "repo2999/" in json.loads(capsys.readouterr().out)["headline"]


def test_a_spec_replacing_a_built_package_keeps_what_its_build_generated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec's binaries carry no provides of rpmbuild's generators: checked against the
    repository built from the previous spec, ``app`` (needing foo's soname) became
    unresolved, a blocking fact the change did not cause (rt9's xen.spec case). The previous
    build's generated provides stand in, with the gap that says so (--strict fails on it);
    a provide the spec wrote and no longer writes is gone, as before."""
    repo = build_repository(
        [
            {"name": "foo", "provides": ["libfoo.so.1()(64bit)", "pkgconfig(foo) = 1.0", "foo-compat"]},
            {"name": "app", "requires": ["libfoo.so.1()(64bit)", "pkgconfig(foo)"]},
            {"name": "compat-user", "requires": ["foo-compat"]},
        ],
        tmp_path / "base",
    )
    spec = tmp_path / "foo.spec"
    preamble = "Name: foo\nVersion: 1.1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    spec.write_text(preamble + "Provides: foo-compat\n%description\ns\n%files\n")
    against = [str(repo), str(repo.parent / "SRPMS")]
    assert main(["check", str(spec), "--against", *against, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "automatic-provides" in document["headline"]
    assert main(["check", str(spec), "--against", *against, "--strict", "--format", "json"]) == 3
    capsys.readouterr()
    spec.write_text(preamble + "%description\ns\n%files\n")  # foo-compat dropped: a real regression
    assert main(["check", str(spec), "--against", *against, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert "foo-compat" in json.dumps(document) and "libfoo.so.1" not in json.dumps(document["regressions"])


def test_the_check_lets_the_audit_of_base_go_before_the_audit_with_the_change(tmp_path: Path) -> None:
    """`audit_change` keeps what `keep_base` takes of BASE's audit, and the audit itself is no
    longer alive when the audit with the change starts: two audits of a distribution at once
    took the check of one package against distro-60k to 521 MB. The report is the one that
    the whole audit of BASE gives (`check_view` keeps it then)."""
    policy = load_policy()
    gate = GateOptions()
    bases: list[weakref.ref[AuditResult]] = []
    alive_at_second: list[bool] = []
    with open_run(AuditOptions(targets=()), policy) as run:
        new, base = run.load([write_spec(tmp_path, NEW_XAPI)]), run.load(BASE)
        context = run.load((), context=True)

        def audit(targets: LoadResult, context: LoadResult) -> AuditResult:
            if bases:
                gc.collect()  # nothing a cycle holds: the collector is paused in a real run
                alive_at_second.append(bases[0]() is not None)
            return run.audit(targets, context)

        def keep(audit: AuditResult) -> BaseRecord:
            bases.append(weakref.ref(audit))
            return keep_base(gate)(audit)

        kept = check_view(audit_change(audit, new, base, context, keep), gate)
    whole = check_view(
        run_check((write_spec(tmp_path, NEW_XAPI),), BASE, AuditOptions(targets=()), policy), gate
    )
    assert alive_at_second == [False]
    assert check_report.render(kept, "json") == check_report.render(whole, "json")
    assert kept.before.audited == whole.before.audited > 0


def test_a_spec_replacing_a_built_package_keeps_the_requirements_its_build_generated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec's binaries carry none of the requirements rpmbuild generates from their files:
    checked against the repository built from the previous spec, foo (linked with Citrix's
    libcx, which its build required by soname) went "depends -> clean", and bar, which needs
    foo, was listed as better, "depends -> clean": a status that hid what the rebuild will
    still need. The previous build's generated requirements stand in, as its provides do,
    with the gap that says so (--strict fails on it)."""
    repo = build_repository(
        [
            {"name": "cx", "provides": ["libcx.so.1()(64bit)"], **CITRIX},
            {"name": "foo", "requires": ["libcx.so.1()(64bit)"]},
            {"name": "bar", "requires": ["foo"]},
        ],
        tmp_path / "base",
    )
    spec = tmp_path / "foo.spec"
    preamble = "Name: foo\nVersion: 1.1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    spec.write_text(preamble + "%description\ns\n%files\n/usr/lib64/libfoo.so.1\n")
    against = [str(repo), str(repo.parent / "SRPMS")]
    assert main(["check", str(spec), "--against", *against, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["better"] == []
    [binary] = [item for item in document["new"] if item["nevra"] == "foo-1.1-1.noarch"]
    assert (binary["before"], binary["after"]) == ("depends", "depends")
    gaps = [item["text"] for item in document["facts"] if item["kind"] == "gap"]
    assert any("automatic-requires" in text and "libcx.so.1()(64bit)" in text for text in gaps)
    assert main(["check", str(spec), "--against", *against, "--strict", "--format", "json"]) == 3
