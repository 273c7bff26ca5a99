"""Progress between two audits, fact by fact: what is new, fixed, gone or unchanged.

Statuses are summaries and cannot measure progress: a package that went from ``depends`` to
``unresolved`` (its Citrix provider was deleted) did not get better. Facts are compared by
fingerprint (`auditor.audit.facts`), which leaves out versions and paths, so an upgrade does
not make a fact look new:

- **new**: only the later side has it;
- **fixed**: the earlier side had it, and its package is still there (and, for a taint, the
  origin package at the end of its chain too): something changed that cured it;
- **gone**: the earlier side had it, but its package (or the origin package its chain ended
  at) is no longer there, or no longer seen (for a taint, its package came to need what
  nothing provides): nothing was cured, something was removed;
- **superseded**: a taint the earlier side had, whose package now has a new taint of the same
  category in its place (`auditor.gate.superseded`): a stronger one for a `may-depend`, or one
  as strong still reaching the origin package it ended at; the new taint is new;
- **unchanged**: both sides have it (whether it blocks may differ, say after a waiver).

A fact blocked before when it blocked on a package of the architecture it blocks on now: a
fingerprint names no arch, and the aarch64 fact that blocked made an x86_64 one waived for its
arch (the waiver's version range left behind) unchanged, not newly blocking.

A taint names only the nearest origin package of its category, so a package that comes to need
another Citrix package by a longer way keeps its fingerprint: a taint of the later side that
reaches an origin package its counterpart did not (`auditor.audit.reach`, as the baseline
reads it) is **new** too, and says what it now also reaches. That is asked only of a taint that
blocks on both sides (one that did not block before is news when it does), and a JSON report
records what each blocking taint reaches; one written without it is compared by fingerprint
alone.

A side is an audit with its decision (`auditor.gate.audit_side`), or a JSON report an earlier
run wrote (``--format json``, read by `auditor.gate.report_side`), so a release manager can
compare the last release's report with today.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from auditor.gate.sides import TAINTS, FactRecord, Side, fact_key
from auditor.gate.superseded import Successors, hides_origin, renamed_by_reach
from auditor.rpm.model import SOURCE_ARCHES

TaintsByHolder = dict[tuple[str, str, str], list[tuple[str, FactRecord]]]
"""(package name, kind, category) -> each taint of that package, kind and category, with its key."""


class Change(enum.Enum):
    NEW = "new"
    FIXED = "fixed"
    GONE = "gone"
    SUPERSEDED = "superseded"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class FactChange:
    change: Change
    fact: FactRecord
    """The later side's fact (the earlier one's when it is fixed or gone)."""
    blocked_before: bool
    blocks_after: bool
    reaches_more: tuple[str, ...] = ()
    """For a taint both sides have by fingerprint: the origin packages it reaches on the later
    side and did not on the earlier one (sorted); such a taint is new."""
    key: str = ""
    """What the comparison identified the fact by (`fact_key`)."""

    @property
    def text(self) -> str:
        """The fact's text, and what it now also reaches when that is why it is new; for a
        requirement nothing provides, when it is needed (`fact_key`): a binary coming to need
        at run time what its source package no longer needs to build is one fact new and one
        fixed, of one fingerprint and one text, read as the same fact both new and fixed."""
        if self.key.endswith(":build"):
            return f"{self.fact.text} (to build)"
        if self.key.endswith(":run"):
            return f"{self.fact.text} (at run time)"
        if not self.reaches_more:
            return self.fact.text
        return (
            f"{self.fact.text}; it now also reaches {', '.join(self.reaches_more)}, which it did not before"
        )


@dataclass(frozen=True)
class Comparison:
    changes: tuple[FactChange, ...]
    blocking_before: int
    blocking_after: int

    def of(self, change: Change) -> list[FactChange]:
        return [item for item in self.changes if item.change is change]

    def new_by_fingerprint(self) -> dict[str, tuple[str, ...]]:
        """Each new fact's key (`fact_key`), with the origin packages it now also reaches (empty
        for a fact new by its fingerprint)."""
        return {item.key: item.reaches_more for item in self.changes if item.change is Change.NEW}

    def fixed_keys(self) -> set[str]:
        """The key (`fact_key`) of each fixed fact."""
        return {item.key for item in self.changes if item.change is Change.FIXED}

    @property
    def newly_blocking(self) -> list[FactChange]:
        """Facts that block on the later side and did not on the earlier one: regressions."""
        return [item for item in self.changes if item.blocks_after and not item.blocked_before]


def _by_fingerprint(facts: Iterable[tuple[str, FactRecord]]) -> dict[str, FactRecord]:
    """One fact per fingerprint, a blocking one wherever one blocks. A fingerprint names the
    package, not its arch or version: a source package and the binaries that inherit its
    evidence share it, as do the arches of one name, and a waiver or baseline entry scoped to
    one of them leaves the others blocking (review 8b: the waived one, read last, stood for
    all, and `check` said nothing got worse)."""
    found: dict[str, FactRecord] = {}
    for key, fact in facts:
        held = found.get(key)
        if held is None or (fact.blocks and not held.blocks):
            found[key] = fact
    return found


def compare(before: Side, after: Side) -> Comparison:
    old = _by_fingerprint(before.keyed_facts())
    new = _by_fingerprint(after.keyed_facts())
    # A report written before a taint's capability named its category and origin package: its
    # taint is the same fact as today's taint of that package ending at the same origin package.
    legacy = {
        (fact.rule, fact.subject, fact.ends_at): (key, fact)
        for key, fact in old.items()
        if fact.kind in TAINTS and not fact.capability and fact.ends_at
    }
    matched: set[str] = set()
    counterparts: dict[str, str] = {}  # a later key -> its earlier fact's, where not the same
    changes: list[FactChange] = []
    earlier_taints = _taints_by_holder(old)
    audited_names = {name for name, _arch in after.packages}
    unseen = {fact.subject for key, fact in new.items() if fact.kind == "gap" and key not in old}
    # A new gap of the run (an input read from its metadata alone, a repository not read) may
    # hide any package's evidence: then nothing that vanished is claimed fixed.
    run_unseen = any(fact.kind == "gap" and fact.fingerprint not in old for fact in after.run_facts)
    # The packages audited on the later side that no longer taint as origin packages: the
    # nearest origin package of an earlier taint, rebuilt clean (`_renamed`). Not one whose
    # evidence is not all seen (a gap, new or not: what was not seen of it may be Citrix's
    # still), nor any under a gap of the run, nor one of a name a context package still is
    # origin of: not cured, as `cured_origins` reads it for the baseline.
    origin = {
        name for (name, _arch), records in after.packages.items() for r in records if "origin" in r.statuses
    }
    origin |= {fact.subject for fact in new.values() if hides_origin(fact.kind, fact.rule)}
    blind = any(hides_origin(fact.kind, fact.rule) for fact in after.run_facts)
    cured = set() if blind else audited_names - origin - after.origins
    for key, fact in new.items():
        earlier = old.get(key)
        earlier_key = key
        if earlier is None and legacy and fact.kind in TAINTS:
            earlier_key, earlier = legacy.get((fact.rule, fact.subject, fact.ends_at), (key, None))
        if earlier is None and fact.kind in TAINTS:
            earlier_key, earlier = _renamed(before, after, earlier_taints, cured, fact) or (key, None)
        if earlier is None:
            changes.append(FactChange(Change.NEW, fact, False, fact.blocks, key=key))
            continue
        matched.add(earlier_key)
        if earlier_key != key:
            counterparts[key] = earlier_key
        more = _reaches_more(before, after, earlier, fact)
        change = Change.NEW if more else Change.UNCHANGED
        # What blocked before was the taint as far as it reached then: reaching further is new.
        changes.append(FactChange(change, fact, earlier.blocks and not more, fact.blocks, more, key))
    # A fact went with its package when no package of its holder's name *and kind* is audited
    # any more: a source package and its binaries share a name, and a binary that stays does not
    # make its removed source package's evidence fixed.
    # And a fact of a package that now has evidence not seen (a new gap: its source package
    # left the run, its file went missing) did not go because it was fixed: it is no longer seen.
    audited = {(name, arch in SOURCE_ARCHES) for name, arch in after.packages}
    holders = before.holders()
    # The taints that may have replaced one that went (`auditor.gate.superseded`), and the
    # packages come to need what nothing provides: a taint of one may have gone with the way
    # to its origin package (unr requiring cx-lib >= 2 of a Citrix cx-lib 1), not been cured.
    # New as for the baseline: a taint reaching further than its counterpart is.
    fresh = {item.key for item in changes if item.change is Change.NEW}
    successors = Successors()
    unmet: set[str] = set()
    for (name, arch), records in after.packages.items():
        for record in records:
            for fact in record.facts:
                known = fact_key(fact, arch) not in fresh
                if fact.kind == "unresolved" and not known:
                    unmet.add(name)
                successors.add(name, arch in SOURCE_ARCHES, fact.kind, fact.capability, ends_at=fact.ends_at,
                               new=not known, reaches=fact.reaches)  # fmt: skip
    for key, fact in old.items():
        if key in matched:
            continue
        held = holders.get(fact.fingerprint)
        if held is None:  # a fact of the run (an input, a configuration)
            still = fact.subject in audited_names
        else:
            still = not held.isdisjoint(audited)
        vanished = (
            not still
            or run_unseen
            or fact.subject in unseen
            or (
                fact.kind in TAINTS
                and (fact.ends_at not in after.present or _end_unseen(fact, unseen) or fact.subject in unmet)
            )
        )
        # A taint that replaced it is seen, not inferred: first, whatever else went; on a package
        # of its name of either kind, as the baseline asks (its entry names no kind of package).
        either = {(name, is_source) for name, _kind in held or () for is_source in (True, False)}
        if successors.replaced(fact.kind, fact.capability, fact.ends_at, either):
            change = Change.SUPERSEDED
        elif vanished:
            change = Change.GONE
        else:
            change = Change.FIXED
        changes.append(FactChange(change, fact, fact.blocks, False, key=key))
    changes = _blocking_anew_on_an_arch(before, after, changes, counterparts)
    changes.sort(
        key=lambda item: (item.fact.subject, item.fact.kind, item.fact.capability, item.change.value)
    )
    return Comparison(tuple(changes), before.blocking, after.blocking)


def _blocking_anew_on_an_arch(
    before: Side, after: Side, changes: list[FactChange], counterparts: dict[str, str]
) -> list[FactChange]:
    """``changes`` with each fact that blocks on both sides (one per fingerprint, `_by_fingerprint`)
    but now blocks on an arch where it was held and blocked on no package before, read as not
    blocking before: a regression, as the same fact of one arch alone is."""
    both = {item.key for item in changes if item.blocked_before and item.blocks_after}  # matched facts
    if not both:
        return changes
    earlier = _blocks_by_arch(before, {counterparts.get(key, key) for key in both})
    later = _blocks_by_arch(after, both)

    def anew(key: str) -> bool:
        held = earlier.get(counterparts.get(key, key), {})
        return any(blocks and held.get(arch) is False for arch, blocks in later.get(key, {}).items())

    return [
        replace(item, blocked_before=False) if item.key in both and anew(item.key) else item
        for item in changes
    ]


def _blocks_by_arch(side: Side, keys: set[str]) -> dict[str, dict[str, bool]]:
    """key (`fact_key`) -> arch -> whether the fact blocks on any package of that arch holding it."""
    found: dict[str, dict[str, bool]] = {}
    for (_name, arch), records in side.packages.items():
        for record in records:
            for fact in record.facts:
                key = fact_key(fact, arch)
                if key in keys:
                    arches = found.setdefault(key, {})
                    arches[arch] = arches.get(arch, False) or fact.blocks
    return found


def _end_unseen(fact: FactRecord, unseen: set[str]) -> bool:
    """Whether the origin package a taint ended at, or another it reached (where recorded), now
    has evidence not seen: its source package left the run, and it no longer shows as origin. The
    taint of what needs it went with that evidence, not because it was cured (red team 36: app,
    needing cx, was "better" when cx's source package, holding its Citrix Source, was not given)."""
    return fact.ends_at in unseen or (fact.reaches is not None and not fact.reaches.isdisjoint(unseen))


def _taints_by_holder(facts: Mapping[str, FactRecord]) -> TaintsByHolder:
    """Each taint of ``facts`` by its package's name, its kind and its category."""
    found: TaintsByHolder = {}
    for key, fact in facts.items():
        if fact.kind in TAINTS and fact.capability:
            holder = (fact.subject, fact.kind, fact.capability.partition(":")[0])
            found.setdefault(holder, []).append((key, fact))
    return found


def _renamed(
    before: Side, after: Side, earlier: TaintsByHolder, cured: set[str], later: FactRecord
) -> tuple[str, FactRecord] | None:
    """The earlier taint (its key and fact) that ``later``, a taint no earlier fact has the
    fingerprint of, is, named now by another origin package it already reached, the one it
    ended at being among ``cured`` (`auditor.gate.superseded.renamed_by_reach`); None when
    there is none."""
    if not later.capability:
        return None
    candidates = earlier.get((later.subject, later.kind, later.capability.partition(":")[0]), ())
    if not candidates:
        return None
    reached = after.reach(later.fingerprint)
    for key, fact in candidates:
        if fact.ends_at in cured and renamed_by_reach(
            fact.ends_at, before.reach(fact.fingerprint), later.ends_at, reached
        ):
            return key, fact
    return None


def _reaches_more(before: Side, after: Side, earlier: FactRecord, later: FactRecord) -> tuple[str, ...]:
    """The origin packages ``later`` reaches that ``earlier`` (its counterpart) did not."""
    if later.kind not in TAINTS or earlier.kind not in TAINTS:
        return ()
    reached_before = before.reach(earlier.fingerprint)
    if reached_before is None or earlier.ends_at not in reached_before:
        return ()  # not recorded: without its own end, a buildroot's may-depend written before it was
    return tuple(sorted((after.reach(later.fingerprint) or frozenset()) - reached_before))
