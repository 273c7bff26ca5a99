"""A host that cannot install a package at all is no host on which it needs Citrix.

``app`` (i686) Requires ``base``, which only the x86_64 ``lib64`` provides, and ``lib``, which
``lib64``, the noarch ``lib-any`` (it conflicts with ``lib64``) and the i686 ``lib32`` (it
Requires Citrix's ``cx``) provide. An x86_64 host installs ``app`` with ``lib64``, nothing of
Citrix's; an i686 host installs no ``lib64``, so no ``app`` at all. With ``--arch x86_64 --arch
i686``, the i686 host's reading of ``lib`` (``lib64`` absent, ``lib-any`` excluded beside it)
left ``cx`` alone, and ``app`` was `depends`, though neither run with one ``--arch`` says so
and libsolv needs Citrix on no host (red team 47, ``archconf`` universe 245). Now a host none of
whose packages meets a requirement installs no package with it. libsolv, on each
host as dnf sets it up, decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, libsolv_installs

PACKAGES = [
    {"name": "app", "arch": "i686", "requires": ["base", "lib"]},
    {"name": "lib64", "arch": "x86_64", "provides": ["base", "lib"]},
    {"name": "lib-any", "provides": ["lib"], "conflicts": ["lib64"]},
    {"name": "lib32", "arch": "i686", "provides": ["lib"], "requires": ["cx32"]},
    {"name": "cx", "arch": "i686", "provides": ["cx32"], **CITRIX},
]
APP = "app-1.0-1.i686"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("host-cannot-install"))


def _verdict(repository: Path, arches: tuple[str, ...]) -> str:
    options = AuditOptions(targets=(str(repository),), arches=arches, cache=False, discover_sources=False)
    return next(
        row.verdict.value for row in run_audit(options, load_policy()).results if row.package.nevra == APP
    )


def test_libsolv_needs_citrix_on_no_host(repository: Path) -> None:
    assert libsolv_installs(repository, APP, arch="x86_64", locked=["cx"]) is not None
    assert libsolv_installs(repository, APP, arch="i686") is None


@pytest.mark.parametrize(
    "arches",
    [
        ("x86_64",),
        ("i686",),
        ("x86_64", "i686"),
        ("i686", "x86_64"),
    ],
)
def test_a_package_no_host_installs_with_citrix_does_not_depend(
    repository: Path, arches: tuple[str, ...]
) -> None:
    assert _verdict(repository, arches) != "depends"
