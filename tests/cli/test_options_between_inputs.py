"""Options may come between a command's inputs, as dnf's, rpmlint's and pip's may: `scan REPO
--waivers W OTHER` was a usage error ("unrecognized arguments: OTHER") once an option had
ended the inputs. After ``--`` every word is an input, an input named ``-x.rpm`` too, and an
option taking several values (``--roots``, ``--against``) still takes each word up to the next
option or ``--``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import DATA, RPMS

REPO = str(DATA / "repo")
SRPMS = str(DATA / "srpm-repo")
SINGLE = str(RPMS / "single-deps-1.0-1.noarch.rpm")
FILEDEPS = str(RPMS / "filedeps-1.0-1.noarch.rpm")


@pytest.fixture
def waivers(tmp_path: Path) -> str:
    path = tmp_path / "waivers.toml"
    path.write_text("# no waiver yet\n")
    return str(path)


def report(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main([*args, "-q", "--no-cache"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def inputs(document: dict[str, object]) -> list[str]:
    listed = document["inputs"]
    assert isinstance(listed, list)
    return [entry["path"] for entry in listed]


@pytest.mark.parametrize(
    "between",
    [
        ["--waivers", "WAIVERS"],
        ["--fail-on", "none"],
        ["--metadata-only", "--strict"],
        ["--roots", "single-deps", "--arch", "x86_64"],
    ],
)
def test_scan_reads_the_inputs_after_an_option(
    between: list[str], waivers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    given = [word.replace("WAIVERS", waivers) for word in between]
    code, document = report(["scan", "--format", "json", REPO, *given, SRPMS], capsys)
    assert inputs(document) == [REPO, SRPMS]
    summary = document["summary"]
    assert isinstance(summary, dict) and code == summary["exit_code"]


def test_inputs_after_double_dash_are_inputs_wherever_it_is(
    tmp_path: Path, waivers: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse's own intermixed parsing dropped a ``--`` that came before the first input and
    read ``-x.rpm`` as an unknown option."""
    shutil.copy(SINGLE, tmp_path / "-x.rpm")
    monkeypatch.chdir(tmp_path)
    for args in (
        ["--format", "json", "--", "-x.rpm", REPO],
        [REPO, "--waivers", waivers, "--format", "json", "--", "-x.rpm"],
        ["--format", "json", REPO, "--", "-x.rpm"],
    ):
        _, document = report(["scan", *args], capsys)
        assert sorted(inputs(document)) == sorted([REPO, "-x.rpm"]), args


def test_an_option_of_several_values_ends_at_the_next_option_or_double_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (
        [REPO, "--roots", "single-deps", "filedeps", "--fail-on", "none", SRPMS],
        [REPO, "--roots", "single-deps", "filedeps", "--", SRPMS],
    ):
        _, document = report(["scan", "--format", "json", *args], capsys)
        options = document["options"]
        assert isinstance(options, dict)
        assert options["roots"] == ["single-deps", "filedeps"] and inputs(document) == [REPO, SRPMS]


def test_check_reads_the_change_after_against(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = report(["check", SINGLE, "--against", REPO, "--format", "json", FILEDEPS], capsys)
    new = document["new"]
    assert isinstance(new, list)
    assert sorted(entry["input"] for entry in new) == sorted([SINGLE, FILEDEPS])


def test_why_finds_a_package_of_an_input_after_an_option(
    waivers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["why", "filedeps", SINGLE, "--waivers", waivers, FILEDEPS, "-q", "--no-cache"])
    out = capsys.readouterr().out
    assert code in (0, 1) and "filedeps-1.0-1.noarch" in out


def test_plan_reads_the_inputs_after_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = report(["plan", REPO, "--format", "json", SRPMS], capsys)
    replace = document["replace"]
    assert code == 0 and isinstance(replace, list)
    assert "bcond-citrix" in {entry["source"] for entry in replace}  # srpm-repo's alone


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["scan", REPO, "--bogus", SRPMS], f"auditor scan: error: unrecognized arguments: --bogus {SRPMS} "),
        (["scan", "--fail-on", "none"], "auditor scan: error: the following arguments are required: PATH "),
        (["diff", "a", "--fail-on", "none", "b", "c"], "auditor diff: error: unrecognized arguments: c "),
        (["check", SINGLE, "--format", "json"], "the following arguments are required: --against"),
        (["check", "--against", REPO], "the following arguments are required: NEW"),
        (["scan", REPO, "--arch"], "argument --arch: expected one argument"),
    ],
)
def test_usage_errors_stay_one_line_and_exit_2(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(args)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2 and captured.out == "" and len(lines) == 1, captured.err
    assert says in lines[0]
