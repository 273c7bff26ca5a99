"""A source RPM's BuildRequires on a build host other than the one that made it.

rpmbuild records in an SRPM's header the BuildRequires of its builder's reading of the spec:
``%ifarch aarch64`` BuildRequires are not there when an x86_64 host made it. A rebuild on an
aarch64 host reads the spec again (``rpmbuild --rebuild --target aarch64``, which mock and koji
run there, refuses to start without them), so the SRPM, audited for that host (``--arch
aarch64``), needs what the spec itself needs there. rpmbuild is the authority: each case's
expected verdict is what ``rpmbuild --rebuild --target ARCH`` says it needs, and the spec file
and the SRPM built from it (its file, and its repository's entry), audited with the same
``--arch``, must all say it.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, verdicts

HOST = platform.machine()
OTHER = "aarch64" if HOST != "aarch64" else "x86_64"
"""The build host that did not make the SRPM: its ``%ifarch`` branch is not in the header."""

SPEC = (
    "Name: app\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
    f"%ifarch {OTHER}\nBuildRequires: cx-only\n%endif\nBuildRequires: own-only\n"
    "%description\nd\n%files\n"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The spec, the SRPM this host's rpmbuild makes of it, and the repository of its BuildRequires."""
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm"
    top = tmp_path_factory.mktemp("hosts")
    repo = build_repository([{"name": "cx-only", **CITRIX}, {"name": "own-only"}], top / "context")
    spec = top / "app.spec"
    spec.write_text(SPEC)
    env = {**os.environ, "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top / 'top'}", str(spec)]
    subprocess.run(command, check=True, capture_output=True, env=env)
    (srpm,) = (top / "top" / "SRPMS").glob("*.src.rpm")
    subprocess.run(["createrepo_c", "--quiet", str(srpm.parent)], check=True)  # read as a repository too
    return spec, srpm, repo


def needed_by_a_rebuild(srpm: Path, arch: str, top: Path) -> set[str]:
    """What ``rpmbuild --rebuild --target ARCH`` says the rebuild needs (none of it installed here)."""
    command = ["rpmbuild", "--rebuild", "--target", arch, "--define", f"_topdir {top}", str(srpm)]
    env = {**os.environ, "HOME": str(top), "LC_ALL": "C"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return set(re.findall(r"^\s+(\S+) is needed by ", done.stderr, re.MULTILINE))


def status_of(target: Path, repo: Path, arches: tuple[str, ...]) -> str:
    options = AuditOptions(targets=(str(target),), context=(str(repo),), cache=False, arches=arches)
    return verdicts(run_audit(options, load_policy()))["app-1.0-1.src"]


@pytest.mark.parametrize(
    "arches",
    [(HOST,), (OTHER,), (HOST, OTHER)],
    ids="-".join,
)
def test_an_srpm_is_read_for_each_build_host_as_its_spec_is(
    built: tuple[Path, Path, Path], tmp_path: Path, arches: tuple[str, ...]
) -> None:
    spec, srpm, repo = built
    needed = set().union(*(needed_by_a_rebuild(srpm, arch, tmp_path / arch) for arch in arches))
    assert "own-only" in needed, "rpmbuild said what the rebuild needs"
    expected = "build-depends" if "cx-only" in needed else "clean"
    read = [status_of(target, repo, arches) for target in (spec, srpm, srpm.parent)]
    assert read == [expected] * 3, "the spec, the SRPM file, the SRPM in its repository"
