"""The one view of an audit and its decision that every output renders.

`build_view` joins the audit's facts with the gate's rulings once; every format (table,
JSON, SARIF, JUnit, Markdown, HTML, DOT, GraphML) and every command reads only this view,
so they cannot disagree on what blocks, as osv-scanner's and pip-audit's formats read one
result model.

A package's *status* here is the summary a person sees first (its row: `auditor.reports.rows`):
the worst status among its facts that block, or, when none blocks, the worst its facts give it.
So a displayed status never hides a blocking fact: a package whose build is tainted (not
blocking by default) and that has a requirement nothing provides (blocking) shows ``unresolved``.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from auditor import __version__
from auditor.audit.facts import Fact, FactKind
from auditor.audit.labels import shared_nevras
from auditor.audit.locations import repositories_of
from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.core.errors import ExitCode, InputError
from auditor.deps.hops import Hop
from auditor.gate.decision import Decision, Disposition, Ruling
from auditor.gate.options import GateOptions
from auditor.net.urlpolicy import strip_userinfo
from auditor.origin.findings import Category, Finding, Verdict
from auditor.origin.policy import Policy
from auditor.reports.chains import Rests
from auditor.reports.failures import RunFailure, inputs_blocking, run_failures, stale_reason
from auditor.reports.rows import FactView, Gate, PackageView, fact_view, package_view, unaudited_evidence
from auditor.reports.text import plural
from auditor.rpm.model import Package
from auditor.sources.interface import InputSummary

if TYPE_CHECKING:  # named in annotations only: --compare alone imports it, to compare
    from auditor.gate.progress import Comparison


UNSEEN_PER_KIND = 3
"""Gaps of each kind the human formats name (`ReportView.unseen_examples`); the rest are counted."""


@dataclass(frozen=True)
class Headline:
    state: str
    """``passed``, ``blocking``, ``incomplete`` (passed, but evidence was not seen) or ``failed``
    (inputs could not be read, nothing was audited, or ``--strict`` and evidence was not seen)."""
    text: str


@dataclass(frozen=True)
class ReportView:
    options: AuditOptions
    policy: Policy
    decision: Decision
    packages: Sequence[Package]
    """Every package of the run, audited or not: chains name them by id."""
    rows: tuple[PackageView, ...]
    """Every audited package, by name, arch and NEVRA."""
    config: tuple[FactView, ...]
    """Configured repository URLs on policy hosts."""
    run_gaps: tuple[FactView, ...]
    """Evidence about the inputs that could not be seen."""
    inputs: Sequence[InputSummary]
    errors: Sequence[InputError]
    warnings: Sequence[str]
    run_failures: tuple[RunFailure, ...] = ()
    """Why the run fails apart from any fact (input errors are ``errors``)."""
    progress: Comparison | None = None
    """This audit compared fact by fact with an earlier report (``scan --compare``), when one was given."""
    version: str = __version__
    _audit: AuditResult | None = field(default=None, repr=False, compare=False)

    @property
    def gate_options(self) -> GateOptions:
        return self.decision.options

    @property
    def exit_code(self) -> ExitCode:
        return self.decision.exit_code

    @cached_property
    def flagged(self) -> list[PackageView]:
        """Packages with any status but clean, or a blocking fact: blocking, waived, the rest;
        then worst status first, then by name."""
        order = {Gate.BLOCKING: 0, Gate.WAIVED: 1, Gate.BASELINED: 2, Gate.NONE: 3}
        found = [row for row in self.rows if row.status is not Verdict.CLEAN or row.gate is not Gate.NONE]
        return sorted(found, key=lambda r: (order[r.gate], r.status.rank, r.package.name, r.package.nevra))

    @cached_property
    def blocking(self) -> list[PackageView]:
        return [row for row in self.rows if row.blocking]

    @cached_property
    def waived(self) -> list[PackageView]:
        return [row for row in self.rows if row.gate is Gate.WAIVED]

    def counts(self) -> dict[str, int]:
        """Audited packages per summary status."""
        counts = {verdict.value: 0 for verdict in Verdict}
        for row in self.rows:
            counts[row.status._value_] += 1  # no enum property call for each row
        return counts

    def gate_counts(self, status: Verdict) -> tuple[int, int]:
        """(blocking, waived) packages among those of ``status``."""
        members = [row for row in self.rows if row.status is status]
        return sum(1 for r in members if r.blocking), sum(1 for r in members if r.gate is Gate.WAIVED)

    def category_counts(self) -> dict[str, int]:
        """Audited packages with origin evidence (that taints) of each category."""
        counts = {category.value: 0 for category in Category}
        origin = FactKind.ORIGIN
        for row in self.rows:
            found: set[Category] | None = None  # a set only for a row with evidence: few have any
            for item in row.facts:
                fact = item.fact
                if fact.kind is origin and fact.taints and fact.category is not None:
                    if found is None:
                        found = set()
                    found.add(fact.category)
            for category in found or ():
                counts[category.value] += 1
        return counts

    def unseen_examples(self, per_kind: int = UNSEEN_PER_KIND) -> list[str]:
        """What the audit could not see, named: up to ``per_kind`` gaps of each kind (in the
        order `Completeness.reasons` counts them; the inputs' gaps before the packages'), each
        ``SUBJECT: GAP``, and a line for how many more of that kind there are. A report that
        only counts them sends its reader to another format to learn which file was missing."""
        shown: dict[str, list[str]] = {}
        left: dict[str, int] = {}
        rulings = sorted(
            (r for r in self.decision.rulings if r.fact.gap is not None),
            key=lambda r: r.fact.package is not None,
        )
        for ruling in rulings:
            fact, gap = ruling.fact, ruling.fact.gap
            assert gap is not None
            kind = gap.kind.value
            lines = shown.setdefault(kind, [])
            if len(lines) == per_kind:
                left[kind] = left.get(kind, 0) + gap.count
                continue
            subject = f"{self.name_of(fact.package)}: " if fact.package is not None else ""
            waived = " (accepted by a waiver)" if ruling.disposition is Disposition.WAIVED else ""
            lines.append(f"not seen: {subject}{gap}{waived}")
        examples: list[str] = []
        for kind, _ in self.decision.completeness.reasons:
            examples.extend(shown.get(kind, ()))
            if left.get(kind):
                examples.append(f"... and {left[kind]} more {kind} (the JSON report lists them all)")
        return examples

    @cached_property
    def blocking_config(self) -> list[FactView]:
        return [item for item in self.config if item.blocks]

    @cached_property
    def headline(self) -> Headline:
        decision = self.decision
        completeness = decision.completeness
        code = decision.exit_code
        blocking = len(self.blocking) + len(self.blocking_config)
        if code is ExitCode.INPUT:
            why = []
            if decision.errors:
                why.append(f"{decision.errors} input(s) could not be read")
            if decision.nothing_audited:
                why.append("no package was audited")
            if completeness.reasons and any(r.fact.kind is FactKind.GAP for r in decision.blocking):
                why.append("evidence was not seen and --strict is set")
            # What the inputs that were read give blocks too: fixing the input alone would not pass.
            # A package blocking only by a gap under --strict is the line before's, not another.
            found = sum(
                1
                for row in self.blocking
                if any(i.blocks and i.fact.kind is not FactKind.GAP for i in row.facts)
            ) + len(self.blocking_config)
            if found and found < blocking:
                # The counts beside the headline count those the gaps block too: both said, so
                # that no reader of one comment sees two numbers of blocking packages unexplained.
                why.append(f"{found} blocking by their findings ({blocking} with the gaps --strict blocks)")
            elif found:
                why.append(f"{found} blocking")
            if decision.stale_blocks:
                why.append("stale waivers block")
            return Headline("failed", "failed: " + "; ".join(why))
        if code is ExitCode.FINDINGS:
            # Both when both: fixing the blocking facts alone would not pass the run.
            said = [f"{blocking} blocking"] if blocking else []
            said += ["stale waivers block"] if decision.stale_blocks else []
            return Headline("blocking", ", and ".join(said))
        if not completeness.complete:
            return Headline("incomplete", "passed, but incomplete: some evidence was not seen")
        return Headline("passed", "passed")

    def summary_line(self) -> str:
        counts = self.counts()
        parts = [f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value]]
        text = f"{plural(len(self.rows), 'package')} audited: " + (", ".join(parts) or "none")
        if self.config:
            text += f"; {len(self.config)} configured repository URL(s) on policy hosts"
        blocking = len(self.blocking) + len(self.blocking_config)
        # Stale waivers and input gaps --strict blocks fail a run no package blocks: never "nothing blocking".
        said = [f"{blocking} blocking"] if blocking else []
        said += [unseen] if (unseen := inputs_blocking(self.run_gaps)) else []
        said += ["stale waivers block"] if self.decision.stale_blocks else []
        text += "; " + (", and ".join(said) or "nothing blocking")
        if self.waived:
            text += f", {len(self.waived)} waived"
        completeness = self.decision.completeness
        if not completeness.complete:
            text += f"; {completeness.summary()}"
        return text

    def gate_lines(self) -> list[str]:
        """What waivers and the baseline did, in words: `gate_notes`, then `gate_fact_lines`."""
        return [*self.gate_notes(), *self.gate_fact_lines()]

    def gate_notes(self) -> list[str]:
        """What the waiver files and the baseline did as a whole: expired and stale waivers
        (which may block the run) and the baseline's counts; one line a waiver at most, so a
        format shows every one."""
        decision = self.decision
        lines = [
            f"expired waiver {waiver.id} ({waiver.package}, expired {waiver.expires}): no longer waives"
            for waiver in decision.expired
        ]
        for waiver in decision.stale:
            blocks = " (blocking)" if decision.options.stale_waivers_block else ""
            lines.append(
                f"stale waiver {waiver.id} ({waiver.package}): {stale_reason(decision, waiver)}{blocks}"
            )
        if decision.baseline is not None:
            baselined = decision.count(Disposition.BASELINED)
            new = sum(1 for ruling in decision.blocking if ruling.fact.kind is not FactKind.GAP)
            unused = f", {len(decision.unused)} accepting nothing" if decision.unused else ""
            superseded = (
                f", {len(decision.superseded)} superseded by a new taint" if decision.superseded else ""
            )
            lines.append(
                f"baseline: {baselined} accepted, {new} new, {len(decision.fixed)} fixed, "
                f"{len(decision.gone)} gone with their package or no longer seen{superseded}{unused}"
            )
        return lines

    def gate_fact_lines(self) -> list[str]:
        """One line a fact a waiver accepted, or fixed or gone since the baseline, and one a baseline
        entry accepting nothing: none of them blocks, and there can be thousands (a format that
        lists some says how many it left)."""
        return list(self.each_gate_fact_line())

    def each_gate_fact_line(self) -> Iterator[str]:
        """`gate_fact_lines`, one at a time: a waiver of every gap of a distribution makes 120,000."""
        decision = self.decision
        for ruling in decision.rulings:
            if ruling.disposition is Disposition.WAIVED and ruling.waiver is not None:
                waiver = ruling.waiver
                # By NEVRA (a source package and its binaries share a name, and their lines were
                # the same line twice), with its input where another audited package has it.
                fact = ruling.fact
                who = fact.subject if fact.package is None else self.name_of(fact.package)
                until = f"(waiver {waiver.id}, {waiver.owner}, until {waiver.expires})"
                yield f"waived: {who}: {fact.text} {until}"
        for said, entries in (
            ("fixed", decision.fixed),
            ("gone", decision.gone),
            ("superseded by a new taint (not a fix)", decision.superseded),
        ):
            for entry in entries:
                yield f"{said} since the baseline: {entry['package']}: {entry['kind']} {entry['capability']}"
        yield from (unused.line for unused in decision.unused)

    def by_name(self, name: str) -> list[PackageView]:
        return [row for row in self.rows if row.package.name == name]

    def row(self, index: int) -> PackageView | None:
        return self._rows_by_index.get(index)

    def name_of(self, index: int) -> str:
        """A package as a list names it: its row's label when another audited package has its
        NEVRA (a vendor's copy and a rebuild's: the bare NEVRA reads as the verdict on both), else
        its NEVRA."""
        row = self.row(index)
        return (
            row.label
            if row is not None and row.package.nevra in row.shared_nevras
            else self.packages[index].nevra
        )

    @cached_property
    def _rows_by_index(self) -> dict[int, PackageView]:
        return {row.index: row for row in self.rows}

    @cached_property
    def chain_rests(self) -> Rests:
        """The hops the rows' shortened chains leave out, each once (`auditor.reports.chains`)."""
        return Rests(row.chain for row in self.rows)

    def chain_evidence(self, chain: Sequence[Hop], category: Category | None = None) -> FactView | None:
        """The first tainting evidence of the package a chain ends at (of ``category`` when it has some)."""
        if not chain:
            return None
        end = self.row(target := chain[-1].target)
        if end is None:
            return unaudited_evidence(target, self.packages, self.unaudited_findings(target), category)
        evidence = [item for item in end.of_kind(FactKind.ORIGIN) if item.fact.taints]
        return next((item for item in evidence if item.fact.category is category), None) or next(
            iter(evidence), None
        )

    def unaudited_findings(self, index: int) -> Sequence[Finding]:
        """What the policy found on a package that has no row (a context package); none without the audit."""
        return self._audit.findings.get(index, ()) if self._audit is not None else ()

    def row_evidence(self, row: PackageView) -> FactView | None:
        """`chain_evidence` of the chain a row shows, of that chain's category."""
        return self.chain_evidence(row.chain, row.chain_category)

    def reaches(self, fact: Fact) -> frozenset[str] | None:
        """Every origin package a taint reaches (`auditor.audit.reach`); None for another fact,
        or a view built without its audit."""
        return self._audit.origin_reach.names(fact) if self._audit is not None else None

    @property
    def audit(self) -> AuditResult:
        """The audit behind the view, for the analyses a format draws on (the graph)."""
        assert self._audit is not None
        return self._audit


