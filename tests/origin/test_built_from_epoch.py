"""A binary pairs with the copy of its source package of its own epoch (red team rt3).

SOURCERPM is ``NAME-VERSION-RELEASE.src.rpm``: two source packages of one N-V-R and different
epochs have the same name there. The copy nearest the binary was taken: a clean epoch-1 SRPM
beside a binary built from a Citrix epoch-2 one made the binary look clean, with no gap.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main

SPEC = """Name: ep
Epoch: {epoch}
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: {source}

%description
d

%files
"""


def _build(directory: Path, epoch: int, source: str, what: str) -> Path:
    spec = directory / f"ep{epoch}.spec"
    spec.write_text(SPEC.format(epoch=epoch, source=source))
    top = directory / f"top{epoch}"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / source.rsplit("/", 1)[1]).write_bytes(b"")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(directory), "LC_ALL": "C"}
    subprocess.run(
        ["rpmbuild", what, "--quiet", "--define", f"_topdir {top}", str(spec)], check=True, env=env
    )
    return top


def test_a_binary_inherits_from_the_source_package_of_its_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    citrix = _build(tmp_path, 2, "https://downloads.citrix.com/ep.tar.gz", "-ba")
    clean = _build(tmp_path, 1, "https://example.org/ep.tar.gz", "-bs")
    release, other = tmp_path / "release" / "x86_64", tmp_path / "other" / "SRPMS"
    release.mkdir(parents=True)
    other.mkdir(parents=True)
    binary = release / "ep-1.0-1.noarch.rpm"
    shutil.copy(citrix / "RPMS" / "noarch" / binary.name, binary)
    shutil.copy(clean / "SRPMS" / "ep-1.0-1.src.rpm", release)  # the nearer copy, the wrong epoch
    shutil.copy(citrix / "SRPMS" / "ep-1.0-1.src.rpm", other)
    said = subprocess.run(
        ["rpm", "-qp", "--qf", "%{EPOCH} %{SOURCERPM}", str(binary)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert said.stdout == "2 ep-1.0-1.src.rpm"
    code = main(["scan", str(release), str(other), "--format", "json", "-q"])
    statuses = {
        package["nevra"]: package["status"] for package in json.loads(capsys.readouterr().out)["packages"]
    }
    assert statuses == {"ep-2:1.0-1.noarch": "origin", "ep-1:1.0-1.src": "clean", "ep-2:1.0-1.src": "origin"}
    assert code == 1
