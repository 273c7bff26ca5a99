"""Red team (outputs): the baseline, waivers, ``diff``, ``why`` and ``--compare`` hiding or
misstating a blocking fact. Each test builds its packages with rpmbuild and asserts the correct
behaviour; each fails on the code it was written against.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.origin.findings import fingerprint
from tests.rpmbuild import build_noarch


def _spec(name: str, version: str, *lines: str) -> str:
    return "\n".join(
        [
            f"Name: {name}",
            f"Version: {version}",
            "Release: 1",
            "Summary: s",
            "License: MIT",
            "BuildArch: noarch",
            *lines,
            "%description",
            "d",
            "%files",
            "",
        ]
    )


def _build(top: Path, into: Path, name: str, version: str, *lines: str) -> None:
    """The source RPM and the binary RPM rpmbuild makes of the spec, copied into ``into``."""
    work = top / f"build-{name}-{version}-{len(list(top.iterdir()))}"
    work.mkdir()
    spec = work / f"{name}.spec"
    spec.write_text(_spec(name, version, *lines))
    into.mkdir(parents=True, exist_ok=True)
    for built in build_noarch(spec, work / "top", []):
        shutil.copy(built, into)


VENDOR = "Vendor: Citrix Systems, Inc."
VENDOR_FACT = fingerprint("citrix-vendor", "vend", "vendor:citrix")
"""The fingerprint of vend's Citrix vendor (rule, package name, capability), as the baseline
`auditor baseline` writes records it."""


def _mislabelled(directory: Path, kind: str, capability: str) -> Path:
    """A baseline whose one entry carries vend's vendor fingerprint under a label naming plain."""
    entry = {"fingerprint": VENDOR_FACT, "kind": kind, "package": "plain", "capability": capability}
    baseline = directory / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "tool": "auditor", "entries": [entry]}))
    return baseline


@pytest.fixture(scope="module")
def citrix_vendor_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vend (Vendor: Citrix Systems, Inc.) and plain (clean), binaries and source packages."""
    top = tmp_path_factory.mktemp("vendor")
    repo = top / "repo"
    _build(top, repo, "vend", "1", VENDOR)
    _build(top, repo, "plain", "1")
    return repo


# -- 1. a baseline entry labelled as one fact accepts another package's fact --------------------


def test_baseline_entry_whose_fingerprint_is_not_its_own_fact_is_refused(
    citrix_vendor_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline entry is a fingerprint plus what it is "for people reading the file" (kind,
    package, capability; `auditor.gate.baseline.BaselineEntry`), and `load_baseline` never checks
    that the fingerprint is the one of those fields (``fingerprint(kind, package, capability)``,
    exactly what `auditor baseline` writes). So an entry that reads, in review, "plain needs
    libfoo.so.1, nothing provides it" but carries the fingerprint of vend's Citrix vendor accepts
    vend's Citrix vendor: ``scan`` exits 0, "nothing blocking", vend shown `origin (baselined)`,
    ``why vend`` says "accepted by the baseline". A reviewer approving that baseline change
    approved an unresolved requirement of plain, not a Citrix package. It must be refused as a
    baseline file that cannot be used (README "Exit codes": 2, "a policy, waiver or baseline
    file that cannot be used"), in one line naming the file. (A legacy taint entry, empty
    capability, is matched by its ``ends_at`` and must not accept by its fingerprint either.)
    Fix: `auditor.gate.baseline.load_baseline` (verify each entry's fingerprint)."""
    baseline = _mislabelled(tmp_path, "status:unresolved", "libfoo.so.1")
    code = main(["scan", "--no-cache", "--baseline", str(baseline), str(citrix_vendor_repo)])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}; a mislabelled entry accepted vend's Citrix vendor:\n{captured.out}"
    error = captured.err.strip().splitlines()
    assert len(error) == 1 and str(baseline) in error[0], captured.err


