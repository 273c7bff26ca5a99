"""RPM files named one by one (a shell's ``*.rpm``) are read together, as a directory's are.

Each was read alone as its input came, on one core, its stored model looked up alone: 4,000 of
rpms-2k's files named took 8.6 s where their two directories took 4. `FilesRead.read_ahead`
reads them in one batch first; each input then takes its outcome. What the run reports must not
change: held here, over files named with every shape the loop treats apart (a file named twice,
a link to another named, a broken file, a truncated one, one missing, a directory and a spec
among them), to the run that reads each alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.sources import filesread
from auditor.sources.filesread import FilesRead
from auditor.sources.rpmbatch import read_rpm_outcomes

FIXTURES = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    top = tmp_path_factory.mktemp("named")
    rpms = sorted((FIXTURES / "rpms").glob("*.rpm"))
    for rpm in rpms:
        shutil.copy(rpm, top / rpm.name)
    (top / "junk.rpm").write_bytes(b"not an rpm\n")
    (top / "cut-1-1.noarch.rpm").write_bytes(rpms[0].read_bytes()[:3000])
    os.symlink(top / rpms[1].name, top / "link.rpm")
    directory = top / "more"
    directory.mkdir()
    shutil.copy(rpms[2], directory / rpms[2].name)
    spec = next((FIXTURES / "specs").glob("*.spec"))
    paths = sorted(str(path) for path in top.glob("*.rpm"))
    return [*paths, str(top / rpms[3].name), str(top / "missing.rpm"), str(directory), str(spec)]


def scan(
    paths: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cache: Path
) -> tuple[int, str, str]:
    capsys.readouterr()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    code = main(["scan", *paths, "--format", "json", "-q", "--fail-on", "none"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("runs", [1, 2], ids=["cold", "warm"])
def test_named_files_read_together_report_what_each_read_alone_does(
    named: list[str],
    runs: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    batches: list[int] = []
    real = read_rpm_outcomes

    def counted(paths: list[str], *args: object, **kwargs: object) -> object:
        batches.append(len(paths))
        return real(paths, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(filesread, "read_rpm_outcomes", counted)
    together = [scan(named, capsys, monkeypatch, tmp_path / "together") for _ in range(runs)][-1]
    assert batches and batches[0] == len([path for path in named if path.endswith(".rpm")]) - 2
    monkeypatch.setattr(FilesRead, "read_ahead", lambda *_args: None)
    alone = [scan(named, capsys, monkeypatch, tmp_path / "alone") for _ in range(runs)][-1]
    assert together == alone
    assert together[0] == 3 and "junk.rpm" in together[2] and "missing.rpm" in together[2]
