"""Progress on standard error for long work, shown only when standard error is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from auditor.core.errors import one_line


class Progress:
    """A one-line status that rewrites itself; silent when not on a TTY or when disabled."""

    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self._stream = stream or sys.stderr
        self._enabled = enabled and self._stream.isatty()
        self._interval = interval
        self._last = 0.0
        self._width = 0

    def update(self, message: str) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        line = one_line(message)[:100]  # file names come from the inputs
        self._stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self._stream.flush()

    def done(self) -> None:
        if self._enabled and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
