"""``auditor why NAME``: one package's status, facts, chain and dependants."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from auditor.cli import options
from auditor.cli.output import messages, print_messages, write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode, InputError, UsageError, one_line

if TYPE_CHECKING:
    from auditor.reports.view import ReportView

NAME = "why"
SUMMARY = "explain one package's status: its evidence and the chain to an origin package"
DESCRIPTION = (
    "Explain why a package has its status, like `npm explain` or "
    "`dnf repoquery --whatrequires --recursive`: its facts and what the gate decided about each, "
    "the shortest chain of requirements to an origin package, and which audited packages need it. "
    "NAME is a package name, a NEVRA or a row's label as the reports print it, or a glob (sm*)."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="package name, NEVRA or glob")
    parser.add_argument(
        "targets", nargs="+", metavar="PATH", help="inputs to audit: paths, repository URLs, .repo files"
    )
    options.add_audit_options(parser)
    options.add_gate_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Imported here, not with the module: every run imports every command (`COMMANDS`), and a
    # replayed scan must not pay for importing the audit.
    from auditor.engine import open_run
    from auditor.gate.decision import decide
    from auditor.reports.view import build_view
    from auditor.reports.why import render_why

    waivers = options.waivers(args, session.project, session.policy)
    baseline = options.baseline(args)
    try:
        with open_run(session.options, session.policy, session.progress) as run_:
            audit = run_.audit_paths()
    finally:
        session.progress.done()
    decision = decide(audit, session.gate, waivers, baseline)
    view = build_view(audit, decision)
    text, found = render_why(view, args.name)
    if not found:
        # What the run could not see is said first (an input that held nothing is never silent),
        # and where that may be why the name was not found, it is the run's failure (exit 3), not
        # a wrong name on the command line (exit 2).
        print_messages(messages(audit.warnings, audit.errors, decision.completeness))
        if audit.errors:
            raise InputError(
                repr(args.name),
                f"no audited package of that name, and {len(audit.errors)} input(s) could not be read",
            )
        if decision.nothing_audited:
            raise InputError(repr(args.name), "no audited package of that name: no package was audited")
        raise UsageError(f"no audited package named {args.name!r}{_read_as_context(view, args.name)}")
    write_output(text, None)
    print_messages([*messages(audit.warnings, audit.errors, decision.completeness), *_verdict(view)])
    return decision.exit_code


def _read_as_context(view: ReportView, name: str) -> str:
    """What a package of that name the run read but did not audit carries: a context package
    (``--with``), or one ``--arch`` or ``--roots`` left out, which audited packages' chains may end
    at; the error named none, as if the name were a typo."""
    from auditor.audit.facttext import finding_text

    read = [
        index
        for index, package in enumerate(view.packages)
        if package.name == name and view.row(index) is None
    ]
    if not read:
        return ""
    evidence = [
        finding_text(finding)
        for index in read
        for finding in view.unaudited_findings(index)
        if finding.effective
    ]
    said = "; ".join(dict.fromkeys(evidence)) or "no origin evidence"
    return (
        f": {view.packages[read[0]].nevra} was read as context (--with, or left out by --arch or --roots), "
        f"not audited; its evidence: {said}"
    )


def _verdict(view: ReportView) -> list[str]:
    """Why the run exits as it does when that is not this package's doing alone: `why` exits with
    the run's code, and a clean package explained beside a stale waiver that blocks (or another
    package's finding) exited 1 with no word of why. Expired and stale waivers are said as
    `scan` says them."""
    from auditor.reports.text import terminal_text

    notes = [note for note in view.gate_notes() if note.startswith(("expired waiver", "stale waiver"))]
    lines = [f"auditor: {terminal_text(one_line(note))}" for note in notes]
    code = view.decision.exit_code
    if code is not ExitCode.PASSED:
        headline = terminal_text(one_line(view.headline.text))
        lines.append(f"auditor: the run exits {int(code)}: {headline} (`auditor scan` lists every finding)")
    return lines
