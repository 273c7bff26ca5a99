"""zchunk (``\\0ZCK1``), the format of the ``primary_zck`` copy of primary.xml that dnf reads in
its place where librepo has zchunk (Fedora's default), decoded within bounds.

A zchunk file is a lead, a header and its data (zchunk's ``zchunk_format.txt``)::

    lead    = "\\0ZCK1" checksum-type:ci header-size:ci header-checksum
    header  = preface index signatures
    preface = data-checksum flags:ci compression:ci index-size:ci
    index   = chunk-checksum-type:ci chunk-count:ci dict-entry chunk-entry*
    entry   = chunk-checksum length:ci uncompressed-length:ci
    signatures = count:ci (type:ci size:ci bytes)*
    data    = dict chunk*        (each chunk one zstd frame, with the dict; the dict without)

``ci`` is zchunk's integer: seven bits a byte, least significant first, the *last* byte's top
bit set. The file comes from the repository, so nothing is trusted: the header and data
checksums are verified as libzck verifies them, every chunk's too, the uncompressed lengths
are summed against the limit before a byte is decompressed, each chunk must decompress to
its own length exactly, and a flag libsolv's own reader (``ext/solv_zchunk.c``) does not know
is refused, as the format requires: only data streams are read, stream 1 being the content.
libzck, which a distribution's libsolv may be built with instead, accepts more (``zck -u``'s
uncompressed checksums, bytes after the last chunk): such a file is refused here, an input
error, never a content read otherwise than unzck reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import zstandard

from auditor.core.errors import InputError, TooLarge
from auditor.formats.decompress import PIECE, Readable, ZstdDecoder

MAGIC = b"\x00ZCK1"

STREAMS = 1
"""The one flag read: the file has data streams; only stream 1 is its content, as libsolv
(which parses a repository's zchunk metadata for dnf) reads it."""

_CHECKSUMS = {0: ("sha1", 20), 1: ("sha256", 32), 2: ("sha512", 64), 3: ("sha512", 16)}
"""zchunk's checksum types: SHA-1, SHA-256, SHA-512 and SHA-512's first 128 bits."""

_COMPRESSIONS = {0: "none", 2: "zstd"}

MAX_HEADER = 1 << 25
"""Bytes of header read at most. An index entry is about 20 bytes, and each is held as a small
object: 2 million entries (36 MB) took 430 MB (unzck: 505 MB). Fedora's primary_zck, a chunk
per package, has an index of about 2 MB: 32 MiB is 16 times that."""

MAX_DICTIONARY = 1 << 26
"""Bytes of the dictionary, held whole to decompress with (a zstd dictionary: zstd trains 110 KiB
ones by default)."""


@dataclass(frozen=True)
class _Chunk:
    stream: int
    checksum: bytes
    length: int
    uncompressed: int


class _Cursor:
    """Reads the header's fields in order; running past its end is a corrupt file."""

    def __init__(self, data: bytes, shown: str) -> None:
        self.data, self.at, self.shown = data, 0, shown

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise InputError(self.shown, "corrupt zchunk header: it ends inside a field")
        piece = self.data[self.at : self.at + size]
        self.at += size
        return piece

    def number(self) -> int:
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise InputError(self.shown, "corrupt zchunk header: an integer of more than 64 bits")


def _checksum(kind: int, shown: str, what: str) -> tuple[str, int]:
    found = _CHECKSUMS.get(kind)
    if found is None:
        raise InputError(shown, f"zchunk {what} checksum type {kind} is not known: not read")
    return found


def _digest(name: str, size: int, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()[:size]


def _exactly(stream: Readable, size: int, shown: str, what: str) -> bytes:
    parts: list[bytes] = []
    left = size
    while left:
        piece = stream.read(min(left, 1 << 20))
        if not piece:
            raise InputError(shown, f"truncated zchunk file: it ends inside its {what}")
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


def zchunk_decompressed(stream: Readable, shown: str, *, limit: int) -> Iterator[bytes]:
    """Yield the content of the zchunk file ``stream`` in pieces of at most `PIECE` bytes;
    `InputError` naming ``shown`` when it is corrupt, uses what this reader does not know, or
    would hold more than ``limit`` bytes."""
    lead = _exactly(stream, len(MAGIC), shown, "lead")
    if lead != MAGIC:
        raise InputError(shown, "not a zchunk file")
    # The lead's integers are read a byte at a time: the header size is not known yet.
    numbers: list[int] = []
    raw = bytearray(lead)
    for _field in range(2):
        value = shift = 0
        while True:
            byte = _exactly(stream, 1, shown, "lead")[0]
            raw.append(byte)
            value |= (byte & 0x7F) << shift
            if byte & 0x80:
                break
            shift += 7
            if shift > 63:
                raise InputError(shown, "corrupt zchunk lead: an integer of more than 64 bits")
        numbers.append(value)
    checksum_type, header_size = numbers
    name, size = _checksum(checksum_type, shown, "header")
    header_checksum = _exactly(stream, size, shown, "lead")
    if header_size > MAX_HEADER:
        raise InputError(shown, f"zchunk header of {header_size} bytes: more than {MAX_HEADER} refused")
    header = _exactly(stream, header_size, shown, "header")
    if _digest(name, size, bytes(raw) + header) != header_checksum:
        raise InputError(shown, "zchunk header checksum mismatch")
    cursor = _Cursor(header, shown)
    data_checksum = cursor.take(size)
    flags = cursor.number()
    if flags & ~STREAMS:
        raise InputError(shown, f"zchunk flags {flags:#x} (optional elements or others): not read")
    compression = _COMPRESSIONS.get(cursor.number())
    if compression is None:
        raise InputError(shown, "zchunk compression type is not known: not read")
    index_size = cursor.number()
    index_end = cursor.at + index_size
    chunk_name, chunk_size = _checksum(cursor.number(), shown, "chunk")
    count = cursor.number()
    if count < 1 or count * (chunk_size + 2) > index_size:
        raise InputError(shown, "corrupt zchunk index: its chunk count does not fit it")
    chunks = [
        _Chunk(
            cursor.number() if flags & STREAMS else 1,
            cursor.take(chunk_size),
            cursor.number(),
            cursor.number(),
        )
        for _ in range(count)
    ]
    if cursor.at != index_end:
        raise InputError(shown, "corrupt zchunk index: its size does not match its entries")
    for _signature in range(cursor.number()):
        cursor.number()
        cursor.take(cursor.number())
    if cursor.at != len(header):
        raise InputError(shown, "corrupt zchunk header: bytes left after its signatures")
    if chunks[0].stream not in (0, 1):  # 1: the default when the file has no streams
        raise InputError(shown, "corrupt zchunk index: its dictionary is in a data stream")
    total = sum(chunk.uncompressed for chunk in chunks[1:] if chunk.stream == 1)
    if total > limit:
        raise TooLarge(shown, f"metadata decompresses to more than {limit} bytes; refused as a bomb")
    if chunks[0].uncompressed > limit:
        raise InputError(shown, f"zchunk dictionary of more than {limit} bytes; refused as a bomb")
    if chunks[0].uncompressed > MAX_DICTIONARY:
        raise InputError(shown, f"zchunk dictionary of more than {MAX_DICTIONARY} bytes: refused")
    data_digest = hashlib.new(name)
    decompressor = zstandard.ZstdDecompressor()
    for number, chunk in enumerate(chunks):
        compressed = _exactly(stream, chunk.length, shown, "data")
        data_digest.update(compressed)
        if number and chunk.stream != 1:
            continue  # another stream's (libsolv reads stream 1)
        if chunk.length and _digest(chunk_name, chunk_size, compressed) != chunk.checksum:
            raise InputError(shown, f"zchunk chunk {number} checksum mismatch")
        pieces = _chunk(compressed, compression, decompressor, chunk.uncompressed, shown, number)
        if number == 0:
            # Read even when empty: an empty dictionary chunk that claims a length is corrupt,
            # as libsolv and libzck refuse it. Chunks are compressed with it, it without.
            content = b"".join(pieces)
            if content:
                dictionary = zstandard.ZstdCompressionDict(content)
                decompressor = zstandard.ZstdDecompressor(dict_data=dictionary)
            continue
        yield from pieces
    if stream.read(1):
        raise InputError(shown, "corrupt zchunk file: bytes after its last chunk")
    if data_digest.digest()[:size] != data_checksum:
        raise InputError(shown, "zchunk data checksum mismatch")


def _chunk(
    compressed: bytes,
    compression: str,
    decompressor: zstandard.ZstdDecompressor,
    expected: int,
    shown: str,
    number: int,
) -> Iterator[bytes]:
    """One chunk's content, which must be ``expected`` bytes, in pieces of at most `PIECE`."""
    if compression == "none":
        if len(compressed) != expected:
            raise InputError(shown, f"corrupt zchunk chunk {number}: not its uncompressed length")
        for at in range(0, len(compressed), PIECE):
            yield compressed[at : at + PIECE]
        return
    made = 0
    try:
        # A chunk may hold several zstd frames, as zstd and libsolv read it: each one decoded
        # from its offset (a copy of what is left, once per frame, was quadratic: 5.4 MB of
        # 9-byte empty frames took 150 s), a few blocks per call (`decompress.ZstdDecoder`).
        decoder = ZstdDecoder(decompressor)
        for piece in decoder.feed(compressed):
            made += len(piece)
            if made > expected:
                raise InputError(shown, f"corrupt zchunk chunk {number}: longer than its index says")
            yield piece
        if compressed and not decoder.eof:
            raise InputError(shown, f"corrupt zchunk chunk {number}: a zstd frame is cut short")
    except zstandard.ZstdError as exc:
        raise InputError(shown, f"corrupt zchunk chunk {number}: {exc}") from None
    if made != expected:
        raise InputError(shown, f"corrupt zchunk chunk {number}: not its uncompressed length")
