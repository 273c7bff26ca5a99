"""A stored report is keyed on what its run read, never on a later look at the files.

Each race is hit deterministically: the function at the point of the window is wrapped to
change a file right there, as a slow disk or a busy machine would let happen.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from auditor.cli import inputlook, replay
from auditor.cli.main import main
from auditor.runtime.store import DATABASE
from auditor.sources import inputpaths
from tests.conftest import DATA, RPMS

FLAGGING = (
    '[[rule]]\nid = "fixtures"\nkind = "field"\nseverity = "high"\nmessage = "m"\n'
    'fields = ["buildhost"]\ndomains = ["example.org"]\n'
)
"""A policy rule every fixture RPM matches (they were built on a host of example.org)."""


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def rpms(tmp_path: Path) -> Path:
    target = tmp_path / "rpms"
    target.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", target)
    return target


def test_a_policy_edited_between_its_reading_and_the_key_is_not_the_key_of_the_old_policys_report(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run parsed the policy without the rule; the key hashed the file again, with it: the
    clean report was stored under the new policy's content, and every later run replayed it."""
    policy = tmp_path / "extra.toml"
    policy.write_text("# no rules yet\n")
    args = [str(rpms), "--policy", str(policy), "--format", "json"]
    keyed = replay.report_key

    def edited_before_the_key(*args: object, **kwargs: object) -> str | None:
        policy.write_text(FLAGGING)
        return keyed(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as racing:
        racing.setattr(replay, "report_key", edited_before_the_key)
        raced = scan(args, capsys)
    assert '"rule":"fixtures"' not in raced[1]  # what that run read
    later = scan(args, capsys)
    assert later == scan([*args, "--no-cache"], capsys)
    assert '"rule":"fixtures"' in later[1]
    assert scan(args, capsys) == later  # and the new policy's report is replayed


def test_a_run_that_read_a_configuration_file_without_recording_it_is_never_replayed(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that bypassed the record would leave the key without the bytes it used: no
    key then, rather than one naming a file by a later look."""
    import auditor.core.tomlfile as tomlfile

    policy = tmp_path / "extra.toml"
    policy.write_text(FLAGGING)
    monkeypatch.setattr(tomlfile, "config_read", lambda path, data: None)
    args = [str(rpms), "--policy", str(policy), "--format", "json"]
    first = scan(args, capsys)
    policy.write_text("# no rules now\n")
    assert json.loads(scan(args, capsys)[1])["packages"] != json.loads(first[1])["packages"]


@pytest.mark.parametrize(
    ("layout", "appearing"),
    [
        ("rpms", "rpms/repodata"),  # the directory given becomes a repository without metadata
        ("tree/sub", "tree/sub/repodata"),  # so does one of a walked tree
        ("repo/x86_64", "repo/SRPMS/repodata"),  # a source repository beside the one given
    ],
)
def test_an_empty_repodata_directory_appearing_is_never_answered_from_the_store(
    tmp_path: Path,
    layout: str,
    appearing: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """createrepo_c or a mirror sync about to write it: the readers take a directory holding
    ``repodata/`` for a repository whatever it holds (its missing repomd.xml is an input
    error), while the key held only files, of which an empty directory adds none."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / layout).mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", tmp_path / layout)
    target = layout.split("/")[0] if layout.startswith("tree") else layout
    if layout.startswith("repo"):
        subprocess.run(["createrepo_c", "--quiet", layout], check=True)
    args = [target, "--format", "json", "--fail-on", "none"]
    before = scan(args, capsys)
    assert before[0] == 0, before[2]
    (tmp_path / appearing).mkdir(parents=True)
    after = scan(args, capsys)
    assert after == scan([*args, "--no-cache"], capsys)
    assert after[0] == 3 and "repomd.xml: no such file or directory" in after[2]


def stored_reports() -> int:
    database = Path(os.environ["XDG_CACHE_HOME"]) / "auditor" / DATABASE
    with contextlib.closing(sqlite3.connect(database)) as db:
        count: int = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    return count


def test_a_report_written_inside_the_tree_it_audits_is_replayed(
    rpms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scan . -o report.json``: the report file was an input file of the key, rewritten by
    every run, so no run was ever replayed and each stored one more report."""
    monkeypatch.chdir(rpms)
    args = [".", "--format", "json", "-o", "report.json"]
    first = scan(args, capsys)
    written = (rpms / "report.json").read_text()
    assert scan(args, capsys) == first and stored_reports() == 1
    assert (rpms / "report.json").read_text() == written
    # A report named as the walk reads an input (an RPM file) is refused before the audit: the
    # next run read it as a bad RPM file (exit 3).
    rpm_args = [".", "--format", "json", "-o", "report.rpm"]
    assert scan(rpm_args, capsys)[0] == 2 and not (rpms / "report.rpm").exists()
    assert stored_reports() == 1


def test_a_report_file_is_left_out_of_the_key_only_where_no_reader_takes_it_for_an_input(
    tmp_path: Path,
) -> None:
    (tmp_path / "repodata").mkdir()
    inside = str(tmp_path / "report.json")
    assert inputlook.report_file(inside, [str(tmp_path)]) == inputlook.ReportFile(
        inside, frozenset({"report.json"})
    )
    assert inputlook.report_file(None, [str(tmp_path)]) is None
    assert inputlook.report_file("-", [str(tmp_path)]) is None
    for name in ("report.RPM", "report.spec", "repodata/report.json"):
        assert inputlook.report_file(str(tmp_path / name), [str(tmp_path)]) is None
    assert inputlook.report_file(inside, [inside]) is None  # an input itself


def test_a_repository_whose_repodata_goes_between_the_walk_and_the_key_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tree's walk saw a repository in it; a mirror mid-sync (or a process whose directory
    under /proc it was, ending) took its repodata/ away before the key looked beside it for
    source repositories: an internal error (an assertion) ended the run, and the packages of
    the other inputs went unreported."""
    tree = tmp_path / "tree"
    shutil.copytree(DATA / "repo", tree / "mirror")
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", good)
    beside = inputpaths.source_repositories

    def synced_away(path: str) -> list[str]:
        shutil.rmtree(tree / "mirror" / "repodata", ignore_errors=True)
        return beside(path)

    monkeypatch.setattr(inputlook, "source_repositories", synced_away)
    code, out, err = scan([str(tree), str(good), "--format", "json"], capsys)
    assert "internal error" not in err and code == 3, err
    assert f"auditor: error: {tree}/mirror/repodata: no such file or directory" in err.splitlines()
    assert "epochs-3:1.2-4.noarch" in {package["nevra"] for package in json.loads(out)["packages"]}
