"""Every request ends: a minimum rate over a window, a deadline per request, capped retries.

The servers here trickle (headers or body, a byte at a time) or fail on purpose; each
would have kept a scan running for ever when only every read had a timeout. The tests
assert on the error that ends each scenario, never on how long it took; a trickling
route gives up by itself after `tests.httpserver.GIVE_UP`, so a regression fails the
test on another message instead of hanging the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.cli.main import main
from auditor.engine import run_audit
from auditor.net import retry
from auditor.net.failures import retry_after
from auditor.net.options import HttpSettings, RemoteOptions
from auditor.origin.policy import load_policy
from tests.conftest import DATA, errors_of, primary_of
from tests.httpserver import LocalServer, Route, sequence, status, trickle_body, trickle_headers


def scan(args: list[str], capsys: pytest.CaptureFixture[str], cache: Path) -> tuple[int, list[str]]:
    code = main(["scan", *args, "--cache-dir", str(cache), "-q", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    json.loads(captured.out)  # the report is written whatever happened
    return code, [line for line in errors_of(captured.err) if line.startswith("auditor: error:")]


def test_a_body_sent_a_byte_at_a_time_is_aborted_at_the_minimum_rate(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/repo/repodata/" + primary_of(DATA / "repo").name
    size = primary_of(DATA / "repo").stat().st_size  # the body repomd.xml promises
    server.routes[path] = trickle_body(size, 1, 0.1)  # 10 bytes/s: each read is well within the timeout
    code, errors = scan([server.url("/repo/"), "--timeout", "5,1"], capsys, tmp_path / "cache")
    assert code == 3
    [line] = errors
    assert line.startswith(
        f"auditor: error: {server.url(path)}: slower than the minimum rate of 1000 bytes/s: "
    )
    assert line.endswith("(after 3 attempts)")


def test_headers_sent_a_byte_at_a_time_are_aborted(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/repo/repodata/repomd.xml"] = trickle_headers(0.1)
    code, errors = scan([server.url("/repo/"), "--timeout", "5,1"], capsys, tmp_path / "cache")
    assert code == 3
    assert errors == [
        f"auditor: error: {server.url('/repo/repodata/repomd.xml')}: no complete answer (status and "
        "headers) within 1 s (after 3 attempts)"
    ]


def test_min_rate_and_retries_are_the_users_to_set(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A body at 4 kB/s passes dnf's 1000 bytes/s but not a user's 100K; --retries 0 tries once."""
    path = "/repo/repodata/" + primary_of(DATA / "repo").name
    size = primary_of(DATA / "repo").stat().st_size
    server.routes[path] = trickle_body(size, 200, 0.05)
    args = [server.url("/repo/"), "--timeout", "5,1", "--min-rate", "100K", "--retries", "0"]
    code, errors = scan(args, capsys, tmp_path / "cache")
    assert code == 3
    assert errors == [
        f"auditor: error: {server.url(path)}: slower than the minimum rate of 102400 bytes/s: "
        + errors[0].split("bytes/s: ", 1)[1]
    ]
    assert "attempts" not in errors[0] and server.paths().count(path) == 1
    # With dnf's default rate the same body arrives whole (and is then refused for what it holds).
    code, errors = scan([server.url("/repo/"), "--timeout", "5,1"], capsys, tmp_path / "cache2")
    assert code == 3 and errors and not any("minimum rate" in line for line in errors)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--retries", "-1", "'-1' is not a number of retries from 0 to 10"),
        ("--retries", "11", "'11' is not a number of retries from 0 to 10"),
        ("--min-rate", "fast", "'fast' is not a size (bytes, or with K, M, G, T)"),
    ],
)
def test_network_tuning_values_are_checked_up_front(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "x", f"{option}={value}"]) == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def audit(url: str, cache: Path, http: HttpSettings) -> list[str]:
    """The errors of auditing ``url`` with HTTP settings the command line does not expose."""
    options = AuditOptions((url,), remote=RemoteOptions(http=http, cache_dir=str(cache)))
    return [str(error) for error in run_audit(options, load_policy()).errors]


