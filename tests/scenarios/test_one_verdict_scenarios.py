"""One verdict, as users meet it: each contradiction the gate once had, replayed through the CLI.

Every scenario builds its inputs (spec files: real inputs the command reads without running
them), runs the command as a release manager or a contributor would, and asserts on what it
prints and on the exit code.
"""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS


def spec(directory: Path, name: str, version: str = "1.0", **tags: str) -> Path:
    """A spec building one binary package ``name``; ``tags`` are preamble lines (BuildRequires...)."""
    lines = [f"Name: {name}", f"Version: {version}", "Release: 1", "Summary: s", "License: MIT"]
    for tag, value in tags.items():
        for item in value.split("\n"):
            lines.append(f"{tag.replace('_', '')}: {item}")
    text = "\n".join(lines) + textwrap.dedent(
        """
        BuildArch: noarch
        %description
        d
        %files
        /usr/share/NAME
        """
    ).replace("NAME", name)
    path = directory / f"{name}-{version}.spec"
    path.write_text(text)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q"] if args[0] != "diff" else args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def scan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(["scan", *args, "--format", "json"], capsys)
    return code, json.loads(out)


def test_a_rule_scoped_waiver_leaves_the_other_findings_blocking_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    firmware = spec(
        tmp_path, "firmware", Vendor="Citrix Systems, Inc.", License="Proprietary",
        Source0="https://code.citrite.net/firmware.tar.gz",
    )  # fmt: skip
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "firmware"\nrule = "proprietary-license"\nreason = "firmware is accepted"\n'
        'owner = "release team"\nexpires = 2099-01-01\n'
    )
    args = [str(firmware), "--waivers", str(waivers)]
    code, document = scan_json(args, capsys)
    assert code == 1
    binary = next(p for p in document["packages"] if p["nevra"] == "firmware-1.0-1.noarch")
    assert binary["blocking"] is True
    licence = [f for f in binary["findings"] if f["rule"] == "proprietary-license"]
    assert licence and all(f["disposition"] == "waived" for f in licence)
    assert any(f["blocks"] for f in binary["findings"] if f["rule"] != "proprietary-license")

    code, table, _ = run(["scan", *args], capsys)
    row = next(line for line in table.splitlines() if line.startswith("firmware-1.0-1.noarch "))
    assert code == 1 and "origin *" in row and "(waived)" not in row

    code, markdown, _ = run(["scan", *args, "--format", "markdown"], capsys)
    assert markdown.startswith("## ❌ auditor: ") and "passed" not in markdown.splitlines()[0]
    assert "exit code 1." in markdown

    code, junit, _ = run(["scan", *args, "--format", "junit"], capsys)
    case = next(
        c for c in ET.fromstring(junit).iter("testcase") if c.get("name") == "firmware-1.0-1.noarch (spec)"
    )
    assert case.find("failure") is not None and case.find("skipped") is None

    code, sarif, _ = run(["scan", *args, "--format", "sarif"], capsys)
    results = [
        r
        for r in json.loads(sarif)["runs"][0]["results"]
        if r["properties"]["nevra"] == "firmware-1.0-1.noarch"
    ]
    suppressed = {r["ruleId"] for r in results if "suppressions" in r}
    assert suppressed == {"proprietary-license"}
    assert {r["ruleId"] for r in results} - suppressed  # the other evidence is an open alert


