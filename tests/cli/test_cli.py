"""The command line end to end: exit codes, formats, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from auditor.cli.commands import COMMANDS
from auditor.cli.main import build_parser, main
from tests.conftest import DATA, RPMS, errors_of, only_incompleteness
from tests.paths import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_findings_exit_1_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scan", str(RPMS)], capsys)
    assert code == 1
    assert "xs-sources-devel-1.0-1.noarch" in out and "origin" in out
    assert "packages audited" in out
    assert only_incompleteness(err) and "unexpanded-source" in err


def test_fail_on_none_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["scan", str(RPMS), "--fail-on", "none"], capsys)
    assert code == 0


def test_json_report_follows_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(RPMS), "--format", "json"], capsys)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 1 == document["summary"]["exit_code"]
    statuses = {p["nevra"]: p["status"] for p in document["packages"]}
    assert statuses["xs-sources-devel-1.0-1.noarch"] == "origin"
    assert statuses["epochs-3:1.2-4.noarch"] == "unresolved"


def test_json_report_of_a_source_repository_found_beside_follows_its_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`scan REPO` finds `srpms/` beside the example's repository and lists it among the inputs
    as a `source-repository`: the schema refused that kind, so the report of the shipped
    example's repository given alone, as `scan REPO` is run, did not validate."""
    example = ROOT / "examples" / "xcp-ng-mini"
    code, out, _ = run(["scan", str(example / "repo"), "--format", "json", "--no-cache"], capsys)
    document = json.loads(out)
    assert code == 1 == document["summary"]["exit_code"]
    kinds = {item["path"]: item["kind"] for item in document["inputs"]}
    assert kinds[str(example / "srpms")] == "source-repository"
    jsonschema.validate(document, SCHEMA)


def test_model_format_has_the_whole_model(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        ["scan", str(RPMS / "filedeps-1.0-1.noarch.rpm"), "--format", "model", "--fail-on", "none"], capsys
    )
    package = json.loads(out)["packages"][0]
    assert package["files"] and package["requires"] and package["provides"]
    assert {"name": "/bin/sh"} in package["requires"]


def test_bad_input_is_one_line_exit_3_and_others_still_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.rpm"
    broken.write_bytes((RPMS / "epochs-1.2-4.noarch.rpm").read_bytes()[:300])
    for fmt in ("table", "json"):
        code, out, err = run(
            ["scan", str(broken), str(RPMS / "xs-sources-devel-1.0-1.noarch.rpm"), "--format", fmt], capsys
        )
        assert code == 3
        assert "xs-sources-devel" in out
        lines = errors_of(err)
        assert len(lines) == 1 and str(broken) in lines[0] and "Traceback" not in err


def test_missing_path_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["scan", "/nonexistent/repo"], capsys)
    assert code == 3 and "/nonexistent/repo" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan", str(RPMS), "--format", "nope"], capsys)[0] == 2
    assert run(["scan"], capsys)[0] == 2
    assert run(["scan", str(RPMS), "--fail-on", "bogus"], capsys)[0] == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rule]]\nid = 'x'\n")
    code, _, err = run(["scan", str(RPMS), "--policy", str(bad)], capsys)
    assert code == 2 and str(bad) in err and len(err.strip().splitlines()) == 1


def test_output_file_is_written_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    code, out, _ = run(["scan", str(RPMS), "--format", "json", "-o", str(target)], capsys)
    assert code == 1 and out == ""
    json.loads(target.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_why_explains_a_chain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["why", "xs-sources", str(RPMS)], capsys)
    assert code == 1
    assert "xs-sources-1.0-1.noarch: origin" in out and "code.citrite.net" in out
    code, _, err = run(["why", "no-such-package", str(RPMS)], capsys)
    assert code == 2 and "no-such-package" in err


