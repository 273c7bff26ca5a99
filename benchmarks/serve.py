"""A plain HTTP/1.1 file server with range requests, for the remote benchmark case.

``python -m benchmarks.serve ROOT [--delay-ms N]`` serves the files under ROOT on 127.0.0.1,
prints its URL on one line, and serves until killed. ``--delay-ms`` holds each answer N ms
before sending it: a request on a kept-alive connection then costs what one round trip to
a distant mirror does (updates.xcp-ng.org is 50-150 ms away from most of its users), while
the connections' answers still overlap as a real server's do. It answers as a static web
server does: keep-alive, ``Range: bytes=A-B`` with 206, 404 for anything else. Unlike the tests' server
(`tests.httpserver`), it has no routes that misbehave, and it follows symbolic links, since
the benchmark repository is a tree of links to the corpus.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

PIECE = 1 << 16
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "auditor-benchmark"
    root = ""
    delay = 0.0
    """Seconds each answer waits before it is sent (`--delay-ms`)."""

    def setup(self) -> None:
        super().setup()
        # Small answers on a kept-alive connection: without this, each waits for the
        # client's delayed ACK (Nagle), and the run measures the kernel's timer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, *, body: bool) -> None:
        if self.delay:
            time.sleep(self.delay)
        path = os.path.normpath(unquote(urlsplit(self.path).path)).lstrip("/")
        target = os.path.join(self.root, path)
        if path.startswith("..") or not os.path.isfile(target):
            self._answer(404, b"not found\n", body=body)
            return
        size = os.path.getsize(target)
        start, end, status = 0, size - 1, 200
        match = _RANGE.fullmatch(self.headers.get("Range") or "")
        if match:
            start, end, status = int(match.group(1)), min(int(match.group(2) or size - 1), size - 1), 206
        self.send_response(status)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(max(0, end - start + 1)))
        self.end_headers()
        if not body:
            return
        with open(target, "rb") as stream:
            stream.seek(start)
            left = end - start + 1
            while left > 0 and (piece := stream.read(min(PIECE, left))):
                self.wfile.write(piece)
                left -= len(piece)

    def _answer(self, status: int, data: bytes, *, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve", description=__doc__.splitlines()[0])
    parser.add_argument("root", help="the directory served")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="hold each answer this long (default: 0)")
    args = parser.parse_args(argv)
    _Handler.root = os.path.abspath(args.root)
    _Handler.delay = args.delay_ms / 1000
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
