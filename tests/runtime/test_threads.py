"""`map_in_threads`: what an interruption of the calling thread does to its workers."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import pytest

from auditor.runtime.threads import map_in_threads


class Interrupted(BaseException):
    """Stands for KeyboardInterrupt or `auditor.cli.process.Terminated`, which reach the calling
    thread only."""


def _cutting_short(
    release: threading.Event, cut_short: list[bool]
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """An ``interrupting`` that ends the workers' waits (``release``) and says it was entered."""

    @contextlib.contextmanager
    def interrupting() -> Iterator[None]:
        cut_short.append(True)
        release.set()
        yield

    return interrupting


def test_an_interruption_is_raised_over_a_workers_failure_and_cuts_the_workers_short() -> None:
    release = threading.Event()
    calling_thread_works = threading.Event()
    worker_failed = threading.Event()
    cut_short: list[bool] = []

    def function(item: int) -> int:
        if threading.current_thread() is threading.main_thread():
            calling_thread_works.set()
            worker_failed.wait(30)
            raise Interrupted  # lands while this thread works on its own item
        if item == 1:
            calling_thread_works.wait(30)
            worker_failed.set()
            raise ValueError("a worker's failure, before the interruption")
        release.wait(30)  # a request that would wait until its deadline
        return item

    interrupting = _cutting_short(release, cut_short)

    with pytest.raises(Interrupted):
        map_in_threads(function, [0, 1, 2, 3], 4, interrupting=interrupting)
    assert cut_short == [True]


def test_a_failure_is_no_interruption_and_the_workers_end_their_items() -> None:
    entered: list[bool] = []

    @contextlib.contextmanager
    def interrupting() -> Iterator[None]:
        entered.append(True)
        yield

    def function(item: int) -> int:
        if item == 2:
            raise ValueError("two")
        return item

    with pytest.raises(ValueError, match="two"):
        map_in_threads(function, list(range(8)), 3, interrupting=interrupting)
    assert entered == []
    assert map_in_threads(lambda item: item * 2, list(range(8)), 3, interrupting=interrupting) == [
        item * 2 for item in range(8)
    ]
    assert entered == []


def test_the_lowest_failing_item_is_raised_whichever_thread_failed_first() -> None:
    """As a loop raises: item 3 fails after item 9 has (a slower server), and 3's is raised."""
    nine_failed = threading.Event()

    def function(item: int) -> int:
        if item == 3:
            nine_failed.wait(30)
            raise ValueError("three")
        if item == 9:
            nine_failed.set()
            raise ValueError("nine")
        return item

    for _ in range(20):
        nine_failed.clear()
        with pytest.raises(ValueError, match="three"):
            map_in_threads(function, list(range(12)), 4)


def test_an_interruption_while_the_workers_are_waited_for_cuts_them_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The calling thread's own items are done, and a Ctrl-C (SIGTERM) lands while it waits for
    a worker still on its request, the common case at the end of a remote audit's header reads:
    the workers were left to their requests' deadlines while the run unwound around them (their
    downloads' directory removed under them), and in a process that runs again, beside it."""
    release = threading.Event()
    cut_short: list[bool] = []

    def function(item: int) -> int:
        if threading.current_thread() is not threading.main_thread():
            release.wait(30)  # a request that would wait until its deadline
        return item

    interrupting = _cutting_short(release, cut_short)

    class InterruptedInJoin(threading.Thread):
        def join(self, timeout: float | None = None) -> None:
            if not release.is_set():
                raise Interrupted  # the signal lands in the wait, as it may in a real one
            super().join(timeout)

    workers: list[threading.Thread] = []

    def made(*args: object, **kwargs: object) -> threading.Thread:
        workers.append(InterruptedInJoin(*args, **kwargs))  # type: ignore[arg-type]
        return workers[-1]

    monkeypatch.setattr("auditor.runtime.threads.threading.Thread", made)
    with pytest.raises(Interrupted):
        map_in_threads(function, [0, 1], 2, interrupting=interrupting)
    assert cut_short == [True]
    assert workers and not any(worker.is_alive() for worker in workers)  # waited for, cut short
