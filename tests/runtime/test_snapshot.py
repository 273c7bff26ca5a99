"""A run looks at each directory and each file once; a new run looks again."""

from __future__ import annotations

import collections
import os
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import file_identity
from tests.conftest import RPMS
from tests.paths import ROOT


def test_a_listing_is_the_first_look_until_a_new_snapshot(tmp_path: Path) -> None:
    for name in ("b.rpm", "a.rpm"):
        (tmp_path / name).write_bytes(b"")
    snapshot = FileSnapshot()
    assert [entry.name for entry in snapshot.listing(str(tmp_path))] == ["a.rpm", "b.rpm"]
    (tmp_path / "c.rpm").write_bytes(b"")
    assert [entry.name for entry in snapshot.listing(str(tmp_path))] == ["a.rpm", "b.rpm"]
    assert [entry.name for entry in FileSnapshot().listing(str(tmp_path))] == ["a.rpm", "b.rpm", "c.rpm"]


def test_an_identity_is_the_first_look_and_a_failed_look_is_not_kept(tmp_path: Path) -> None:
    path = str(tmp_path / "x.rpm")
    snapshot = FileSnapshot()
    with pytest.raises(FileNotFoundError):
        snapshot.identity(path)
    Path(path).write_bytes(b"one")
    first = snapshot.identity(path)
    assert first == file_identity(path)
    Path(path).write_bytes(b"longer now")
    assert snapshot.identity(path) == first
    assert FileSnapshot().identity(path) == file_identity(path) != first


def test_one_scan_of_a_repository_stats_each_package_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replay key takes every file's identity, and the reader keys each RPM file read in
    the store by the same identity: one stat serves both. A second run (which replays the
    report) looks at the files again, as it must, to see whether they changed."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "xcp-ng-mini" / "repo", repo)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "Packages" / "stray.rpm")
    stats: collections.Counter[str] = collections.Counter()
    real_stat = os.stat

    def counted(path: str | os.PathLike[str] | int, *args: object, **kwargs: object) -> os.stat_result:
        if isinstance(path, str) and path.endswith(".rpm"):
            stats[path] += 1
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counted)
    args = ["scan", str(repo), "--format", "json", "-o", str(tmp_path / "report.json"), "--fail-on", "none"]
    assert main(args) == 0
    package_files = {str(path) for path in (repo / "Packages").glob("*.rpm")}
    assert set(stats) == package_files and set(stats.values()) == {1}
    assert "file-outside-metadata" in (tmp_path / "report.json").read_text()
    stats.clear()
    assert main(args) == 0
    assert set(stats) == package_files and set(stats.values()) == {1}
