"""A report's facts ruled again for a comparison (`auditor.gate.report_side`): with the
comparing run's --fail-on, --strict and baseline, and the facts the report did not gate asked of
the run's waivers as `auditor.gate.decision` asks the audit's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.audit.facts import Fact, FactKind
from auditor.gate.options import GateOptions
from auditor.gate.sides import FactRecord, PackageRecord
from auditor.gate.waivers import Waiver, WaiverIndex
from auditor.origin.findings import Category, Verdict
from auditor.rpm.model import EVR, Package, PackageKind, srpm_file_name


def ruled(record: PackageRecord, written: tuple[bool, ...], gate: Regate | None) -> PackageRecord:
    """``record`` with the status its facts ruled again show, where one no longer blocks as written."""
    if gate is None or all(fact.blocks is was for fact, was in zip(record.facts, written, strict=True)):
        return record
    # The status shown (`auditor.gate.decision.shown_status`) is the worst that blocks, else the
    # worst the facts give (``statuses`` lists them worst first).
    blocking = [Verdict(fact.kind) for fact in record.facts if fact.blocks and fact.kind in STATUSES]
    status = min(blocking, key=lambda verdict: verdict.rank).value if blocking else record.statuses[0]
    return replace(record, status=status)


def as_fact(record: FactRecord, written: dict[str, Any]) -> Fact:
    """The fact ``record`` as a waiver reads one."""
    category = written.get("category")
    return Fact(FactKind(record.kind), record.rule, None, record.subject, record.capability, record.text,
                Category(category) if category is not None else None)  # fmt: skip


@dataclass(frozen=True)
class Waiting:
    """A package of the report with facts to ask of the run's waivers (`Regate.waive`)."""

    record: PackageRecord
    written: tuple[bool, ...]
    """Whether each of its facts blocked as the report wrote it."""
    package: Package
    asked: tuple[tuple[int, Fact], ...]
    """Each fact to ask, by its position among the package's facts."""


class ReportSources:
    """The EVR of each source package of a report, as `decide` gathers the audit's: what a
    waiver's ``versions`` read of a binary matched through its source package's name."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, bool], EVR] = {}
        self._twice: set[tuple[str, bool]] = set()

    def add(self, item: Any) -> None:
        if not isinstance(item, dict) or item.get("kind") != "source":
            return
        epoch = item.get("epoch")
        name, version, release = str(item["name"]), str(item["version"]), str(item["release"])
        evr = EVR(int(epoch) if epoch is not None else None, version, release)
        # Keyed as `_package` builds a binary's (not read from a spec): a spec's source package
        # and a built one of the same file name and another epoch leave its version unknown.
        key = (srpm_file_name(name, version, release), False)
        if key in self._twice or self.found.setdefault(key, evr) == evr:
            return
        self._twice.add(key)
        del self.found[key]


STATUSES = frozenset(verdict.value for verdict in Verdict)


@dataclass(frozen=True)
class Regate:
    """The gate a report's facts are ruled with again when it is compared with an audit (`diff`,
    `scan --compare`): its --fail-on and --strict, and (for `diff`) no baseline.

    `diff` rules the side it audits with its own --fail-on and --strict, and no baseline; a report
    read as the other side was ruled as it was written, maybe under a baseline (`scan` reads
    ./.auditor-baseline.json by itself) or another --fail-on. The report of a release diffed with
    the audit of that very release read "blocking facts (per package) 0 -> 51" (the shipped
    example), and its statuses moved. A waiver's, a policy allow's and the taint severity's
    rulings are the report's to keep; a fact it did not gate was asked of no waiver, and is asked
    of the run's (`waive`), where it blocked though the audited side's same fact was waived."""

    gate: GateOptions
    every: bool
    """Whether the report was ruled under another --fail-on or --strict: then every fact whose
    ruling its kind decides is ruled again; else only those the baseline accepted."""
    baselined: bool = True
    """Whether what the report's baseline accepted is ruled again (the comparing run has none)."""
    waivers: WaiverIndex | None = None
    """The run's live waivers, asked of the facts the report did not gate (`waive`)."""
    unknown_reach: list[str] = field(default_factory=list)
    """The id of the first waiver with ``reaches`` that matched each taint and could not judge it
    (what a taint reaches is recorded only where the report gated it): it is not accepted, as
    where what a taint reaches is not known, and the run says so."""

    def waive(self, waiting: Waiting, sources: Mapping[tuple[str, bool], EVR]) -> tuple[FactRecord, ...]:
        """The facts of ``waiting``, each one the report did not gate and that blocks now
        unblocked when a waiver of this run accepts it: no waiver was asked of it when the report
        was written, and the same fact audited here would be waived. ``sources`` are the
        report's source packages, whose versions a waiver naming one reads, as `decide` does."""
        assert self.waivers is not None
        found = list(waiting.record.facts)
        for position, fact in waiting.asked:
            # As `decide` reads them: a waiver with `reaches` that cannot accept the fact is
            # passed over, and a later waiver without it may still accept it.
            scoped: Waiver | None = None
            for waiver in self.waivers.matching(fact, waiting.package, sources):
                if waiver.reaches is None:
                    found[position] = replace(found[position], blocks=False)
                    break
                scoped = scoped or waiver
            else:
                if scoped is not None:
                    self.unknown_reach.append(scoped.id)
        return tuple(found)

    def blocks(self, kind: str, disposition: Any, blocks: bool) -> bool:
        """Whether a fact of ``kind`` the report ruled ``disposition`` (``blocks`` as written) blocks."""
        again = ("blocks", "not-gated") if self.every else ()
        if not (disposition == "baselined" and self.baselined) and disposition not in again:
            return blocks
        if kind == "gap":
            return self.gate.strict
        return kind in STATUSES and Verdict(kind) in self.gate.fail_on


def regate(
    document: dict[str, Any], gate: GateOptions | None, baseline: bool, waivers: Sequence[Waiver]
) -> Regate | None:
    if gate is None:
        return None
    options = document["options"]
    written = (frozenset(str(status) for status in options["fail_on"]), boolean(options["strict"], "strict"))
    every = written != (frozenset(verdict.value for verdict in gate.fail_on), gate.strict)
    today, now = gate.moment()
    live = [waiver for waiver in waivers if not waiver.expires.passed(today, now)] if every else []
    return Regate(gate, every, baselined=not baseline, waivers=WaiverIndex(live) if live else None)


def report_package(item: dict[str, Any], evr: EVR) -> Package:
    """The report's package ``item`` as a waiver reads one: its name, arch, EVR and SOURCERPM."""
    sourcerpm = item.get("sourcerpm")
    kind = PackageKind.SOURCE if item.get("kind") == "source" else PackageKind.BINARY
    return Package(str(item["name"]), evr.epoch, str(item["version"]), str(item["release"]),
                   str(item["arch"]), kind, str(item.get("location", "")), str(item.get("input", "")),
                   str(sourcerpm) if sourcerpm is not None else None)  # fmt: skip


def boolean(value: Any, what: str) -> bool:
    if not isinstance(value, bool):  # bool("false") is True: a string would block
        raise TypeError(f"{what} is {type(value).__name__}, not a boolean")
    return value
