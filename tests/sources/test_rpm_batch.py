"""Many RPM files read at once: a worker from the first batch, this process from the last.

Whatever process reads a file, and whether the read was started before other work, the
outcomes come back in the order of the paths, equal to reading each file alone, and what
was read is found in the store the next time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.rpm.model import Package
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.runtime import parallel
from auditor.runtime.store import Store
from auditor.sources import rpmbatch
from auditor.sources.evidence import HeaderEvidence
from auditor.sources.rpmbatch import PendingReads, read_rpm_outcomes
from auditor.sources.rpmpackage import read_rpm, read_rpm_evidence
from tests.conftest import RPMS


@pytest.fixture(autouse=True)
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker and this process, whatever the machine's cores: the path under test."""
    monkeypatch.setattr(parallel, "WORKERS", 2)


@pytest.fixture
def many(tmp_path: Path) -> list[str]:
    """More files than `READ_RPMS_FROM`: the fixture RPMs under many names, and a broken one."""
    # Linked from copies of the fixtures, never from the shared fixtures themselves: a link
    # changes its inode's ctime, part of a file's identity, so linking the shared files made
    # another test's (another xdist worker's) file read under one identity and looked up under
    # another, and this test's own second look missed the files another worker linked meanwhile.
    copies = tmp_path / "copies"
    copies.mkdir()
    sources = []
    for source in sorted(RPMS.glob("*.rpm")):
        shutil.copyfile(source, copies / source.name)
        sources.append(copies / source.name)
    paths = []
    for number in range(parallel.READ_RPMS_FROM + 2 * rpmbatch.BATCH):
        path = tmp_path / f"{number:04d}-{sources[number % len(sources)].name}"
        os.link(sources[number % len(sources)], path)
        paths.append(str(path))
    broken = tmp_path / "0100-broken.rpm"
    broken.write_bytes(b"not an RPM")
    paths[100] = str(broken)
    return paths


def alone(path: str, evidence_only: bool) -> list[Package | HeaderEvidence | InputError]:
    package: Package | HeaderEvidence
    try:
        if evidence_only:
            package, error = read_rpm_evidence(path)
        else:
            package, error = read_rpm(path, checksum=False)
    except InputError as exc:
        return [exc]
    return [package] if error is None else [package, error]


def shown(outcome: list[Package | HeaderEvidence | InputError]) -> list[object]:
    return [(item.source, item.reason) if isinstance(item, InputError) else item for item in outcome]


@pytest.mark.parametrize("evidence_only", [False, True])
def test_the_outcomes_are_those_of_each_file_alone_in_order(many: list[str], evidence_only: bool) -> None:
    outcomes = read_rpm_outcomes(many, checksum=False, evidence_only=evidence_only)
    assert [shown(outcome) for outcome in outcomes] == [shown(alone(path, evidence_only)) for path in many]


def test_evidence_only_keeps_what_the_metadata_lacks(many: list[str]) -> None:
    full = read_rpm_outcomes(many[:40], checksum=False)
    slim = read_rpm_outcomes(many[:40], checksum=False, evidence_only=True)
    for [whole], [evidence] in zip(full, slim, strict=True):
        assert isinstance(whole, Package) and isinstance(evidence, HeaderEvidence)
        kept = ("nevra", "signing_keys", "distribution", "sources", "spec", "gaps", "sourcerpm")
        assert [getattr(evidence.package, name) for name in kept] == [getattr(whole, name) for name in kept]
        # With the dependencies createrepo_c copies into the metadata, which it must agree with,
        # as the header has them.
        copied = DEPENDENCY_KINDS
        assert evidence.dependencies() == {kind: getattr(whole, kind) for kind in copied}
        assert [evidence.names(kind) for kind in copied] == [
            {dependency.name for dependency in getattr(whole, kind)} for kind in copied
        ]
        assert evidence.package.requires == evidence.package.recommends == ()
        assert evidence.package.files == () and evidence.package.description is None


def test_what_was_read_is_found_in_the_store_next_time(many: list[str], tmp_path: Path) -> None:
    store = Store(str(tmp_path / "cache"))
    first = read_rpm_outcomes(many, store, checksum=False, evidence_only=True)
    with PendingReads(many, store, checksum=False, evidence_only=True) as pending:
        assert pending.misses == [100]  # all but the broken file
        again = pending.result()
    assert [shown(outcome) for outcome in again] == [shown(outcome) for outcome in first]
    # A read of whole packages is another entry: an evidence-only one never stands for it.
    with PendingReads(many, store, checksum=False) as pending:
        assert len(pending.misses) == len(many)


def test_leaving_before_the_result_stops_the_worker(many: list[str]) -> None:
    with pytest.raises(RuntimeError), PendingReads(many, checksum=False):
        raise RuntimeError("the metadata could not be read")


@pytest.mark.parametrize("evidence_only", [False, True])
def test_a_source_package_whose_file_names_and_directories_disagree_is_refused(
    tmp_path: Path, evidence_only: bool
) -> None:
    """Its spec is in the SPEC tag, so its file names are not needed to find it; an evidence
    read must still refuse a file list whose directory index points past the directories."""
    from tests.differential import mutations as m

    dirindexes = 1116
    case = m.Case("dirindex-out-of-range", m.Oracle.STRUCTURE, m.SOURCE, "indexes disagree",
                  change=m.value("main", dirindexes, b"\0\0\0\x4d", 1, m.INT32))  # fmt: skip
    path = str(case.build(tmp_path))
    with pytest.raises(InputError, match="file names and directory indexes disagree"):
        if evidence_only:
            read_rpm_evidence(path)
        else:
            read_rpm(path, checksum=False)


def test_heard_hears_each_file_read_once_with_its_outcome(many: list[str], tmp_path: Path) -> None:
    """`PendingReads.result(heard)`: every file read, by this process or the worker, once and
    with the outcome the result gives it; a file found in the store is not read, not heard."""
    store = Store(str(tmp_path / "cache"))
    read_rpm_outcomes(many[:40], store, checksum=False, evidence_only=True)
    heard: dict[str, list[object]] = {}

    def hear(path: str, outcome: list[Package | HeaderEvidence | InputError]) -> None:
        assert path not in heard
        heard[path] = shown(outcome)

    with PendingReads(many, store, checksum=False, evidence_only=True) as pending:
        outcomes = pending.result(hear)
    stored = set(many[:40])
    expected = {
        path: shown(outcome) for path, outcome in zip(many, outcomes, strict=True) if path not in stored
    }
    assert heard == expected
