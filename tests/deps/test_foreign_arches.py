"""An architecture that no host installs beside the package's is no provider for it.

``app-A.x86_64`` requires ``foo-A``, which the Citrix ``cx`` (noarch) and a clean ``clean-A`` of
architecture A provide. No x86_64 host installs an A package unless A is one of its own
(i686, by multilib): for the others the clean provider spares app nothing (``depends``), whether
A is in the table of hosts (aarch64) or not (riscv64, ppc64, armv7hl: rpm has no host where
they mix with x86_64). When such providers are the only ones, the requirement is unresolved, as
libsolv finds it on an x86_64 host. amd64 and ia32e are x86-64 too: yum 3 installs them on the
x86_64 hosts it names so (after their CPU), dnf (libsolv, however it is built) on none, so such a
package is a provider on some hosts only: no way around a Citrix one, and alone it leaves the
requirement unresolved on dnf's hosts. An s390x host installs s390 packages beside its own, as libsolv, yum and rpm say. The
packages are built by rpmbuild (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import solv

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.deps.provides import ARCH_POLICIES, KNOWN_ARCHES, host_arches
from auditor.engine import run_audit
from auditor.origin.findings import Verdict
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


# yum 3's rpmUtils/arch.py: each architecture and the next one its hosts install (``arches``),
# and what it calls an x86_64 host after its CPU (``getCanonX86_64Arch``: ia32e for Intel,
# amd64 for AMD). A host installs the chain from its own (``getArchList``).
YUM_NEXT_ARCH = {
    "athlon": "i686", "i686": "i586", "geode": "i586", "i586": "i486", "i486": "i386", "i386": "noarch",
    "x86_64": "athlon", "amd64": "x86_64", "ia32e": "x86_64",
    "ppc64iseries": "ppc64", "ppc64pseries": "ppc64", "ppc64": "ppc", "ppc": "noarch",
}  # fmt: skip
YUM_X86_64_HOSTS = ("ia32e", "amd64")


def yum_installs_on(host: str) -> list[str]:
    arches = [host]
    while arches[-1] in YUM_NEXT_ARCH:
        arches.append(YUM_NEXT_ARCH[arches[-1]])
    return arches


@pytest.mark.parametrize("arch", YUM_X86_64_HOSTS)
def test_yum_installs_an_x86_64_hosts_own_architecture_beside_x86_64(tmp_path: Path, arch: str) -> None:
    """yum 3 on an x86_64 host names it after its CPU (ia32e, amd64) and installs packages of
    that architecture there; dnf (libsolv set to x86_64) does not. Such a package is on some
    x86_64 hosts only: a Citrix one beside a clean x86_64 provider makes ``app`` may-depend (a
    yum host may install it), a clean one beside a Citrix provider spares ``user`` nothing (dnf
    hosts lack it: depends), and one that alone meets ``only``'s requirement taints it (yum
    hosts install it), the requirement unresolved on dnf's hosts."""
    assert arch in yum_installs_on(arch) and "x86_64" in yum_installs_on(arch)
    packages: list[dict[str, Any]] = [
        {"name": "cx", **CITRIX, "arch": arch, "provides": ["foo", "bar"]},
        {"name": "clean", "arch": "x86_64", "provides": ["foo"]},
        {"name": "app", "arch": "x86_64", "requires": ["foo"]},
        {"name": "other", "arch": arch, "provides": ["baz"]},
        {"name": "cy", **CITRIX, "provides": ["baz"]},
        {"name": "user", "arch": "x86_64", "requires": ["baz"]},
        {"name": "only", "arch": "x86_64", "requires": ["bar"]},
    ]
    repository = build_repository(packages, tmp_path)
    # dnf's host: neither cx nor other is installable, so app takes clean, user takes cy.
    assert libsolv_installs(repository, "app-1.0-1.x86_64", locked=["cx"]) is not None
    assert libsolv_installs(repository, "user-1.0-1.x86_64", locked=["cy"]) is None
    assert libsolv_installs(repository, "only-1.0-1.x86_64") is None
    for arches in ((), ("x86_64",)):
        options = AuditOptions(targets=(str(repository),), cache=False, discover_sources=False, arches=arches)
        result = run_audit(options, load_policy())
        found = verdicts(result)
        assert found["app-1.0-1.x86_64"] == "may-depend", arches
        assert found["user-1.0-1.x86_64"] == "depends", arches
        (only,) = (r for r in result.results if r.package.nevra == "only-1.0-1.x86_64")
        assert Verdict.DEPENDS in only.statuses and [str(r.dependency) for r in only.unresolved] == ["bar"]


