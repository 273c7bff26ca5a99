"""Red team 48 of one verdict: outputs of one run that disagreed, read back with real parsers
from runs of the CLI on real inputs (spec files the auditor reads without running them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository
from tests.reports.test_verdict_redteam import _scan, _write_spec


def _cyclonedx_components(document: str) -> list[dict[str, list[str]]]:
    found = []
    for component in json.loads(document)["components"]:
        properties: dict[str, list[str]] = {}
        for item in component.get("properties", []):
            properties.setdefault(item["name"], []).append(item["value"])
        found.append(properties)
    return found


def _spdx_packages(document: str) -> list[dict[str, list[str]]]:
    found = []
    for package in json.loads(document)["packages"]:
        properties: dict[str, list[str]] = {}
        for annotation in package.get("annotations", []):
            name, _, value = annotation["comment"].partition("=")
            properties.setdefault(name, []).append(value)
        found.append(properties)
    return found


@pytest.mark.parametrize(("fmt", "read"), [("cyclonedx", _cyclonedx_components), ("spdx", _spdx_packages)])
def test_an_sbom_names_the_copy_of_a_shared_nevra_it_rules_on(
    fmt: str, read: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vendor's spec of fw-1.0-1 and a rebuild's, in an SBOM with the release's purl namespace
    (``--purl-namespace``, as the README advises for a repository): both copies were components
    of one purl, ``pkg:rpm/xcp-ng/fw@1.0-1?arch=noarch``, one ``auditor:blocking`` true and one
    false, with nothing saying which file each is (the SPDX ``packageFileName`` is ``fw.spec``
    for both), while every other format names each row with its spec. A consumer keying the
    decision by purl read the clean rebuild's verdict as the vendor's, or the other way round."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    inputs = [str(vendor.parent), str(rebuild.parent), "--purl-namespace", "xcp-ng"]
    code, document = _scan([*inputs, "--format", fmt], capsys)
    assert code == 1
    audited = [p for p in read(document) if p.get("auditor:audited") == ["true"]]  # type: ignore[operator]
    assert len(audited) == 4
    for properties in audited:
        [label] = properties["auditor:label"]
        copy = vendor if properties["auditor:blocking"] == ["true"] else rebuild
        assert label.startswith("fw-1.0-1.") and str(copy) in label, (label, properties)
    # Alone, a spec's package is named as its row is, with the mark alone (the RPM built from it
    # may share its NEVRA), and an RPM's by its purl alone, as before.
    code, document = _scan([str(vendor.parent), "--format", fmt], capsys)
    assert code == 1
    labels = {p["auditor:label"][0] for p in read(document) if "auditor:label" in p}  # type: ignore[operator]
    assert labels == {"fw-1.0-1.noarch (spec)", "fw-1.0-1.src (spec)"}


def _spec_of(directory: Path, name: str, *lines: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.spec"
    preamble = "".join(f"{line}\n" for line in lines)
    path.write_text(
        f"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n{preamble}"
        "BuildArch: noarch\nAutoReq: no\n%description\nd\n%files\n"
    )
    return path


def test_the_plan_and_the_page_name_the_copy_an_origin_holds_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The vendor's tree holds Citrix ``cx`` and an ``app`` needing it; a rebuild's tree an ``app``
    of the same NEVRA needing nothing. ``scan`` names the blocking row ``app-1.0-1.noarch (spec
    .../vendor/app.spec)``, but ``auditor plan`` (table and JSON) and the page's "what holds
    independence back" said cx holds back ``app-1.0-1.noarch``, the bare NEVRA the clean copy has
    too: read as the rebuild's verdict, or a plan to replace cx for a package that needs nothing."""
    _spec_of(tmp_path / "vendor", "cx", "Vendor: Citrix Systems, Inc.", "Provides: libcx")
    vendor = _spec_of(tmp_path / "vendor", "app", "Requires: libcx")
    _spec_of(tmp_path / "rebuild", "app")
    inputs = [str(tmp_path / "vendor"), str(tmp_path / "rebuild"), "--no-cache", "-q"]
    assert main(["plan", *inputs, "--format", "json"]) == 0
    [item] = json.loads(capsys.readouterr().out)["replace"]
    [held] = item["holds_back"]
    assert held.startswith("app-1.0-1.noarch (") and str(vendor) in held, held
    assert main(["plan", *inputs]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("1 ")]
    assert str(vendor) in line, line
    code, page = _scan([*inputs, "--format", "html"], capsys)
    assert code == 1
    panel = page[page.index('<section class="focus" id="focus-0"') :]
    panel = panel[: panel.index("</section>")]
    held_list = panel[panel.index("listing-held") :]
    assert f"<code>app-1.0-1.noarch (spec {vendor})</code>" in held_list, held_list
    assert "<title>app-1.0-1.noarch\n" not in panel, panel


