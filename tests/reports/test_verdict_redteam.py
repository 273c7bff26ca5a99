"""Red team of one verdict: inputs for which two outputs of one audit disagreed, or for which a
row or a test case read as the verdict on another package.

Each case runs the CLI on real inputs (spec files the auditor reads without running them, RPMs
rpmbuild made), writes every format with ``-o``, reads each back with a real parser and compares.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from packageurl import PackageURL

from auditor.cli.main import main

FIRMWARE = """Name: fw
Version: 1.0
Release: 1
Summary: s
License: MIT
{vendor}BuildArch: noarch
AutoReq: no
%description
d
%files
/usr/share/fw
"""


def _write_spec(directory: Path, vendor: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "fw.spec"
    path.write_text(FIRMWARE.format(vendor=f"Vendor: {vendor}\n" if vendor else ""))
    return path


def _scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", "--no-cache", *args, "-q"])
    return code, capsys.readouterr().out


def test_two_specs_of_one_nevra_are_told_apart_in_every_row_and_test_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two packaging trees each hold a spec of fw-1.0-1: the vendor's (Citrix Vendor) and the
    rebuild's. Both are audited, one origin, one clean; the JSON tells them apart by input, but
    the table, the Markdown and JUnit named both rows and both test cases ``fw-1.0-1.noarch
    (spec)``: a CI that keys test cases by name (GitLab, Jenkins) keeps one of a failed and a
    passed case of one name, and a reader of the table takes the clean row for the verdict on
    the vendor's spec. Copies of one NEVRA among RPMs were named with their input; a spec's row
    was not."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    inputs = [str(vendor.parent), str(rebuild.parent)]
    code, document = _scan([*inputs, "--format", "json"], capsys)
    assert code == 1
    packages = json.loads(document)["packages"]
    blocking = {(p["nevra"], p["input"]): p["blocking"] for p in packages}
    assert blocking == {
        ("fw-1.0-1.noarch", str(vendor)): True,
        ("fw-1.0-1.src", str(vendor)): True,
        ("fw-1.0-1.noarch", str(rebuild)): False,
        ("fw-1.0-1.src", str(rebuild)): False,
    }

    _, junit = _scan([*inputs, "--format", "junit"], capsys)
    cases = list(ET.fromstring(junit).iter("testcase"))
    names = [case.get("name", "") for case in cases]
    assert len(names) == len(set(names)) == 4, names
    failed = [case.get("name", "") for case in cases if case.find("failure") is not None]
    assert len(failed) == 2 and all(str(vendor) in name for name in failed), failed

    _, table = _scan(inputs, capsys)
    rows = [line for line in table.splitlines() if line.startswith("fw-1.0-1.")]
    assert len(rows) == 2, table  # the clean copies are counted, not listed
    assert all(str(vendor) in row for row in rows), rows

    _, markdown = _scan([*inputs, "--format", "markdown"], capsys)
    rows = [line for line in markdown.splitlines() if line.startswith("| `fw-1.0-1.")]
    assert len(rows) == 2 and all(str(vendor) in row for row in rows), rows


def test_check_tells_apart_two_new_packages_of_one_nevra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change bringing the vendor's spec of fw-1.0-1 and the rebuild's: ``check`` listed
    ``fw-1.0-1.noarch (new) -> origin`` and ``fw-1.0-1.noarch (new) -> clean`` in its table, its
    Markdown comment and its JSON, with nothing saying which file is the Citrix one, while
    ``scan`` of the same files names each row with its spec (the test above)."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    base = _write_spec(tmp_path / "base").parent
    (base / "fw.spec").rename(base / "other.spec")
    (base / "other.spec").write_text((base / "other.spec").read_text().replace("Name: fw", "Name: other"))
    args = ["check", str(vendor), str(rebuild), "--against", str(base), "--no-cache", "-q"]
    assert main([*args, "--format", "json"]) == 1
    new = json.loads(capsys.readouterr().out)["new"]
    after = {(item["nevra"], item.get("input")): item["after"] for item in new}
    assert after == {
        ("fw-1.0-1.noarch", str(vendor)): "origin",
        ("fw-1.0-1.src", str(vendor)): "origin",
        ("fw-1.0-1.noarch", str(rebuild)): "clean",
        ("fw-1.0-1.src", str(rebuild)): "clean",
    }
    for fmt in ("table", "markdown"):
        assert main([*args, "--format", fmt]) == 1
        out = capsys.readouterr().out
        rows = [line for line in out.splitlines() if "-> origin" in line or "-> clean" in line]
        assert len(rows) == 4, out
        assert all(str(vendor) in row for row in rows if "-> origin" in row), rows
        assert all(str(rebuild) in row for row in rows if "-> clean" in row), rows


# -- every output of one run, read back and compared ------------------------------------------

OUTPUTS = ("json", "sarif", "xml", "md", "html", "cdx.json", "spdx.json", "dot", "graphml", "txt")


def _spec_of(directory: Path, name: str, *lines: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    preamble = "\n".join(lines)
    (directory / f"{name}.spec").write_text(
        f"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n{preamble}\n"
        f"BuildArch: noarch\n%description\nd\n%files\n/usr/share/{name}\n"
    )


def _tree(root: Path) -> list[str]:
    """Inputs of every kind of fact: a Citrix package, a dependent and a build dependent, an
    unresolved requirement, a clean alternative (may-depend), a name with markup characters, one
    NEVRA in two trees (a vendor's spec and a rebuild's), an empty directory, a file that is no
    RPM beside good ones, and the specs' automatic-requires gaps."""
    main_tree, other = root / "main", root / "other"
    _spec_of(main_tree, "ctx", "Vendor: Citrix Systems, Inc.", "Provides: cap")
    _spec_of(main_tree, "free", "Provides: cap", "AutoReq: no")
    _spec_of(main_tree, "app", "Requires: ctx")
    _spec_of(main_tree, "chooser", "Requires: cap", "AutoReq: no")
    _spec_of(main_tree, "builder", "BuildRequires: app", "AutoReq: no")
    _spec_of(main_tree, "lonely", "Requires: nothing-gives-this", "AutoReq: no")
    _spec_of(main_tree, "mark_up*", "Requires: ctx", "AutoReq: no")
    _spec_of(main_tree, "fw", "Vendor: Citrix Systems, Inc.", "AutoReq: no")
    _spec_of(other, "fw", "AutoReq: no")
    (root / "empty").mkdir()
    (root / "damaged").mkdir()
    (root / "damaged" / "broken.rpm").write_bytes(b"not an rpm at all" * 20)
    waivers = root / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "expired"\npackage = "lonely"\nreason = "r"\nowner = "o"\nexpires = 2020-01-01\n'
        '[[waiver]]\nid = "by-category"\npackage = "mark_up*"\ncategory = "citrix"\nreason = "r"\n'
        'owner = "o"\nexpires = 2999-01-01\n'
        '[[waiver]]\nid = "gaps"\npackage = "app"\nrule = "gap:*"\nreason = "r"\nowner = "o"\n'
        "expires = 2999-01-01\n"
    )
    return [str(main_tree), str(other), "--waivers", str(waivers)]


