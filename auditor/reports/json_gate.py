"""The JSON report's account of the gate: whether the audit saw everything (``completeness``)
and the one decision on every fact (``gate``): which block, which a waiver or the baseline
accepted, and the waivers that expired or match nothing. `check` and `plan` write the same
``completeness`` object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.gate.decision import Completeness, Disposition
from auditor.reports.failures import stale_reason
from auditor.reports.jsonlines import LazyArray
from auditor.reports.view import ReportView


def completeness_to_json(completeness: Completeness) -> dict[str, Any]:
    """What an audit could not see, as the JSON report and ``auditor check`` write it."""
    return {
        "complete": completeness.complete,
        "summary": completeness.summary(),
        "reasons": [{"reason": reason, "count": count} for reason, count in completeness.reasons],
        "waived": completeness.waived,
    }


def gate_to_json(view: ReportView, *, stream: bool = False) -> dict[str, Any]:
    """The gate's decision; with ``stream``, its lists of facts are `LazyArray`: there is one
    a fact, and a waiver can cover every package's gaps."""
    decision = view.decision

    def fact(item: Any) -> dict[str, str]:
        return {"fingerprint": item.fact.fingerprint, "kind": item.fact.rule, "package": item.fact.subject,
                "capability": item.fact.capability, "text": item.fact.text}  # fmt: skip

    def waived_fact(item: Any) -> dict[str, str]:
        return {**fact(item), "waiver": item.waiver.id}

    def waiver(item: Any) -> dict[str, str]:
        return {"id": item.id, "package": item.package, "owner": item.owner, "reason": item.reason,
                "expires": item.expires.isoformat(), "source": item.source}  # fmt: skip

    def array(rulings: list[Any], encode: Callable[[Any], dict[str, str]]) -> Any:
        return LazyArray(lambda: map(encode, rulings)) if stream else list(map(encode, rulings))

    # One pass over the rulings (a distribution has one a package), most of which are none of these.
    blocks, baselined = Disposition.BLOCKS, Disposition.BASELINED
    blocking: list[Any] = []
    accepted: list[Any] = []
    waived: list[Any] = []
    for r in decision.rulings:
        if r.disposition is blocks:
            blocking.append(r)
        elif r.disposition is baselined:
            accepted.append(r)
        if r.waiver is not None:
            waived.append(r)
    return {
        "blocking": array(blocking, fact),
        "baselined": array(accepted, fact),
        "waived": array(waived, waived_fact),
        "fixed": [dict(entry) for entry in decision.fixed],
        "gone": [dict(entry) for entry in decision.gone],
        "superseded": [dict(entry) for entry in decision.superseded],
        "unused": [{**unused.entry, "ruled": list(unused.ruled)} for unused in decision.unused],
        "baseline": decision.baseline.path if decision.baseline is not None else None,
        "expired_waivers": [waiver(w) for w in decision.expired],
        # Why each accepted nothing, in the table's words: a waiver of a package gone is removed,
        # one an earlier waiver shadows or whose reaches no longer covers its taint is reviewed.
        "stale_waivers": [{**waiver(w), "why": stale_reason(decision, w)} for w in decision.stale],
        "stale_waivers_block": decision.options.stale_waivers_block,
    }
