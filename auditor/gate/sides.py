"""One side of a comparison of two audits (`auditor.gate.progress`): its packages and their facts,
as an audit (`auditor.gate.audit_side`) or a JSON report (`auditor.gate.report_side`) gives them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from auditor.origin.findings import Verdict
from auditor.rpm.evr import compare_evr
from auditor.rpm.model import EVR, SOURCE_ARCHES

TAINTS = frozenset({"depends", "may-depend", "build-depends"})
"""The kinds of fact that are taints (a chain to an origin package proves each)."""


@dataclass(frozen=True, slots=True)
class FactRecord:
    """A fact as a comparison needs it, from an audit or a JSON report."""

    fingerprint: str
    kind: str
    rule: str
    subject: str
    capability: str
    text: str
    blocks: bool
    ends_at: str = ""
    """For a taint: the origin package its chain ended at."""
    reaches: frozenset[str] | None = None
    """For a taint: every origin package it reaches (None: not known, a report written before
    JSON reports recorded it)."""


def fact_key(fact: FactRecord, arch: str) -> str:
    """What a comparison identifies ``fact`` of a package of ``arch`` by: its fingerprint, and for
    a requirement nothing provides, whether a source package needs it to be built or a binary to
    be installed. A source package and its binary share a name, hence that fingerprint: the binary
    coming to need at run time what its source package could not be built without is new."""
    if fact.kind != "unresolved":
        return fact.fingerprint
    return f"{fact.fingerprint}:{'build' if arch in SOURCE_ARCHES else 'run'}"


@dataclass(frozen=True)
class PackageRecord:
    name: str
    arch: str
    nevra: str
    evr: EVR
    status: str
    statuses: tuple[str, ...]
    facts: tuple[FactRecord, ...]
    label: str = ""
    """How its row in ``scan`` names it when another audited package has its NEVRA (a vendor's
    build and a rebuild's, `auditor.audit.labels`); empty when the NEVRA names it alone."""

    @property
    def named(self) -> str:
        """The package as a list names it: its label, else its NEVRA."""
        return self.label or self.nevra


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its audited packages by (name, arch), and every name it holds."""

    packages: Mapping[tuple[str, str], tuple[PackageRecord, ...]]
    """Every audited package of that name and arch (a repository may hold several versions)."""
    present: frozenset[str]
    """Names of every package read, context included: what a chain may end at."""
    run_facts: tuple[FactRecord, ...] = ()
    blocking: int = 0
    """How many facts block on this side."""
    incomplete: str = ""
    """What this side's audit could not see (`Completeness.summary`); empty when it saw everything."""
    reach: Callable[[str], frozenset[str] | None] = field(default=lambda fingerprint: None)
    """fingerprint -> every origin package the taints of that fingerprint reach on this side
    (None: not known)."""
    unaccepted: int = 0
    """How much of what this side's audit could not see no waiver accepted: what fails it under
    ``--strict``, as it fails `scan` (a gap a waiver accepts does not)."""
    origins: frozenset[str] = frozenset()
    """Names of the packages read but not audited (the context, those ``--arch`` or ``--roots``
    left out) that are origin packages: an audited package of such a name is not the only one
    (`auditor.gate.progress.compare`'s cured origin packages)."""

    def keyed_facts(self) -> Iterable[tuple[str, FactRecord]]:
        """Each fact with what a comparison identifies it by (`fact_key`)."""
        for (_name, arch), records in self.packages.items():
            for record in records:
                for fact in record.facts:
                    yield fact_key(fact, arch), fact
        for fact in self.run_facts:
            yield fact.fingerprint, fact

    def holders(self) -> dict[str, set[tuple[str, bool]]]:
        """fingerprint -> the (name, is a source package) of each package that has the fact."""
        found: dict[str, set[tuple[str, bool]]] = {}
        for (name, arch), records in self.packages.items():
            for record in records:
                for fact in record.facts:
                    found.setdefault(fact.fingerprint, set()).add((name, arch in SOURCE_ARCHES))
        return found

    def newest(self, name: str, arch: str) -> PackageRecord | None:
        """The version dnf would install: the newest by rpm's EVR order."""
        records = self.packages.get((name, arch), ())
        newest: PackageRecord | None = None
        for record in records:
            if newest is None or compare_evr(record.evr, newest.evr) > 0:
                newest = record
        return newest

    def counts(self) -> dict[str, int]:
        counts = {verdict.value: 0 for verdict in Verdict}
        for records in self.packages.values():
            for record in records:
                counts[record.status] = counts.get(record.status, 0) + 1
        return counts


def reach_of_records(
    packages: Mapping[tuple[str, str], list[PackageRecord]],
) -> Callable[[str], frozenset[str] | None]:
    """What the taints of a fingerprint reach, every package of that name and arch together
    (None where a taint of that fingerprint has no record of it: a report written before
    reports recorded it)."""
    known: dict[str, frozenset[str] | None] = {}
    for records in packages.values():
        for record in records:
            for fact in record.facts:
                if fact.kind not in TAINTS:
                    continue
                fingerprint, reaches = fact.fingerprint, fact.reaches
                if fingerprint not in known:
                    # The record's own set, not a copy: taints reaching the same origin packages
                    # share one (`OriginReach.names`), and a copy each was n x k names.
                    known[fingerprint] = reaches
                    continue
                held = known[fingerprint]
                if held is None or reaches is None:
                    known[fingerprint] = None
                elif not reaches <= held:
                    known[fingerprint] = held | reaches
    return lambda fingerprint: known.get(fingerprint)
