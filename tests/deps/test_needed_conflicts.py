"""A provider that conflicts with a package a requirer surely needs is no alternative for it.

``app`` requires ``a`` (one provider, which conflicts with ``clean-b``) and ``b`` (``clean-b`` or
the Citrix ``cx-b``): dnf can install ``app`` only with ``cx-b``, so ``app`` depends on Citrix,
not may-depend (which does not block). Where ``a`` has another provider, or the requirement
is an ``or``, ``clean-b`` stays a way around. Compared with libsolv, set up as dnf sets it (the
``solv`` wheel): a requirer depends exactly when it cannot be installed with ``cx-b`` locked out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "a", "conflicts": ["clean-b"]},
    {"name": "a-too", "provides": ["a"]},  # another provider of a: not surely installed
    {"name": "only-a", "provides": ["solely-a"], "conflicts": ["clean-b"]},
    {"name": "clean-b", "provides": ["b"]},
    {"name": "cx-b", "provides": ["b"], **CITRIX},
    {"name": "app", "requires": ["solely-a", "b"]},  # only-a surely installed: depends
    {"name": "app-either", "requires": ["a", "b"]},  # a or a-too: may-depend
    {"name": "app-rich", "requires": ["(solely-a or a-too)", "b"]},  # not surely: may-depend
    # An `and` (or `with`) needs each part whatever the choice: only-a surely installed (rt6).
    {"name": "app-and", "requires": ["(solely-a and b)"]},
    {"name": "app-and-apart", "requires": ["(solely-a and x)", "b"]},
    {"name": "app-with", "requires": ["(solely-a with only-a)", "b"]},
    {"name": "app-if", "requires": ["(solely-a if x)", "b"]},  # only when x is installed: may-depend
    {"name": "x"},
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("needed"))


@pytest.mark.parametrize(
    ("requirer", "verdict"),
    [("app", "depends"), ("app-either", "may-depend"), ("app-rich", "may-depend"), ("app-and", "depends"),
     ("app-and-apart", "depends"), ("app-with", "depends"), ("app-if", "may-depend")],
)  # fmt: skip
def test_a_provider_apart_from_what_the_requirer_surely_needs_is_no_alternative(
    repository: Path, requirer: str, verdict: str
) -> None:
    nevra = f"{requirer}-1.0-1.noarch"
    assert verdicts(audit(repository))[nevra] == verdict
    assert libsolv_installs(repository, nevra) is not None
    assert (libsolv_installs(repository, nevra, locked=["cx-b"]) is None) == (verdict == "depends")
