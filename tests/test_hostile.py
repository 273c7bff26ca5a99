"""Hostile and broken inputs: one clear line each, nothing lost, nothing executed.

The corpus comes from `tests/hostile/make_corpus.py` (derived from the real fixtures);
each case is run through the command line beside one good package, which must still be
reported. Inputs git cannot hold (a symlink loop, an unreadable file, a named pipe) are
made here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from tests.conftest import RPMS
from tests.hostile import make_corpus
from tests.hostile.make_corpus import ERROR, FINDING, READ, Case

ROOT = Path(__file__).resolve().parent.parent
GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"
GOOD_NEVRA = "single-deps-1.0-1.noarch"
METADATA_LIMIT = 8 * 1024 * 1024
"""AUDITOR_MAX_METADATA_BYTES for the corpus runs: below the bombs' 24 MiB."""

CASES = make_corpus.read_cases()

# Cases this corpus found to fail, each removed by the commit that fixes it.
KNOWN_BUGS = {
    "payload-not-gzip.src.rpm": "a payload that never ends is read as 'spec missing', silently",
    "payload-bomb-name.src.rpm": "a cpio name size is believed: the payload is gathered in memory",
    "repo-not-gzip": "a truncated compressed stream is not reported as such",
    "repo-missing-attributes": "a package without a version and an entry without a name are accepted",
    "repo-gzip-bomb": "AUDITOR_MAX_METADATA_BYTES is read once, at import",
    "repo-xz-bomb": "AUDITOR_MAX_METADATA_BYTES is read once, at import",
    "repo-bz2-bomb": "AUDITOR_MAX_METADATA_BYTES is read once, at import",
}


def _cases(cases: list[Case]) -> list[object]:
    return [
        pytest.param(case, id=case.name, marks=[pytest.mark.xfail(reason=KNOWN_BUGS[case.name])])
        if case.name in KNOWN_BUGS
        else pytest.param(case, id=case.name)
        for case in cases
    ]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "corpus"
    make_corpus.generate(out)
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def reported(out: str, fmt: str) -> set[str]:
    """NEVRAs of the audited packages a report lists."""
    if fmt == "json":
        return {package["nevra"] for package in json.loads(out)["packages"]}
    return {word for line in out.splitlines() for word in line.split()[:1]}


def test_committed_corpus_is_what_the_script_makes(corpus: Path) -> None:
    committed = make_corpus.CORPUS
    made = {p.relative_to(corpus): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    kept = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    assert sorted(kept) == sorted(made), "run tests/hostile/make_corpus.py to regenerate tests/hostile/corpus"
    assert [name for name in made if made[name] != kept[name]] == []
    assert sum(len(data) for data in kept.values()) < 300_000


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("case", _cases(CASES))
def test_hostile_input(
    case: Case, fmt: str, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITOR_MAX_METADATA_BYTES", str(METADATA_LIMIT))
    bad = str(corpus / case.name)
    code, out, err = run(["scan", bad, str(GOOD), "--format", fmt], capsys)
    assert "Traceback" not in err and "internal error" not in err
    assert GOOD_NEVRA in reported(out, fmt), "the good package beside the bad input must still be reported"
    lines = err.splitlines()
    if case.outcome == ERROR:
        assert code == 3, err
        assert lines and all(line.startswith("auditor: error: ") for line in lines), err
        mine = [line for line in lines if bad in line]
        assert len(mine) == len(lines) == 1, err
        assert case.expect in mine[0], err
    else:
        assert code in (0, 1), err
        assert err == ""
        if case.outcome == FINDING:  # the json report carries the detail, the table the status
            assert case.expect in out if fmt == "json" else "unresolved" in out


@pytest.mark.parametrize("case", _cases([case for case in CASES if case.outcome == READ]))
def test_accepted_input_keeps_its_content(
    case: Case, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["scan", str(corpus / case.name), "--format", "model", "--fail-on", "none"], capsys)
    assert (code, err) == (0, "")
    assert case.expect in out


@pytest.mark.parametrize("fmt", ["inventory", "model"])
def test_other_formats_still_report_the_good_input(
    fmt: str, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["scan", str(corpus / "truncated-header.rpm"), str(GOOD), "--format", fmt], capsys)
    assert code == 3 and len(err.splitlines()) == 1
    assert "single-deps" in out
