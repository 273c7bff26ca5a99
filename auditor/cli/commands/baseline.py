"""``auditor baseline``: record today's blocking facts so that only new ones block.

The baseline is a ratchet. Rewriting it keeps only the entries still true; it grows only
with ``--rewrite``. It is never written from an audit that failed or could not see
everything: a baseline must not accept what nobody looked at, nor drop an entry because its
input could not be read.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditor.audit.facts import Fact, FactKind
from auditor.cli import options
from auditor.cli.given_once import GivenOnce
from auditor.cli.output import messages, print_messages, write_output
from auditor.cli.session import Session
from auditor.core.errors import ExitCode, UsageError
from auditor.gate import baseline as baseline_file
from auditor.gate.baseline import (
    BASELINE_FILE,
    Baseline,
    BaselineEntry,
    Needed,
    legacy_key,
    load_baseline,
    needed,
)
from auditor.gate.superseded import cured_origins
from auditor.reports.inert import json_text_inert
from auditor.rpm.gaps import GapKind

if TYPE_CHECKING:
    from auditor.gate.decision import Decision

NAME = "baseline"
SUMMARY = "record today's findings so that only new ones block"
DESCRIPTION = (
    f"Write the current blocking facts to a baseline ({BASELINE_FILE} in the current "
    "directory, or --baseline FILE), which later runs there pick up by themselves: new "
    "facts block, fixed ones are reported as progress. An existing baseline only shrinks "
    "unless --rewrite is given. Nothing is written from an audit that could not read an input "
    "or see all the evidence (accept a gap with a waiver first)."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets", nargs="+", metavar="PATH", help="inputs to audit: paths, repository URLs, .repo files"
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        action=GivenOnce,
        help=f"baseline file (default: ./{BASELINE_FILE})",
    )
    parser.add_argument(
        "--rewrite", action="store_true", help="let the baseline grow: record new findings too"
    )
    options.add_audit_options(parser)
    options.add_waivers_option(parser)


def run(args: argparse.Namespace, session: Session) -> ExitCode:
    # Imported here, not with the module: every run imports every command (`COMMANDS`), and a
    # replayed scan must not pay for importing the audit.
    from auditor.engine import open_run
    from auditor.gate.decision import decide

    # `--baseline ""` (a variable left unset) is no file: it wrote ./.auditor-baseline.json.
    if args.baseline is not None and not args.baseline.strip():
        raise UsageError("--baseline: '' names no file")
    path = args.baseline or BASELINE_FILE
    existing = load_baseline(path) if os.path.exists(path) else None
    waivers = options.waivers(args, session.project, session.policy)
    try:
        with open_run(session.options, session.policy, session.progress) as run_:
            audit = run_.audit_paths()
    finally:
        session.progress.done()
    decision = decide(audit, session.gate, waivers)
    print_messages(messages(audit.warnings, audit.errors, decision.completeness))
    refusal = _refusal(decision)
    if refusal is not None:
        print_messages([f"auditor: error: {path}: not written: {refusal}"])
        return ExitCode.INPUT
    # One entry per fingerprint, which packages of one name share (its binaries of each arch and
    # its source package): it records what each of them reaches, or a scan right after would
    # find the one whose reach was left out "new" (x86_64 needs xlib; i686 also needs zlib).
    facts: dict[str, list[Fact]] = {}
    for ruling in decision.blocking:
        facts.setdefault(ruling.fact.fingerprint, []).append(ruling.fact)
    reach = audit.origin_reach.names
    packages = audit.packages

    def when(same: list[Fact]) -> set[Needed]:
        """When the requirements of ``same`` (facts of one fingerprint) were needed."""
        found = {needed(fact, packages[fact.package] if fact.package is not None else None) for fact in same}
        return {item for item in found if item is not None}

    current = {
        fingerprint: _entry(same[0], _reaches(same, reach), when(same)) for fingerprint, same in facts.items()
    }
    if existing is not None and not args.rewrite:
        # An entry still true is written as today's facts state it: one written before a taint's
        # capability named its origin package is rewritten with it, not dropped. It records what
        # the facts it still accepts reach, never what a fact it does not accept reaches: that
        # would let it grow without --rewrite.
        accepted = existing.matcher(reach, cured_origins(audit))
        kept = []
        added = 0
        legacy: set[tuple[str, str, str]] = set()
        for same in facts.values():
            still = [
                fact
                for fact in same
                if accepted.accepts(fact, packages[fact.package] if fact.package is not None else None)
            ]
            if still:
                kept.append(_entry(still[0], _reaches(still, reach), when(still)))
                legacy.update((fact.rule, fact.subject, fact.ends_at) for fact in still if fact.ends_at)
            if len(still) < len(same):
                added += 1
        # Dropped: every entry none of today's facts it accepts keeps: fixed, gone, true still but
        # not gated with this run's options (--fail-on), or matching only facts it does not
        # accept (a taint reaching further, a requirement needed otherwise), which block.
        kept_fingerprints = {entry["fingerprint"] for entry in kept}
        dropped = sum(
            1
            for entry in existing.entries
            if entry["fingerprint"] not in kept_fingerprints and legacy_key(entry) not in legacy
        )
        entries = kept
        message = (
            f"{path}: {len(kept)} entries kept, {dropped} dropped (fixed, gone, superseded by a new "
            "taint, or accepting none of today's facts)"
        )
        # Entries of one fingerprint (two branches' baselines merged) are written as one: said,
        # or the counts do not add up to the entries the file held.
        merged = len(existing.entries) - len(kept) - dropped
        if merged > 0:
            message += f"; {merged} duplicate entries of one fingerprint merged"
        if added:
            message += f"; {added} new finding(s) NOT recorded (--rewrite records them)"
    else:
        entries = list(current.values())
        message = f"{path}: {len(entries)} entries recorded"
    text = json_text_inert(Baseline(entries).to_json())  # `cat` in a CI log: inert
    size = len(text.encode())
    if size > baseline_file.MAX_BASELINE_BYTES:
        # A file the next run refuses is no baseline: the one there stays as it was.
        print_messages(
            [
                f"auditor: error: {path}: not written: the baseline would be {size} bytes, and one "
                f"larger than {baseline_file.MAX_BASELINE_BYTES} bytes is not read; accept families "
                "of findings with waivers (package globs) instead"
            ]
        )
        return ExitCode.INPUT
    write_output(text, path)
    print_messages([f"auditor: {message}"])
    return ExitCode.PASSED


def _reaches(facts: list[Fact], reach: Callable[[Fact], frozenset[str] | None]) -> frozenset[str] | None:
    """What ``facts`` (of one fingerprint) reach together; None when none is a taint."""
    found = [reached for fact in facts if (reached := reach(fact)) is not None]
    return frozenset().union(*found) if found else None


def _entry(fact: Fact, reaches: frozenset[str] | None, when: set[Needed]) -> BaselineEntry:
    entry = BaselineEntry(
        fingerprint=fact.fingerprint, kind=fact.rule, package=fact.subject, capability=fact.capability
    )
    if fact.ends_at:
        entry["ends_at"] = fact.ends_at
    if reaches is not None:
        entry["reaches"] = sorted(reaches)
    if when:
        entry["needed"] = sorted(when)
    return entry


def _refusal(decision: Decision) -> str | None:
    """Why no baseline may be written from this decision (None when it may)."""
    from auditor.gate.decision import Disposition

    if decision.errors:
        return f"{decision.errors} input(s) could not be read; the file is left as it was"
    if decision.nothing_audited:
        return "no package was audited"
    completeness = decision.completeness
    gaps = [ruling for ruling in decision.rulings if ruling.fact.kind is FactKind.GAP]
    unaccepted = [ruling for ruling in gaps if ruling.disposition is not Disposition.WAIVED]
    if any(
        ruling.fact.gap is not None and ruling.fact.gap.kind is GapKind.CLEAN_WAY_UNCHECKED
        for ruling in unaccepted
    ):
        # No evidence fills this one: the check stopped at its own bounds (`auditor.deps.cleanway`).
        return (
            f"the audit is {completeness.summary()}; the clean-way check stopped at its bounds, and"
            " no input or waiver lifts them: a baseline cannot accept what was not checked"
        )
    if any(ruling.fact.package is None for ruling in unaccepted):
        # A gap of an input (a directory holding nothing, a repository read from its metadata
        # alone) is of no package: no waiver accepts it, so advising one would send the user
        # round in circles.
        return f"the audit is {completeness.summary()}; give the auditor the missing evidence"
    if unaccepted:
        return (
            f"the audit is {completeness.summary()}; give the auditor the missing evidence, or accept "
            'each gap with a waiver (rule = "gap:KIND")'
        )
    return None
