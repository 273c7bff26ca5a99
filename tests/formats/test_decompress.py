"""Bounded streaming decompression (auditor/sources/decompress.py)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma

import pytest
import zstandard

from auditor.core.errors import InputError
from auditor.formats.decompress import PIECE, decompressed

TEXT = b"".join(b"line %d of the metadata\n" % i for i in range(20000))
COMPRESS = {
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "xz": lzma.compress,
    "bzip2": bz2.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def read(data: bytes, kind: str, limit: int = 1 << 40) -> list[bytes]:
    return list(decompressed(io.BytesIO(data), kind, "f.xml", limit=limit, what="metadata"))


@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_round_trip_concatenation_and_truncation(kind: str) -> None:
    packed = COMPRESS[kind](TEXT)
    assert b"".join(read(packed, kind)) == TEXT
    assert b"".join(read(packed + packed, kind)) == TEXT + TEXT  # as `cat a.gz b.gz | zcat`
    with pytest.raises(InputError, match=f"f.xml: truncated metadata: the {kind} stream ends"):
        read(packed[: len(packed) // 2], kind)
    with pytest.raises(InputError, match=r"f.xml: corrupt metadata"):
        read(packed + b"trailing junk", kind)
    with pytest.raises(InputError, match="more than 1000 bytes; refused as a bomb"):
        read(packed, kind, limit=1000)


@pytest.mark.parametrize("kind", sorted(COMPRESS))
def test_no_piece_is_larger_than_the_bound(kind: str) -> None:
    bomb = COMPRESS[kind](b"\0" * (16 * PIECE))  # ratio over 1000:1 for every format
    pieces = read(bomb, kind)
    assert sum(map(len, pieces)) == 16 * PIECE
    assert max(map(len, pieces)) <= PIECE


def test_many_empty_zstd_frames_take_linear_time() -> None:
    """300,000 empty zstd frames of 9 bytes (2.7 MB) in one read: what was left of it was copied
    at each frame's end, quadratic (about 25 s; read as metadata is, its first MiB at once, 6 s;
    0.2 s now). No timing is asserted: a quadratic copy shows as a slow test run, not a flaky one."""
    empty = zstandard.ZstdCompressor(write_content_size=False).compress(b"")
    assert len(empty) == 9
    reader = decompressed(
        io.BytesIO(b""), "zstd", "f.xml.zst", limit=1, what="metadata", first=empty * 300_000
    )
    assert list(reader) == []
