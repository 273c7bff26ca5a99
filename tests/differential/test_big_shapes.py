"""RPMs at the limits of the format, made by rpmbuild, held to rpm (bigshapes65).

A spec past the 16 MiB the auditor reads of one payload member (`payload.MAX_MEMBER`) is one
rpmbuild writes and rpm reads: its source RPM must still be audited from its header (the SPEC
tag, the builder's parse), its Sources judged, the bound an input error beside it. Before, the
whole package vanished from the report in every form (a Citrix Source in it unreported), where
a spec of 4 to 16 MiB was a gap on an audited package. The measurements past what a test may
build (files and RPMs past 4 GiB, 300,000 files, a 265 MB header) are in the README.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.formats import payload
from tests.rpmbuild import build_all

BIG_SPEC_HEAD = """Name: bigspec
Version: 1
Release: 1
Summary: a spec past the bound of one payload member
License: MIT
URL: https://example.org/bigspec
Source0: https://code.citrite.net/projects/bigspec/bigspec-1.tar.gz
BuildArch: noarch
%description
d
%files
"""
COMMENT = "# " + "x" * 77 + "\n"


def scan(capsys: pytest.CaptureFixture[str], *targets: Path) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *map(str, targets), "--no-cache", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.fixture(scope="module")
def big_spec_srpm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    top = tmp_path_factory.mktemp("bigspec")
    spec = top / "bigspec.spec"
    comments = COMMENT * (payload.MAX_MEMBER // len(COMMENT) + 1)
    spec.write_text(BIG_SPEC_HEAD.replace("%description", comments + "%description"))
    assert spec.stat().st_size > payload.MAX_MEMBER
    srpm, _ = build_all(spec, top / "tree", {"bigspec-1.tar.gz": "x\n"})
    assert subprocess.run(["rpm", "-K", "--nosignature", str(srpm)], capture_output=True).returncode == 0
    return srpm, spec.stat().st_size


@pytest.mark.parametrize("form", ["file", "directory", "repository"])
def test_a_source_rpm_whose_spec_is_past_the_member_bound_is_audited_from_its_header(
    form: str, big_spec_srpm: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, spec_size = big_spec_srpm
    target = srpm
    if form != "file":
        target = tmp_path / form
        target.mkdir()
        shutil.copy(srpm, target / srpm.name)
        if form == "repository":
            subprocess.run(["createrepo_c", "-q", str(target)], check=True)
    code, report, err = scan(capsys, target)
    assert code == 3, err
    (error,) = report["errors"]
    assert error["input"] == str(target if form == "file" else target / srpm.name)
    assert error["message"] == (
        f"payload member bigspec.spec is {spec_size} bytes, too large; its package is read from the header alone"
    )
    assert "Traceback" not in err
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses.get("bigspec-1-1.src") == "origin", statuses  # its Source0 is on a Citrix host
