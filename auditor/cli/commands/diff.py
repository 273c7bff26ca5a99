"""``auditor diff OLD NEW``: independence progress between two releases."""

from __future__ import annotations

import argparse
import os

from auditor.cli import options
from auditor.cli.output import write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.engine import open_run
from auditor.gate.diff import Snapshot, diff, snapshot_of_audit, snapshot_of_report
from auditor.reports import diff_report

NAME = "diff"
SUMMARY = "independence progress between two releases"
DESCRIPTION = (
    "Compare two releases: each side is a repository (or any input `scan` takes) or a JSON "
    "report written by `scan --format json`. Prints packages added, removed, upgraded; "
    "findings that appeared or disappeared; statuses that changed."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="earlier release: an input or a JSON report")
    parser.add_argument("new", metavar="NEW", help="later release: an input or a JSON report")
    options.add_output_options(parser, diff_report.FORMATS)
    options.add_audit_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    try:
        old = _snapshot(args.old, session)
        new = _snapshot(args.new, session)
    finally:
        session.progress.done()
    write_output(diff_report.render(diff(old, new), args.format), args.output)
    return ExitCode.PASSED


def _snapshot(path: str, session: Session) -> Snapshot:
    if path.endswith(".json") and os.path.isfile(path):
        return snapshot_of_report(path)
    with open_run(session.options, session.policy, session.progress.update) as run_:
        audit = run_.audit_paths([path])
    if audit.errors:
        raise audit.errors[0]
    return snapshot_of_audit(audit)
