"""A proxy the environment names that the auditor cannot use is a one-line input error naming
it (rt21: a SOCKS proxy, which requests reads only with PySocks, said ``request failed:
InvalidSchema``). A repository served by tests.httpserver.LocalServer on 127.0.0.1, its
metadata by createrepo_c."""

from __future__ import annotations

import http.server
import select
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS
from tests.httpserver import LocalServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def www(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    repo = tmp_path / "www" / "repo"
    repo.mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.src.rpm", repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    return tmp_path / "www"


def scan(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["scan", url, "--no-cache", "--fail-on", "none"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if line.startswith("auditor: error:")]


@pytest.mark.parametrize(
    ("variable", "proxy"),
    [
        ("ALL_PROXY", "socks5://127.0.0.1:1080"),
        ("HTTP_PROXY", "socks5h://proxy.example:1080"),
        ("http_proxy", "socks4://127.0.0.1:1080"),
    ],
)
def test_a_socks_proxy_is_one_error_naming_it(
    variable: str, proxy: str, www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(variable, proxy)
    with LocalServer(www) as server:
        code, errors = scan(server.url("/repo/"), capsys)
        assert server.requests == []  # nothing went around it
    assert code == 3 and len(errors) == 1
    assert f"the proxy named in the environment, {proxy} ({variable})," in errors[0]
    assert "is a SOCKS proxy, which is not supported" in errors[0]


def test_a_proxy_of_another_scheme_is_one_error_naming_it(
    www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "ftp://127.0.0.1:2121")
    with LocalServer(www) as server:
        code, errors = scan(server.url("/repo/"), capsys)
    assert code == 3 and len(errors) == 1
    assert "ftp://127.0.0.1:2121 (HTTP_PROXY), is not an http:// or https:// proxy" in errors[0]


@pytest.mark.parametrize(
    "environment",
    [
        {"HTTPS_PROXY": "socks5://127.0.0.1:1080"},  # for https:// URLs alone
        {"ALL_PROXY": "socks5://127.0.0.1:1080", "NO_PROXY": "127.0.0.1"},
    ],
)
def test_a_socks_proxy_the_url_does_not_go_through_is_no_error(
    environment: dict[str, str],
    www: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with LocalServer(www) as server:
        code, errors = scan(server.url("/repo/"), capsys)
        assert server.requests
    assert code == 0 and errors == []


class RefusingProxy(http.server.BaseHTTPRequestHandler):
    """A proxy on 127.0.0.1 that answers every request with the class's ``status``: a CONNECT
    (the tunnel an https:// URL asks for) and a plain http:// request alike."""

    status = 403

    def _refuse(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_CONNECT = do_GET = do_HEAD = _refuse

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RefusingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_proxy_that_refuses_connections_is_named_not_the_server(
    www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "connection refused" alone sent the user to a server the run never reached."""
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HTTP_PROXY", closed)
    with LocalServer(www) as server:
        code = main(["scan", server.url("/repo/"), "--no-cache", "--retries", "0"])
        assert server.requests == []
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and len(errors) == 1 and "Traceback" not in err
    assert f"cannot go through the proxy {closed} (HTTP_PROXY): connection refused" in errors[0]


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (403, "refused a tunnel to the server (403 Forbidden)"),
        (407, "refused a tunnel to the server (407 Proxy Authentication Required)"),
    ],
)
def test_a_proxy_that_refuses_a_tunnel_is_one_error_naming_it(
    status: int,
    said: str,
    proxy: http.server.ThreadingHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(RefusingProxy, "status", status)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    named = f"http://127.0.0.1:{proxy.server_address[1]}"
    monkeypatch.setenv("HTTPS_PROXY", named)
    code, errors = scan("https://repo.example/repo/", capsys)
    assert code == 3 and len(errors) == 1
    assert f"the proxy {named} (HTTPS_PROXY) {said}" in errors[0]


def test_a_proxy_asking_for_credentials_is_named_and_given_none(
    proxy: http.server.ThreadingHTTPServer,
    www: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(RefusingProxy, "status", 407)
    named = f"http://127.0.0.1:{proxy.server_address[1]}"
    monkeypatch.setenv("HTTP_PROXY", named)
    with LocalServer(www) as server:
        code, errors = scan(server.url("/repo/"), capsys)
        assert server.requests == []
    assert code == 3 and len(errors) == 1
    assert (
        f"the proxy {named} (HTTP_PROXY) asks for credentials (HTTP 407), which are never sent" in errors[0]
    )


class ClosingProxy(http.server.BaseHTTPRequestHandler):
    """A proxy on 127.0.0.1 that reads each request (a CONNECT, a plain GET) and closes the
    connection without an answer, counting them."""

    requests: ClassVar[list[str]] = []

    def _close(self) -> None:
        ClosingProxy.requests.append(self.command)

    do_CONNECT = do_GET = do_HEAD = _close

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("variable", "url"), [("HTTPS_PROXY", "https://repo.example/repo/"), ("HTTP_PROXY", "")]
)
def test_a_proxy_that_closes_without_an_answer_is_named_not_the_server(
    variable: str, url: str, www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CONNECT the proxy closed unanswered was a ProtocolError, said as "the connection was
    closed before an answer" of the server, which the run never reached; a plain request it
    closed unanswered named the proxy but said "cannot connect" (rt24). Retried as the
    failure of a connection is."""
    monkeypatch.setattr(ClosingProxy, "requests", [])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ClosingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    named = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(variable, named)
    try:
        with LocalServer(www) as origin:
            code = main(["scan", url or origin.url("/repo/"), "--no-cache", "--retries", "1"])
            assert origin.requests == []
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and len(errors) == 1 and "Traceback" not in err
    assert (
        f"cannot go through the proxy {named} ({variable}): the connection was closed before an answer "
        "(after 2 attempts)"
    ) in errors[0]
    assert ClosingProxy.requests == ["CONNECT" if url else "GET"] * 2


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        # urllib reads the lowercase variable first: the uppercase one holds another proxy.
        ({"https_proxy": "{closed}", "HTTPS_PROXY": "http://127.0.0.1:9"}, "{closed} (https_proxy)"),
        # The same proxy for both schemes: an https:// URL goes through HTTPS_PROXY's.
        ({"HTTP_PROXY": "{closed}", "HTTPS_PROXY": "{closed}"}, "{closed} (HTTPS_PROXY)"),
        # A path or query is nothing a proxy is reached by, and may be a token: never shown.
        ({"ALL_PROXY": "{closed}/?token=s3cret"}, "{closed} (ALL_PROXY)"),
    ],
)
def test_the_proxy_named_is_the_variable_that_gave_it_and_only_its_address(
    environment: dict[str, str],
    said: str,
    www: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The variable was the first holding the proxy's value, in uppercase, and the value was
    shown whole (rt24)."""
    closed = f"http://127.0.0.1:{free_port()}"
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(closed=closed))
    code = main(["scan", "https://repo.example/repo/", "--no-cache", "--retries", "0"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and len(errors) == 1 and "Traceback" not in err
    assert f"cannot go through the proxy {said.format(closed=closed)}: connection refused" in errors[0]
    assert "s3cret" not in err


def test_a_proxy_variable_that_is_no_url_is_named(
    www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "Invalid IPv6 URL" of the repository's URL (rt24)."""
    monkeypatch.setenv("HTTPS_PROXY", "http://[127.0.0.1:3128")
    code, errors = scan("https://repo.example/repo/", capsys)
    assert code == 3 and len(errors) == 1
    assert "the proxy named in the environment (HTTPS_PROXY) is no URL: Invalid IPv6 URL" in errors[0]


class Answering407(http.server.BaseHTTPRequestHandler):
    """An https:// server answering 407 to every request: its own answer, not a proxy's."""

    def do_GET(self) -> None:
        self.send_response(407)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *_args: object) -> None:
        pass


class Tunnel(http.server.BaseHTTPRequestHandler):
    """A proxy opening every CONNECT to the class's ``target`` port on 127.0.0.1, whatever host it names."""

    target = 0

    def do_CONNECT(self) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target))
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 5)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_407_of_an_https_server_through_a_tunnel_is_the_server_s(
    tmp_path: Path, www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the tunnel an https:// URL asks for, the answer is the server's: a 407 in it was said
    to be the proxy asking for credentials (rt24). A self-signed certificate for repo.example,
    made by openssl, is the run's CA bundle."""
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=repo.example",
         "-addext", "subjectAltName=DNS:repo.example", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering407)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    origin.socket = context.wrap_socket(origin.socket, server_side=True)
    monkeypatch.setattr(Tunnel, "target", origin.server_address[1])
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tunnel)
    for server in (origin, proxy):
        server.daemon_threads = True  # a tunnel left open is not waited for
        threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
    try:
        code, errors = scan("https://repo.example/repo/", capsys)
    finally:
        for server in (origin, proxy):
            server.shutdown()
            server.server_close()
    assert code == 3 and len(errors) == 1
    assert errors[0].endswith(
        "https://repo.example/repo/repodata/repomd.xml: HTTP 407 Proxy Authentication Required"
    )