def test_why_does_not_call_a_fact_accepted_by_a_mislabelled_baseline_entry(
    citrix_vendor_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same baseline, read by ``why``: it says vend's Citrix vendor is "accepted by the
    baseline" and exits 0, while no entry of the file names vend. ``why`` must refuse the file
    as ``scan`` must (exit 2)."""
    baseline = _mislabelled(tmp_path, "citrix-vendor", "x")
    code = main(["why", "vend", "--no-cache", "--baseline", str(baseline), str(citrix_vendor_repo)])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}:\n{captured.out}"


def test_baseline_with_a_duplicate_key_is_refused(
    citrix_vendor_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON names SHOULD be unique (RFC 8259 4), and readers disagree on which of two wins:
    Python's keeps the last, others the first. A baseline holding ``"entries"`` twice reads as an
    empty baseline in a review that stops at the first, and accepts vend's Citrix vendor here
    (exit 0). The loader refuses every other ambiguity (a byte-order mark, NaN, unknown keys,
    nesting); a duplicate key must be refused too (exit 2, naming the file).
    Fix: `auditor.gate.baseline._read_json` (``object_pairs_hook`` refusing a repeated name)."""
    entry = {
        "fingerprint": VENDOR_FACT,
        "kind": "citrix-vendor",
        "package": "vend",
        "capability": "vendor:citrix",
    }
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        '{"version": 1, "tool": "auditor", "entries": [],\n' + f' "entries": [{json.dumps(entry)}]}}\n'
    )
    code = main(["scan", "--no-cache", "--baseline", str(baseline), str(citrix_vendor_repo)])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}:\n{captured.out}"
    assert str(baseline) in captured.err


# -- 2. diff hides a fact that blocks now and did not before -------------------------------------


