"""Forked work under a CI runner's process limit (`auditor.runtime.parallel`): whatever the
limit lets start, the answer is the one this process would give, with nothing on standard error.

RLIMIT_NPROC counts every thread of the user, and binds no process of root: each run below is
made by a user of its own (a uid nobody else runs as, so that nothing else counts against it),
keeping root's right to read the checkout where it may sit under a home only root enters."""

from __future__ import annotations

import subprocess

import pytest

from auditor.runtime.parallel import can_fork
from tests.unprivileged import CAN_LIMIT_PROCESSES, as_limited_user

WORK = """
import os, sys
from auditor.runtime.parallel import Background, SharedBatches
here = os.getpid()
answer = Background(lambda: sum(range(1000))).result()
batches = SharedBatches(list(range(300)), lambda batch: batch * batch).results()
print(answer, sum(batches))
"""


@pytest.mark.skipif(not can_fork(), reason="this platform cannot fork")
@pytest.mark.skipif(
    not CAN_LIMIT_PROCESSES, reason="needs root to run as a user of its own, with setpriv and prlimit"
)
@pytest.mark.parametrize("limit", range(1, 8))
def test_forked_work_under_a_process_limit_answers_or_is_done_here(limit: int) -> None:
    """A process pool started a manager thread and its queue's feeder in this process, and a
    thread in the worker: where the limit let the fork through and not a thread, the run hung
    for ever (the answer never came, or the interpreter waited for the pool at its exit), and
    each thread that failed left a traceback on standard error. With a limit of 3 to 5 it hung
    two runs in three; with 2, every run printed "Exception in initializer"."""
    try:
        run = as_limited_user(limit, "-c", WORK)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung under a limit of {limit} processes")
    assert (run.returncode, run.stdout, run.stderr) == (
        0,
        f"{sum(range(1000))} {sum(b * b for b in range(300))}\n",
        "",
    )
