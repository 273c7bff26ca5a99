"""A download cache that cannot be written costs later runs their copy, not this run its input,
over real HTTP on 127.0.0.1.

A remote audit whose cache was read-only or full (a CI job's read-only home, a shared cache
mounted read-only, a full disk) ended with exit 3, "cannot write to the cache", whatever the
repository held: every download went through the cache. The run now downloads into a directory
of its own, says so on standard error and in the report, and removes it when it ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.httpserver import Handler, LocalServer
from tests.paths import ROOT
from tests.terminal import signals_as_in_a_terminal


def scan(
    server: LocalServer, cache: Path, report: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    code = main(
        ["scan", server.url("/repo/"), "--cache-dir", str(cache), "--format", "json", "-o", str(report)]
    )
    return code, capsys.readouterr().err


def verdicts(report: Path) -> list[tuple[str, str]]:
    data = json.loads(report.read_text())
    return sorted((package["nevra"], package["status"]) for package in data["packages"])


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary directory, for this test alone: what a run leaves there is seen."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_a_cache_that_cannot_be_written_audits_as_a_writable_one(
    server: LocalServer, tmp_path: Path, own_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = scan(server, tmp_path / "cache", tmp_path / "writable.json", capsys)
    assert "cannot be written" not in err
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's directory goes: no directory can be made below it\n")
    blocked_code, blocked_err = scan(server, blocked, tmp_path / "blocked.json", capsys)
    assert (blocked_code, code) == (code, 1)  # the fixture repository holds Citrix packages
    assert verdicts(tmp_path / "blocked.json") == verdicts(tmp_path / "writable.json")
    assert f"cache {blocked}: cannot be written" in blocked_err
    report = json.loads((tmp_path / "blocked.json").read_text())
    assert any("cannot be written" in warning for warning in report["warnings"])
    assert list(own_tmp.iterdir()) == []  # the run's own downloads are gone with it


def test_a_cache_and_a_temporary_directory_that_cannot_be_written_are_an_input_error(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory\n")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    code, err = scan(server, blocked, tmp_path / "report.json", capsys)
    assert code == 3
    assert "cannot write to the cache" in err and "nor to a temporary directory" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_run_ended_by_a_signal_leaves_no_downloads_behind(
    signum: int, server: LocalServer, www: Path, tmp_path: Path
) -> None:
    """A cancelled CI job (SIGTERM) or a closed terminal (SIGHUP) ended the run where it stood,
    without the unwinding that removes its directory of downloads: it stayed in the system's
    temporary directory, with a copy of the repository's metadata, for good. The run unwinds
    now, and still ends by the signal, as its parent expects."""
    gate = threading.Event()
    for rpm in (www / "repo").rglob("*.rpm"):
        served = "/" + rpm.relative_to(www).as_posix()

        def held(handler: Handler, method: str, served: str = served) -> None:
            gate.wait(120)  # the run is in its header reads, its metadata downloaded, until let go
            handler.send_file(method, served)

        server.routes[served] = held
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's directory goes\n")
    arguments = ["scan", server.url("/repo/"), "--remote-headers", "--cache-dir", str(blocked), "-q"]
    run = subprocess.Popen(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(own_tmp)},
        preexec_fn=signals_as_in_a_terminal,  # a CI runner may start the tests with SIGHUP ignored
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not any(path.endswith(".rpm") for path in server.paths()):  # the headers are asked for
            assert run.poll() is None, run.communicate()[1]
            time.sleep(0.05)
        run.send_signal(signum)
        stderr = run.communicate(timeout=120)[1]
    finally:
        gate.set()
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == -signum
    assert list(own_tmp.iterdir()) == []
    assert f"terminated by {signal.Signals(signum).name}" in stderr


def test_diff_says_what_reading_each_side_warned_of(
    server: LocalServer, tmp_path: Path, own_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`auditor diff` audited each side and printed none of what reading it warned of (the cache
    that could not be written, a server that ignores range requests), as scan and check do."""
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory\n")
    url = server.url("/repo/")
    code = main(["diff", url, url, "--cache-dir", str(blocked), "--fail-on", "none"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.count(f"cache {blocked}: cannot be written") == 1
    assert list(own_tmp.iterdir()) == []
