"""Hostile text in a package or a file name reaches no terminal or CI log as anything but text.

The package is built by rpmbuild (its Lua puts the characters no spec line can hold into the
header), so its values are what rpm itself writes. What the auditor prints for people (the
table, ``why``, the Markdown summary, the error lines) may be read in a CI job's log: Azure
Pipelines' agent runs a ``##vso[`` command found anywhere in a line, GitHub's runner a
``::command::`` at a line's start once blanks are trimmed; a bidirectional override reorders
what the reader sees, a zero width space hides a difference between two names.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.cli.main import main
from benchmarks.generators.rpmmd import write_repository
from tests.conftest import RPMS
from tests.reports.test_graph_size import _fragments

AZURE = "##vso[task.setvariable variable=GATE]passed"
GITHUB = "::error::forged"
SPEC = """\
%global rlo %{lua: print(utf8.char(0x202E))}
%global zwsp %{lua: print(utf8.char(0x200B))}
Name: ci-text
Version: 1.0
Release: 1
Summary: s
License: MIT
Vendor: Citrix Systems AZURE GITHUB %{rlo}exe.txt x%{zwsp}y
BuildArch: noarch
%description
d
%files
""".replace("AZURE", AZURE).replace("GITHUB", GITHUB)

READER_HOSTILE = re.compile("[\u202e\u200b]")


@pytest.fixture(scope="module")
def hostile_rpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    top = tmp_path_factory.mktemp("ci-text")
    spec = top / "ci-text.spec"
    spec.write_text(SPEC)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    (rpm,) = (top / "RPMS" / "noarch").glob("*.rpm")
    vendor = subprocess.run(["rpm", "-qp", "--qf", "%{VENDOR}", str(rpm)], capture_output=True, text=True)
    assert AZURE in vendor.stdout and "\u202e" in vendor.stdout  # rpm keeps them as written
    return rpm


def commands_in_log(text: str) -> list[str]:
    """The lines a CI runner would run as commands."""
    return [
        line for line in text.splitlines() if "##vso[" in line.lower() or line.lstrip().startswith("::")
    ] + [line for line in text.splitlines() if READER_HOSTILE.search(line)]


def words_in_log(text: str) -> list[str]:
    """Every blank-separated word, as a wrapped table line could start with any of them."""
    return [word for word in text.split() if word.startswith("::")]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--format", "table"],
        ["scan", "--format", "markdown"],
        ["scan", "--format", "inventory"],
        ["why", "ci-text"],
    ],
    ids=["table", "markdown", "inventory", "why"],
)
def test_package_text_runs_no_ci_command(
    args: list[str], hostile_rpm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*args, str(hostile_rpm)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "Citrix Systems" in out  # the value is shown, made inert
    assert commands_in_log(out + err) == [] and words_in_log(out + err) == []


def test_a_file_name_runs_no_ci_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(RPMS / "single-deps-1.0-1.noarch.rpm", tree)
    (tree / f"{AZURE} {GITHUB} \u202eexe.rpm").write_bytes(b"")
    code = main(["scan", str(tree), "-q"])
    _, err = capsys.readouterr()
    assert code == 3
    (line,) = [line for line in err.splitlines() if line.startswith("auditor: error: ")]
    assert line == (
        f"auditor: error: {tree}/#\\x23vso[task.setvariable variable=GATE]passed \\x3a:error::forged "
        "\\u202eexe.rpm: empty file, not an RPM"
    )


MACHINE_FORMATS = ["json", "model", "sarif", "cyclonedx", "spdx", "junit", "graphml", "html", "dot"]


def run_commands_in(text: str) -> list[str]:
    """The lines of a machine report a CI runner would run: a ``##vso[`` or ``##[`` anywhere
    (any case), a ``::`` opening the line once white space is trimmed. The runners read lines
    with .NET's ``ReadLine`` (a carriage return ends one) and GitHub's trims them with
    ``TrimStart`` (a no-break space is white space to it; Python's ``\\s`` holds .NET's)."""
    return [
        line
        for line in re.split("\r\n|\r|\n", text)
        if re.search(r"##vso\[|##\[", line, re.IGNORECASE) or re.match(r"\s*::", line)
    ]


def values_read_back(fmt: str, text: str) -> str:
    """Every value of a machine report as its format's reader gives it."""
    if fmt in ("junit", "graphml"):
        root = ET.fromstring(text)
        return "\n".join(
            [*root.itertext(), *(value for element in root.iter() for value in element.attrib.values())]
        )
    if fmt == "html":
        return html.unescape(text)
    if fmt == "dot":
        return text.replace("&#35;", "#")  # as Graphviz draws a label
    return "\n".join(_strings(json.loads(text)))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


