"""How much of source packages' payloads one run may download to find their spec files.

A source RPM built by rpm before 4.15 carries its spec only in its payload, a cpio archive
in file-name order: the spec may come after tarballs of hundreds of MiB. Its payload is
streamed only until the spec is found, and two budgets bound what that costs: one per
package (the range requested never goes past it) and one for the whole run, shared by every
thread. A read that a budget stops is never silent: its package gets a gap that says which
budget stopped it and how much was read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

DEFAULT_PER_PACKAGE = 256 * 1024**2
DEFAULT_PER_RUN = 2 * 1024**3

PER_PACKAGE_OPTION = "--spec-download-budget"
PER_RUN_OPTION = "--spec-download-total"


def shown_size(size: int) -> str:
    """``size`` as a person reads it: ``512 bytes``, ``1.5 MiB``, ``2 GiB``."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError("unreachable")


class BudgetExhausted(Exception):
    """A payload read that a budget stopped; ``detail`` says which, and how much was read."""

    def __init__(self, detail: str, read: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.read = read


@dataclass(frozen=True)
class Allowance:
    """What one package may download: ``size`` bytes, bounded by ``per_run`` when the run's
    budget is the smaller of the two."""

    size: int
    per_run: bool


class DownloadBudget:
    """Payload bytes downloaded for spec files: ``per_package`` each, ``per_run`` in all."""

    def __init__(self, per_package: int = DEFAULT_PER_PACKAGE, per_run: int = DEFAULT_PER_RUN) -> None:
        self.per_package = per_package
        self.per_run = per_run
        self._spent = 0
        self._lock = threading.Lock()

    @property
    def spent(self) -> int:
        with self._lock:
            return self._spent

    def allowance(self) -> Allowance:
        """What the next package may download (size 0: the run's budget is spent)."""
        with self._lock:
            left = max(0, self.per_run - self._spent)
        if left < self.per_package:
            return Allowance(left, True)
        return Allowance(self.per_package, False)

    def spend(self, size: int, read: int) -> None:
        """Count ``size`` more bytes (``read`` of them for this package so far); raise
        `BudgetExhausted` once the run's budget is past."""
        with self._lock:
            self._spent += size
            over = self._spent > self.per_run
        if over:
            raise self.run_spent(read)

    def run_spent(self, read: int) -> BudgetExhausted:
        return BudgetExhausted(
            f"the run's payload download budget ({PER_RUN_OPTION} {shown_size(self.per_run)}) was spent "
            f"after {shown_size(read)} of this package's payload",
            read,
        )

    def package_spent(self, read: int) -> BudgetExhausted:
        return BudgetExhausted(
            f"the spec was not in the first {shown_size(read)} of the payload "
            f"({PER_PACKAGE_OPTION} {shown_size(self.per_package)})",
            read,
        )
