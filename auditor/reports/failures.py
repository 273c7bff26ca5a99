"""Why a run fails apart from the facts of its packages: a stale waiver when stale waivers
block, an audit of nothing. The exit code says so; every format shows each as failing too
(JUnit a failing or erring test case, SARIF an error notification)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.core.errors import ExitCode
from auditor.gate.decision import Decision
from auditor.gate.waivers import Waiver
from auditor.reports.text import plural

if TYPE_CHECKING:  # named in annotations only
    from auditor.reports.rows import FactView


class RunFailureKind(enum.StrEnum):
    """Why a run fails apart from its facts (a string enum: formats write its value)."""

    STALE_WAIVER = "stale-waiver"
    NOTHING_AUDITED = "nothing-audited"


@dataclass(frozen=True, slots=True)
class RunFailure:
    """A reason the run fails that is no fact of a package or of the configuration: a stale
    waiver when stale waivers block, or an audit of nothing. Every format shows each as failing
    (JUnit a failing or erring test case, SARIF an error notification), as the exit code does."""

    kind: RunFailureKind
    subject: str
    """What failed: ``waiver ID``, or ``inputs``."""
    text: str
    exit_code: ExitCode
    """What it makes the run exit with: 1 (it blocks) or 3 (the audit cannot be trusted)."""


def stale_reason(decision: Decision, waiver: Waiver) -> str:
    """Why ``waiver`` (one of ``decision.stale``) accepted nothing, in words."""
    if any(found is waiver for found in decision.stale_reaching):
        return (
            "accepts nothing: the taints it matches reach origin packages its reaches does not name "
            "(or what they reach is not known)"
        )
    if any(found is waiver for found in decision.stale_matching):
        return "accepts nothing: the facts it matches need no waiver, or an earlier waiver accepts them"
    return "matches nothing"


def run_failures(decision: Decision) -> tuple[RunFailure, ...]:
    """The run-level reasons ``decision`` fails, one per stale waiver that blocks and one for an
    audit of nothing: what the exit code says beyond the facts, for the formats to show."""
    found = []
    if decision.stale_blocks:
        found += [
            RunFailure(
                RunFailureKind.STALE_WAIVER,
                f"waiver {waiver.id}",
                f"stale waiver {waiver.id} ({waiver.package}, {waiver.source}) "
                f"{stale_reason(decision, waiver)}, and stale waivers block",
                ExitCode.FINDINGS,
            )
            for waiver in decision.stale
        ]
    if decision.nothing_audited:
        found.append(
            RunFailure(
                RunFailureKind.NOTHING_AUDITED,
                "inputs",
                "no package was audited: an audit of nothing never passes",
                ExitCode.INPUT,
            )
        )
    return tuple(found)


def inputs_blocking(run_gaps: Iterable[FactView]) -> str:
    """``1 gap of the inputs blocking (--strict)``, said beside the blocking packages: the gaps
    of the inputs ``--strict`` makes block fail a run no package blocks (the JSON report counts
    them among its blocking facts); empty when none blocks."""
    count = sum(item.fact.gap.count for item in run_gaps if item.blocks and item.fact.gap is not None)
    return f"{plural(count, 'gap')} of the inputs blocking (--strict)" if count else ""
