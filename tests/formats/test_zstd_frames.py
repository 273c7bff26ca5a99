"""zstd decoded a few blocks per call (auditor/formats/zstdframes.py), against the zstd tool.

The decoder used to be given 32 bytes per call, the only bound that holds without reading the
framing: a source RPM's payload of already compressed sources decoded at 15 MB/s. It is now
given what touches at most eight blocks, which is as bounded (each block decodes to 128 KiB at
most) and takes one call per read on such a payload.
"""

from __future__ import annotations

import io
import itertools
import random
import shutil
import subprocess

import pytest
import zstandard

from auditor.core.errors import InputError
from auditor.formats import decompress
from auditor.formats.decompress import PIECE, READ_SIZE, decompressed
from auditor.formats.zstdframes import BLIND_SLICE, BLOCK_MAX, FrameCuts

_MAGIC = (0xFD2FB528).to_bytes(4, "little")


def _zstd_tool(data: bytes) -> bytes | None:
    """What ``zstd -dc`` makes of ``data``; None when it refuses it."""
    assert shutil.which("zstd"), "the zstd tool is the authority here: install zstd (Debian package zstd)"
    done = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def _ours(data: bytes, first: int = 0) -> list[bytes]:
    """The pieces read, ``first`` bytes of them handed over as already read (as metadata is)."""
    return list(
        decompressed(io.BytesIO(data[first:]), "zstd", "f.zst", limit=1 << 40, what="x", first=data[:first])
    )


