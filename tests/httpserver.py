"""A real HTTP server on 127.0.0.1 for the remote tests: files from a directory, plus routes
that misbehave on purpose (errors, slowness, truncation, redirects)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

Route = Callable[["Handler", str], None]
PIECE = 1 << 16
"""Bytes of a file written to the socket at a time."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: a closed socket is a truncated body
    server_version = "auditor-test"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def _handle(self, method: str) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        owner.record(method, path, {key.lower(): value for key, value in self.headers.items()})
        route = owner.routes.get(path)
        try:
            if owner.hook is not None and owner.hook(self, method, path):
                return
            if route is not None:
                route(self, method)
            else:
                self.send_file(method, path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, method: str = "GET"
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def send_file(self, method: str, path: str) -> None:
        """The file, or the one range asked for (``bytes=A-B`` or ``bytes=A-``), sent in pieces,
        each counted in `LocalServer.served` once the socket took it: a client that stops
        reading and closes the connection is served no more."""
        owner = self.server.owner
        target = (owner.root / unquote(path).lstrip("/")).resolve()
        if owner.root.resolve() not in target.parents or not target.is_file():
            self.answer(404, b"not found", method=method)
            return
        size = target.stat().st_size
        start, end, status, headers = 0, size - 1, 200, {}
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if match and owner.ranges:
            start = int(match.group(1))
            end = min(int(match.group(2) or size - 1), size - 1)
            status, headers = 206, {"Content-Range": f"bytes {start}-{end}/{size}"}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(max(0, end - start + 1)))
        self.end_headers()
        if method == "HEAD":
            return
        with target.open("rb") as stream:
            stream.seek(start)
            left = end - start + 1
            while left > 0:
                piece = stream.read(min(PIECE, left))
                if not piece:
                    break
                self.wfile.write(piece)
                owner.count(path, len(piece))
                left -= len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a timeout test) is not an error here


class LocalServer:
    """``with LocalServer(root) as server:`` serves ``root`` at ``server.url("/")``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.served: dict[str, int] = {}
        """Bytes of each file's body the socket took, by URL path (all requests together)."""
        self.ranges = True
        self.hook: Callable[[Handler, str, str], bool] | None = None
        """Asked first with every request (handler, method, path): True when it answered it."""
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, headers))

    def count(self, path: str, size: int) -> None:
        with self._lock:
            self.served[path] = self.served.get(path, 0) + size

    def paths(self, method: str = "GET") -> list[str]:
        with self._lock:
            return [path for verb, path, _headers in self.requests if verb == method]

    def start(self) -> LocalServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# -- routes ---------------------------------------------------------------------------------


def status(code: int, body: bytes = b"") -> Route:
    return lambda handler, method: handler.answer(code, body, method=method)


def redirect(location: str, code: int = 302, *, head: int | None = None) -> Route:
    """Redirect; ``head`` answers HEAD with that status instead (a server refusing HEAD)."""

    def route(handler: Handler, method: str) -> None:
        if method == "HEAD" and head is not None:
            handler.answer(head, method=method)
        else:
            handler.answer(code, b"", {"Location": location}, method)

    return route


def sequence(*routes: Route) -> Route:
    """The first request gets the first route, and so on; the last one repeats."""
    calls = [0]
    lock = threading.Lock()

    def route(handler: Handler, method: str) -> None:
        with lock:
            index = min(calls[0], len(routes) - 1)
            calls[0] += 1
        routes[index](handler, method)

    return route


def slow(seconds: float) -> Route:
    def route(handler: Handler, method: str) -> None:
        time.sleep(seconds)
        handler.answer(200, b"too late", method=method)

    return route


def truncated(data: bytes) -> Route:
    """Promise the whole body, send half of it, and close the connection."""

    def route(handler: Handler, method: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.close_connection = True

    return route


GIVE_UP = 30.0
"""How long a trickling route keeps going before it closes: a client that never gives up
fails its test on a truncated answer instead of hanging the suite."""


def trickle_body(size: int, piece: int, interval: float) -> Route:
    """Promise ``size`` bytes, then send ``piece`` bytes every ``interval`` seconds."""

    def route(handler: Handler, method: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        handler.wfile.flush()
        sent, started = 0, time.monotonic()
        while sent < size and time.monotonic() - started < GIVE_UP:
            handler.wfile.write(b"x" * min(piece, size - sent))
            handler.wfile.flush()
            sent += piece
            time.sleep(interval)
        handler.close_connection = True

    return route


def trickle_headers(interval: float) -> Route:
    """A status line, then header bytes one at a time every ``interval`` seconds, never ending them."""

    def route(handler: Handler, method: str) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        started = time.monotonic()
        while time.monotonic() - started < GIVE_UP:
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(interval)
        handler.close_connection = True

    return route
