"""The flagged packages grouped by cause: the origin source package each one's chain ends at.

Three hundred flagged rows usually come from twenty origin source packages: a row's *cause*
is the origin package at the end of its chain (`PackageView.chain`), or the row itself for
an origin package, and rows are grouped by that package's source package name. Rows with no
origin behind them (requirements nothing provides, evidence not seen) have groups of their
own. The table and the graph formats read the same groups. ``flagged through`` counts the
rows whose shortest chain ends in the group. It is not what replacing the source would
clear (a row may have other chains to other origins): `auditor plan` computes that, and
calls it "holds back"; this module never uses those words, so the two never disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.origin.findings import Verdict
from auditor.reports.rows import Gate, PackageView
from auditor.reports.view import ReportView
from auditor.rpm.model import Package


class CauseKind(enum.Enum):
    ORIGIN = "origin"
    """Rows whose chain ends at (or which are) origin packages of one source package."""
    UNRESOLVED = "unresolved"
    """Rows with requirements nothing provides and no origin behind their status."""
    OTHER = "other"
    """Rows flagged for another fact (evidence not seen, a fact the gate accepted)."""


@dataclass(frozen=True)
class CauseGroup:
    kind: CauseKind
    source: str
    """The origin source package's name (empty for the other kinds)."""
    rows: tuple[PackageView, ...]
    """In the view's order: blocking first, then worst status, then by name."""
    origins: tuple[int, ...]
    """The package ids of the group's origin packages (audited or not) that chains end at."""

    @property
    def flagged_through(self) -> int:
        """Rows held back through a chain (the origin packages themselves not counted)."""
        return sum(1 for row in self.rows if row.status is not Verdict.ORIGIN)

    @property
    def blocking(self) -> int:
        return sum(1 for row in self.rows if row.gate is Gate.BLOCKING)

    def title(self) -> str:
        """The group in words, one line."""
        count = len(self.rows)
        if self.kind is CauseKind.UNRESOLVED:
            return f"requirements nothing provides: {count} package(s)"
        if self.kind is CauseKind.OTHER:
            return f"other facts: {count} package(s)"
        own = count - self.flagged_through
        return (
            f"origin source {self.source}: {own} origin package(s), {self.flagged_through} flagged through it"
        )


def cause_of(row: PackageView, packages: Sequence[Package]) -> tuple[CauseKind, int | None]:
    """The kind of a row's cause and the origin package it is (None for the other kinds)."""
    if row.status is Verdict.ORIGIN:
        return CauseKind.ORIGIN, row.index
    if row.chain:
        return CauseKind.ORIGIN, row.chain[-1].target
    if row.status is Verdict.UNRESOLVED:
        return CauseKind.UNRESOLVED, None
    return CauseKind.OTHER, None


def source_of(package: Package) -> str:
    return package.source_name or package.name


def cause_groups(view: ReportView) -> list[CauseGroup]:
    """The flagged rows by cause: the groups holding a row that blocks first (one blocking
    package among thousands a waiver accepted must not sit in the middle of the table), then
    origin groups with most flagged through them, then the others."""
    members: dict[tuple[CauseKind, str], list[PackageView]] = {}
    origins: dict[tuple[CauseKind, str], dict[int, None]] = {}
    packages = view.packages
    for row in view.flagged:
        kind, origin = cause_of(row, packages)
        key = (kind, source_of(packages[origin]) if origin is not None else "")
        members.setdefault(key, []).append(row)
        if origin is not None:
            origins.setdefault(key, {})[origin] = None
    groups = [
        CauseGroup(kind, source, tuple(rows), tuple(origins.get((kind, source), {})))
        for (kind, source), rows in members.items()
    ]
    order = {CauseKind.ORIGIN: 0, CauseKind.UNRESOLVED: 1, CauseKind.OTHER: 2}
    return sorted(
        groups, key=lambda g: (g.blocking == 0, order[g.kind], -g.flagged_through, -len(g.rows), g.source)
    )
