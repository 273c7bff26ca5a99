"""Items a forked worker encodes, passed on by this process as the worker writes them.

The JSON report's packages are encoded in two processes (`auditor.reports.json_report`):
this process encodes the first part and writes the whole report, a forked worker encodes the
rest into a spool. Taking the worker's pieces only once it had written them all left this
process copying 50 MB after the worker's last row (about 0.1 s on distro-60k); here each
piece is passed on as soon as the worker says it is whole, while the worker encodes the
next. The answer never depends on the worker: what it did not say it wrote is encoded here.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, Generic, TypeVar

from auditor.reports.jsonlines import SPOOL_PIECE, item_pieces

T = TypeVar("T")

WRITTEN = struct.Struct("<QQ")
"""What the worker has written whole: the spool's bytes, and the rows they hold."""


class ItemHandover(Generic[T]):
    """A forked worker's items, from the worker to this process: it writes them, a comma before each,
    to the spool a piece at a time, and after each piece says on a pipe how far the spool now
    holds whole items (`WRITTEN`). This process reads the pipe until the worker closes it (or
    dies, and the system closes it), passing each piece on as it is said, and then encodes the
    rows no piece held: none, unless the worker died or no worker ran."""

    def __init__(self, spool: IO[bytes], rows: Sequence[T], encode: Callable[[T], dict[str, Any]]) -> None:
        self._spool, self._rows, self._encode = spool, rows, encode
        self._parent = os.getpid()
        self._said, self._says = os.pipe()
        self.offset = 0
        """Bytes of the spool passed on."""
        self.done = 0
        """Rows those bytes hold."""

    def forked(self) -> None:
        """The worker is forked (or could not be): only it may hold the pipe's writing end, so
        that the pipe ends when the worker does."""
        os.close(self._says)

    def encode(self) -> None:
        """In the worker: every row into the spool, each piece said once written. Called here
        (no worker ran, or it died), it does nothing: `rest` encodes what is left."""
        if os.getpid() == self._parent:
            return
        descriptor, offset, done = self._spool.fileno(), 0, 0
        try:
            for piece in item_pieces((self._encode(row) for row in self._rows), after_others=True):
                data = memoryview(piece)
                while data:
                    data = data[os.pwrite(descriptor, data, offset + len(piece) - len(data)) :]
                offset += len(piece)
                # A line an item: JSON writes a newline inside a string as ``\\n``.
                done += piece.count(b"\n")
                os.write(self._says, WRITTEN.pack(offset, done))
        finally:
            os.close(self._says)

    def written(self) -> Iterator[bytes]:
        """The worker's pieces as it says them, until it closes the pipe."""
        descriptor = self._spool.fileno()
        # Each message is written at once and is shorter than PIPE_BUF: it is read whole.
        while len(message := os.read(self._said, WRITTEN.size)) == WRITTEN.size:
            end, done = WRITTEN.unpack(message)
            while self.offset < end:
                piece = os.pread(descriptor, min(end - self.offset, SPOOL_PIECE), self.offset)
                if not piece:
                    raise OSError(f"the JSON report's spool ends at {self.offset} of {end} bytes")
                self.offset += len(piece)
                yield piece
            self.done = done

    def rest(self) -> Iterator[bytes]:
        """The rows no piece of the worker held, encoded here."""
        rows = self._rows[self.done :]
        yield from item_pieces((self._encode(row) for row in rows), after_others=True)

    def close(self) -> None:
        """Stop listening: a worker still writing then fails, and nobody waits for it."""
        with contextlib.suppress(OSError):
            os.close(self._said)
