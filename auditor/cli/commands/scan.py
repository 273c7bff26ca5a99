"""``auditor scan``: audit the inputs and gate on the result."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from typing import TYPE_CHECKING

from auditor.cli import options
from auditor.cli.output import messages, print_messages, report_warnings, terminal_width, write_outputs
from auditor.cli.output_options import add_output_options, add_sbom_options
from auditor.cli.process import keep, return_freed_memory
from auditor.cli.replay import Replay
from auditor.cli.session import Session
from auditor.core.errors import ExitCode, UsageError, one_line
from auditor.reports.catalog import GRAPH_FORMATS, SBOM_FORMATS, SCAN_FORMATS
from auditor.reports.sarif_limits import GITHUB_MAX_RESULTS, MAX_RESULTS
from auditor.runtime.snapshot import FileSnapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

    from auditor.gate.baseline import Baseline
    from auditor.gate.sides import Side
    from auditor.gate.waivers import Waiver
    from auditor.reports.view import ReportView

NAME = "scan"
SUMMARY = "audit RPMs, source RPMs, spec files, directories and repositories"
DESCRIPTION = (
    "Read RPM files, source RPMs, spec files, directories (walked recursively), local "
    "yum/dnf repositories (a directory holding repodata/repomd.xml, or that file), repository "
    "URLs (http, https) and repository configurations (.repo files, yum.conf), resolve every "
    "requirement, classify origins with the policy and report what is tainted and why."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets", nargs="+", metavar="PATH", help="inputs to audit: paths, repository URLs, .repo files"
    )
    add_output_options(parser, sorted(SCAN_FORMATS), several=True)
    add_sbom_options(parser)
    parser.add_argument(
        "--focus",
        metavar="NAME",
        help="dot and graphml: draw only the chains through the packages named NAME (the "
        "packages, their chains, and the flagged packages whose chains pass through them)",
    )
    parser.add_argument(
        "--sarif-max-results",
        metavar="N",
        type=_max_results,
        help=f"sarif: list at most N results, the blocking and most severe facts first, and count "
        f"the rest in one summary result per rule (default: {MAX_RESULTS}, what GitHub code scanning "
        f"shows; it rejects more than {GITHUB_MAX_RESULTS}; 0: no bound)",
    )
    options.add_audit_options(parser)
    options.add_gate_options(parser)
    parser.add_argument(
        "--compare",
        metavar="REPORT",
        help="an earlier JSON report (scan --format json): the HTML report shows the facts fixed, new "
        "and gone since",
    )


def _max_results(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= GITHUB_MAX_RESULTS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of results from 0 (no bound) to {GITHUB_MAX_RESULTS} "
            "(GitHub code scanning rejects a run of more)"
        )
    return value


def _reports(args: argparse.Namespace) -> list[tuple[str | None, str]]:
    """Each report the run writes, from the one audit: where (None: standard output) and in
    which format."""
    return [(args.output, args.format), *args.more_outputs]


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    written = {fmt for _, fmt in _reports(args)}
    if args.focus is not None and not written & set(GRAPH_FORMATS):
        raise UsageError(
            f"--focus {shlex.quote(args.focus)}: only the graph formats "
            f"({', '.join(GRAPH_FORMATS)}) draw chains"
        )
    if args.purl_namespace is not None and not written & set(SBOM_FORMATS):
        raise UsageError(
            f"--purl-namespace {shlex.quote(args.purl_namespace)}: only the SBOM formats "
            f"({', '.join(SBOM_FORMATS)}) write purls"
        )
    if args.sarif_max_results is not None and "sarif" not in written:
        raise UsageError(f"--sarif-max-results {args.sarif_max_results}: only --format sarif lists results")
    # Waivers and the baseline are read first: a bad one is a usage error before any input is.
    waivers = options.waivers(args, session.project, session.policy)
    baseline = options.baseline(args)
    # Read before the audit: a bad report is an input error named at once, not after minutes.
    earlier, compare_notes = _earlier(args.compare, session, baseline is not None, waivers)
    # The width of the terminal a table goes to: only a report to standard output has one.
    width = terminal_width(None) if any(path in (None, "-") for path, _ in _reports(args)) else None
    snapshot = FileSnapshot()  # the replay key and the reader look at the same files once
    replay = Replay(
        args,
        session.project,
        session.policy,
        session.options,
        snapshot,
        session.config,
        gate=session.gate,
        waivers=waivers,
        width=width,
    )
    found = replay.hit()
    report_warnings(replay.store.warnings if replay.store is not None else [])
    if found:
        return replay.replayed()
    return _audit(args, session, replay, snapshot, width, waivers, baseline, (earlier, compare_notes))


def _sarif_bound_notes(args: argparse.Namespace, view: ReportView) -> list[str]:
    """A SARIF report whose bound left some rules' facts without even a summary result says so
    on standard error too, not in its properties alone (`auditor.reports.sarif_bound`)."""
    if "sarif" not in {fmt for _, fmt in _reports(args)}:
        return []
    from auditor.reports.sarif_bound import summaries_left_out

    bound = MAX_RESULTS if args.sarif_max_results is None else args.sarif_max_results
    left_out = summaries_left_out(view, bound)
    if left_out is None:
        return []
    return [f"auditor: warning: the SARIF report lists at most {bound} results: {one_line(left_out)}"]


def _earlier(
    path: str | None, session: Session, baseline: bool, waivers: list[Waiver]
) -> tuple[Side | None, list[str]]:
    """The earlier report of ``--compare``, its facts ruled as this scan rules them (--fail-on,
    --strict, the waivers for the facts it did not gate and, without a baseline here, what its
    baseline accepted), and what it could not tell them (the run's warnings, in every report as
    on standard error); the comparison is imported only when one is given."""
    if path is None:  # `--compare ""` is a report that cannot be read, not no report
        return None, []
    from auditor.gate.report_side import side_of_report

    notes: list[str] = []
    side = side_of_report(path, session.gate, baseline=baseline, waivers=waivers, notes=notes)
    return side, notes


def _audit(
    args: argparse.Namespace,
    session: Session,
    replay: Replay,
    snapshot: FileSnapshot,
    width: int | None,
    waivers: list[Waiver],
    baseline: Baseline | None,
    compared: tuple[Side | None, list[str]],
) -> ExitCode:
    """The audit, its report and the report's recording, when no stored one could be replayed.

    What it needs is imported here: a replayed report needs none of it, and importing the
    analysis, the gate and the renderers took most of a replayed run's time.
    """
    from auditor.engine import open_run
    from auditor.gate.decision import decide
    from auditor.reports.render import render_pieces
    from auditor.reports.view import build_view

    try:
        with open_run(session.options, session.policy, session.progress, snapshot) as run_:
            audit = run_.audit_paths()
        keep(audit)
    finally:
        session.progress.done()
    # What the store said while the inputs were read (a damaged entry read again) is this run's
    # alone: said on standard error, but neither in the report, which is the one made without
    # the store, nor in the messages stored with it, which every later warm run would repeat.
    of_the_cache = set(run_.store_warnings)
    if of_the_cache:
        audit = dataclasses.replace(audit, warnings=[w for w in audit.warnings if w not in of_the_cache])
    earlier, compare_notes = compared
    if compare_notes:  # the comparison's caveats are this run's: in its reports, not on stderr alone
        audit = dataclasses.replace(audit, warnings=[*audit.warnings, *compare_notes])
    decision = decide(audit, session.gate, waivers, baseline)
    return_freed_memory()
    progress = None
    if earlier is not None:
        from auditor.gate.audit_side import side_of_audit  # --compare only
        from auditor.gate.progress import compare

        progress = compare(earlier, side_of_audit(audit, decision))
    view = build_view(audit, decision, progress)
    keep(view)  # a row per package: freeing them one by one costs a distribution's run 0.3 s
    if args.focus is not None and not any(package.name == args.focus for package in view.packages):
        raise UsageError(f"--focus: no package named {args.focus} in the run")

    def render(path: str | None, fmt: str) -> Iterable[str | bytes]:
        return render_pieces(
            fmt,
            view,
            width=width if path in (None, "-") else None,
            focus=args.focus,
            purl_namespace=args.purl_namespace,
            sarif_max_results=args.sarif_max_results,
        )

    # Each report is rendered as it is written; the files are put in place together, or none is.
    write_outputs(
        [
            (replay.recording(render(path, fmt), index), path)
            for index, (path, fmt) in enumerate(_reports(args))
        ]
    )
    # The replay's look at the store may have warned already (a store it cannot use is the
    # run's too): each warning is said once.
    before = set(replay.store.warnings) if replay.store is not None else set()
    said = messages([w for w in audit.warnings if w not in before], audit.errors, decision.completeness)
    said += _sarif_bound_notes(args, view)
    print_messages(messages([w for w in run_.store_warnings if w not in before], ()))
    print_messages(said)
    replay.store_result(decision.exit_code, said)
    return decision.exit_code
