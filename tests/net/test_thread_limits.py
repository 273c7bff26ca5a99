"""A remote audit under a CI runner's process limit, over real HTTP on 127.0.0.1: whatever number
of threads the limit lets start, the audit is the one an unlimited run makes.

RLIMIT_NPROC counts every thread of the user. The headers of a remote repository's packages
were read by a `concurrent.futures` pool, which raised when a worker could not start: with six
processes and threads allowed, every remote audit ended in "internal error: RuntimeError: can't
start new thread", exit 4 (`auditor.runtime.threads`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.runtime.threads import map_in_threads
from tests.conftest import DATA, RPMS
from tests.httpserver import LocalServer, redirect
from tests.paths import ROOT
from tests.unprivileged import CAN_LIMIT_PROCESSES, as_limited_user


def audit(*prefix_and_arguments: str) -> tuple[int, dict[str, Any], str]:
    run = subprocess.run(
        [*prefix_and_arguments], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )
    return run.returncode, json.loads(run.stdout) if run.stdout else {}, run.stderr


def verdicts(report: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(
        (package["nevra"], package["status"], tuple(sorted(gap["kind"] for gap in package.get("gaps", ()))))
        for package in report.get("packages", ())
    )


@pytest.mark.skipif(
    not CAN_LIMIT_PROCESSES, reason="needs root to run as a user of its own, with setpriv and prlimit"
)
@pytest.mark.parametrize("limit", [2, 3, 4, 6, 12])
def test_a_remote_audit_under_a_process_limit_is_the_unlimited_one(
    limit: int, server: LocalServer, tmp_path: Path
) -> None:
    arguments = ["scan", server.url("/repo/"), "--format", "json", "--fail-on", "none", "-q"]
    free = tmp_path / "free"
    code, report, err = audit(sys.executable, "-m", "auditor", *arguments, "--cache-dir", str(free))
    assert code == 0 and "error" not in err
    assert report["summary"]["packages"] and verdicts(report)
    limited = tmp_path / "limited"
    limited.mkdir(mode=0o777)
    limited.chmod(0o777)
    try:
        run = as_limited_user(limit, "-m", "auditor", *arguments, "--cache-dir", str(limited / "cache"))
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung under a limit of {limit} processes")
    assert (run.returncode, run.stderr) == (0, err)
    assert verdicts(json.loads(run.stdout)) == verdicts(report)
    # the headers were read (by range, through the threads that started), not left to metadata
    assert (limited / "cache" / "headers.sqlite3").is_file()


def test_the_threads_answer_in_order_and_the_first_failure_stops_the_rest() -> None:
    assert map_in_threads(lambda number: number * number, range(100), 4) == [n * n for n in range(100)]
    assert map_in_threads(str, [], 4) == []
    calls: list[int] = []

    def fails_at_ten(number: int) -> int:
        calls.append(number)
        if number == 10:
            raise ValueError(number)
        return number

    with pytest.raises(ValueError, match="10"):
        map_in_threads(fails_at_ten, range(10_000), 1)
    assert calls == list(range(11))  # alone, this thread stopped at the failure


RESOLVE = """
import sys
import threading
import time
from dataclasses import replace
from auditor.net.options import HttpSettings, RemoteOptions
from auditor.net.remote import Remote
from auditor.origin.policy import load_policy
from auditor.origin.redirects import UrlResolver, policy_guard
from auditor.sources.rpmpackage import read_rpm_file
policy = load_policy()
options = RemoteOptions(http=HttpSettings(backoff=0.01), cache_dir=sys.argv[2])
package = read_rpm_file(sys.argv[3])
packages = [replace(package, url=f"{sys.argv[1]}/go{n}", bugurl=None) for n in range(6)]
found = UrlResolver(policy, Remote(options, policy_guard(policy))).findings(packages)
print(sorted((index, finding.rule, finding.value) for index, each in found.items() for finding in each))
"""


@pytest.mark.skipif(
    not CAN_LIMIT_PROCESSES, reason="needs root to run as a user of its own, with setpriv and prlimit"
)
@pytest.mark.parametrize("limit", [2, 3, 6])
def test_resolving_urls_of_a_local_repository_under_a_process_limit_is_the_unlimited_one(
    limit: int, tmp_path: Path
) -> None:
    """--resolve-urls on local packages makes its first request from the resolver's threads. The
    watchdog that holds each request to its deadline is a thread too, started on first use: the
    workers had taken every thread the limit allowed, and the run ended in "internal error:
    RuntimeError: can't start new thread", exit 4, under a limit of 2 or 3."""
    rpm = str(RPMS / "conflicts-obsoletes-2.0-1.noarch.rpm")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with LocalServer(tmp_path) as server:
        for number in range(6):
            server.routes[f"/go{number}"] = redirect(f"https://code.citrite.net/rest/archive/{number}.tar.gz")
        base = server.url("").rstrip("/")
        free = subprocess.run(
            [sys.executable, "-c", RESOLVE, base, str(tmp_path / "free"), rpm],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=120,
        )
        assert (free.returncode, free.stderr) == (0, "")
        assert "citrix-internal-host" in free.stdout
        try:
            run = as_limited_user(limit, "-c", RESOLVE, base, str(shared / "cache"), rpm)
        except subprocess.TimeoutExpired:
            pytest.fail(f"hung under a limit of {limit} processes")
    assert (run.returncode, run.stderr, run.stdout) == (0, "", free.stdout)


def test_an_interrupt_while_the_threads_start_stops_those_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that lands between two thread starts left the thread started before it taking
    every item, requests and all, while the run unwound and ended around it."""
    start = threading.Thread.start
    starts: list[threading.Thread] = []

    def start_then_interrupted(thread: threading.Thread) -> None:
        starts.append(thread)
        if len(starts) == 2:
            raise KeyboardInterrupt
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", start_then_interrupted)

    def work(number: int) -> int:
        time.sleep(0.001)
        return number

    with pytest.raises(KeyboardInterrupt):
        map_in_threads(work, range(10_000), 4)
    assert not starts[0].is_alive()  # stopped and waited for, not left working


@pytest.mark.skipif(
    not CAN_LIMIT_PROCESSES, reason="needs root to run as a user of its own, with setpriv and prlimit"
)
def test_a_remote_input_that_cannot_be_read_under_a_limit_of_one_thread_is_an_input_error(
    server: LocalServer, tmp_path: Path
) -> None:
    """One thread allowed, the run's own: the watchdog that holds every request to its deadline
    cannot start, and the run ended in an internal error (exit 4). No request is made without it
    (a server trickling its headers would hold the run for ever): the remote input is one that
    cannot be read, named on one line (exit 3), and a local input beside it is still audited."""
    local = tmp_path / "local"
    local.mkdir(mode=0o777)
    local.chmod(0o777)
    cache = local / "cache"
    arguments = ["scan", server.url("/repo/"), str(DATA / "repo"), "--format", "json", "--fail-on", "none"]
    run = as_limited_user(1, "-m", "auditor", *arguments, "-q", "--cache-dir", str(cache))
    errors = [line for line in run.stderr.splitlines() if line.startswith("auditor: error:")]
    assert run.returncode == 3 and "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert errors == [
        f"auditor: error: {server.url('/repo/repodata/repomd.xml')}: not requested: no thread could be"
        " started to hold requests to their deadlines (the user's process limit, ulimit -u, is reached)"
    ]
    report = json.loads(run.stdout)
    assert report["summary"]["packages"] and {row["input"] for row in report["packages"]} == {
        str(DATA / "repo")
    }
