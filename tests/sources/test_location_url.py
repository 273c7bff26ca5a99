"""A ``<location href>`` that is a whole URL is where dnf downloads the package from.

librepo hands such an href to curl as written (checked with dnf 4 against a server on 127.0.0.1
by the red team of this round): a package whose href is ``https://downloads.citrix.com/x.rpm``
is installed from Citrix. The reader refused the entry ("points outside the repository"),
which dropped the package, its evidence and what it provides: its requirers were unresolved,
not ``depends`` on a Citrix package. It is now read as an ``xml:base`` there is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import rewrite_primary
from tests.sources.edited_repo import built_packages, repository

HEAD = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
SPECS = {
    "cap": HEAD + "Provides: cap = 1\n%description\nd\n%files\n",
    "needs-cap": HEAD + "Requires: cap\n%description\nd\n%files\n",
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return built_packages(tmp_path_factory.mktemp("location-url"), SPECS)


def _scan(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *map(str, args), "--no-cache", "--format", "json", "--metadata-only"])
    return code, json.loads(capsys.readouterr().out)


def _moved(repo: Path, href: str) -> None:
    rewrite_primary(repo, lambda text: text.replace('href="cap-1-1.noarch.rpm"', f'href="{href}"'))


def _binary(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in report["packages"] if p["name"] == name and p["arch"] != "src")


@pytest.mark.parametrize("scheme", ["https", "HTTP", "ftp"])
def test_a_package_at_a_url_on_a_citrix_host_is_origin_and_its_requirer_depends(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str], scheme: str
) -> None:
    repo = repository(tmp_path / "repo", [path for path in packages if not path.name.endswith(".src.rpm")])
    _moved(repo, f"{scheme}://downloads.citrix.com/x/cap-1-1.noarch.rpm")
    code, report = _scan(capsys, repo)
    assert report["errors"] == []
    cap = _binary(report, "cap")
    assert cap["status"] == "origin" and cap["location"].startswith(f"{scheme}://downloads.citrix.com/")
    assert {finding["rule"] for finding in cap["findings"]} == {"citrix-corporate-host"}
    assert _binary(report, "needs-cap")["status"] == "depends"
    assert code == 1


def test_a_package_at_a_url_elsewhere_is_read_with_its_gap_not_dropped(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", [path for path in packages if not path.name.endswith(".src.rpm")])
    _moved(repo, "https://mirror.example/cap-1-1.noarch.rpm")
    main(["scan", str(repo), "--no-cache", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == []
    cap = _binary(report, "cap")
    assert cap["status"] == "clean" and "file-missing" in [gap["kind"] for gap in cap["gaps"]]
    assert _binary(report, "needs-cap")["status"] == "clean"


@pytest.mark.parametrize("href", ["file:///etc/passwd", "/etc/passwd", "../../x.rpm", "gopher://h/x.rpm"])
def test_a_location_outside_the_repository_that_dnf_would_not_download_is_still_refused(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str], href: str
) -> None:
    repo = repository(tmp_path / "repo", [path for path in packages if not path.name.endswith(".src.rpm")])
    _moved(repo, href)
    code, report = _scan(capsys, repo)
    assert code == 3
    assert [error["message"] for error in report["errors"]] == [
        f"location {href!r} points outside the repository"
    ]
