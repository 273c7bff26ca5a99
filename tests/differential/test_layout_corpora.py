"""The layout readers against expat on the benchmark corpora: createrepo_c's metadata of
2,000 binary and 2,000 source RPMs built by rpmbuild (rpms-2k), and the 10,000 packages of
distro-10k. Every document must be read by the layout reader (so the fast path is the one
measured) and give exactly what expat gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generators import store
from tests.differential.test_resolution import corpus
from tests.fuzz.layout import by_expat, by_layout, decompressed, filelists_by_expat, filelists_by_layout


def _metadata(repo: Path, kind: str) -> bytes:
    return decompressed(next((repo / "repodata").glob(f"*-{kind}.xml*")))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "below"), [(store.RPMS_2K, "RPMS"), (store.RPMS_2K, "SRPMS"), (store.DISTRO_10K, "")]
)
def test_the_corpora_are_read_by_layout_as_expat_reads_them(name: str, below: str) -> None:
    repo = corpus(name) / below
    primary = _metadata(repo, "primary")
    expected = by_expat(primary)
    assert expected is not None and len(expected[0]) >= 2000
    assert by_layout(primary) == expected
    filelists = _metadata(repo, "filelists")
    expected_files = filelists_by_expat(filelists)
    assert expected_files is not None and len(expected_files) >= 2000
    assert filelists_by_layout(filelists) == expected_files
