"""Streaming decompression whose memory does not depend on the input.

Both the RPM payload reader and the repository metadata reader use this. One call of a
decompressor never returns more than `PIECE` bytes, whatever the compressed data holds:
a bzip2 stream of a few hundred bytes can expand to gigabytes in a single unbounded
``decompress()`` call, and a zstd block of four bytes to 128 KiB. A stream that stops
before its end marker is an error, never a quiet short read; streams written one after
the other (as ``cat a.gz b.gz``) are read as one, as gzip(1), xz(1) and zstd(1) do.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Iterator
from typing import Protocol

import zstandard

from auditor.core.errors import InputError, TooLarge
from auditor.formats.zstdframes import BLIND_SLICE, BLOCK_MAX, FrameCuts

PIECE = 1 << 20
"""Most bytes one decompression step produces."""
READ_SIZE = 1 << 16
"""Compressed bytes read at a time."""
_BLOCKS_PER_CALL = PIECE // BLOCK_MAX
"""zstd blocks one call may touch: each decodes to 128 KiB at most (the zstd binding has no
output bound of its own), so a call decodes to `PIECE` at most."""

KINDS = ("gzip", "xz", "bzip2", "zstd", "identity")

_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error, zstandard.ZstdError)


class Readable(Protocol):
    """What the decompressors read from: a file, or pieces arriving over the network."""

    def read(self, size: int = -1, /) -> bytes: ...


class _Decoder(Protocol):
    eof: bool
    unused_data: bytes

    def feed(self, data: bytes) -> Iterator[bytes]: ...


class _Zlib:
    def __init__(self) -> None:
        self._object = zlib.decompressobj(wbits=47)  # gzip or zlib, detected
        self.eof = False
        self.unused_data = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            piece = self._object.decompress(data, PIECE)
            data = self._object.unconsumed_tail
            if piece:
                yield piece
            if self._object.eof:
                self.eof = True
                self.unused_data = self._object.unused_data
                return
            if not data and len(piece) < PIECE:
                return


class _Lzma:
    """xz and lzma (xz's FORMAT_AUTO), or bzip2: both take ``max_length``."""

    def __init__(self, kind: str) -> None:
        self._object: lzma.LZMADecompressor | bz2.BZ2Decompressor = (
            bz2.BZ2Decompressor() if kind == "bzip2" else lzma.LZMADecompressor(format=lzma.FORMAT_AUTO)
        )
        self.eof = False
        self.unused_data = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        piece = self._object.decompress(data, PIECE)
        while True:
            if piece:
                yield piece
            if self._object.eof:
                self.eof = True
                self.unused_data = self._object.unused_data
                return
            if self._object.needs_input:
                return
            piece = self._object.decompress(b"", PIECE)


class ZstdDecoder:
    """Frames one after another, each started at its offset in what was fed: handing the rest
    on as ``unused_data`` copied it at every frame's end, and 2.7 MB of 9-byte empty frames
    took 6 s, quadratic in the 1 MiB read first. ``eof``: the last frame ended with the data.
    What one call is given is cut where the framing says (`zstdframes.FrameCuts`): at most
    `_BLOCKS_PER_CALL` blocks of 128 KiB, so no call decodes more than `PIECE`.
    ``decompressor``: one with a dictionary (zchunk's chunks)."""

    def __init__(self, decompressor: zstandard.ZstdDecompressor | None = None) -> None:
        self._decompressor = decompressor or zstandard.ZstdDecompressor()
        self._object = self._decompressor.decompressobj()
        self._frames = FrameCuts(_BLOCKS_PER_CALL)
        self.eof = False
        self.unused_data = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        start, size = 0, len(data)
        ends: Iterator[int] = self._frames.cuts(data)
        while start < size:
            end = next(ends, size)
            if end <= start:
                continue
            piece = self._object.decompress(data[start:end])
            if piece:
                yield piece
            if not self._object.eof:
                start = end
                continue
            unused = len(self._object.unused_data)
            start = end - unused
            if start == size:
                self.eof = True
                return
            self._object = self._decompressor.decompressobj()
            if unused:  # zstd ended a frame where the framing reader did not: zstd decides
                self._frames.blind = True
                ends = iter(range(start + BLIND_SLICE, size, BLIND_SLICE))


class _Identity:
    eof = False
    unused_data = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data


def _decoder(kind: str) -> _Decoder:
    if kind == "gzip":
        return _Zlib()
    if kind in ("xz", "bzip2"):
        return _Lzma(kind)
    if kind == "zstd":
        return ZstdDecoder()
    if kind == "identity":
        return _Identity()
    raise ValueError(f"unknown compression {kind!r}")


def decompressed(
    stream: Readable, kind: str, shown: str, *, limit: int, what: str, first: bytes = b""
) -> Iterator[bytes]:
    """Yield the decompressed content of ``stream`` in pieces of at most `PIECE` bytes.

    ``kind`` is one of `KINDS`; ``first`` is data already read from the stream. Raises
    `InputError` naming ``shown`` when the data is corrupt, ends before its end marker
    or would decompress to more than ``limit`` bytes (nothing past the limit is produced).
    """
    decoder = _decoder(kind)
    started = False
    total = 0
    data = first or stream.read(READ_SIZE)
    while data:
        started = True
        try:
            for piece in decoder.feed(data):
                total += len(piece)
                if total > limit:
                    raise TooLarge(
                        shown, f"{what} decompresses to more than {limit} bytes; refused as a bomb"
                    )
                yield piece
        except _ERRORS as exc:
            raise InputError(shown, f"corrupt {what} ({kind}): {exc}") from None
        if decoder.eof:
            data = decoder.unused_data or stream.read(READ_SIZE)
            decoder, started = _decoder(kind), False  # another stream may follow
        else:
            data = stream.read(READ_SIZE)
    if started and kind != "identity":
        raise InputError(shown, f"truncated {what}: the {kind} stream ends before its end marker")
