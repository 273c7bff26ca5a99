"""Work in a forked child (`auditor.runtime.parallel`), and the run's memory and exit around it."""

from __future__ import annotations

import errno
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from auditor.audit import pipeline as audit_module
from auditor.audit.options import AuditOptions
from auditor.core.errors import InputError
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from auditor.runtime import parallel
from auditor.runtime.parallel import Background, SharedBatches, can_fork
from tests.paths import ROOT
from tests.terminal import signals_as_in_a_terminal

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
needs_fork = pytest.mark.skipif(not can_fork(), reason="this platform cannot fork")


@needs_fork
def test_the_work_runs_in_a_child_and_is_never_pickled() -> None:
    parent = os.getpid()
    unpicklable = (lambda: 1, iter([1]))  # a closure over these could not cross a pipe
    work = Background(lambda: (os.getpid(), len(unpicklable)))
    pid, size = work.result()
    assert pid != parent and size == 2


@needs_fork
def test_what_the_child_raises_reaches_the_caller() -> None:
    def fail() -> None:
        raise InputError("primary.xml", "not well-formed XML")

    with pytest.raises(InputError, match="not well-formed XML"):
        Background(fail).result()


@needs_fork
def test_a_child_that_dies_leaves_the_work_to_this_process() -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            os._exit(9)  # as if killed for memory
        return os.getpid()

    assert Background(work).result() == parent


def test_without_fork_the_work_waits_for_its_result() -> None:
    calls: list[int] = []

    def work_done() -> str:
        calls.append(os.getpid())
        return "done"

    work = Background(work_done, fork=False)
    assert calls == []
    assert work.result() == "done" and calls == [os.getpid()]


def logged_work(log: str, dies_at: int | None = None) -> Callable[[int], tuple[int, int]]:
    """Work that appends who did which batch to ``log`` (one write, O_APPEND: whole lines from
    both processes); the child dies at batch ``dies_at``, before its line."""
    parent = os.getpid()

    def work(batch: int) -> tuple[int, int]:
        time.sleep(0.001)  # long enough for both processes to take batches
        if batch == dies_at and os.getpid() != parent:
            os._exit(9)
        with open(log, "a") as stream:
            stream.write(f"{os.getpid()} {batch}\n")
        return batch, batch * batch

    return work


def done_by(log: str) -> dict[int, list[int]]:
    batches: dict[int, list[int]] = {}
    for line in Path(log).read_text().splitlines():
        pid, batch = map(int, line.split())
        batches.setdefault(batch, []).append(pid)
    return batches


def wait_for_lines(log: str, count: int) -> None:
    """Until the log has ``count`` lines (a hang guard of 60 s, not a measurement)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(log) and len(Path(log).read_text().splitlines()) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{log}: fewer than {count} lines after 60 s")


@needs_fork
@pytest.mark.parametrize("asked", ["at-once", "soon", "after-the-child"])
def test_shared_batches_are_each_done_once_and_answered_in_order(tmp_path: Path, asked: str) -> None:
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(200)), logged_work(log))
    if asked == "soon":
        time.sleep(0.05)  # this process does other work first
    elif asked == "after-the-child":
        wait_for_lines(log, 200)  # the child has done them all
    heard: list[int] = []
    assert shared.results(heard.append) == [(batch, batch * batch) for batch in range(200)]
    assert sorted(heard) == list(range(200))
    batches = done_by(log)
    assert sorted(batches) == list(range(200)) and all(len(pids) == 1 for pids in batches.values())
    mine = sorted(batch for batch, [pid] in batches.items() if pid == os.getpid())
    # the child took them from the first on, this process from the last back
    assert mine == list(range(200 - len(mine), 200)) and (asked != "after-the-child" or not mine)


@needs_fork
def test_the_batches_of_a_child_that_dies_are_done_here(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(50)), logged_work(log, dies_at=3))
    time.sleep(0.2)
    assert shared.results() == [(batch, batch * batch) for batch in range(50)]
    batches = done_by(log)
    assert sorted(batches) == list(range(50))
    assert batches[3] == [os.getpid()]  # the one it died in, done again here


@needs_fork
def test_the_batches_a_child_cannot_write_down_are_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk under the answers' file: the child stops at its first answer, this process
    does every batch whose answer it does not have."""
    log = str(tmp_path / "log")
    parent, write = os.getpid(), os.write

    def no_space(descriptor: int, data: bytes) -> int:
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(descriptor, data)

    monkeypatch.setattr(os, "write", no_space)
    shared = SharedBatches(list(range(30)), logged_work(log))
    time.sleep(0.1)
    assert shared.results() == [(batch, batch * batch) for batch in range(30)]
    batches = done_by(log)
    assert sorted(batches) == list(range(30)) and all(os.getpid() in pids for pids in batches.values())


def test_without_a_temporary_file_shared_batches_are_all_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unwritable() -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", unwritable)
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(20)), logged_work(log))
    assert shared.results() == [(batch, batch * batch) for batch in range(20)]
    assert done_by(log) == {batch: [os.getpid()] for batch in range(20)}