SETUPS = {
    "default": [],
    "strict": ["--strict"],
    "wide": ["--fail-on", "origin,depends,may-depend,build-depends,unresolved", "--strict"],
    "none": ["--fail-on", "none"],
    "none-strict": ["--fail-on", "none", "--strict"],
    "unresolved-only": ["--fail-on", "unresolved"],
    "empty-input": ["EMPTY"],
    "input-error": ["DAMAGED"],
}
"""Extra arguments of each run; EMPTY and DAMAGED name the empty directory and the directory
holding a file that is no RPM."""


def purl_nevra(purl: str) -> str:
    """The NEVRA a bill of materials' package URL names (epoch and arch from its qualifiers)."""
    parsed = PackageURL.from_string(purl)
    qualifiers = parsed.qualifiers
    assert isinstance(qualifiers, dict)
    epoch = f"{qualifiers['epoch']}:" if "epoch" in qualifiers else ""
    return f"{parsed.name}-{epoch}{parsed.version}.{qualifiers['arch']}"


def _said(stem: Path) -> dict[str, dict[str, object]]:
    """What each output says: its exit code, the packages it lists (a multiset of NEVRAs), those
    it shows blocking, those it shows with evidence not seen, and whether the audit is complete."""
    text = {suffix: Path(f"{stem}.{suffix}").read_text() for suffix in OUTPUTS}
    said: dict[str, dict[str, object]] = {}
    document = json.loads(text["json"])
    packages = document["packages"]
    said["json"] = {
        "exit": document["summary"]["exit_code"],
        "packages": Counter(p["nevra"] for p in packages),
        "blocking": Counter(p["nevra"] for p in packages if p["blocking"]),
        "gaps": Counter(p["nevra"] for p in packages if p["gaps"]),
        "complete": document["completeness"]["complete"],
    }
    bom = json.loads(text["cdx.json"])
    run = {(p["name"], p["value"]) for p in bom["metadata"]["properties"]}
    components = [c for c in bom["components"] if ("auditor:audited", "true") in _properties(c)]
    said["cyclonedx"] = {
        "exit": int(dict(run)["auditor:exit-code"]),
        "packages": Counter(purl_nevra(c["purl"]) for c in components),
        "blocking": Counter(
            purl_nevra(c["purl"]) for c in components if ("auditor:blocking", "true") in _properties(c)
        ),
        "gaps": Counter(
            purl_nevra(c["purl"]) for c in components if any(n == "auditor:gap" for n, _ in _properties(c))
        ),
        "complete": ("auditor:complete", "true") in run,
    }
    spdx = json.loads(text["spdx.json"])
    notes = dict(a["comment"].split("=", 1) for a in spdx["annotations"])

    def comments(package: dict[str, object]) -> list[str]:
        return [a["comment"] for a in package.get("annotations", [])]  # type: ignore[attr-defined]

    def purl(package: dict[str, object]) -> str:
        [found] = [r["referenceLocator"] for r in package["externalRefs"] if r["referenceType"] == "purl"]  # type: ignore[attr-defined]
        return purl_nevra(found)

    audited = [p for p in spdx["packages"] if "auditor:audited=true" in comments(p)]
    said["spdx"] = {
        "exit": int(notes["auditor:exit-code"]),
        "packages": Counter(purl(p) for p in audited),
        "blocking": Counter(purl(p) for p in audited if "auditor:blocking=true" in comments(p)),
        "gaps": Counter(purl(p) for p in audited if any(c.startswith("auditor:gap=") for c in comments(p))),
        "complete": notes["auditor:complete"] == "true",
    }
    sarif = json.loads(text["sarif"])["runs"][0]
    results = sarif["results"]
    said["sarif"] = {
        "exit": sarif["invocations"][0]["exitCode"],
        "blocking": Counter(
            {
                r["properties"]["nevra"]
                for r in results
                if r["level"] == "error" and "suppressions" not in r and "nevra" in r["properties"]
            }
        ),
        "gaps": Counter(r["properties"]["nevra"] for r in results if r["ruleId"] == "status/gap"),
    }
    suite = ET.fromstring(text["xml"]).find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    cases = [c for c in suite.iter("testcase") if c.get("classname") not in ("input", "config", "waiver")]
    names = [c.get("name", "") for c in cases]
    assert len(names) == len(set(names)), f"JUnit cases of one name: {names}"
    said["junit"] = {
        "exit": int(properties["exit-code"] or -1),
        "packages": Counter(_nevra_of_label(name) for name in names),
        "blocking": Counter(
            _nevra_of_label(c.get("name", "")) for c in cases if c.find("failure") is not None
        ),
        "complete": properties["complete"] == "true",
    }
    data = re.search(r'<script type="application/json" id="auditor-data">(.*?)</script>', text["html"], re.S)
    assert data is not None
    rows = json.loads(data.group(1))["packages"]
    code = re.search(r"exit code (\d+)</p>", text["html"])
    assert code is not None
    said["html"] = {
        "exit": int(code.group(1)),
        "packages": Counter(_nevra_of_label(r["nevra"]) for r in rows),
        "blocking": Counter(_nevra_of_label(r["nevra"]) for r in rows if r["gate"] == "blocking"),
    }
    markdown_code = re.search(r"exit code (\d+)\.", text["md"])
    assert markdown_code is not None
    blocking_rows = re.findall(r"^\| (`+)(.+?)\1 \| \*\*[a-z-]+\*\* \(blocking\) \|", text["md"], re.M)
    said["markdown"] = {
        "exit": int(markdown_code.group(1)),
        "blocking": Counter(_nevra_of_label(label.strip().replace("\\|", "|")) for _, label in blocking_rows),
    }
    table_rows = re.findall(r"^(\S.*?)\s+[a-z-]+ \*(?:\s|$)", text["txt"], re.M)
    said["table"] = {"blocking": Counter(_nevra_of_label(row) for row in table_rows)}
    graph = nx.parse_graphml(text["graphml"])
    said["graphml"] = {
        "exit": int(graph.graph["exitcode"]),
        "blocking": Counter({d["nevra"] for _, d in graph.nodes(data=True) if d.get("gate") == "blocking"}),
    }
    return said


