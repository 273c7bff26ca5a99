"""Where a zstd stream may be cut so that no piece between two cuts decodes to more than a bound.

python-zstandard's ``decompressobj`` has no output bound: one call decodes all it is given,
and a block of four bytes (RLE) decodes to 128 KiB. Cutting the input every 32 bytes bounds a
call at 1 MiB, at the price of one call per 32 bytes: a source RPM's zstd payload, which is
mostly sources already compressed, decoded at 15 MB/s, 48 times slower than ``rpm2cpio``.

RFC 8878 bounds what one block decodes to, 128 KiB (Block_Maximum_Size), and the framing says
where each block starts. A piece that touches at most ``blocks`` blocks therefore decodes to at
most ``blocks`` x 128 KiB, however long it is: 64 KiB of stored blocks is one call. Only the
framing is read here (frame headers, block headers, checksums, skippable frames); decoding, and
saying what is corrupt, stay zstd's. A run of tiny frames or blocks, and whatever this reader
does not know (a legacy frame, a reserved bit or block type, a block declared past 128 KiB, all
of which zstd refuses), turn it *blind*: from there on it cuts every 32 bytes, the old bound,
which holds for any input.

Grammar read (RFC 8878, section 3), each field little-endian::

    stream    = { frame | skippable }
    frame     = magic(FD2FB528) descriptor [window] [dictionary id] [content size]
                { block } last-block [checksum(4)]
    block     = header(3: last bit, type 2 bits, size 21 bits) content
    content   = size bytes (raw, compressed) | 1 byte (RLE)
    skippable = magic(184D2A5?) size(4) size bytes
"""

from __future__ import annotations

from collections.abc import Iterator

BLOCK_MAX = 128 * 1024
"""RFC 8878's Block_Maximum_Size: the most one block decodes to."""
BLIND_SLICE = 32
"""Bytes per piece where the framing is not known: a 4-byte block decodes to 128 KiB at most,
so 32 bytes decode to 1 MiB at most."""

_SHORT_RUN = 64
"""Pieces in a row shorter than `BLIND_SLICE` after which the reader turns blind: tiny frames or
blocks (2.7 MB of 9-byte empty frames, or of 3-byte empty blocks) cost a Python step each to
follow, more than zstd's 32 bytes at a time, and no stream a compressor writes has them."""
_ZSTD_MAGIC = 0xFD2FB528
_SKIPPABLE_MAGIC, _SKIPPABLE_MASK = 0x184D2A50, 0xFFFFFFF0
_RLE, _RESERVED = 1, 3
_DICTIONARY_ID_BYTES = (0, 1, 2, 4)
_CONTENT_SIZE_BYTES = (0, 2, 4, 8)

# The framing reader's states: what the next bytes are. From `_CONTENT` on, but for
# `_SKIP_SIZE`, bytes are only counted; the others are fields read to know what follows.
_MAGIC, _DESCRIPTOR, _FRAME_HEADER, _BLOCK_HEADER, _CONTENT, _CHECKSUM, _SKIP_SIZE, _SKIPPED = range(8)


class FrameCuts:
    """The framing of one zstd stream, fed in order, turned into cuts (`cuts`)."""

    __slots__ = ("_blocks", "_checksum", "_held", "_last", "_need", "_state", "blind")

    def __init__(self, blocks: int) -> None:
        """``blocks``: the most blocks one piece may touch (a piece then decodes to at most
        ``blocks`` x `BLOCK_MAX` bytes)."""
        if blocks < 1:
            raise ValueError("a piece touches at least one block")
        self.blind = False
        """Whether the framing is no longer followed: every `BLIND_SLICE` bytes is a cut."""
        self._blocks = blocks
        self._state = _MAGIC
        self._need = 4
        self._held = b""
        self._checksum = False
        self._last = False

    def cuts(self, data: bytes) -> Iterator[int]:
        """The offsets in ``data`` (the stream's next bytes) where pieces end, increasing, the
        last one ``len(data)``: each piece touches at most ``blocks`` blocks, and a frame's end
        is a cut, so a decoder that stops at each frame's end stops at a cut. The framing read
        is kept when the last cut is taken (the caller stops there, or turns `blind`)."""
        # Locals, written back once: 2.7 MB of 9-byte empty frames is 1.2 million fields.
        state, need, held, checksum, last = self._state, self._need, self._held, self._checksum, self._last
        size, at, last_cut, blocks, blind = len(data), 0, 0, self._blocks, self.blind
        short = 0  # pieces in a row shorter than a blind one
        # A block begun before this data (its header or content not all read) is touched by
        # the first piece too.
        touched = 1 if state == _CONTENT or (state == _BLOCK_HEADER and held) else 0
        while at < size and not blind:
            if state >= _CONTENT and state != _SKIP_SIZE:  # bytes only counted
                step = min(need, size - at)
                at += step
                need -= step
                if need:
                    break  # the rest of them are in later data
                if state == _CONTENT and not last:
                    state, need = _BLOCK_HEADER, 3
                elif state == _CONTENT:
                    state, need = _CHECKSUM, 4 if checksum else 0
                else:  # the checksum, or a skippable frame's content: the frame ends
                    state, need = _MAGIC, 4
                    if last_cut < at < size:
                        short = short + 1 if at - last_cut < BLIND_SLICE else 0
                        blind = short >= _SHORT_RUN
                        yield at
                        last_cut, touched = at, 0
                continue
            if state == _BLOCK_HEADER and not held:  # a block starts here
                if touched == blocks and at > last_cut:
                    short = short + 1 if at - last_cut < BLIND_SLICE else 0
                    blind = short >= _SHORT_RUN
                    yield at
                    last_cut, touched = at, 0
                touched += 1
            if not held and at + need <= size:  # the whole field is here (all but a few)
                value = int.from_bytes(data[at : at + need], "little")
                at += need
            else:
                take = min(need - len(held), size - at)
                held += data[at : at + take]
                at += take
                if len(held) < need:
                    break
                value, held = int.from_bytes(held, "little"), b""
            if state == _BLOCK_HEADER:
                kind, content = (value >> 1) & 0x03, value >> 3
                if kind == _RESERVED or content > BLOCK_MAX:
                    blind = True  # zstd refuses the block
                last = bool(value & 0x01)
                state, need = _CONTENT, 1 if kind == _RLE else content
            elif state == _MAGIC:
                if value == _ZSTD_MAGIC:
                    state, need = _DESCRIPTOR, 1
                elif value & _SKIPPABLE_MASK == _SKIPPABLE_MAGIC:
                    state, need = _SKIP_SIZE, 4
                else:
                    blind = True  # a legacy frame, or no zstd at all: zstd says which
            elif state == _DESCRIPTOR:
                if value & 0x08:
                    blind = True  # the reserved bit: zstd refuses the frame
                single_segment = bool(value & 0x20)
                checksum = bool(value & 0x04)
                rest = (0 if single_segment else 1) + _DICTIONARY_ID_BYTES[value & 0x03]
                rest += _CONTENT_SIZE_BYTES[value >> 6] or (1 if single_segment else 0)
                state, need = (_FRAME_HEADER, rest) if rest else (_BLOCK_HEADER, 3)
            elif state == _FRAME_HEADER:
                state, need = _BLOCK_HEADER, 3
            else:  # _SKIP_SIZE
                state, need = _SKIPPED, value
        self._state, self._need, self._held, self._checksum, self._last = state, need, held, checksum, last
        self.blind = blind
        if blind and at < size:
            yield from range(at + BLIND_SLICE if at == last_cut else at, size, BLIND_SLICE)
        yield size