@needs_fork
def test_a_child_killed_while_it_holds_the_lock_hangs_nothing(tmp_path: Path) -> None:
    """Killed (for memory, say) between taking the bounds' lock and letting it go: this
    process sees the child gone and does the rest without it."""
    log, parent = str(tmp_path / "log"), os.getpid()
    logged = logged_work(log)

    def work(batch: int) -> tuple[int, int]:
        if batch == 2 and os.getpid() != parent:
            # the child's own SharedBatches: the work it was forked to do is its method
            shared = cast("Any", parallel._started).__self__
            shared._lock.acquire()  # as if killed inside `_take`
            os._exit(9)
        return logged(batch)

    shared = SharedBatches(list(range(40)), work)
    time.sleep(0.2)
    finished: list[list[tuple[int, int]]] = []
    reader = threading.Thread(target=lambda: finished.append(shared.results()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert finished == [[(batch, batch * batch) for batch in range(40)]]
    shared.stop()  # as leaving `PendingReads` does: the held lock does not stop it either


@pytest.mark.parametrize("broken", ["RawArray", "fork"])
def test_without_shared_memory_semaphores_or_a_fork_everything_is_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """A sandbox without /dev/shm or working semaphores, or a fork refused (no process or
    memory left): the batches, and a `Background` work, are done in this process."""

    def refused(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    if broken == "RawArray":
        monkeypatch.setattr(multiprocessing.get_context("fork"), "RawArray", refused)
    monkeypatch.setattr(parallel, "Child", refused)
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(20)), logged_work(log))
    assert shared.results() == [(batch, batch * batch) for batch in range(20)]
    assert done_by(log) == {batch: [os.getpid()] for batch in range(20)}
    assert Background(os.getpid).result() == os.getpid()


def test_shared_batches_without_fork_are_done_here_when_asked(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(5)), logged_work(log), fork=False)
    assert not os.path.exists(log)
    assert shared.results() == [(batch, batch * batch) for batch in range(5)]
    assert done_by(log) == {batch: [os.getpid()] for batch in range(5)}


@needs_fork
def test_stopped_shared_batches_start_no_new_batch(tmp_path: Path) -> None:
    """Leaving `PendingReads` early: the child ends after the batch it is doing."""
    log = str(tmp_path / "log")
    shared = SharedBatches(list(range(1000)), logged_work(log))
    wait_for_lines(log, 1)
    shared.stop()
    child = shared._child
    assert child is not None
    ended = threading.Thread(target=child.result, daemon=True)
    ended.start()
    ended.join(timeout=60)  # a hang guard, not a measurement
    assert not ended.is_alive()
    assert 0 < len(done_by(log)) < 1000


@needs_fork
def test_classifying_in_a_child_finds_what_classifying_here_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    options = AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")), cache=False)
    here = run_audit(options, load_policy())
    monkeypatch.setattr(audit_module, "CLASSIFY_FROM", 0)
    forked = run_audit(options, load_policy())
    assert forked.findings == here.findings and forked.findings
    assert [(r.package.nevra, r.verdict, r.chain) for r in forked.results] == [
        (r.package.nevra, r.verdict, r.chain) for r in here.results
    ]


@needs_fork
def test_a_child_ends_when_the_run_that_forked_it_is_killed(tmp_path: Path) -> None:
    """A run killed by SIGKILL or SIGTERM (a cancelled CI job) left its forked workers waiting
    for ever on pipes they hold both ends of, each with a copy of the run's memory."""
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "child.pid"
    script = (
        "import os, time\n"
        "from auditor.runtime.parallel import Background\n"
        "def work():\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(600)\n"
        "Background(work)\n"
        "time.sleep(600)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    try:
        for _ in range(600):  # the child has started and said who it is
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.1)
        child = int(pid_file.read_text())
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    try:
        for _ in range(600):  # waits for the event; no duration is asserted
            if not _alive(child):
                break
            time.sleep(0.1)
        assert not _alive(child), "the forked child outlived the run"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


@needs_fork
def test_a_child_killed_halfway_through_its_answer_leaves_the_work_to_this_process(tmp_path: Path) -> None:
    """The answer crosses a pipe this process reads only when it asks for the result: a child
    killed while it writes (here blocked on the full pipe, as the kernel says it is) has sent
    part of it, which is never taken for the answer."""
    import signal

    pid_file, parent = tmp_path / "child.pid", os.getpid()

    def work() -> bytes:
        if os.getpid() != parent:
            pid_file.write_text(str(os.getpid()))
            return b"x" * (4 << 20)  # more than a pipe holds
        return b"here"

    background = Background(work)
    for _ in range(600):  # the child is blocked writing its answer (a hang guard of 60 s)
        if pid_file.exists() and pid_file.read_text():
            child = int(pid_file.read_text())
            if Path(f"/proc/{child}/wchan").read_text().endswith("pipe_write"):
                break
        time.sleep(0.1)
    else:
        pytest.fail("the child never blocked writing its answer")
    os.kill(child, signal.SIGKILL)
    assert background.result() == b"here"


@needs_fork
def test_a_run_interrupted_while_it_waits_for_a_child_ends_with_it(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the run alone, as ``kill -INT`` sends it) while this process waits for
    the child's answer: the run ends then, and the child with it, instead of waiting for the
    child to finish work nobody will read."""
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "child.pid"
    script = (
        "import os, sys, time\n"
        "from auditor.runtime.parallel import Background\n"
        "def work():\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(600)\n"
        "background = Background(work)\n"
        f"while not os.path.exists({str(pid_file)!r}):\n"
        "    time.sleep(0.05)\n"
        "print('asking', flush=True)\n"
        "background.result()\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=signals_as_in_a_terminal,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == "asking\n"
        child = int(pid_file.read_text())
        run.send_signal(signal.SIGINT)
        try:
            run.wait(timeout=60)  # a hang guard: the child would sleep for 600 s
        except subprocess.TimeoutExpired:
            status = Path(f"/proc/{run.pid}/status").read_text()
            masks = [line for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn", "SigCgt"))]
            pytest.fail(f"the interrupted run waited for its child ({', '.join(masks)})")
        assert run.returncode != 0
        for _ in range(600):  # waits for the event; no duration is asserted
            if not _alive(child):
                break
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        run.kill()
        run.communicate()  # and its pipes closed
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
