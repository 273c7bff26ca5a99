"""A source package built with NoSource is ``NAME-V-R.nosrc.rpm``, and its binaries name it so.

NoSource is what a package whose sources may not be redistributed uses: its Source lines are
evidence like any other, and its binaries inherit them (a red-team case: they did not, and the
source package the run had read was said to be "not among the inputs").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main

CITRITE = "https://code.citrite.net/rest/archive/latest/projects/XSC/repos/blob/archive#/blob.tar.gz"
SPEC = f"""Name: ns
Version: 1.0
Release: 1
Summary: built from sources that may not be redistributed
License: MIT
BuildArch: noarch
Source1: {CITRITE}
NoSource: 1

%description
d

%files
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``x86_64/`` (the binary) beside ``SRPMS/`` (the .nosrc.rpm), each indexed by createrepo_c."""
    dist = tmp_path_factory.mktemp("nosrc")
    spec = dist / "ns.spec"
    spec.write_text(SPEC)
    top, binaries, sources = dist / "top", dist / "x86_64", dist / "SRPMS"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "blob.tar.gz").write_bytes(b"")
    defines = {
        "_topdir": top,
        "_rpmdir": binaries,
        "_srcrpmdir": sources,
        "_build_name_fmt": "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
    }
    places = [item for name, value in defines.items() for item in ("--define", f"{name} {value}")]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dist), "LC_ALL": "C"}
    done = subprocess.run(
        ["rpmbuild", "-ba", "--quiet", *places, str(spec)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert [path.name for path in sources.iterdir()] == ["ns-1.0-1.nosrc.rpm"]
    for made in (binaries, sources):
        subprocess.run(["createrepo_c", "--quiet", str(made)], check=True, capture_output=True)
    return dist


def test_a_binary_inherits_the_evidence_of_its_nosrc_source_package(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shutil.which("rpm")
    sourcerpm = subprocess.run(
        ["rpm", "-qp", "--qf", "%{SOURCERPM}", str(dist / "x86_64" / "ns-1.0-1.noarch.rpm")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sourcerpm == "ns-1.0-1.nosrc.rpm"
    code = main(["scan", str(dist / "x86_64"), "--format", "json", "-q"])
    document = json.loads(capsys.readouterr().out)
    status = {package["nevra"]: package["status"] for package in document["packages"]}
    assert status == {"ns-1.0-1.noarch": "origin", "ns-1.0-1.src": "origin"} and code == 1
    assert not [
        reason for reason in document["completeness"]["reasons"] if "source-not-audited" in reason["reason"]
    ]
    # --roots audits what installing ns pulls in: the binary, which blocks through its source
    assert main(["scan", str(dist / "x86_64"), "--roots", "ns", "--format", "json", "-q"]) == 1
