"""The download cache keeps what runs still use, and drops what no run has used for 30 days,
over real HTTP on 127.0.0.1.

Every new repomd.xml of a repository used to leave its old metadata (and the headers of its
old packages) in the cache for good: a runner auditing a repository that changes daily, or a
server that changes its metadata at each request, grew the cache by a repository a run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats.repomd import read_repomd
from tests.conftest import rewrite_primary
from tests.httpserver import LocalServer

A_MONTH_AGO = 31 * 24 * 3600
"""Past the 30 days the README promises entries unused are kept."""


def age_everything(cache: Path, seconds: float) -> None:
    """Make every file of the cache look last used ``seconds`` ago (the stamp of the last
    pruning too)."""
    then = time.time() - seconds
    for path in cache.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def primary_checksum(repo: Path, kind: str = "primary") -> str:
    repomd = repo / "repodata" / "repomd.xml"
    return read_repomd(str(repomd), str(repomd)).files[kind].checksum


def blobs(cache: Path) -> set[str]:
    return {path.name for path in (cache / "blobs").rglob("*") if path.is_file()}


def scan(server: LocalServer, cache: Path, capsys: pytest.CaptureFixture[str], *more: str) -> int:
    code = main(["scan", server.url("/repo/"), "--cache-dir", str(cache), "--fail-on", "none", "-q", *more])
    capsys.readouterr()
    return code


def test_metadata_no_run_has_used_for_30_days_is_dropped_and_what_is_used_kept(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert scan(server, cache, capsys) == 0
    old_primary = primary_checksum(www / "repo")
    old_database = primary_checksum(www / "repo", "primary_db")  # yum's copy, compared with it
    assert {old_primary, old_database} <= blobs(cache)
    # The new primary.xml comes without a database (`rewrite_primary`): the old one is unused too.
    rewrite_primary(www / "repo", lambda text: text.replace("<summary>", "<summary>new: ", 1))
    new_primary = primary_checksum(www / "repo")
    assert new_primary != old_primary
    assert scan(server, cache, capsys) == 0
    used = blobs(cache) - {old_primary, old_database}
    assert new_primary in used
    # A month on, nobody has read the old primary; the run reads the rest, which is kept.
    age_everything(cache, A_MONTH_AGO)
    assert scan(server, cache, capsys) == 0
    assert blobs(cache) == used
    # An offline run never drops what it may need, however old.
    age_everything(cache, A_MONTH_AGO)
    cached = sorted(path for path in cache.rglob("*") if path.is_file() and path.parent != cache)
    assert scan(server, cache, capsys, "--offline") == 0
    assert sorted(path for path in cache.rglob("*") if path.is_file() and path.parent != cache) == cached
