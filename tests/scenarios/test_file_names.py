"""Trees and file names as people have them: a directory seen through two names is read once
without an error, and a file name that is not UTF-8 reaches every format (its byte as ``\\xff``)
without losing the report of the good packages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.reports.render import FORMATS
from tests.conftest import RPMS, errors_of
from tests.paths import ROOT

GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"
GOOD_NEVRA = "single-deps-1.0-1.noarch"
OTHER = RPMS / "epochs-1.2-4.noarch.rpm"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_directory_seen_through_a_sibling_symlink_is_read_once_without_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "tree"
    (tree / "8.2").mkdir(parents=True)
    shutil.copy(GOOD, tree / "8.2" / GOOD.name)
    (tree / "latest").symlink_to("8.2")  # `latest -> 8.2`: one directory, two names
    code, out, err = run(["scan", str(tree), "--format", "json"], capsys)
    assert code != 3 and "auditor: error" not in err
    assert f"auditor: warning: {tree}/latest: already scanned as {tree}/8.2; not read twice" in err
    assert [p["nevra"] for p in json.loads(out)["packages"]] == [GOOD_NEVRA]


def test_a_directory_loop_is_still_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    shutil.copy(GOOD, tree / GOOD.name)
    (tree / "sub" / "up").symlink_to("..")
    code, _, err = run(["scan", str(tree), "--format", "json"], capsys)
    assert code == 3
    assert errors_of(err) == [f"auditor: error: {tree}/sub/up: symlink loop: directory already scanned"]


@pytest.fixture
def badly_named(tmp_path: Path) -> str:
    """The good RPM under a name with the byte 0xff, which is not UTF-8, as argv gives it."""
    directory = os.fsencode(tmp_path)
    path = os.path.join(directory, b"good\xff.rpm")
    shutil.copy(os.fsencode(GOOD), path)
    return os.fsdecode(path)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_file_name_that_is_not_utf8_reaches_every_format(
    fmt: str, badly_named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / f"report.{fmt}"
    code, _, err = run(["scan", badly_named, str(OTHER), "--format", fmt, "-o", str(report)], capsys)
    assert code == 1 and "error" not in err
    text = report.read_bytes().decode("utf-8")  # strict: the whole report is UTF-8
    if fmt in ("json", "model", "sarif", "html"):  # the formats that name package files
        # The page's text, a JSON string (its backslash escaped), SARIF's URI (percent-encoded)
        named = set(re.findall(r"good[^\s<\"]*\.rpm", text))
        assert named & {"good\\xff.rpm", "good\\\\xff.rpm", "good%FF.rpm"}
    if fmt in ("json", "model"):
        assert {p["nevra"] for p in json.loads(text)["packages"]} >= {GOOD_NEVRA}


def test_a_file_name_that_is_not_utf8_under_the_working_directory_is_a_relative_sarif_uri(
    badly_named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Code scanning wants paths under the checkout relative to it: the URI is made another way
    # there than for a path elsewhere (file:), and must not fail on the name's byte either.
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["scan", os.path.basename(badly_named), str(OTHER), "--format", "sarif"], capsys)
    assert code == 1 and "error" not in err
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(out)["runs"][0]["results"]
        for location in result["locations"]
    }
    assert "good%FF.rpm" in uris


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--format", "json"],
        ["scan", "--format", "table"],
        ["plan", "--format", "json"],
        ["check", "--format", "json", "--against", str(OTHER)],
        ["diff", str(OTHER), "--format", "json"],
    ],
    ids=["scan-json", "scan-table", "plan-json", "check-json", "diff-json"],
)
def test_a_file_name_that_is_not_utf8_on_standard_output(command: list[str], badly_named: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", *command[:1], badly_named, *command[1:], "-q", "--no-cache"],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 1) and b"error" not in done.stderr, done.stderr
    text = done.stdout.decode("utf-8")
    if "json" in command:
        json.loads(text)
    assert command[0] == "plan" or "single-deps" in text  # a plan names only what to replace


SPEC = """Name: oddly-named
Version: 1
Release: 1
Summary: a package whose spec file's name is not UTF-8
License: MIT
URL: https://updates.xenserver.com/oddly-named
Source0: https://updates.xenserver.com/oddly-named-1.tar.gz
%description
The file's name is in the facts' subjects: their fingerprints must hash it.
"""


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_spec_file_whose_name_is_not_utf8_reaches_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec file's name is in the text of its gaps, hence in their fingerprints: a name with
    a byte that is not UTF-8 made the fingerprint's hash fail, exit 4 in json and sarif, and
    no report at all. The Citrix Source must still block, with the same fingerprints in every run."""
    tree = tmp_path / "tree"
    tree.mkdir()
    spec = os.path.join(os.fsencode(tree), b"oddly\xff.spec")
    with open(spec, "w", encoding="utf-8") as stream:
        stream.write(SPEC)
    fingerprints = []
    for _ in range(2):
        report = tmp_path / f"report.{fmt}"
        code, _, err = run(["scan", str(tree), "--format", fmt, "-o", str(report)], capsys)
        assert code == 1 and "internal error" not in err
        text = report.read_bytes().decode("utf-8")
        if fmt == "json":
            packages = json.loads(text)["packages"]
            assert "origin" in {package["status"] for package in packages}
            fingerprints.append(sorted(fact["fingerprint"] for p in packages for fact in p["facts"]))
    assert fingerprints[:1] == fingerprints[1:]


def test_an_escape_sequence_in_the_name_of_an_empty_base_does_not_reach_checks_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --strict, what BASE could not see is named in the table's headline: a directory
    named with a terminal title sequence reached the terminal raw (every cell was made safe)."""
    empty = tmp_path / "e\x1b]0;pwned\x07"
    empty.mkdir()
    code, out, _ = run(["check", str(GOOD), "--against", str(OTHER), str(empty), "--strict"], capsys)
    assert code == 3
    headline = out.splitlines()[0]
    assert "BASE was not read whole" in headline and "e\ufffd: holds no RPM" in headline
    assert "\x1b" not in out and "\x07" not in out
