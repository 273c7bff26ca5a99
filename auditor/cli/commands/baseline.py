"""``auditor baseline``: record today's blocking findings so that only new ones block."""

from __future__ import annotations

import argparse
import os

from auditor.cli import options
from auditor.cli.output import print_messages, report_errors, write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode
from auditor.engine import open_run
from auditor.gate.baseline import BASELINE_FILE, Baseline, load_baseline
from auditor.gate.decision import apply_gate

NAME = "baseline"
SUMMARY = "record today's findings so that only new ones block"
DESCRIPTION = (
    f"Write the current blocking findings to a baseline ({BASELINE_FILE} in the current "
    "directory, or --baseline FILE), which later runs there pick up by themselves: new "
    "findings block, fixed ones are reported as progress. An existing baseline only shrinks "
    "unless --rewrite is given."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="PATH", help="inputs to audit")
    parser.add_argument("--baseline", metavar="FILE", help=f"baseline file (default: ./{BASELINE_FILE})")
    parser.add_argument(
        "--rewrite", action="store_true", help="let the baseline grow: record new findings too"
    )
    options.add_audit_options(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    try:
        with open_run(session.options, session.policy, session.progress.update) as run_:
            audit = run_.audit_paths()
    finally:
        session.progress.done()
    path = args.baseline or BASELINE_FILE
    existing = load_baseline(path) if os.path.exists(path) else None
    gate = apply_gate(audit, (), None)
    current = {
        reason.fingerprint: {
            "fingerprint": reason.fingerprint,
            "kind": reason.kind,
            "package": reason.package,
            "capability": reason.capability,
        }
        for reason in gate.new
    }
    if existing is not None and not args.rewrite:
        kept = [entry for entry in existing.entries if entry["fingerprint"] in current]
        added = len(set(current) - existing.fingerprints)
        dropped = len(existing.entries) - len(kept)
        entries = kept
        message = f"{path}: {len(kept)} entries kept, {dropped} fixed and dropped"
        if added:
            message += f"; {added} new finding(s) NOT recorded (--rewrite records them)"
    else:
        entries = list(current.values())
        message = f"{path}: {len(entries)} entries recorded"
    write_output(Baseline(entries).to_json(), path)
    print_messages([f"auditor: {message}"])
    report_errors(audit.errors)
    return ExitCode.INPUT if audit.errors else ExitCode.PASSED