def _without_credentials(options: AuditOptions) -> AuditOptions:
    """The options as reports show them: a ``user:password@`` written in an input's URL is
    never sent, and never reported either (reports are published as CI artefacts)."""
    return replace(
        options,
        targets=_shown_inputs(options.targets),
        context=_shown_inputs(options.context),
        sources=_shown_inputs(options.sources),
    )


def _shown_inputs(inputs: Sequence[str]) -> tuple[str, ...]:
    """URLs without their credentials; a local path as it is (``//a@b/repo`` is a path: a URL
    parser would take ``a@`` for a user name)."""
    return tuple(strip_userinfo(item) if "://" in item else item for item in inputs)


def package_rows(
    audit: AuditResult, decision: Decision, wanted: Container[int] | None = None
) -> tuple[PackageView, ...]:
    """The row of each package of ``audit`` (of each whose id is ``wanted``, when given), in the
    results' order: every one a report lists, or the few a check shows."""
    repositories = frozenset(repositories_of(audit.inputs))
    shared, within = shared_nevras(audit.results)
    packages, by_package = audit.packages, decision.by_package
    return tuple(
        [
            package_view(
                result,
                (found,) if isinstance(found, Ruling) else found,
                packages,
                repositories,
                shared,
                within,
            )
            for result in audit.results
            if wanted is None or result.index in wanted
            # `Decision.for_package`, without a call for each package of a distribution
            for found in (by_package.get(result.index, ()),)
        ]
    )


def build_view(audit: AuditResult, decision: Decision, progress: Comparison | None = None) -> ReportView:
    rows = package_rows(audit, decision)
    run_rulings = [ruling for ruling in decision.rulings if ruling.fact.package is None]
    return ReportView(
        options=_without_credentials(audit.options),
        policy=audit.policy,
        decision=decision,
        packages=audit.packages,
        rows=rows,
        config=tuple(fact_view(r, audit.packages) for r in run_rulings if r.fact.config is not None),
        run_gaps=tuple(fact_view(r, audit.packages) for r in run_rulings if r.fact.gap is not None),
        inputs=audit.inputs,
        errors=audit.errors,
        warnings=audit.warnings,
        run_failures=run_failures(decision),
        progress=progress,
        _audit=audit,
    )
