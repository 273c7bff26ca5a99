"""Where the cache is when no --cache-dir is given: ``$XDG_CACHE_HOME/auditor``, else
``~/.cache/auditor``; a relative ``XDG_CACHE_HOME`` is ignored, as the XDG Base Directory
Specification says (rt21: it was used, a cache below whatever directory the run started in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.net.cache import default_cache_dir
from tests.conftest import RPMS


@pytest.mark.parametrize("value", ["relative/cache", "cache", ".", "./x", "~/cache"])
def test_a_relative_xdg_cache_home_is_ignored(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    assert default_cache_dir() == str(tmp_path / "home" / ".cache" / "auditor")


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_or_absent_xdg_cache_home_is_the_home_cache(
    value: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if value is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", value)
    assert default_cache_dir() == str(tmp_path / "home" / ".cache" / "auditor")


def test_an_absolute_xdg_cache_home_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == str(tmp_path / "xdg" / "auditor")


def test_a_scan_with_a_relative_xdg_cache_home_leaves_the_directory_it_runs_in_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    assert main(["scan", str(RPMS / "epochs-1.2-4.src.rpm"), "--fail-on", "none"]) == 0
    capsys.readouterr()
    assert list(work.iterdir()) == []
    assert (tmp_path / "home" / ".cache" / "auditor").is_dir()