def test_each_waived_line_names_its_package_by_nevra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source package and its binary share a name: their waived lines were one line twice."""
    firmware = spec(tmp_path, "firmware", License="Proprietary")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "firmware"\nreason = "accepted"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    for fmt in ("table", "markdown"):
        _, out, _ = run(["scan", str(firmware), "--waivers", str(waivers), "--format", fmt], capsys)
        waived = [line for line in out.splitlines() if "waived: firmware" in line]
        assert len(waived) == 2 and len(set(waived)) == 2, waived
        assert (
            "firmware-1.0-1.noarch: " in waived[0] + waived[1]
            and "firmware-1.0-1.src: " in waived[0] + waived[1]
        )


def test_a_status_never_hides_a_blocking_fact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tool = spec(tmp_path, "citrix-tool", Vendor="Citrix Systems, Inc.")
    half = spec(tmp_path, "half", BuildRequires="citrix-tool\nnothing-provides-this")
    code, document = scan_json([str(tool), str(half), "--fail-on", "unresolved"], capsys)
    source = next(p for p in document["packages"] if p["nevra"] == "half-1.0-1.src")
    assert set(source["statuses"]) == {"build-depends", "unresolved"}
    assert source["status"] == "unresolved" and source["blocking"] is True
    assert code == 1
    code, table, _ = run(["scan", str(tool), str(half), "--fail-on", "unresolved"], capsys)
    assert re.search(r"^half-1\.0-1\.src \(spec\) +unresolved \* ", table, re.M)


def test_every_headline_says_stale_waivers_block_beside_blocking_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The headline said "2 blocking" alone: fixing that fact would not pass the run, as the
    table's footer said (", and stale waivers block")."""
    tool = spec(tmp_path, "citrix-tool", Vendor="Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\npackage = "gone"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n')
    args = [str(tool), "--waivers", str(waivers), "--stale-waivers", "block"]
    said = {}
    for fmt in ("markdown", "html", "cyclonedx", "spdx", "table"):
        code, out, _ = run(["scan", *args, "--format", fmt], capsys)
        assert code == 1
        said[fmt] = out
    assert said["markdown"].splitlines()[0] == "## ❌ auditor: 2 blocking, and stale waivers block"
    assert ">2 blocking, and stale waivers block; exit code 1<" in said["html"]
    assert '"value": "2 blocking, and stale waivers block"' in said["cyclonedx"]
    assert "auditor:headline=2 blocking, and stale waivers block" in said["spdx"]
    assert "; 2 blocking, and stale waivers block;" in said["table"].splitlines()[-1]


def test_a_stale_waiver_that_matches_facts_is_not_said_to_match_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A waiver shadowed by an earlier one, or matching only a status --fail-on does not name,
    accepts nothing and is stale; the reports said it "matches nothing" of a package that is
    right there, and a release manager deleting it as a typo breaks the other pipeline."""
    tool = spec(tmp_path, "citrix-tool", Vendor="Citrix Systems, Inc.")
    user = spec(tmp_path, "user", Requires="citrix-tool")
    waivers = tmp_path / "waivers.toml"
    entry = '[[waiver]]\nid = "{}"\npackage = "{}"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n{}\n'
    waivers.write_text(
        entry.format("first", "citrix-*", "")
        + entry.format("shadowed", "citrix-tool", "")
        + entry.format("not-gated", "user", 'status = "depends"')
        + entry.format("typo", "citrx-tool", "")
    )
    args = [
        str(tool),
        str(user),
        "--fail-on",
        "origin",
        "--waivers",
        str(waivers),
        "--stale-waivers",
        "block",
    ]
    code, table, _ = run(["scan", *args], capsys)
    assert code == 1
    accepts_nothing = (
        "accepts nothing: the facts it matches need no waiver, or an earlier waiver accepts them"
    )
    assert f"stale waiver shadowed (citrix-tool): {accepts_nothing} (blocking)" in table
    assert f"stale waiver not-gated (user): {accepts_nothing} (blocking)" in table
    assert "stale waiver typo (citrx-tool): matches nothing (blocking)" in table
    code, junit, _ = run(["scan", *args, "--format", "junit"], capsys)
    failures = {
        case.get("name"): failure.get("message", "")
        for case in ET.fromstring(junit).iter("testcase")
        if (failure := case.find("failure")) is not None
    }
    assert accepts_nothing in failures["waiver shadowed"] and accepts_nothing in failures["waiver not-gated"]
    assert "matches nothing" in failures["waiver typo"]


def test_diff_counts_breakage_as_worse_and_deletion_as_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sm = spec(tmp_path, "sm", Vendor="Citrix Systems, Inc.")
    app = spec(tmp_path, "app", Requires="sm")
    old = tmp_path / "old.json"
    assert main(["scan", str(sm), str(app), "--format", "json", "-o", str(old), "-q"]) == 1
    code, out, _ = run(["diff", str(old), str(app), "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0
    worse = [pair["new"] for pair in document["worse"]]
    # A spec's package is named as its row is, with its mark (never built).
    assert {
        "nevra": "app-1.0-1.noarch",
        "label": "app-1.0-1.noarch (spec)",
        "status": "unresolved",
        "statuses": ["unresolved"],
    } in worse
    assert not document["better"]
    changes = {(f["package"], f["kind"], f["change"]) for f in document["facts"]}
    assert ("app", "depends", "gone") in changes  # its origin provider was deleted: not progress
    assert ("app", "unresolved", "new") in changes
    assert not any(change == "fixed" for _, _, change in changes)
    _, text, _ = run(["diff", str(old), str(app)], capsys)
    worse_section = text[text.index("Packages that got worse") :]
    assert "app-1.0-1.noarch (spec): depends -> unresolved" in worse_section.split("\n\n")[0]


def test_check_compares_like_with_like_in_a_repository_with_two_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    # AutoReq: no: stand-ins whose builds generate no requirement, so the audit is complete
    old = spec(base_dir, "pkg", "1.0", Vendor="Citrix Systems, Inc.", AutoReq="no")
    new = spec(base_dir, "pkg", "2.0", AutoReq="no")
    user = spec(base_dir, "user", Requires="pkg", AutoReq="no")
    base = [str(old), str(new), str(user)]
    code, out, _ = run(["check", str(new), "--against", *base, "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 0 and document["regressions"] == [] and document["worse"] == []
    assert document["headline"] == "nothing gets worse"
    [binary] = [item for item in document["new"] if item["nevra"] == "pkg-2.0-1.noarch"]
    assert binary["basis"] == "same NEVRA" and binary["compared_with"] == "pkg-2.0-1.noarch (spec)"
    newer = spec(tmp_path, "pkg", "3.0", AutoReq="no")
    code, out, _ = run(["check", str(newer), "--against", *base, "--format", "json"], capsys)
    [binary] = [item for item in json.loads(out)["new"] if item["nevra"] == "pkg-3.0-1.noarch"]
    assert binary["compared_with"] == "pkg-2.0-1.noarch (spec)" and binary["basis"].startswith(
        "newest version"
    )


def test_baseline_is_never_rewritten_from_a_failed_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # AutoReq: no: a baseline is written from a complete audit only (rpmbuild adds no requirement)
    sm = spec(tmp_path, "sm", Vendor="Citrix Systems, Inc.", AutoReq="no")
    app = spec(tmp_path, "app", Requires="sm", AutoReq="no")
    assert main(["baseline", str(sm), str(app), "-q"]) == 0
    baseline = tmp_path / ".auditor-baseline.json"
    before = baseline.read_bytes()
    assert json.loads(before)["entries"]
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"not an rpm")
    for extra in ([], ["--rewrite"]):
        code, _, err = run(["baseline", str(broken), str(app), *extra], capsys)
        assert code == 3 and "not written" in err and str(broken) in err
        assert baseline.read_bytes() == before


def test_baseline_refusal_advises_a_waiver_only_for_a_gap_a_waiver_can_accept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input's gap (a directory holding nothing) is of no package: no waiver accepts it, even
    `gap:*`, so the refusal must not send the user to write one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditor.toml").write_text(
        '[[waiver]]\npackage = "*"\nrule = "gap:*"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    app = spec(tmp_path, "app", AutoReq="no")
    (tmp_path / "empty").mkdir()
    code, _, err = run(["baseline", str(app), str(tmp_path / "empty")], capsys)
    assert code == 3 and "not written: the audit is incomplete: 1 empty-input" in err
    assert "waiver" not in err.splitlines()[-1]
    (tmp_path / "auditor.toml").unlink()
    code, _, err = run(["baseline", str(RPMS / "payload-xz-1.0-1.noarch.rpm")], capsys)
    assert code == 3 and 'accept each gap with a waiver (rule = "gap:KIND")' in err


def test_markdown_comments_keep_package_data_inert_and_say_when_the_check_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = spec(tmp_path, "base")
    hostile = spec(tmp_path, "hostile", URL="<b>bold</b>[x](http://evil.example)", Requires="base")
    code, out, _ = run(["check", str(hostile), "--against", str(base), "--format", "markdown"], capsys)
    outside = re.sub(r"(`+).*?\1", "", out)  # everything not inside a code span
    assert "<b>" not in outside and "](http" not in outside
    code, out, _ = run(["scan", str(hostile), str(base), "--format", "markdown"], capsys)
    outside = re.sub(r"(`+).*?\1", "", out)
    assert "<b>" not in outside and "](http" not in outside
    missing = tmp_path / "missing.spec"
    code, out, _ = run(["check", str(missing), "--against", str(base), "--format", "markdown"], capsys)
    assert code == 3 and "nothing gets worse" not in out
    assert out.startswith("### ❌ auditor check: failed: 1 input(s) could not be read")


def test_terminal_output_carries_no_control_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = spec(tmp_path, "evil", Vendor="Citrix\x1b]2;pwned\x07 Systems\x1b[2J", Requires="nothing\x1b[31m")
    code, table, _ = run(["scan", str(evil)], capsys)
    assert code == 1 and "\x1b" not in table and "\x07" not in table
    assert "pwned" not in table and "[2J" not in table  # whole sequences go, not just their first byte
    code, why, _ = run(["why", "evil", str(evil)], capsys)
    assert "\x1b" not in why and "\x07" not in why


def test_a_spec_and_the_rpm_built_from_it_are_told_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec changed since its RPM was built (here: a Citrix Vendor) shares the RPM's NEVRA:
    the table and the Markdown name the spec's package as the spec's, and the built binary is
    judged by the source package it was built from, never by the spec's (review 8, finding 7:
    an edited spec with no Release bump stood in for the real SRPM and whitewashed the RPM)."""
    changed = spec(tmp_path, "payload-xz", Vendor="Citrix Systems, Inc.")
    built, built_source = str(RPMS / "payload-xz-1.0-1.noarch.rpm"), str(RPMS / "payload-xz-1.0-1.src.rpm")
    _, table, _ = run(["scan", str(changed), built, built_source], capsys)
    rows = [line for line in table.splitlines() if line.startswith("payload-xz-1.0-1.")]
    assert rows and all(" (spec) " in row for row in rows), table
    _, markdown, _ = run(["scan", str(changed), built, built_source, "--format", "markdown"], capsys)
    assert "| `payload-xz-1.0-1.noarch (spec)` | **origin** (blocking) |" in markdown
    _, report, _ = run(["scan", str(changed), built, built_source, "--format", "json"], capsys)
    status = {(p["kind"], p["input"]): p["status"] for p in json.loads(report)["packages"]}
    assert status == {
        ("binary", str(changed)): "origin",
        ("source", str(changed)): "origin",
        ("binary", built): "clean",
        ("source", built_source): "clean",
    }


def test_a_built_rpm_whose_source_package_is_only_a_spec_has_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec of the same N-V-R is what would be built now, not what this RPM was built
    from: the RPM's own source package is not among the inputs, and the audit says so."""
    changed = spec(tmp_path, "payload-xz", Source0="https://example.org/payload-xz-1.0.tar.gz")
    built = str(RPMS / "payload-xz-1.0-1.noarch.rpm")
    code, report, _ = run(["scan", str(changed), built, "--format", "json", "--strict"], capsys)
    (package,) = [p for p in json.loads(report)["packages"] if p["input"] == built]
    assert [(gap["kind"], gap["detail"]) for gap in package["gaps"]] == [
        (
            "source-not-audited",
            "payload-xz-1.0-1.src.rpm is not among the inputs, only a spec of the same version",
        )
    ]
    assert code == 3


def test_check_lists_a_new_package_obsoleting_one_the_gate_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` names new packages that obsolete a blocking BASE package: build-depends blocks
    by default, so an obsoleted package that needs Citrix to be built is one of them."""
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    spec(base, "citrix-tool", Vendor="Citrix Systems, Inc.")
    spec(base, "builder", BuildRequires="citrix-tool")
    spec(new, "builder-ng", Obsoletes="builder < 2")
    main(["check", str(new), "--against", str(base), "--format", "json", "-q"])
    document = json.loads(capsys.readouterr().out)
    assert {
        "package": "builder-ng-1.0-1.noarch",
        "obsoletes": "builder-1.0-1.noarch",
        "status": "build-depends",
    } in document["obsoletes"]


def test_an_unreadable_input_beside_blocking_findings_says_both_in_every_headline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 3 wins over exit 1, and the headline says why; it must still say that what was
    read blocks: fixing the broken file alone would not pass the release."""
    citrix = spec(tmp_path, "citrix-tool", Vendor="Citrix Systems, Inc.")
    app = spec(tmp_path, "app", Requires="citrix-tool")
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"not an rpm")
    code, out, _ = run(["scan", str(citrix), str(app), str(broken), "--format", "markdown"], capsys)
    assert code == 3
    assert out.splitlines()[0] == "## ❌ auditor: failed: 1 input(s) could not be read; 3 blocking"
    code, out, _ = run(["scan", str(citrix), str(app), str(broken), "--format", "html"], capsys)
    assert code == 3 and "failed: 1 input(s) could not be read; 3 blocking; exit code 3" in out
    code, out, _ = run(
        ["check", str(app), str(broken), "--against", str(citrix), "--format", "markdown"], capsys
    )
    assert code == 3
    assert out.splitlines()[0].endswith("the check is incomplete; and 1 new blocking fact(s)")


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_an_sbom_says_how_many_packages_a_waiver_eased_as_the_json_report_does(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A release's SBOM is published alone: that the gate passed because a waiver accepted a
    Citrix package must be in it, with the count the JSON report's summary gives."""
    tool = spec(tmp_path, "citrix-tool", Vendor="Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "citrix-tool"\nreason = "replaced next release"\n'
        'owner = "release team"\nexpires = 2099-01-01\n'
    )
    args = [str(tool), "--waivers", str(waivers)]
    code, document = scan_json(args, capsys)
    assert code == 0 and document["summary"]["waived"] == 2  # the binary and its source package
    code, out, _ = run(["scan", *args, "--format", fmt], capsys)
    if fmt == "cyclonedx":
        properties = {p["name"]: p["value"] for p in json.loads(out)["metadata"]["properties"]}
        assert properties["auditor:waived-count"] == "2" and properties["auditor:blocking-count"] == "0"
    else:
        said = [a["comment"] for a in json.loads(out)["annotations"]]
        assert "auditor:waived-count=2" in said and "auditor:blocking-count=0" in said


def test_a_package_blocking_only_by_a_gap_under_strict_is_not_counted_twice_in_the_headline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --strict a gap blocks, and the headline says so once: a package that blocks by its
    gap alone is not another reason to fail."""
    clean = spec(tmp_path, "clean-tool")  # a spec: its automatic requirements are a gap
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"not an rpm")
    code, out, _ = run(["scan", str(clean), str(broken), "--strict", "--format", "markdown"], capsys)
    assert code == 3
    assert out.splitlines()[0] == (
        "## ❌ auditor: failed: 1 input(s) could not be read; evidence was not seen and --strict is set"
    )


def test_under_strict_the_headline_counts_blocking_packages_as_the_counts_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """rt15: a headline of "16 blocking" above counts of "21 blocking" (five packages blocking
    by their gaps alone, which --strict blocks). Both numbers are in the headline now, the
    second the one every count beside it gives."""
    repo = str(RPMS.parent / "repo")
    for fmt in ("markdown", "table"):
        code, out, _ = run(["scan", repo, "--strict", "--no-cache", "--format", fmt], capsys)
        counted = re.search(r"(\d+) blocking[,;]", out)
        headline = re.search(r"(\d+) blocking by their findings \((\d+) with the gaps --strict blocks\)", out)
        assert code == 3 and counted is not None and headline is not None
        assert int(headline.group(1)) < int(headline.group(2)) == int(counted.group(1))
