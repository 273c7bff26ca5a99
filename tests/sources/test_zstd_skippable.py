"""A zstd metadata file may begin with a skippable frame: zstd(1) and libsolv skip it, so must we."""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import subprocess
from pathlib import Path

from auditor.sources.repodata import read_repository
from tests.conftest import DATA

SKIPPABLE = struct.pack("<II", 0x184D2A53, 6) + b"ignore"
"""A skippable frame (magic 0x184D2A50-5F, then its length): data for no one, zstd's format says."""


def test_a_primary_starting_with_a_skippable_frame_is_read_as_zstd_reads_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "repo-zst", repo)
    primary = next((repo / "repodata").glob("*-primary.xml.zst"))
    original = primary.read_bytes()
    payload = SKIPPABLE + original
    primary.write_bytes(payload)
    repomd = repo / "repodata" / "repomd.xml"
    xml = repomd.read_text()
    start = xml.index('<data type="primary">')
    end = xml.index("</data>", start)
    block = re.sub(
        r'(<checksum type="sha256">)[0-9a-f]+',
        rf"\g<1>{hashlib.sha256(payload).hexdigest()}",
        xml[start:end],
        count=1,
    )
    block = re.sub(r"<size>\d+</size>", f"<size>{len(payload)}</size>", block)
    repomd.write_text(xml[:start] + block + xml[end:])
    # zstd(1), the authority on its format, reads the same document out of both files.
    decompressed = subprocess.run(["zstd", "-dc", str(primary)], capture_output=True, check=True).stdout
    assert (
        decompressed
        == subprocess.run(["zstd", "-dc"], input=original, capture_output=True, check=True).stdout
    )

    read = read_repository(str(repo))
    assert read.errors == []
    expected = read_repository(str(DATA / "repo-zst")).packages
    assert [(p.nevra, p.requires, p.provides) for p in read.packages] == [
        (p.nevra, p.requires, p.provides) for p in expected
    ]
    assert len(expected) > 10
