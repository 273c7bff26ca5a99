"""A source package's BuildConflicts rule out a clean provider that would bring what they name.

``app`` BuildRequires ``tool``: Citrix's ``cx-tool`` or ``clean-tool``, which Requires
``libm``; ``app`` BuildConflicts with ``libm``. ``dnf builddep`` installs ``clean-tool`` and
``libm`` (it does not apply BuildConflicts), and rpmbuild then refuses to build: the only
buildroot it builds in holds ``cx-tool``. libsolv, with the BuildConflicts as a lock of what
provides ``libm``, agrees. ``clean-tool`` and all it holds are apart from nothing else, so the
clean-way check took it without walking what it holds, and never met ``libm``: ``app`` was
``may-depend`` (not blocking) where it cannot be built without Citrix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, verdicts
from tests.deps.screen import both_ways, screen_only

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "clean-tool", "provides": ["tool"], "requires": ["libm"]},
    {"name": "libm"},
    {"name": "app", "buildrequires": ["tool"], "buildconflicts": ["libm"]},
    # Two levels down, and beside a BuildRequires the BuildConflicts leave alone.
    {"name": "clean-tool2", "provides": ["tool2"], "requires": ["mid"]},
    {"name": "mid", "requires": ["libm"]},
    {"name": "cx-tool2", "provides": ["tool2"], **CITRIX},
    {"name": "app2", "buildrequires": ["tool2", "other"], "buildconflicts": ["libm"]},
    {"name": "other"},
    # The BuildConflicts name what no clean way holds: a clean buildroot is left.
    {"name": "app3", "buildrequires": ["tool"], "buildconflicts": ["other"]},
]
VERDICTS = [("app", "build-depends"), ("app2", "build-depends")]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("buildconflictsbelow"))


@pytest.mark.parametrize(("name", "verdict", "screen"), both_ways(VERDICTS))
def test_build_conflicts_below_a_clean_provider_rule_it_out(
    repository: Path, name: str, verdict: str, screen: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(repository, name, verdict, screen, monkeypatch)


@pytest.mark.parametrize("screen", [False, True])
def test_build_conflicts_that_no_clean_way_holds_leave_it(
    repository: Path, screen: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(repository, "app3", "may-depend", screen, monkeypatch)


def check(repository: Path, name: str, verdict: str, screen: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``name``'s verdict, held to libsolv with its BuildConflicts locked out."""
    conflicts = [one["buildconflicts"][0] for one in PACKAGES if one["name"] == name]
    assert libsolv_buildroot(repository, PACKAGES, name, locked=conflicts) is not None
    clean = libsolv_buildroot(repository, PACKAGES, name, locked=[*conflicts, "cx-tool", "cx-tool2"])
    assert (clean is None) == (verdict == "build-depends")
    screen_only(monkeypatch, screen)
    found = verdicts(audit(repository))
    assert found[f"{name}-1.0-1.src"] == verdict
    assert found[f"{name}-1.0-1.noarch"] == verdict
