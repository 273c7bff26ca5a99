"""One RPM or spec file named twice is read once (rt21).

A directory and a file in it, the file twice through a link, a hard link, or a symbolic
link beside the file in the directory walked: each name led to another read, and the
package, its findings and every total were counted twice, which dnf and createrepo_c never
do. The file is read under the first name that leads to it, and each other name is said on
standard error. Fixture RPMs built by rpmbuild (tests/data/rpms).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS

CITRIX = "bcond-citrix-1.0-1.src.rpm"
REBUILT = [
    "bcond-citrix-1.0-1.noarch",
    "bcond-citrix-1.0-1.src",
    "epochs-3:1.2-4.noarch",
    "epochs-3:1.2-4.src",
]
CLEAN = "epochs-1.2-4.src.rpm"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    directory = tmp_path / "srpms"
    directory.mkdir()
    for name in (CITRIX, CLEAN):
        shutil.copy(RPMS / name, directory / name)
    return directory


def scan(args: list[str], fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *args, "--no-cache", "--format", fmt])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def totals(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """What each format counts of a scan of ``args``."""
    _, out, _ = scan(args, "json", capsys)
    document = json.loads(out)
    counts: dict[str, Any] = {
        "json": (
            sorted(package["nevra"] for package in document["packages"]),
            document["summary"]["statuses"],
        ),
        "json-findings": sum(len(package["findings"]) for package in document["packages"]),
    }
    _, out, _ = scan(args, "sarif", capsys)
    counts["sarif"] = len(json.loads(out)["runs"][0]["results"])
    _, out, _ = scan(args, "cyclonedx", capsys)
    counts["cyclonedx"] = len(json.loads(out)["components"])
    _, out, _ = scan(args, "spdx", capsys)
    counts["spdx"] = len(json.loads(out)["packages"])
    _, out, _ = scan(args, "junit", capsys)
    suites = ET.fromstring(out)
    counts["junit"] = (suites.get("tests"), suites.get("failures"))
    _, out, _ = scan(args, "inventory", capsys)
    counts["inventory"] = re.findall(r"^(\d+) packages from", out, re.MULTILINE)
    return counts


def test_a_directory_and_a_file_in_it_count_each_package_once_in_every_format(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = totals([str(tree)], capsys)
    # Each source RPM with the binary its spec builds (a source RPM given alone is rebuilt).
    assert alone["json"][0] == REBUILT
    for args in ([str(tree), str(tree / CITRIX)], [str(tree / CITRIX), str(tree)]):
        assert totals(args, capsys) == alone


def test_each_other_name_of_a_file_is_said_once_and_its_package_read_once(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A symbolic link beside the file in the directory walked, and a hard link named too."""
    (tree / "link.src.rpm").symlink_to(CITRIX)
    hard = tree.parent / "hard.src.rpm"
    os.link(tree / CITRIX, hard)
    code, out, err = scan([str(tree), str(hard)], "json", capsys)
    document = json.loads(out)
    assert code == 1
    assert sorted(package["nevra"] for package in document["packages"]) == REBUILT
    assert document["summary"]["statuses"]["origin"] == 2  # bcond-citrix's source and its binary
    said = [line for line in err.splitlines() if "the same file as" in line]
    assert said == [
        f"auditor: warning: {tree / 'link.src.rpm'}: the same file as {tree / CITRIX}; read once",
        f"auditor: warning: {hard}: the same file as {tree / CITRIX}; read once",
    ]


def test_a_directory_whose_every_file_was_read_under_another_name_is_not_said_empty(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tree.parent / "again"
    other.mkdir()
    (other / CITRIX).symlink_to(tree / CITRIX)
    code, out, err = scan([str(tree), str(other)], "json", capsys)
    document = json.loads(out)
    assert code == 1 and "nothing was read" not in err
    assert len(document["packages"]) == len(REBUILT)
    assert "empty-input" not in {item["reason"] for item in document["completeness"]["reasons"]}


@pytest.mark.parametrize("named_first", [True, False])
def test_a_repository_named_and_met_in_a_directory_walk_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], named_first: bool
) -> None:
    repo = tmp_path / "tree" / "repo"
    repo.mkdir(parents=True)
    shutil.copy(RPMS / CITRIX, repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    inputs = [str(repo), str(tmp_path / "tree")]
    code, out, err = scan(inputs if named_first else inputs[::-1], "json", capsys)
    assert code == 1 and [package["nevra"] for package in json.loads(out)["packages"]] == [
        "bcond-citrix-1.0-1.src"
    ]
    assert len([line for line in err.splitlines() if "; read once" in line]) == 1


def test_a_file_named_and_met_again_by_the_walk_is_said_so(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One name, met twice: "X: the same file as X" named no other file (readme59)."""
    for args in ([str(tree / CITRIX), str(tree)], [str(tree), str(tree / CITRIX)]):
        _, _, err = scan(args, "json", capsys)
        said = [line for line in err.splitlines() if "read once" in line]
        assert said == [
            f"auditor: warning: {tree / CITRIX}: named as an input and in a directory walked; read once"
        ]


def test_a_directory_and_one_inside_it_count_each_package_once_in_every_format(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second walk lists the inner directory from the run's snapshot, the same names (the
    same string objects) as the first: each was taken for its own first name and read again,
    every package of it counted twice (redteam61)."""
    alone = totals([str(tree)], capsys)
    for args in ([str(tree.parent), str(tree)], [str(tree), str(tree.parent)]):
        assert totals(args, capsys) == alone, args
        _, _, err = scan(args, "json", capsys)
        said = sorted(line for line in err.splitlines() if "read once" in line)
        assert said == [
            f"auditor: warning: {tree / name}: in two directories walked; read once"
            for name in (CITRIX, CLEAN)
        ]
