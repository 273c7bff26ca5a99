"""Every file the auditor reads is opened without blocking and must be a regular file.

``open()`` of a named pipe waits for a writer, forever. Each scenario hands a named pipe
(or a directory) where the auditor expects a file, runs the real command in a child
process (the timeout is a hang guard, not a measurement) and checks the one-line error
and the exit code: 3 for an input, 2 for a policy, project, waiver or baseline file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RPMS, errors_of
from tests.paths import ROOT

GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"
GOOD_NEVRA = "single-deps-1.0-1.noarch"


def auditor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args, "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement
    )


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_named_pipes_as_inputs_are_refused_and_the_good_input_is_still_read(tmp_path: Path) -> None:
    plain = fifo(tmp_path / "input")  # no extension: sniffed as a configuration first
    spec = fifo(tmp_path / "pr.spec")
    repo = fifo(tmp_path / "build.repo")
    repomd = fifo(tmp_path / "repomd.xml")
    child = auditor("scan", str(plain), str(spec), str(repo), str(repomd), str(GOOD))
    assert child.returncode == 3, child.stderr
    assert GOOD_NEVRA in child.stdout
    assert sorted(errors_of(child.stderr)) == sorted(
        [
            f"auditor: error: {plain}: is a named pipe, not an RPM file",
            f"auditor: error: {spec}: is a named pipe, not a spec file",
            f"auditor: error: {repo}: is a named pipe, not a repository configuration",
            f"auditor: error: {repomd}: is a named pipe, not a metadata file",
        ]
    )


@pytest.mark.parametrize(
    ("option", "what"),
    [
        ("--policy", "policy file"),
        ("--provenance", "provenance table"),
        ("--config", "project file"),
        ("--waivers", "waiver file"),
        ("--baseline", "baseline file"),
    ],
)
def test_a_named_pipe_as_a_configuration_file_is_a_usage_error(
    option: str, what: str, tmp_path: Path
) -> None:
    pipe = fifo(tmp_path / "settings")
    child = auditor("scan", str(GOOD), option, str(pipe))
    assert child.returncode == 2, child.stderr
    assert errors_of(child.stderr) == [f"auditor: error: {pipe}: is a named pipe, not a {what}"]
    assert child.stdout == ""


def test_a_named_pipe_as_the_default_baseline_is_refused_not_skipped(tmp_path: Path) -> None:
    fifo(tmp_path / ".auditor-baseline.json")
    child = auditor("scan", str(GOOD), cwd=tmp_path)
    assert child.returncode == 2, child.stderr
    assert errors_of(child.stderr) == [
        "auditor: error: .auditor-baseline.json: is a named pipe, not a baseline file"
    ]


def test_a_directory_as_a_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "policy.toml"
    folder.mkdir()
    child = auditor("scan", str(GOOD), "--policy", str(folder))
    assert child.returncode == 2
    assert errors_of(child.stderr) == [f"auditor: error: {folder}: is a directory, not a policy file"]


def test_a_json_report_that_is_a_named_pipe_is_not_waited_on(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / GOOD.name)
    pipe = fifo(tmp_path / "old.json")
    child = auditor("diff", str(pipe), str(tmp_path / GOOD.name))
    assert child.returncode == 3, child.stderr
    assert "is a named pipe" in child.stderr and "Traceback" not in child.stderr


def test_a_local_mirrorlist_that_is_a_named_pipe_is_an_input_error(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "mirrors.txt")
    config = tmp_path / "local.repo"
    config.write_text(f"[local]\nmirrorlist=file://{pipe}\n")
    child = auditor("scan", str(config))
    assert child.returncode == 3, child.stderr
    [line] = errors_of(child.stderr)
    assert line.startswith(f"auditor: error: {config} [local]: ") and "is a named pipe" in line


@pytest.mark.parametrize("name", ["bcond-citrix.SPEC", "bcond-citrix.Spec"])
def test_a_spec_file_named_in_upper_case_is_read_in_a_directory_and_alone(tmp_path: Path, name: str) -> None:
    """A directory walk takes ``FOO.RPM`` as an RPM: ``FOO.SPEC`` is a spec, never skipped
    silently (a walk that skipped it passed --strict with the spec's Citrix Source unseen)."""
    from auditor.sources.load import load_inputs

    specs = tmp_path / "SPECS"
    specs.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "specs" / "bcond-citrix.spec", specs / name)
    expected = load_inputs([str(ROOT / "tests" / "data" / "specs" / "bcond-citrix.spec")])
    for target in (tmp_path, specs / name):
        loaded = load_inputs([str(target)])
        assert not loaded.errors
        assert [p.sources for p in loaded.packages] == [p.sources for p in expected.packages]
        assert loaded.packages
