"""``auditor plan``: the to-do list toward independence."""

from __future__ import annotations

import argparse

from auditor.cli import options
from auditor.cli.output import messages, print_messages, write_output
from auditor.cli.output_options import add_output_options
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.reports.catalog import PLAN_FORMATS

NAME = "plan"
SUMMARY = "rank origin packages by how many packages they hold back"
DESCRIPTION = (
    "The to-do list toward independence: origin source packages ranked by how many packages "
    "would no longer depend on Citrix (at run or build time) if each were replaced, with "
    "known replacements; packages avoidable now (a clean provider exists); and packages no "
    "single replacement clears."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets", nargs="+", metavar="PATH", help="inputs to audit: paths, repository URLs, .repo files"
    )
    add_output_options(parser, PLAN_FORMATS)
    options.add_audit_options(parser)
    options.add_waivers_option(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Imported here, not with the module: every run imports every command (`COMMANDS`), and a
    # replayed scan must not pay for importing the audit.
    from auditor.audit.plan import make_plan
    from auditor.engine import open_run
    from auditor.gate.decision import decide
    from auditor.reports import plan_report
    from auditor.reports.view import build_view

    try:
        with open_run(session.options, session.policy, session.progress) as run_:
            audit = run_.audit_paths()
    finally:
        session.progress.done()
    decision = decide(audit, session.gate, options.waivers(args, session.project, session.policy))
    view = build_view(audit, decision)
    write_output(plan_report.render(make_plan(audit), view, args.format), args.output)
    print_messages(messages(audit.warnings, audit.errors, decision.completeness))
    # A plan is a to-do list, not a gate: it fails only when it could not be made from all inputs.
    return ExitCode.INPUT if decision.exit_code is ExitCode.INPUT else ExitCode.PASSED
