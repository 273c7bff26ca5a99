"""Remote repositories, .repo files and URL resolution, over real HTTP on 127.0.0.1.

Every test runs with a resolver guard: a DNS lookup of anything but 127.0.0.1 fails and
is recorded, so a test also proves which hosts the auditor never tried to reach.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import socket
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jsonschema
import pytest

from auditor.cli.main import main
from auditor.sources.inputpaths import SOURCE_DIRECTORIES
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import DATA, RPMS, errors_of, primary_of, rewrite_primary
from tests.httpserver import LocalServer, redirect, sequence, slow, status, truncated
from tests.paths import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(autouse=True)
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Host names the auditor tried to resolve; only 127.0.0.1 resolves."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        seen.append(name)
        if name not in LOCAL_HOSTS:
            raise socket.gaierror(socket.EAI_NONAME, f"the test refuses to resolve {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return seen


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def scan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(["scan", *args, "--format", "json"], capsys)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return code, document, err


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A report without what names where the inputs were: paths, URLs, locations."""
    result = copy.deepcopy(document)
    for key in ("options", "inputs", "warnings", "config_findings"):
        result.pop(key, None)
    for package in result["packages"]:
        package.pop("location")
        package.pop("input")
    return result


def one_line_error(err: str, *needles: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.startswith("auditor: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- a remote repository is the same repository ---------------------------------------------


def test_remote_result_equals_local_result_and_second_run_fetches_only_repomd(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], lookups: list[str]
) -> None:
    url = server.url("/repo/")
    local_code, local, _ = scan_json([str(DATA / "repo")], capsys)
    code, remote, err = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert (code, errors_of(err)) == (local_code, [])
    assert comparable(remote) == comparable(local)
    epochs = next(p for p in remote["packages"] if p["name"] == "epochs")
    assert epochs["location"] == url + "Packages/epochs-1.2-4.noarch.rpm"
    assert epochs["input"] == url
    assert remote["inputs"] == [
        {
            "path": url,
            "kind": "repository",
            "packages": len(remote["packages"]),
            "revision": "1",
            "filelists": True,
        }
    ]
    first = server.paths()
    # Its binaries' sources are not among the inputs: the source repositories a distribution
    # would keep beside it are looked for (none is there: quietly), on the same server only.
    probes = sorted(f"/{name}/repodata/repomd.xml" for name in SOURCE_DIRECTORIES)
    assert sorted(path for path in first if path in probes) == probes
    metadata = [path for path in first if not path.endswith(".rpm") and path not in probes]
    # primary_db and filelists_db too: yum 3 reads them instead of the XML, so they are compared.
    assert sorted(metadata) == sorted(
        ["/repo/repodata/repomd.xml", "/" + str(primary_of(DATA / "repo").relative_to(DATA)), *[
            "/repo/repodata/" + p.name for p in (DATA / "repo" / "repodata").glob("*-filelists.xml.gz")
        ], *["/repo/repodata/" + p.name for p in (DATA / "repo" / "repodata").glob("*-primary.sqlite.bz2")], *[
            "/repo/repodata/" + p.name for p in (DATA / "repo" / "repodata").glob("*-filelists.sqlite.bz2")
        ]]
    )  # fmt: skip
    # The headers repodata lacks (signing keys: the default policy has a rule on them) are read
    # by range, never a whole package.
    packages = [(path, headers) for _verb, path, headers in server.requests if path.endswith(".rpm")]
    assert packages and all(headers.get("range", "").startswith("bytes=") for _path, headers in packages)
    server.requests.clear()
    code, again, _ = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert code == local_code and comparable(again) == comparable(local)
    assert sorted(server.paths()) == sorted(["/repo/repodata/repomd.xml", *probes])
    assert set(lookups) <= LOCAL_HOSTS


def _header_requests(server: LocalServer) -> list[str]:
    return [path for _verb, path, _headers in server.requests if path.endswith(".rpm")]


def _first_run_then_no_header_files(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], int, dict[str, Any]]:
    """A first run that reads the headers; then the download cache's copies of them removed,
    and the server's log cleared: what a second run takes can only come from the store."""
    url = server.url("/repo/")
    code, first, _ = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert _header_requests(server)
    for name in ("headers.sqlite3", "headers.sqlite3-wal", "headers.sqlite3-shm"):
        (cache / name).unlink(missing_ok=True)
    server.requests.clear()
    return [url, "--cache-dir", str(cache)], code, first


