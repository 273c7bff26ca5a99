"""``auditor scan``: audit the inputs and gate on the result."""

from __future__ import annotations

import argparse

from auditor.cli import options
from auditor.cli.output import report_errors, report_warnings, write_output
from auditor.cli.process import keep
from auditor.cli.replay import Replay
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.engine import open_run
from auditor.reports import FORMATS, render_pieces

NAME = "scan"
SUMMARY = "audit RPMs, source RPMs, spec files, directories and repositories"
DESCRIPTION = (
    "Read RPM files, source RPMs, spec files, directories (walked recursively) and local "
    "yum/dnf repositories (a directory holding repodata/repomd.xml, or that file), resolve "
    "every requirement, classify origins with the policy and report what is tainted and why."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    options.add_output_options(parser, sorted(FORMATS))
    options.add_audit_options(parser)
    options.add_gate_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    replay = Replay(args, session.project, session.policy, session.options)
    found = replay.hit()
    report_warnings(replay.store.warnings if replay.store is not None else [])
    if found:
        return replay.replayed()
    try:
        with open_run(session.options, session.policy, session.progress.update) as run_:
            audit = run_.audit_paths()
        keep(audit)
    finally:
        session.progress.done()
    options.apply_gate(args, session.project, audit)
    write_output(replay.recording(render_pieces(args.format, audit)), args.output)
    report_warnings(audit.warnings)
    report_errors(audit.errors)
    code = audit.exit_code()
    replay.store_result(code, audit.warnings, audit.errors)
    return code
