"""Two releases of a gate test's universe compared by `auditor diff`, as a release manager does:
each side scanned to a JSON report (no baseline), then the two reports diffed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.cli.main import main
from tests.deps.built import build_repository

FAIL_ON = ["--fail-on", "origin,depends,may-depend,build-depends,unresolved"]
"""Every status blocks: what the gate tests compare is each fact, whatever it rules."""


def diff_of(before: list[str], after: list[str], top: Path) -> dict[str, Any]:
    """The JSON document of `auditor diff` between the scans of ``before`` and ``after``, each
    of which blocks (exit 1); written under ``top``."""
    reports = []
    for name, targets in (("old", before), ("new", after)):
        report = top / f"{name}.json"
        assert main(["scan", *targets, "--no-cache", *FAIL_ON, "--no-baseline", "--format", "json",
                     "-o", str(report)]) == 1  # fmt: skip
        reports.append(str(report))
    out = top / "diff.json"
    assert main(["diff", *reports, *FAIL_ON, "--format", "json", "-o", str(out)]) == 0
    document: dict[str, Any] = json.loads(out.read_text())
    return document


Sides = tuple[list[str], list[str], Path]
"""The scan targets of the earlier release, of the later one, and the directory holding both."""


def build_sides(before: list[dict[str, Any]], after: list[dict[str, Any]], top: Path) -> Sides:
    """The two releases built by rpmbuild and createrepo_c under ``top``, each a repository of
    binary packages and its source packages (`tests.deps.built.build_repository`)."""
    made = [
        build_repository(packages, top / name) for name, packages in (("before", before), ("after", after))
    ]
    old, new = ([str(repo), str(repo.parent / "SRPMS")] for repo in made)
    return old, new, top
