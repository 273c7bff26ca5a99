"""One ruling of the gate on one fact (`auditor.gate.decision.decide` makes them): whether it
blocks, and why in words, the same in every format.

Why a taint blocks though the baseline lists it or a waiver with ``reaches`` matched it is said
once: what it now also reaches, then what each of them does not accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.audit.facts import Fact, FactKind
from auditor.core.construct import direct_constructor
from auditor.gate.disposition import Disposition
from auditor.gate.waiver_reach import beyond_text
from auditor.gate.waivers import Waiver

REACH_RECORDED = frozenset({Disposition.BLOCKS, Disposition.BASELINED})
"""The rulings whose taint's reach a JSON report and a side record: a report written under a
baseline, diffed, called "unchanged" a taint reaching one more Citrix package (red team 36).
So is a taint a waiver with ``reaches`` accepted (`records_reach`): accepted as it then reached."""


def records_reach(ruling: Ruling) -> bool:
    """Whether a JSON report and a side record what ``ruling``'s fact (a taint) reaches."""
    waiver = ruling.waiver
    return ruling.disposition in REACH_RECORDED or (waiver is not None and waiver.reaches is not None)


_BLOCKS = Disposition.BLOCKS  # an enum member looked up through its class is slow in hot loops
_NOT_GATED, _GAP = Disposition.NOT_GATED, FactKind.GAP
_GAP_NOT_GATED = "evidence not seen (--strict makes it fail)"


@dataclass(frozen=True, slots=True)
class Ruling:
    """What the gate decided about one fact, and why."""

    fact: Fact
    disposition: Disposition
    waiver: Waiver | None = None
    beyond_baseline: tuple[str, ...] = ()
    """For a taint whose baseline entry it matches but no longer fits: the origin packages it now
    reaches that the entry did not (`auditor.gate.baseline.BaselineMatcher.beyond`)."""
    baseline_needed: str = ""
    """For a requirement nothing provides whose baseline entries accepted it only when needed
    otherwise: that need (``build`` or ``run``, `auditor.gate.baseline.needed`)."""
    beyond_waiver: tuple[Waiver, tuple[str, ...]] | None = None
    """For a taint that blocks though a waiver with ``reaches`` matched it: that waiver, and the
    origin packages it reaches that the waiver's globs do not name (none: not known,
    `auditor.gate.waiver_reach`)."""

    @property
    def blocks(self) -> bool:
        return self.disposition is _BLOCKS

    @property
    def blocks_though_accepted(self) -> bool:
        """Whether it blocks though the baseline lists it or a waiver matches it: the line of
        its fact does not show why, so every format says its reason."""
        return bool(self.beyond_baseline or self.baseline_needed or self.beyond_waiver)

    @property
    def reason(self) -> str:
        """Why the fact blocks or does not, in words."""
        disposition = self.disposition
        fact = self.fact
        if disposition is _NOT_GATED:  # most facts of a distribution: asked first
            return (
                _GAP_NOT_GATED if fact.kind is _GAP else f"not gated: {fact.kind.value} is not in --fail-on"
            )
        if disposition is Disposition.BLOCKS:
            if fact.kind is FactKind.GAP:
                return "blocks: evidence not seen, and --strict is set"
            if self.beyond_baseline or self.beyond_waiver is not None:
                return "blocks: " + _beyond_text(self.beyond_baseline, self.beyond_waiver)
            if self.baseline_needed:
                accepted = "to build its source package" if self.baseline_needed == "build" else "at run time"
                return f"blocks: its baseline entry accepted this requirement only when needed {accepted}"
            return "blocks"
        if disposition is Disposition.WAIVED and self.waiver is not None:
            waiver = self.waiver
            return f"waived by {waiver.id} ({waiver.owner}, until {waiver.expires}): {waiver.reason}"
        if disposition is Disposition.BASELINED:
            return "accepted by the baseline"
        if disposition is Disposition.ALLOWED:
            allowed_by = fact.finding.allowed_by if fact.finding is not None else None
            return f"allowed by {allowed_by}"
        if disposition is Disposition.BELOW_THRESHOLD:
            return "evidence only: below the policy's taint severity"
        if fact.kind is FactKind.GAP:
            return _GAP_NOT_GATED
        return f"not gated: {fact.kind.value} is not in --fail-on"


_ruling = direct_constructor(Ruling)
"""`Ruling`, made faster: one per fact of a distribution (`auditor.core.construct.direct_constructor`)."""


def _beyond_text(baseline: tuple[str, ...], waiver: tuple[Waiver, tuple[str, ...]] | None) -> str:
    """Why a taint blocks that its baseline entry or a waiver with ``reaches`` matched: what it
    now also reaches, said once (it was said for each, the same origin packages twice)."""
    if not baseline:
        assert waiver is not None
        return beyond_text(*waiver)
    said = f"it now also reaches {', '.join(baseline)}, which its baseline entry did not accept"
    if waiver is None:
        return said
    scoped, names = waiver
    if names == baseline:
        return f"{said} and waiver {scoped.id}'s reaches does not name"
    if not names:
        return f"{said}; {beyond_text(scoped, names)}"
    return f"{said}; waiver {scoped.id}'s reaches does not name {', '.join(names)}"