def test_why_a_name_not_found_while_an_input_was_unreadable_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The package may be in the input that could not be read: exit 3 (the run could not see
    everything), never 2, which says the name on the command line is wrong."""
    broken = tmp_path / "single-deps-1.0-1.noarch.rpm"
    broken.write_bytes(b"junk")
    code, _, err = run(["why", "single-deps", str(RPMS / "epochs-1.2-4.noarch.rpm"), str(broken)], capsys)
    assert code == 3, err
    assert f"{broken}: truncated RPM" in err
    assert "'single-deps': no audited package of that name, and 1 input(s) could not be read" in err


def test_why_a_name_not_found_in_an_audit_of_nothing_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An audit of nothing always fails (exit 3): a name not found in it says so, and the input
    that held nothing is named, never silent; a wrong name beside an empty input is still
    exit 2, with the empty input said."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["why", "single-deps", str(empty)], capsys)
    assert code == 3, err
    assert f"{empty}: holds no RPM, spec file or repository" in err
    assert "'single-deps': no audited package of that name: no package was audited" in err
    code, _, err = run(["why", "no-such-package", str(RPMS / "epochs-1.2-4.noarch.rpm"), str(empty)], capsys)
    assert code == 2, err
    assert f"{empty}: holds no RPM, spec file or repository" in err


def test_why_says_why_the_run_fails_when_the_package_explained_does_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`why` exits with the run's code: a clean package explained beside a stale waiver that
    blocks, or beside another package's finding, says why the run fails (it said nothing)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "gone"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
        '[[waiver]]\npackage = "xs-sources"\nreason = "r"\nowner = "o"\nexpires = 2001-01-01\n'
    )
    clean = [str(RPMS / "payload-xz-1.0-1.noarch.rpm"), str(RPMS / "payload-xz-1.0-1.src.rpm")]
    args = ["why", "payload-xz", *clean, "--waivers", str(waivers)]
    code, out, err = run([*args, "--stale-waivers", "block"], capsys)
    assert code == 1 and "payload-xz-1.0-1.noarch: clean" in out
    assert "stale waiver gone#0 (gone): matches nothing (blocking)" in err
    assert "the run exits 1: stale waivers block" in err
    code, _, err = run(args, capsys)
    assert code == 0 and "the run exits" not in err
    code, _, err = run(["why", "payload-xz", str(RPMS), "--waivers", str(waivers)], capsys)
    assert code == 1 and "the run exits 1: " in err
    assert "expired waiver xs-sources#1 (xs-sources, expired 2001-01-01): no longer waives" in err


def test_internal_errors_exit_4_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import auditor.engine

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(auditor.engine.Run, "audit_paths", boom)
    code, _, err = run(["scan", str(RPMS)], capsys)
    assert code == 4 and "kaput" in err and "Traceback" not in err
    code, _, err = run(["scan", str(RPMS), "--debug"], capsys)
    assert code == 4 and "Traceback" in err


def test_python_dash_m_and_help_document_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "--help"], capture_output=True, text=True, check=True
    )
    for line in (
        "0  passed",
        "1  blocking findings",
        "2  usage",
        "3  the audit is incomplete",
        "4  internal error",
    ):
        assert line in result.stdout


def test_with_context_is_used_but_not_audited(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(DATA / "repo" / "Packages" / "filedeps-1.0-1.noarch.rpm"), "--with", str(DATA / "repo"),
                        "--format", "json", "--fail-on", "none"], capsys)  # fmt: skip
    document = json.loads(out)
    assert [p["name"] for p in document["packages"]] == ["filedeps"]
    assert code == 0


def test_the_command_flushes_its_report_before_its_quick_exit() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(ROOT / "examples" / "xcp-ng-mini" / "repo"),
            "--format",
            "json",
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["summary"] and len(document["packages"]) > 10


SMALLEST = {"scan": ["x"], "why": ["n", "x"], "check": ["x", "--against", "y"], "baseline": ["x"],
            "plan": ["x"], "diff": ["a", "b"]}  # fmt: skip
"""The fewest arguments each command parses."""


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_is_parsed_alone_as_by_the_whole_parser(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run adds only its own command's arguments (`build_parser(only=...)`): its help and
    what it makes of a command line are the whole parser's."""
    helps, parsed = [], []
    for parser in (build_parser(only=name), build_parser()):
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        helps.append(capsys.readouterr().out)
        parsed.append(vars(parser.parse_args([name, *SMALLEST[name]])))
    assert helps[0] == helps[1] and "exit codes" in helps[0]
    assert parsed[0] == parsed[1]


def test_a_url_of_another_scheme_than_http_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    """`file:///srv/repo`, as a baseurl is written, was "no such file or directory" for a
    directory that is there: the error names the path to give instead."""
    url = (RPMS / "single-deps-1.0-1.noarch.rpm").as_uri()
    code, _, err = run(["scan", url, "-q", "--no-cache"], capsys)
    assert code == 3
    assert f"auditor: error: {url}: not read: a file: URL is no input; give the path it names " in err
    assert f"({RPMS / 'single-deps-1.0-1.noarch.rpm'})" in err
    code, _, err = run(["scan", "ftp://mirror.example/repo/", "-q", "--no-cache"], capsys)
    assert code == 3
    assert "ftp://mirror.example/repo/: not read: only http and https URLs are read, and paths" in err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["scan"],
        ["scan", "x", "--format", "nope"],
        ["scan", "x", "--timeout", "soon"],
        ["check", "x"],
        ["diff", "a", "b", "c"],
    ],
)
def test_a_usage_error_is_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """argparse printed its usage first, 21 lines for `scan`, and the error after them."""
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and " error: " in err and "--help`)" in err, err
