"""``auditor diff OLD NEW``: independence progress between two releases."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from auditor.cli import options
from auditor.cli.output import print_messages, report_warnings, write_output
from auditor.cli.output_options import add_output_options
from auditor.cli.session import Session
from auditor.core.errors import ExitCode, InputError, UsageError
from auditor.reports.catalog import DIFF_FORMATS

if TYPE_CHECKING:
    from auditor.gate.sides import Side
    from auditor.gate.waivers import Waiver

NAME = "diff"
SUMMARY = "independence progress between two releases"
DESCRIPTION = (
    "Compare two releases fact by fact: each side is a repository (or any input `scan` takes) or "
    "a JSON report written by `scan --format json`. A fact is new, fixed, superseded (by a stronger "
    "taint of its category), unchanged, or gone with its package (or the origin package its chain "
    "ended at) or no longer seen (its package has a new gap): superseded and gone are never "
    "mistaken for progress; blocking counts are "
    "given before and after, with packages added, removed, upgraded and those that got worse or better."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="earlier release: an input or a JSON report")
    parser.add_argument("new", metavar="NEW", help="later release: an input or a JSON report")
    add_output_options(parser, DIFF_FORMATS)
    options.add_audit_options(parser)
    options.add_waivers_option(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Imported here, not with the module: every run imports every command (`COMMANDS`), and a
    # replayed scan must not pay for importing the audit.
    from auditor.gate.packagechanges import diff_releases
    from auditor.reports import diff_report

    report_warnings(session.policy.warnings)  # once, though each side may be audited with it
    # Read first, whatever the sides are: a waiver file that cannot be used is a usage error
    # before any audit, even when both sides are reports and no audit uses it.
    waivers = options.waivers(args, session.project, session.policy)
    said: list[str] = []  # what reading each audited side warned of, as scan says it
    try:
        old = _side(args.old, waivers, session, said)
        new = _side(args.new, waivers, session, said)
    finally:
        session.progress.done()
    report_warnings([w for w in dict.fromkeys(said) if w not in session.policy.warnings])
    write_output(diff_report.render(diff_releases(old, new), args.format), args.output)
    # A comparison counts as fixed nothing a side did not see, but it is only as complete as its
    # sides: under --strict, as for scan and check, evidence not seen fails the run, unless a
    # waiver accepted it (scan --strict passes then; diff failed the same audit).
    unseen = [
        f"the {which} audit is {side.incomplete}"
        for which, side in (("earlier", old), ("later", new))
        if side.incomplete and side.unaccepted > 0
    ]
    if unseen and session.gate.strict:
        print_messages([f"auditor: error: {'; '.join(unseen)}, and --strict is set"])
        return ExitCode.INPUT
    return ExitCode.PASSED


def _side(path: str, waivers: list[Waiver], session: Session, said: list[str]) -> Side:
    """One side of the comparison; the warnings of its audit (none of a report) go to ``said``."""
    from auditor.engine import open_run
    from auditor.gate.audit_side import side_of_audit
    from auditor.gate.decision import decide
    from auditor.gate.report_side import side_of_report

    if path.endswith(".json") and os.path.isfile(path):
        if session.options.sources:
            raise UsageError(f"--sources: {path} is a report, whose audit read its own sources")
        # Asked of the facts the report did not gate, as of those this run audits.
        return side_of_report(path, session.gate, waivers=waivers, notes=said)
    with open_run(session.options, session.policy, session.progress) as run_:
        # Each side takes the source packages --sources holds for its own binaries.
        audit = run_.audit_paths([path], session.options.sources)
    said.extend(audit.warnings)
    if audit.errors:
        raise audit.errors[0]
    if not audit.results:
        raise InputError(path, "no package was audited: an audit of nothing is no release to compare")
    return side_of_audit(audit, decide(audit, session.gate, waivers))
