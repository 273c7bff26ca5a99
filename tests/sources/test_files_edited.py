"""A file moved in a repository's metadata from a Citrix package to a clean one is an input
error: rpm installs by the headers, whose file lists createrepo_c copied.

Red team (hunt55): ``needs-tool`` requires ``/opt/citrixonly/tool``, which only the Citrix
package owns. filelists.xml edited to give the path to ``plain`` instead (repomd.xml's checksums
fixed) had the requirement met by ``plain``: ``needs-tool`` read clean, and ``--roots
needs-tool`` passed with no error and no gap, though rpm refuses the package without the
Citrix one. The same through primary.xml for a path under ``/usr/bin``. Packages built by
rpmbuild, the repository by createrepo_c."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import rewrite_filelists, rewrite_primary
from tests.sources.edited_repo import built_packages, repository

HEAD = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
SPECS = {
    "citrix-tool": HEAD + "Vendor: Citrix Systems, Inc.\n%description\nd\n%install\n"
    "mkdir -p %{buildroot}/opt/citrixonly %{buildroot}/usr/bin\n"
    "touch %{buildroot}/opt/citrixonly/tool %{buildroot}/usr/bin/citrix-tool\n"
    "%files\n/opt/citrixonly/tool\n/usr/bin/citrix-tool\n",
    "plain": HEAD + "%description\nd\n%files\n",
    "needs-tool": HEAD + "Requires: /opt/citrixonly/tool\n%description\nd\n%files\n",
    "needs-bin": HEAD + "Requires: /usr/bin/citrix-tool\n%description\nd\n%files\n",
}
PLAIN_ENTRY = re.compile(r'(<package pkgid="[0-9a-f]+" name="plain" arch="noarch">\s*<version[^>]*/>)')


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return built_packages(tmp_path_factory.mktemp("files-edited"), SPECS)


def scan(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *map(str, args), "--no-cache", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _errors(report: dict[str, Any]) -> dict[str, str]:
    return {Path(error["input"]).name: error["message"] for error in report["errors"]}


def test_as_createrepo_c_wrote_it_the_requirement_needs_citrix(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", packages)
    code, report = scan(capsys, repo)
    assert report["errors"] == []
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    assert statuses["needs-tool-1-1.noarch"] == statuses["needs-bin-1-1.noarch"] == "depends"
    assert code == 1


def test_a_file_moved_in_filelists_xml_is_an_input_error(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", packages)

    def move(text: str) -> str:
        text = text.replace("<file>/opt/citrixonly/tool</file>", "")
        return PLAIN_ENTRY.sub(r"\1<file>/opt/citrixonly/tool</file>", text)

    rewrite_filelists(repo, move)
    for roots in ((), ("--roots", "needs-tool")):
        code, report = scan(capsys, repo, *roots)
        assert code == 3
        errors = _errors(report)
        said = "the file's header and the repository metadata disagree: its files"
        assert errors["citrix-tool-1-1.noarch.rpm"] == f"{said} (2 in the header, 1 in filelists.xml)"
        assert errors["plain-1-1.noarch.rpm"] == f"{said} (0 in the header, 1 in filelists.xml)"


def test_a_file_moved_in_primary_xml_is_an_input_error(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", packages)

    def move(text: str) -> str:
        text = text.replace("<file>/usr/bin/citrix-tool</file>", "")
        entry = re.compile(r"(<name>plain</name>.*?<format>)", re.S)
        return entry.sub(r"\1<file>/usr/bin/citrix-tool</file>", text)

    rewrite_primary(repo, move)
    code, report = scan(capsys, repo, "--roots", "needs-bin")
    assert code == 3
    errors = _errors(report)
    said = "the file's header and the repository metadata disagree: its files"
    assert errors["citrix-tool-1-1.noarch.rpm"] == f"{said} (1 in the header, 0 in primary.xml)"
    assert errors["plain-1-1.noarch.rpm"] == f"{said} (0 in the header, 1 in primary.xml)"


def without_filelists(repo: Path) -> None:
    """The repository as a generator that writes no filelists.xml leaves it (repomd.xml lists
    primary alone): dnf then has no file lists but primary.xml's, and reads the repository."""
    repomd = repo / "repodata" / "repomd.xml"
    repomd.write_text(re.sub(r'<data type="filelists">.*?</data>\s*', "", repomd.read_text(), flags=re.S))
    for path in (repo / "repodata").glob("*-filelists.*"):
        path.unlink()


def test_a_repository_without_filelists_xml_is_held_to_its_primary_paths(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each header was held to its whole file list against primary.xml's paths alone: every
    package with a file outside /etc and *bin/ was an input error, "its files (2 in the header,
    0 in the metadata)", and the run exited 3, though nothing was edited (the README: the paths
    primary.xml lists must be the header's, and all of them when filelists.xml is read). A
    filelists.xml that fails its own check said so, then again once per package."""
    repo = repository(tmp_path / "repo", packages)
    without_filelists(repo)
    code, report = scan(capsys, repo)
    assert report["errors"] == [] and code == 1
    statuses = {package["nevra"]: package["status"] for package in report["packages"]}
    # As dnf sees it: no file list answers /opt/citrixonly/tool, primary.xml's /usr/bin one does.
    assert statuses["needs-tool-1-1.noarch"] == "unresolved" and statuses["needs-bin-1-1.noarch"] == "depends"
    # A path moved in primary.xml is still the input error it is beside a filelists.xml.
    rewrite_primary(repo, lambda text: text.replace("<file>/usr/bin/citrix-tool</file>", ""))
    code, report = scan(capsys, repo)
    said = "the file's header and the repository metadata disagree: its files"
    assert code == 3 and _errors(report) == {
        "citrix-tool-1-1.noarch.rpm": f"{said} (1 in the header, 0 in primary.xml)"
    }
    # A filelists.xml that fails its checksum is one error, its own.
    repo = repository(tmp_path / "other", packages)
    next((repo / "repodata").glob("*-filelists.xml.gz")).write_bytes(b"garbage")
    code, report = scan(capsys, repo)
    assert code == 3 and [name.endswith("-filelists.xml.gz") for name in _errors(report)] == [True]
