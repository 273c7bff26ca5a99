"""A buildroot's `may-depend` taint that comes to reach one more Citrix package is new.

``app`` BuildRequires ``tool`` and ``mid`` Requires it: Citrix's ``cx-tool`` or the clean
``own-tool``, so both `may-depend` on cx-tool. Then ``own-tool`` comes to require ``lib``,
which Citrix's ``cx-far`` provides (or the clean ``clean-lib``): both taints keep their
fingerprint (the nearest origin package is still cx-tool) and now also reach cx-far. ``mid``'s
run-time taint blocked as reaching further; ``app``'s build taint was accepted, its baseline
entry having recorded ``reaches: []``: what a source package's `may-depend` reaches was read
as its run-time reach (a source package has none), not its build's, so the entry accepted
whatever it came to reach, as did a binary's `may-depend` inherited from its source package,
and ``diff`` said nothing got worse. Real packages: rpmbuild builds them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX
from tests.gate.sides import FAIL_ON, Sides, build_sides, diff_of

COMMON: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "cx-far", "provides": ["lib"], **CITRIX},
    {"name": "clean-lib", "provides": ["lib"]},
    {"name": "app", "buildrequires": ["tool"]},
    {"name": "mid", "requires": ["tool"]},
]
FURTHER = {"app-1.0-1.src", "app-1.0-1.noarch", "mid-1.0-1.noarch"}


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    before = [*COMMON, {"name": "own-tool", "provides": ["tool"]}]
    after = [*COMMON, {"name": "own-tool", "provides": ["tool"], "requires": ["lib"]}]
    return build_sides(before, after, tmp_path_factory.mktemp("buildroot-reach"))


def test_a_buildroot_may_depend_reaching_one_more_citrix_package_blocks(
    sides: tuple[list[str], list[str], Path],
) -> None:
    before, after, top = sides
    baseline = top / "baseline.json"
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    recorded = {
        entry["package"]: entry.get("reaches") for entry in json.loads(baseline.read_text())["entries"]
    }
    assert recorded["app"] == ["cx-tool"]
    out = top / "after.json"
    code = main(["scan", *after, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--format", "json",
                 "-o", str(out)])  # fmt: skip
    assert code == 1
    document = json.loads(out.read_text())
    blocking = {package["nevra"] for package in document["packages"] if package["blocking"]}
    assert blocking == {*FURTHER, "own-tool-1.0-1.noarch"}  # own-tool's may-depend on cx-far is new


def test_diff_counts_a_buildroot_may_depend_reaching_further_as_worse(
    sides: tuple[list[str], list[str], Path],
) -> None:
    before, after, top = sides
    diffed = diff_of(before, after, top)
    worse = {entry["new"]["nevra"] for entry in diffed["worse"]}
    assert worse >= FURTHER


@pytest.mark.parametrize("written", [[], ["cx-far"]])
def test_an_entry_that_recorded_no_reach_for_a_buildroot_accepts_by_fingerprint(
    sides: tuple[list[str], list[str], Path], written: list[str]
) -> None:
    """A file written before (``reaches: []`` for app, or a list without the origin package its
    taint ends at, which every taint reaches) is read as recording nothing: an unchanged
    repository still passes, as it did, and `auditor baseline` writes the list."""
    before, _after, top = sides
    baseline = top / f"earlier-{len(written)}.json"
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    document = json.loads(baseline.read_text())
    for entry in document["entries"]:
        if entry["package"] == "app":
            entry["reaches"] = written
    baseline.write_text(json.dumps(document))
    assert main(["scan", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "-o",
                 str(top / "earlier.txt")]) == 0  # fmt: skip
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    rewritten = {
        entry["package"]: entry.get("reaches") for entry in json.loads(baseline.read_text())["entries"]
    }
    assert rewritten["app"] == ["cx-tool"]
