"""A report recorded for the store as it is written, compressed, without being held whole."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import zstandard

REPORT_CODEC = "zstd"
"""How stored reports are compressed. zstd at level 1 compresses a distribution's 90 MB JSON
report four times faster than zlib at level 1, smaller, and gives it back three times faster:
the cold run pays the first, every warm run the second. A report stored otherwise (zlib,
before) is audited again, quietly."""


@dataclass(frozen=True)
class CompressedReport:
    """A report's compressed output as `ReportRecorder` kept it, to be read once."""

    size: int
    sha256: str
    pieces: Iterator[bytes]


SPOOL_IN_MEMORY = 1 << 20
"""Bytes of compressed report kept in memory; beyond, the spool is a temporary file."""


class ReportRecorder:
    """Compresses a report's pieces as they are written, into a spool that stays in memory up
    to `SPOOL_IN_MEMORY` and is a temporary file beyond: neither the report's text nor a
    distribution's compressed report is held at the run's peak.

    Recording is for the store only: a spool that cannot be written (no space for temporary
    files) ends the recording, with the reason in `failure`, and never the report's writing.
    """

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=1).compressobj()
        self._spool: IO[bytes] | None = None
        self._digest = hashlib.sha256()
        self._size = 0
        self.failure: str | None = None

    def record(self, pieces: Iterable[str | bytes]) -> Iterator[str | bytes]:
        for piece in pieces:
            self._keep(self._compressor.compress(piece.encode("utf-8") if isinstance(piece, str) else piece))
            yield piece

    def _keep(self, data: bytes) -> None:
        if self.failure is not None or not data:
            return
        try:
            if self._spool is None:
                import tempfile  # here: a replayed run records nothing and need not import it

                self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
            self._spool.write(data)
        except OSError as exc:
            self.failure = f"the report could not be recorded ({exc.strerror or exc})"
            self.close()
            return
        self._digest.update(data)
        self._size += len(data)

    def close(self) -> None:
        """Let the spool go (its temporary file, if it has one)."""
        if self._spool is not None:
            with contextlib.suppress(OSError):
                self._spool.close()
            self._spool = None

    def compressed(self) -> CompressedReport | None:
        """The compressed report, read a piece at a time until `close`; None when recording failed."""
        self._keep(self._compressor.flush())
        if self.failure is not None:
            return None
        spool = self._spool
        pieces: Iterator[bytes] = iter(())
        if spool is not None:
            spool.seek(0)
            pieces = iter(lambda: spool.read(SPOOL_IN_MEMORY), b"")
        return CompressedReport(self._size, self._digest.hexdigest(), pieces)
