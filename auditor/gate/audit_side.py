"""A side of a comparison (`auditor.gate.progress`) made from an audit and its decision: each
package's facts as the comparison reads them, with the line the JSON report writes of each
(`auditor.audit.facttext`), so that a side read back from that report is the same side.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from auditor.audit.facts import Fact
from auditor.audit.facttext import fact_text
from auditor.audit.labels import read_from_spec, shared_labels
from auditor.audit.result import AuditResult
from auditor.gate.decision import Decision, records_reach, shown_status
from auditor.gate.sides import TAINTS, FactRecord, PackageRecord, Side, reach_of_records
from auditor.gate.superseded import origin_names


def side_of_audit(audit: AuditResult, decision: Decision) -> Side:
    blocks = {id(ruling.fact): ruling.blocks for ruling in decision.rulings}
    compared = {id(ruling.fact) for ruling in decision.rulings if records_reach(ruling)}
    # What each taint reaches is computed now, while the audit's graph is at hand (a fraction
    # of a second on a distribution): a side keeps no audit alive.
    reach = audit.origin_reach.names
    # Each fact's text is the line the JSON report writes of it: a side read from that report
    # printed the first hop of a taint's chain, and where an origin finding was inherited from,
    # and one made from the audit did not (red team 48: two diffs of one release disagreed).
    texts = functools.partial(fact_text, packages=audit.packages)
    labels = shared_labels(audit)
    packages: dict[tuple[str, str], list[PackageRecord]] = {}
    for result in audit.results:
        package = result.package
        facts = tuple(
            _record(fact, texts, blocks.get(id(fact), False), reach if id(fact) in compared else None)
            for fact in result.facts
        )
        statuses = tuple(verdict.value for verdict in result.statuses)
        label = labels.get(result.index, "")
        if not label and read_from_spec(package):
            label = f"{package.nevra} (spec)"
        # The status the reports show (a JSON report read back as a side records that one).
        status = shown_status(result, decision.for_package(result.index)).value
        packages.setdefault((package.name, package.arch), []).append(
            PackageRecord(
                package.name,
                package.arch,
                package.nevra,
                package.evr,
                status,
                statuses,
                facts,
                # A spec's row named as the JSON report names it: a lone spec row had no label and
                # was compared with the built RPM of its NEVRA (redteam61: "got better: clean ->
                # origin" of a package that only the spec's copy of had ever been origin).
                label,
            )
        )
    run_facts = tuple(_record(fact, texts, blocks.get(id(fact), False)) for fact in audit.run_facts)
    return Side(
        {key: tuple(records) for key, records in packages.items()},
        frozenset(package.name for package in audit.packages),
        run_facts,
        len(decision.blocking),
        decision.completeness.summary(),
        reach_of_records(packages),
        sum(count for _reason, count in decision.completeness.reasons) - decision.completeness.waived,
        origin_names(audit.findings, audit.packages),
    )


def _record(
    fact: Fact,
    text: Callable[[Fact], str],
    blocks: bool,
    reach: Callable[[Fact], frozenset[str] | None] | None = None,
) -> FactRecord:
    kind = fact.kind.value
    # As a JSON report records it: where it blocks, or the baseline or a waiver with `reaches`
    # accepted it (`records_reach`).
    reaches = reach(fact) if reach is not None and kind in TAINTS else None
    return FactRecord(
        fact.fingerprint,
        kind,
        fact.rule,
        fact.subject,
        fact.capability,
        text(fact),
        blocks,
        fact.ends_at,
        reaches,
    )
