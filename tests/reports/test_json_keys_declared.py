"""Every key the JSON report writes is one its schema declares.

The schema (`schemas/report-v2.schema.json`) is what a program reading the report is written
against; most of its objects leave ``additionalProperties`` open, so a key the report writes and
the schema does not name still validates, and nobody learns what it means. The gate's ``fixed``,
``gone`` and ``unused`` lists copy the baseline's entries whole: a taint's entry carries the
origin package its chain ended at (``ends_at``) and what it could reach (``reaches``), an
unresolved requirement's when it was needed (``needed``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from tests.paths import ROOT

SCHEMA: dict[str, Any] = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text(encoding="utf-8"))
EXAMPLE = ROOT / "examples" / "xcp-ng-mini"


def _resolved(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def undeclared(value: Any, node: Any, path: str = "") -> set[str]:
    """The paths of the keys of ``value`` that ``node`` (a schema) does not declare."""
    node = _resolved(node)
    if not isinstance(node, dict):
        return set()
    branches = [_resolved(one) for key in ("anyOf", "oneOf", "allOf") for one in node.get(key, [])]
    branches = [one for one in branches if isinstance(one, dict)]
    found: set[str] = set()
    if isinstance(value, dict):
        properties = dict(node.get("properties", {}))
        for branch in branches:
            properties.update(branch.get("properties", {}))
        extra = node.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                found |= undeclared(item, properties[key], f"{path}.{key}")
            elif isinstance(extra, dict):
                found |= undeclared(item, extra, f"{path}.*")
            else:
                found.add(f"{path}.{key}")
    elif isinstance(value, list):
        items = next((one["items"] for one in [node, *branches] if "items" in one), None)
        for item in value:
            if items is not None:
                found |= undeclared(item, items, f"{path}[]")
            elif isinstance(item, dict):  # an array whose items the schema does not describe
                found |= {f"{path}[].{key}" for key in item}
    return found


def test_every_key_of_a_report_under_a_baseline_is_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline written without ``sm`` (so ``sm-cli`` has a requirement nothing provides), then
    the whole example under it and a waiver of everything: the unresolved entry is fixed, the
    taints' entries unused (a waiver ruled their facts first)."""
    baseline = tmp_path / "baseline.json"
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "all"\npackage = "*"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n',
        encoding="utf-8",
    )
    binaries = sorted(
        str(path)
        for path in (EXAMPLE / "repo" / "Packages").glob("*.rpm")
        if not path.name.startswith("sm-2")
    )
    cache = ["--cache-dir", str(tmp_path / "cache")]
    written = main(["baseline", "-q", *cache, "--baseline", str(baseline), *binaries, str(EXAMPLE / "srpms")])
    assert written == 0
    report = tmp_path / "report.json"
    arguments = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"), "--baseline", str(baseline)]
    code = main(["scan", "-q", *cache, *arguments, "--waivers", str(waivers), "-o", str(report)])
    capsys.readouterr()
    assert code == 0
    document = json.loads(report.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    gate = document["gate"]
    assert any("needed" in entry for entry in gate["fixed"])
    assert any("reaches" in entry and "ends_at" in entry for entry in gate["unused"])
    assert undeclared(document, SCHEMA) == set()


def test_every_key_of_the_example_s_report_is_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    inputs = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"), str(ROOT / "tests" / "data" / "rpms")]
    code = main(["scan", "-q", "--weak", "--cache-dir", str(tmp_path / "cache"), *inputs, "-o", str(report)])
    capsys.readouterr()
    assert code == 1
    assert undeclared(json.loads(report.read_text(encoding="utf-8")), SCHEMA) == set()


def test_a_waived_finding_says_its_waiver_where_the_schema_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A finding a waiver accepted names it in ``waiver``, as a fact does; the schema also
    declared ``waived_by``, which no report holds: a program reading it found no waiver."""
    waivers = '[[waiver]]\nid = "sm"\npackage = "sm"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    packages = _scan_example_with(waivers, tmp_path, capsys)["packages"]
    findings = [finding for package in packages if package["name"] == "sm" for finding in package["findings"]]
    assert findings and all(finding["waiver"] == "sm" for finding in findings)
    assert not any("waived_by" in finding for finding in findings)
    assert set(SCHEMA["$defs"]["finding"]["properties"]) >= {"waiver"}
    assert "waived_by" not in SCHEMA["$defs"]["finding"]["properties"]


def test_every_key_of_an_expired_and_a_stale_waiver_is_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _scan_example_with(
        '[[waiver]]\nid = "old"\npackage = "sm"\nreason = "r"\nowner = "o"\nexpires = 2020-01-01\n'
        '[[waiver]]\nid = "stale"\npackage = "gone"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n',
        tmp_path,
        capsys,
    )
    assert [w["id"] for w in document["gate"]["expired_waivers"]] == ["old"]
    assert [w["id"] for w in document["gate"]["stale_waivers"]] == ["stale"]
    assert undeclared(document, SCHEMA) == set()


def _scan_example_with(waivers: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The JSON report of the shipped example scanned with these waivers (a waivers file's text)."""
    path = tmp_path / "waivers.toml"
    path.write_text(waivers, encoding="utf-8")
    report = tmp_path / "report.json"
    inputs = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"), "--waivers", str(path)]
    main(["scan", "-q", "--cache-dir", str(tmp_path / "cache"), *inputs, "-o", str(report)])
    capsys.readouterr()
    document: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return document