def test_a_body_above_the_minimum_rate_still_ends_at_the_request_deadline(
    server: LocalServer, tmp_path: Path
) -> None:
    server.routes["/repo/repodata/repomd.xml"] = trickle_body(10_000_000, 200, 0.05)  # 4 kB/s
    settings = HttpSettings(max_request_time=1.5)
    assert settings.deadline(16 * 1024**2) == 1.5
    [error] = audit(server.url("/repo/"), tmp_path / "cache", settings)
    assert error == f"{server.url('/repo/repodata/repomd.xml')}: not complete within its 1.5-second deadline"
    assert server.paths().count("/repo/repodata/repomd.xml") == 1  # the deadline covers the retries too


def test_headers_are_cut_at_the_deadline_when_it_comes_first(server: LocalServer, tmp_path: Path) -> None:
    server.routes["/repo/repodata/repomd.xml"] = trickle_headers(0.05)
    settings = HttpSettings(read_timeout=30, max_request_time=1.0)  # the deadline before the window
    [error] = audit(server.url("/repo/"), tmp_path / "cache", settings)
    assert error == f"{server.url('/repo/repodata/repomd.xml')}: not complete within its 1-second deadline"


def test_the_deadline_is_derived_from_the_size_and_the_minimum_rate() -> None:
    settings = HttpSettings()
    assert settings.window == 30.0  # the read timeout, as dnf's `timeout` is curl's low-speed time
    assert settings.deadline(0) == 10.0 + 30.0
    assert settings.deadline(1_000_000) == 10.0 + 30.0 + 1000.0
    assert settings.deadline(2 * 1024**3) == 3600.0  # never more than an hour
    assert HttpSettings(min_rate=0).deadline(10) == 3600.0


def test_dead_mirrors_are_capped_per_repository_and_retries_per_run(
    server: LocalServer, www: Path, tmp_path: Path
) -> None:
    mirrors = [server.url(f"/dead{number}/") for number in range(60)]
    for number in range(60):
        server.routes[f"/dead{number}/repodata/repomd.xml"] = status(503)
    (www / "mirrors.txt").write_text("\n".join(mirrors) + "\n")
    config = tmp_path / "dead.repo"
    config.write_text(f"[dead]\nmirrorlist={server.url('/mirrors.txt')}\n")
    settings = HttpSettings(backoff=0.001, retry_budget=5)
    [error] = audit(str(config), tmp_path / "cache", settings)
    assert error.startswith(
        f"{config} [dead]: no repository could be read (10 URLs tried; 50 more not tried, from "
        f"{mirrors[10]}: at most 10 are tried per repository); last: {mirrors[9]}repodata/repomd.xml: "
        "HTTP 503"
    )
    assert error.endswith("(not retried: the run's 5 retries are spent)")
    dead = [path for path in server.paths() if path.startswith("/dead")]
    assert len(dead) == 10 + 5  # each of the ten once, and the run's five retries
    assert not [path for path in dead if path.startswith(("/dead10/", "/dead59/"))]


def test_a_working_mirror_after_dead_ones_is_still_reached(
    server: LocalServer, www: Path, tmp_path: Path
) -> None:
    for number in range(3):
        server.routes[f"/dead{number}/repodata/repomd.xml"] = status(503)
    listed = [server.url(f"/dead{number}/") for number in range(3)] + [server.url("/repo/")]
    (www / "mirrors.txt").write_text("\n".join(listed) + "\n")
    config = tmp_path / "some-dead.repo"
    config.write_text(f"[some]\nmirrorlist={server.url('/mirrors.txt')}\n")
    assert audit(str(config), tmp_path / "cache", HttpSettings(backoff=0.001)) == []


def test_a_watch_due_sooner_than_the_one_waited_for_still_fires_first() -> None:
    """The watchdog is woken only for a deadline earlier than the one it sleeps until: a
    request armed for a minute must not keep a later, shorter one from being cut."""
    import socket

    from auditor.net.deadline import Watch

    later, sooner = Watch(), Watch()
    ours, theirs = socket.socketpair()
    try:
        later.arm(600, RuntimeError("later"))
        sooner.add_socket(ours)
        sooner.arm(0.05, RuntimeError("sooner"))
        ours.settimeout(30)  # a regression fails here instead of hanging the suite
        assert ours.recv(1) == b""  # shut down from outside: the end of the stream
        assert str(sooner.fired) == "sooner" and later.fired is None
    finally:
        later.close()
        sooner.close()
        ours.close()
        theirs.close()


def _limited(seconds: str) -> Route:
    """429 Too Many Requests, asking to wait ``seconds`` (a number, or an HTTP date)."""
    return lambda handler, method: handler.answer(429, b"slow down", {"Retry-After": seconds}, method)