@pytest.mark.parametrize("fmt", MACHINE_FORMATS)
def test_a_machine_report_keeps_the_value_and_runs_no_ci_command(
    fmt: str, hostile_rpm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report for machines keeps the Vendor exactly as rpm wrote it (its readers decode the
    escapes back), and printed to a CI log, sets no variable: ``##vso[`` is the one command
    Azure Pipelines' agent finds anywhere in a line."""
    code = main(["scan", "--format", fmt, "--no-cache", str(hostile_rpm)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert run_commands_in(out) == []
    if fmt != "dot":  # a graph draws a package's name and chain, not its Vendor
        assert f"Citrix Systems {AZURE} {GITHUB}" in values_read_back(fmt, out)


def scan_beside_an_empty_file(
    name: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Scan a directory holding an RPM and an empty file called ``name`` (an input error every
    report names): the exit code and the report."""
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(RPMS / "single-deps-1.0-1.noarch.rpm", tree)
    (tree / name).write_bytes(b"")
    code = main(["scan", "--format", fmt, "--no-cache", str(tree), "-q"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["junit", "json"])
def test_a_file_name_starting_a_line_runs_no_ci_command(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name holding a line break and ``::error::`` is an input error every report
    names: in XML its text keeps the break, and the ``:`` after it is a character reference."""
    name = f"bad\n{GITHUB}\n {AZURE}.rpm"
    code, out = scan_beside_an_empty_file(name, fmt, tmp_path, capsys)
    assert code == 3
    assert run_commands_in(out) == []
    assert name in values_read_back(fmt, out)


@pytest.mark.parametrize("fmt", ["junit", "html"])
@pytest.mark.parametrize(
    "start", ["\r", "\n\u00a0", "\n\u3000", "\n\u2028"], ids=["cr", "nbsp", "ideographic", "ls"]
)
def test_a_line_started_the_runners_way_runs_no_ci_command(
    fmt: str, start: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A carriage return ends a line of the runner's log, and GitHub's runner trims any white
    space .NET knows before ``::``: the markup keeps the name (``&#13;`` reads back a carriage
    return, which XML would otherwise read as a line feed) and runs nothing."""
    name = f"bad{start}{GITHUB}.rpm"
    code, out = scan_beside_an_empty_file(name, fmt, tmp_path, capsys)
    assert code == 3
    assert run_commands_in(out) == []
    assert name in values_read_back(fmt, out)


def test_a_package_name_from_repository_metadata_runs_no_ci_command_in_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild allows no ``#`` or line break in a Name, but repository metadata holds what it
    is given: the Markdown summary's ``<details>`` names each blocking package in HTML, where
    the name is made inert as the code spans beside it are."""
    names = [f"x{AZURE}", f"nl\n{GITHUB}", f"wide\n\u3000{GITHUB}"]
    write_repository(
        str(tmp_path), [_fragments(name, [], "Citrix Systems, Inc.") for name in names], len(names)
    )
    code = main(["scan", "--format", "markdown", "--no-cache", str(tmp_path), "-q"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert run_commands_in(out) == []
    assert html.unescape(f"<code>x{AZURE}-1.0-1.noarch</code>") in html.unescape(out)


@pytest.mark.parametrize("command", ["check", "plan"])
def test_the_json_of_check_and_plan_runs_no_ci_command(
    command: str, hostile_rpm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [command, str(hostile_rpm), "--format", "json", "--no-cache", "-q"]
    if command == "check":
        args[2:2] = ["--against", str(RPMS / "epochs-1.2-4.noarch.rpm")]
    main(args)
    out, err = capsys.readouterr()
    assert run_commands_in(out) == [], err
    if command == "check":  # a plan names packages, not their Vendor
        assert AZURE in values_read_back("json", out)


def test_a_package_name_from_repository_metadata_reaches_markdown_without_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """XML 1.0 carries C1 controls and bidirectional overrides, so repository metadata can name a
    package with them: U+009B is a terminal's CSI (``\\x9b2J`` clears the screen of a log read on
    one), U+202E reverses what follows. The Markdown summary, read in pull requests and printed in
    CI logs, shows neither, in its code spans nor in the ``<details>`` of each blocking package."""
    names = ["csi\x9b2J\x9b31mx", "bidi\u202ecod.exe"]
    write_repository(
        str(tmp_path), [_fragments(name, [], "Citrix Systems, Inc.") for name in names], len(names)
    )
    code = main(["scan", "--format", "markdown", "--no-cache", str(tmp_path), "-q"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert re.findall("[\x80-\x9f\u202e]", out) == []
    assert "<summary><code>csi\ufffd2J\ufffd31mx-1.0-1.noarch</code>" in out
    assert "<summary><code>bidi\ufffdcod.exe-1.0-1.noarch</code>" in out
