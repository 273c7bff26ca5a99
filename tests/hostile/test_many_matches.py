"""Answers listed n x n from n entries of metadata (hand-written: the metadata is the attack).

Distinct requirements naming the same many providers keep each answer whole: n packages each
naming a range of their own over n versions of one name (``benchmarks/generators/ranges.py``:
10,000 of each kind took 2.4 GB and 23 s from 5.7 MB), n rich requirements ``(common or
other-K)`` of the providers of ``common`` (4,000 over 20,000: 730 MB and 23 s from 3.3 MB).
And n differing copies of one source package, none nearer its n binaries than another, make
each binary carry every copy's evidence (1,000: an 800 MB report in 24 s from 0.7 MB). Past
their bounds the run is refused with one line naming the input (exit 3), never a traceback,
an exhausted machine or an answer cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.deps import provides
from auditor.origin import classify
from benchmarks.generators import ranges
from benchmarks.generators.rpmmd import Entry, Fragments, write_repository

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
    monkeypatch.setattr(provides, "MAX_MATCHED", 1000, raising=False)
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


def copies(directory: Path, count: int) -> Path:
    """``count`` differing copies of ``s-1.0-1.src.rpm`` (each of its own vendor) and as many
    binaries built from it, in one repository: none of the copies is nearer a binary than another."""
    packages = []
    for k in range(count):
        source = ranges._package("s", "1")
        text = source.primary.replace("<arch>noarch</arch>", "<arch>src</arch>")
        text = text.replace("<rpm:vendor>ranges</rpm:vendor>", f"<rpm:vendor>vendor {k}</rpm:vendor>")
        text = text.replace("<rpm:sourcerpm>s-1.0-1.src.rpm</rpm:sourcerpm>", "<rpm:sourcerpm/>")
        text = text.replace('href="Packages/', f'href="Packages/{k}/')
        text = text.replace('pkgid="YES">', f'pkgid="YES">{k:08d}', 1)  # another file: another checksum
        packages.append(Fragments(text, source.filelists, source.other))
    for k in range(count):
        binary = ranges._package(f"b-{k}", "1")
        text = binary.primary.replace(f"<rpm:sourcerpm>b-{k}-1.0-1.src.rpm", "<rpm:sourcerpm>s-1.0-1.src.rpm")
        packages.append(Fragments(text, binary.filelists, binary.other))
    write_repository(str(directory), iter(packages), len(packages))
    return directory


def test_copies_of_a_source_package_no_binary_can_tell_apart_past_the_bound_refuse_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = copies(tmp_path / "repo", 12)
    code, err = scan(repository, capsys)
    assert code == 0 and "differing copies" not in err  # each binary judged by the 12
    monkeypatch.setattr(classify, "MAX_UNTOLD_COPIES", 10, raising=False)
    code, err = scan(repository, capsys)
    assert code == 3
    assert f"auditor: error: {repository}: 12 differing copies of s-1.0-1.src.rpm are equally near" in err
