"""A dependency's operator or version edited in primary.xml is an input error, and the package
is resolved by its header's: names alone were compared.

Red team (hunt55): ``needs-cap`` requires ``cap >= 2``, which only the Citrix package's ``cap =
3`` meets. primary.xml edited to read ``cap < 2`` (repomd.xml's checksums fixed) had the clean
``cap = 1`` meet it: ``needs-cap`` read clean with no error, and ``--roots needs-cap`` passed; so
did the providers' versions swapped (the Citrix ``cap = 1``, the clean one ``cap = 5``). rpm
installs by the header. Packages built by rpmbuild, the repository by createrepo_c."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import rewrite_primary
from tests.rpmbuild import build_noarch
from tests.sources.edited_repo import built_packages, repository

HEAD = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
SPECS = {
    "citrix-cap": HEAD + "Vendor: Citrix Systems, Inc.\nProvides: cap = 3\n%description\nd\n%files\n",
    "clean-cap": HEAD + "Provides: cap = 1\n%description\nd\n%files\n",
    "needs-cap": HEAD + "Requires: cap >= 2\n%description\nd\n%files\n",
}
SAID = "the file's header and the repository metadata disagree: "


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return built_packages(tmp_path_factory.mktemp("versions-edited"), SPECS)


def scan(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *map(str, args), "--no-cache", "--format", "json", "--roots", "needs-cap"])
    return code, json.loads(capsys.readouterr().out)


def _status(report: dict[str, Any]) -> str:
    (status,) = (p["status"] for p in report["packages"] if p["nevra"] == "needs-cap-1-1.noarch")
    return str(status)


def _errors(report: dict[str, Any]) -> dict[str, str]:
    return {Path(error["input"]).name: error["message"] for error in report["errors"]}


def test_as_createrepo_c_wrote_it_only_the_citrix_provider_meets_it(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = scan(capsys, repository(tmp_path / "repo", packages))
    assert (code, report["errors"], _status(report)) == (1, [], "depends")


def test_a_requirement_whose_operator_was_edited_is_the_headers(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", packages)
    before = '<rpm:entry name="cap" flags="GE" epoch="0" ver="2"/>'
    rewrite_primary(repo, lambda text: text.replace(before, before.replace("GE", "LT")))
    code, report = scan(capsys, repo)
    assert code == 3
    assert _errors(report) == {
        "needs-cap-1-1.noarch.rpm": SAID + "requires 'cap >= 2' in the header, not in the metadata"
    }
    assert _status(report) == "depends"


def test_provided_versions_swapped_are_the_headers(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", packages)

    def swap(text: str) -> str:
        three, one = (f'<rpm:entry name="cap" flags="EQ" epoch="0" ver="{v}"/>' for v in ("3", "1"))
        assert three in text and one in text
        return text.replace(one, one.replace('"1"', '"5"')).replace(three, one)

    rewrite_primary(repo, swap)
    code, report = scan(capsys, repo)
    assert code == 3
    assert _errors(report) == {
        "citrix-cap-1-1.noarch.rpm": SAID + "provides 'cap = 3' in the header, not in the metadata; "
        "provides 'cap = 1' in the metadata, not in the header",
        "clean-cap-1-1.noarch.rpm": SAID + "provides 'cap = 1' in the header, not in the metadata; "
        "provides 'cap = 5' in the metadata, not in the header",
    }
    assert _status(report) == "depends"


def test_a_recommends_whose_version_was_edited_is_the_headers(
    tmp_path: Path, packages: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf installs what a root Recommends: ``Recommends: cap >= 3`` read ``>= 99`` in
    primary.xml pulled in nothing, and ``--roots meta`` passed (exit 0). A writer that copies
    weak dependencies copies them whole, so the header's are taken, with the repository's warning
    (yum's createrepo copies none: no input error, as for one left out)."""
    top = tmp_path / "meta"
    spec = tmp_path / "meta.spec"
    spec.write_text(f"Name: meta\n{HEAD}Recommends: cap >= 3\n%description\nd\n%files\n")
    repo = repository(tmp_path / "repo", [*packages, *build_noarch(spec, top, [])])
    before = '<rpm:entry name="cap" flags="GE" epoch="0" ver="3"/>'
    rewrite_primary(repo, lambda text: text.replace(before, before.replace('"3"', '"99"')))
    code = main(["scan", str(repo), "--no-cache", "--format", "json", "--roots", "meta"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 1
    assert "citrix-cap-1-1.noarch" in {p["nevra"] for p in report["packages"]}
    assert "meta-1-1.noarch ('cap >= 3')" in captured.err


def test_the_versions_rpmbuild_takes_and_createrepo_c_writes_its_own_way_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Versions rpmbuild accepts that createrepo_c splits its own way (an empty release, an
    empty version, an epoch alone or written with zeros) are no disagreement: ``Provides: p =
    1.0-`` (a release macro empty) was refused, its header's ``1.0-`` against primary.xml's
    ``ver="1.0"`` with no ``rel``."""
    versions = ["1.0-", "-1", "1:", "00:2.0", "007:1", "0:1.0-1", "1:2.0-3.el7", "2.0~rc1^post"]
    provides = "".join(f"Provides: p{index} = {version}\n" for index, version in enumerate(versions))
    spec = tmp_path / "odd.spec"
    spec.write_text(f"Name: odd\n{HEAD}{provides}Requires: p0 = 1.0-\n%description\nd\n%files\n")
    repo = repository(tmp_path / "repo", list(build_noarch(spec, tmp_path / "top", [])))
    code = main(["scan", str(repo), "--no-cache", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["errors"]) == (0, [])
