"""``auditor scan``: audit the inputs and gate on the result."""

from __future__ import annotations

import argparse

from auditor.cli import options
from auditor.cli.output import messages, print_messages, report_warnings, write_output
from auditor.cli.process import keep
from auditor.cli.replay import Replay
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.engine import open_run
from auditor.gate.decision import decide
from auditor.gate.progress import compare, side_of_audit, side_of_report
from auditor.reports import FORMATS, render_pieces
from auditor.reports.view import build_view

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
    options.add_sbom_options(parser)
    options.add_audit_options(parser)
    options.add_gate_options(parser)
    parser.add_argument(
        "--compare",
        metavar="REPORT",
        help="an earlier JSON report (scan --format json): the HTML report shows the facts fixed, new "
        "and gone since",
    )


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Waivers and the baseline are read first: a bad one is a usage error before any input is.
    waivers = options.waivers(args, session.project, session.policy)
    baseline = options.baseline(args)
    # Read before the audit: a bad report is an input error named at once, not after minutes.
    earlier = side_of_report(args.compare) if args.compare else None
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
    decision = decide(audit, session.gate, waivers, baseline)
    progress = compare(earlier, side_of_audit(audit, decision)) if earlier is not None else None
    view = build_view(audit, decision, progress)
    write_output(
        replay.recording(render_pieces(args.format, view, purl_namespace=args.purl_namespace)), args.output
    )
    said = messages(audit.warnings, audit.errors, decision.completeness)
    print_messages(said)
    replay.store_result(decision.exit_code, said)
    return decision.exit_code