def _properties(component: dict[str, object]) -> set[tuple[str, str]]:
    return {(p["name"], p["value"]) for p in component.get("properties", [])}  # type: ignore[attr-defined]


def _nevra_of_label(label: str) -> str:
    """A row's NEVRA: its label without the ``(spec ...)`` or ``(input)`` that names its copy."""
    return label.split(" (", 1)[0]


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_every_output_of_one_run_says_one_verdict(
    setup: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One ``scan`` writing every format with ``-o``; each read back by a real parser: the
    exit code each states is the run's, each lists the same packages (copies of one NEVRA
    counted), shows the same ones blocking and the same ones with evidence not seen."""
    inputs = _tree(tmp_path / "in")
    named = {"EMPTY": str(tmp_path / "in" / "empty"), "DAMAGED": str(tmp_path / "in" / "damaged")}
    extra = [named.get(argument, argument) for argument in SETUPS[setup]]
    stem = tmp_path / "report"
    outputs = [item for suffix in OUTPUTS for item in ("-o", f"{stem}.{suffix}")]
    code = main(["scan", "--no-cache", "-q", *extra, *inputs, *outputs])
    capsys.readouterr()
    said = _said(stem)
    truth = said["json"]
    assert code == truth["exit"] and code in (0, 1, 3)
    for fmt, what in said.items():
        if "exit" in what:
            assert what["exit"] == code, fmt
        if "complete" in what:
            assert what["complete"] == truth["complete"], fmt
        if "packages" in what:
            assert what["packages"] == truth["packages"], fmt
        if "gaps" in what:
            assert what["gaps"] == truth["gaps"], fmt
        blocking = what["blocking"]
        assert isinstance(blocking, dict)
        expected = truth["blocking"]
        assert isinstance(expected, dict)
        # SARIF and the graph draw a NEVRA once however many copies block
        assert blocking == (_once(expected) if fmt in ("sarif", "graphml") else expected), fmt
    expected_code = {"none": 0, "strict": 3, "wide": 3, "none-strict": 3, "input-error": 3}.get(setup, 1)
    assert code == expected_code
    assert truth["blocking"] or setup == "none"


def _once(counts: dict[str, int]) -> dict[str, int]:
    return dict.fromkeys(counts, 1)


def test_a_waived_status_is_not_read_as_a_waived_gap_that_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """app needs Citrix ctx; a waiver accepts that (category citrix) and ``--strict`` makes app's
    unseen evidence (automatic-requires) block. Every row said ``depends (blocking)`` and ``needs
    ctx...; also blocks: gap (waived by app-citrix)``: the one thing that blocks read as waived,
    and the one that is waived as blocking. Then ``...(waived by app-citrix); also blocks: gap``:
    "also" beside a status a waiver accepted read as if the depends blocked too (verdicts62)."""
    _spec_of(tmp_path / "in", "ctx", "Vendor: Citrix Systems, Inc.", "AutoReq: no")
    _spec_of(tmp_path / "in", "app", "Requires: ctx")
    _spec_of(tmp_path / "in", "fine")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "app-citrix"\npackage = "app"\ncategory = "citrix"\nreason = "r"\nowner = "o"\n'
        "expires = 2999-01-01\n"
    )
    args = [str(tmp_path / "in"), "--strict", "--waivers", str(waivers)]
    code, document = _scan([*args, "--format", "json"], capsys)
    assert code == 3
    [app] = [p for p in json.loads(document)["packages"] if p["nevra"] == "app-1.0-1.noarch"]
    assert app["blocking"] and {f["kind"]: f["blocks"] for f in app["facts"]} == {
        "depends": False,
        "gap": True,
    }
    expected = (
        "needs ctx-1.0-1.noarch (for ctx); 1 hop(s) to ctx-1.0-1.noarch (waived by app-citrix); blocks: gap"
    )
    assert app["why"] == expected
    _, table = _scan(args, capsys)
    assert expected in table
    _, markdown = _scan([*args, "--format", "markdown"], capsys)
    assert f"`{expected}`" in markdown
    # A package blocked by a gap alone: its clean status is no "clean ... also blocks".
    [fine] = [p for p in json.loads(document)["packages"] if p["nevra"] == "fine-1.0-1.noarch"]
    assert (fine["status"], fine["blocking"], fine["why"]) == ("clean", True, "blocks: gap")


def test_a_junit_failure_is_typed_by_what_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Under ``--strict`` a package with no finding but evidence not seen fails, and one whose
    depends a waiver accepted fails for its gap alone: JUnit typed the first failure ``clean`` and
    the second ``depends``, the very status the waiver accepted (CI pages show the type as the
    failure's kind)."""
    _spec_of(tmp_path / "in", "ctx", "Vendor: Citrix Systems, Inc.", "AutoReq: no")
    _spec_of(tmp_path / "in", "app", "Requires: ctx")
    _spec_of(tmp_path / "in", "fine")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "app-citrix"\npackage = "app"\ncategory = "citrix"\nreason = "r"\nowner = "o"\n'
        "expires = 2999-01-01\n"
    )
    args = [str(tmp_path / "in"), "--strict", "--waivers", str(waivers), "--format", "junit"]
    code, junit = _scan(args, capsys)
    assert code == 3
    types = {
        case.get("name"): failure.get("type")
        for case in ET.fromstring(junit).iter("testcase")
        if (failure := case.find("failure")) is not None
    }
    assert types["fine-1.0-1.noarch (spec)"] == "gap"
    assert types["app-1.0-1.noarch (spec)"] == "gap"
    assert types["ctx-1.0-1.src (spec)"] == "origin"


