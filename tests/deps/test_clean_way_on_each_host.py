"""With several ``--arch``, the clean-way check reads each host's groups too.

``app`` (noarch) Requires ``liba`` (Citrix's ``cx-a`` or a clean ``clean-a``) and ``libb``
(a clean x86_64 ``b-x`` or a clean i686 ``b-i``, which Conflicts with ``clean-a``). Each
requirement keeps a clean provider on each host. An x86_64 host installs ``app`` cleanly
(``clean-a`` and ``b-x``); an i686 host has only ``b-i`` for ``libb``, so ``clean-a`` is ruled
out and every installation holds ``cx-a``. With ``--arch x86_64 --arch i686`` the clean-way
check read both hosts at once, found ``b-x`` a way around the conflict, and left ``app`` (and
``user``, which Requires it) `may-depend`, which does not block. libsolv, on each host as dnf
sets it up, decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, libsolv_installs

PACKAGES = [
    {"name": "cx-a", **CITRIX, "provides": ["liba"]},
    {"name": "clean-a", "provides": ["liba"]},
    {"name": "b-x", "arch": "x86_64", "provides": ["libb"]},
    {"name": "b-i", "arch": "i686", "provides": ["libb"], "conflicts": ["clean-a"]},
    {"name": "app", "requires": ["liba", "libb"]},
    {"name": "user", "requires": ["app"]},
]
BINARIES = ("app", "user")


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("clean-way-hosts"))


def _run(repository: Path, arches: tuple[str, ...]) -> AuditResult:
    options = AuditOptions(targets=(str(repository),), arches=arches, cache=False, discover_sources=False)
    return run_audit(options, load_policy())


def _needs_citrix(repository: Path, name: str, hosts: tuple[str, ...]) -> bool:
    """Whether libsolv installs ``name`` on some host of ``hosts`` only with Citrix's package."""
    nevra = f"{name}-1.0-1.noarch"
    for host in hosts:
        assert libsolv_installs(repository, nevra, arch=host) is not None, (name, host)
    return any(libsolv_installs(repository, nevra, arch=host, locked=["cx-a"]) is None for host in hosts)


@pytest.mark.parametrize("arches", [("x86_64",), ("i686",), ("x86_64", "i686"), ("i686", "x86_64")])
def test_a_clean_way_one_host_lacks_is_no_clean_way(repository: Path, arches: tuple[str, ...]) -> None:
    found = {row.package.nevra: row.verdict.value for row in _run(repository, arches).results}
    for name in BINARIES:
        nevra = f"{name}-1.0-1.noarch"
        expected = "depends" if _needs_citrix(repository, name, arches) else "may-depend"
        assert found[nevra] == expected, (name, arches)
    assert (found["app-1.0-1.noarch"] == "depends") is ("i686" in arches)


def test_the_chain_names_what_rules_the_clean_way_out_on_that_host(repository: Path) -> None:
    result = _run(repository, ("x86_64", "i686"))
    row = next(row for row in result.results if row.package.nevra == "user-1.0-1.noarch")
    assert row.verdict.value == "depends"
    assert [result.packages[hop.target].name for hop in row.chain] == ["app", "cx-a"]
    # The i686 host's answer: b-x, which only x86_64 installs, is no way around the conflict there.
    assert "cannot hold clean-a with b-i" in row.chain[-1].requirement
