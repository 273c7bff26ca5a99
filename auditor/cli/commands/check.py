"""``auditor check NEW... --against BASE...``: what a change does to a repository."""

from __future__ import annotations

import argparse
from dataclasses import replace

from auditor.cli import options
from auditor.cli.output import messages, print_messages, write_output
from auditor.cli.output_options import add_output_options
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.reports.catalog import CHECK_FORMATS

NAME = "check"
SUMMARY = "contributor check: what new packages or spec files change in a repository"
DESCRIPTION = (
    "Audit BASE, then BASE with NEW in it (a NEW package replaces the BASE package of the "
    "same name and architecture, or of any when either is noarch; a source RPM given without "
    "its binaries is rebuilt: the binaries its spec declares replace BASE's of its name, those it "
    "no longer builds gone) and report only the "
    "difference, fact by fact: the new packages "
    "(each compared with the same NEVRA in BASE, else the newest version of that name and arch), "
    "BASE packages that get worse or better, and the facts that now block. Exits 1 only when a "
    "fact blocks that did not before. Spec files are read without running any of their code."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("new", nargs="+", metavar="NEW", help="the change: RPMs, source RPMs or spec files")
    parser.add_argument(
        "--against",
        nargs="+",
        action="extend",  # given again, it adds: argparse's default kept the last list alone
        required=True,
        metavar="BASE",
        help="the repository the change targets (repeatable)",
    )
    add_output_options(parser, CHECK_FORMATS)
    options.add_audit_options(parser)
    options.add_waivers_option(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Imported here, not with the module: every run imports every command (`COMMANDS`), and a
    # replayed scan must not pay for importing the audit.
    from auditor.audit.check import audit_change
    from auditor.cli.checkbase import StoredBase
    from auditor.engine import open_run
    from auditor.gate.packagechanges import Basis
    from auditor.reports import check_report
    from auditor.reports.check_sides import keep_base
    from auditor.runtime.snapshot import FileSnapshot

    waivers = options.waivers(args, session.project, session.policy)
    snapshot = FileSnapshot()  # the stored BASE's key and the reader look at the same files once
    stored = StoredBase(args, session, snapshot, waivers)
    # Taken before anything is read: its text and the objects it is read through are let go
    # before the inputs' models are made, not held beside them (95 MB of distro-60k's peak).
    kept = stored.get()
    try:
        # The change and its base are read through the run's one network session: its guard,
        # the user's timeouts and --offline hold for --against URL as for any other input.
        with open_run(session.options, session.policy, session.progress, snapshot) as run_:
            new = run_.load(args.new)
            base = run_.rebuilt(run_.load(args.against), args.against)
            # --sources names where source packages are: each side takes those of its binaries
            # (never read, a Citrix Source of the change passed).
            sources = run_.load(session.options.sources)
            context = run_.load(session.options.context, context=True)
            keep = keep_base(session.gate, waivers)
            # A file of BASE read as another than the key's first look (a mirror syncing): the
            # record is of BASE as it was, and the audit with the change is of BASE as it now is.
            # Two states of BASE in one comparison put BASE's own change on the change's account.
            usable = kept if not snapshot.changed else None
            change = audit_change(run_.audit, new, base, context, keep, sources, usable, run_.rebuild)
            of_the_cache = set(run_.store_warnings)
        if kept is None:
            stored.put(change.before)
    finally:
        session.progress.done()
        store_warnings = stored.close()
    view = check_report.check_view(change, session.gate, waivers)
    read_warnings = [*new.warnings, *base.warnings, *sources.warnings, *context.warnings]
    older = [
        f"{item.after.nevra} is older than {item.before.nevra} in BASE: dnf upgrade keeps BASE's on "
        "the hosts that have it, and a repository holding both serves BASE's"
        for item in view.new
        if item.basis is Basis.NEWER_IN_BASE and item.before is not None
    ]
    # What the policy, the inputs and the comparison warn of is the report's too (JSON and
    # Markdown): a bot posting the comment never sees standard error, and a policy rule replaced
    # whole is why a Citrix package passes. Not the cache's: the report is the one made without it.
    reported = [*session.policy.warnings, *(w for w in read_warnings if w not in of_the_cache), *older]
    view = replace(view, warnings=tuple(dict.fromkeys(reported)))
    write_output(check_report.render(view, args.format), args.output)
    # The models' store and BASE's are one file: a cache that cannot be used (read-only, a
    # full disk) is said once, as a scan says it, not once for each.
    store_warnings = [warning for warning in store_warnings if warning not in read_warnings]
    lines = messages(
        [*session.policy.warnings, *store_warnings, *read_warnings, *older],
        [*new.errors, *base.errors, *sources.errors, *context.errors],
    )
    # Unreadable inputs and a check of nothing have their own lines (the errors, the headline).
    reasons = view.after.decision.completeness.reasons
    said = ("input-error", "nothing-audited")
    unseen = ", ".join(f"{count} {reason}" for reason, count in reasons if reason not in said)
    if unseen:
        # Under --strict, what BASE could not see fails the check too (`CheckView.base_unread`):
        # "covers only what was seen" beside exit code 3 said the opposite of the headline.
        failing = [
            *(["the change adds evidence that was not seen"] if view.unseen_blocks else []),
            *(["BASE was not read whole"] if view.base_unread else []),
        ]
        consequence = (
            f"--strict is set and {' and '.join(failing)}, which fails the check"
            if failing
            else "the check covers only what was seen (--strict fails a change that adds unseen evidence)"
        )
        lines.append(f"auditor: warning: the audit with the change is incomplete: {unseen}: {consequence}")
    print_messages(lines)
    return view.exit_code
