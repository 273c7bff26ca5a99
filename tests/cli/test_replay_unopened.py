"""A file the run's first look saw but that it could not open or read is not seen: the run's
report says so (exit 3), and is not stored for a later run to replay.

On a CI runner a file can fail to open for a moment: too many open files (EMFILE) while other
jobs run, or a mirror's sync that swaps a ``repodata`` symlink away and back during the run. The
files are then as the first look saw them, so the report's key held, and the error was stored:
every later run against the same files said "too many open files" (or "no such file") with
exit 3, where a cold run reads them and passes or blocks on what it finds; so did a read that
failed once (EIO). The failure is made here by the kernel, once, through strace's fault
injection (``-e inject=openat:error=...``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, RPMS
from tests.paths import ROOT


def scan(
    target: Path, cache: Path, failing: Path | None = None, call: str = "openat"
) -> tuple[int, str, str]:
    return run(["scan", str(target), "--cache-dir", str(cache), "--format", "json"], failing, call)


def run(args: list[str], failing: Path | None = None, call: str = "openat") -> tuple[int, str, str]:
    """``auditor ARGS`` in a process of its own; the first ``call`` on ``failing`` fails (an
    open with EMFILE, a read with EIO)."""
    command = [sys.executable, "-m", "auditor", *args]
    if failing is not None:
        if shutil.which("strace") is None:  # CI installs it (scripts/test): never a silent skip
            pytest.fail("strace is not installed: run scripts/test, or apt-get install strace")
        error = "EMFILE" if call == "openat" else "EIO"
        inject = ["-e", f"trace={call}", "-e", f"inject={call}:error={error}:when=1"]
        command = ["strace", "-f", "-qq", "-o", os.devnull, "-P", str(failing), *inject, *command]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("call", ["openat", "read"])
@pytest.mark.parametrize("kind", ["repository metadata", "RPM file"])
def test_a_file_that_could_not_be_opened_or_read_once_is_read_by_the_next_run(
    tmp_path: Path, kind: str, call: str
) -> None:
    if kind == "RPM file":
        target = tmp_path / "rpms"
        shutil.copytree(RPMS, target)
        failing = target / "xs-sources-1.0-1.noarch.rpm"
    else:
        target = tmp_path / "repo"
        shutil.copytree(DATA / "repo", target)
        failing = next((target / "repodata").glob("*-primary.xml.gz"))
    cold = scan(target, tmp_path / "cold")
    assert cold[0] == 1 and json.loads(cold[1])["packages"]
    cache = tmp_path / "cache"
    failed = scan(target, cache, failing, call)
    assert (
        failed[0] == 3 and ("too many open files" if call == "openat" else "input/output error") in failed[2]
    )
    assert scan(target, cache)[:2] == cold[:2]
    assert scan(target, cache)[:2] == cold[:2]  # and that one, stored, is replayed


def test_a_base_whose_metadata_could_not_be_opened_once_is_not_kept_for_the_next_check(
    tmp_path: Path,
) -> None:
    """``check`` keeps the audit of BASE in the store: one made while BASE's primary.xml could
    not be opened was kept, and every later check against the same BASE said "too many open
    files" (exit 3) and took every fact of the change for a new one (56 new blocking facts)."""
    base = tmp_path / "repo"
    shutil.copytree(DATA / "repo", base)
    failing = next((base / "repodata").glob("*-primary.xml.gz"))
    spec = str(DATA / "specs" / "xs-sources.spec")

    def check(cache: Path, failing: Path | None = None) -> tuple[int, str, str]:
        return run(
            ["check", spec, "--against", str(base), "--cache-dir", str(cache), "--format", "json"], failing
        )

    cold = check(tmp_path / "cold")
    assert cold[0] == 1 and not json.loads(cold[1])["errors"]
    cache = tmp_path / "cache"
    assert check(cache, failing)[0] == 3
    assert check(cache)[:2] == cold[:2]
    assert check(cache)[:2] == cold[:2]
