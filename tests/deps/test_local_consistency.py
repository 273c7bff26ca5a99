"""Each package's taints agree with what its own requirements' providers show
(`tests.deps.consistency`), on random universes with rich requirements, Conflicts and build
chains (`tests.deps.rich_universe`) and on the shipped example.

Before sources whose buildroot holds a binary of a `may-depend` build counted, 274 of 1,750
such universes (seven shapes, the red team's) broke a rule: a source `clean` whose buildroot
may hold a tainted package. The seeds below are among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import audit, build_repository
from tests.deps.consistency import inconsistencies
from tests.deps.rich_universe import rich_universe

SHAPES: dict[str, dict[str, Any]] = {
    "default": {},
    "chain": {"size": 30, "capabilities": 12, "requires": (1, 1, 1, 2), "conflicts": (0, 0, 1, 2),
              "rich": 0.5, "citrix": 0.15},
    "conflicts": {"conflicts": (1, 2, 2, 3), "rich": 0.5},
}  # fmt: skip


@pytest.mark.parametrize(
    ("shape", "seed"), [("default", 300), ("default", 302), ("chain", 84), ("conflicts", 10), ("default", 1)]
)
def test_each_package_agrees_with_its_providers(tmp_path: Path, shape: str, seed: int) -> None:
    packages, _of = rich_universe(seed, **SHAPES[shape])
    assert not inconsistencies(audit(build_repository(packages, tmp_path)))


def test_the_shipped_example_agrees_with_itself() -> None:
    example = Path(__file__).parents[2] / "examples" / "xcp-ng-mini"
    options = AuditOptions(targets=(str(example / "repo"), str(example / "srpms")), cache=False)
    result = run_audit(options, load_policy())
    assert result.results
    assert not inconsistencies(result)
