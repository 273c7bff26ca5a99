"""What became of each baseline entry no fact of a run matches any more: fixed, or gone.

`auditor.gate.decision.decide` asks it; it answers as `auditor.gate.progress.compare` answers
for two audits, so that the scan's "fixed since the baseline" and `diff` never disagree: a
fact that vanished because its package, its origin package or its evidence went is *gone*,
never progress.
"""

from __future__ import annotations

from auditor.audit.facts import TAINT_RULES, FactKind
from auditor.gate.audited import Audited
from auditor.gate.baseline import (
    Baseline,
    BaselineEntry,
    legacy_key,
    needed,
    written_before_taint_capabilities,
)


def baseline_progress(
    audit: Audited, baseline: Baseline | None
) -> tuple[tuple[BaselineEntry, ...], tuple[BaselineEntry, ...]]:
    """Baseline entries no fact matches any more: fixed, or gone with their package or provider,
    or no longer seen (their package, or the run, has a gap now: a baseline is written from a
    complete audit)."""
    if baseline is None:
        return (), ()
    facts = audit.facts
    # By fingerprint and, for a requirement nothing provides, when it is needed: an entry that
    # accepted foo.src's unmet build requirement is fixed when only the binary needs it now (at
    # run time, which blocks), as `diff` and `check` call the one fixed and the other new.
    seen: dict[str, set[str | None]] = {}
    for fact in facts:
        package = audit.packages[fact.package] if fact.package is not None else None
        seen.setdefault(fact.fingerprint, set()).add(needed(fact, package))
    unseen = {fact.subject for fact in facts if fact.kind is FactKind.GAP}
    # A gap of the run or of an input (a repository read --metadata-only, one not read) may hide
    # any package's evidence, and `auditor baseline` never writes from an audit with one: every
    # entry no longer found is then not seen, not fixed (as `compare` reads a new gap of the run).
    run_unseen = any(fact.kind is FactKind.GAP and fact.package is None for fact in facts)
    taints = {(fact.rule, fact.subject, fact.ends_at) for fact in facts if fact.ends_at}
    # By name and kind (a source package, or a binary): a source package and its binaries share
    # a name, and one that stays does not make the other's facts fixed (`compare`'s holders).
    audited: dict[bool, set[str]] = {True: set(), False: set()}
    for result in audit.results:
        audited[result.package.is_source].add(result.package.name)
    present = {package.name for package in audit.packages}
    fixed: list[BaselineEntry] = []
    gone: list[BaselineEntry] = []
    for entry in baseline.entries:
        # An entry written before taints named their origin package is found by its key alone,
        # as it accepts (`auditor.gate.baseline.BaselineMatcher`): its fingerprint vouches for nothing.
        needs = None if written_before_taint_capabilities(entry) else seen.get(entry["fingerprint"])
        recorded = entry.get("needed")
        if needs is not None and (recorded is None or not needs.isdisjoint(recorded)):
            continue
        if legacy_key(entry) in taints:
            continue
        # A taint also went unseen when the origin package it ended at, or another it reached,
        # now has a gap: that package's evidence is what went, not the dependency on it.
        end = entry.get("ends_at", "")
        taint_gone = entry["kind"] in TAINT_RULES and (
            end not in present or end in unseen or not unseen.isdisjoint(entry.get("reaches", ()))
        )
        still = any(entry["package"] in audited[is_source] for is_source in _holders(entry))
        vanished = run_unseen or not still or entry["package"] in unseen or taint_gone
        (gone if vanished else fixed).append(entry)
    return tuple(fixed), tuple(gone)


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
