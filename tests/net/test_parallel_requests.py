"""``--parallel-requests N``: how many requests for package headers one server gets at once,
over real HTTP on 127.0.0.1.

A scan of a distant repository (updates.xcp-ng.org is 50-150 ms away) is latency-bound: one
range request per header, four at a time, took 59 s for 4,000 headers 50 ms away; ten at a
time, 29 s. A server never gets more than N at once (at most 10: half what dnf allows its
``max_parallel_downloads``), and the report is the same whatever N.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import errors_of
from tests.httpserver import Handler, LocalServer


class InFlight:
    """The requests for RPM files the server holds at once before answering, and the most it ever was."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def route(self, handler: Handler, method: str) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.02)  # long enough for the others to come in, if they may
        finally:
            # Counted out before the answer is sent: a client that has read the whole answer
            # may ask again before this thread runs on, and that is not more than N at once.
            with self._lock:
                self.now -= 1
        handler.send_file(method, handler.path)


def watched(server: LocalServer, www: Path) -> InFlight:
    in_flight = InFlight()
    for rpm in (www / "repo").rglob("*.rpm"):
        server.routes["/" + rpm.relative_to(www).as_posix()] = in_flight.route
    return in_flight


def scan(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, dict[str, Any], list[str]]:
    args = ["scan", server.url("/repo/"), "--cache-dir", str(cache), "--no-cache", "--format", "json"]
    code = main([*args, "--fail-on", "none", *more])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), errors_of(captured.err)


@pytest.mark.parametrize("parallel", [1, 3, 10])
def test_a_server_gets_at_most_n_header_requests_at_once_and_the_report_is_the_same(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], parallel: int
) -> None:
    _, default, _ = scan(server, tmp_path / "default", capsys)
    in_flight = watched(server, www)
    code, document, err = scan(server, tmp_path / "cache", capsys, "--parallel-requests", str(parallel))
    assert (code, err) == (0, [])
    assert 1 <= in_flight.most <= parallel
    assert document["packages"] == default["packages"]  # same packages, in the same order


@pytest.mark.parametrize("value", ["0", "11", "-1", "four"])
def test_a_number_of_requests_outside_1_to_10_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "http://127.0.0.1:9/repo/", "--parallel-requests", value]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert f"--parallel-requests: {value!r} is not a number of requests from 1 to 10" in line
