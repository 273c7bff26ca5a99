"""Taints as facts: accepting one way a package depends on origin packages accepts no other.

Each scenario is a red-team finding replayed through the CLI on spec files (real inputs the
command reads without running them): a waiver or a baseline entry that accepted one thing
once silently accepted another, because a package's taint was one fact per status, carrying
only its shortest chain's end and category, and an origin package had no taint fact at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.origin.findings import fingerprint
from tests.scenarios.test_one_verdict_scenarios import run, scan_json, spec


def waivers(directory: Path, **fields: str) -> Path:
    path = directory / "waivers.toml"
    lines = [f'{key} = "{value}"' for key, value in fields.items()]
    path.write_text("[[waiver]]\n" + "\n".join(lines) + '\nowner = "release team"\nexpires = 2099-01-01\n')
    return path


def binary(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in document["packages"] if p["name"] == name and p["arch"] != "src")


def taints(package: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(kind, category, ends_at, disposition) of each taint fact."""
    return sorted(
        (f["kind"], f["category"], f["ends_at"], f["disposition"])
        for f in package["facts"]
        if f["kind"] in ("depends", "may-depend", "build-depends")
    )


def test_an_origin_package_needing_another_one_has_that_dependency_as_a_fact_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Waiving one piece of a package's own evidence does not accept the origin packages it needs."""
    app = spec(tmp_path, "app", Vendor="Citrix Systems, Inc.", Requires="licd")
    licd = spec(tmp_path, "licd", License="Proprietary", URL="https://code.citrite.net/licd")
    rule = waivers(tmp_path, package="app*", rule="citrix-vendor", reason="a leftover Vendor string")
    code, document = scan_json([str(app), "--with", str(licd), "--waivers", str(rule)], capsys)
    assert code == 1
    package = binary(document, "app")
    assert package["statuses"] == ["origin", "depends"] and package["blocking"] is True
    assert taints(package) == [
        ("depends", "citrix", "licd", "blocks"),
        ("depends", "proprietary", "licd", "blocks"),
    ]
    code, table, _ = run(["scan", str(app), "--with", str(licd), "--waivers", str(rule)], capsys)
    row = next(line for line in table.splitlines() if line.startswith("app-1.0-1.noarch "))
    assert code == 1 and "depends *" in row and "licd" in row
    # Its own evidence is still not a dependency: an origin package needing only itself has none.
    alone = spec(tmp_path, "alone", Vendor="Citrix Systems, Inc.", Requires="alone")
    code, document = scan_json([str(alone)], capsys)
    assert binary(document, "alone")["statuses"] == ["origin"]


