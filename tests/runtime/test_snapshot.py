"""A run looks at each directory and each file once; a new run looks again."""

from __future__ import annotations

import collections
import json
import os
import shutil
from pathlib import Path

import pytest

from auditor.cli import replay
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


def test_a_file_that_changes_during_the_run_is_stored_under_no_identity_it_did_not_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release symlink moves from A to B after the run's first look (the replay key) and
    back: the run audits B, as it read it, but neither B's model nor the report may be
    stored under A's identity, or every later run on A would be told B."""
    for name, fixture in (("A", "epochs-1.2-4.noarch.rpm"), ("B", "signed-1.0-1.noarch.rpm")):
        (tmp_path / name).mkdir()
        shutil.copy(RPMS / fixture, tmp_path / name / "pkg.rpm")
    (tmp_path / "scan").mkdir()
    link = tmp_path / "scan" / "pkg.rpm"
    link.symlink_to(tmp_path / "A" / "pkg.rpm")

    def point_to(name: str) -> None:
        link.unlink()
        link.symlink_to(tmp_path / name / "pkg.rpm")

    def scanned(*extra: str) -> list[str]:
        out = tmp_path / "report.json"
        assert main(["scan", str(tmp_path / "scan"), "--format", "json", "-o", str(out), *extra]) in (0, 1)
        return [package["nevra"] for package in json.loads(out.read_text())["packages"]]

    first_look = replay.Replay.hit

    def moved_after_the_first_look(self: replay.Replay) -> bool:
        found = first_look(self)
        point_to("B")
        return found

    with monkeypatch.context() as moving:
        moving.setattr(replay.Replay, "hit", moved_after_the_first_look)
        assert scanned() == ["signed-1.0-1.noarch"]  # what was read
    point_to("A")
    assert scanned() == ["epochs-3:1.2-4.noarch"]  # no report stored under A's identities
    assert scanned("--weak") == ["epochs-3:1.2-4.noarch"]  # no model of B stored under A's


def test_a_released_snapshot_holds_nothing_but_what_changed(tmp_path: Path) -> None:
    (tmp_path / "a.rpm").write_bytes(b"one")
    snapshot = FileSnapshot()
    first = snapshot.identity(str(tmp_path / "a.rpm"))
    snapshot.listing(str(tmp_path))
    snapshot.changed.append(str(tmp_path / "a.rpm"))
    snapshot.release()
    (tmp_path / "a.rpm").write_bytes(b"longer now")
    (tmp_path / "b.rpm").write_bytes(b"")
    assert snapshot.identity(str(tmp_path / "a.rpm")) != first  # looked at again
    assert [entry.name for entry in snapshot.listing(str(tmp_path))] == ["a.rpm", "b.rpm"]
    assert snapshot.changed == [str(tmp_path / "a.rpm")]
