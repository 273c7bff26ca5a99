"""A run looks at each directory and each file once; a new run looks again."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli import replay
from auditor.cli.main import main
from auditor.runtime.identity import file_identity
from auditor.runtime.snapshot import FileSnapshot
from auditor.sources.localrepo import _file_size
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


def test_a_package_file_size_compared_with_its_metadata_is_the_first_look(tmp_path: Path) -> None:
    """`<size package>` is compared with the size the run's first look saw (its identity, which
    keys the header read), not with a stat made later and kept on the listing's entry."""
    path = tmp_path / "x.rpm"
    path.write_bytes(b"one")
    snapshot = FileSnapshot()
    assert [entry.name for entry in snapshot.listing(str(tmp_path))] == ["x.rpm"]
    snapshot.identity(str(path))
    path.write_bytes(b"another size")
    assert _file_size(str(path), snapshot) == 3
    assert _file_size(str(path), None) == len(b"another size")


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


def _moved_after_the_key(monkeypatch: pytest.MonkeyPatch, move: Callable[[], object]) -> None:
    """``move`` runs right after the replay key's look at the files (the run's first look)."""
    first_look = replay.Replay.hit

    def moved(self: replay.Replay) -> bool:
        found = first_look(self)
        move()
        return found

    monkeypatch.setattr(replay.Replay, "hit", moved)


def _scan(args: list[str], out: Path) -> tuple[int, str]:
    code = main(["scan", *args, "--format", "json", "-o", str(out)])
    return code, out.read_text()


def test_metadata_swapped_by_a_repodata_symlink_during_the_run_is_not_stored_under_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mirror swaps its metadata by a ``repodata`` symlink: moved after the key's look (X,
    two packages) and before the reading (Y, one), then back. The run audits Y, as read; its
    report must not be stored under X's identities, for the next run on X to replay Y."""
    repo = tmp_path / "repo"
    (repo / ".meta").mkdir(parents=True)
    for fixture in ("epochs-1.2-4.noarch.rpm", "signed-1.0-1.noarch.rpm"):
        shutil.copy(RPMS / fixture, repo)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    (repo / "repodata").rename(repo / ".meta" / "X")
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", fewer)
    subprocess.run(["createrepo_c", "--quiet", str(fewer)], check=True)
    (fewer / "repodata").rename(repo / ".meta" / "Y")
    link = repo / "repodata"
    link.symlink_to(".meta/X")

    def point_to(name: str) -> None:
        link.unlink()
        link.symlink_to(f".meta/{name}")

    out = tmp_path / "report.json"
    args = [str(repo), "--fail-on", "none"]
    with monkeypatch.context() as moving:
        _moved_after_the_key(moving, lambda: point_to("Y"))
        raced = _scan(args, out)
    assert "file-outside-metadata" in raced[1]  # Y does not list signed: what was read
    point_to("X")
    assert _scan(args, out) == _scan([*args, "--no-cache"], out)
    assert "file-outside-metadata" not in out.read_text()


def test_a_spec_file_swapped_during_the_run_is_not_stored_under_the_first_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spec read through a symlink moved after the key's look and back: the report of the
    spec read is not stored under the identity of the one first seen."""
    spec = "Name: pkg\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: {}\n"
    for name, url in (("clean", "https://example.org/pkg.tgz"), ("citrix", "https://citrix.com/pkg.tgz")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pkg.spec").write_text(spec.format(url))
    link = tmp_path / "pkg.spec"
    link.symlink_to(tmp_path / "clean" / "pkg.spec")

    def point_to(name: str) -> None:
        link.unlink()
        link.symlink_to(tmp_path / name / "pkg.spec")

    out = tmp_path / "report.json"
    with monkeypatch.context() as moving:
        _moved_after_the_key(moving, lambda: point_to("citrix"))
        assert _scan([str(link)], out)[0] == 1  # the Citrix spec, as read
    point_to("clean")
    assert _scan([str(link)], out) == _scan([str(link), "--no-cache"], out)
    assert _scan([str(link)], out)[0] == 0


def test_a_listed_package_file_that_appears_during_the_run_is_judged_as_the_first_look_saw_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The metadata lists a source package whose file is missing at the key's look; the file
    appears during the run and is gone again after. The run judges the file by its first look
    (missing), the look its key holds, so the report stored is the one a later run would make."""
    repo = tmp_path / "repo"
    (repo / "SRPMS").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.src.rpm", repo / "SRPMS")
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    # Its own repodata/ makes SRPMS/ a directory the repository's walk does not enter: the file
    # is found by the metadata's listing alone (`_listed_file_is_there`).
    (repo / "SRPMS" / "repodata").mkdir()
    aside = tmp_path / "epochs-1.2-4.src.rpm"
    (repo / "SRPMS" / "epochs-1.2-4.src.rpm").rename(aside)
    out = tmp_path / "report.json"
    args = [str(repo), "--fail-on", "none"]
    with monkeypatch.context() as moving:
        _moved_after_the_key(moving, lambda: shutil.copy(aside, repo / "SRPMS"))
        raced = _scan(args, out)
    (repo / "SRPMS" / "epochs-1.2-4.src.rpm").unlink()
    assert "file-missing" in raced[1]
    assert _scan(args, out) == _scan([*args, "--no-cache"], out)
