"""A source package's BuildRequires are installed on a build host of the run, not on an "src" one.

``app`` BuildRequires ``foo-devel``, which a clean x86_64 package and a Citrix noarch one
provide: an x86_64 builder (``dnf builddep``) takes either, so the build has a clean way. ``two``
BuildRequires ``bar-devel``, which a clean x86_64 package and a Citrix aarch64 one provide: with
``--arch x86_64 --arch aarch64`` it is built on an aarch64 host too, which only the Citrix one
serves, and only the Citrix noarch one serves ``app`` there. libsolv on each host decides. The packages are built by rpmbuild (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, libsolv_installs

BUILD_NEEDS = {"app": "foo-devel", "two": "bar-devel"}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    packages = [
        {"name": "cleandevel", "arch": "x86_64", "provides": ["foo-devel", "bar-devel"]},
        {"name": "citrixdevel", **CITRIX, "provides": ["foo-devel"]},
        {"name": "citrixbar", **CITRIX, "arch": "aarch64", "provides": ["bar-devel"]},
        *({"name": name, "buildrequires": [need]} for name, need in BUILD_NEEDS.items()),
    ]
    return build_repository(packages, tmp_path_factory.mktemp("build-host"))


def _build_depends(repository: Path, arches: tuple[str, ...]) -> dict[str, bool]:
    """Source package name -> whether the audit says its build needs a Citrix package."""
    targets = (str(repository), str(repository.parent / "SRPMS"))
    options = AuditOptions(targets=targets, arches=arches, cache=False, discover_sources=False)
    rows = run_audit(options, load_policy()).results
    return {
        row.package.name: row.verdict.value == "build-depends"
        for row in rows
        if row.package.name in BUILD_NEEDS and row.package.is_source
    }


def _libsolv_build_depends(repository: Path, need: str, hosts: tuple[str, ...]) -> bool:
    """Whether some host of ``hosts`` can install ``need`` only with a Citrix package."""
    citrix = ["citrixdevel", "citrixbar"]
    return any(
        libsolv_installs(repository, "", also=[need], arch=host, locked=citrix) is None for host in hosts
    )


# Without --arch, the hosts of the audited packages' architectures: x86_64 and aarch64.
@pytest.mark.parametrize(("arches", "hosts"), [((), ("x86_64", "aarch64")), (("x86_64",), ("x86_64",)),
                                               (("x86_64", "aarch64"), ("x86_64", "aarch64"))])  # fmt: skip
def test_build_requires_are_read_for_the_build_hosts_of_the_run(
    repository: Path, arches: tuple[str, ...], hosts: tuple[str, ...]
) -> None:
    found = _build_depends(repository, arches)
    expected = {name: _libsolv_build_depends(repository, need, hosts) for name, need in BUILD_NEEDS.items()}
    assert found == expected
    # an aarch64 builder installs neither clean x86_64 provider
    assert found == dict.fromkeys(BUILD_NEEDS, "aarch64" in hosts)