def test_the_graphs_name_the_copy_they_draw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A vendor's spec of fw-1.0-1 and a rebuild's: the graphs draw the flagged copy alone, as
    ``fw-1.0-1.noarch``, origin (blocking), with nothing saying it is the vendor's: the drawing
    read as the verdict on every fw-1.0-1, the rebuild's too, which every other format names
    apart (its input)."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    inputs = [str(vendor.parent), str(rebuild.parent)]
    _, dot = _scan([*inputs, "--format", "dot"], capsys)
    labels = [label for label in re.findall(r'label="(fw-1\.0-1\.[^"]*)"', dot) if "(blocking)" in label]
    assert len(labels) == 2 and all(str(vendor) in label for label in labels), labels
    _, graphml = _scan([*inputs, "--format", "graphml"], capsys)
    nodes = list(nx.parse_graphml(graphml).nodes)
    assert len(nodes) == 2 and all(str(vendor) in node for node in nodes), nodes


def test_standard_error_counts_the_waived_gaps_under_strict_as_the_reports_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two specs' automatic-requires gaps, one accepted by a waiver, under ``--strict``: every
    report says ``2 automatic-requires (1 accepted by waivers)``; standard error said ``2
    automatic-requires: --strict is set, so this fails the run``, as if both failed it."""
    _spec_of(tmp_path / "in", "one")
    _spec_of(tmp_path / "in", "two")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "one"\nrule = "gap:*"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n'
    )
    code = main(["scan", "--no-cache", str(tmp_path / "in"), "--strict", "--waivers", str(waivers)])
    captured = capsys.readouterr()
    assert code == 3
    assert "incomplete: 2 automatic-requires (1 accepted by waivers)" in captured.out
    [line] = [line for line in captured.err.splitlines() if "incomplete" in line]
    assert line == (
        "auditor: warning: the audit is incomplete: 2 automatic-requires: "
        "--strict is set, so this fails the run (1 accepted by waivers)"
    )


def test_a_baseline_entry_of_a_gap_says_why_it_accepts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-merged baseline holding an entry of evidence not seen (a gap fact's own kind and
    fingerprint): the gate never lets a baseline accept a gap, and the report said the gap was
    "blocking (reaching beyond what it accepted)", the words of a taint reaching a new origin."""
    _spec_of(tmp_path / "in", "fine")
    code, document = _scan([str(tmp_path / "in"), "--strict", "--format", "json"], capsys)
    assert code == 3
    [gap] = [f for p in json.loads(document)["packages"] for f in p["facts"] if f["kind"] == "gap"]
    baseline = tmp_path / "baseline.json"
    entry = {
        "capability": gap["capability"],
        "fingerprint": gap["fingerprint"],
        "kind": gap["rule"],
        "package": "fine",
    }
    baseline.write_text(json.dumps({"entries": [entry], "tool": "auditor", "version": 1}))
    code, table = _scan([str(tmp_path / "in"), "--strict", "--baseline", str(baseline)], capsys)
    assert code == 3
    [line] = [line for line in table.splitlines() if line.startswith("baseline entry accepting nothing")]
    assert "reaching beyond" not in line and "evidence not seen" in line and "gap:" in line, line
