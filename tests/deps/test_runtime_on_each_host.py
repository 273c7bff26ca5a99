"""With several ``--arch``, a package's run-time status is the worst over the hosts.

``app`` (noarch) Requires ``lib``, which Citrix's x86_64 ``cx-lib`` and a clean aarch64
``lib-arm`` provide: an aarch64 host installs ``app`` cleanly, an x86_64 host only with
``cx-lib``. With ``--arch x86_64 --arch aarch64`` the requirement was read for both hosts at once,
and ``app`` was `may-depend`, which does not block, though every x86_64 installation of it holds
Citrix's package. ``user`` Requires ``app``, and ``tool`` BuildRequires it. ``both`` Requires
``lib2``, which a clean noarch package provides too: it has a clean way on each host. libsolv, on
each host as dnf sets it up, decides.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, libsolv_installs

PACKAGES = [
    {"name": "cx-lib", **CITRIX, "arch": "x86_64", "provides": ["lib", "lib2"]},
    {"name": "lib-arm", "arch": "aarch64", "provides": ["lib"]},
    {"name": "lib2-any", "provides": ["lib2"]},
    {"name": "app", "requires": ["lib"]},
    {"name": "user", "requires": ["app"]},
    {"name": "both", "requires": ["lib2"]},
    {"name": "tool", "buildrequires": ["app"]},
    # An aarch64 host cannot install ``x86-only`` at all: its need of cx-arm there is none.
    {"name": "cx-arm", **CITRIX, "arch": "aarch64", "provides": ["lib3"]},
    {"name": "lib3-x86", "arch": "x86_64", "provides": ["lib3"]},
    {"name": "libx-x86", "arch": "x86_64", "provides": ["libx"]},
    {"name": "x86-only", "requires": ["lib3", "libx"]},
]
BINARIES = ("app", "user", "both")


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("runtime-hosts"))


def _verdicts(repository: Path, arches: tuple[str, ...]) -> dict[str, str]:
    targets = (str(repository), str(repository.parent / "SRPMS"))
    options = AuditOptions(targets=targets, arches=arches, cache=False, discover_sources=False)
    return {row.package.nevra: row.verdict.value for row in run_audit(options, load_policy()).results}


def _needs_citrix(repository: Path, name: str, hosts: tuple[str, ...]) -> bool:
    """Whether some host of ``hosts`` installs ``name``, and only with a Citrix package."""
    nevra = f"{name}-1.0-1.noarch"
    return any(
        libsolv_installs(repository, nevra, arch=host) is not None
        and libsolv_installs(repository, nevra, arch=host, locked=["cx-lib", "cx-arm"]) is None
        for host in hosts
    )


@pytest.mark.parametrize("arches", [("x86_64",), ("aarch64",), ("x86_64", "aarch64"), ("aarch64", "x86_64")])
def test_a_package_one_host_cannot_install_without_citrix_depends(
    repository: Path, arches: tuple[str, ...]
) -> None:
    found = _verdicts(repository, arches)
    for name in BINARIES:
        needs = _needs_citrix(repository, name, arches)
        assert (found[f"{name}-1.0-1.noarch"] == "depends") is needs, (name, arches)
    assert (found["app-1.0-1.noarch"] == "depends") is ("x86_64" in arches)
    assert found["both-1.0-1.noarch"] != "depends"
    # x86-only: clean on x86_64, and an aarch64 host cannot install it at all (libx is x86_64's
    # alone), so it needs nothing there. With --arch aarch64 alone libx is unmet, read as missing
    # context, and lib3's Citrix provider is a need (as any run reads an unresolved package).
    if len(arches) > 1:
        assert libsolv_installs(repository, "x86-only-1.0-1.noarch", arch="aarch64") is None
        assert not _needs_citrix(repository, "x86-only", arches)
        assert found["x86-only-1.0-1.noarch"] != "depends"
    # The build on an x86_64 host needs app, which needs Citrix's package there.
    assert (found["tool-1.0-1.src"] == "build-depends") is ("x86_64" in arches)


def test_the_chain_names_the_host_s_only_provider(repository: Path) -> None:
    targets = (str(repository), str(repository.parent / "SRPMS"))
    options = AuditOptions(targets=targets, arches=("aarch64", "x86_64"), cache=False, discover_sources=False)
    result = run_audit(options, load_policy())
    row = next(row for row in result.results if row.package.nevra == "user-1.0-1.noarch")
    assert [result.packages[hop.target].name for hop in row.chain] == ["app", "cx-lib"]
    assert row.chain[-1].alternatives == 1  # lib on an x86_64 host: cx-lib alone


def test_without_arch_the_hosts_of_the_audited_packages_are_each_a_host(repository: Path) -> None:
    """No --arch, and the packages are of x86_64 and aarch64: every host at once was lenient
    (``app`` `may-depend`, a way around Citrix's package no x86_64 host has). The run is read as
    --arch naming both would read it, and says so."""
    targets = (str(repository), str(repository.parent / "SRPMS"))
    options = AuditOptions(targets=targets, cache=False, discover_sources=False)
    result = run_audit(options, load_policy())
    found = {row.package.nevra: row.verdict.value for row in result.results}
    assert found == _verdicts(repository, ("aarch64", "x86_64"))
    assert found["app-1.0-1.noarch"] == "depends" and _needs_citrix(repository, "app", ("x86_64",))
    assert result.options.arches == ("aarch64", "x86_64")  # every report names the hosts
    assert any("no --arch was given" in warning and "--arch aarch64 --arch x86_64" in warning
               for warning in result.warnings)  # fmt: skip


@pytest.mark.parametrize(
    ("arches", "hosts"),
    [
        (["x86_64", "i686", "noarch"], ("x86_64",)),  # multilib: one x86_64 host
        (["x86_64", "ia32e", "amd64"], ("x86_64",)),  # yum's names of an x86_64 host
        (["i686", "i586"], ("i686",)),
        (["noarch", "src"], ()),
        (["x86_64", "aarch64", "i686", "noarch"], ("aarch64", "x86_64")),
        (["i686", "aarch64"], ("aarch64", "i686")),
        (["s390x", "s390", "ppc64le"], ("ppc64le", "s390x")),
        (["riscv64", "x86_64"], ("riscv64", "x86_64")),
        (["x86_64", "a b", "", "../x", "x86_64\u200b", "src", "nosrc"], ("x86_64",)),  # rpm knows none
    ],
)
def test_the_hosts_of_a_run_without_arch(arches: list[str], hosts: tuple[str, ...]) -> None:
    """Several hosts only where no host of one architecture read installs the others."""
    from auditor.audit.hostsread import hosts_of_the_packages
    from tests.universe import package

    packages = [package({"name": f"p{at}", "arch": arch}) for at, arch in enumerate(arches)]
    assert hosts_of_the_packages(packages) == hosts


def test_packages_of_architectures_rpm_does_not_know_keep_the_reading_of_every_host_at_once() -> None:
    """An architecture rpm does not know is no host (a hostile repository could name thousands),
    and read for the hosts of the others the audit would drop its packages: the run is read for
    every host at once, as before, and a warning says that reading is lenient."""
    from auditor.audit.hostsread import with_the_hosts_read
    from auditor.sources.interface import LoadResult
    from tests.universe import package

    arches = ["x86_64", "aarch64", "x86_64\u200b", "a" * 300, "a" * 300, "noarch"]
    targets = LoadResult(
        packages=[package({"name": f"p{at}", "arch": arch}) for at, arch in enumerate(arches)]
    )
    options, warnings = with_the_hosts_read(AuditOptions(targets=("repo",)), targets, LoadResult())
    assert options.arches == ()
    assert len(warnings) == 1 and warnings[0].startswith(
        "no --arch was given, and 3 package(s) audited are of architectures rpm does not know ("
    )
    assert "'x86_64\\u200b'" in warnings[0] and "every host at once" in warnings[0] and len(warnings[0]) < 400


def test_targets_of_one_host_are_read_for_it_whatever_the_context_holds(tmp_path: Path) -> None:
    """The audited packages are of one host (x86_64 and noarch), the context (a mirror's tree)
    holds aarch64 ones too: the run was read for every host at once, and ``app``'s clean aarch64
    provider, which no x86_64 host installs, made it `may-depend`, the run passing, though every
    host the release goes to installs it only with Citrix's package. The same packages with
    ``lib-arm`` among the targets were `depends`."""
    built = build_repository(
        [
            {"name": "cx-lib", **CITRIX, "arch": "x86_64", "provides": ["lib"]},
            {"name": "lib-arm", "arch": "aarch64", "provides": ["lib"]},
            {"name": "app", "requires": ["lib"]},
            {"name": "other", "arch": "x86_64"},
        ],
        tmp_path / "built",
    )
    assert libsolv_installs(built, "app-1.0-1.noarch", arch="x86_64", locked=["cx-lib"]) is None
    layout = {"targets": ["noarch/app", "x86_64/other"], "context": ["x86_64/cx-lib", "aarch64/lib-arm"]}
    for name, files in layout.items():
        (tmp_path / name).mkdir()
        for file in files:
            rpm = next(built.glob(f"{file}-1.0-1.*.rpm"))
            rpm.rename(tmp_path / name / rpm.name)
        subprocess.run(["createrepo_c", "--quiet", str(tmp_path / name)], check=True)
    options = AuditOptions(
        targets=(str(tmp_path / "targets"),), context=(str(tmp_path / "context"),), cache=False
    )
    result = run_audit(options, load_policy())
    found = {row.package.nevra: row.verdict.value for row in result.results}
    assert found["app-1.0-1.noarch"] == "depends"
    assert result.options.arches == ("x86_64",)


def test_a_citrix_package_of_an_unknown_arch_is_not_hidden_by_a_second_host(tmp_path: Path) -> None:
    """Read for the two hosts a clean aarch64 package made, the run dropped a Citrix package of
    arch x86_65 (no host installs it) and passed, where it reported it origin without them."""
    repo = build_repository(
        [
            {"name": "cx-odd", **CITRIX, "arch": "x86_65"},
            {"name": "other", "arch": "x86_64"},
            {"name": "lib-arm", "arch": "aarch64"},
        ],
        tmp_path,
    )
    result = run_audit(AuditOptions(targets=(str(repo),), cache=False), load_policy())
    assert result.options.arches == ()  # read for every host at once, as the warning says
    found = {row.package.nevra: row.verdict.value for row in result.results}
    assert found.get("cx-odd-1.0-1.x86_65") == "origin"


@pytest.mark.parametrize(
    ("targets", "context", "arches"),
    [
        (["x86_64", "noarch"], ["aarch64"], ("x86_64",)),
        (["x86_64", "noarch"], ["i686", "noarch", "src"], ()),  # the targets' host's own
        # i686 compat libraries for x86_64 hosts: an x86_64 host installs them beside its own
        (["i686"], ["x86_64"], ()),
        (["i686"], ["x86_64", "aarch64"], ("x86_64",)),
        (["noarch"], ["x86_64", "x86_64\u200b"], ()),
    ],
)
def test_the_context_s_other_hosts_make_the_targets_host_named(
    targets: list[str], context: list[str], arches: tuple[str, ...]
) -> None:
    from auditor.audit.hostsread import with_the_hosts_read
    from auditor.sources.interface import LoadResult
    from tests.universe import package

    def loaded(names: list[str], prefix: str) -> LoadResult:
        return LoadResult(
            packages=[package({"name": f"{prefix}{at}", "arch": a}) for at, a in enumerate(names)]
        )

    options, _ = with_the_hosts_read(AuditOptions(targets=("t",)), loaded(targets, "t"), loaded(context, "c"))
    assert options.arches == arches
