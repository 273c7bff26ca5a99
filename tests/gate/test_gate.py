"""The release gate: waivers, the baseline ratchet, and their reports."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from auditor.audit.facts import FactKind
from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.cli.main import main
from auditor.core.errors import PolicyError
from auditor.engine import run_audit
from auditor.gate.baseline import load_baseline
from auditor.gate.decision import Disposition, decide
from auditor.gate.options import GateOptions
from auditor.gate.waivers import load_waivers, read_waiver_file
from auditor.origin.policy import load_policy
from auditor.reports.rows import Gate, PackageView
from auditor.reports.view import ReportView, build_view
from auditor.sources.rpmpackage import read_rpm_file
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
    # x* depends: the depends facts of xenopsd and xcp-ng-deps are accepted; xenopsd still
    # blocks by its build-depends, a status the waiver does not name; xcp-python-libs, an
    # origin, is not accepted.
    xenopsd = by_name["xenopsd"]
    depends = [item for item in xenopsd.facts if item.fact.kind is FactKind.DEPENDS]
    assert depends and all(item.disposition is Disposition.WAIVED for item in depends)
    assert {item.fact.kind for item in xenopsd.facts if item.blocks} == {FactKind.BUILD_DEPENDS}
    assert not by_name["xcp-ng-deps"].blocking
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
    # the baseline of a gate where build-depends does not block (the default blocks it)
    assert main(["baseline", REPO, "--fail-on", "origin,depends,unresolved"]) == 0
    baseline = load_baseline(None)
    assert baseline is not None and len(baseline.entries) > 5
    assert all("version" not in entry and "2.30.8" not in entry["capability"] for entry in baseline.entries)
    # a later run in the same directory picks the baseline up: nothing new, nothing blocks
    assert main(["scan", REPO, "--fail-on", "origin,depends,unresolved"]) == 0
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


SUBPACKAGE_SPEC = """\
Name: sm
Epoch: 1
Version: 3.5
Release: 1
Summary: sm
License: LGPL
BuildArch: noarch
Source0: https://code.citrite.net/rest/archive/sm-3.5.tar.gz
%description
sm
%package -n sm-licensing
Epoch: 0
Version: 1.0
Summary: licensing
License: Proprietary
%description -n sm-licensing
licensing
%package -n sm-cli
Summary: cli
License: Proprietary
%description -n sm-cli
cli
%files
%files -n sm-licensing
%files -n sm-cli
"""


@pytest.fixture(scope="module")
def subpackage_rpms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sm 1:3.5, its subpackages sm-licensing 0:1.0 (its own Epoch and Version) and sm-cli
    (sm's EVR), built by rpmbuild: the binaries in RPMS/, the source RPM in SRPMS/."""
    rpmbuild = shutil.which("rpmbuild")
    assert rpmbuild, "install rpm (Debian package rpm) for rpmbuild"
    top = tmp_path_factory.mktemp("rpmbuild")
    (top / "sm-3.5.tar.gz").write_bytes(b"")
    spec = top / "sm.spec"
    spec.write_text(SUBPACKAGE_SPEC)
    defines = {
        "_topdir": top,
        "_sourcedir": top,
        "_binary_payload": "w1.gzdio",
        "_source_payload": "w1.gzdio",
    }
    args = [item for name, value in defines.items() for item in ("--define", f"{name} {value}")]
    env = {**os.environ, "HOME": str(top)}  # no ~/.rpmmacros
    subprocess.run([rpmbuild, "--quiet", "-ba", "--nodeps", *args, str(spec)], check=True, env=env)
    return top


def subpackage_rulings(top: Path, *entries: dict[str, object], with_source: bool) -> dict[str, set[str]]:
    """The waivers that accepted a fact of each package (an empty set: a fact of it blocks)."""
    targets = [str(top / "RPMS")] + ([str(top / "SRPMS")] if with_source else [])
    result = run_audit(AuditOptions(targets=tuple(targets)), load_policy())
    decision = decide(result, GATE, load_waivers([waiver(**entry) for entry in entries], "test"))
    found: dict[str, set[str]] = {}
    for ruling in decision.rulings:
        if ruling.fact.package is None or ruling.fact.rule.startswith("gap:"):
            continue
        nevra = result.packages[ruling.fact.package].nevra
        accepted = found.setdefault(nevra, set())
        if ruling.blocks:
            accepted.add("BLOCKS")
        elif ruling.waiver is not None:
            accepted.add(ruling.waiver.id)
    return found


