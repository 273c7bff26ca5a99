"""An answer that fails before it is made leaves no socket open behind its error.

A server that sends ``Content-Length: 5, 6`` makes urllib3 refuse its answer (InvalidHeader)
after http.client has read its status line and headers from a reader of the socket. That
half-made answer lives in the frames of requests' exception. The auditor's error was raised
inside the ``except`` that caught it, so requests' exception stayed its ``__context__``: kept
with the run's errors (a cycle, through its traceback, that only the garbage collector
frees, and a run pauses it), the error held the socket open to the end of the run, one
descriptor per such answer, and a later collection said "unclosed socket" wherever it ran
(the ResourceWarning `tests/fuzz/test_fuzz_remote.py` counted in 0.3-0.85 % of its runs).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.httpserver import Handler, LocalServer
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves


def client_sockets(port: int) -> int:
    """This process's open sockets connected to ``port`` (its server's own sockets have it as
    their local port, not their remote one)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].rpartition(":")[2], 16) == port and fields[9] in inodes:
            count += 1
    return count


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """As a run pauses it (`auditor.cli.process.collector_paused`), and until the count is taken."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def two_lengths(handler: Handler, method: str) -> None:
    handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello")
    handler.close_connection = True


def test_an_answer_urllib3_refuses_leaves_no_socket_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LocalServer(tmp_path) as server:
        urls = [server.url(f"/r{index}/") for index in range(3)]
        for index in range(3):
            server.routes[f"/r{index}/repodata/repomd.xml"] = two_lengths
        with collector_off():
            code = main(["scan", *urls, "-q", "--retries", "0", "--cache-dir", str(tmp_path / "cache")])
            left = client_sockets(server.port)
    err = capsys.readouterr().err
    assert code == 3 and err.count("InvalidHeader") == 3, err
    assert left == 0
