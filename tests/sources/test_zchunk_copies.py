"""``primary_zck`` and ``filelists_zck``, the zchunk copies dnf reads in place of primary.xml and
filelists.xml where librepo has zchunk (Fedora's default). A repository whose copy holds other
packages than the file the auditor reads is refused (exit 3), naming the copy: audited from
primary.xml alone it passed, clean under ``--strict``, while every dnf host with zchunk was
offered the Citrix package only the copy listed.

The repositories are createrepo_c's (``--zck``); a copy is swapped for another repository's,
repomd.xml's checksums and sizes fixed, so that it passes every check but what it holds.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.httpserver import LocalServer
from tests.rpmbuild import binary_of
from tests.sources.repomd_entry import install_metadata


@pytest.fixture(autouse=True)
def zchunk_tools() -> None:
    """zchunk's own tools are the authority here: a machine without them fails, never skips."""
    assert shutil.which("zck") and shutil.which("unzck"), "install zchunk's tools (Debian, Fedora: zchunk)"


CLEAN = """Name: clean-tool
Version: 1.0
Release: 1
Summary: clean
License: MIT
Vendor: XCP-ng
BuildArch: noarch
Requires: /usr/bin/clean-helper
%description
clean
%files
"""

HELPER = """Name: clean-helper
Version: 1.0
Release: 1
Summary: helper
License: MIT
Vendor: XCP-ng
BuildArch: noarch
%description
helper
%install
mkdir -p %{buildroot}/usr/bin
touch %{buildroot}/usr/bin/clean-helper
%files
/usr/bin/clean-helper
"""

CITRIX = CLEAN.replace("clean-tool", "ctx-agent").replace("Vendor: XCP-ng", "Vendor: Citrix Systems, Inc.")

NEEDS_LIBRARY = CLEAN.replace("Requires: /usr/bin/clean-helper", "Requires: /opt/vendor/lib/libagent.so")
"""Requires a file only filelists lists (primary.xml lists those under /etc and bin/ alone)."""

CITRIX_LIBRARY = (
    HELPER.replace("clean-helper", "ctx-lib", 1)
    .replace("Vendor: XCP-ng", "Vendor: Citrix Systems, Inc.")
    .replace("/usr/bin/clean-helper", "/opt/vendor/lib/libagent.so")
    .replace("/usr/bin", "/opt/vendor/lib")
)


@pytest.fixture(scope="module")
def rpms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: binary_of(text, tmp_path_factory.mktemp(name)) for name, text in
            (("clean", CLEAN), ("helper", HELPER), ("citrix", CITRIX), ("needs-library", NEEDS_LIBRARY),
             ("citrix-library", CITRIX_LIBRARY))}  # fmt: skip


def repository(directory: Path, packages: list[Path]) -> Path:
    directory.mkdir()
    for package in packages:
        shutil.copy(package, directory)
    subprocess.run(["createrepo_c", "--quiet", "--zck", str(directory)], check=True, capture_output=True)
    return directory


def install_copy(repo: Path, kind: str, made: Path) -> None:
    """Make ``made`` the repository's ``{kind}_zck``, repomd.xml's checksums and sizes fixed."""
    content = subprocess.run(["unzck", "-c", str(made)], check=True, capture_output=True).stdout
    install_bytes(repo, kind, made.read_bytes(), content)


def install_bytes(repo: Path, kind: str, data: bytes, content: bytes) -> None:
    """Make ``data`` the repository's ``{kind}_zck``, said to hold ``content``."""
    install_metadata(repo, f"{kind}_zck", data, content, f"{kind}.xml.zck")


