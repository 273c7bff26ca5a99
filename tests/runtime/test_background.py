"""Work in a forked child (`auditor.runtime.parallel`), and the run's memory and exit around it."""

from __future__ import annotations

import os

import pytest

from auditor.audit import pipeline as audit_module
from auditor.audit.options import AuditOptions
from auditor.core.errors import InputError
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from auditor.runtime.parallel import Background, can_fork
from tests.paths import ROOT

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


def json_report_of(options: AuditOptions) -> bytes:
    from auditor.gate.decision import decide
    from auditor.reports.render import render_pieces
    from auditor.reports.view import build_view

    audit = run_audit(options, load_policy())
    view = build_view(audit, decide(audit))
    return b"".join(p if isinstance(p, bytes) else p.encode() for p in render_pieces("json", view))


@needs_fork
def test_a_json_report_encoded_in_two_processes_is_the_one_encoded_in_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditor.reports import json_report

    options = AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")), cache=False)
    here = json_report_of(options)
    monkeypatch.setattr(json_report, "ENCODE_JSON_FROM", 0)
    parent = os.getpid()
    encoded_by: list[int] = []
    encode_into = json_report._encode_into

    def spy(*args: object) -> None:
        encoded_by.append(os.getpid())
        encode_into(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(json_report, "_encode_into", spy)
    forked = json_report_of(options)
    assert forked == here and b'"packages": [\n    {' in here
    # the worker's share was encoded in a child (the list stays empty here: it ran there)
    assert encoded_by == [] and os.getpid() == parent


@needs_fork
def test_a_json_report_whose_worker_dies_is_encoded_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.reports import json_report

    options = AuditOptions(targets=(str(EXAMPLE / "repo"),), cache=False)
    here = json_report_of(options)
    monkeypatch.setattr(json_report, "ENCODE_JSON_FROM", 0)
    parent = os.getpid()
    encode_into = json_report._encode_into

    def dies_in_the_child(*args: object) -> None:
        encode_into(*args)  # type: ignore[arg-type]
        if os.getpid() != parent:
            os._exit(9)  # after writing its share: this process must start it over, not append

    monkeypatch.setattr(json_report, "_encode_into", dies_in_the_child)
    assert json_report_of(options) == here