def test_a_waived_line_names_the_copy_of_a_shared_nevra_it_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A waiver accepts the vendor's fw (Citrix Vendor) beside a rebuild of one NEVRA: the rows
    name each copy, but the line saying what the waiver accepted read ``waived: fw-1.0-1.noarch:
    [citrix-vendor] ...``, the bare NEVRA of the clean rebuild too, in the table, the Markdown
    and the page."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\npackage = "fw"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n')
    inputs = [str(vendor.parent), str(rebuild.parent), "--waivers", str(waivers)]
    for fmt in ("table", "markdown", "html"):
        code, out = _scan([*inputs, "--format", fmt], capsys)
        assert code == 0
        lines = [line for line in out.splitlines() if "waived: fw-1.0-1." in line]
        assert len(lines) == 2 and all(str(vendor) in line for line in lines), (fmt, lines)
        assert str(rebuild) not in "".join(lines)


def test_the_graphs_name_the_file_of_a_build_its_repository_holds_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One repository holds the vendor's build of fw-1.0-1 (Citrix Vendor) and a clean rebuild of
    the same NEVRA, in two files: the table names each row with its file, but the graphs drew the
    vendor's as ``fw-1.0-1.noarch [REPO]``, the repository both copies are in, read as the verdict
    on the clean one too."""
    vendor = (
        build_repository([{"name": "fw", **CITRIX}], tmp_path / "vendor") / "noarch" / "fw-1.0-1.noarch.rpm"
    )
    clean = build_repository([{"name": "fw"}], tmp_path / "rebuild") / "noarch" / "fw-1.0-1.noarch.rpm"
    repo = tmp_path / "repo"
    for name, built in (("a", vendor), ("b", clean)):
        (repo / name).mkdir(parents=True)
        shutil.copy(built, repo / name)
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    inputs = [str(repo), "--no-source-discovery"]
    code, table = _scan(inputs, capsys)
    assert code == 1
    assert f"fw-1.0-1.noarch ({repo / 'a' / 'fw-1.0-1.noarch.rpm'})  origin *" in table, table
    code, dot = _scan([*inputs, "--format", "dot"], capsys)
    labels = re.findall(r'label="(fw-1\.0-1\.noarch[^"\\]*)', dot)
    assert labels == [f"fw-1.0-1.noarch [{repo / 'a' / 'fw-1.0-1.noarch.rpm'}]"], labels
    code, graphml = _scan([*inputs, "--format", "graphml"], capsys)
    assert list(nx.parse_graphml(graphml).nodes) == [
        f"fw-1.0-1.noarch [{repo / 'a' / 'fw-1.0-1.noarch.rpm'}]"
    ]


def test_why_names_the_copy_that_needs_an_origin_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``auditor why cx`` beside a vendor's app needing it and a rebuild's app of the same NEVRA
    needing nothing listed ``needed by: app-1.0-1.noarch [depends]``, the clean copy's name too."""
    _spec_of(tmp_path / "vendor", "cx", "Vendor: Citrix Systems, Inc.", "Provides: libcx")
    vendor = _spec_of(tmp_path / "vendor", "app", "Requires: libcx")
    _spec_of(tmp_path / "rebuild", "app")
    assert main(["why", "cx", str(tmp_path / "vendor"), str(tmp_path / "rebuild"), "--no-cache", "-q"]) == 1
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.strip().startswith("app-1.0-1.noarch")]
    assert line.strip() == f"app-1.0-1.noarch (spec {vendor}) [depends] (for libcx)", out


def test_the_page_counts_one_fact_that_blocks_now_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An earlier report under a waiver of fw's Citrix vendor, this scan without it: the page read
    "1 fact block now that did not before"."""
    vendor = _write_spec(tmp_path / "in", "Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\npackage = "fw"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n')
    earlier = tmp_path / "earlier.json"
    assert main(["scan", "--no-cache", "-q", str(vendor), "--waivers", str(waivers), "-o", str(earlier)]) == 0
    code, page = _scan([str(vendor), "--compare", str(earlier), "--format", "html"], capsys)
    assert code == 1
    assert "1 fact blocks now that did not before." in page, page[page.index('id="compare-blocking"') :][:300]