def test_a_waiver_scoped_by_category_accepts_no_taint_of_the_other_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shorter chain to a Citrix-hosted package no longer hides a dependency on proprietary code."""
    app = spec(tmp_path, "app", Requires="xtool\nhelper")
    xtool = spec(tmp_path, "xtool", URL="https://code.citrite.net/xtool")
    context = tmp_path / "context"
    context.mkdir()
    spec(context, "helper", Requires="blob")
    spec(context, "blob", License="Proprietary")
    citrix = waivers(tmp_path, package="*", category="citrix", reason="Citrix-hosted sources until 9.0")
    args = [str(app), str(xtool), "--with", str(context), "--waivers", str(citrix)]
    code, document = scan_json(args, capsys)
    assert code == 1
    package = binary(document, "app")
    assert taints(package) == [
        ("depends", "citrix", "xtool", "waived"),
        ("depends", "proprietary", "blob", "blocks"),
    ]
    # The table shows the chain that blocks, and `why` each taint's chain.
    code, table, _ = run(["scan", *args], capsys)
    row = next(line for line in table.splitlines() if line.startswith("app-1.0-1.noarch "))
    assert code == 1 and "depends *" in row and "to blob-1.0-1.noarch" in row and "1 of 2 waived" in row
    code, why, _ = run(["why", "app", *args], capsys)
    assert "needs helper-1.0-1.noarch (for helper)" in why and "needs blob-1.0-1.noarch (for blob)" in why
    assert "chain of citrix depends [waived by *#0" in why and "needs xtool-1.0-1.noarch" in why
    sarif_code, out, _ = run(["scan", *args, "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    depends = [r["properties"] for r in results if r["properties"]["kind"] == "depends"]
    assert sarif_code == 1 and sorted((p["category"], p["blocks"]) for p in depends) == [
        ("citrix", False),
        ("proprietary", True),
    ]


def test_a_baseline_entry_accepts_the_origin_package_it_named_and_no_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    # AutoReq: no: a baseline is written from a complete audit only (rpmbuild adds no requirement)
    app = spec(one, "app", Requires="xlib", AutoReq="no")
    xlib = spec(one, "xlib", Vendor="Citrix Systems, Inc.")
    assert main(["baseline", str(app), "--with", str(xlib), "-q"]) == 0
    baseline = tmp_path / ".auditor-baseline.json"
    [entry] = json.loads(baseline.read_text())["entries"]
    assert entry["kind"] == "status:depends" and entry["ends_at"] == "xlib"

    # A version bump, and a longer way to the same origin package: still the accepted fact.
    app2 = spec(two, "app", "2.0", Requires="middle", AutoReq="no")
    middle = spec(two, "middle", Requires="xlib")
    xlib2 = spec(two, "xlib", "2.0", Vendor="Citrix Systems, Inc.")
    code, document = scan_json([str(app2), "--with", str(middle), "--with", str(xlib2)], capsys)
    assert code == 0 and taints(binary(document, "app")) == [("depends", "citrix", "xlib", "baselined")]

    # Needing another origin package instead is a new fact: it blocks, the entry is gone.
    new = tmp_path / "new"
    new.mkdir()
    app3 = spec(new, "app", "2.0", Requires="licensing-blob")
    blob = spec(new, "licensing-blob", "9.0", Vendor="Citrix Systems, Inc.", License="Proprietary")
    code, document = scan_json([str(app3), "--with", str(blob)], capsys)
    assert code == 1 and document["gate"]["baselined"] == []
    assert [e["ends_at"] for e in document["gate"]["gone"]] == ["xlib"]
    assert entry["capability"] == "citrix:xlib"  # what identifies it: its category and origin package

    # A baseline written before taints named their origin package (capability "") keeps
    # accepting the taint ending where it said, and nothing else.
    legacy = {
        "fingerprint": fingerprint("status:depends", "app", ""),
        "kind": "status:depends",
        "package": "app",
        "capability": "",
        "ends_at": "xlib",
    }
    baseline.write_text(json.dumps({"version": 1, "tool": "auditor", "entries": [legacy]}))
    code, document = scan_json([str(app2), "--with", str(middle), "--with", str(xlib2)], capsys)
    assert code == 0 and len(document["gate"]["baselined"]) == 1 and document["gate"]["fixed"] == []
    code, document = scan_json([str(app3), "--with", str(blob)], capsys)
    assert code == 1 and document["gate"]["baselined"] == []
    assert [e["ends_at"] for e in document["gate"]["gone"]] == ["xlib"]
    # Rewriting it without --rewrite keeps the entry in today's form, and records nothing new.
    assert main(["baseline", str(app2), "--with", str(middle), "--with", str(xlib2), "-q"]) == 0
    [entry] = json.loads(baseline.read_text())["entries"]
    assert entry["capability"] == "citrix:xlib" and entry["ends_at"] == "xlib"


def test_a_baseline_entry_does_not_accept_a_new_origin_package_behind_the_one_it_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """app depends on xlib (citrix), accepted. Then it also comes to need ylib (citrix), by a
    longer way: its taint still names the nearest one, xlib, and its fingerprint is the
    accepted one's, but what it reaches is no longer what the entry accepted: it blocks."""
    monkeypatch.chdir(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    app = spec(one, "app", Requires="xlib\nlib2", AutoReq="no")
    context = [
        spec(one, "xlib", Vendor="Citrix Systems, Inc."),
        spec(one, "lib2", AutoReq="no"),
    ]
    with_context = [item for path in context for item in ("--with", str(path))]
    assert main(["baseline", str(app), *with_context, "-q"]) == 0
    [entry] = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    assert (entry["capability"], entry["reaches"]) == ("citrix:xlib", ["xlib"])
    # The same release: accepted.
    code, document = scan_json([str(app), *with_context], capsys)
    assert code == 0 and taints(binary(document, "app")) == [("depends", "citrix", "xlib", "baselined")]
    # lib2 now needs ylib, a Citrix package: app reaches it too, behind xlib.
    later = [
        spec(two, "xlib", Vendor="Citrix Systems, Inc."),
        spec(two, "lib2", "2.0", Requires="ylib"),
        spec(two, "ylib", Vendor="Citrix Systems, Inc."),
    ]
    with_later = [item for path in later for item in ("--with", str(path))]
    code, document = scan_json([str(app), *with_later], capsys)
    assert taints(binary(document, "app")) == [("depends", "citrix", "xlib", "blocks")]
    assert code == 1 and document["gate"]["baselined"] == []
    [fact] = [f for f in binary(document, "app")["facts"] if f["rule"] == "status:depends"]
    assert fact["reason"] == "blocks: it now also reaches ylib, which its baseline entry did not accept"