def _mixed(seed: int) -> bytes:
    """Text, random bytes (a compressed tarball in a payload) and runs of one byte."""
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(("text", "random", "run"))
        length = rng.choice((0, 1, 100, 70_000, 300_000, 1_200_000))
        if kind == "text":
            parts.append(b"".join(b"line %d\n" % rng.randint(0, 99) for _ in range(length // 8)))
        elif kind == "random":
            parts.append(rng.randbytes(length))
        else:
            parts.append(bytes([rng.randint(0, 255)]) * length)
    return b"".join(parts)


def _streams() -> list[tuple[str, bytes]]:
    """Streams the tool writes, in the shapes a compressor writes them."""
    found = []
    for seed in range(6):
        data = _mixed(seed)
        rng = random.Random(seed)
        level = rng.choice((1, 3, 19))
        plain = zstandard.ZstdCompressor(level=level, write_checksum=seed % 2 == 0)
        found.append((f"one frame, seed {seed}", plain.compress(data)))
        unsized = zstandard.ZstdCompressor(level=level, write_content_size=False, write_checksum=True)
        chunks = io.BytesIO()
        with unsized.stream_writer(chunks, closefd=False) as writer:  # as rpm's streaming writer
            for start in range(0, len(data), 50_000):
                writer.write(data[start : start + 50_000])
                writer.flush()
        found.append((f"flushed stream, seed {seed}", chunks.getvalue()))
    skippable = (0x184D2A53).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"12345"
    a, b = found[0][1], found[3][1]
    found.append(("frames and a skippable frame", a + skippable + b + skippable))
    found.append(("an empty frame between two", a + zstandard.ZstdCompressor().compress(b"") + b))
    return found


@pytest.mark.parametrize("name, packed", _streams(), ids=[name for name, _ in _streams()])
def test_what_zstd_reads_is_read_alike(name: str, packed: bytes) -> None:
    expected = _zstd_tool(packed)
    assert expected is not None, name
    for first in (0, 1, 5, 17, READ_SIZE + 3, PIECE):
        pieces = _ours(packed, first)
        assert b"".join(pieces) == expected
        assert max(map(len, pieces), default=0) <= PIECE


def test_stored_sources_take_a_call_per_read() -> None:
    """4 MiB that does not compress, as the sources in a source RPM: a call per 64 KiB read (32
    bytes per call took 131,072)."""
    packed = zstandard.ZstdCompressor(level=19).compress(random.Random(1).randbytes(4 << 20))
    pieces = _ours(packed)
    assert b"".join(pieces) == _zstd_tool(packed)
    assert len(pieces) <= len(packed) // READ_SIZE + 2


def _block(last: bool, kind: int, size: int) -> bytes:
    return (int(last) | kind << 1 | size << 3).to_bytes(3, "little")


def test_blocks_that_expand_stay_within_the_bound() -> None:
    """RLE blocks of 128 KiB from 4 bytes each, 400 of them in 1.6 KB: 50 MiB, a MiB at most per call."""
    frame = _MAGIC + bytes([0x00, 0x58])  # no checksum, window descriptor: 64 MiB window
    frame += (_block(False, 1, BLOCK_MAX) + b"x") * 399 + _block(True, 1, BLOCK_MAX) + b"y"
    expected = _zstd_tool(frame)
    assert expected is not None and len(expected) == 400 * BLOCK_MAX
    for first in (0, 3, 10):
        pieces = _ours(frame, first)
        assert b"".join(pieces) == expected
        assert max(map(len, pieces)) <= PIECE


def test_every_prefix_is_refused_or_read_as_zstd_reads_it() -> None:
    """A stream cut anywhere: zstd reads it (the cut fell between frames) or refuses it, and so
    does the auditor, never a quiet short read."""
    parts = [zstandard.ZstdCompressor(write_checksum=True).compress(b"abc" * 50_000)]
    parts.append((0x184D2A50).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"skp")
    parts.append(
        zstandard.ZstdCompressor(write_content_size=False).compress(random.Random(2).randbytes(3000))
    )
    packed = b"".join(parts)
    blocks, frame_ends = _blocks_and_frame_ends(packed)
    edges = [edge for block in blocks for edge in block] + frame_ends
    lengths = {at + step for at in edges for step in range(-12, 13)} | set(range(1, len(packed), 97))
    for length in sorted(at for at in lengths if 0 < at <= len(packed)):
        expected = _zstd_tool(packed[:length])
        if expected is None:
            with pytest.raises(InputError, match=r"f\.zst"):
                _ours(packed[:length])
        else:
            assert b"".join(_ours(packed[:length])) == expected, length


@pytest.mark.parametrize(
    "name, packed",
    [
        ("a reserved block type", _MAGIC + bytes([0x20, 0x00]) + _block(True, 3, 4) + b"abcd"),
        ("a block past 128 KiB", _MAGIC + bytes([0x00, 0x58]) + _block(True, 0, BLOCK_MAX + 1) + b"z" * 9),
        ("the reserved descriptor bit", _MAGIC + bytes([0x28, 0x00]) + _block(True, 0, 1) + b"a"),
        ("a legacy frame", (0xFD2FB527).to_bytes(4, "little") + b"\0" * 40),
    ],
)
def test_what_the_framing_does_not_know_is_zstds_to_refuse(name: str, packed: bytes) -> None:
    assert _zstd_tool(packed) is None, name
    with pytest.raises(InputError, match=r"f\.zst: corrupt x"):
        _ours(packed)


def test_a_framing_not_known_is_cut_blind() -> None:
    cuts = FrameCuts(8)
    ends = [0, *cuts.cuts(b"\x01" * 1000)]  # no zstd magic: known from its 4 bytes on
    assert cuts.blind
    assert ends[-1] == 1000
    assert max(end - start for start, end in itertools.pairwise(ends)) == BLIND_SLICE
    assert list(cuts.cuts(b"\x02" * 40)) == [32, 40]


def test_tiny_blocks_are_cut_blind() -> None:
    """A frame of 3-byte empty blocks costs a step each to follow: after a run of them the
    cuts are blind, which cost no more than before the framing was read."""
    cuts = FrameCuts(8)
    frame = _MAGIC + bytes([0x20, 0x00]) + _block(False, 0, 0) * 10_000 + _block(True, 0, 0)
    ends = list(cuts.cuts(frame))
    assert cuts.blind
    assert ends[-1] == len(frame)
    assert len(ends) <= len(frame) // BLIND_SLICE + 80
    assert _zstd_tool(frame) == b"" == b"".join(_ours(frame))


def _blocks_and_frame_ends(packed: bytes) -> tuple[list[tuple[int, int]], list[int]]:
    """Where each block starts and ends, and where each frame ends, read over the whole stream."""
    blocks, ends, at = [], [], 0
    while at < len(packed):
        magic = int.from_bytes(packed[at : at + 4], "little")
        if magic & 0xFFFFFFF0 == 0x184D2A50:
            at += 8 + int.from_bytes(packed[at + 4 : at + 8], "little")
            ends.append(at)
            continue
        assert magic == 0xFD2FB528
        descriptor = packed[at + 4]
        single = bool(descriptor & 0x20)
        at += 5 + (not single) + (0, 1, 2, 4)[descriptor & 3] + ((0, 2, 4, 8)[descriptor >> 6] or single)
        while True:
            header = int.from_bytes(packed[at : at + 3], "little")
            size = 1 if (header >> 1) & 3 == 1 else header >> 3
            blocks.append((at, at + 3 + size))
            at += 3 + size
            if header & 1:
                break
        at += 4 if descriptor & 4 else 0
        ends.append(at)
    return blocks, ends


def test_handed_over_in_any_pieces_no_call_touches_more_than_eight_blocks() -> None:
    packed = _streams()[1][1] + _streams()[4][1] + _streams()[-2][1]
    blocks, frame_ends = _blocks_and_frame_ends(packed)
    assert len(blocks) > 16
    rng = random.Random(3)
    for sizes in ((len(packed),), (1, 2, 3, 7), (100, 5000), (70_000, 3), (READ_SIZE,)):
        cuts, offset, found = FrameCuts(8), 0, [0]
        while offset < len(packed):
            data = packed[offset : offset + rng.choice(sizes)]
            found += [offset + end for end in cuts.cuts(data)]
            offset += len(data)
        assert not cuts.blind
        assert found == sorted(set(found))
        assert set(frame_ends) <= set(found)  # a decoder stopping at a frame's end stops at a cut
        for start, end in itertools.pairwise(found):
            assert sum(1 for a, b in blocks if a < end and b > start) <= 8, (sizes, start, end)


def test_the_decoder_uses_the_framing() -> None:
    assert decompress._BLOCKS_PER_CALL * BLOCK_MAX == PIECE
