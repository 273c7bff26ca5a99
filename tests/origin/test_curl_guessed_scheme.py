"""A word of a Source that has no scheme is fetched by curl as ``http://`` and the word (urlfuzz59).

rpmbuild downloads a Source by running its URL helper, curl, on the value split at spaces: every
word is a URL to curl. curl takes a word for one with a scheme only when it starts with a scheme's
letters, a colon and a slash (7.88's ``Curl_is_absolute_url``); any other word it fetches as
``http://`` and the word. ``Source0: https://example.org/a.tgz user@code.citrite.net/y.tgz``
downloads ``/y.tgz`` from code.citrite.net, and read as a bare file name the second word named no
host: the spec passed clean (exit 0). And curl takes one to three slashes after any scheme it
knows, not only http's: ``ftps:/example.org@citrix.com/x`` is on citrix.com.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.origin.scanned import scan_report, write_spec


def rpmbuild_fetches(tmp_path: Path, spec: Path) -> subprocess.CompletedProcess[str]:
    """``rpmbuild -bp`` of ``spec`` with its Sources fetched, as its URL helper fetches them."""
    top = tmp_path / "top"
    command = [
        "rpmbuild", "-bp", "--quiet", "--undefine", "_disable_source_fetch",
        "--define", f"_topdir {top}", "--define", f"_sourcedir {top / 'SOURCES'}", str(spec),
    ]  # fmt: skip
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=120)


def test_rpmbuild_fetches_a_word_without_a_scheme_over_http(tmp_path: Path) -> None:
    """The authority: rpmbuild's own download (``--undefine _disable_source_fetch``) hands the
    second word to curl, which fetches it from the host after its ``@`` (`scripts/test` installs
    rpm and curl)."""
    assert shutil.which("rpmbuild"), "scripts/test installs rpm"
    assert shutil.which("curl"), "scripts/test installs curl"
    (tmp_path / "a.tgz").write_text("a\n")
    (tmp_path / "b.tgz").write_text("b\n")
    with LocalServer(tmp_path) as server:
        words = f"{server.url('/a.tgz')} user@127.0.0.1:{server.port}/b.tgz"
        spec = write_spec(tmp_path, "guessed", f"Source0: {words}")
        done = rpmbuild_fetches(tmp_path, spec)
        assert server.paths() == ["/a.tgz", "/b.tgz"], done.stderr


def assert_second_word_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str, rule: str
) -> None:
    """``word``, the second word of a URL Source (rpmbuild hands curl each), is a finding of ``rule``."""
    spec = write_spec(tmp_path, "guessed", f"Source0: https://example.org/a.tgz {word}")
    code, report, err = scan_report(capsys, spec)
    found = {(p["kind"], f["rule"], f["value"]) for p in report["packages"] for f in p["findings"]}
    assert ("source", rule, word) in found, err
    assert code == 1


@pytest.mark.parametrize(
    ("word", "rule"),
    [
        ("user@code.citrite.net/y.tgz", "citrix-internal-host"),
        ("code.citrite.net", "citrix-internal-host"),  # http://code.citrite.net/
        ("x@%63itrix.com/y.tgz", "citrix-corporate-host"),  # curl decodes the host
        ("file:x;@downloads.xenserver.com/y.tgz", "citrix-corporate-host"),  # "file:" + no slash: no scheme
        ("a:b@github.com/a/../xenserver/x/archive/v1.tar.gz", "citrix-public-organisation"),
        ("hxxp:\\\\x\\@github.com/xenserver/x/archive/v1.tar.gz", "citrix-public-organisation"),
    ],
)
def test_a_word_curl_fetches_from_citrix_over_http_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str, rule: str
) -> None:
    assert_second_word_found(tmp_path, capsys, word, rule)


class _Proxy:
    """A proxy on 127.0.0.1 that records the first line of each request and refuses it: where
    curl would go, without the network."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with self.sock:
            conn, _ = self.sock.accept()
            with conn:
                self.lines.append(conn.makefile("rb").readline().decode("latin-1").strip())
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def test_curl_takes_one_slash_after_any_scheme() -> None:
    """The authority: curl reads ``ftps:/`` (one to three slashes after a scheme it knows) as
    ``ftps://``, the host after the ``@``; through a proxy it asks for a tunnel there."""
    assert shutil.which("curl"), "scripts/test installs curl"
    proxy = _Proxy()
    url = "ftps:/decoy.invalid@127.0.0.2/y.tgz"
    command = ["curl", "-sS", "--globoff", "--max-time", "20", "-x", f"http://127.0.0.1:{proxy.port}", url]
    subprocess.run(command, capture_output=True, check=False, timeout=60)
    proxy.thread.join(timeout=30)
    assert proxy.lines == ["CONNECT 127.0.0.2:990 HTTP/1.1"]


