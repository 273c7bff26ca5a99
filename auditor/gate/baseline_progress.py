"""What became of each baseline entry: fixed, gone or superseded when no fact of a run matches
it any more, or accepting nothing when its facts are there but ruled otherwise.

`auditor.gate.decision.decide` asks it; it answers as `auditor.gate.progress.compare` answers
for two audits, so that the scan's "fixed since the baseline" and `diff` never disagree: a
fact that vanished because its package, its origin package or its evidence went is *gone*,
never progress, nor is a taint a new one of its category replaced, still reaching its origin
package (`auditor.gate.superseded`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from auditor.audit.facts import TAINT_RULES, Fact, FactKind
from auditor.gate.audited import Audited
from auditor.gate.baseline import (
    Baseline,
    BaselineEntry,
    BaselineMatcher,
    legacy_key,
    needed,
    written_before_taint_capabilities,
)
from auditor.gate.disposition import Disposition
from auditor.gate.superseded import Reach, Successors, cured_origins


class Ruled(Protocol):
    """What this reads of a ruling (`auditor.gate.decision.Ruling`): how its fact was ruled."""

    @property
    def disposition(self) -> Disposition: ...


_RULED = {
    "waived": "waived",
    "allowed": "allowed by the policy",
    "below-threshold": "below the policy's taint severity",
    "not-gated": "of a status --fail-on does not name",
    "blocks": "blocking (reaching beyond what it accepted)",
}
"""How a fact an entry does not accept was ruled instead (`Disposition` values), in words."""


@dataclass(frozen=True)
class UnusedEntry:
    """A baseline entry whose facts are still there but that accepts none of them: a waiver, a
    policy allow, the taint severity or --fail-on rules them first, or they reach beyond it.
    Reported as a waiver matching only facts an earlier waiver accepts is: unsaid, it stays in
    the file and takes its facts back the day the waiver expires, the deadline having no effect."""

    entry: BaselineEntry
    ruled: tuple[str, ...]
    """How its facts were ruled instead (`Disposition` values, sorted)."""

    @property
    def line(self) -> str:
        entry = self.entry
        said = (
            f"baseline entry accepting nothing: {entry['package']}: {entry['kind']} {entry['capability']}: "
        )
        if str(entry["kind"]).startswith("gap:"):
            # The gate never lets a baseline accept evidence not seen: no ruling of it "ends".
            return said + (
                "evidence not seen, which no baseline accepts (a waiver whose rule is gap:KIND does): "
                "remove the entry (`auditor baseline` writes only from an audit that saw everything)"
            )
        how = " or ".join(_RULED.get(value, value) for value in self.ruled)
        return said + f"its facts are {how}; it takes them back when that ends (`auditor baseline` drops it)"


@dataclass(frozen=True)
class BaselineProgress:
    fixed: tuple[BaselineEntry, ...] = ()
    gone: tuple[BaselineEntry, ...] = ()
    unused: tuple[UnusedEntry, ...] = ()
    superseded: tuple[BaselineEntry, ...] = ()


def baseline_progress(
    audit: Audited,
    baseline: Baseline | None,
    rulings: Sequence[Ruled],
    reach: Callable[[Fact], frozenset[str] | None] | None = None,
    matcher: BaselineMatcher | None = None,
) -> BaselineProgress:
    """Baseline entries no fact matches any more: fixed, superseded by another taint, or gone
    with their package or provider, or no longer seen (their package, or the run, has a gap now:
    a baseline is written from a complete audit); and those whose facts are there, none accepted
    by them (``rulings``, one per fact of ``audit`` in its order, say how each was ruled).
    ``reach`` says what a taint of ``audit`` reaches (`auditor.audit.reach`; None: not known);
    ``matcher``, the baseline's matcher the gate ruled with (made here when not given)."""
    if baseline is None:
        return BaselineProgress()
    accepted = Disposition.BASELINED.value
    facts = audit.facts
    # By fingerprint and, for a requirement nothing provides, when it is needed: an entry that
    # accepted foo.src's unmet build requirement is fixed when only the binary needs it now (at
    # run time, which blocks), as `diff` and `check` call the one fixed and the other new. Each
    # with how its facts were ruled.
    seen: dict[str, dict[str | None, set[str]]] = {}
    taints: dict[tuple[str, str, str], set[str]] = {}
    # An entry whose taint is now named by another origin package it reached, its nearest one
    # fixed, still holds that taint (`BaselineMatcher.renamed`), as `compare` pairs them.
    renamed: dict[str, set[str]] = {}
    entries = baseline.fingerprints
    if matcher is None:  # the gate's own, built once for its rulings
        matcher = baseline.matcher(reach, cured_origins(audit))
    for fact, ruling in zip(facts, rulings, strict=True):
        package = audit.packages[fact.package] if fact.package is not None else None
        ruled = ruling.disposition.value
        seen.setdefault(fact.fingerprint, {}).setdefault(needed(fact, package), set()).add(ruled)
        if fact.ends_at:
            taints.setdefault((fact.rule, fact.subject, fact.ends_at), set()).add(ruled)
            if fact.fingerprint not in entries:
                for fingerprint in matcher.renamed(fact):
                    renamed.setdefault(fingerprint, set()).add(ruled)
    unseen = {fact.subject for fact in facts if fact.kind is FactKind.GAP}
    # A gap of the run or of an input (a repository read --metadata-only, one not read) may hide
    # any package's evidence, and `auditor baseline` never writes from an audit with one: every
    # entry no longer found is then not seen, not fixed (as `compare` reads a new gap of the run).
    run_unseen = any(fact.kind is FactKind.GAP and fact.package is None for fact in facts)
    # By name and kind (a source package, or a binary): a source package and its binaries share
    # a name, and one that stays does not make the other's facts fixed (`compare`'s holders).
    audited: dict[bool, set[str]] = {True: set(), False: set()}
    for result in audit.results:
        audited[result.package.is_source].add(result.package.name)
    present = {package.name for package in audit.packages}
    # The taints that may have replaced one that went (`auditor.gate.superseded`); those the
    # baseline did not accept are new.
    successors = Successors()
    # A taint of a package that now has a requirement nothing provides, the baseline not accepting
    # it, may have gone with the way to its origin package (unr requiring cx-lib >= 2 of a Citrix
    # cx-lib 1): no longer seen, not cured.
    unmet: set[str] = set()
    for fact, ruling in zip(facts, rulings, strict=True):
        if fact.package is None:
            continue
        new = ruling.disposition is not Disposition.BASELINED
        if fact.kind is FactKind.UNRESOLVED and new:
            unmet.add(fact.subject)
        elif fact.kind in _TAINT_KINDS:
            successors.add(
                fact.subject,
                audit.packages[fact.package].is_source,
                fact.kind.value,
                fact.capability,
                ends_at=fact.ends_at,
                new=new,
                reaches=_reach_of(fact, reach) if new else None,
            )
    fixed: list[BaselineEntry] = []
    replaced: list[BaselineEntry] = []
    gone: list[BaselineEntry] = []
    unused: list[UnusedEntry] = []
    for entry in baseline.entries:
        # An entry written before taints named their origin package is found by its key alone,
        # as it accepts (`auditor.gate.baseline.BaselineMatcher`): its fingerprint vouches for nothing.
        needs = None if written_before_taint_capabilities(entry) else seen.get(entry["fingerprint"])
        recorded = entry.get("needed")
        key = legacy_key(entry)
        found: list[set[str]] = []  # how the facts the entry matches were ruled
        if needs is not None:
            found = [ways for need, ways in needs.items() if recorded is None or need in recorded]
        elif key is not None and key in taints:
            found = [taints[key]]
        elif entry["fingerprint"] in renamed:
            found = [renamed[entry["fingerprint"]]]
        if found:
            ruled_as: set[str] = set().union(*found)
            if accepted not in ruled_as:
                unused.append(UnusedEntry(entry, tuple(sorted(ruled_as))))
            continue
        # A taint also went unseen when the origin package it ended at, or another it reached,
        # now has a gap: that package's evidence is what went, not the dependency on it.
        end = entry.get("ends_at", "")
        taint_gone = entry["kind"] in TAINT_RULES and (
            end not in present
            or end in unseen
            or not unseen.isdisjoint(entry.get("reaches", ()))
            or entry["package"] in unmet
        )
        still = any(entry["package"] in audited[is_source] for is_source in _holders(entry))
        vanished = run_unseen or not still or entry["package"] in unseen or taint_gone
        # A taint in its place is seen, not inferred: first, whatever else went (an entry names
        # no kind of package, and a source package's buildroot may-depend too).
        either = [(entry["package"], is_source) for is_source in _EITHER]
        if successors.replaced(_kind(entry), entry["capability"], end, either):
            replaced.append(entry)
        elif vanished:
            gone.append(entry)
        else:
            fixed.append(entry)
    return BaselineProgress(tuple(fixed), tuple(gone), tuple(unused), tuple(replaced))


