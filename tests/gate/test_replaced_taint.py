"""A taint that went while its package still needs the origin package it ended at was not fixed.

A taint's capability names only the nearest origin package of its category, so the baseline
entry "app depends on cx-far" no longer matches when app comes to need Citrix's ``cx-near``
directly: cx-near is nearer, app's taint now ends there. The gate said *fixed since the
baseline: app: status:depends citrix:cx-far* while app still needs cx-far through ``lib``.
So it did when ``mid``'s run-time need of cx-far became a build need (``BuildRequires``), and
when ``unr`` came to require ``cx-far >= 2`` of a cx-far 1 (nothing provides it: the taint
went because the way to the origin package is missing, not because it was cured). None of
these is progress: the first two are *superseded* (a taint of the package, as strong, still
reaches that origin package), the last *gone* (no longer seen). ``diff`` reads them alike.
Real packages: rpmbuild builds them, createrepo_c indexes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX
from tests.gate.sides import FAIL_ON, Sides, build_sides, diff_of

ORIGINS: list[dict[str, Any]] = [
    {"name": "cx-far", "evr": "1.0-1", **CITRIX},
    {"name": "cx-near", **CITRIX},
    {"name": "lib", "requires": ["cx-far"]},
    {"name": "ok", "requires": ["cx-far"]},
]
BEFORE = [
    *ORIGINS,
    {"name": "app", "requires": ["lib"]},
    {"name": "mid", "requires": ["cx-far"]},
    {"name": "unr", "requires": ["cx-far"]},
]
AFTER = [
    *ORIGINS[:3],
    {"name": "ok"},  # really cured: it no longer needs cx-far
    {"name": "app", "requires": ["lib", "cx-near"]},
    {"name": "mid", "buildrequires": ["cx-far"]},
    {"name": "unr", "requires": ["cx-far >= 2"]},
]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return build_sides(BEFORE, AFTER, tmp_path_factory.mktemp("replaced"))


def _entries(gate: dict[str, Any], key: str) -> set[tuple[str, str]]:
    return {(entry["package"], entry["kind"]) for entry in gate[key]}


def test_the_baseline_calls_no_taint_fixed_whose_package_still_needs_its_origin_package(
    sides: tuple[list[str], list[str], Path],
) -> None:
    before, after, top = sides
    baseline = top / "baseline.json"
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    out = top / "after.json"
    code = main(["scan", *after, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--format", "json",
                 "-o", str(out)])  # fmt: skip
    assert code == 1  # app's taint on cx-near, mid's build taint and unr's requirement are new
    gate = json.loads(out.read_text())["gate"]
    assert _entries(gate, "fixed") == {("ok", "status:depends")}
    assert {("app", "status:depends"), ("mid", "status:depends")} <= _entries(gate, "superseded")
    assert ("unr", "status:depends") in _entries(gate, "gone")
    # Gating only origin evidence, the release passes: it must not say it fixed them.
    table = top / "after.txt"
    code = main(["scan", *after, "--no-cache", "--fail-on", "origin", "--baseline", str(baseline),
                 "-o", str(table)])  # fmt: skip
    assert code == 0
    text = table.read_text()
    assert "1 fixed, 1 gone with their package or no longer seen, 2 superseded by a new taint" in text
    assert "fixed since the baseline: ok: status:depends citrix:cx-far" in text
    for name in ("app", "mid", "unr"):
        assert f"fixed since the baseline: {name}:" not in text


def test_diff_calls_no_taint_fixed_whose_package_still_needs_its_origin_package(
    sides: tuple[list[str], list[str], Path],
) -> None:
    before, after, top = sides
    diffed = diff_of(before, after, top)
    changes = {
        (fact["package"], fact["rule"], fact["capability"]): fact["change"] for fact in diffed["facts"]
    }
    assert changes[("ok", "status:depends", "citrix:cx-far")] == "fixed"
    assert changes[("app", "status:depends", "citrix:cx-far")] == "superseded"
    assert changes[("mid", "status:depends", "citrix:cx-far")] == "superseded"
    assert changes[("unr", "status:depends", "citrix:cx-far")] == "gone"


def test_an_entry_written_before_taints_named_their_category_is_superseded_not_fixed(
    sides: tuple[list[str], list[str], Path],
) -> None:
    """An entry written before a taint's capability named its origin package (``capability``
    empty, found by its ``ends_at``), of app's taint ending at cx-far: app's taint ends at the
    nearer cx-near now, and still reaches cx-far. Such files were written by 811cffd; read today
    on an unchanged repository whose nearest origin package the analysis now finds otherwise, its
    entries were "fixed since the baseline"."""
    _before, after, top = sides
    baseline = top / "legacy.json"
    entry = {"fingerprint": "0" * 32, "kind": "status:depends", "package": "app", "capability": "",
             "ends_at": "cx-far"}  # fmt: skip
    baseline.write_text(json.dumps({"version": 1, "tool": "auditor", "entries": [entry]}))
    out = top / "legacy-after.json"
    code = main(["scan", *after, "--no-cache", "--fail-on", "origin", "--baseline", str(baseline), "--format", "json",
                 "-o", str(out)])  # fmt: skip
    assert code == 1  # the origin packages' evidence is not in this baseline
    gate = json.loads(out.read_text())["gate"]
    assert _entries(gate, "fixed") == set()
    assert _entries(gate, "superseded") == {("app", "status:depends")}
