"""``-o FILE`` picks the format from FILE's extension when ``--format`` is absent: a report
named ``.sarif`` is never a table by mistake."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from auditor.cli.main import main
from tests.conftest import RPMS

ONE = str(RPMS / "single-deps-1.0-1.noarch.rpm")
OTHER = str(RPMS / "epochs-1.2-4.noarch.rpm")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def is_table(text: str) -> bool:
    return re.search(
        r"\b1 package audited|packages audited", text
    ) is not None and not text.lstrip().startswith(("{", "<", "#", "digraph"))


def is_sarif(text: str) -> bool:
    return bool(json.loads(text)["version"] == "2.1.0")


READS_AS = {
    "report.sarif": is_sarif,
    "report.sarif.json": is_sarif,
    # The README writes its SBOMs so: without --format they were the JSON report.
    "release.cdx.json": lambda text: json.loads(text)["bomFormat"] == "CycloneDX",
    "release.spdx.json": lambda text: json.loads(text)["spdxVersion"] == "SPDX-2.3",
    "report.json": lambda text: json.loads(text)["schema_version"] == 2,
    "report.xml": lambda text: ET.fromstring(text).tag == "testsuites",
    "report.html": lambda text: text.startswith("<!DOCTYPE html>"),
    "REPORT.HTM": lambda text: text.startswith("<!DOCTYPE html>"),
    "report.md": lambda text: text.startswith(("#", "**")),
    "report.dot": lambda text: text.startswith("digraph auditor {"),
    "report.gv": lambda text: text.startswith("digraph auditor {"),
    "report.graphml": lambda text: nx.parse_graphml(text) is not None,
    "report.txt": is_table,
    "report": is_table,
    ".report": is_table,
}


@pytest.mark.parametrize("name", sorted(READS_AS))
def test_the_extension_picks_the_format(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    code, out, err = run(["scan", ONE, OTHER, "-o", str(target)], capsys)
    assert code == 1 and out == "" and "error" not in err
    assert READS_AS[name](target.read_text()), target.read_text()[:200]


def test_format_wins_over_the_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.txt"
    run(["scan", ONE, "--format", "json", "-o", str(target)], capsys)
    assert json.loads(target.read_text())["schema_version"] == 2


def test_standard_output_keeps_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["scan", ONE, "-o", "-"], capsys)
    assert is_table(out)


@pytest.mark.parametrize("name", ["report.csv", "report.sarif.bak", "report.json.gz", "report.yaml"])
def test_an_unknown_extension_is_a_usage_error_naming_the_valid_ones(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    code, out, err = run(["scan", ONE, "-o", str(target)], capsys)
    assert code == 2 and out == "" and not target.exists()
    assert err.startswith(f"auditor: error: -o {target}: the extension names no format this command writes; ")
    assert (
        ".sarif (sarif)" in err
        and ".xml (junit)" in err
        and ".md (markdown)" in err
        and len(err.splitlines()) == 1
    )


def test_plan_infers_among_its_own_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["plan", ONE, "-o", str(tmp_path / "plan.json")], capsys)
    assert code == 0 and "replace" in json.loads((tmp_path / "plan.json").read_text())
    code, _, err = run(["plan", ONE, "-o", str(tmp_path / "plan.md")], capsys)
    assert code == 2 and ".json (json), .txt (table)" in err and ".md" not in err.split("use one of")[1]


@pytest.mark.parametrize("command", [["check", ONE, "--against", OTHER], ["diff", OTHER, ONE]])
def test_check_and_diff_infer_markdown_and_json(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run([*command, "-o", str(tmp_path / "out.md")], capsys)
    run([*command, "-o", str(tmp_path / "out.json")], capsys)
    assert not (tmp_path / "out.md").read_text().lstrip().startswith("{")
    assert isinstance(json.loads((tmp_path / "out.json").read_text()), dict)
    code, _, err = run([*command, "-o", str(tmp_path / "out.sarif")], capsys)
    assert code == 2 and "--format {table,markdown,json}" in err
    code, _, err = run([*command, "-o", str(tmp_path / "out.cdx.json")], capsys)
    assert code == 2 and "--format {table,markdown,json}" in err  # an SBOM's name, never a diff's JSON
