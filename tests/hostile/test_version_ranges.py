"""n packages each naming a range of their own over n versions of one name (the hostile shape of
``benchmarks/generators/ranges.py``): every match is listed, n x n / 2 packages, so 10,000 of
each kind took 2.4 GB and 23 s from 5.7 MB of metadata, and 50 MB of it would hold 80,000.
Past `MAX_MATCHED` the run is refused with one line naming the input (exit 3), never a
traceback, an exhausted machine or a match cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.deps import versions
from benchmarks.generators import ranges

VERSIONS = 40
"""Versions of ``x``, and packages of each kind naming a range of them: 2,380 matched in all."""


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranges")
    ranges.write(str(path), VERSIONS)
    return path


def scan(repository: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", str(repository), "--no-cache", "--metadata-only", "--format", "json", "-q"])
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, err


def test_matches_past_the_bound_refuse_the_run_naming_the_input(
    repository: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(versions, "MAX_MATCHED", 1000)
    code, err = scan(repository, capsys)
    assert code == 3
    assert f"auditor: error: {repository}: versioned dependencies on x match more than 1000 packages" in err


def test_matches_under_the_bound_are_audited(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = scan(repository, capsys)
    assert code == 1 and "versioned dependencies" not in err  # r-0 requires x < 1.0-1: unresolved
