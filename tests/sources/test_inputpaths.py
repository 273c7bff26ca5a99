"""Where a repository's repomd.xml is, told from a path without reading anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.sources import inputpaths


def _tree(root: Path) -> None:
    (root / "repo" / "repodata").mkdir(parents=True)
    (root / "repo" / "repodata" / "repomd.xml").write_text("<repomd/>")
    (root / "mirror").mkdir()
    (root / "mirror" / "repodata").symlink_to(root / "repo" / "repodata")
    (root / "syncing").mkdir()
    (root / "syncing" / "repodata").symlink_to(root / "gone")
    (root / "rpms").mkdir()
    (root / "rpms" / "a.rpm").write_bytes(b"")


CASES = [
    ("repo", "repo/repodata/repomd.xml"),
    ("repo/repodata", "repo/repodata/repomd.xml"),
    ("repo/repodata/repomd.xml", "repo/repodata/repomd.xml"),
    ("mirror", "mirror/repodata/repomd.xml"),  # repodata swapped by symlink
    ("syncing", "syncing/repodata/repomd.xml"),  # dangling: the repository's input error
    ("rpms", None),
    ("rpms/a.rpm", None),
    ("absent", None),
]


@pytest.mark.parametrize(("path", "repomd"), CASES)
def test_find_repomd(tmp_path: Path, path: str, repomd: str | None) -> None:
    _tree(tmp_path)
    found = inputpaths.find_repomd(str(tmp_path / path))
    assert found == (None if repomd is None else str(tmp_path / repomd))


def test_source_repositories_are_the_siblings_that_are_repositories(tmp_path: Path) -> None:
    for name in ("x86_64", "SRPMS", "Source", "src"):
        (tmp_path / name / "repodata").mkdir(parents=True)
    (tmp_path / "source").mkdir()  # a directory of that name, but no repository
    found = inputpaths.source_repositories(str(tmp_path / "x86_64" / "repodata" / "repomd.xml"))
    assert found == [os.path.join(str(tmp_path), name) for name in ("SRPMS", "Source", "src")]