@pytest.mark.parametrize("with_source", [True, False])
def test_waiver_versions_through_the_source_name_are_the_source_packages(
    subpackage_rpms: Path, with_source: bool
) -> None:
    # `sm`, versions < 3: sm 2.x. sm-licensing 1.0 is built from sm 3.5: none of its facts is waived.
    old = subpackage_rulings(
        subpackage_rpms, {"id": "old", "package": "sm", "versions": "< 1:3"}, with_source=with_source
    )
    assert old["sm-licensing-1.0-1.noarch"] == old["sm-cli-1:3.5-1.noarch"] == {"BLOCKS"}
    # A range sm 3.5 is in covers what is built from it: sm-cli took sm's EVR, so SOURCERPM
    # is enough; sm-licensing set its own Version and Epoch, so only the source package can say.
    new = subpackage_rulings(
        subpackage_rpms, {"id": "new", "package": "sm", "versions": ">= 1:3"}, with_source=with_source
    )
    assert new["sm-cli-1:3.5-1.noarch"] == {"new"}
    assert new["sm-licensing-1.0-1.noarch"] == ({"new"} if with_source else {"BLOCKS"})
    # A waiver naming the binary itself still compares the binary's own version.
    own = subpackage_rulings(
        subpackage_rpms, {"id": "own", "package": "sm-licensing", "versions": "< 3"}, with_source=with_source
    )
    assert own["sm-licensing-1.0-1.noarch"] == {"own"}


def test_an_unknown_source_version_is_never_in_range(subpackage_rpms: Path) -> None:
    [path] = (subpackage_rpms / "RPMS" / "noarch").glob("sm-licensing-*.rpm")
    package = dataclasses.replace(read_rpm_file(str(path)), sourcerpm="sm--.src.rpm")
    assert package.source_name == "sm" and package.source_version_release is None
    result = run_audit(AuditOptions(targets=(str(path),)), load_policy())
    fact = next(fact for fact in result.facts if fact.rule == "proprietary-license")
    [versioned, any_version] = load_waivers(
        [waiver(package="sm", versions=">= 0"), waiver(package="sm")], "test"
    )
    assert not versioned.matches(fact, package) and any_version.matches(fact, package)


@pytest.mark.parametrize(
    ("rules", "strict", "code", "says"),
    [
        ((None,), False, 0, "(--strict makes this fail)"),
        ((None,), True, 3, ": --strict is set, so this fails the run"),
        # A glob of every rule accepts every finding, but is no waiver that names evidence not seen.
        (("*",), False, 0, "(--strict makes this fail)"),
        (("*",), True, 3, ": --strict is set, so this fails the run"),
        (("*", "gap:*"), True, 0, "(1 accepted by waivers)"),
        ((None, "gap:source-not-audited"), False, 0, "(1 accepted by waivers)"),
    ],
)
def test_only_a_gap_rule_waives_evidence_not_seen(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rules: tuple[str | None, ...],
    strict: bool,
    code: int,
    says: str,
) -> None:
    # An origin binary RPM without its source RPM: its Source URLs were not seen (a
    # source-not-audited gap), its own evidence was.
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        "".join(
            '[[waiver]]\npackage = "emu-manager"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
            + (f'rule = "{rule}"\n' if rule else "")
            for rule in rules
        )
    )
    target = str(EXAMPLE / "repo" / "Packages" / "emu-manager-1.3.0-1.xcpng.noarch.rpm")
    assert main(["scan", "-q", "--waivers", str(waivers), target, *(["--strict"] if strict else [])]) == code
    [incomplete] = [line for line in capsys.readouterr().err.splitlines() if "incomplete" in line]
    assert incomplete.startswith("auditor: warning: the audit is incomplete: 1 source-not-audited: ")
    assert incomplete.endswith(says)


def test_nothing_audited_says_it_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-q", str(tmp_path)]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"auditor: warning: {tmp_path}: holds no RPM, spec file or repository: nothing was read from it",
        "auditor: warning: the audit is incomplete: 1 empty-input, 1 nothing-audited: "
        "nothing was audited, which fails the run",
    ]


def expiring(tmp_path: Path, expires: str) -> Path:
    """A waiver file accepting sm's facts until ``expires``, written as TOML writes it (unquoted)."""
    path = tmp_path / "waivers.toml"
    path.write_text(
        f'[[waiver]]\nid = "sm"\npackage = "sm"\nreason = "r"\nowner = "o"\nexpires = {expires}\n'
    )
    return path


UTC = datetime.UTC


