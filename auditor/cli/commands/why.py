"""``auditor why NAME``: one package's status, evidence, chain and dependants."""

from __future__ import annotations

import argparse

from auditor.cli import options
from auditor.cli.output import report_errors, report_warnings, write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode, UsageError
from auditor.engine import open_run
from auditor.reports.why import render_why

NAME = "why"
SUMMARY = "explain one package's status: its evidence and the chain to an origin package"
DESCRIPTION = (
    "Explain why a package has its status, like `npm explain` or "
    "`dnf repoquery --whatrequires --recursive`: its own evidence, the shortest chain of "
    "requirements to an origin package, and which audited packages need it."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="package name")
    parser.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    options.add_audit_options(parser)
    options.add_gate_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    try:
        with open_run(session.options, session.policy, session.progress.update) as run_:
            audit = run_.audit_paths()
    finally:
        session.progress.done()
    options.apply_gate(args, session.project, audit)
    text, found = render_why(audit, args.name)
    if not found:
        report_errors(audit.errors)
        raise UsageError(f"no audited package named {args.name!r}")
    write_output(text, None)
    report_warnings(audit.warnings)
    report_errors(audit.errors)
    return audit.exit_code()
