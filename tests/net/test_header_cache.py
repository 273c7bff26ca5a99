"""The headers read by range are kept in one SQLite file of the download cache, over real HTTP
on 127.0.0.1.

They were one file each: 4,000 headers made 8,000 directory entries a run (a temporary file,
then its rename), a fifth of a cold scan's CPU. What the files gave must hold for the rows:
any later run reads them (``--offline``, ``--no-cache``), two runs sharing the cache never
see half of one, a corrupt one is fetched again, unused ones are dropped after 30 days, and
the header memory budget holds a cached header as it holds a fetched one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.cli.main import main
from auditor.engine import run_audit
from auditor.net.headercache import HeaderCache, spec_key
from auditor.net.options import RemoteOptions
from auditor.origin.policy import load_policy
from tests.conftest import errors_of
from tests.httpserver import LocalServer
from tests.paths import ROOT

A_MONTH_AGO = 31 * 24 * 3600
"""Past the 30 days the README promises entries unused are kept."""


def scan(
    server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, dict[str, Any], list[str]]:
    args = ["scan", server.url("/repo/"), "--cache-dir", str(cache), "--format", "json", "--fail-on", "none"]
    code = main([*args, *more])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), errors_of(captured.err)


def header_requests(server: LocalServer) -> list[str]:
    return [path for _verb, path, _headers in server.requests if path.endswith(".rpm")]


def rows(cache: Path) -> dict[str, tuple[int, int]]:
    """The header cache's rows: when each was used, and its size."""
    with sqlite3.connect(cache / "headers.sqlite3") as db:
        found = db.execute("SELECT key, used, length(prefix) FROM headers").fetchall()
    return {key: (used, size) for key, used, size in found}