def test_a_rate_limited_mirror_is_asked_again_after_the_wait_it_gives(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """429 was a final answer: a mirror's rate limit failed the repository (exit 3) where pip
    and urllib3 wait and ask again. The pause taken is the server's Retry-After when it is
    longer than the back-off (recorded, not timed: the sleep is the clock's, not the test's)."""
    pauses: list[float] = []
    monkeypatch.setattr(retry, "sleep", pauses.append)
    path = "/repo/repodata/repomd.xml"
    server.routes[path] = sequence(
        _limited("7"), _limited(" 1 "), lambda handler, method: handler.send_file(method, path)
    )
    assert audit(server.url("/repo/"), tmp_path / "cache", HttpSettings(backoff=0.001)) == []
    assert pauses == [7.0, 1.0]
    assert server.paths().count(path) == 3


def test_a_wait_past_the_deadline_ends_the_request_at_once_saying_so(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Retry-After beyond what is left of the request's deadline is not slept through: the
    request fails at once, in one line that says why (an HTTP date is read too)."""
    pauses: list[float] = []
    monkeypatch.setattr(retry, "sleep", pauses.append)
    path = "/repo/repodata/repomd.xml"
    server.routes[path] = _limited("Fri, 31 Dec 9999 23:59:59 GMT")
    [error] = audit(server.url("/repo/"), tmp_path / "cache", HttpSettings(backoff=0.001))
    assert error.startswith(
        f"{server.url(path)}: HTTP 429 Too Many Requests (no time left to retry within its "
    )
    assert error.endswith("-second deadline: the server asks to wait " + error.rsplit("wait ", 1)[1])
    assert pauses == [] and server.paths().count(path) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Thu, 01 Jan 1970 00:00:30 GMT", 0.0),  # a date past ("now" is 60 s after the epoch): no wait
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),  # 100 s after the epoch
        ("-5", None),
        ("soon", None),
        ("1e3", None),
        ("٣", None),  # a digit, but not an ASCII one
    ],
)
def test_retry_after_reads_seconds_and_dates(header: str | None, expected: float | None) -> None:
    assert retry_after(header, 60.0) == expected


def test_an_interruption_ends_the_requests_under_way_and_those_that_start() -> None:
    """Ctrl-C or SIGTERM reaches the main thread only: its workers' requests must end at once,
    not at their deadlines, nor retry after a pause, or the run waits that long to end."""
    import socket
    import threading

    from auditor.net.deadline import WATCHDOG, Watch

    under_way, started_after = Watch(), Watch()
    ours, theirs = socket.socketpair()
    try:
        under_way.add_socket(ours)
        under_way.arm(600, RuntimeError("under way"))
        ours.settimeout(30)  # a regression fails here instead of hanging the suite
        paused = threading.Event()
        with WATCHDOG.interrupting():
            assert ours.recv(1) == b""  # shut down from outside: the end of the stream
            started_after.arm(600, RuntimeError("started after"))
            assert str(started_after.fired) == "started after"

            def pause() -> None:
                retry.sleep(600)
                paused.set()

            pauser = threading.Thread(target=pause)
            pauser.start()
            pauser.join(30)
            assert paused.is_set()  # the pause between two attempts ends too
        assert not WATCHDOG.is_interrupting()  # the next run's requests are its own again
    finally:
        under_way.close()
        started_after.close()
        ours.close()
        theirs.close()


def test_a_request_that_starts_as_the_interruption_begins_ends_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interruption begins between a worker's look at it (none yet) and its registering of
    its request's watch: `interrupting` took its list of the requests under way without this one,
    which was left to its deadline (ten minutes with --timeout 30,600) before the run could end."""
    import contextlib
    import threading

    from auditor.net.deadline import WATCHDOG, Watch

    interruption = contextlib.ExitStack()

    class BeginsAfterTheLook(threading.Event):
        looked = False

        def is_set(self) -> bool:
            if not self.looked:
                self.looked = True
                interruption.enter_context(WATCHDOG.interrupting())  # lands right after the look
                return False
            return super().is_set()

    monkeypatch.setattr(WATCHDOG, "_interrupted", BeginsAfterTheLook())
    watch = Watch()
    with interruption:
        try:
            watch.arm(600, RuntimeError("started as the interruption began"))
            assert str(watch.fired) == "started as the interruption began"
        finally:
            watch.close()
    assert not WATCHDOG.is_interrupting()
