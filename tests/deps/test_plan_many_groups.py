"""The plan of a binary tree of Requires whose leaves are each a Citrix package of its own.

`auditor.audit.plan.make_plan` asks, for each origin group, what the other groups taint. It
copied every package's findings for each group and read them again to find the other origin
packages: 4,000 packages of 2,000 groups spent 73 % of the plan there, 8,000 took 28 s
(scale63). The others are every origin package but the group's: each finding is read a
bounded number of times, and the plan is the same."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.audit.plan import make_plan
from auditor.origin.findings import Finding
from tests.report_cases import CITRIX, audit_of

COUNT = 255
"""Packages of the tree: t0 requires t1 and t2, t1 t3 and t4...; the 128 leaves are Citrix's."""


def _tree() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for index in range(COUNT):
        children = [f"t{child}" for child in (2 * index + 1, 2 * index + 2) if child < COUNT]
        spec: dict[str, Any] = {"name": f"t{index}", "requires": children}
        if not children:
            spec.update(CITRIX, sourcerpm=f"t{index}-1.0-1.src.rpm")
        specs.append(spec)
    return specs


def test_each_leaf_of_a_tree_holds_back_its_ancestors_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    audit = audit_of(_tree())
    read = 0
    effective = Finding.effective

    def counted(self: Finding) -> bool:
        nonlocal read
        read += 1
        return bool(effective.fget(self))  # type: ignore[attr-defined]

    monkeypatch.setattr(Finding, "effective", property(counted))
    plan = make_plan(audit)
    names = [package.name for package in audit.packages]
    held = {item.source: {names[index] for index in item.holds_back} for item in plan.items}
    leaves = {f"t{index}" for index in range(COUNT // 2, COUNT)}
    assert set(held) == leaves
    # t200's parent t99 needs t199 too, a Citrix leaf of its own: no one leaf clears any package
    assert all(not back for back in held.values())
    assert {names[index] for index in plan.needs_more} == {f"t{index}" for index in range(COUNT // 2)}
    findings = sum(len(items) for items in audit.findings.values())
    assert read < 10 * findings, (read, findings)
