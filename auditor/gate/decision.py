"""The release gate: one decision, made once, from the facts of an audit.

`decide` is a pure function of the audit's facts, ``--fail-on``, ``--strict``, the waivers,
the baseline and the policy's allow entries (already on the evidence). It returns a frozen
`Decision` with one `Ruling` per fact, saying whether the fact blocks and, when it does not,
why: waived by a waiver, accepted by the baseline, allowed by a policy rule, below the
policy's taint severity, or of a kind the gate is not asked to block on. Nothing is written
back into the audit, and every output renders this one decision.

Waivers and the baseline act on facts, never on the analysis (as ORT applies resolutions only
when reporting): a waived origin package still taints what depends on it, and each accepted
consequence is accepted on its own.

Exit code: 3 when an input could not be read, when nothing was audited, or (with
``--strict``) when evidence could not be seen; else 1 when a fact blocks or a stale waiver
must block; else 0.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from auditor.audit.facts import Fact, FactKind
from auditor.audit.result import AuditResult, PackageResult
from auditor.core.errors import ExitCode
from auditor.gate.audited import Audited
from auditor.gate.baseline import Baseline, BaselineEntry, BaselineMatcher
from auditor.gate.baseline_progress import UnusedEntry, baseline_progress
from auditor.gate.disposition import Disposition as Disposition  # re-exported: rulings are read by it
from auditor.gate.options import GateOptions
from auditor.gate.ruling import REACH_RECORDED as REACH_RECORDED  # re-exported, as the two below
from auditor.gate.ruling import Ruling as Ruling
from auditor.gate.ruling import _ruling
from auditor.gate.ruling import records_reach as records_reach
from auditor.gate.superseded import cured_origins
from auditor.gate.waiver_reach import WaiverReach
from auditor.gate.waivers import Waiver, WaiverIndex, source_versions
from auditor.origin.findings import Verdict
from auditor.rpm.model import EVR, Package

_BLOCKS = Disposition.BLOCKS  # an enum member looked up through its class is slow in hot loops


@dataclass(frozen=True)
class Completeness:
    """What the audit could not see, by reason, with counts: empty when it saw everything."""

    reasons: tuple[tuple[str, int], ...] = ()
    """(reason, how many): ``input-error``, ``nothing-audited`` and each gap kind."""
    waived: int = 0
    """How many of the gaps counted in ``reasons`` a waiver accepted."""
    blocking: int = 0
    """How many of the gaps counted in ``reasons`` fail the run (``--strict``, not waived)."""

    @property
    def complete(self) -> bool:
        return not self.reasons

    def summary(self) -> str:
        """``incomplete: 3 source-not-audited, 1 input-error`` (empty when complete)."""
        if self.complete:
            return ""
        parts = ", ".join(f"{count} {reason}" for reason, count in self.reasons)
        waived = f" ({self.waived} accepted by waivers)" if self.waived else ""
        return f"incomplete: {parts}{waived}"


@dataclass(frozen=True)
class Decision:
    options: GateOptions
    rulings: tuple[Ruling, ...]
    """One per fact of the audit, in the audit's order."""
    expired: tuple[Waiver, ...] = ()
    """Waivers past their expiry date: they no longer waive."""
    stale: tuple[Waiver, ...] = ()
    """Waivers that accepted no fact."""
    stale_matching: tuple[Waiver, ...] = ()
    """Those of ``stale`` that match facts all the same: facts that needed no waiver (not in
    ``--fail-on``, allowed, below the taint severity) or that an earlier waiver accepted.
    Reports must not say of them that they match nothing."""
    stale_reaching: tuple[Waiver, ...] = ()
    """Those of ``stale`` with ``reaches`` that matched a taint reaching an origin package their
    globs do not name (or whose reach is not known): not facts that needed no waiver."""
    fixed: tuple[BaselineEntry, ...] = ()
    """Baseline entries whose fact is gone while its package is still audited: progress."""
    gone: tuple[BaselineEntry, ...] = ()
    """Baseline entries whose package (or, for a taint, whose origin package) is no longer in the run."""
    superseded: tuple[BaselineEntry, ...] = ()
    """Baseline entries of a taint whose package now has a new taint of its category in its
    place (`auditor.gate.superseded`): it did not get better, and the new taint is new."""
    unused: tuple[UnusedEntry, ...] = ()
    """Baseline entries whose facts are still there, none of them accepted by the entry: a
    waiver, a policy allow, the taint severity or --fail-on ruled them first, or they reach
    beyond it (`auditor baseline` drops such an entry as accepting none of today's facts)."""
    baseline: Baseline | None = None
    completeness: Completeness = Completeness()
    errors: int = 0
    nothing_audited: bool = False
    by_package: Mapping[int, Ruling | tuple[Ruling, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Each package's rulings, a lone one held as itself: most packages of a distribution read
    from its metadata have one fact, and a tuple each for them was 3.4 MiB of distro-60k's peak."""

    @functools.cached_property
    def blocking(self) -> list[Ruling]:
        """The rulings that block, in order (read, never changed: every format, the exit code
        and the headline ask for them, and a distribution has a ruling per package)."""
        return [ruling for ruling in self.rulings if ruling.disposition is _BLOCKS]

    @property
    def stale_blocks(self) -> bool:
        return self.options.stale_waivers_block and bool(self.stale)

    def for_package(self, index: int) -> tuple[Ruling, ...]:
        found = self.by_package.get(index, ())
        return (found,) if isinstance(found, Ruling) else found

    def blocks(self, index: int) -> bool:
        return any(ruling.blocks for ruling in self.for_package(index))

    def count(self, disposition: Disposition) -> int:
        return sum(1 for ruling in self.rulings if ruling.disposition is disposition)

    @property
    def exit_code(self) -> ExitCode:
        blocking = self.blocking
        if self.errors or self.nothing_audited or any(r.fact.kind is FactKind.GAP for r in blocking):
            return ExitCode.INPUT
        return ExitCode.FINDINGS if blocking or self.stale_blocks else ExitCode.PASSED


def shown_status(result: PackageResult, rulings: Sequence[Ruling]) -> Verdict:
    """The status a package is shown with: the worst status among its facts that block, or, when
    none blocks, the status the audit gave it (`PackageResult.verdict`), so that a displayed
    status never hides a blocking fact. Every report and every comparison of two audits
    (`check`, `diff`, a JSON report read back) uses this one: the analysis's own worst status
    differs under a ``--fail-on`` that leaves it out, and two outputs of one decision would
    disagree."""
    statuses = [r.fact.status for r in rulings if r.disposition is _BLOCKS and r.fact.status is not None]
    return min(statuses, key=lambda verdict: verdict.rank) if statuses else result.verdict


def decide(
    audit: Audited,
    options: GateOptions | None = None,
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
) -> Decision:
    """Rule on every fact of ``audit``; pure: the same arguments give the same decision."""
    options = options or GateOptions()
    today, now = options.moment()
    expired = tuple(waiver for waiver in waivers if waiver.expires.passed(today, now))
    live = [waiver for waiver in waivers if not waiver.expires.passed(today, now)]
    used: set[int] = set()
    # What each taint can reach is read off the audit's graph, for the baseline's entries that
    # record it (`auditor.audit.reach`); an audit without a graph (a test's) has none.
    accepted = reach = None
    if baseline is not None:  # the reach is built only for a baseline to read
        reach = audit.origin_reach.names if isinstance(audit, AuditResult) else None
        accepted = baseline.matcher(reach, cured_origins(audit))
    sources = source_versions(audit.packages) if waivers else {}
    # A binary whose SOURCEPKGID names none of the run's copies of its source package was built
    # from one the run lacks: a waiver's `versions` read its own EVR, as with no copy (gate58).
    unpaired = audit.graph.other_build if waivers and isinstance(audit, AuditResult) else None
    index = WaiverIndex(live) if live else None
    # Only a waiver with `reaches` asks what a taint reaches, and only of the facts it matches.
    scoped = WaiverReach(audit) if any(waiver.reaches is not None for waiver in live) else None
    rulings: list[Ruling] = []
    by_package: dict[int, Ruling | tuple[Ruling, ...]] = {}
    packages = audit.packages
    # A package's facts come together (`AuditResult.facts`): its rulings are gathered until the
    # next package's begin, and kept as a lone ruling or a tuple (see `Decision.by_package`).
    current: int | None = None
    start = 0
    own_sources: Mapping[tuple[str, bool], EVR] = sources
    for fact in audit.facts:
        owner = fact.package
        if owner != current:
            if current is not None:
                _gather(by_package, current, rulings, start)
            current, start = owner, len(rulings)
            own_sources = _sources_of(owner, sources, unpaired)
        rulings.append(
            _rule(
                fact,
                packages[owner] if owner is not None else None,
                options,
                index,
                accepted,
                used,
                own_sources,
                scoped,
            )
        )
    if current is not None:
        _gather(by_package, current, rulings, start)
    progress = baseline_progress(audit, baseline, rulings, reach, accepted)
    stale = tuple(waiver for waiver in live if id(waiver) not in used)
    return Decision(
        options=options,
        rulings=tuple(rulings),
        expired=expired,
        stale=stale,
        stale_matching=_matching(audit, stale, sources, unpaired),
        stale_reaching=tuple(w for w in stale if scoped is not None and id(w) in scoped.declined),
        fixed=progress.fixed,
        gone=progress.gone,
        superseded=progress.superseded,
        unused=progress.unused,
        baseline=baseline,
        completeness=_completeness(audit, rulings),
        errors=len(audit.errors),
        nothing_audited=not audit.results,
        by_package=MappingProxyType(by_package),
    )


def _gather(
    by_package: dict[int, Ruling | tuple[Ruling, ...]], package: int, rulings: list[Ruling], start: int
) -> None:
    """The rulings from ``start`` on, all of ``package``, added to those it has (if its facts
    did not all come together)."""
    found = by_package.get(package)
    if found is None and len(rulings) - start == 1:
        by_package[package] = rulings[start]
        return
    before = () if found is None else (found,) if isinstance(found, Ruling) else found
    items = (*before, *rulings[start:])
    by_package[package] = items[0] if len(items) == 1 else items


def _rule(
    fact: Fact,
    package: Package | None,
    options: GateOptions,
    waivers: WaiverIndex | None,
    baseline: BaselineMatcher | None,
    used: set[int],
    sources: Mapping[tuple[str, bool], EVR],
    scoped: WaiverReach | None = None,
) -> Ruling:
    finding = fact.finding
    if finding is not None and finding.allowed_by is not None:
        return _ruling(fact, Disposition.ALLOWED)
    if finding is not None and not finding.taints:
        return _ruling(fact, Disposition.BELOW_THRESHOLD)
    gap = fact.kind is FactKind.GAP
    if not gap and fact.status not in options.fail_on:
        return _ruling(fact, Disposition.NOT_GATED)
    declined: tuple[Waiver, tuple[str, ...]] | None = None
    if scoped is None:
        waiver = waivers.first(fact, package, sources) if waivers is not None else None
    else:
        assert waivers is not None
        # The first waiver that accepts it: one whose `reaches` does not name all it reaches
        # does not, as one that does not match (the first such is said when the fact blocks).
        for waiver in waivers.matching(fact, package, sources):
            if waiver.reaches is None or (beyond := scoped.beyond(waiver, fact)) is None:
                break
            declined = declined or (waiver, beyond)
        else:
            waiver = None
    if waiver is not None:
        used.add(id(waiver))
        return _ruling(fact, Disposition.WAIVED, waiver)
    if gap:
        return _ruling(fact, Disposition.BLOCKS if options.strict else Disposition.NOT_GATED)
    if baseline is not None:
        if baseline.accepts(fact, package):
            return _ruling(fact, Disposition.BASELINED)
        return _ruling(
            fact,
            Disposition.BLOCKS,
            beyond_baseline=baseline.beyond(fact),
            baseline_needed=baseline.needed_otherwise(fact, package),
            beyond_waiver=declined,
        )
    return _ruling(fact, Disposition.BLOCKS, beyond_waiver=declined)


def _sources_of(
    owner: int | None, sources: Mapping[tuple[str, bool], EVR], unpaired: Callable[[int], bool] | None
) -> Mapping[tuple[str, bool], EVR]:
    """The source versions a waiver reads for the facts of package ``owner``: none for a binary
    built from a copy of its source package the run lacks (`_source_evr` reads its own EVR)."""
    if owner is None or unpaired is None or not unpaired(owner):
        return sources
    return _NO_SOURCES


_NO_SOURCES: Mapping[tuple[str, bool], EVR] = MappingProxyType({})


def _matching(
    audit: Audited,
    stale: Sequence[Waiver],
    sources: Mapping[tuple[str, bool], EVR],
    unpaired: Callable[[int], bool] | None = None,
) -> tuple[Waiver, ...]:
    """The waivers of ``stale`` that match some fact of ``audit`` (in file order)."""
    if not stale:
        return ()
    index = WaiverIndex(stale)
    found: set[int] = set()
    for fact in audit.facts:
        if (owner := fact.package) is not None:
            package = audit.packages[owner]
            found.update(
                id(waiver) for waiver in index.matching(fact, package, _sources_of(owner, sources, unpaired))
            )
            if len(found) == len(stale):
                break
    return tuple(waiver for waiver in stale if id(waiver) in found)


def _completeness(audit: Audited, rulings: Sequence[Ruling]) -> Completeness:
    counts: Counter[str] = Counter()
    waived = blocking = 0
    waived_, blocks = Disposition.WAIVED, Disposition.BLOCKS
    for ruling in rulings:
        gap = ruling.fact.gap
        if gap is not None:
            # ``_value_``: no enum property call for each gap of a distribution.
            counts[gap.kind._value_] += gap.count
            if ruling.disposition is waived_:
                waived += gap.count
            elif ruling.disposition is blocks:
                blocking += gap.count
    if audit.errors:
        counts["input-error"] += len(audit.errors)
    if not audit.results:
        counts["nothing-audited"] += 1
    return Completeness(tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))), waived, blocking)
