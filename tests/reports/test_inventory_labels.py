"""The inventory names each row as the table does (`auditor.audit.labels.package_label`): a
spec's packages marked ``(spec)`` (the JSON report's ``label``), and two copies of one NEVRA by their file. It listed the bare
NEVRA, so a vendor's spec of fw-1.0-1 and a rebuild's read as one package listed twice, and a
spec's row read as the RPM built from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reports.test_verdict_redteam import _scan, _write_spec


def _first_column(text: str) -> list[str]:
    lines = text.splitlines()
    rows = lines[2:-1]  # the header, its rule, the rows, the count
    return sorted(line.split("  ")[0] for line in rows)


def test_a_spec_s_rows_are_marked_as_the_table_marks_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write_spec(tmp_path / "tree")
    _, inventory = _scan([str(spec), "--format", "inventory"], capsys)
    _, report = _scan([str(spec), "--format", "json"], capsys)
    assert _first_column(inventory) == ["fw-1.0-1.noarch (spec)", "fw-1.0-1.src (spec)"]
    assert sorted(row["label"] for row in json.loads(report)["packages"]) == _first_column(inventory)


def test_two_copies_of_one_nevra_are_named_by_their_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    _, inventory = _scan([str(vendor.parent), str(rebuild.parent), "--format", "inventory"], capsys)
    labels = _first_column(inventory)
    assert len(labels) == len(set(labels)) == 4
    for copy in (vendor, rebuild):
        assert sum(str(copy) in label for label in labels) == 2, labels
