"""``-o /dev/stdout`` into a pipe writes the report there, as the shell's ``>`` would.

``/dev/stdout`` is a link to ``/proc/self/fd/1``, and when standard output is a pipe that link
names ``pipe:[N]``, a file no path reaches but the kernel opens. The report file's link was
followed by path, found "dangling", and the run refused with "it is a symlink to a file that
does not exist" (exit 2) and no report: ``auditor scan -o /dev/stdout ... | tee`` in a CI
step. The command runs as the console runs it, into a real pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"


@pytest.mark.parametrize("output", ["/dev/stdout", "/proc/self/fd/1"])
def test_a_report_to_dev_stdout_into_a_pipe_is_the_report_on_standard_output(
    output: str, tmp_path: Path
) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "auditor", "scan", str(EXAMPLE), "--no-cache", "--format", "json"]
    piped = subprocess.run([*command, "-o", output], capture_output=True, env=environment, check=False)
    written = tmp_path / "report.json"
    to_file = subprocess.run(
        [*command, "-o", str(written)], capture_output=True, env=environment, check=False
    )
    assert (piped.returncode, to_file.returncode) == (1, 1), piped.stderr
    assert piped.stdout == written.read_bytes()
