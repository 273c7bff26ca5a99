"""A file the metadata lists where the walk did not go is the repository's only if it lands
inside it: through a directory that is a link out, or as a link out itself in a repository
nested in this one (whose files the walk leaves to it), it is missing, and its header is not
read. Those files are looked at one by one only when the walk did not find them; the look
follows each directory once, and a file only when it is a link. Fixture RPMs built by rpmbuild
(tests/data/rpms), repositories by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS

CITRIX = "bcond-citrix-1.0-1.src.rpm"
CLEAN = "epochs-1.2-4.src.rpm"


def createrepo(directory: Path) -> None:
    subprocess.run(
        ["createrepo_c", "--quiet", "--no-database", str(directory)], check=True, capture_output=True
    )


def gaps_by_package(repo: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    main(["scan", str(repo), "--no-cache", "--format", "json", "--fail-on", "none"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return {
        package["nevra"]: sorted(gap["kind"] for gap in package["gaps"])
        for package in json.loads(captured.out)["packages"]
    }


def test_a_listed_file_through_a_directory_linked_out_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "Packages" / "away").mkdir(parents=True)
    shutil.copy(RPMS / CLEAN, repo / "Packages" / CLEAN)
    shutil.copy(RPMS / CITRIX, repo / "Packages" / "away" / CITRIX)
    createrepo(repo)
    outside = tmp_path / "outside"
    shutil.move(repo / "Packages" / "away", outside)
    (repo / "Packages" / "away").symlink_to(outside)
    gaps = gaps_by_package(repo, capsys)
    assert gaps["bcond-citrix-1.0-1.src"] == ["file-missing"]
    assert gaps["epochs-3:1.2-4.src"] == []


def test_a_listed_file_that_links_out_in_a_nested_repository_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    nested = repo / "nested"
    nested.mkdir(parents=True)
    shutil.copy(RPMS / CLEAN, nested / CLEAN)
    shutil.copy(RPMS / CITRIX, nested / CITRIX)
    createrepo(repo)  # the outer metadata lists nested/ too
    createrepo(nested)  # which is then a repository of its own, which the walk leaves alone
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.move(nested / CITRIX, outside / CITRIX)
    (nested / CITRIX).symlink_to(outside / CITRIX)
    gaps = gaps_by_package(repo, capsys)
    assert gaps["bcond-citrix-1.0-1.src"] == ["file-missing"]
    assert gaps["epochs-3:1.2-4.src"] == []
