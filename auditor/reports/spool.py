"""A spool of bytes written once and read back (`auditor.reports.spdx`: the packages' and
relationships' text, kept while the namespace digest is made)."""

from __future__ import annotations

import tempfile
from typing import IO


class Spool:
    """Bytes written, then read back: in memory up to ``in_memory`` bytes, in a temporary file
    past it, and in memory still where no temporary file can be made or written (a read-only
    or full temporary directory, a file size limit): that costs memory, not the document.

    The file holds the first ``filed`` bytes, written unbuffered so that what a failed write
    left is known; ``tail`` holds the rest. A temporary file that filled up mid-way raised
    ``File too large`` out of the document (exit 4)."""

    def __init__(self, in_memory: int) -> None:
        self.in_memory = in_memory
        self.file: IO[bytes] | None = None
        self.filed = 0
        self.tail = bytearray()
        self.spills = True
        self.position = 0

    def write(self, data: bytes) -> None:
        self.tail += data
        if self.spills and len(self.tail) > self.in_memory:
            self._spill()

    def _spill(self) -> None:
        done = 0
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115  (closed by close)
            with memoryview(self.tail) as pending:
                while done < len(pending):
                    written = self.file.write(pending[done:])
                    if not written:
                        raise OSError("the temporary file took no more")
                    done += written
        except OSError:
            self.spills = False  # what the file holds stays there; the rest stays in memory
        finally:
            self.filed += done
            del self.tail[:done]

    def tell(self) -> int:
        return self.filed + len(self.tail)

    def seek(self, position: int) -> None:
        self.position = position

    def read(self, size: int) -> bytes:
        if self.position < self.filed and self.file is not None:
            self.file.seek(self.position)
            piece = self.file.read(min(size, self.filed - self.position))
        else:
            start = self.position - self.filed
            piece = bytes(self.tail[start : start + size])
        if not piece and size:
            raise OSError(f"the temporary file ended at {self.position} bytes of {self.tell()}")
        self.position += len(piece)
        return piece

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