@pytest.mark.parametrize(
    ("word", "rule"),
    [
        ("ftps:/example.org:pw@citrix.com/dl/x.tgz", "citrix-corporate-host"),
        ("sftp:/example.org@github.com/xenserver/x/archive/v1.tar.gz", "citrix-public-organisation"),
        # "://" in its query, but no scheme to curl: http://file:x;@code.citrite.net/y.tgz?...
        ("file:x;@code.citrite.net/y.tgz?u=http://example.org/", "citrix-internal-host"),
    ],
)
def test_a_word_curl_reads_with_a_scheme_of_its_own_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str, rule: str
) -> None:
    assert_second_word_found(tmp_path, capsys, word, rule)


def test_a_source_written_as_a_user_a_host_and_a_path_names_the_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm takes ``user@code.citrite.net/y.tgz`` alone for a file name, but it says where the file
    was taken from as ``git@github.com:xenserver/x.git`` does, and curl reads it so."""
    spec = write_spec(tmp_path, "guessed", "Source1: user@code.citrite.net/y.tgz")
    code, report, err = scan_report(capsys, spec)
    found = {(p["kind"], f["rule"]) for p in report["packages"] for f in p["findings"]}
    assert ("source", "citrix-internal-host") in found, err
    assert code == 1


@pytest.mark.parametrize(
    "url",
    ["a:b@code.citrite.net/x", "example.org\\\\@code.citrite.net/x", "x:example.org;@code.citrite.net/"],
)
def test_a_url_tag_curl_fetches_with_its_guess_names_the_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A URL tag is read as its Source would be: the host curl fetches it from, handed it."""
    spec = write_spec(tmp_path, "guessed", f"URL: {url}")
    code, report, err = scan_report(capsys, spec)
    found = {(p["kind"], f["rule"], f["field"]) for p in report["packages"] for f in p["findings"]}
    assert ("binary", "citrix-internal-host", "url") in found, err
    assert code == 1


def test_rpmbuild_hands_curl_a_word_that_is_an_option(tmp_path: Path) -> None:
    """The authority: a word starting with ``-`` is an option to curl, which rpmbuild's URL helper
    hands every word: ``--connect-to`` fetches decoy.invalid's file from the host it names."""
    assert shutil.which("rpmbuild"), "scripts/test installs rpm"
    assert shutil.which("curl"), "scripts/test installs curl"
    (tmp_path / "a.tgz").write_text("a\n")
    with LocalServer(tmp_path) as server:
        port = server.port
        words = f"http://decoy.invalid:{port}/a.tgz --connect-to decoy.invalid:{port}:127.0.0.1:{port}"
        spec = write_spec(tmp_path, "option", f"Source0: {words}")
        done = rpmbuild_fetches(tmp_path, spec)
        assert "/a.tgz" in server.paths(), done.stderr


@pytest.mark.parametrize(
    "option", ["--connect-to example.org:443:code.citrite.net:443", "-x", "-K", "--next"]
)
def test_a_word_curl_takes_for_an_option_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """Where curl fetches from once handed an option is not the URL's to say: a gap, not clean."""
    spec = write_spec(tmp_path, "option", f"Source0: https://example.org/a.tgz {option}")
    _code, report, err = scan_report(capsys, spec)
    [source] = [p for p in report["packages"] if p["kind"] == "source"]
    assert [gap["kind"] for gap in source["gaps"]] == ["url-without-host"], err
