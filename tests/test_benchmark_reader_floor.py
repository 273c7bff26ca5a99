"""The C readers `benchmarks/reader_floor.py` puts beside the auditor read what it reads: a
comparison of timings is worth something only if each side read every package."""

from __future__ import annotations

import pytest

from auditor.runtime import parallel
from benchmarks import reader_floor
from tests.paths import ROOT

EXAMPLE = str(ROOT / "examples" / "xcp-ng-mini" / "repo")


def test_each_reader_reads_every_package_the_auditor_reads() -> None:
    saved_workers = parallel.WORKERS
    expected = reader_floor.auditor_as_scanned(EXAMPLE)
    assert expected > 10
    assert reader_floor.auditor_one_process(EXAMPLE) == expected
    workers_after = parallel.WORKERS
    assert workers_after == saved_workers  # the one-process reading puts the setting back
    assert reader_floor.solv_parse(EXAMPLE) == expected
    assert reader_floor.solv_values(EXAMPLE) == expected


def test_createrepo_c_is_measured_only_when_installed() -> None:
    if reader_floor._have("createrepo_c"):
        expected = reader_floor.auditor_as_scanned(EXAMPLE)
        assert reader_floor.createrepo_c_values(EXAMPLE) == expected
        assert reader_floor.createrepo_c_packages_made(EXAMPLE) == expected
    else:
        with pytest.raises(ImportError):
            reader_floor.createrepo_c_parse(EXAMPLE)
