"""Progress bars for the long phases on a terminal; not a byte of them anywhere else.

Standard error is a pseudo-terminal here (the report goes to a file): reading RPM files,
downloading and resolving draw bars that end at their totals, and the line is cleared at the
end. With standard error in a pipe, or with ``-q``, nothing but the run's messages appears.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATA, RPMS
from tests.httpserver import LocalServer
from tests.terminal import ROOT, on_terminal

FILES = sorted(path for path in RPMS.iterdir() if path.suffix == ".rpm")


def auditor(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


def bars(text: str) -> list[str]:
    """The states a progress line went through: each one the line after a carriage return."""
    return [state.strip() for state in text.split("\r") if state.strip()]


def test_reading_and_resolving_draw_bars_on_a_terminal(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    shown = on_terminal(auditor("scan", str(RPMS), "--no-cache", "-o", str(report)), stdout=report)
    states = bars(shown)
    total = len(FILES)
    assert f"reading RPM files [{'#' * 24}] {total}/{total}" in states
    assert any(re.fullmatch(rf"resolving requirements \[#{{24}}\] {total}/{total}", s) for s in states)
    assert re.search(r"reading RPM files \[\.{24}\] 0/\d+", shown)  # drawn as the phase began
    last_line = shown.rsplit("\r", 2)
    assert last_line[-1].strip() == "" or last_line[-1].startswith("auditor: ")  # cleared at the end
    assert "packages audited" in report.read_text()


def test_files_from_the_store_are_counted_too(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    cache = tmp_path / "cache"
    options = ["--cache-dir", str(cache), "--format", "json", "-o", str(report)]
    subprocess.run(auditor("scan", str(RPMS), *options), capture_output=True, check=False, cwd=ROOT)
    shutil.copy(FILES[0], tmp_path / "again.rpm")  # another input: not a report replayed
    shown = on_terminal(auditor("scan", str(RPMS), str(tmp_path / "again.rpm"), *options), stdout=report)
    total = len(FILES)
    assert f"reading RPM files [{'#' * 24}] {total}/{total}" in bars(shown)


def test_a_pipe_gets_no_progress(tmp_path: Path) -> None:
    done = subprocess.run(
        auditor("scan", str(RPMS), "--no-cache", "-o", str(tmp_path / "report.txt")),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1
    assert "\r" not in done.stderr and "[" not in done.stderr and "reading" not in done.stderr
    assert all(line.startswith("auditor: ") for line in done.stderr.splitlines())


def test_quiet_silences_progress_on_a_terminal(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    shown = on_terminal(auditor("scan", str(RPMS), "--no-cache", "-q", "-o", str(report)), stdout=report)
    assert "\r" not in shown and "reading RPM files" not in shown
    assert all(line.startswith("auditor: ") for line in shown.splitlines())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    root = tmp_path / "www"
    shutil.copytree(DATA / "repo", root / "repo")
    with LocalServer(root) as running:
        yield running


def test_downloads_count_bytes_on_a_terminal(server: LocalServer, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    url = server.url("/repo/")
    args = auditor("scan", url, "--cache-dir", str(tmp_path / "cache"), "--format", "json", "-o", str(report))
    shown = on_terminal(args, stdout=report)
    primary = next((DATA / "repo" / "repodata").glob("*-primary.xml.gz"))
    size = primary.stat().st_size
    amount = f"{size} B" if size < 1024 else f"{size / 1024:.1f} KiB"
    assert f"downloading primary.xml.gz [{'#' * 24}] {amount}/{amount}" in bars(shown)
    assert "downloading repomd.xml [" in shown
    assert server.paths()  # the run did download
