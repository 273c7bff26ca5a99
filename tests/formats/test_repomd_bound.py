"""repomd.xml is read up to `MAX_REPOMD_BYTES`, decompressed, whatever its compression.

A gzip repomd.xml under the 16 MiB download ceiling of a remote one can open to gigabytes of
XML: read under the 4 GiB bound of every metadata file, it took half a minute to parse
(rt-remote). dnf reads repomd.xml only as plain XML; the auditor reads the few KiB of a real
one, compressed or not, and refuses more as an input error naming the file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.formats.repomd import MAX_REPOMD_BYTES, read_repomd

REPOMD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">\n'
    "<revision>1</revision>\n{padding}"
    '<data type="primary"><checksum type="sha256">{digest}</checksum>'
    '<location href="repodata/primary.xml.gz"/><size>10</size></data>\n</repomd>\n'
)


def _repomd(padding: int) -> bytes:
    # White space between elements: expat skips it without a Python call, as a bomb would be written.
    filler = " " * padding
    return REPOMD.format(padding=filler, digest="0" * 64).encode()


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_repomd_past_the_bound_is_refused(tmp_path: Path, compress: bool) -> None:
    data = _repomd(MAX_REPOMD_BYTES)
    path = tmp_path / "repomd.xml"
    path.write_bytes(gzip.compress(data, 1) if compress else data)
    with pytest.raises(InputError) as raised:
        read_repomd(str(path), "repodata/repomd.xml")
    assert raised.value.source == "repodata/repomd.xml"
    assert f"more than {MAX_REPOMD_BYTES} bytes" in raised.value.reason


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_repomd_under_the_bound_is_read(tmp_path: Path, compress: bool) -> None:
    data = _repomd(MAX_REPOMD_BYTES - len(_repomd(0)) - 64)
    assert len(data) < MAX_REPOMD_BYTES
    path = tmp_path / "repomd.xml"
    path.write_bytes(gzip.compress(data, 1) if compress else data)
    repomd = read_repomd(str(path), "repodata/repomd.xml")
    assert repomd.revision == "1"
    assert repomd.files["primary"].href == "repodata/primary.xml.gz"
