"""A URL is read as a repository, never as one RPM file: a URL naming one says so, and names the
way out, where a 404 on ``x.rpm/repodata/repomd.xml`` alone left the user guessing. A repository
that lives in a directory called ``x.rpm`` is still read. A real HTTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from tests.httpserver import LocalServer
from tests.paths import ROOT

SRPM = ROOT / "tests" / "data" / "rpms" / "multilib-1.0-1.src.rpm"
WAY_OUT = "a URL is read as a repository, never as one RPM file"


def errors(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("auditor: error:")]


@pytest.mark.parametrize("as_sources", [False, True])
def test_a_url_naming_one_rpm_file_says_it_is_read_as_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_sources: bool
) -> None:
    shutil.copy(SRPM, tmp_path)
    with LocalServer(tmp_path) as server:
        url = server.url(f"/{SRPM.name}")
        args = [str(ROOT / "tests" / "data" / "rpms"), "--sources", url] if as_sources else [url]
        code = main(["scan", *args, "--no-cache", "-q", "--format", "json", "-o", str(tmp_path / "r.json")])
    assert code == ExitCode.INPUT
    [error] = errors(capsys)
    assert error.startswith(f"auditor: error: {url}: not read: {WAY_OUT} (")
    assert error.endswith("download the file and give its path")


def test_a_repository_in_a_directory_named_like_an_rpm_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "tests" / "data" / "repo", tmp_path / "odd.rpm")
    with LocalServer(tmp_path) as server:
        code = main(
            ["scan", server.url("/odd.rpm"), "--no-cache", "-q", "--format", "json", "--fail-on", "none"]
        )
    assert code == ExitCode.PASSED
    assert errors(capsys) == []