@pytest.fixture(scope="module")
def vend_upgrade(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """old: vend 1 (Citrix vendor, URL on www.citrix.com); new: vend 2 (Citrix vendor only). A
    waiver accepts vend's Citrix vendor for versions < 2."""
    top = tmp_path_factory.mktemp("upgrade")
    _build(top, top / "old", "vend", "1", VENDOR, "URL: https://www.citrix.com/vend")
    _build(top, top / "new", "vend", "2", VENDOR)
    waivers = top / "waivers.toml"
    waivers.write_text(
        "[[waiver]]\n"
        'package = "vend"\n'
        'versions = "< 2"\n'
        'rule = "citrix-vendor"\n'
        'reason = "vend 1.x is being replaced"\n'
        'owner = "o"\n'
        "expires = 2099-01-01\n"
    )
    return {"old": top / "old", "new": top / "new", "waivers": waivers}


def test_diff_lists_the_fact_that_now_blocks_and_does_not_call_its_package_better(
    vend_upgrade: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """vend's Citrix vendor was waived in the old release (versions < 2) and blocks in the new
    one (``scan NEW`` exits 1 on it). ``diff OLD NEW`` compares facts by fingerprint: the vendor
    fact is "unchanged", so it is in no list (the text and the JSON list new, fixed and gone
    facts only), the URL fact is fixed, and vend is listed under "Packages that got better (a
    fact fixed, none new)"; "blocking facts 2 -> 2", "0 new". Release notes made from it say
    vend improved while a fact that did not block now blocks the gate. ``check`` and the HTML
    page of ``scan --compare`` both count such a fact (`Comparison.newly_blocking`: "1 fact
    blocks now that did not before"); ``diff`` must list it too (README: "never let a displayed
    status hide a blocking fact"; two outputs of the same inputs must not disagree), and a
    package with a fact that newly blocks is not "better".
    Fix: `auditor.reports.diff_report` (list `comparison.newly_blocking`) and
    `auditor.gate.packagechanges.diff_releases` (no "better" with a newly blocking fact)."""
    paths = vend_upgrade
    waivers = ["--waivers", str(paths["waivers"])]
    assert main(["scan", "--no-cache", "--no-baseline", str(paths["new"]), *waivers]) == 1
    capsys.readouterr()
    assert (
        main(["diff", "--no-cache", str(paths["old"]), str(paths["new"]), *waivers, "--format", "json"]) == 0
    )
    document = json.loads(capsys.readouterr().out)
    listed = [
        item
        for item in document["facts"]
        if item["fingerprint"] == fingerprint("citrix-vendor", "vend", "vendor:citrix")
    ]
    assert listed and listed[0]["blocks_after"] and not listed[0]["blocked_before"], document["facts"]
    assert not [pair for pair in document["better"] if pair["new"]["nevra"].startswith("vend-")]
    assert main(["diff", "--no-cache", str(paths["old"]), str(paths["new"]), *waivers]) == 0
    text = capsys.readouterr().out
    assert "vendor: Citrix Systems, Inc." in text, text


# -- 3. a damaged report crashes diff and scan --compare ------------------------------------------


@pytest.fixture(scope="module")
def damaged_report(citrix_vendor_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``scan --format json`` of the repository, vend's binary's ``statuses`` emptied."""
    top = tmp_path_factory.mktemp("report")
    report = top / "report.json"
    code = main(
        [
            "scan",
            "--no-cache",
            "--no-baseline",
            str(citrix_vendor_repo),
            "--format",
            "json",
            "-o",
            str(report),
        ]
    )
    assert code == 1
    text = report.read_text()
    marker = '"nevra":"vend-1-1.noarch","status":"origin","statuses":["origin"]'
    assert marker in text
    damaged = top / "damaged.json"
    damaged.write_text(text.replace(marker, '"nevra":"vend-1-1.noarch","status":"origin","statuses":[]'))
    return damaged


@pytest.mark.parametrize("command", ["diff", "compare"])
def test_a_report_with_no_statuses_is_an_input_error_not_an_internal_one(
    command: str, damaged_report: Path, citrix_vendor_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`auditor.gate.report_side` promises "a damaged report is an input error naming it, never an
    internal one", and catches KeyError, TypeError, ValueError... but not IndexError. When the
    report's facts are ruled again (``--fail-on depends`` here, the report having been written
    with the default) and none of a package's blocks any more, `_package_record` takes
    ``statuses[0]``: a report whose package has ``"statuses": []`` ends ``diff`` and ``scan
    --compare`` with "internal error: IndexError" (exit 4). It must be exit 3 (README "Exit
    codes": an input could not be read), naming the report.
    Fix: `auditor.gate.report_side._side` (catch IndexError/LookupError, or check ``statuses``)."""
    if command == "diff":
        arguments = ["diff", "--no-cache", str(damaged_report), str(citrix_vendor_repo)]
    else:
        arguments = [
            "scan",
            "--no-cache",
            "--no-baseline",
            str(citrix_vendor_repo),
            "--compare",
            str(damaged_report),
        ]
    code = main([*arguments, "--fail-on", "depends"])
    err = capsys.readouterr().err
    assert code == 3, f"exit {code}: {err}"
    assert str(damaged_report) in err


# -- 4. the baseline calls "fixed" what a run read from metadata alone did not see ---------------


CX_SOURCE = "Source0: https://code.citrite.net/cx-1.tar.gz"


@pytest.fixture(scope="module")
def cx_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A createrepo_c repository: cx (Source0 on code.citrite.net, seen only in its source
    package's header) and app (Requires: cx), binaries and source packages."""
    import subprocess

    assert shutil.which("createrepo_c"), "createrepo_c makes the repository"
    top = tmp_path_factory.mktemp("cx")
    repo = top / "repo"
    work = top / "work"
    work.mkdir()
    spec = work / "cx.spec"
    spec.write_text(_spec("cx", "1", CX_SOURCE))
    repo.mkdir()
    for built in build_noarch(spec, work / "top", ["cx-1.tar.gz"]):
        shutil.copy(built, repo)
    _build(top, repo, "app", "1", "Requires: cx")
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    return repo


def test_baseline_does_not_call_fixed_what_a_metadata_only_run_did_not_see(
    cx_repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The baseline accepts cx's Citrix Source0 (read from cx's source package header) and app's
    taint on cx. The same repository scanned with ``--metadata-only`` reads no header: cx's
    Source is not seen, cx shows clean and app clean, and the scan says "fixed since the
    baseline: cx: citrix-internal-host source0@code.citrite.net" and "fixed since the baseline:
    app: status:depends citrix:cx" (the JSON's ``gate.fixed`` lists both), exit 0. Nothing was
    fixed: the evidence was not read. README (baseline): an entry is *gone*, not fixed, when
    "its evidence is no longer seen ... a deletion is not progress"; and ``diff`` of the same two
    audits says exactly that ("gone ... or no longer seen (not fixed)": a new gap of the run, such
    as ``--metadata-only``, makes nothing that vanished fixed, `auditor.gate.progress.compare`'s
    ``run_unseen``). `auditor.gate.decision._baseline_progress` only looks at gaps of the entry's
    own package, never at a gap of the run or an input, so the two outputs disagree and the
    scan claims progress that is not there.
    Fix: `auditor.gate.decision._baseline_progress` (a gap of no package makes every entry no
    longer found gone, as `compare` does)."""
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--no-cache", "--baseline", str(baseline), str(cx_repository)]) == 0
    capsys.readouterr()
    arguments = ["scan", "--no-cache", "--metadata-only", "--baseline", str(baseline), str(cx_repository)]
    assert main([*arguments, "--format", "json"]) == 0
    gate = json.loads(capsys.readouterr().out)["gate"]
    assert gate["fixed"] == [], f"called fixed, though not seen: {gate['fixed']}"
    assert sorted(entry["package"] for entry in gate["gone"]) == ["app", "cx"]
    main(arguments)
    assert "fixed since the baseline" not in capsys.readouterr().out


# -- 5. a baseline entry that a waiver shadows is never reported ---------------------------------


def _waiver(path: Path, expires: str, *extra: str) -> Path:
    path.write_text(
        "\n".join(
            [
                "[[waiver]]",
                'package = "vend"',
                *extra,
                'reason = "r"',
                'owner = "o"',
                f"expires = {expires}",
                "",
            ]
        )
    )
    return path


def test_a_baseline_entry_that_accepts_nothing_because_a_waiver_took_its_facts_is_reported(
    citrix_vendor_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The baseline accepts vend's Citrix vendor; the team then adds a waiver for vend with an
    expiry, as a deadline. The waiver rules first (`auditor.gate.decision._rule`), so the entry
    accepts nothing, and it is neither "accepted", "fixed" nor "gone" (a fact of its fingerprint
    is still there): no output mentions it ("baseline: 0 accepted, 0 new, 0 fixed, 0 gone"). A
    waiver in the same position (matching only facts an earlier waiver accepts) is reported as
    stale (README "waivers"); `auditor baseline` itself counts such an entry among those
    "accepting none of today's facts" and drops it. Unreported, it stays in the file, and the day
    the waiver expires it silently takes the fact over: the run says "expired waiver vend#0 ...
    no longer waives" and still exits 0, the deadline having had no effect. The scan must say
    that the entry accepts nothing (the vend entry named beside the baseline's counts).
    Fix: `auditor.gate.decision._baseline_progress` / `Decision` (entries whose facts all went to
    a waiver, an allow or --fail-on), rendered with the fixed and gone ones."""
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--no-cache", "--baseline", str(baseline), str(citrix_vendor_repo)]) == 0
    capsys.readouterr()
    live = _waiver(tmp_path / "live.toml", "2099-01-01")
    code = main(
        ["scan", "--no-cache", "--baseline", str(baseline), "--waivers", str(live), str(citrix_vendor_repo)]
    )
    captured = capsys.readouterr()
    assert code == 0
    said = [
        line for line in (captured.out + captured.err).splitlines() if "baseline" in line and "vend" in line
    ]
    assert said, f"the vend entry, accepting nothing, is not reported:\n{captured.out}{captured.err}"


# -- 6. a waiver rule the policy "knows" but no fact can have ------------------------------------


def test_a_waiver_rule_status_origin_is_refused_not_loaded_to_match_nothing(
    citrix_vendor_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README (waivers): ``rule`` is "a policy rule id, `status:<status>` or `gap:<kind>`; a rule
    that names nothing the policy knows is a usage error". `check_rules` counts ``status:origin``
    as known (every status but clean), but no fact ever has that rule: origin evidence carries
    its policy rule id (``citrix-vendor``), taints ``status:depends``... So a waiver written
    ``rule = "status:origin"`` to accept vend's origin evidence is loaded, accepts nothing, and
    is reported stale at the end of a run its author believed it eased: exactly what
    `check_rules` refuses for a gap of the run ("it would be loaded, accept nothing, and be
    reported stale"). It must be a usage error (exit 2) naming the file, or accept the origin
    facts; it does neither.
    Fix: `auditor.gate.waivers.check_rules` (``status:origin`` is no fact's rule)."""
    waivers = _waiver(tmp_path / "w.toml", "2099-01-01", 'rule = "status:origin"')
    code = main(["scan", "--no-cache", "--no-baseline", "--waivers", str(waivers), str(citrix_vendor_repo)])
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}:\n{captured.out}{captured.err}"
    assert str(waivers) in captured.err


# -- 7. the baseline calls "fixed" the taint of a binary that was removed ------------------------


@pytest.fixture(scope="module")
def app_binary_removed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """old: cx (Source0 on code.citrite.net) and app (Requires: cx), binaries and source
    packages; new: the same without app's binary (app's source package stays)."""
    top = tmp_path_factory.mktemp("removed")
    old, new = top / "old", top / "new"
    work = top / "work"
    work.mkdir()
    spec = work / "cx.spec"
    spec.write_text(_spec("cx", "1", CX_SOURCE))
    old.mkdir()
    for built in build_noarch(spec, work / "top", ["cx-1.tar.gz"]):
        shutil.copy(built, old)
    _build(top, old, "app", "1", "Requires: cx")
    shutil.copytree(old, new)
    (binary,) = new.glob("app-1-1.noarch.rpm")
    binary.unlink()
    return {"old": old, "new": new}


def test_baseline_calls_the_taint_of_a_removed_binary_gone_as_diff_does(
    app_binary_removed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """app's binary depends on Citrix cx; the baseline accepts that taint. The next release drops
    app's binary (its source package, which has no run-time taint, stays). ``scan --baseline``
    says "fixed since the baseline: app: status:depends citrix:cx" (the JSON's ``gate.fixed``),
    while ``diff OLD NEW`` of the same releases says "gone with their package ... (not fixed)"
    and lists app's binary as removed. `auditor.gate.decision._baseline_progress` asks whether a
    package of the entry's *name* is still audited, and app's source package is; `compare` asks
    for the name *and kind* of the packages that held the fact (README, diff: "its package (of
    that name and kind: a source package that left the run while its binaries stay)"). README
    (baseline): gone "when its package ... is no longer there ...: a deletion is not progress";
    the two outputs of one comparison must agree.
    Fix: `auditor.gate.decision._baseline_progress` (a run-time taint, or a requirement needed
    at run time, is held by binaries: gone when no binary of its name is audited)."""
    baseline = tmp_path / "baseline.json"
    assert (
        main(["baseline", "-q", "--no-cache", "--baseline", str(baseline), str(app_binary_removed["old"])])
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "diff",
                "--no-cache",
                str(app_binary_removed["old"]),
                str(app_binary_removed["new"]),
                "--format",
                "json",
            ]
        )
        == 0
    )
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert [item["change"] for item in facts if item["package"] == "app"] == ["gone"]
    code = main(
        [
            "scan",
            "--no-cache",
            "--baseline",
            str(baseline),
            str(app_binary_removed["new"]),
            "--format",
            "json",
        ]
    )
    gate = json.loads(capsys.readouterr().out)["gate"]
    assert code == 0
    assert [entry["package"] for entry in gate["fixed"]] == [], "a removed binary's taint called fixed"
    assert [entry["package"] for entry in gate["gone"]] == ["app"]
