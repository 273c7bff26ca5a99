"""The benchmark's file server answers as a static web server: ranges, keep-alive, 404s."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.paths import ROOT


def test_the_benchmark_server_serves_ranges_links_and_nothing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    root = tmp_path / "root"
    (root / "Packages").mkdir(parents=True)
    data = bytes(range(256)) * 4
    (tmp_path / "corpus.rpm").write_bytes(data)
    (root / "Packages" / "a.rpm").symlink_to(tmp_path / "corpus.rpm")  # a tree of links, as the case makes
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", str(root)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    address = urlsplit(server.stdout.readline().strip())
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.request("GET", "/Packages/a.rpm", headers={"Range": "bytes=10-19"})
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (206, data[10:20])
        assert answer.getheader("Content-Range") == f"bytes 10-19/{len(data)}"
        connection.request("GET", "/Packages/a.rpm")  # the same connection: kept alive
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (200, data)
        for path in ("/Packages/missing.rpm", "/../outside.txt", "/%2e%2e/outside.txt"):
            connection.request("GET", path)
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (404, b"not found\n"), path
    finally:
        connection.close()
        server.kill()
        server.wait()
        server.stdout.close()