class SilentProxy(http.server.BaseHTTPRequestHandler):
    """A proxy that reads each request and answers nothing until the test ends."""

    def _wait(self) -> None:
        SilentProxy.done.wait(30)

    done = threading.Event()
    do_CONNECT = do_GET = _wait

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("variable", "url"), [("HTTPS_PROXY", "https://repo.example/repo/"), ("HTTP_PROXY", "")]
)
def test_a_timeout_through_a_proxy_names_it(
    variable: str, url: str, www: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A proxy that never answers a CONNECT was said as "no complete answer … within 1 s" of the
    https:// server, never reached (rt24); through a plain request, the proxy or the server may
    be slow: both are named."""
    monkeypatch.setattr(SilentProxy, "done", threading.Event())
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SilentProxy)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    named = f"http://127.0.0.1:{proxy.server_address[1]}"
    monkeypatch.setenv(variable, named)
    try:
        with LocalServer(www) as origin:
            code = main(
                ["scan", url or origin.url("/repo/"), "--no-cache", "--retries", "0", "--timeout", "1"]
            )
    finally:
        SilentProxy.done.set()
        proxy.shutdown()
        proxy.server_close()
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and len(errors) == 1 and "Traceback" not in err
    assert errors[0].endswith(f"within 1 s, through the proxy {named} ({variable})")