def test_a_second_run_takes_what_the_headers_gave_from_the_store(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The models the headers gave are in the store: the next run neither fetches a header nor
    reads one from the download cache, and reports the same."""
    args, code, first = _first_run_then_no_header_files(server, cache, capsys)
    again_code, again, err = scan_json(args, capsys)
    assert (again_code, errors_of(err)) == (code, [])
    assert again["packages"] == first["packages"]
    assert _header_requests(server) == []
    # Without the store, the headers are fetched again, to the same report.
    _, uncached, _ = scan_json([*args, "--no-cache"], capsys)
    assert uncached["packages"] == first["packages"]
    assert _header_requests(server)


def test_a_damaged_stored_header_model_is_dropped_and_the_header_read_again(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    args, code, first = _first_run_then_no_header_files(server, cache, capsys)
    with sqlite3.connect(cache / "auditor.sqlite3") as db:
        db.execute("UPDATE packages SET data = ?", (b"not a model",))
    again_code, again, err = scan_json(args, capsys)
    assert (again_code, again["packages"]) == (code, first["packages"])
    assert "damaged package entries were dropped" in err
    assert _header_requests(server)


def test_a_header_read_with_a_false_file_size_is_not_kept_in_the_cache(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that once claims a byte less than the file's size in its Content-Range: the
    header read then is whole, but the file it belongs to is a truncated RPM (an input error);
    once the server is fixed, the next run with the same cache reads it again, instead of the
    cached header (and size) of the run that was lied to."""
    path = "/repo/Packages/epochs-1.2-4.noarch.rpm"
    data = (DATA / "repo" / "Packages" / "epochs-1.2-4.noarch.rpm").read_bytes()

    def a_byte_short(handler: Any, method: str) -> None:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range") or "")
        assert match is not None
        start = int(match.group(1))
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        headers = {"Content-Range": f"bytes {start}-{end}/{len(data) - 1}"}
        handler.answer(206, data[start : end + 1], headers, method)

    url = server.url("/repo/")
    server.routes[path] = a_byte_short
    _, _, err = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert "epochs-1.2-4.noarch.rpm: truncated RPM" in err
    del server.routes[path]
    _, again, err = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert "truncated" not in err and "corrupt" not in err and again["errors"] == []


@pytest.mark.parametrize(
    "claimed",
    [
        "{start}-{end}/99999999999999999999999",  # no file is that large: it ended the run (exit 4)
        "{start}-{end}/5",  # a range that ends past the file it claims to be part of
        "{start}-{end}/{end}",  # a range whose last byte is the file's size: one past its end
        "{after}-{end}/{size}",  # a range that is not the one asked for
    ],
)
def test_a_content_range_no_file_can_have_is_an_error_on_its_package_only(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], claimed: str
) -> None:
    path = "/repo/Packages/epochs-1.2-4.noarch.rpm"
    data = (DATA / "repo" / "Packages" / "epochs-1.2-4.noarch.rpm").read_bytes()

    def impossible(handler: Any, method: str) -> None:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range") or "")
        assert match is not None
        start = int(match.group(1))
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        value = claimed.format(start=start, end=end, after=start + 1, size=len(data))
        handler.answer(206, data[start : end + 1], {"Content-Range": f"bytes {value}"}, method)

    server.routes[path] = impossible
    code, document, err = scan_json([server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3 and "Traceback" not in err
    [line] = [line for line in errors_of(err) if "auditor: error:" in line]
    assert line.startswith(f"auditor: error: {server.url(path)}: bad Content-Range for bytes 0-"), line
    # The other packages' headers were read, and their findings stand.
    xs = next(p for p in document["packages"] if p["name"] == "xs-sources-devel")
    assert xs["status"] == "origin"


def test_offline_uses_the_warm_cache_with_the_server_stopped(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/repo/")
    online_code, online, _ = scan_json([url, "--cache-dir", str(cache)], capsys)
    server.stop()
    code, offline, err = scan_json([url, "--cache-dir", str(cache), "--offline"], capsys)
    assert (code, errors_of(err)) == (online_code, [])
    assert offline == online


def test_a_bad_repomd_leaves_offline_the_last_good_copy(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One online run that gets a page of HTML for repomd.xml fails (exit 3), and does not
    replace the copy a later --offline run reads."""
    url = server.url("/repo/")
    online_code, online, _ = scan_json([url, "--cache-dir", str(cache)], capsys)
    server.routes["/repo/repodata/repomd.xml"] = status(200, b"<html><body>sign in</body></html>")
    code, _, err = run(["scan", url, "--cache-dir", str(cache)], capsys)
    assert code == 3 and "repomd.xml" in one_line_error(err)
    code, offline, err = scan_json([url, "--cache-dir", str(cache), "--offline"], capsys)
    assert (code, errors_of(err)) == (online_code, [])
    assert offline["packages"] == online["packages"]


def test_offline_with_a_cold_cache_is_exit_3_naming_the_url(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/repo/")
    code, _, err = run(["scan", url, "--cache-dir", str(cache), "--offline"], capsys)
    assert code == 3
    one_line_error(err, url + "repodata/repomd.xml", "--offline")
    assert server.requests == []


def test_a_corrupt_cache_entry_is_fetched_again_with_a_warning(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/repo/")
    expected_code, expected, _ = scan_json([url, "--cache-dir", str(cache)], capsys)
    digest = primary_of(DATA / "repo").name.split("-")[0]
    blob = next(cache.rglob(digest))
    blob.write_bytes(b"not what repomd.xml promised")
    code, document, err = scan_json([url, "--cache-dir", str(cache)], capsys)
    assert code == expected_code and comparable(document) == comparable(expected)
    assert "auditor: warning:" in err and "corrupt" in err and "auditor: error" not in err
    assert blob.read_bytes() == primary_of(DATA / "repo").read_bytes()


def test_concurrent_runs_share_the_cache(server: LocalServer, cache: Path) -> None:
    from auditor.audit.options import AuditOptions
    from auditor.engine import run_audit
    from auditor.net.options import RemoteOptions
    from auditor.origin.policy import load_policy

    options = AuditOptions((server.url("/repo/"),), remote=RemoteOptions(cache_dir=str(cache)))
    policy = load_policy()
    outcomes: list[Any] = []

    def audit() -> None:
        outcomes.append(run_audit(options, policy))

    threads = [threading.Thread(target=audit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 4 and all(not result.errors for result in outcomes)
    assert len({len(result.packages) for result in outcomes}) == 1
    assert not list(cache.rglob(".tmp-*"))  # every temporary file renamed or removed


# -- HTTP failures: one line naming the URL, exit 3 ------------------------------------------


def test_404_is_an_input_error_naming_the_url(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/missing/")
    code, out, err = run(
        ["scan", url, str(RPMS / "epochs-1.2-4.noarch.rpm"), "--cache-dir", str(cache)], capsys
    )
    assert code == 3 and "epochs" in out  # the other input is still audited
    one_line_error(err, url + "repodata/repomd.xml", "404")
    assert server.paths() == ["/missing/repodata/repomd.xml"]  # a 404 is not retried


def test_500_then_200_is_retried(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], www: Path
) -> None:
    repomd = (www / "repo" / "repodata" / "repomd.xml").read_bytes()
    server.routes["/repo/repodata/repomd.xml"] = sequence(
        status(500), lambda handler, method: handler.answer(200, repomd, method=method)
    )
    code, _, err = scan_json([server.url("/repo/"), "--cache-dir", str(cache), "--fail-on", "none"], capsys)
    assert (code, errors_of(err)) == (0, [])
    assert server.paths().count("/repo/repodata/repomd.xml") == 2


def test_5xx_gives_up_after_three_attempts(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/repo/repodata/repomd.xml"] = status(503)
    code, _, err = run(["scan", server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, "repomd.xml", "503", "after 3 attempts")
    assert server.paths().count("/repo/repodata/repomd.xml") == 3


def test_a_slow_answer_times_out(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/repo/repodata/repomd.xml"] = slow(2.0)
    code, _, err = run(
        ["scan", server.url("/repo/"), "--cache-dir", str(cache), "--timeout", "2,0.3"], capsys
    )
    assert code == 3
    one_line_error(err, server.url("/repo/repodata/repomd.xml"), "within 0.3 s", "after 3 attempts")


def test_a_truncated_body_is_refused(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    primary = primary_of(DATA / "repo")
    path = "/repo/repodata/" + primary.name
    server.routes[path] = truncated(primary.read_bytes())
    code, _, err = run(["scan", server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, server.url(path), "truncated")
    assert not list(cache.rglob(primary.name.split("-")[0]))  # nothing half-written in the cache


def test_a_body_whose_checksum_does_not_match_is_refused(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], www: Path
) -> None:
    primary = primary_of(www / "repo")
    data = bytearray(primary.read_bytes())
    data[-10] ^= 0xFF  # same size, other bytes
    primary.write_bytes(bytes(data))
    code, _, err = run(["scan", server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, server.url("/repo/repodata/" + primary.name), "checksum mismatch")
    assert not list(cache.rglob(primary.name.split("-")[0]))


def test_a_body_larger_than_repomd_says_is_aborted(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], www: Path
) -> None:
    primary = primary_of(www / "repo")
    primary.write_bytes(primary.read_bytes() + b"\0" * 100_000)
    code, _, err = run(["scan", server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, primary.name, "ceiling")


def test_a_tls_failure_is_one_line_naming_the_url(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/repo/").replace("http://", "https://")  # TLS spoken to a plain-HTTP server
    code, _, err = run(["scan", url, "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, url + "repodata/repomd.xml", "TLS")


def test_a_redirect_loop_is_refused(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/loop/repodata/repomd.xml"] = redirect("/loop/a")
    server.routes["/loop/a"] = redirect(server.url("/loop/b"))
    server.routes["/loop/b"] = redirect("/loop/a")
    code, _, err = run(["scan", server.url("/loop/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, server.url("/loop/repodata/repomd.xml"), "redirect loop")


def test_too_many_redirects_are_refused(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/far/repodata/repomd.xml"] = redirect("/hop/1")
    for hop in range(1, 10):
        server.routes[f"/hop/{hop}"] = redirect(f"/hop/{hop + 1}")
    code, _, err = run(["scan", server.url("/far/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, "more than 5 redirects")
    assert "/hop/6" not in server.paths()


def test_a_redirect_to_file_is_refused(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/evil/repodata/repomd.xml"] = redirect("file:///etc/passwd")
    code, out, err = run(["scan", server.url("/evil/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, server.url("/evil/repodata/repomd.xml"), "file:///etc/passwd", "only http and https")
    assert "root:" not in out + err


def test_credentials_in_a_url_are_never_sent(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/repo/").replace("http://", "http://alice:secret@")
    code, _, err = scan_json([url, "--cache-dir", str(cache), "--fail-on", "none"], capsys)
    assert code == 0
    assert "never sent" in err and "secret" not in err
    for _method, _path, headers in server.requests:
        assert "authorization" not in headers and "cookie" not in headers


@pytest.mark.parametrize("report", ["json", "spdx"])
def test_credentials_in_a_url_are_never_reported(
    server: LocalServer, cache: Path, report: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Reports are published as CI artefacts: the inputs they list (the JSON's options, the SPDX
    # document's name) must not carry the password the URL was written with.
    url = server.url("/repo/").replace("http://", "http://alice:secret@")
    context = server.url("/repo/").replace("http://", "http://bob:hunter2@")
    args = ["scan", url, "--with", context, "--cache-dir", str(cache), "--fail-on", "none"]
    code, out, err = run([*args, "--format", report], capsys)
    assert code == 0
    assert server.url("/repo/") in out
    assert "secret" not in out + err and "hunter2" not in out + err


def test_a_cookie_the_server_sets_is_never_sent_back(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def with_cookie(handler: Any, method: str) -> None:
        body = (server.root / "repo" / "repodata" / "repomd.xml").read_bytes()
        handler.answer(200, body, {"Set-Cookie": "session=secret; Path=/"}, method)

    server.routes["/repo/repodata/repomd.xml"] = with_cookie
    code, _, _ = scan_json([server.url("/repo/"), "--cache-dir", str(cache), "--fail-on", "none"], capsys)
    assert code == 0
    assert len(server.requests) > 1
    for _method, _path, headers in server.requests:
        assert "cookie" not in headers


def test_a_redirect_whose_location_is_not_utf8_is_one_line_naming_the_url(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # http.server sends the header as Latin-1: "\xe9" goes out as one byte, never UTF-8.
    server.routes["/odd/repodata/repomd.xml"] = redirect("/caf\xe9/repodata/repomd.xml")
    code, _, err = run(["scan", server.url("/odd/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, server.url("/odd/repodata/repomd.xml"), "not UTF-8")


def test_a_redirect_to_a_location_that_is_no_url_is_one_line_naming_the_url(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/odd/repodata/repomd.xml"] = redirect("http://[::1/repodata/repomd.xml")
    code, _, err = run(["scan", server.url("/odd/"), "--cache-dir", str(cache)], capsys)
    assert code == 3  # not 4: what the server sent is an input's fault, not the auditor's
    one_line_error(err, server.url("/odd/repodata/repomd.xml"), "redirected to a Location that is not a URL")


def test_a_redirect_to_a_target_that_cannot_be_requested_names_the_url_asked_for(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/odd/repodata/repomd.xml"] = redirect("http://exa mple.org/repodata/repomd.xml")
    code, _, err = run(["scan", server.url("/odd/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    line = one_line_error(err, "redirected to http://exa mple.org/repodata/repomd.xml: not a valid URL")
    assert line.startswith(f"auditor: error: {server.url('/odd/repodata/repomd.xml')}: "), line


# -- repository configuration ------------------------------------------------------------------


def test_a_repo_file_points_at_citrix_and_at_a_reachable_repository(
    server: LocalServer, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lookups: list[str]
) -> None:
    config = tmp_path / "yum.conf"
    config.write_text(
        "[main]\ncachedir=/var/cache/yum\n\n"
        f"[local]\nname=Local\nbaseurl={server.url('/repo/')}\nenabled=1\ngpgcheck=0\n\n"
        "[xs-epel]\nname=EPEL through Citrix\n"
        "baseurl=https://repo.citrite.net/ctx-local-contrib/epel/$releasever/$basearch/\n"
        "gpgcheck=0\n"
    )
    code, document, err = scan_json([str(config), "--cache-dir", str(cache), "--releasever", "7"], capsys)
    assert code == 1
    assert "auditor: error" not in err and "repo.citrite.net" in err  # a warning: not read
    [finding] = document["config_findings"]
    assert finding["file"] == str(config) and finding["section"] == "xs-epel" and finding["key"] == "baseurl"
    assert finding["url"] == "https://repo.citrite.net/ctx-local-contrib/epel/7/x86_64/"
    assert finding["rule"] == "citrix-internal-host" and finding["blocking"] and finding["taints"]
    assert len(document["packages"]) == len(list((DATA / "repo" / "Packages").glob("*.rpm")))
    assert {item["kind"] for item in document["inputs"]} == {"repo-config", "repository"}
    assert all(p["input"] == server.url("/repo/") for p in document["packages"])
    assert "repo.citrite.net" not in lookups
    code, out, _ = run(["scan", str(config), "--cache-dir", str(cache), "--releasever", "7"], capsys)
    assert "xs-epel" in out and "repo.citrite.net" in out and "citrix-internal-host" in out
    # The enabled section was never contacted: what it would install is evidence not seen,
    # even where its finding does not block.
    not_read = {"reason": "repository-not-read", "count": 1}
    assert not document["completeness"]["complete"] and not_read in document["completeness"]["reasons"]
    ungated = [str(config), "--cache-dir", str(cache), "--releasever", "7", "--fail-on", "none"]
    code, document, _ = scan_json(ungated, capsys)
    assert code == 0 and not_read in document["completeness"]["reasons"]
    [gap] = [gap for gap in document["completeness"]["gaps"] if gap["rule"] == "gap:repository-not-read"]
    assert "[xs-epel]" in gap["capability"] and "repo.citrite.net" in gap["capability"]


def test_an_unreachable_policy_host_is_a_finding_even_without_releasever(
    server: LocalServer, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "build-env.cfg"  # recognised by content
    config.write_text(
        "[xs]\nbaseurl = https://repo.citrite.net/xs/$releasever/\n  https://bob:token@repo.citrite.net/mirror/\n"
    )
    code, document, err = scan_json([str(config), "--cache-dir", str(cache)], capsys)
    # The finding blocks; and since no repository could be read, nothing was audited: exit 3.
    assert code == 3 and all(finding["blocking"] for finding in document["config_findings"])
    assert {"reason": "nothing-audited", "count": 1} in document["completeness"]["reasons"]
    assert "token" not in err + json.dumps(document)  # credentials are neither sent nor reported
    assert [f["url"] for f in document["config_findings"]] == [
        "https://repo.citrite.net/xs/$releasever/",
        "https://repo.citrite.net/mirror/",
    ]
    assert document["errors"] == []


def test_an_unexpanded_variable_is_an_input_error_for_its_section(
    server: LocalServer, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "local.repo"
    config.write_text(f"[needs-version]\nbaseurl={server.url('/repo/')}$releasever/\n")
    code, _, err = run(["scan", str(config), "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(err, f"{config} [needs-version]", "$releasever", "--releasever")
    assert server.requests == []


def test_an_enabled_section_with_no_url_is_an_input_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "empty.repo"
    config.write_text("[empty]\nname=x\nenabled=1\nbaseurl=,\n")
    code, _, err = run(["scan", str(config), "--no-cache"], capsys)
    assert code == 3
    one_line_error(err, f"{config} [empty]", "no baseurl, mirrorlist or metalink")


def test_a_mirrorlist_is_tried_in_order_and_disabled_sections_are_not_read(
    server: LocalServer, cache: Path, tmp_path: Path, www: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "mirrors.txt").write_text(f"# mirrors\n{server.url('/gone/')}\n{server.url('/repo/')}\n")
    config = tmp_path / "mirrors.repo"
    config.write_text(
        f"[via-mirrors]\nmirrorlist={server.url('/mirrors.txt')}\n\n"
        "[off]\nbaseurl=https://code.citrite.net/off/\nenabled=0\n"
    )
    code, document, err = scan_json([str(config), "--cache-dir", str(cache), "--fail-on", "none"], capsys)
    assert code == 0 and "auditor: error" not in err
    assert document["packages"] and all(p["input"] == server.url("/repo/") for p in document["packages"])
    # The mirror read holds what it holds: that the first one failed is said, not forgotten.
    [fallback] = [line for line in err.splitlines() if "was read instead" in line]
    assert server.url("/gone/") in fallback and fallback.endswith(
        f"; {server.url('/repo/')} was read instead"
    )
    [disabled] = document["config_findings"]
    assert disabled["section"] == "off" and not disabled["taints"] and not disabled["blocking"]
    assert server.url("/gone/repodata/repomd.xml").endswith(server.paths()[1])


def test_the_variables_of_a_section_are_substituted_in_the_mirrors_its_mirrorlist_lists(
    server: LocalServer, cache: Path, tmp_path: Path, www: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo substitutes the section's variables in every mirror a mirrorlist or metalink
    lists (lr_lrmirror_new): dnf reads ``http://host/$tree/`` as ``http://host/repo/``. Read
    as written, the mirror was a 404 and the section an input error."""
    (www / "mirrors.txt").write_text(server.url("/$tree/") + "\n")
    config = tmp_path / "mirrors.repo"
    config.write_text(f"[via-mirrors]\nmirrorlist={server.url('/mirrors.txt')}\n")
    code, document, err = scan_json([str(config), "--cache-dir", str(cache), "--var", "tree=repo"], capsys)
    assert code == 1 and "auditor: error" not in err, err
    assert document["packages"] and all(p["input"] == server.url("/repo/") for p in document["packages"])


@pytest.mark.parametrize("where", ["remote", "local"])
def test_a_repomd_whose_primary_has_an_xml_base_elsewhere_is_refused(
    where: str, server: LocalServer, cache: Path, www: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo downloads a metadata file from its record's ``xml:base`` (``location_base``):
    dnf would fetch this primary from a Citrix host. It was ignored, the mirror's own copy read,
    and the run passed: a repository that depends on Citrix to be read at all, audited clean."""
    repomd = www / "repo" / "repodata" / "repomd.xml"
    text = repomd.read_text()
    based = re.sub(
        r'<location href="([^"]*-primary\.xml\.gz)"/>',
        r'<location xml:base="https://updates.xensource.com/xs/" href="\1"/>',
        text,
    )
    assert based != text
    repomd.write_text(based)
    target = server.url("/repo/") if where == "remote" else str(www / "repo")
    code, _, err = run(["scan", target, "--cache-dir", str(cache)], capsys)
    assert code == 3
    one_line_error(
        err, "repomd.xml points outside the repository", "xml:base https://updates.xensource.com/xs/"
    )
    assert not [path for path in server.paths() if "primary" in path]


# -- headers by range requests -----------------------------------------------------------------


def test_remote_headers_read_the_signing_key_without_payloads(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, err = scan_json(
        [server.url("/repo/"), "--cache-dir", str(cache), "--remote-headers"], capsys
    )
    assert "auditor: error" not in err
    signed = next(p for p in document["packages"] if p["name"] == "signed")
    assert (
        signed["signing_key"] == read_rpm_file(str(RPMS / "signed-1.0-1.noarch.rpm")).signing_key is not None
    )
    rpm_requests = [(path, headers) for method, path, headers in server.requests if path.endswith(".rpm")]
    assert rpm_requests and all("range" in headers for _path, headers in rpm_requests)
    size = (DATA / "repo" / "Packages" / "signed-1.0-1.noarch.rpm").stat().st_size
    last_byte = max(
        int(h["range"].rsplit("-", 1)[1]) for p, h in rpm_requests if p.endswith("signed-1.0-1.noarch.rpm")
    )
    assert last_byte < size - 100  # the payload was never asked for
    server.requests.clear()
    again_code, again, _ = scan_json(
        [server.url("/repo/"), "--cache-dir", str(cache), "--remote-headers"], capsys
    )
    assert (again_code, again) == (code, document)
    assert not [path for path in server.paths() if path.endswith(".rpm")]  # headers come from the cache


def test_remote_headers_give_source_urls_of_source_packages(
    server: LocalServer, cache: Path, www: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(DATA / "srpm-repo", www / "srpm-repo")
    url = server.url("/srpm-repo/")
    _, plain, _ = scan_json([url, "--cache-dir", str(cache), "--metadata-only"], capsys)
    _, headers, _ = scan_json([url, "--cache-dir", str(cache)], capsys)  # read by default
    before = next(p for p in plain["packages"] if p["name"] == "xs-sources")
    after = next(p for p in headers["packages"] if p["name"] == "xs-sources")
    assert "sources" in before and before["sources"] == []  # repodata carries no Source URLs
    # ... and --metadata-only says what it did not see.
    assert {"reason": "metadata-only", "count": len(plain["packages"])} in plain["completeness"]["reasons"]
    assert [s["value"] for s in after["sources"]][:2] == [
        "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs-sources/archive?at=v1.0&format=tar.gz&prefix=xs-sources-1.0#/xs-sources-1.0.tar.gz",
        "https://repo.citrite.net:443/ctx-local-contrib/xs-sources/extra-1.0.tar.gz",
    ]
    fields = {f["field"] for f in after["findings"]} - {f["field"] for f in before["findings"]}
    # Distribution: XenServer, header only; the gitsha Provides of its binaries, in its spec only.
    assert fields == {"source0", "source1", "distribution", "provides"}


def test_a_server_without_range_requests_is_said_once_and_skipped(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.ranges = False
    code, document, err = scan_json(
        [server.url("/repo/"), "--cache-dir", str(cache), "--remote-headers", "--fail-on", "none"], capsys
    )
    assert code == 0
    assert err.count("range requests") == 1 and "auditor: error" not in err
    assert all(p["signing_key"] is None for p in document["packages"])


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda data: (data, "application/x-rpm"), id="the-whole-file"),
        pytest.param(lambda data: (b"<!DOCTYPE html><html>log in</html>", "text/html"), id="a-login-page"),
    ],
)
def test_one_200_to_a_range_request_of_a_server_that_answers_ranges_is_that_packages_error(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], answer: Any
) -> None:
    """A server that answered range requests with 206, then one with 200 (an edge cache's
    whole file, a login page): that package's header is not read, an input error naming it;
    the host was not taken for one that ignores ranges, leaving every other header unread."""
    path = "/repo/Packages/signed-1.0-1.noarch.rpm"
    data = (DATA / "repo" / "Packages" / "signed-1.0-1.noarch.rpm").read_bytes()
    body, kind = answer(data)
    answered = threading.Event()

    def whole(handler: Any, method: str) -> None:
        # Answered once the client has finished a 206 of another package: its four workers
        # ask one header at a time each, so a fifth request means one of them was read.
        pause = threading.Event()  # never set: a wait that is a pause
        for _ in range(200):
            if sum(1 for p in server.paths() if p.endswith(".rpm") and p != path) >= 5:
                break
            pause.wait(0.05)
        answered.set()
        handler.answer(200, body, {"Content-Type": kind}, method)

    server.routes[path] = whole
    code, document, err = scan_json(
        [server.url("/repo/"), "--cache-dir", str(cache), "--retries", "0"], capsys
    )
    assert answered.is_set()
    assert code == 3 and "range requests" not in err
    line = one_line_error(err, server.url(path), "HTTP 200")
    assert "206" in line
    reasons = {item["reason"]: item["count"] for item in document["completeness"]["reasons"]}
    assert (reasons["input-error"], reasons["metadata-only"]) == (1, 1)
    # Every other header was asked for, and read.
    files = {f"/repo/Packages/{file.name}" for file in (DATA / "repo" / "Packages").glob("*.rpm")}
    assert {unquote(p) for p in server.paths() if p.endswith(".rpm")} == files


def test_a_host_whose_requests_keep_failing_is_asked_no_more(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that stopped answering its package files (every header a 500 here; a stall
    costs a read window each, four at a time: hours for a repository of thousands): after
    `HttpSettings.host_failures` failures in a row the others are not requested, and each is
    still an error naming it, with its gap."""
    files = sorted((DATA / "repo" / "Packages").glob("*.rpm"))
    for file in files:
        server.routes[f"/repo/Packages/{quote(file.name)}"] = status(500)
    code, document, err = scan_json(
        [server.url("/repo/"), "--cache-dir", str(cache), "--retries", "0"], capsys
    )
    asked = [path for path in server.paths() if path.endswith(".rpm")]
    # At most the limit, and the requests the three other workers had in flight.
    assert code == 3 and len(asked) <= 8 + 3, asked
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert len(errors) == len(files) and len(document["errors"]) == len(files)
    pattern = re.compile(
        r": not requested: the last \d+ requests to 127\.0\.0\.1:\d+ failed, the last with: HTTP 500"
    )
    refused = [line for line in errors if pattern.search(line)]
    assert len(refused) >= len(files) - 11, err
    assert all(package["gaps"] for package in document["packages"])


# -- following the URLs packages carry --------------------------------------------------------


@pytest.fixture
def url_repo(server: LocalServer, www: Path) -> str:
    """A repository whose packages' URL tags point at redirects on the test server: in its
    metadata only (their files say otherwise, an input error unless scanned --metadata-only)."""
    shutil.copytree(DATA / "repo", www / "urls")

    def edit(xml: str) -> str:
        xml = xml.replace("https://fixtures.example.org/epochs", server.url("/go/epochs"))
        xml = xml.replace("https://github.com/xapi-project/nospec", server.url("/go/clean"))
        return xml.replace("https://github.com/xapi-project/xs-sources", server.url("/go/loop"))

    rewrite_primary(www / "urls", edit)
    server.routes["/go/epochs"] = redirect("/go/hop")
    server.routes["/go/hop"] = redirect("http://code.citrite.net/rest/archive/epochs.tar.gz", 301, head=405)
    server.routes["/go/clean"] = redirect(server.url("/landing"))
    server.routes["/landing"] = status(200, b"hello")
    server.routes["/go/loop"] = redirect("/go/loop2")
    server.routes["/go/loop2"] = redirect("/go/loop")
    return server.url("/urls/")


def test_a_redirect_chain_to_a_policy_host_is_a_finding_and_the_host_is_never_contacted(
    server: LocalServer, url_repo: str, cache: Path, capsys: pytest.CaptureFixture[str], lookups: list[str]
) -> None:
    code, document, err = scan_json(
        [url_repo, "--metadata-only", "--cache-dir", str(cache), "--resolve-urls"], capsys
    )
    epochs = next(p for p in document["packages"] if p["name"] == "epochs")
    [finding] = [f for f in epochs["findings"] if f["field"] == "url"]
    assert finding["value"] == (
        f"{server.url('/go/epochs')} -> {server.url('/go/hop')} -> http://code.citrite.net/rest/archive/epochs.tar.gz"
    )
    assert finding["rule"] == "citrix-internal-host" and "redirect" in finding["message"]
    assert epochs["status"] == "origin" and code == 1
    assert "code.citrite.net" not in lookups and set(lookups) <= LOCAL_HOSTS
    hop = [(method, headers.get("range")) for method, path, headers in server.requests if path == "/go/hop"]
    assert hop == [("HEAD", None), ("GET", "bytes=0-0")]  # HEAD refused: a one-byte GET instead
    nospec = next(p for p in document["packages"] if p["name"] == "nospec")
    assert not [f for f in nospec["findings"] if f["field"] == "url"]
    assert "redirect loop" in err and "auditor: error" not in err
    # Where the looping URL leads is unseen: a gap of the run, which --strict fails on.
    assert {"reason": "url-not-followed", "count": 1} in document["completeness"]["reasons"]
    [gap] = [gap for gap in document["completeness"]["gaps"] if gap["rule"] == "gap:url-not-followed"]
    assert server.url("/go/loop") in gap["capability"] and "redirect loop" in gap["capability"]
    # Cached for a day: a second run makes no request for the URLs it followed.
    server.requests.clear()
    _, again, _ = scan_json(
        [url_repo, "--metadata-only", "--cache-dir", str(cache), "--resolve-urls"], capsys
    )
    assert next(p for p in again["packages"] if p["name"] == "epochs")["findings"] == epochs["findings"]
    assert not [path for path in server.paths("HEAD") if path in ("/go/epochs", "/go/hop", "/go/clean")]


def test_a_default_run_follows_no_url(
    server: LocalServer, url_repo: str, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_json([url_repo, "--metadata-only", "--cache-dir", str(cache)], capsys)
    assert not [path for _method, path, _headers in server.requests if path.startswith(("/go/", "/landing"))]


def test_a_binary_inherits_the_redirect_finding_of_its_source_package(
    server: LocalServer, cache: Path
) -> None:
    from auditor.audit.options import AuditOptions
    from auditor.audit.pipeline import audit_packages
    from auditor.net.options import HttpSettings, RemoteOptions
    from auditor.net.remote import Remote
    from auditor.origin.policy import load_policy
    from auditor.origin.redirects import UrlResolver, policy_guard
    from auditor.sources.interface import LoadResult
    from auditor.sources.load import load_inputs

    server.routes["/src"] = redirect("https://github.com/xenserver/blktap/archive/v1.tar.gz")
    policy = load_policy()
    quick = HttpSettings(backoff=0.01)  # the SRPM's other URLs are on hosts the test cannot resolve
    remote = Remote(RemoteOptions(http=quick, cache_dir=str(cache)), policy_guard(policy))
    loaded = load_inputs([str(RPMS / "epochs-1.2-4.src.rpm"), str(RPMS / "epochs-1.2-4.noarch.rpm")])
    from dataclasses import replace

    source = next(p for p in loaded.packages if p.is_source)
    loaded.packages[loaded.packages.index(source)] = replace(source, url=server.url("/src"))
    resolver = UrlResolver(policy, remote)
    audit = audit_packages(
        AuditOptions(("x",)), policy, loaded, LoadResult(), extra_findings=resolver.findings
    )
    binary = next(r for r in audit.results if not r.package.is_source)
    [finding] = binary.findings
    assert finding.rule == "citrix-public-organisation" and finding.inherited_from == "epochs-3:1.2-4.src"
    assert "github.com/xenserver" in finding.value


def test_resolved_chains_expire_after_a_day_and_follow_the_policy(server: LocalServer, cache: Path) -> None:
    import time

    from auditor.net.cache import url_key
    from auditor.net.options import RemoteOptions
    from auditor.net.remote import Remote
    from auditor.origin.policy import load_policy
    from auditor.origin.redirects import UrlResolver, policy_guard

    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = status(200)
    policy = load_policy()
    resolver = UrlResolver(policy, Remote(RemoteOptions(cache_dir=str(cache)), policy_guard(policy)))
    assert resolver.resolve(server.url("/a")).hops == (server.url("/a"), server.url("/b"))
    assert server.paths("HEAD") == ["/a", "/b"]
    resolver.resolve(server.url("/a"))
    assert server.paths("HEAD") == ["/a", "/b"]  # from the cache
    entry = cache / "redirects" / "sha256" / url_key(server.url("/a"))
    record = json.loads(entry.read_text())
    entry.write_text(json.dumps({**record, "time": time.time() - 2 * 24 * 3600}))
    resolver.resolve(server.url("/a"))
    assert server.paths("HEAD") == ["/a", "/b", "/a", "/b"]  # a day old: followed again
    # A cached chain stopped on a host the current policy no longer names is not trusted.
    stopped = {
        **record,
        "hops": [server.url("/a"), "https://code.citrite.net/x"],
        "stopped": True,
        "time": time.time(),
    }
    entry.write_text(json.dumps(stopped))
    assert resolver.resolve(server.url("/a")).stopped
    empty = load_policy(default=False)
    other = UrlResolver(empty, Remote(RemoteOptions(cache_dir=str(cache)), policy_guard(empty)))
    assert other.resolve(server.url("/a")).hops == (server.url("/a"), server.url("/b"))


# -- every command reads through the run's one network session ---------------------------------


def test_check_against_a_url_honours_offline_timeouts_and_the_policy_guard(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], lookups: list[str]
) -> None:
    """``check --against URL`` once read its base without the run's network session: no guard,
    default timeouts, and --offline ignored. Each of the three is checked here."""
    new = str(RPMS / "single-deps-1.0-1.noarch.rpm")
    url = server.url("/repo/")
    code, _, err = run(["check", new, "--against", url, "--cache-dir", str(cache), "--offline"], capsys)
    assert code == 3 and server.requests == []
    one_line_error(err, url + "repodata/repomd.xml", "--offline")

    server.routes["/repo/repodata/repomd.xml"] = slow(2.0)
    code, _, err = run(
        ["check", new, "--against", url, "--cache-dir", str(cache), "--timeout", "2,0.3"], capsys
    )
    assert code == 3
    one_line_error(err, url + "repodata/repomd.xml", "within 0.3 s")

    citrix = "https://repo.citrite.net/xs/8.2/base/x86_64/"
    code, _, err = run(["check", new, "--against", citrix, "--cache-dir", str(cache)], capsys)
    assert "repo.citrite.net" in err and "not read" in err
    assert "repo.citrite.net" not in lookups


def test_remote_metadata_at_odds_with_a_files_header_is_an_input_error_and_the_header_judged(
    server: LocalServer, www: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As for a local repository: a Vendor the metadata whitewashed is the header's, and the
    package's URL an input error naming the disagreement."""
    rewrite_primary(www / "repo", lambda text: text.replace("Citrix Systems, Inc.", "Example"))
    code, document, err = scan_json([server.url("/repo/"), "--cache-dir", str(cache)], capsys)
    assert code == 3
    errors = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert errors == [
        f"auditor: error: {server.url(f'/repo/Packages/{name}-1.0-1.noarch.rpm')}: the file's header and "
        "the repository metadata disagree: vendor 'Citrix Systems, Inc.' in the header, 'Example' in the metadata"
        for name in ("xs-sources", "xs-sources-devel")
    ]
    judged = {p["name"]: (p["status"], p["vendor"]) for p in document["packages"]}
    assert judged["xs-sources"] == judged["xs-sources-devel"] == ("origin", "Citrix Systems, Inc.")


def test_a_local_path_that_looks_like_a_url_authority_is_reported_as_given() -> None:
    """Review 16: the credentials stripping took ``a@`` of the path ``//a@b/repo`` (the same
    directory as ``/a@b/repo`` to the system) for a user name and reported ``//b/repo``."""
    from auditor.reports.view import _shown_inputs

    assert _shown_inputs(["//a@b/repo", "/x@y/repo", "http://u:p@host/repo/"]) == (
        "//a@b/repo",
        "/x@y/repo",
        "http://host/repo/",
    )
