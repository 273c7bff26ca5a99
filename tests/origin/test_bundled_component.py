"""A package of another name that carries a copy of a known proprietary component says so the
way Fedora's packaging guidelines have it, ``Provides: bundled(NAME)``: the component rule
matched package names only, and ``app`` carrying XenServer's licensing daemon inside it was
clean, as was everything that needs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository
from tests.origin.scanned import scan_report, write_spec


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("bundled")
    return build_repository(
        [
            {"name": "licensing", "provides": ["bundled(v6d-citrix) = 10.41.0"]},
            {"name": "toolstack", "requires": ["licensing"]},
            # Not a copy of the component: a name that only holds it, or another's bundle.
            {"name": "lookalike", "provides": ["bundled(v6d-citrix-docs)", "v6d-citrix-bundled"]},
            {"name": "golang-x", "provides": ["bundled(golang(example.org/v6d-citrix))"]},
        ],
        top,
    )


def test_a_package_that_bundles_a_proprietary_component_is_that_component(
    repository: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    code = main(
        ["scan", str(repository), "--no-cache", "--no-baseline", "--format", "json", "-o", str(report)]
    )
    document = json.loads(report.read_text())
    status = {p["name"]: p["status"] for p in document["packages"] if p["kind"] == "binary"}
    assert status == {
        "licensing": "origin",
        "toolstack": "depends",
        "lookalike": "clean",
        "golang-x": "clean",
    }
    [licensing] = [p for p in document["packages"] if p["nevra"] == "licensing-1.0-1.noarch"]
    [finding] = licensing["findings"]
    assert (finding["rule"], finding["field"], finding["value"]) == (
        "xenserver-proprietary-component",
        "provides",
        "bundled(v6d-citrix)",
    )
    assert finding["replacement"] == "xcp-featured"
    assert code == 1


def test_each_component_a_package_carries_is_a_fact_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rule stopped at the first component it found: a package bundling XenServer's licensing
    daemon and, later, its EMU manager too said only the first, and the baseline written for the
    first accepted the package whole, the second component (another replacement to find) unseen."""
    spec = write_spec(tmp_path, "licensing", "Provides: bundled(v6d-citrix) = 10.41.0")
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(spec), "--no-cache", "-q", "--baseline", str(baseline)]) == 0
    write_spec(
        tmp_path, "licensing", "Provides: bundled(v6d-citrix) = 10.41.0", "Provides: bundled(emu-manager) = 2"
    )
    capsys.readouterr()

    code, report, _ = scan_report(capsys, spec, "--baseline", baseline)

    [licensing] = [p for p in report["packages"] if p["kind"] == "binary"]
    said = {(f["value"], f["replacement"]) for f in licensing["findings"]}
    assert said == {("bundled(v6d-citrix)", "xcp-featured"), ("bundled(emu-manager)", "xcp-emu-manager")}
    assert (code, licensing["gate"], report["summary"]["blocking_facts"]) == (1, "blocking", 1)
