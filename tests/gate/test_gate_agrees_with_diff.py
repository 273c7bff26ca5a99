"""The baseline's "fixed, gone, superseded" and `diff`'s say the same of each fact.

Held to each other on random universes (`tests.deps.random_universe`, one to three random
changes), they disagreed in two shapes, each kept here as real packages:

- ``lone`` Requires ``lib`` (Citrix's ``cx-lib``) and its source package BuildRequires ``bt``,
  which ``cx-lib`` provides too; then nothing provides ``bt`` and ``lone`` also Requires
  ``more``, whose one provider needs Citrix's ``cx-far``. The build taint went with its
  requirement, while the binary's taint, of the same fingerprint as before, now reaches
  cx-far: the scan, where that taint blocks as reaching beyond its entry, called the build
  entry *superseded*, `diff` *gone*: `diff` took a taint reaching further for an old one.
- ``pair`` Requires Citrix's ``cx-run``, and its source package BuildRequires ``b`` (Citrix's
  ``cx-b`` or the clean ``alt-b``); then it BuildRequires ``c`` (``cx-run`` or ``alt-c``) instead.
  The buildroot's `may-depend` on cx-b went, and the scan called it *superseded* (its package,
  binary or source, has a stronger taint of that category), `diff` *fixed*: the scan cannot tell
  from a baseline entry whether a `may-depend` was the binary's or its source package's, and
  `diff` asked only the kind that held it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX
from tests.gate.sides import FAIL_ON, Sides, build_sides, diff_of

BEFORE: list[dict[str, Any]] = [
    {"name": "cx-lib", "provides": ["lib", "bt"], **CITRIX},
    {"name": "cx-far", "provides": ["far"], **CITRIX},
    {"name": "mid", "provides": ["more"], "requires": ["far"]},
    {"name": "lone", "requires": ["lib"], "buildrequires": ["bt"]},
    {"name": "cx-run", "provides": ["r", "c"], **CITRIX},
    {"name": "cx-b", "provides": ["b"], **CITRIX},
    {"name": "alt-b", "provides": ["b"]},
    {"name": "alt-c", "provides": ["c"]},
    {"name": "pair", "requires": ["r"], "buildrequires": ["b"]},
]
AFTER = [
    {"name": "cx-lib", "provides": ["lib"], **CITRIX},
    *BEFORE[1:3],
    {"name": "lone", "requires": ["lib", "more"], "buildrequires": ["bt"]},
    *BEFORE[4:8],
    {"name": "pair", "requires": ["r"], "buildrequires": ["c"]},
]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return build_sides(BEFORE, AFTER, tmp_path_factory.mktemp("agree"))


def test_the_baseline_and_diff_say_the_same_of_each_fact(sides: tuple[list[str], list[str], Path]) -> None:
    before, after, top = sides
    baseline = top / "baseline.json"
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    gate_report = top / "gate.json"
    assert main(["scan", *after, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--format", "json",
                 "-o", str(gate_report)]) == 1  # fmt: skip
    gate = json.loads(gate_report.read_text())["gate"]
    said = {(entry["package"], entry["kind"], entry["capability"]): key
            for key in ("fixed", "gone", "superseded") for entry in gate[key]}  # fmt: skip
    assert said  # the shapes are there
    diffed = diff_of(before, after, top)
    changes = {
        (fact["package"], fact["rule"], fact["capability"]): fact["change"] for fact in diffed["facts"]
    }
    assert {key: changes.get(key) for key in said} == said
    assert "fixed" not in said.values()
