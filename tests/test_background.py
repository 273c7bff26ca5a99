"""Work in a forked child (`auditor.runtime.parallel`), and the run's memory and exit around it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.audit import pipeline as audit_module
from auditor.audit.result import AuditOptions
from auditor.core.errors import InputError
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from auditor.runtime.parallel import Background, can_fork

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "xcp-ng-mini"
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


@needs_fork
def test_classifying_in_a_child_finds_what_classifying_here_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    options = AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")), cache=False)
    here = run_audit(options, load_policy())
    monkeypatch.setattr(audit_module, "PARALLEL_CLASSIFY", 0)
    forked = run_audit(options, load_policy())
    assert forked.findings == here.findings and forked.findings
    assert [(r.package.nevra, r.verdict, r.chain) for r in forked.results] == [
        (r.package.nevra, r.verdict, r.chain) for r in here.results
    ]
