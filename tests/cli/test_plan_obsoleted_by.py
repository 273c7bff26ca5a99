"""The plan's "obsoleted by" of each origin group, read from the audit's shared Obsoletes
matches: n packages obsoleting the n versions of one name are one list, not n x n entries."""

from __future__ import annotations

import tracemalloc
from typing import Any

from auditor.audit.plan import _obsoleted_by, make_plan
from tests.report_cases import CITRIX, audit_of

K = 1000


def test_obsoleted_by_names_every_obsoleting_package_in_memory_per_package() -> None:
    specs: list[dict[str, Any]] = [{"name": "x", "evr": f"1.{i}-1", **CITRIX} for i in range(K)]
    specs += [{"name": f"o{i}", "obsoletes": ["x < 1.500"]} for i in range(K)]
    audit = audit_of(specs)
    [item] = make_plan(audit).items
    assert {audit.packages[index].name for index in item.obsoleted_by} == {f"o{i}" for i in range(K)}
    tracemalloc.start()
    try:
        _obsoleted_by(audit)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A list per obsoleted package and an entry per obsoleting one: not 500 x 1,000 entries.
    assert peak < 256 * len(audit.packages), f"{peak} bytes at the peak for {len(audit.packages)} packages"
