"""Distinct requirements naming the same many providers: each answer is kept whole, so n of them
over n packages hold n x n. Two hostile shapes, both from hand-written metadata (the metadata is
the attack): n packages each naming a range of their own over n versions of one name
(``benchmarks/generators/ranges.py``: 10,000 of each kind took 2.4 GB and 23 s from 5.7 MB), and
n rich requirements ``(common or other-K)`` of the packages providing ``common`` (4,000 over
20,000: 730 MB and 23 s from 3.3 MB). Past `MAX_MATCHED` the run is refused with one line naming
the input (exit 3), never a traceback, an exhausted machine or an answer cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.deps import provides
from benchmarks.generators import ranges
from benchmarks.generators.rpmmd import Entry, write_repository

VERSIONS = 40
"""Versions of ``x``, and packages of each kind naming a range of them: 2,380 matched in all."""


@pytest.fixture(scope="module")
def ranged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranges")
    ranges.write(str(path), VERSIONS)
    return path


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 versions of ``common``, and 40 packages each requiring ``(common or other-K)``: 1,200."""
    path = tmp_path_factory.mktemp("rich")
    packages = [ranges._package("common", str(k)) for k in range(1, 31)]
    packages += [
        ranges._package(f"r-{k}", "1", "requires", Entry(f"(common or other-{k})")) for k in range(40)
    ]
    write_repository(str(path), iter(packages), len(packages))
    return path


def scan(repository: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", str(repository), "--no-cache", "--metadata-only", "--format", "json", "-q"])
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, err


@pytest.mark.parametrize(("shape", "name"), [("ranged", "x"), ("rich", "common")])
def test_matches_past_the_bound_refuse_the_run_naming_the_input(
    shape: str,
    name: str,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repository = request.getfixturevalue(shape)
    monkeypatch.setattr(provides, "MAX_MATCHED", 1000)
    code, err = scan(repository, capsys)
    assert code == 3
    said = f"auditor: error: {repository}: the dependencies of the run match more than 1000 packages in all"
    assert said in err and f"the last on {name} " in err


@pytest.mark.parametrize("shape", ["ranged", "rich"])
def test_matches_under_the_bound_are_audited(
    shape: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = scan(request.getfixturevalue(shape), capsys)
    assert code in (0, 1) and "match more than" not in err
