"""``auditor check``'s one view model (`CheckView`): what the change does, fact by fact, and the
verdict every format of the check report renders (`auditor.reports.check_report` makes it,
`auditor.reports.check_text` and the JSON render it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from auditor.audit.facts import FactKind
from auditor.core.errors import ExitCode, InputError
from auditor.gate.packagechanges import Counterpart
from auditor.gate.progress import Change, Comparison, FactChange
from auditor.gate.sides import PackageRecord
from auditor.reports.check_sides import BaseGap, BaseRecord, ChangedRecord
from auditor.reports.rows import PackageView


@dataclass(frozen=True)
class CheckView:
    before: BaseRecord
    after: ChangedRecord
    comparison: Comparison
    new: tuple[Counterpart, ...]
    """The change's packages, each with the BASE package it is compared with."""
    worse: tuple[tuple[PackageRecord, PackageRecord], ...]
    """BASE packages (not replaced) with a fact that is new after the change."""
    better: tuple[tuple[PackageRecord, PackageRecord], ...]
    obsoletes: tuple[tuple[str, str, str], ...]
    """(new package, tainted BASE package it obsoletes, that package's status)."""
    errors: tuple[InputError, ...]
    brought: int
    """Packages NEW gave, audited or not (``--roots`` audits only what the roots install)."""
    roots: bool = False
    """Whether ``--roots`` chose what is audited: a change outside what they install is no news."""
    warnings: tuple[str, ...] = ()
    """What the comparison warns of (a NEW package older than BASE's), as the command says it on
    standard error."""
    not_rebuilt: tuple[tuple[str, str, str], ...] = ()
    """(BASE binary, its status in BASE, the change's source package): a binary the spec of a
    source RPM given alone no longer builds, gone after the rebuild (`ChangeAudit.not_rebuilt`)."""
    new_with_fact: int = 0
    """How many of ``new`` hold a fact that is new after the change (`holds_new_fact`)."""
    rows_of_new: Mapping[int, int] = field(default_factory=dict)
    """``id`` of a new package's record (in ``new``) -> the index of its row in ``after``: two
    new packages may share a NEVRA (a spec and the SRPM made of it), each has its own why."""

    @property
    def regressions(self) -> list[FactChange]:
        return self.comparison.newly_blocking

    @property
    def nothing_to_check(self) -> str:
        """Why the check has nothing to compare (empty when it has): a change that brings no
        package, or a base that holds none, is an audit of nothing, which never passes."""
        if not self.brought:
            return "the change holds no package (NEW gave nothing to audit)"
        if not self.new and not self.roots:
            # None of NEW's packages is one a host of --arch installs: nothing of the change was
            # audited, as `scan` of the same inputs audits nothing and fails (no roots to explain it).
            count = self.brought
            return f"none of the {count} package(s) of the change was audited (not for the --arch given)"
        if not self.before.audited:
            return "BASE holds no package: there is no repository to check the change against"
        return ""

    @property
    def unseen_blocks(self) -> list[FactChange]:
        """The regressions that are evidence not seen (gaps, blocking under --strict)."""
        return [item for item in self.regressions if item.fact.kind == FactKind.GAP.value]

    @property
    def base_unread(self) -> list[BaseGap]:
        """What the audit of BASE alone could not see of its inputs (an input holding nothing, a
        repository not read), when that blocks (--strict): no repository to check the change
        against, as `scan --strict` of BASE fails. A mistyped path among several BASE paths
        passed, the gap being BASE's on both sides and so no news."""
        return [item for item in self.before.run_gaps if item.blocks]

    @property
    def unseen_new(self) -> list[FactChange]:
        """New gaps that do not block (without --strict): evidence the change brings, not seen."""
        return [
            item
            for item in self.comparison.changes
            if item.change is Change.NEW and item.fact.kind == FactKind.GAP.value and not item.blocks_after
        ]

    @property
    def exit_code(self) -> ExitCode:
        if self.errors or self.nothing_to_check or self.unseen_blocks or self.base_unread:
            return ExitCode.INPUT
        return ExitCode.FINDINGS if self.regressions else ExitCode.PASSED

    @property
    def incomplete(self) -> str:
        """What the audit of the repository with the change could not see (`Completeness.summary`),
        empty when it saw everything: a check that passes says it, as every scan does."""
        return self.after.decision.completeness.summary()

    @property
    def headline(self) -> str:
        return self.headline_with(lambda texts: "; ".join(texts))

    def headline_with(self, listed: Callable[[list[str]], str]) -> str:
        """The headline, with what BASE could not see given by ``listed`` (the distinct gap
        texts, from repository configuration: the Markdown comment bounds and quotes them)."""
        findings = len(self.regressions) - len(self.unseen_blocks)
        if self.errors:
            text = f"failed: {len(self.errors)} input(s) could not be read, the check is incomplete"
            return text + (f"; and {findings} new blocking fact(s)" if findings else "")
        if self.nothing_to_check:
            return f"failed: {self.nothing_to_check}"
        if self.base_unread:
            said = listed(list(dict.fromkeys(fact.text for fact in self.base_unread)))
            return f"failed: BASE was not read whole and --strict is set ({said})"
        if self.unseen_blocks:
            text = f"failed: evidence was not seen and --strict is set ({len(self.unseen_blocks)} new gap(s))"
            return text + (f"; and {findings} new blocking fact(s)" if findings else "")
        if self.regressions:
            # A change that blocks may also be one the audit could not see whole: the table and
            # the Markdown comment say it, as the JSON's completeness and standard error do.
            unseen = f"; and the audit is {self.incomplete}" if self.incomplete else ""
            return f"this change makes things worse: {findings} new blocking fact(s){unseen}"
        outside = "" if self.new else " (the change is outside what the roots install)"
        if self.incomplete:
            return f"nothing gets worse{outside}, but the audit is {self.incomplete}"
        return f"nothing gets worse{outside}"

    def why(self, record: PackageRecord, width: int | None = None) -> str:
        """The why of the package ``record`` names, after the change (by NEVRA: a source package
        and its binaries share a name), in about ``width`` characters when given (`short_why`)."""
        row = self._row(record)
        if row is None:
            return ""
        return row.why if width is None else row.short_why(width)

    def name(self, record: PackageRecord) -> str:
        """The package ``record`` names as its row does in ``scan``: its NEVRA, with its file or
        input when another package of the audit with the change has that NEVRA (a vendor's spec
        and a rebuild's, both in the change, were two rows ``fw-1.0-1.noarch``, origin and
        clean, that nothing told apart)."""
        row = self._row(record)
        return row.label if row is not None and record.nevra in row.shared_nevras else record.nevra

    def input(self, record: PackageRecord) -> str | None:
        """The input the package ``record`` names was read from, after the change."""
        row = self._row(record)
        return row.package.input if row is not None else None

    def _row(self, record: PackageRecord) -> PackageView | None:
        own = self.rows_of_new.get(id(record))
        found = self.after.row(own) if own is not None else None
        if found is not None:
            return found
        rows = (row for row in self.after.by_name(record.name) if row.package.nevra == record.nevra)
        return next(rows, None)