_TAINT_KINDS = frozenset({FactKind.DEPENDS, FactKind.MAY_DEPEND, FactKind.BUILD_DEPENDS})


def _reach_of(fact: Fact, reach: Callable[[Fact], frozenset[str] | None] | None) -> Reach:
    """What ``fact`` reaches, asked only when a taint that went is checked against it."""
    return None if reach is None else lambda: reach(fact)


def _kind(entry: BaselineEntry) -> str:
    """The fact kind an entry's rule names (``status:may-depend``: ``may-depend``)."""
    return str(entry["kind"]).removeprefix("status:")


_RUN_TIME_TAINT_RULES = frozenset(f"status:{kind.value}" for kind in (FactKind.DEPENDS, FactKind.MAY_DEPEND))
"""The rules of taints a package has for what it needs at run time: only binaries have them."""
_EITHER = (True, False)


def _holders(entry: BaselineEntry) -> tuple[bool, ...]:
    """Which kinds of package can hold ``entry``'s fact, as "is a source package": a binary's
    run-time taint, or a requirement needed at run time, is a binary's; one needed to build, a
    source package's; any other fact either's (evidence a binary inherits from its source).
    An entry whose binary was removed while its source package stays is gone, not fixed."""
    if entry["kind"] in _RUN_TIME_TAINT_RULES:
        return (False,)
    recorded = entry.get("needed")
    if recorded:
        return tuple(sorted({need == "build" for need in recorded}))
    return _EITHER
