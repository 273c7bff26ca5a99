"""An architecture that no host installs beside the package's is no provider for it.

``app-A.x86_64`` requires ``foo-A``, which the Citrix ``cx`` (noarch) and a clean ``clean-A`` of
architecture A provide. No x86_64 host installs an A package unless A is one of its own
(i686, by multilib): for the others the clean provider spares app nothing (``depends``), whether
A is in the table of hosts (aarch64) or not (riscv64, ppc64, armv7hl: rpm has no host where
they mix with x86_64). When such providers are the only ones, the requirement is unresolved, as
libsolv finds it on an x86_64 host. amd64 and ia32e are x86-64 too, and rpm's rpmrc lets
`rpm -i` take them on x86_64, but neither dnf (libsolv, however it is built) nor yum installs them
there. An s390x host installs s390 packages beside its own, as libsolv, yum and rpm say. The
packages are built by rpmbuild (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

ARCHES = {
    "riscv64": "depends",
    "ppc64": "depends",
    "armv7hl": "depends",
    "aarch64": "depends",
    "amd64": "depends",
    "ia32e": "depends",
    "i686": "may-depend",
}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    packages = [{"name": "cx", **CITRIX, "provides": [f"foo-{arch}" for arch in ARCHES]}]
    for arch in ARCHES:
        packages += [
            {"name": f"app-{arch}", "arch": "x86_64", "requires": [f"foo-{arch}"]},
            {"name": f"clean-{arch}", "arch": arch, "provides": [f"foo-{arch}"]},
            {"name": f"only-{arch}", "arch": "x86_64", "requires": [f"bar-{arch}"]},
            {"name": f"bar-{arch}", "arch": arch},
        ]
    return build_repository(packages, tmp_path_factory.mktemp("foreign-arches"))


@pytest.fixture(scope="module")
def result(repository: Path) -> AuditResult:
    return audit(repository)


@pytest.mark.parametrize("arch", ARCHES)
def test_a_provider_no_host_installs_beside_the_package_is_no_alternative(
    repository: Path, result: AuditResult, arch: str
) -> None:
    app = f"app-{arch}-1.0-1.x86_64"
    assert verdicts(result)[app] == ARCHES[arch]
    assert libsolv_installs(repository, app) is not None
    assert (libsolv_installs(repository, app, locked=["cx"]) is None) == (ARCHES[arch] == "depends")


@pytest.mark.parametrize("arch", ARCHES)
def test_a_requirement_only_such_providers_meet_is_unresolved(
    repository: Path, result: AuditResult, arch: str
) -> None:
    only = f"only-{arch}-1.0-1.x86_64"
    (row,) = (r for r in result.results if r.package.nevra == only)
    unresolved = [str(found.dependency) for found in row.unresolved]
    assert unresolved == ([] if arch == "i686" else [f"bar-{arch}"])
    assert (libsolv_installs(repository, only) is None) == (arch != "i686")


def test_an_s390x_host_installs_s390_packages_beside_its_own(tmp_path: Path) -> None:
    """``app.s390x`` requires ``foo``, which the Citrix ``cx`` and a clean s390 package provide:
    libsolv on s390x installs app without cx, so app may depend on Citrix, not depends; ``only``
    requires what an s390 package alone provides, which resolves; and ``--arch s390x`` audits the
    s390 packages an s390x host installs."""
    packages: list[dict[str, Any]] = [
        {"name": "cx", **CITRIX, "provides": ["foo"]},
        {"name": "clean", "arch": "s390", "provides": ["foo"]},
        {"name": "app", "arch": "s390x", "requires": ["foo"]},
        {"name": "only", "arch": "s390x", "requires": ["bar"]},
        {"name": "bar", "arch": "s390"},
    ]
    repository = build_repository(packages, tmp_path)
    assert libsolv_installs(repository, "app-1.0-1.s390x", locked=["cx"], arch="s390x") is not None
    assert libsolv_installs(repository, "only-1.0-1.s390x", arch="s390x") is not None
    for arches in ((), ("s390x",)):
        options = AuditOptions(targets=(str(repository),), cache=False, discover_sources=False, arches=arches)
        result = run_audit(options, load_policy())
        assert verdicts(result)["app-1.0-1.s390x"] == "may-depend"
        (only,) = (r for r in result.results if r.package.nevra == "only-1.0-1.s390x")
        assert not only.unresolved
        assert {"clean-1.0-1.s390", "bar-1.0-1.s390"} <= set(verdicts(result))
