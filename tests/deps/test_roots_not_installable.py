"""``--roots NAME`` where the run holds NAME but dnf could not install it: the usage error says
why, as dnf does ("All matches were filtered out by exclude filtering"), instead of saying the
run holds no such package. The reasons: a repository's exclude hides it (tested with the
excludes, tests/scenarios/test_audited_excludes.py), it is built only for architectures the
run's hosts do not install, or it is only a source package."""

from __future__ import annotations

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.core.errors import UsageError
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from tests.universe import universe

PACKAGES = universe(
    [
        {"name": "app", "arch": "x86_64"},
        {"name": "tool", "arch": "src"},
        {"name": "lib", "arch": "noarch"},
    ]
)


def usage_error(roots: tuple[str, ...], arches: tuple[str, ...] = ()) -> str:
    options = AuditOptions(targets=("universe",), roots=roots, arches=arches)
    with pytest.raises(UsageError) as raised:
        audit_packages(options, load_policy(), LoadResult(packages=PACKAGES), LoadResult())
    return str(raised.value)


def test_a_root_built_only_for_other_architectures_is_said_to_be() -> None:
    said = usage_error(("app",), ("i686",))
    assert said.startswith("--roots: no package named app in the run that dnf can install (")
    assert "app: built only for architectures the run's hosts do not install (--arch)" in said


def test_a_root_that_is_only_a_source_package_is_said_to_be() -> None:
    said = usage_error(("tool",))
    assert "tool: only a source package, which dnf does not install" in said


def test_each_name_is_given_its_own_reason_and_an_unknown_one_none() -> None:
    said = usage_error(("app", "tool", "nothing"), ("i686",))
    assert said.startswith("--roots: no package named app, nothing, tool in the run that dnf can install (")
    assert "app: built only" in said and "tool: only a source package" in said
    assert "nothing:" not in said
    assert usage_error(("nothing",)) == "--roots: no package named nothing in the run"


def test_the_installable_root_is_audited() -> None:
    options = AuditOptions(targets=("universe",), roots=("lib",), arches=("i686",))
    result = audit_packages(options, load_policy(), LoadResult(packages=PACKAGES), LoadResult())
    assert [row.package.name for row in result.results] == ["lib"]