def scan(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["scan", target, "--no-cache", "--metadata-only", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, json.loads(out)


def test_copies_createrepo_c_wrote_pass(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    code, report = scan(str(repo), capsys)
    assert (code, report["errors"]) == (0, [])
    assert {p["name"] for p in report["packages"]} == {"clean-tool", "clean-helper"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["primary", "filelists"])
def test_a_copy_listing_what_the_plain_file_does_not_is_refused(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    other = repository(tmp_path / "other", [rpms["clean"], rpms["helper"], rpms["citrix"]])
    install_copy(repo, kind, next((other / "repodata").glob(f"*-{kind}.xml.zck")))
    code, report = scan(str(repo), capsys)
    assert code == 3
    errors = report["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0]["input"].endswith(f"-{kind}.xml.zck")
    assert f"does not hold what {kind} holds, and dnf with zchunk reads it instead" in errors[0]["message"]


def test_the_same_content_chunked_otherwise_passes(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only what the copy holds counts: ``zck`` writing primary.xml again with a dictionary and
    other chunks is another file with the same content."""
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    plain = tmp_path / "primary.xml"
    packed = next((repo / "repodata").glob("*-primary.xml.gz"))
    plain.write_bytes(subprocess.run(["zcat", str(packed)], check=True, capture_output=True).stdout)
    (tmp_path / "dict").write_bytes(plain.read_bytes()[:300])
    made = tmp_path / "again.zck"
    subprocess.run(["zck", "-D", str(tmp_path / "dict"), "-s", "<package ", "-o", str(made), str(plain)],
                   check=True, capture_output=True)  # fmt: skip
    install_copy(repo, "primary", made)
    assert scan(str(repo), capsys)[0] == 0


def test_a_corrupt_copy_is_refused_with_one_line(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    copy = next((repo / "repodata").glob("*-primary.xml.zck"))
    content = subprocess.run(["unzck", "-c", str(copy)], check=True, capture_output=True).stdout
    data = bytearray(copy.read_bytes())
    data[-5] ^= 0xFF  # inside the last chunk: its checksum no longer matches
    install_bytes(repo, "primary", bytes(data), content)
    code, report = scan(str(repo), capsys)
    assert code == 3
    errors = report["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert "checksum mismatch (dnf with zchunk reads it instead of primary)" in errors[0]["message"]


def test_primary_given_as_zchunk_is_read(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A repomd.xml whose ``primary`` is the .zck file itself: read as such (it was refused as
    unsupported), with the same packages."""
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    repomd = repo / "repodata" / "repomd.xml"
    text = repomd.read_text()
    zck = re.search(r'<data type="primary_zck">(.*?)</data>', text, flags=re.S)
    assert zck is not None
    text = re.sub(
        r'<data type="primary">.*?</data>', f'<data type="primary">{zck.group(1)}</data>', text, flags=re.S
    )
    repomd.write_text(text)
    code, report = scan(str(repo), capsys)
    assert (code, report["errors"]) == (0, [])
    assert len(report["packages"]) == 2  # type: ignore[arg-type]


def test_a_remote_copy_is_compared_too(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    other = repository(tmp_path / "other", [rpms["clean"], rpms["helper"], rpms["citrix"]])
    install_copy(repo, "primary", next((other / "repodata").glob("*-primary.xml.zck")))
    with LocalServer(tmp_path) as server:
        code, report = scan(server.url("/repo/"), capsys)
        fetched = [path for path in server.paths() if path.endswith("-primary.xml.zck")]
    assert code == 3
    assert fetched
    errors = report["errors"]
    assert isinstance(errors, list) and errors[0]["input"].endswith("-primary.xml.zck")


@pytest.mark.parametrize("kind", ["primary", "filelists"])
def test_a_copy_listed_twice_is_refused(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Two ``{kind}_zck`` entries, the first another repository's with a Citrix package: dnf
    loading its cache keeps the first (librepo's ``lr_yum_use_local``), the auditor compared the
    last only and passed."""
    repo = repository(tmp_path / "repo", [rpms["clean"], rpms["helper"]])
    other = repository(tmp_path / "other", [rpms["clean"], rpms["helper"], rpms["citrix"]])
    pattern = rf'\s*<data type="{kind}_zck">.*?</data>'
    extra = re.search(pattern, (other / "repodata" / "repomd.xml").read_text(), flags=re.S)
    assert extra is not None
    href = re.search(r'href="([^"]+)"', extra.group(0))
    assert href is not None
    shutil.copy(other / href.group(1), repo / href.group(1))
    repomd = repo / "repodata" / "repomd.xml"
    repomd.write_text(
        re.sub(pattern, lambda own: extra.group(0) + own.group(0), repomd.read_text(), flags=re.S)
    )
    code, report = scan(str(repo), capsys)
    assert code == 3
    errors = report["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert f"lists {kind}_zck metadata twice" in errors[0]["message"]


@pytest.mark.parametrize("kind", ["primary", "filelists"])
def test_a_copy_listed_without_its_plain_file_is_read(
    tmp_path: Path, rpms: dict[str, Path], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """dnf reads ``{kind}_zck`` when ``{kind}`` is not listed (libdnf's getMetadataPath): the copy
    is what is read. Without it, primary was refused as missing, and the file only
    filelists_zck said ctx-lib holds went unread: clean-tool's need of it was "unresolved",
    not the dependency on Citrix it is."""
    repo = repository(tmp_path / "repo", [rpms["needs-library"], rpms["citrix-library"]])
    repomd = repo / "repodata" / "repomd.xml"
    repomd.write_text(re.sub(rf'<data type="{kind}">.*?</data>', "", repomd.read_text(), flags=re.S))
    code, report = scan(str(repo), capsys)
    assert (code, report["errors"]) == (1, [])
    statuses = {p["name"]: p["status"] for p in report["packages"]}  # type: ignore[attr-defined]
    assert statuses == {"clean-tool": "depends", "ctx-lib": "origin"}
