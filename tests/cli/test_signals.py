"""SIGTERM (a cancelled CI job) and SIGHUP (a closed terminal) unwind the run as Ctrl-C does, and
end it by that signal: what the run made is removed, no report is left, the parent sees the
signal. A SIGHUP that nohup ignores stays ignored."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.httpserver import Handler, LocalServer
from tests.paths import ROOT
from tests.terminal import signals_as_in_a_terminal


def _ignoring_hangups() -> None:
    signals_as_in_a_terminal()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts its command


def _held_headers(server: LocalServer, www: Path) -> threading.Event:
    """Every RPM of the served repository is answered only once the returned event is set: the
    run waits in its header reads until then."""
    gate = threading.Event()
    for rpm in (www / "repo").rglob("*.rpm"):
        served = "/" + rpm.relative_to(www).as_posix()

        def held(handler: Handler, method: str, served: str = served) -> None:
            gate.wait(120)
            handler.send_file(method, served)

        server.routes[served] = held
    return gate


@contextlib.contextmanager
def _scan_held(
    server: LocalServer, www: Path, report: Path, preexec: Callable[[], None]
) -> Iterator[tuple[subprocess.Popen[str], threading.Event]]:
    gate = _held_headers(server, www)
    command = [sys.executable, "-m", "auditor", "scan", server.url("/repo/"), "--remote-headers"]
    command += ["--cache-dir", str(report.parent / "cache"), "-o", str(report), "-q"]
    # A read timeout (and rate window) of ten minutes: a run that waited for its requests to
    # time out before it could end would outlast the two minutes the test waits for it.
    command += ["--timeout", "30,600"]
    run = subprocess.Popen(
        command, cwd=ROOT, preexec_fn=preexec, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while not any(path.endswith(".rpm") for path in server.paths()):  # the headers are asked for
            assert run.poll() is None, run.communicate()[1]
            time.sleep(0.05)
        yield run, gate
    finally:
        gate.set()
        if run.poll() is None:
            run.kill()
            run.wait()


@pytest.mark.parametrize(
    ("signum", "returncode", "said"),
    [
        (signal.SIGTERM, -signal.SIGTERM, "auditor: terminated by SIGTERM"),
        (signal.SIGHUP, -signal.SIGHUP, "auditor: terminated by SIGHUP"),
        (signal.SIGINT, 130, "auditor: interrupted"),
    ],
)
def test_a_signalled_run_unwinds_at_once_and_ends_by_the_signal(
    signum: int, returncode: int, said: str, server: LocalServer, www: Path, tmp_path: Path
) -> None:
    """The run waits on its header reads, which its threads make: the signal reaches the main
    thread only, and the run used to wait for each worker's request to time out first."""
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    report.write_text("an earlier run's\n")
    with _scan_held(server, www, report, signals_as_in_a_terminal) as (run, _gate):
        run.send_signal(signum)
        stderr = run.communicate(timeout=120)[1]
        assert run.returncode == returncode  # the parent sees the signal, as without the unwinding
        assert stderr.strip().splitlines()[-1] == said
        assert "Traceback" not in stderr
    assert report.read_text() == "an earlier run's\n"  # no report of an audit that did not end
    assert sorted(path.name for path in out.iterdir()) == ["cache", "report.json"]


def test_a_hangup_nohup_ignores_does_not_end_the_run(server: LocalServer, www: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    with _scan_held(server, www, report, _ignoring_hangups) as (run, gate):
        run.send_signal(signal.SIGHUP)
        with pytest.raises(subprocess.TimeoutExpired):
            run.wait(timeout=0.5)  # still waiting for its headers
        gate.set()
        stderr = run.communicate(timeout=120)[1]
        assert run.returncode == 1, stderr  # the served repository holds Citrix packages
    statuses = {package["status"] for package in json.loads(report.read_text())["packages"]}
    assert "origin" in statuses  # the whole audit, reported


def test_a_hangup_of_the_terminal_the_run_writes_on_ends_it_by_sighup(
    server: LocalServer, www: Path, tmp_path: Path
) -> None:
    """A closed terminal: SIGHUP, and every later write to it fails (EIO). The unwinding clears
    the progress line on standard error, whose OSError took the place of the signal: an internal
    error whose message failed too, a traceback and exit status 1, where the parent (a terminal
    multiplexer, a supervisor) was to see SIGHUP."""
    import os
    import pty
    import select

    gate = _held_headers(server, www)
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "auditor", "scan", server.url("/repo/"), "--remote-headers"]
    command += ["--cache-dir", str(tmp_path / "cache"), "-o", str(tmp_path / "report.json")]
    command += ["--timeout", "30,600"]  # progress shown: standard error is the terminal
    run = subprocess.Popen(
        command, cwd=ROOT, preexec_fn=signals_as_in_a_terminal, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    try:
        while not any(path.endswith(".rpm") for path in server.paths()):
            assert run.poll() is None
            if select.select([leader], [], [], 0.05)[0]:
                os.read(leader, 65536)  # the progress line: the terminal is read, as one would be
        os.close(leader)  # the terminal is gone: its writes fail from now on
        leader = -1
        run.send_signal(signal.SIGHUP)
        assert run.wait(timeout=120) == -signal.SIGHUP
    finally:
        gate.set()
        if leader >= 0:
            os.close(leader)
        if run.poll() is None:
            run.kill()
            run.wait()
    assert not (tmp_path / "report.json").exists()
