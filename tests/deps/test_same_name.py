"""Two packages of one name are never installed together, so one is no alternative for the
other's requirement: a newer ``p`` that took over what the older one requires leaves the older
one only the Citrix provider. dnf's exceptions are kept: installonly packages (the kernel) and
multilib pairs (the same version, 64-bit and 32-bit; of two versions, the 32-bit one asked for
itself takes the 64-bit one). Each scenario is built by rpmbuild and
compared with what libsolv, set up as dnf sets it, installs (tests/deps/built.py).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.result import AuditResult
from auditor.deps.coinstall import INSTALLONLY_PROVIDES
from tests.deps.built import CITRIX, DNF_INSTALLONLYPKGS, audit, build_repository, libsolv_installs, verdicts

# (the requiring package, the provider of its name, the verdict of the requiring package)
SCENARIOS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "newer version": ({"evr": "1.0-1"}, {"evr": "2.0-1"}, "depends"),
    "older version": ({"evr": "2.0-1"}, {"evr": "1.0-1"}, "depends"),
    "noarch and x86_64": ({"arch": "x86_64"}, {"evr": "2.0-1"}, "depends"),
    "multilib pair": ({"arch": "x86_64"}, {"arch": "i686"}, "may-depend"),
    "multilib pair, 32-bit requiring": ({"arch": "i686"}, {"arch": "x86_64"}, "may-depend"),
    "multilib, other versions": ({"arch": "x86_64"}, {"arch": "i686", "evr": "2.0-1"}, "depends"),
    # Asked for itself, the 32-bit one takes the 64-bit one of another version (rpm-md hunt, hosts 224).
    "multilib, other versions, 32-bit requiring": (
        {"arch": "i686"},
        {"arch": "x86_64", "evr": "2.0-1"},
        "may-depend",
    ),
    "installonly by provide": (
        {"arch": "x86_64", "provides": ["installonlypkg(kernel-module)"]},
        {"arch": "x86_64", "evr": "2.0-1", "provides": ["installonlypkg(kernel-module)"]},
        "may-depend",
    ),
    "installonly on one side only": (
        {"arch": "x86_64", "provides": ["installonlypkg(kernel-module)"]},
        {"arch": "x86_64", "evr": "2.0-1"},
        "depends",
    ),
}
KERNEL = "kernel"  # installonly by its name: its own scenario, the name cannot be numbered


def packages() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    names = [f"p{number}" for number in range(len(SCENARIOS))] + [KERNEL]
    found.append({"name": "cx", **CITRIX, "provides": [f"{name}-common" for name in names]})
    scenarios = [*SCENARIOS.values(), ({"arch": "x86_64"}, {"arch": "x86_64", "evr": "2.0-1"}, "may-depend")]
    for name, (requiring, providing, _) in zip(names, scenarios, strict=True):
        found.append({"name": name, **requiring, "requires": [f"{name}-common"]})
        found.append(
            {"name": name, **providing, "provides": [*providing.get("provides", ()), f"{name}-common"]}
        )
    return found


def nevra(name: str, spec: dict[str, Any]) -> str:
    return f"{name}-{spec.get('evr', '1.0-1')}.{spec.get('arch', 'noarch')}"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(packages(), tmp_path_factory.mktemp("same-name"))


@pytest.fixture(scope="module")
def result(repository: Path) -> AuditResult:
    return audit(repository)


CASES = [(f"p{number}", *scenario) for number, scenario in enumerate(SCENARIOS.values())]
CASES.append((KERNEL, {"arch": "x86_64"}, {}, "may-depend"))


@pytest.mark.parametrize(("name", "requiring", "providing", "verdict"), CASES, ids=[*SCENARIOS, KERNEL])
def test_a_package_of_the_same_name_is_an_alternative_only_where_dnf_installs_both(
    repository: Path,
    result: AuditResult,
    name: str,
    requiring: dict[str, Any],
    providing: dict[str, Any],
    verdict: str,
) -> None:
    requirer = nevra(name, requiring)
    assert verdicts(result)[requirer] == verdict
    assert libsolv_installs(repository, requirer) is not None
    assert (libsolv_installs(repository, requirer, locked=["cx"]) is None) == (verdict == "depends")


def test_the_installonly_packages_are_dnfs() -> None:
    """The list is dnf's default ``installonlypkgs``, read from the dnf installed here."""
    python = shutil.which("python3", path="/usr/bin")
    assert python, "dnf's python3 (Debian: python3-dnf) is needed"
    shown = subprocess.run(
        [python, "-c", "import dnf.const; print(repr(dnf.const.INSTALLONLYPKGS))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert set(ast.literal_eval(shown.stdout)) == INSTALLONLY_PROVIDES == set(DNF_INSTALLONLYPKGS)
