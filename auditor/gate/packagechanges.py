"""Which packages changed between two audits (`auditor.gate.progress` compares their facts):
a release's diff (added, removed, upgraded and downgraded packages, and those that got worse
or better), and the base package a contributor's new one is compared with.

A package got worse when it holds a new fact itself: a source package and its binaries, and
the arches of one name, share a fact's fingerprint, and one of them gaining a fact does not
make the others worse.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.gate.progress import Comparison, compare
from auditor.gate.sides import PackageRecord, Side, fact_key
from auditor.gate.superseded import weakened
from auditor.rpm.archchange import replaces_across
from auditor.rpm.evr import compare_evr


def holds_new_fact(
    record: PackageRecord, new: Mapping[str, tuple[str, ...]], earlier: PackageRecord | None = None
) -> bool:
    """Whether ``record`` itself holds one of the ``new`` facts (`Comparison.new_by_fingerprint`):
    a package of its name holding it is not enough (a source package and its binaries, the
    arches of one name share fingerprints). A taint new because it reaches further is this
    package's when its own reach, where recorded, takes in one of the origin packages it now
    also reaches (mla.x86_64 is not worse because mla.i686 now reaches zlib). A `may-depend`
    taint that only weakens a stronger taint of the same origin package ``earlier`` (the package
    on the earlier side) had is not news of this package getting worse (`weakened`)."""
    before = [(fact.kind, fact.capability) for fact in earlier.facts] if earlier is not None else []
    for fact in record.facts:
        more = new.get(fact_key(fact, record.arch))
        if more is None or weakened(fact.kind, fact.capability, before):
            continue
        if not more or fact.reaches is None or not fact.reaches.isdisjoint(more):
            return True
    return False


@dataclass(frozen=True)
class ReleaseDiff:
    comparison: Comparison
    added: tuple[PackageRecord, ...]
    removed: tuple[PackageRecord, ...]
    upgraded: tuple[tuple[PackageRecord, PackageRecord], ...]
    downgraded: tuple[tuple[PackageRecord, PackageRecord], ...]
    worse: tuple[tuple[PackageRecord, PackageRecord], ...]
    """Packages on both sides with a fact only the later side has (becoming unresolved included)."""
    better: tuple[tuple[PackageRecord, PackageRecord], ...]
    """Packages on both sides that lost a fact and gained none, none of whose facts blocks now
    and did not before."""
    old_counts: Mapping[str, int]
    new_counts: Mapping[str, int]
    old_incomplete: str = ""
    new_incomplete: str = ""
    """What each side's audit could not see (`Side.incomplete`)."""


def diff_releases(before: Side, after: Side) -> ReleaseDiff:
    comparison = compare(before, after)
    # A package is worse when it holds a new fact itself, not when another package of its name
    # does: a source package and its binaries share a fact's name (mid-2.src, clean both sides,
    # was listed as worse for its binary's new taint).
    new_facts = comparison.new_by_fingerprint()
    fixed_facts = comparison.fixed_keys()
    # A package whose fact blocks now and did not before (a waiver of its old version) did not
    # get better, whatever else of it was fixed: release notes said vend improved while its
    # Citrix vendor newly failed the gate.
    newly_blocking = {item.key for item in comparison.newly_blocking}
    added, removed, upgraded, downgraded, worse, better = [], [], [], [], [], []
    for key in sorted(set(before.packages) | set(after.packages)):
        old, new = before.newest(*key), after.newest(*key)
        if old is None and new is not None:
            added.append(new)
        elif new is None and old is not None:
            removed.append(old)
        elif old is not None and new is not None:
            order = compare_evr(old.evr, new.evr)
            if order < 0:
                upgraded.append((old, new))
            elif order > 0:
                downgraded.append((old, new))
            # Every version the later side holds, as `check` reads it: a repository keeps the
            # older ones, which dnf installs when asked (app-1.0 coming to need Citrix's cx beside
            # a clean app-2.0 was a new blocking fact of app, and no package got worse). Each is
            # compared with its own NEVRA on the earlier side, else with the newest there.
            for record in after.packages[key]:
                same = same_package(before.packages[key], record, later=after.packages[key])
                earlier = same if same is not None else old
                if holds_new_fact(record, new_facts, earlier):
                    worse.append((earlier, record))
                elif (
                    (same is not None or record is new)
                    and any(fact_key(fact, earlier.arch) in fixed_facts for fact in earlier.facts)
                    and not any(
                        fact.blocks and fact_key(fact, record.arch) in newly_blocking for fact in record.facts
                    )
                ):
                    better.append((earlier, record))
    return ReleaseDiff(
        comparison,
        tuple(added),
        tuple(removed),
        tuple(upgraded),
        tuple(downgraded),
        tuple(worse),
        tuple(better),
        before.counts(),
        after.counts(),
        before.incomplete,
        after.incomplete,
    )


