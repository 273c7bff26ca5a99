"""A report replayed from the store imports only what replaying it needs.

A release gate's warm run is mostly the interpreter importing the auditor: the audit, the
dependency graph, the gate's decision and the renderers are needed only when no stored
report matches. This runs a warm scan in a fresh interpreter and lists what it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

NOT_FOR_A_REPLAY = (
    "auditor.engine",
    "auditor.audit.pipeline",
    "auditor.audit.result",
    "auditor.deps.graph",
    "auditor.deps.resolve",
    "auditor.gate.decision",
    "auditor.gate.progress",
    "auditor.reports.render",
    "auditor.reports.view",
    "auditor.net.http",
    "auditor.net.remote",
    "auditor.sources.load",
    "auditor.sources.localrepo",
    "auditor.sources.repodata",
    "networkx",
    "tabulate",
    "requests",
)

SCAN = """
import json, sys
from auditor.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def scan(args: list[str], where: Path) -> tuple[int, list[str]]:
    """``auditor ARGS`` in a new interpreter (the test's cache directory is in its environment)."""
    done = subprocess.run(
        [sys.executable, "-c", SCAN, *args], cwd=where, capture_output=True, text=True, check=True
    )
    said = json.loads(done.stdout)
    return said["code"], said["modules"]


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_replayed_report_imports_neither_the_audit_nor_the_renderers(fmt: str, tmp_path: Path) -> None:
    report = tmp_path / "report"
    args = ["scan", str(DATA / "repo"), "--format", fmt, "-o", str(report), "-q"]
    cold_code, cold_modules = scan(args, tmp_path)
    cold_report = report.read_bytes()
    report.unlink()
    warm_code, warm_modules = scan(args, tmp_path)
    assert (warm_code, report.read_bytes()) == (cold_code, cold_report)
    # The cold run did import them: the list names modules that exist and cost something.
    assert {"auditor.engine", "auditor.reports.view"} <= set(cold_modules)
    assert sorted(set(NOT_FOR_A_REPLAY) & set(warm_modules)) == []


def test_a_scan_imports_the_comparison_only_with_compare(tmp_path: Path) -> None:
    """What --compare needs (the comparison of two reports) is not paid for by every audit."""
    report = tmp_path / "report.json"
    code, modules = scan(["scan", str(DATA / "repo"), "--format", "json", "-o", str(report), "-q"], tmp_path)
    assert "auditor.gate.progress" not in modules and "auditor.engine" in modules
    again = [
        "scan",
        str(DATA / "repo"),
        "--no-cache",
        "--format",
        "json",
        "-o",
        str(tmp_path / "again"),
        "-q",
    ]
    compared_code, compared = scan([*again, "--compare", str(report)], tmp_path)
    assert "auditor.gate.progress" in compared and compared_code == code


def test_a_scan_of_metadata_imports_the_spec_reader_only_for_a_spec(tmp_path: Path) -> None:
    """The macro engine and rpm's macro names (about 20 ms of imports) serve spec files: a
    scan of repository metadata, the distribution-sized case, does not pay for them."""
    args = ["scan", "--no-cache", "--format", "json", "-o", str(tmp_path / "report"), "-q"]
    _, metadata = scan([*args, str(DATA / "repo"), "--metadata-only"], tmp_path)
    assert [name for name in metadata if name.startswith("auditor.rpm.spec")] == []
    _, spec = scan([*args, str(next((DATA / "specs").glob("*.spec")))], tmp_path)
    assert {"auditor.rpm.spec.macros", "auditor.sources.specs"} <= set(spec)
