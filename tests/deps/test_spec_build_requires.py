"""A spec's own packages are no provider of its BuildRequires; an SRPM's built binaries are.

``boot.spec`` BuildRequires ``boot-devel`` and builds it. Read from the spec, boot-devel does not
exist yet: ``dnf builddep boot.spec`` installs the only other provider, a Citrix package, so the
spec build-depends on it. Built, the same spec's SRPM and its boot-devel are in the run: a
distribution bootstraps the next build from the previous one, and boot-devel stays a clean
alternative: the build may take either (``may-depend``), not only Citrix's. The Citrix package is built by rpmbuild (its repodata by createrepo_c), and so are
the SRPM and binaries of the second case.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.origin.policy import load_policy
from auditor.rpm.model import Package
from auditor.sources.interface import LoadResult
from auditor.sources.repodata import read_repository
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.specs import read_spec_file

HEADER = "Version: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
BOOT = (
    f"Name: boot\n{HEADER}BuildRequires: boot-devel\n%description\nd\n"
    "%package devel\nSummary: s\n%description devel\nd\n"
    "%install\nmkdir -p %{buildroot}/usr/include\necho x > %{buildroot}/usr/include/boot.h\n"
    "%files\n%files devel\n/usr/include/boot.h\n"
)
CITRIX_DEVEL = f"Name: cx-boot-devel\n{HEADER}Vendor: Citrix Systems, Inc.\nProvides: boot-devel\n%description\nd\n%files\n"


def rpmbuild(spec: Path, top: Path) -> None:
    # --nodeps: boot-devel, which boot BuildRequires, is not installed here (nor need it be)
    subprocess.run(
        ["rpmbuild", "-ba", "--quiet", "--nodeps", "--define", f"_topdir {top}", str(spec)], check=True
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("boot")
    for name, text in (("boot", BOOT), ("cx-boot-devel", CITRIX_DEVEL)):
        (top / f"{name}.spec").write_text(text)
        rpmbuild(top / f"{name}.spec", top)
    context = top / "context"
    context.mkdir()
    (top / "RPMS" / "noarch" / "cx-boot-devel-1.0-1.noarch.rpm").rename(
        context / "cx-boot-devel-1.0-1.noarch.rpm"
    )
    subprocess.run(["createrepo_c", "-q", str(context)], check=True)
    return top


def verdicts(targets: list[Package], context: Path) -> dict[str, str]:
    result = audit_packages(
        AuditOptions(targets=("boot",)),
        load_policy(),
        LoadResult(packages=targets),
        LoadResult(packages=read_repository(str(context)).packages),
    )
    return {row.package.nevra: row.verdict.value for row in result.results}


def dnf_builddep(spec: Path, repo: Path, scratch: Path) -> str:
    """What ``dnf builddep`` would install for ``spec`` into an empty root from ``repo`` alone."""
    dnf = shutil.which("dnf")
    assert dnf, "dnf is the authority here: apt-get install dnf dnf-plugins-core"
    command = [
        dnf, f"--installroot={scratch / 'root'}", "--disablerepo=*", "--repofrompath", f"r1,{repo}",
        "--enablerepo=r1", "--setopt=reposdir=/dev/null", f"--setopt=cachedir={scratch / 'cache'}",
        "--nogpgcheck", "--releasever=1", "--assumeno", "builddep", str(spec),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False).stdout


def test_a_specs_own_package_does_not_exist_when_it_is_built(built: Path, tmp_path: Path) -> None:
    assert "cx-boot-devel" in dnf_builddep(built / "boot.spec", built / "context", tmp_path)
    spec = read_spec_file(str(built / "boot.spec"))
    assert verdicts(spec, built / "context") == {
        "boot-1.0-1.src": "build-depends",
        "boot-1.0-1.noarch": "build-depends",
        "boot-devel-1.0-1.noarch": "build-depends",
    }


def test_an_srpms_binaries_in_the_run_are_the_build_it_bootstraps_from(built: Path) -> None:
    files = [built / "SRPMS" / "boot-1.0-1.src.rpm", *sorted((built / "RPMS" / "noarch").glob("boot*.rpm"))]
    assert verdicts([read_rpm_file(str(path)) for path in files], built / "context") == {
        "boot-1.0-1.src": "may-depend",
        "boot-1.0-1.noarch": "may-depend",
        "boot-devel-1.0-1.noarch": "may-depend",
    }