def same_package(
    earlier: Sequence[PackageRecord],
    record: PackageRecord,
    hint: str = "",
    later: Sequence[PackageRecord] = (),
) -> PackageRecord | None:
    """The package of ``earlier`` that ``record`` is: the one of its NEVRA. Where one NEVRA names
    two packages (a vendor's build and a rebuild's, each from its own input), the one whose label
    (`PackageRecord.label`: its input or file) is of its kind (a spec's or a built package's)
    and shares the most path components with ``hint``
    (``record``'s label, or its input), as the same repository read under another root does
    (``old/ng/repo`` and ``new/ng/repo/noarch/fw-1.0-1.noarch.rpm``), on a tie the one at its place
    among the copies of its NEVRA ``later`` holds: each copy is compared with its own earlier self,
    not all with the first, whose status then depended on how the inputs' paths sort."""
    same = [item for item in earlier if item.nevra == record.nevra]
    if len(same) < 2:
        return same[0] if same else None
    # By identity: two copies may be equal records.
    copies = [item for item in later if item.nevra == record.nevra]
    place = next((number for number, item in enumerate(copies) if item is record), 0)
    wanted = hint or record.label
    parts, spec = _components(wanted), _SPEC_MARK in wanted

    def likeness(number: int) -> tuple[bool, int, int]:
        label = same[number].label
        return (_SPEC_MARK in label) == spec, len(parts & _components(label)), -abs(number - place)

    return same[max(range(len(same)), key=likeness)]


_SPEC_MARK = "(spec"
"""How the label of what a spec file would build begins its mark (`auditor.audit.labels`): a spec
is compared with a spec, a built package with a built one, before any path is."""


def _components(label: str) -> set[str]:
    """The words and path components of a package's label."""
    return set(re.split(r"[/\s()]+", label)) - {""}


# -- a contributor's change ------------------------------------------------------------------


class Basis(enum.Enum):
    """What a new package is compared with in the base."""

    SAME_NEVRA = "same NEVRA"
    NEWEST = "newest version in BASE (what dnf would install)"
    NEWER_IN_BASE = "a newer version in BASE: dnf upgrade keeps it"
    """The new package is older than BASE's newest of its name and arch, as rpmdeplint's
    check-upgrade refuses: a host that has BASE's keeps it, and a repository holding both
    serves BASE's, so what the change improves does not reach them."""
    NONE = "not in BASE"


@dataclass(frozen=True)
class Counterpart:
    after: PackageRecord
    before: PackageRecord | None
    basis: Basis


def counterpart(
    before: Side, record: PackageRecord, arches: Iterable[str] = (), hint: str = ""
) -> Counterpart:
    """The BASE package a new one is compared with: the same NEVRA where it exists (of two copies,
    the one of the input ``hint`` names, `same_package`), otherwise
    the version of that name and arch dnf would install (the newest by rpm's EVR order), and
    where BASE has none of that arch, the newest of the ``arches`` (BASE's of the name) it
    replaces across (`replaces_across`: a package that became noarch, or stopped being it)."""
    same = same_package(before.packages.get((record.name, record.arch), ()), record, hint)
    if same is not None:
        return Counterpart(record, same, Basis.SAME_NEVRA)
    newest = before.newest(record.name, record.arch)
    for arch in arches if newest is None else ():
        found = before.newest(record.name, arch) if replaces_across(record.arch, arch) else None
        if found is not None and (newest is None or compare_evr(found.evr, newest.evr) > 0):
            newest = found
    if newest is None:
        return Counterpart(record, None, Basis.NONE)
    older = compare_evr(record.evr, newest.evr) < 0
    return Counterpart(record, newest, Basis.NEWER_IN_BASE if older else Basis.NEWEST)