def test_headers_are_rows_of_one_file_that_offline_runs_without_the_store_read(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    code, online, err = scan(server, cache, capsys)
    fetched = header_requests(server)
    assert fetched and err == []
    assert len(rows(cache)) == len(set(fetched))
    assert not (cache / "headers").exists()  # no file per header
    # Without the store (a newer auditor drops its rows too), with the server gone: every
    # header comes from the cache, to the same report.
    server.stop()
    again_code, again, again_err = scan(server, cache, capsys, "--no-cache", "--offline")
    assert (again_code, again_err) == (code, [])
    assert again["packages"] == online["packages"]


def test_a_corrupt_cached_header_is_discarded_with_a_warning_and_fetched_again(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    _, online, _ = scan(server, cache, capsys)
    with sqlite3.connect(cache / "headers.sqlite3") as db:
        db.execute("UPDATE headers SET prefix = substr(prefix, 1, 200)")  # cut short
    server.requests.clear()
    _, again, err = scan(server, cache, capsys, "--no-cache")
    assert again["packages"] == online["packages"]
    assert err and all("the cached header was corrupt; discarded and fetched again" in line for line in err)
    assert len(header_requests(server)) == len(rows(cache))
    # What was fetched again replaced the corrupt rows.
    server.requests.clear()
    _, third, err = scan(server, cache, capsys, "--no-cache")
    assert (third["packages"], err, header_requests(server)) == (online["packages"], [], [])


def test_header_rows_unused_for_30_days_are_dropped_and_used_ones_kept(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    scan(server, cache, capsys)
    kept = rows(cache)
    then = int(time.time()) - A_MONTH_AGO
    with sqlite3.connect(cache / "headers.sqlite3") as db:
        db.execute("INSERT INTO headers VALUES ('gone', ?, 1, x'00')", (then,))
    os.utime(cache / ".pruned", (then, then))  # the last pruning, a month ago
    scan(server, cache, capsys)
    assert rows(cache).keys() == kept.keys()
    # A run that reads a header marks it used: a month later, it is still there.
    with sqlite3.connect(cache / "headers.sqlite3") as db:
        db.execute("UPDATE headers SET used = ?", (then,))
    scan(server, cache, capsys, "--no-cache", "--offline")
    assert all(used > then for used, _size in rows(cache).values())


def test_a_header_cache_that_is_not_a_database_is_set_aside_and_begun_again(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "headers.sqlite3").write_bytes(b"not a database" * 100)
    code, _, err = scan(server, cache, capsys, "--no-cache")
    assert (code, err) == (0, [])
    assert (cache / "headers.sqlite3.corrupt").read_bytes() == b"not a database" * 100
    assert len(rows(cache)) == len(set(header_requests(server)))


def test_two_runs_sharing_a_cache_at_once_leave_it_whole(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    args = [
        *(sys.executable, "-m", "auditor", "scan", server.url("/repo/")),
        *("--cache-dir", str(cache), "--no-cache", "--format", "json", "--fail-on", "none"),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    first, second = (json.loads(out) for out, _err in outputs)
    assert first["packages"] == second["packages"]
    assert all(errors_of(err) == [] for _out, err in outputs)
    server.stop()
    _, offline, err = scan(server, cache, capsys, "--no-cache", "--offline")
    assert (offline["packages"], err) == (first["packages"], [])


def test_a_cached_header_is_held_within_the_header_memory_budget(server: LocalServer, tmp_path: Path) -> None:
    """Its size is known before it is read: one larger than the whole budget is refused, as a
    fetched one is, and never loaded."""
    cache = str(tmp_path / "cache")
    policy = load_policy()
    run_audit(AuditOptions((server.url("/repo/"),), remote=RemoteOptions(cache_dir=cache)), policy)
    server.stop()
    options = RemoteOptions(cache_dir=cache, offline=True, header_memory=64)
    result = run_audit(AuditOptions((server.url("/repo/"),), remote=options, cache=False), policy)
    assert result.errors
    assert all(
        error.reason.startswith("its headers are ")
        and error.reason.endswith("bytes, more than the 64 bytes --remote-headers holds at once; not read")
        for error in result.errors
    )


def test_a_cache_the_run_may_only_read_still_gives_its_headers(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cache whose mode is set read-only on purpose: WAL cannot make its ``-shm`` file there,
    and every header was left unread (a metadata-only gap each), where the files were read.
    Root ignores modes: the cache is then nobody's, and read by a run made as ``nobody``."""
    as_root = os.geteuid() == 0
    setpriv = shutil.which("setpriv")
    if as_root and setpriv is None:
        pytest.skip("root ignores modes, and setpriv is not there to run as nobody")
    shared = Path(tempfile.mkdtemp(prefix="auditor-shared-cache-"))  # not under a 0700 tmp_path
    try:
        shared.chmod(0o755)
        cache = shared / "cache"
        _, online, _ = scan(server, cache, capsys)
        server.stop()
        for path in (cache, *cache.rglob("*")):
            if as_root:
                os.chown(path, 65534, 65534)  # nobody's cache, its mode set read-only on purpose
            if path.is_dir():
                path.chmod(0o555)
        command = [
            *(sys.executable, "-m", "auditor", "scan", server.url("/repo/"), "--cache-dir", str(cache)),
            *("--offline", "--no-cache", "--format", "json", "--fail-on", "none"),
        ]
        if as_root:
            assert setpriv is not None
            command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(shared)}
        child = subprocess.run(command, capture_output=True, text=True, env=env, cwd=shared, timeout=300)
        assert child.returncode == 0, child.stderr
        assert errors_of(child.stderr) == []
        assert json.loads(child.stdout)["packages"] == online["packages"]
    finally:
        for directory in (shared, *(path for path in shared.rglob("*") if path.is_dir())):
            directory.chmod(0o755)
        shutil.rmtree(shared)


def test_a_header_of_another_package_is_not_kept_and_the_server_put_right_is_read_again(
    www: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror caught mid-sync serves another package's file under a name: the run says it
    (an input error). Its header was kept by URL and checksum all the same (`overlay` said the
    error after the block that keeps it), and every later run said that error again from the
    cache, the server put right long since."""
    cache = tmp_path / "cache"
    _, online, _ = scan(server, tmp_path / "other-cache", capsys)
    packages = www / "repo" / "Packages"
    right = (packages / "epochs-1.2-4.noarch.rpm").read_bytes()
    shutil.copy(packages / "single-deps-1.0-1.noarch.rpm", packages / "epochs-1.2-4.noarch.rpm")
    code, _, err = scan(server, cache, capsys, "--no-cache")
    assert code == 3 and any("the file's header is single-deps-1.0-1.noarch" in line for line in err)
    (packages / "epochs-1.2-4.noarch.rpm").write_bytes(right)
    code, again, err = scan(server, cache, capsys, "--no-cache")
    assert (code, err, again["packages"]) == (0, [], online["packages"])


def test_a_cached_header_of_another_package_is_dropped_and_fetched_again(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row holding a whole, valid header of another package (a cache written by another
    hand) parses: it is the entry's package that shows it wrong, and the server is asked."""
    cache = tmp_path / "cache"
    _, online, _ = scan(server, cache, capsys)
    with sqlite3.connect(cache / "headers.sqlite3") as db:
        found = db.execute("SELECT key, total, prefix FROM headers ORDER BY key").fetchall()
        for (key, _, _), (_, total, prefix) in zip(found, [*found[1:], found[0]], strict=True):
            db.execute("UPDATE headers SET total = ?, prefix = ? WHERE key = ?", (total, prefix, key))
    server.requests.clear()
    code, again, err = scan(server, cache, capsys, "--no-cache")
    assert (code, err, again["packages"]) == (0, [], online["packages"])
    assert len(header_requests(server)) == len(found)


def test_a_cached_row_larger_than_the_budget_is_not_the_files_error(
    server: LocalServer, tmp_path: Path
) -> None:
    """A row past the header memory budget (written by another hand) made the package an input
    error, "its headers are N bytes", of a file whose header is a few KiB: online, the server
    says how large the header is, and the header is read."""
    cache = str(tmp_path / "cache")
    policy = load_policy()
    online = run_audit(AuditOptions((server.url("/repo/"),), remote=RemoteOptions(cache_dir=cache)), policy)
    budget = 1 << 20
    with sqlite3.connect(Path(cache) / "headers.sqlite3") as db:
        db.execute("UPDATE headers SET prefix = zeroblob(?)", (2 * budget,))
    options = RemoteOptions(cache_dir=cache, header_memory=budget)
    again = run_audit(AuditOptions((server.url("/repo/"),), remote=options, cache=False), policy)
    assert (again.errors, again.gaps) == ([], online.gaps)
    assert [package.nevra for package in again.packages] == [package.nevra for package in online.packages]


def test_keys_looked_up_at_once_answer_as_rows_asked_one_at_a_time(tmp_path: Path) -> None:
    """`HeaderCache.look_up` asks for many keys in one query (a cold run's misses cost a query
    each, a twentieth of its wall time); what it answers must stay what a query would: a row
    written or dropped by this run after it is seen, a row it found is read whole."""
    first = HeaderCache(str(tmp_path))
    first.put("kept", b"header", 100)
    first.put(spec_key("kept"), b"spec text", -1)
    first.flush()
    cache = HeaderCache(str(tmp_path))
    many = [f"absent-{n}" for n in range(2000)]  # past one query's keys
    cache.look_up(["kept", spec_key("kept"), "new", *many])
    assert (cache.size("kept"), cache.size("new"), cache.size(many[-1])) == (6, None, None)
    assert (cache.whole(spec_key("kept")), cache.whole("new")) == (b"spec text", None)
    assert cache.get("kept", 6) == (b"header", 100)
    cache.put("new", b"fetched", 7)
    assert (cache.size("new"), cache.whole("new")) == (7, b"fetched")  # pending
    cache.flush()
    assert (cache.size("new"), cache.whole("new")) == (7, b"fetched")  # written: in the file
    cache.look_up(["late"])
    other = HeaderCache(str(tmp_path))  # another run's, sharing the cache
    other.put("late", b"another run's", -1)
    other.flush()
    assert cache.whole("late") is None  # as look_up found it, while this repository is read
    cache.flush()  # its reading ended: the next repository asks again
    assert cache.whole("late") == b"another run's"
    cache.discard("kept")
    assert cache.size("kept") is None and HeaderCache(str(tmp_path)).size("kept") is None
    large = b"x" * (1 << 20)
    cache.look_up(["large"])
    cache.put("large", large, -1)  # written at once, never pending
    assert cache.whole("large") == large
