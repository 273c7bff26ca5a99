"""Progress of long work on standard error, shown only when standard error is a terminal.

Work reports to a `Reporter` (as resolvelib's ``BaseReporter``): phases with an optional
total, and counts as they advance. The base class shows nothing; `Progress` draws one line
that rewrites itself (a bar when the total is known) on a terminal, and nothing otherwise.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

from auditor.core.errors import one_line


class Reporter:
    """What long work says about itself. This one shows nothing, and each method is a call that
    returns at once: cheap in any loop, although callers report every batch (a few hundred
    packages, a network chunk), not every item."""

    def phase(self, name: str, total: int | None = None, unit: str = "") -> None:
        """A new phase begins: ``total`` items (bytes when ``unit`` is ``"B"``) when known."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` more items (or bytes) of the current phase are done."""

    def done(self) -> None:
        """The work is over: what was shown is cleared."""

    def update(self, message: str) -> None:
        """A phase of no count, told in one message (the callers that only say what they do)."""
        self.phase(message)


SILENT = Reporter()


class Progress(Reporter):
    """A one-line status that rewrites itself; silent when not on a TTY or when disabled."""

    BAR = 24

    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self._stream = stream or sys.stderr
        self._enabled = enabled and self._stream.isatty()
        self._interval = interval
        self._last = 0.0
        self._width = 0
        self._name = ""
        self._total: int | None = None
        self._unit = ""
        self._count = 0
        self._lock = threading.Lock()  # downloads report from the threads that fetch headers

    def phase(self, name: str, total: int | None = None, unit: str = "") -> None:
        if not self._enabled:
            return
        with self._lock:
            self._name, self._total, self._unit, self._count = one_line(name), total, unit, 0
            self._draw()  # at once: a phase shows even when it is over in a moment

    def advance(self, amount: int = 1) -> None:
        if not self._enabled:
            return
        with self._lock:
            self._count += amount
            finished = self._total is not None and self._count >= self._total
            if finished or time.monotonic() - self._last >= self._interval:
                self._draw()

    def done(self) -> None:
        if self._enabled and self._width:
            with self._lock:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0

    def _draw(self) -> None:
        self._last = time.monotonic()
        line = self._line()[: self._columns() - 1]  # never wraps: \r returns to its start
        self._stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self._stream.flush()

    def _line(self) -> str:
        name = self._name if len(self._name) <= 60 else "…" + self._name[-59:]  # names from the inputs
        total = self._total
        if total is None:
            return f"{name} {self._amount(self._count)}" if self._count else name
        filled = self.BAR * min(self._count, total) // total if total else self.BAR
        bar = "#" * filled + "." * (self.BAR - filled)
        return f"{name} [{bar}] {self._amount(self._count)}/{self._amount(total)}"

    def _amount(self, value: int) -> str:
        if self._unit != "B":
            return str(value)
        if value < 1024:
            return f"{value} B"
        size = value / 1024
        for unit in ("KiB", "MiB"):
            if size < 1024:
                return f"{size:.1f} {unit}"
            size /= 1024
        return f"{size:.1f} GiB"

    def _columns(self) -> int:
        try:
            return os.get_terminal_size(self._stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            return 80
