"""A waiver's ``versions`` of a binary matched through its source package's name read the version
of the source package it was built from, never that of another copy of the same file name.

SOURCERPM (``sm-1.0-1.src.rpm``) names no epoch: two source packages of one N-V-R and different
epochs (a vendor's build and a rebuild with an epoch of its own) have one file name. `decide`
kept the last copy it read, the newest: ``sm-lic`` 1.0-1, built from ``sm`` 1.0-1 and needing
Citrix's ``cx``, was waived by ``package = "sm"``, ``versions = ">= 5:0"`` once ``sm-5:1.0-1.src``
was in the run beside the ``sm-1.0-1.src`` it was built from, and the run passed (gate58).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.origin.scanned import write_spec

SPEC = """Name: sm
{epoch}Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package lic
Summary: l
Requires: cx
%description lic
d
%files
%files lic
"""

WAIVERS = """\
[[waiver]]
id = "sm5"
package = "sm"
versions = ">= 5:0"
reason = "the epoch-5 build of sm is the one we ship"
owner = "o"
expires = 2099-01-01

[[waiver]]
id = "cx"
package = "cx"
reason = "r"
owner = "o"
expires = 2099-01-01
"""


def _build(directory: Path, epoch: str, what: str) -> Path:
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    spec = directory / f"sm{epoch or 0}.spec"
    spec.write_text(SPEC.format(epoch=f"Epoch: {epoch}\n" if epoch else ""))
    top = directory / f"top{epoch or 0}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(directory), "LC_ALL": "C"}
    subprocess.run(
        ["rpmbuild", what, "--quiet", "--define", f"_topdir {top}", str(spec)], check=True, env=env
    )
    return top


@pytest.fixture
def release(tmp_path: Path) -> tuple[Path, Path, Path]:
    built = _build(tmp_path, "", "-ba")  # sm-1.0-1.src and sm-lic-1.0-1, epoch 0
    other = _build(tmp_path, "5", "-bs")  # sm-5:1.0-1.src: the same file name
    shipped, rebuilt = tmp_path / "shipped", tmp_path / "rebuilt"
    shipped.mkdir()
    rebuilt.mkdir()
    shutil.copy(built / "SRPMS" / "sm-1.0-1.src.rpm", shipped)
    shutil.copy(built / "RPMS" / "noarch" / "sm-lic-1.0-1.noarch.rpm", shipped)
    shutil.copy(other / "SRPMS" / "sm-1.0-1.src.rpm", rebuilt)
    write_spec(shipped, "cx", "Vendor: Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVERS)
    return shipped, rebuilt, waivers


def _sm_lic(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *map(str, args), "--format", "json", "--no-cache", "--no-baseline", "-q"])
    report = json.loads(capsys.readouterr().out)
    # The sm-lic built, not the one a directory of sources alone (the epoch-5 rebuild's) makes.
    (found,) = [
        package
        for package in report["packages"]
        if package["name"] == "sm-lic" and package["location"].endswith("sm-lic-1.0-1.noarch.rpm")
    ]
    return code, found


def test_another_epochs_copy_of_the_source_package_does_not_put_a_binary_in_range(
    capsys: pytest.CaptureFixture[str], release: tuple[Path, Path, Path]
) -> None:
    shipped, rebuilt, waivers = release
    alone = _sm_lic(capsys, shipped, "--waivers", waivers)
    assert alone[0] == 1 and alone[1]["waived_by"] == []
    for inputs in ((shipped, rebuilt), (rebuilt, shipped)):
        code, sm_lic = _sm_lic(capsys, *inputs, "--waivers", waivers)
        assert sm_lic["nevra"] == "sm-lic-1.0-1.noarch"
        assert sm_lic["waived_by"] == [], inputs
        assert code == 1, inputs


def test_the_copy_of_the_binarys_epoch_still_puts_it_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = _build(tmp_path, "5", "-ba")
    _build(tmp_path, "", "-bs")
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in (built / "SRPMS" / "sm-1.0-1.src.rpm", built / "RPMS" / "noarch" / "sm-lic-1.0-1.noarch.rpm"):
        shutil.copy(path, shipped)
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    shutil.copy(tmp_path / "top0" / "SRPMS" / "sm-1.0-1.src.rpm", rebuilt)
    write_spec(shipped, "cx", "Vendor: Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVERS)
    for inputs in ((shipped, rebuilt), (rebuilt, shipped)):
        code, sm_lic = _sm_lic(capsys, *inputs, "--waivers", waivers)
        assert sm_lic["nevra"] == "sm-lic-5:1.0-1.noarch"
        assert sm_lic["waived_by"] == ["sm5"], inputs
        # rebuilt/, a directory of sources alone, is audited with what its SRPM builds: an epoch-0
        # sm-lic needing cx, which the waiver of epoch 5 does not cover (`test_source_rpm_alone`).
        assert code == 1, inputs


def test_a_copy_the_binary_was_not_built_from_does_not_put_it_in_range(
    capsys: pytest.CaptureFixture[str], release: tuple[Path, Path, Path]
) -> None:
    """The run holds one copy of ``sm-1.0-1.src.rpm``, not the build sm-lic names (SOURCEPKGID):
    its source package is not among the inputs, and the README reads the binary's own EVR then."""
    shipped, rebuilt, waivers = release
    (shipped / "sm-1.0-1.src.rpm").unlink()
    code, sm_lic = _sm_lic(capsys, shipped, rebuilt, "--waivers", waivers)
    assert sm_lic["nevra"] == "sm-lic-1.0-1.noarch"
    assert [gap["kind"] for gap in sm_lic["gaps"]] == ["source-not-audited"]
    assert sm_lic["waived_by"] == []
    assert code == 1
