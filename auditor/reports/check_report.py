"""``auditor check``: only what the change does to the repository, fact by fact.

The verdict is the comparison's: the change fails when a fact blocks after it that did not
block before (`auditor.gate.progress.Comparison.newly_blocking`). Re-adding a package that is
already in the repository changes no fact, so it changes nothing. Inputs that could not be
read make the headline say so, whatever else happened; so does a check of nothing (a change
that brings no package, or a base that holds none), which fails as an audit of nothing does.
What the audit with the change could not see is said in every format, as ``scan`` says it;
under ``--strict`` a change fails when it adds evidence that was not seen (a new gap).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.audit.check import ChangeAudit
from auditor.audit.labels import read_from_spec
from auditor.audit.result import AuditResult
from auditor.core.errors import InputError
from auditor.core.pathtext import json_path_text
from auditor.gate.audit_side import side_of_audit
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.gate.packagechanges import Counterpart, counterpart, holds_new_fact, same_package
from auditor.gate.progress import Change, compare
from auditor.gate.sides import PackageRecord, Side, fact_key
from auditor.gate.waivers import Waiver
from auditor.reports import check_text
from auditor.reports.check_sides import BaseRecord, ChangedRecord, keep_base
from auditor.reports.checkview import CheckView
from auditor.reports.diff_report import fact_change_to_json
from auditor.reports.inert import json_text_inert
from auditor.reports.json_gate import completeness_to_json
from auditor.reports.view import package_rows
from auditor.rpm.model import Package


def render(view: CheckView, fmt: str) -> str:
    if fmt == "json":
        text = json.dumps(_document(view), indent=2, ensure_ascii=False) + "\n"
        # A file name that is not UTF-8 (a package's input) holds lone surrogates: written as
        # the scan's JSON writes them (``\\xff``), or the document would not be UTF-8 text.
        return json_text_inert(json_path_text(text))
    return check_text.text(view, markdown=fmt == "markdown")


def _counterpart(item: Counterpart, view: CheckView) -> dict[str, Any]:
    return {
        "nevra": item.after.nevra,
        "input": view.input(item.after),
        # Named as its row in the scan of BASE: of two copies of one NEVRA, which one.
        "compared_with": item.before.named if item.before is not None else None,
        "basis": item.basis.value,
        "before": item.before.status if item.before is not None else None,
        "after": item.after.status,
        "why": view.why(item.after),
    }


def _pair(pair: tuple[PackageRecord, PackageRecord], view: CheckView) -> dict[str, Any]:
    old, new = pair
    return {
        "nevra": new.nevra,
        "input": view.input(new),
        "before": old.status,
        "after": new.status,
        "why": view.why(new),
    }


def _document(view: CheckView) -> dict[str, Any]:
    comparison = view.comparison
    return {
        "tool": {"name": "auditor", "version": view.after.version},
        "command": "check",
        "headline": view.headline,
        "completeness": completeness_to_json(view.after.decision.completeness),
        "new": [_counterpart(item, view) for item in view.new],
        "regressions": [fact_change_to_json(item) for item in view.regressions],
        "facts": [
            fact_change_to_json(item) for item in comparison.changes if item.change is not Change.UNCHANGED
        ],
        "worse": [_pair(pair, view) for pair in view.worse],
        "better": [_pair(pair, view) for pair in view.better],
        "obsoletes": [{"package": a, "obsoletes": b, "status": s} for a, b, s in view.obsoletes],
        "no_longer_built": [{"nevra": a, "before": s, "source": b} for a, s, b in view.not_rebuilt],
        "blocking": {"before": comparison.blocking_before, "after": comparison.blocking_after},
        "errors": [{"input": e.source, "message": e.reason} for e in view.errors],
        "warnings": list(view.warnings),
        "exit_code": int(view.exit_code),
    }


def check_view(
    change: ChangeAudit[BaseRecord] | ChangeAudit[AuditResult],
    gate: GateOptions,
    waivers: Sequence[Waiver] = (),
) -> CheckView:
    """Decide both audits of a change with the same gate, and compare them fact by fact (BASE's
    as `keep_base` kept it, or kept it now)."""
    kept = change.before if isinstance(change.before, BaseRecord) else keep_base(gate, waivers)(change.before)
    after_decision = decide(change.after, gate, waivers)
    before = kept.side
    after = side_of_audit(change.after, after_decision)
    comparison = compare(before, after)
    # The (name, arch) of each package the change brings, whose BASE packages it replaced: a BASE
    # package of another arch stays, and may get worse (ocaml.noarch, rebuilt from the change's
    # ocaml SRPM, was left out of the list with every package of a name the change brings).
    brought_packages = [change.after.packages[index] for index in change.new]
    new_keys = {(package.name, package.arch) for package in brought_packages}
    # The records of the change's own packages, by package, not by NEVRA: a BASE source package
    # kept for the binaries still built from it (`audit_change`) shares the NEVRA of a spec's
    # and is not new, while a spec and the SRPM made of it, both given, are two new packages of
    # one NEVRA (the SRPM's origin row was dropped: "inc-1.0-1.src clean" beside a new blocking
    # fact of inc). `side_of_audit` lists each (name, arch)'s records in the results' order.
    brought = set(change.new)
    seen: dict[tuple[str, str], int] = {}
    new_records = []
    rows_of_new: dict[int, int] = {}
    for result in change.after.results:
        key = (result.package.name, result.package.arch)
        position = seen.get(key, 0)
        seen[key] = position + 1
        if result.index in brought:
            new_records.append(after.packages[key][position])
            rows_of_new[id(new_records[-1])] = result.index
    # A package is worse when it holds a new fact itself, not when another package of its name
    # does (alt.src, clean before and after, was listed beside alt.noarch).
    changed = comparison.new_by_fingerprint()
    fixed = comparison.fixed_keys()
    worse, better = [], []
    for key, records in after.packages.items():
        if key in new_keys:
            continue
        for record in records:
            old = same_package(before.packages.get(key, ()), record)  # of two copies, its own
            if old is None:
                continue
            if holds_new_fact(record, changed, old):
                worse.append((old, record))
            elif any(fact_key(fact, old.arch) in fixed for fact in old.facts):
                better.append((old, record))
    statuses = {result.index: result.verdict.value for result in change.after.results}
    obsoletes = tuple(
        (change.after.packages[new].nevra, change.after.packages[old].nevra, statuses[old])
        for new, old in change.obsoletes
        if old in statuses and after_decision.blocks(old)  # tainted by the gate's own measure
    )
    # A BASE binary the rebuild no longer makes: gone from the audit with the change, it is in no
    # list of packages, and what needed it shows unresolved; named here, with its status in BASE.
    not_rebuilt = tuple(
        sorted(
            (binary.nevra, _status_in(before, binary), source.nevra) for binary, source in change.not_rebuilt
        )
    )
    # Each error once, by what it says: BASE's are in both audits, as the same objects, or as
    # their copies when BASE's record came from the store (`auditor.cli.checkbase`).
    said: dict[tuple[str, str], InputError] = {}
    for error in (*kept.errors, *change.after.errors):
        said.setdefault((error.source, error.reason), error)
    errors = tuple(said.values())
    arches_of: dict[str, list[str]] = {}  # BASE's arches of each name, for `counterpart`
    for name, arch in before.packages:
        arches_of.setdefault(name, []).append(arch)
    # The rows `CheckView.why` may look at: every row of each NEVRA the report names.
    named = {(record.name, record.nevra) for record in new_records}
    named |= {(record.name, record.nevra) for pair in (*worse, *better) for record in pair}
    results = change.after.results
    shown = {result.index for result in results if (result.package.name, result.package.nevra) in named}
    new = tuple(
        counterpart(
            before,
            record,
            arches_of.get(record.name, ()),
            _copy_hint(change.after.packages[rows_of_new[id(record)]]),  # of two BASE copies, its own
        )
        for record in sorted(new_records, key=lambda r: r.nevra)
    )
    return CheckView(
        before=kept,
        after=ChangedRecord(after_decision, package_rows(change.after, after_decision, shown)),
        comparison=comparison,
        new=new,
        # counted with the change's own packages: "0 worse" beside app-2 gone clean -> unresolved
        # read as if nothing had got worse
        new_with_fact=sum(1 for item in new if holds_new_fact(item.after, changed, item.before)),
        worse=tuple(sorted(worse, key=lambda pair: pair[1].nevra)),
        better=tuple(sorted(better, key=lambda pair: pair[1].nevra)),
        obsoletes=obsoletes,
        not_rebuilt=not_rebuilt,
        errors=errors,
        brought=len(change.new),
        roots=bool(change.after.options.roots),
        rows_of_new=rows_of_new,
    )


def _copy_hint(package: Package) -> str:
    """What tells which of two BASE copies of its NEVRA a new package is compared with
    (`same_package`): its input, and a spec's mark, as a spec's row is named: a spec is compared
    with BASE's spec, not with the RPM built from it (the spec's source package was compared with
    the built SRPM, its binary with the spec's, by how the inputs' paths sorted)."""
    return f"{package.input} (spec)" if read_from_spec(package) else package.input


def _status_in(side: Side, package: Package) -> str:
    """``package``'s status in the audit ``side`` records, "(not audited)" when it has none
    (``--roots`` audits only what the roots install)."""
    records = side.packages.get((package.name, package.arch), ())
    return next((record.status for record in records if record.nevra == package.nevra), "(not audited)")
