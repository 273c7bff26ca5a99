"""The retry policy of one run's HTTP: how many times a request is tried, how long it waits
between attempts, and when it gives up.

A request is attempted again while it fails with `Retryable` (connection errors, timeouts,
slow or truncated bodies, 5xx and 429 answers), after an exponential back-off or the wait a
server asks for (``Retry-After``), whichever is longer, until one of three
limits: `HttpSettings.attempts` attempts in all, the request's deadline (derived from its
size ceiling, `HttpSettings.deadline`, and shared by all its attempts), or the run's
`HttpSettings.retry_budget` retries, shared by every thread. It then fails with one
`HttpError` that says which limit stopped it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from auditor.net.deadline import WATCHDOG, NoWatchdog, Watch
from auditor.net.failures import HttpError, Retryable
from auditor.net.options import HttpSettings

T = TypeVar("T")

sleep: Callable[[float], None] = WATCHDOG.pause
"""The pause between two attempts (cut short when the run is interrupted): this module's own
name for it, so that a test can record the pauses a server's answers chose instead of sleeping
through them."""


@dataclass(frozen=True)
class Attempt:
    """One attempt of a request: the URL asked for (errors name it), the watch that enforces
    the time limits, and the request's deadline (shared by all its attempts)."""

    url: str
    watch: Watch
    deadline: float
    limit: float

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def expired(self) -> HttpError:
        return HttpError(self.url, f"not complete within its {self.limit:g}-second deadline")


class _RetryBudget:
    """Retries left for the whole run, shared by every thread."""

    def __init__(self, retries: int) -> None:
        self._left = retries
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


class _HostFailures:
    """Requests that failed for good in a row, by host, shared by every thread: a host whose
    last `HttpSettings.host_failures` requests all did is asked nothing more."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._failed: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def refusal(self, host: str) -> str | None:
        with self._lock:
            count, last = self._failed.get(host, (0, ""))
        if count < self.limit:
            return None
        return f"not requested: the last {count} requests to {host} failed, the last with: {last}"

    def failed(self, host: str, reason: str) -> None:
        with self._lock:
            self._failed[host] = (self._failed.get(host, (0, ""))[0] + 1, reason)

    def answered(self, host: str) -> None:
        with self._lock:
            self._failed.pop(host, None)


class RetryPolicy:
    """The attempts of every request of one run, held to `HttpSettings`, one retry budget, and
    the failures in a row of each host."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._retries = _RetryBudget(settings.retry_budget)
        self._hosts = _HostFailures(settings.host_failures)

    def run(self, url: str, ceiling: int, action: Callable[[Attempt], T], *, counted: bool = False) -> T:
        """``action`` until it succeeds, fails for good, runs out of attempts, of the run's
        retries, or of the request's deadline (derived from ``ceiling``, its size).

        ``counted`` (the range requests of package files, thousands of them): not tried when
        the host's last counted requests all failed (`HttpSettings.host_failures`). Metadata and
        mirrors are not counted: at most 10 mirrors are tried per repository already, and their
        successes would hide the header reads failing between them."""
        if not counted:
            return self._attempts(url, ceiling, action)
        host = urlsplit(url).netloc
        refusal = self._hosts.refusal(host)
        if refusal is not None:
            raise HttpError(url, refusal)
        try:
            result = self._attempts(url, ceiling, action)
        except HttpError as exc:
            if exc.retryable:
                self._hosts.failed(host, exc.reason)
            else:
                self._hosts.answered(host)  # it answered (a 404, a bad range): it is up
            raise
        self._hosts.answered(host)
        return result

    def _attempts(self, url: str, ceiling: int, action: Callable[[Attempt], T]) -> T:
        limit = self.settings.deadline(ceiling)
        deadline = time.monotonic() + limit
        attempts = max(1, self.settings.attempts)
        for number in range(1, attempts + 1):
            attempt = Attempt(url, Watch(), deadline, limit)
            try:
                return action(attempt)
            except Retryable as exc:
                failure = exc
            except NoWatchdog:  # the input's to report, as any request that failed for good
                raise HttpError(url, NoWatchdog.REASON) from None
            finally:
                attempt.watch.close()
            pause = self.settings.backoff * 2 ** (number - 1)
            asked = failure.wait  # a server's Retry-After: earlier, it would answer the same
            if asked is not None and asked > pause:
                pause = asked
            if WATCHDOG.is_interrupting():
                suffix = " (the run was interrupted)"
            elif number == attempts:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
            elif attempt.remaining() <= pause:
                why = f": the server asks to wait {asked:g} s" if pause == asked else ""
                suffix = f" (no time left to retry within its {limit:g}-second deadline{why})"
            elif not self._retries.take():
                suffix = f" (not retried: the run's {self.settings.retry_budget} retries are spent)"
            else:
                sleep(pause)
                continue
            error = HttpError(url, failure.reason + suffix, failure.status)
            error.retryable = True
            raise error from None
        raise AssertionError("unreachable")
