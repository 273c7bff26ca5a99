"""``auditor check NEW... --against BASE...``: what a change does to a repository."""

from __future__ import annotations

import argparse

from auditor.audit.check import compare_change
from auditor.cli import options
from auditor.cli.output import report_errors, report_warnings, write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.engine import open_run
from auditor.reports import check_report

NAME = "check"
SUMMARY = "contributor check: what new packages or spec files change in a repository"
DESCRIPTION = (
    "Audit BASE, then BASE with NEW in it (a NEW package replaces the BASE package of the "
    "same name and architecture) and report only the difference: the new packages' status, "
    "BASE packages that get worse or better, requirements of NEW nothing satisfies. Exits 1 "
    "only when something gets worse. Spec files are read without running any of their code."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("new", nargs="+", metavar="NEW", help="the change: RPMs, source RPMs or spec files")
    parser.add_argument(
        "--against", nargs="+", required=True, metavar="BASE", help="the repository the change targets"
    )
    options.add_output_options(parser, check_report.FORMATS)
    options.add_audit_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    try:
        # The change and its base are read through the run's one network session: its guard,
        # the user's timeouts and --offline hold for --against URL as for any other input.
        with open_run(session.options, session.policy, session.progress.update) as run_:
            new = run_.load(args.new)
            base = run_.load(args.against)
            context = run_.load(session.options.context)
            checked = compare_change(run_.audit, new, base, context)
    finally:
        session.progress.done()
    write_output(check_report.render(checked, args.format), args.output)
    report_warnings([*new.warnings, *base.warnings, *context.warnings])
    report_errors([*new.errors, *base.errors, *context.errors])
    return checked.exit_code()