def test_a_provider_some_hosts_lack_beside_a_foreign_one_leaves_the_requirement_unresolved(
    tmp_path: Path,
) -> None:
    """``app.x86_64`` requires ``foo``, which an ia32e package (dnf's hosts lack it) and an
    aarch64 one (no x86_64 host installs it) provide: on dnf's hosts nothing meets it, as
    libsolv finds, so it is unresolved, not met by the one provider the other hosts have."""
    packages: list[dict[str, Any]] = [
        {"name": "lib", "arch": "ia32e", "provides": ["foo"]},
        {"name": "lib", "arch": "aarch64", "provides": ["foo"]},
        {"name": "app", "arch": "x86_64", "requires": ["foo"]},
    ]
    repository = build_repository(packages, tmp_path)
    assert libsolv_installs(repository, "app-1.0-1.x86_64") is None
    result = run_audit(
        AuditOptions(targets=(str(repository),), cache=False, discover_sources=False), load_policy()
    )
    (app,) = (r for r in result.results if r.package.nevra == "app-1.0-1.x86_64")
    assert app.verdict is Verdict.UNRESOLVED and [str(r.dependency) for r in app.unresolved] == ["foo"]
    assert "(lib)" in app.unresolved[0].detail


# What the solv wheel's libsolv (built without -DFEDORA) has no policy for: yum's chain says.
FEDORA_ONLY = ("athlon", "geode", "amd64", "ia32e", "ppc64iseries", "ppc64pseries")


def test_an_arch_outside_the_table_installs_what_libsolv_and_yum_install_there() -> None:
    """``--arch`` for a host outside `HOST_ARCHES` installs its policy's architectures, as
    libsolv (the solv wheel; Fedora's for those only its build knows, as yum's chain says)."""
    pool = solv.Pool()
    for host in ARCH_POLICIES:
        if host in FEDORA_ONLY:
            expected = set(yum_installs_on(host))
        else:
            pool.setarch(host)
            expected = {arch for arch in KNOWN_ARCHES if pool.isknownarch(pool.str2id(arch))}
        assert host_arches([host]) == expected | {"noarch"}, host


def test_an_i586_host_installs_i386_providers(tmp_path: Path) -> None:
    """``--arch i586``: ``app.i586`` requires ``foo``, which a clean i586 package and the Citrix
    ``cx.i386`` provide; libsolv on i586 installs either, so app may depend on Citrix."""
    packages: list[dict[str, Any]] = [
        {"name": "cx", **CITRIX, "arch": "i386", "provides": ["foo"]},
        {"name": "clean", "arch": "i586", "provides": ["foo"]},
        {"name": "app", "arch": "i586", "requires": ["foo"]},
    ]
    repository = build_repository(packages, tmp_path)
    assert libsolv_installs(repository, "app-1.0-1.i586", locked=["clean"], arch="i586") is not None
    options = AuditOptions(targets=(str(repository),), cache=False, discover_sources=False, arches=("i586",))
    assert verdicts(run_audit(options, load_policy()))["app-1.0-1.i586"] == "may-depend"


def test_no_host_installs_an_ia32e_and_an_amd64_package(tmp_path: Path) -> None:
    """``app.amd64`` (a yum host on AMD installs it) requires ``foo``, which only ``lib.ia32e``
    provides (a yum host on Intel): neither yum host has both (yum's chains), nor dnf's either,
    so the requirement is unresolved, also when a source package is built on x86_64; it was met
    while x86_64 hosts took both architectures as one."""
    assert "ia32e" not in yum_installs_on("amd64") and "amd64" not in yum_installs_on("ia32e")
    packages: list[dict[str, Any]] = [
        {"name": "lib", "arch": "ia32e", "provides": ["foo"]},
        {"name": "app", "arch": "amd64", "requires": ["foo"]},
    ]
    repository = build_repository(packages, tmp_path)
    result = run_audit(
        AuditOptions(targets=(str(repository),), cache=False, discover_sources=False), load_policy()
    )
    (app,) = (r for r in result.results if r.package.nevra == "app-1.0-1.amd64")
    assert [str(r.dependency) for r in app.unresolved] == ["foo"]


def test_an_ia32e_and_an_amd64_provider_are_on_different_hosts(tmp_path: Path) -> None:
    """``app.x86_64`` requires ``foo``, which the Citrix ``cx.ia32e`` and a clean ``lib.amd64``
    provide: yum on Intel installs cx (it has no amd64 package), yum on AMD lib, dnf neither.
    The worst host's verdict is depends (and unresolved on dnf's); taking both as lacked by
    the same hosts made the clean one a way around on the Intel host: may-depend, exit 0."""
    packages: list[dict[str, Any]] = [
        {"name": "cx", **CITRIX, "arch": "ia32e", "provides": ["foo"]},
        {"name": "lib", "arch": "amd64", "provides": ["foo"]},
        {"name": "app", "arch": "x86_64", "requires": ["foo"]},
    ]
    repository = build_repository(packages, tmp_path)
    assert libsolv_installs(repository, "app-1.0-1.x86_64") is None  # dnf's host
    result = run_audit(
        AuditOptions(targets=(str(repository),), cache=False, discover_sources=False), load_policy()
    )
    (app,) = (r for r in result.results if r.package.nevra == "app-1.0-1.x86_64")
    assert app.verdict is Verdict.DEPENDS and [str(r.dependency) for r in app.unresolved] == ["foo"]
