"""A reader that stops early (``| head``) never changes the run's exit code (review 8b, finding 4).

CI scripts run ``set -o pipefail``: a blocking audit piped into ``head`` exited 0, which the
pipeline took for a pass. The commands run as the console runs them, with real pipes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"


def _run_into_closed_pipe(args: list[str], *, with_stderr: bool) -> int:
    """Run the auditor with its standard output (and error) into a pipe closed after 10 bytes."""
    command = [sys.executable, "-m", "auditor", *args]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if with_stderr else subprocess.DEVNULL,
        env=environment,
    )
    assert process.stdout is not None
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away, as `head -c 10` does
    return process.wait(timeout=120)


@pytest.mark.parametrize("output_format", ["json", "table", "sarif", "cyclonedx"])
@pytest.mark.parametrize("with_stderr", [False, True], ids=["stdout", "stdout and stderr"])
def test_a_blocking_audit_read_by_a_reader_that_stops_early_still_exits_1(
    output_format: str, with_stderr: bool, tmp_path: Path
) -> None:
    code = _run_into_closed_pipe(
        ["scan", str(EXAMPLE), "--format", output_format, "--cache-dir", str(tmp_path / "cache")],
        with_stderr=with_stderr,
    )
    assert code == 1


def test_the_report_a_broken_pipe_cut_short_is_stored_whole(tmp_path: Path) -> None:
    """The report is recorded for the replay as it is written: the run that met the broken pipe
    renders the rest into nothing, so the next run replays the whole report."""
    cache = str(tmp_path / "cache")
    args = ["scan", str(EXAMPLE), "--format", "json", "--cache-dir", cache]
    assert _run_into_closed_pipe(args, with_stderr=False) == 1
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    replayed = subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, env=environment, check=False
    )
    fresh = subprocess.run(
        [sys.executable, "-m", "auditor", *args[:-2], "--no-cache"],
        capture_output=True,
        env=environment,
        check=False,
    )
    assert replayed.returncode == fresh.returncode == 1
    assert replayed.stdout == fresh.stdout


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_standard_stream_closed_before_the_run_leaves_the_exit_code_alone(closed: str) -> None:
    """``2>&-`` ended with exit 120 and no report, ``>&-`` with a traceback (review 9b): a
    stream closed at start is the null device, and the run ends with its own code."""
    command = [sys.executable, "-m", "auditor", "scan", str(EXAMPLE), "--no-cache"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    descriptor = 1 if closed == "stdout" else 2

    def close() -> None:
        os.close(descriptor)

    run = subprocess.run(command, env=environment, check=False, preexec_fn=close, capture_output=True)
    assert run.returncode == 1
    other = run.stderr if closed == "stdout" else run.stdout
    assert b"Traceback" not in other and b"internal error" not in other
