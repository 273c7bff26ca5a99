"""Work spread over threads, as many as the system lets start.

RLIMIT_NPROC counts every thread of the user, and a CI runner's jobs often share one uid.
`concurrent.futures.ThreadPoolExecutor` raises from ``submit`` when a worker cannot start (with
the item already queued), so a remote audit that could have fetched its headers with the threads
it had ended in an internal error, exit 4. Here a thread that cannot start is one worker fewer,
and the calling thread is a worker too: the work is done by whatever started, down to the caller
alone, and gives the same answer.

An interruption (Ctrl-C, or SIGTERM, which `auditor.cli.process` makes unwind the run) reaches
the calling thread only; the workers then finish the item they hold, and a caller whose items
wait on something slow (a server) says how to cut that short (``interrupting``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(
    function: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    *,
    interrupting: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
) -> list[R]:
    """``[function(item) for item in items]``, by up to ``workers`` threads, this one included.
    The exception of the lowest item that raised one is raised here once every thread has
    stopped, as a loop would raise it: no new item is started after the first failure, and every
    item below it had started and runs to its end. An interruption this thread meets while it
    works or waits for the others (a Ctrl-C, or any other exception that is not an `Exception`)
    is raised before any, and the threads are waited for inside ``interrupting()``, which makes
    their items end soon."""
    results: list[Any] = [None] * len(items)
    lock = threading.Lock()
    state = {"next": 0, "stop": False}
    failures: list[tuple[int, BaseException]] = []

    def work() -> None:
        while True:
            with lock:
                at = state["next"]
                if state["stop"] or at >= len(items):
                    return
                state["next"] = at + 1
            try:
                results[at] = function(items[at])
            except BaseException as exc:  # re-raised by the caller, whatever it is
                with lock:
                    state["stop"] = True
                    failures.append((at, exc))
                return

    started: list[threading.Thread] = []
    interrupted = True  # until this thread's own share of the work ends as it should
    try:  # a Ctrl-C while the threads start stops those started too
        for _ in range(min(workers, len(items)) - 1):
            thread = threading.Thread(target=work, name="auditor-worker", daemon=True)
            started.append(thread)  # before `start`: a Ctrl-C inside it may land once it runs
            try:
                thread.start()
            except RuntimeError:  # "can't start new thread": the process limit; those started work
                started.pop()
                break
        work()
        interrupted = any(not isinstance(failure, Exception) for _at, failure in failures)
    finally:
        with lock:
            state["stop"] = True  # when this thread leaves by an exception of its own
        try:
            if not interrupted:
                _join(started)
        except BaseException:
            # Interrupted while waiting, this thread's own items done (the end of every header
            # read): the workers' requests are cut short too, not left to run to their deadlines
            # while the run unwinds around them (their downloads' directory removed under them).
            interrupted = True
            raise
        finally:
            if interrupted:
                with interrupting():
                    _join(started)
    if failures:
        # An interruption of this thread, caught as its item's failure, is raised whatever a
        # worker's item raised before it: the run was asked to end.
        interruption = next(
            (failure for _at, failure in failures if not isinstance(failure, Exception)), None
        )
        raise interruption or min(failures, key=lambda failed: failed[0])[1]
    return results


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        if thread.is_alive():  # one a Ctrl-C caught in `start` finds the stop when it runs
            thread.join()
