"""Hostile text in a package or a file name reaches no terminal or CI log as anything but text.

The package is built by rpmbuild (its Lua puts the characters no spec line can hold into the
header), so its values are what rpm itself writes. What the auditor prints for people (the
table, ``why``, the Markdown summary, the error lines) may be read in a CI job's log: Azure
Pipelines' agent runs a ``##vso[`` command found anywhere in a line, GitHub's runner a
``::command::`` at a line's start once blanks are trimmed; a bidirectional override reorders
what the reader sees, a zero width space hides a difference between two names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS

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
