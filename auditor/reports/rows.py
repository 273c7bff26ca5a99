"""A package's row in the report view: its facts with their rulings, the summary status a
person sees first, its state at the gate, and why, in one line (`auditor.reports.view`
gathers the rows of a run).

The summary status is the worst status among the facts that block, or, when none blocks,
the worst status the facts give the package: a displayed status never hides a blocking fact.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.audit.facts import Fact, FactKind, origin_fact
from auditor.audit.facttext import fact_text, finding_text, hop_text
from auditor.audit.labels import package_label
from auditor.audit.locations import package_path
from auditor.audit.result import PackageResult
from auditor.core.construct import direct_constructor
from auditor.deps.hops import Hop
from auditor.gate.decision import Disposition, Ruling, shown_status
from auditor.origin.findings import Category, Finding, Verdict
from auditor.reports.text import shorten_keeping
from auditor.rpm.model import Package


class Gate(enum.Enum):
    """A package's state at the gate, from its facts' rulings."""

    BLOCKING = "blocking"
    """At least one of its facts blocks."""
    WAIVED = "waived"
    """None blocks, and a waiver accepted at least one that would have."""
    BASELINED = "baselined"
    """None blocks, and the baseline accepted at least one that would have."""
    NONE = ""


@dataclass(frozen=True, slots=True)
class FactView:
    fact: Fact
    ruling: Ruling
    text: str
    """The fact in one line."""

    @property
    def blocks(self) -> bool:
        return self.ruling.blocks

    @property
    def disposition(self) -> Disposition:
        return self.ruling.disposition

    @property
    def reason(self) -> str:
        return self.ruling.reason


@dataclass(frozen=True, slots=True)
class PackageView:
    result: PackageResult
    facts: tuple[FactView, ...]
    status: Verdict
    """The summary status: the worst blocking one, else the worst one."""
    chain: Sequence[Hop]
    """The chain behind ``status`` (empty for a package's own evidence or requirements)."""
    gate: Gate
    status_reason: str
    """Why the package has its status, in one line: the part of `why` a format may shorten."""
    also: str
    """What else blocks or was accepted, the rest of `why`: never shortened away (`short_why`)."""
    repositories: frozenset[str] = field(repr=False, compare=False)
    """The run's repositories, as the packages read from them name their input (`path`)."""
    shared_nevras: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """The NEVRAs more than one audited package has (two inputs holding a vendor's build and
    a rebuild of one N-V-R): their rows are named with their input too (`label`)."""
    shared_in_input: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """Those of ``shared_nevras`` that one input holds twice (two files of one repository), or that
    two spec files have: their rows are named with their file (`label`), their input naming both."""

    @property
    def why(self) -> str:
        """One line: why the package has its status, and what else blocks."""
        return self.status_reason + self.also

    def short_why(self, width: int) -> str:
        """`why` in about ``width`` characters for a format that keeps lines short: the reason
        is cut (a long URL of its evidence), never what else blocks, which may overrun."""
        return shorten_keeping(self.status_reason, self.also, width)

    def facts_that_matter_first(self) -> list[FactView]:
        """The facts, those that block first, then the gaps, then the rest, each in its order:
        a format that lists only some leaves out a fact that blocks or a gap last."""
        return sorted(self.facts, key=lambda item: 0 if item.blocks else 1 if item.fact.gap else 2)

    @property
    def path(self) -> str:
        """The package file: its path, or its location joined to its repository (SARIF, SBOMs)."""
        return package_path(self.result.package, self.repositories)

    @property
    def package(self) -> Package:
        return self.result.package

    @property
    def label(self) -> str:
        """The package as a row names it: its NEVRA, marked when it is what a spec file would
        build (the spec and the RPM built from it can share a NEVRA and differ in status), or
        with its input when another audited package has the NEVRA (a clean row must not read
        as the verdict on the other copy)."""
        return package_label(self.result.package, self.repositories, self.shared_nevras, self.shared_in_input)

    @property
    def index(self) -> int:
        return self.result.index

    @property
    def blocking(self) -> bool:
        return self.gate is _BLOCKING

    @property
    def waivers(self) -> tuple[str, ...]:
        """The waivers that accepted one of its facts."""
        found = (item.ruling.waiver.id for item in self.facts if item.ruling.waiver is not None)
        return tuple(dict.fromkeys(found))

    @property
    def statuses(self) -> tuple[Verdict, ...]:
        return self.result.statuses

    @property
    def chain_category(self) -> Category | None:
        """The category of origin packages of the taint whose chain is ``chain`` (a package can
        have one taint per category, and a waiver may accept one): its end's evidence is told by it."""
        return next((item.fact.category for item in self.facts if item.fact.chain is self.chain), None)

    def of_kind(self, *kinds: FactKind) -> list[FactView]:
        return [item for item in self.facts if item.fact.kind in kinds]


# Made faster: a distribution has a row per package and a view per fact (`direct_constructor`).
_fact_view = direct_constructor(FactView)
_package_view = direct_constructor(PackageView)


def fact_view(ruling: Ruling, packages: Sequence[Package]) -> FactView:
    return _fact_view(ruling.fact, ruling, fact_text(ruling.fact, packages))


def unaudited_evidence(
    index: int, packages: Sequence[Package], findings: Sequence[Finding], category: Category | None
) -> FactView | None:
    """The first tainting finding (of ``category`` when it has one) of a package that has no row,
    a context package (``--with``) a chain ends at: the gate rules none of its facts, and what
    made it origin (a clean-looking name served from a Citrix host) was said in no format."""
    tainting = [finding for finding in findings if finding.effective]
    found = next((f for f in tainting if f.category is category), None) or next(iter(tainting), None)
    return None if found is None else unaudited_fact_view(index, packages[index], found)


def unaudited_fact_view(index: int, package: Package, finding: Finding) -> FactView:
    """A finding of a package that has no row, as an audited package's origin fact is seen,
    the gate ruling none of it (``not-gated``)."""
    fact = origin_fact(index, package.name, finding)
    return _fact_view(fact, Ruling(fact, Disposition.NOT_GATED), finding_text(finding))


# Enum members looked up through their class are slow in the loops over every package.
_BLOCKS, _WAIVED, _BASELINED = Disposition.BLOCKS, Disposition.WAIVED, Disposition.BASELINED
_ORIGIN, _UNRESOLVED = Verdict.ORIGIN, Verdict.UNRESOLVED
_NONE, _BLOCKING, _GATE_WAIVED, _GATE_BASELINED = Gate.NONE, Gate.BLOCKING, Gate.WAIVED, Gate.BASELINED


def package_view(
    result: PackageResult,
    rulings: Sequence[Ruling],
    packages: Sequence[Package],
    repositories: frozenset[str],
    shared_nevras: frozenset[str] = frozenset(),
    shared_in_input: frozenset[str] = frozenset(),
) -> PackageView:
    facts = tuple([fact_view(ruling, packages) for ruling in rulings])
    blocking = [item for item in facts if item.ruling.disposition is _BLOCKS]
    # Without a blocking fact the status shown is the analysis's (`shown_status`).
    status = shown_status(result, rulings) if blocking else result.verdict
    chain = result.chain
    if status is not result.verdict:
        chains = (item.fact.chain for item in facts if item.fact.status is status and item.fact.chain)
        chain = next(chains, ())
    if blocking:
        # The chain shown is one that blocks: a package can depend on origin packages of both
        # categories, and a waiver may accept the shorter chain while the other still blocks.
        shown = [item.fact.chain for item in blocking if item.fact.status is status and item.fact.chain]
        if shown and not any(found is chain for found in shown):
            chain = shown[0]
    gate = _NONE
    if blocking:
        gate = _BLOCKING
    else:
        for item in facts:  # a waiver's acceptance is said before the baseline's
            disposition = item.ruling.disposition
            if disposition is _WAIVED:
                gate = _GATE_WAIVED
                break
            if disposition is _BASELINED:
                gate = _GATE_BASELINED
    status_reason, also = _why(facts, status, chain, gate, packages)
    return _package_view(
        result, facts, status, chain, gate, status_reason, also, repositories, shared_nevras, shared_in_input
    )


def left_out(facts: Sequence[FactView]) -> str:
    """What a list that stops short leaves out: ``37 more facts (12 blocking, 1 gap)``."""
    blocking = sum(1 for item in facts if item.blocks)
    gaps = sum(1 for item in facts if item.fact.gap)
    noun = "fact" if len(facts) == 1 else "facts"
    return f"{len(facts)} more {noun} ({blocking} blocking, {gaps} {'gap' if gaps == 1 else 'gaps'})"


def _why(
    facts: Sequence[FactView],
    status: Verdict,
    chain: Sequence[Hop],
    gate: Gate,
    packages: Sequence[Package],
) -> tuple[str, str]:
    """The reason for ``status`` in one line, and what else blocks or was accepted (to follow it)."""
    if gate is _NONE and not chain and status is not _ORIGIN and status is not _UNRESOLVED:
        return "", ""  # most of a distribution: no evidence or requirement of its own, nothing to add
    own = [item for item in facts if item.fact.status is status and item.fact.taints]
    # What blocks is named first: the one reason a line shows for a blocking package must not be
    # a fact a waiver accepted, with the fact that blocks among "+N more".
    own.sort(key=lambda item: item.ruling.disposition is not _BLOCKS)
    if status is _ORIGIN:
        evidence = sorted(own, key=lambda item: (not item.blocks, -(item.fact.severity or 0)))
        text = evidence[0].text + (f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else "")
    elif status is _UNRESOLVED:
        missing = list(dict.fromkeys(item.fact.unmet for item in own if item.fact.resolution))
        text = (
            "nothing provides "
            + ", ".join(missing[:3])
            + (f" (+{len(missing) - 3} more)" if len(missing) > 3 else "")
        )
    elif chain:
        end = packages[chain[-1].target]
        text = f"{hop_text(chain[0], packages)}; {len(chain)} hop(s) to {end.nevra}"
    else:
        text = ""
    others = sorted(
        {
            item.fact.kind._value_
            for item in facts
            if item.ruling.disposition is _BLOCKS and item.fact.status is not status
        }
    )
    reason, text = text, ""
    # A fact whose fingerprint the baseline lists, or a waiver with `reaches` matches, blocks for
    # what the line's chain does not show (it ends at the origin package the entry accepted): its
    # ruling says why (it now reaches one more origin package, or is needed otherwise), as `why`
    # and SARIF say it; after the line's
    # reason for its own status, after "also blocks" for another.
    beyond = [item for item in facts if item.blocks and item.ruling.blocks_though_accepted]
    for said in dict.fromkeys(item.reason for item in beyond if item.fact.status is status):
        text += f" ({said})"
    # A waiver or the baseline may accept one fact of the status and not another (one per
    # category of origin packages): say so without making the blocking one look accepted, as a
    # share of the status's facts ("1 of 2"), which "+1 more" beside it cannot be read to add to, and
    # before what else blocks, which the note would seem to accept ("also blocks: gap (waived
    # by ...)" of a waived depends and a gap --strict blocks).
    still = any(item.ruling.disposition is _BLOCKS for item in own)
    waived_facts = [item for item in own if item.ruling.waiver is not None]
    if waived_facts:
        waived = ", ".join(sorted({item.ruling.waiver.id for item in waived_facts if item.ruling.waiver}))
        text += (
            f" ({len(waived_facts)} of {len(own)} waived by {waived})" if still else f" (waived by {waived})"
        )
    baselined = sum(1 for item in own if item.ruling.disposition is _BASELINED)
    if baselined:
        text += (
            f" ({baselined} of {len(own)} accepted by the baseline)"
            if still
            else " (accepted by the baseline)"
        )
    if others:
        # "also" only beside a status that blocks itself: a waived depends, or a clean package
        # only a gap --strict makes block, is not what blocks ("clean *  also blocks: gap").
        also = "also " if any(item.blocks for item in facts if item.fact.status is status) else ""
        text += ("; " if reason or text else "") + f"{also}blocks: " + ", ".join(others)
    for said in dict.fromkeys(
        f"{item.fact.kind._value_}: {item.reason}" for item in beyond if item.fact.status is not status
    ):
        text += f" ({said})"
    return reason, text
