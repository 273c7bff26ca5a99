"""What ``auditor check`` keeps of its two audits, for its report: of BASE's, the side of the
comparison and what the report says of BASE itself (`keep_base`, taken as soon as it is done,
so that the audit is let go before the one with the change runs); of the audit with the
change, the decision and the rows of the packages the report names (`ChangedRecord`).

A distribution's two audits alive at once, and a row for each of its packages, took the check
of one package against distro-60k to 521 MB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from auditor import __version__
from auditor.audit.result import AuditResult
from auditor.core.errors import InputError
from auditor.gate.audit_side import side_of_audit
from auditor.gate.decision import Decision, decide
from auditor.gate.options import GateOptions
from auditor.gate.sides import Side
from auditor.gate.waivers import Waiver
from auditor.reports.rows import PackageView, fact_view


@dataclass(frozen=True, slots=True)
class BaseGap:
    """Something BASE's audit could not see of its inputs, as its own report says it."""

    text: str
    blocks: bool


@dataclass(frozen=True)
class BaseRecord:
    """What the check keeps of the audit of BASE alone (`keep_base`): its side of the
    comparison, and what the report says of BASE itself. Data alone, so that a later check
    against the same BASE can take it from the store (`auditor.reports.check_base_json`)."""

    side: Side
    audited: int
    """The packages BASE's audit judged (none: no repository to check the change against)."""
    run_gaps: tuple[BaseGap, ...]
    """What BASE's audit could not see of its inputs, as its own report lists it."""
    errors: tuple[InputError, ...]


def keep_base(gate: GateOptions, waivers: Sequence[Waiver] = ()) -> Callable[[AuditResult], BaseRecord]:
    """What `audit_change` keeps of the audit of BASE: decided with the gate and waivers the
    audit with the change is decided with, and compared as `side_of_audit` records it."""

    def keep(audit: AuditResult) -> BaseRecord:
        decision = decide(audit, gate, waivers)
        unseen = (ruling for ruling in decision.rulings if ruling.fact.package is None and ruling.fact.gap)
        views = (fact_view(ruling, audit.packages) for ruling in unseen)
        run_gaps = tuple(BaseGap(view.text, view.blocks) for view in views)
        return BaseRecord(side_of_audit(audit, decision), len(audit.results), run_gaps, tuple(audit.errors))

    return keep


@dataclass(frozen=True)
class ChangedRecord:
    """What the check report shows of the audit with the change: its decision, and the rows of
    the packages it names (`CheckView.why`), not the tens of thousands of a distribution."""

    decision: Decision
    rows: tuple[PackageView, ...]
    """In the results' order: those of the change's packages, and every row of a NEVRA the
    report names (a NEVRA twice: `by_name` finds the first, as a whole report's would)."""
    version: str = __version__

    def row(self, index: int) -> PackageView | None:
        return self._by_index.get(index)

    @cached_property
    def _by_index(self) -> dict[int, PackageView]:
        return {row.index: row for row in self.rows}

    def by_name(self, name: str) -> tuple[PackageView, ...]:
        return self._by_name.get(name, ())

    @cached_property
    def _by_name(self) -> dict[str, tuple[PackageView, ...]]:
        """Each name's rows in their order: a report of each of 25,000 packages a change made
        worse looked at every row for each (185 s, scale63)."""
        found: dict[str, list[PackageView]] = {}
        for row in self.rows:
            found.setdefault(row.package.name, []).append(row)
        return {name: tuple(rows) for name, rows in found.items()}
