"""A payload altered after its header was written: rpm -K calls it BAD, and so does the auditor.

The packages are built by rpmbuild (a payload of random bytes, stored uncompressed so that a
flipped bit leaves it readable), then one bit is flipped at seeded places. ``rpm -K
--nosignature`` is the authority: the auditor reports an input error on exactly the files it
refuses. One past the headers is the payload's digest (``Payload SHA256 digest: BAD``), which
the auditor read past before; the package is still audited from its header, its findings
shown, the run incomplete (exit 3), whatever form the file is given in.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from tests.rpmbuild import build_noarch

SPEC = """Name: blob
Version: 1
Release: 1
Summary: a payload of random bytes
License: MIT
URL: https://code.citrite.net/projects/blob
Source0: blob.bin
BuildArch: noarch
%define _binary_payload w.ufdio
%define _source_payload w.ufdio
%description
d
%install
mkdir -p %{buildroot}/usr/share/blob
cp %{SOURCE0} %{buildroot}/usr/share/blob/
%files
/usr/share/blob/blob.bin
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    top = tmp_path_factory.mktemp("payload-digests")
    spec = top / "blob.spec"
    spec.write_text(SPEC)
    source_text = random.Random(7).randbytes(48 * 1024).hex()
    return build_noarch(spec, top / "tree", ["blob.bin"], source_text=source_text)


def flipped(original: Path, where: Path, position: int) -> Path:
    data = bytearray(original.read_bytes())
    data[position] ^= 0x10
    where.mkdir(parents=True, exist_ok=True)
    path = where / original.name
    path.write_bytes(bytes(data))
    return path


def payload_start(path: Path) -> int:
    with path.open("rb") as stream:
        return read_headers(stream, str(path)).header_end


def rpm_refuses(path: Path) -> bool:
    done = subprocess.run(
        ["rpm", "-K", "--nosignature", str(path)], capture_output=True, text=True, check=False
    )
    return done.returncode != 0


def scan(capsys: pytest.CaptureFixture[str], *targets: Path) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *map(str, targets), "--no-cache", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.mark.parametrize("which", ["binary", "source"])
def test_the_auditor_refuses_the_files_rpm_refuses(
    which: str, built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = built[0] if which == "source" else built[1]
    size = original.stat().st_size
    start = payload_start(original)
    chooser = random.Random(which)
    positions = [chooser.randrange(start, size) for _ in range(6)] + [
        chooser.randrange(0, start) for _ in range(4)
    ]
    for number, position in enumerate(positions):
        path = flipped(original, tmp_path / str(number), position)
        code, report, err = scan(capsys, path)
        assert bool(report["errors"]) == rpm_refuses(path), (position, report["errors"])
        if position >= start:
            assert code == 3
            (error,) = report["errors"]
            assert error["input"] == str(path)
            assert error["message"].startswith("Payload SHA256 digest: BAD (Expected ")
            assert err.count("\n") >= 1 and "Traceback" not in err


def test_the_package_is_still_audited_and_the_good_file_beside_it(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, rpm = built
    bad = flipped(rpm, tmp_path / "bad", rpm.stat().st_size - 100)
    good = tmp_path / "good" / srpm.name
    good.parent.mkdir()
    shutil.copy(srpm, good)
    code, report, _ = scan(capsys, bad, good)
    assert code == 3
    assert [error["input"] for error in report["errors"]] == [str(bad)]
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses["blob-1-1.noarch"] == "origin"  # its URL is on a Citrix host: still said
    assert statuses["blob-1-1.src"] == "origin"


def test_a_local_repository_says_so_too(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, rpm = built
    repository = tmp_path / "repo"
    flipped(rpm, repository, rpm.stat().st_size - 100)
    shutil.copy(srpm, repository / srpm.name)
    subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    code, report, _ = scan(capsys, repository)
    assert code == 3
    assert any("Payload SHA256 digest: BAD" in error["message"] for error in report["errors"])


def test_a_lone_source_rpm_altered_is_not_rebuilt_from_its_payload(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, _ = built
    bad = flipped(srpm, tmp_path / "bad", srpm.stat().st_size - 100)
    code, report, _ = scan(capsys, bad)
    assert code == 3
    gaps = [gap["detail"] for package in report["packages"] for gap in package["gaps"]]
    assert any("Payload SHA256 digest: BAD" in gap for gap in gaps), gaps
    assert not [package for package in report["packages"] if package["kind"] != "source"]


def test_an_unaltered_package_reads_with_no_error(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for path in built:
        assert not rpm_refuses(path)
        _, report, _ = scan(capsys, path)
        assert report["errors"] == []
