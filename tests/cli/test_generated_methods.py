"""The code of the methods ``dataclasses`` generates is kept as a module's bytecode is
(`auditor.cli.process.keep_generated_methods`): written by a run allowed to write bytecode,
read back by the next, and never the cause of a different report.

Each run is the console's, in a child process, with its bytecode under a ``PYTHONPYCACHEPREFIX``
of the test's own, so that the checkout's ``__pycache__`` is never written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from auditor.cli import process
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"


def _scan(tmp_path: Path, report: str, *, write_bytecode: bool = True) -> int:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
        "PYTHONDONTWRITEBYTECODE": "" if write_bytecode else "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(EXAMPLE), "--format", "json", "-q", "--no-cache",
         "-o", str(tmp_path / report)],
        env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return done.returncode


def _methods_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "pycache").rglob("dataclass-methods.*.bin"))


def test_a_run_writes_the_methods_and_the_next_runs_them_with_the_same_report(tmp_path: Path) -> None:
    first = _scan(tmp_path, "first.json")
    [methods] = _methods_files(tmp_path)
    assert methods.parent.name == "auditor"  # beside the package's own bytecode
    stored = process._read_methods(str(methods))
    assert len(stored) > 100  # every method of the scan's classes, by its source text
    written = methods.stat()

    second = _scan(tmp_path, "second.json")

    # Nothing compiled again, so nothing written again: every text was found.
    assert (methods.stat().st_ino, methods.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert first == second == 1  # the example holds Citrix packages
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()


def test_a_damaged_or_foreign_file_is_compiled_around_and_replaced(tmp_path: Path) -> None:
    _scan(tmp_path, "clean.json")
    [methods] = _methods_files(tmp_path)
    for damage in (
        process._METHODS_FORMAT + b"\xff" * 64,  # not marshal data
        process._METHODS_FORMAT + b"N",  # marshal's None: not a table of code
        b"\x00\x00\r\n" + methods.read_bytes()[4:],  # another interpreter's magic number
        b"",
    ):
        methods.write_bytes(damage)
        assert process._read_methods(str(methods)) == {}
        assert _scan(tmp_path, "damaged.json") == 1
        assert (tmp_path / "damaged.json").read_bytes() == (tmp_path / "clean.json").read_bytes()
        assert len(process._read_methods(str(methods))) > 100  # written again, whole


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path: Path) -> None:
    assert _scan(tmp_path, "report.json", write_bytecode=False) == 1
    assert _methods_files(tmp_path) == []