@pytest.mark.parametrize(
    ("expires", "today", "now", "live"),
    [
        # An offset date-time expires at its instant, 2026-11-29T10:30Z, whatever day it names.
        ("2026-11-30T00:30:00+14:00", "2026-11-29", "2026-11-29T10:29:59", True),
        ("2026-11-30T00:30:00+14:00", "2026-11-29", "2026-11-29T10:30:00", False),
        ("2026-11-30T00:30:00+14:00", "2026-11-30", "2026-11-30T09:56:00", False),
        # One without an offset is UTC.
        ("2026-11-29T10:30:00", "2026-11-29", "2026-11-29T10:29:59", True),
        ("2026-11-29T10:30:00", "2026-11-29", "2026-11-29T10:30:00", False),
        # A date is valid through that day.
        ("2026-11-30", "2026-11-30", "2026-11-30T23:59:59", True),
        ("2026-11-30", "2026-12-01", "2026-12-01T00:00:00", False),
    ],
)
def test_a_waiver_expires_at_its_instant_or_after_its_day(
    tmp_path: Path, expires: str, today: str, now: str, live: bool
) -> None:
    result = audit()
    clock = GateOptions(
        today=datetime.date.fromisoformat(today), now=datetime.datetime.fromisoformat(now).replace(tzinfo=UTC)
    )
    decision = decide(result, clock, read_waiver_file(str(expiring(tmp_path, expires))))
    sm = next(r for r in result.results if r.package.name == "sm")
    assert decision.blocks(sm.index) is not live
    assert [w.id for w in decision.expired] == ([] if live else ["sm"])
    written = expires if "+" in expires or "T" not in expires else f"{expires}+00:00"
    lines = build_view(result, decision).gate_lines()
    said = f"until {written})" if live else f"expired {written}): no longer waives"
    assert any(said in line for line in lines), lines


def test_a_stored_report_is_not_replayed_after_a_waivers_instant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import auditor.cli.options as cli_options

    waivers = expiring(tmp_path, "2026-11-30T00:30:00+14:00")
    target = str(EXAMPLE / "repo" / "Packages" / "sm-2.30.8-1.xcpng.noarch.rpm")
    args = ["scan", "-q", "--format", "json", "--waivers", str(waivers), target]
    day = datetime.date(2026, 11, 29)
    monkeypatch.setattr(
        cli_options, "clock", lambda: (day, datetime.datetime(2026, 11, 29, 10, 0, tzinfo=UTC))
    )
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["gate"]
    assert first["expired_waivers"] == [] and first["waived"]
    # The same day, after the instant: the report stored at 10:00 no longer holds.
    monkeypatch.setattr(
        cli_options, "clock", lambda: (day, datetime.datetime(2026, 11, 29, 10, 30, tzinfo=UTC))
    )
    assert main(args) == 1
    [expired] = json.loads(capsys.readouterr().out)["gate"]["expired_waivers"]
    assert expired["expires"] == "2026-11-30T00:30:00+14:00"


def test_a_baseline_holding_one_fingerprint_twice_means_the_same_in_either_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two branches' baselines merged can hold a fingerprint twice, recording different origin
    packages reached. The last entry read won: the same entries passed in one order and
    blocked in the other. A fact is accepted when any of its entries accepts it."""
    example = [
        str(ROOT / "examples" / "xcp-ng-mini" / "repo"),
        str(ROOT / "examples" / "xcp-ng-mini" / "srpms"),
    ]
    written = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--baseline", str(written), *example]) == 0
    document = json.loads(written.read_text())
    entry = next(e for e in document["entries"] if e["package"] == "xapi-core" and e.get("reaches"))
    narrower = {**entry, "reaches": []}
    codes = []
    for entries in ([*document["entries"], narrower], [narrower, *document["entries"]]):
        merged = tmp_path / "merged.json"
        merged.write_text(json.dumps({**document, "entries": entries}))
        codes.append(main(["scan", "-q", "--baseline", str(merged), *example, "--format", "json"]))
        assert json.loads(capsys.readouterr().out)["summary"]["blocking"] == 0
    assert codes == [0, 0]


def test_baseline_never_writes_a_file_the_next_run_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each taint entry lists every origin package it reaches: 2,001 entries reaching 400 Citrix
    packages made a 26 MB baseline, written with exit 0, that every later run refused as larger
    than a baseline may be (red team 36). The writer holds to the reader's limit: it says so,
    exits 3 and leaves the file there as it was. (The limit is lowered here: the example's
    baseline is a few KiB.)"""
    example = [REPO, str(EXAMPLE / "srpms")]
    written = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--baseline", str(written), *example]) == 0
    before = written.read_bytes()
    size = len(before)
    monkeypatch.setattr("auditor.gate.baseline.MAX_BASELINE_BYTES", size - 1)
    capsys.readouterr()
    assert main(["scan", "-q", "--baseline", str(written), *example]) == 2  # what the reader does
    assert f"larger than {(size - 1) // 2**20} MiB" in capsys.readouterr().err
    written.unlink()
    assert main(["baseline", "-q", "--baseline", str(written), *example]) == 3
    assert f"not written: the baseline would be {size} bytes" in capsys.readouterr().err
    assert not written.exists()
    monkeypatch.setattr("auditor.gate.baseline.MAX_BASELINE_BYTES", size)
    assert main(["baseline", "-q", "--baseline", str(written), *example]) == 0
    assert written.read_bytes() == before
    assert main(["scan", "-q", "--baseline", str(written), *example]) == 0
