"""How many results a SARIF run lists, and the results that count the facts it leaves out.

GitHub code scanning rejects a run of more than 25,000 results and shows only the 5,000 most
severe of an accepted one; a distribution read from its metadata alone has two gaps per
package (151,584 facts on distro-60k). So a run lists at most so many results
(`auditor.reports.sarif_limits.MAX_RESULTS` by default): the facts that matter first (`rank`),
and one summary result for each rule with facts left out, that counts them, as severe as the
worst of them: nothing is dropped without a count, and the JSON report lists every fact. A
bound below the number of rules with facts is kept too: no fact is listed, the rules whose
facts matter most get a summary each, and the facts of the others are counted in the run's
properties and its notification (and, by the command line, on standard error) alone.

A run within the bound is the run it always was, in the same bytes.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.audit.facts import FactKind
from auditor.gate.decision import Disposition
from auditor.reports.rows import FactView, PackageView
from auditor.reports.sarif_limits import GITHUB_MAX_RESULTS, GITHUB_SHOWN_RESULTS
from auditor.reports.sarif_rules import STATUS_RULES, fact_level, fact_rule
from auditor.reports.text import sarif_text
from auditor.reports.view import ReportView

SUMMARY_FINGERPRINT = "auditorSummary/v1"
"""A summary result's fingerprint: its rule, so its alert stays one alert from run to run."""

_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}
_ACCEPTED = (Disposition.ALLOWED, Disposition.WAIVED, Disposition.BASELINED)


@dataclass(frozen=True, slots=True)
class Entry:
    """One fact a result may list: a package's (``row``), or a configured URL's (no row)."""

    row: PackageView | None
    item: FactView
    rule: str
    level: str


@dataclass(frozen=True)
class Listing:
    """The facts a run lists, in rank order, and those of each rule it leaves out."""

    listed: Sequence[Entry]
    left_out: dict[str, list[Entry]]
    """Rule -> its facts not listed, in rank order; rules in the order their first one ranks."""
    totals: dict[str, int]
    """Rule -> its facts, listed or not."""
    max_results: int
    summarised: int
    """How many rules of `left_out`, the first ones, get a summary result: all of them, unless
    they outnumber ``max_results``."""

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def summaries(self) -> dict[str, list[Entry]]:
        """The rules with facts left out that get a summary result, with those facts."""
        return dict(itertools.islice(self.left_out.items(), self.summarised))

    def not_summarised(self) -> dict[str, list[Entry]]:
        """The rules with facts left out that get no result at all: the bound had no room."""
        return dict(itertools.islice(self.left_out.items(), self.summarised, None))


def entries(view: ReportView) -> list[Entry]:
    """Every fact of the run, in the report's order: the packages', then the configured URLs'."""
    found: list[Entry] = []
    for row in [*view.rows, None]:
        for item in row.facts if row is not None else view.config:
            rule, severity = fact_rule(item)
            found.append(Entry(row, item, rule, fact_level(item, severity)))
    return found


def fact_count(view: ReportView) -> int:
    return sum(len(row.facts) for row in view.rows) + len(view.config)


_TAINT_KINDS = frozenset({FactKind.DEPENDS, FactKind.MAY_DEPEND, FactKind.BUILD_DEPENDS})
"""The facts another package's evidence causes (`rank` lists that evidence first)."""


def rank(found: Sequence[Entry]) -> list[Entry]:
    """The facts, those that block first, then those no waiver, baseline or policy allow
    accepted, then by level, then the gaps of a kind few packages have before those of a kind
    many have, then the evidence and unresolved requirements before the taints they cause (a
    thousand packages depending on ten Citrix ones: the ten facts behind them are what to fix,
    and were left out in favour of the first thousand taints); within each of these, a
    package's first fact before any package's second (a
    spec's 200 subpackages with 200 findings each get an alert each, not 25 of them all
    theirs), then in the report's order. A gap of a kind (almost) every package has, such as
    a binary's source package not among the inputs, says once per package what the run's
    notification says once (`auditor/incomplete`): of the facts nothing accepted, it is the
    first left out."""
    holders: dict[str, set[int]] = {}
    for entry in found:
        gap = entry.item.fact.gap
        if gap is not None and entry.row is not None:
            holders.setdefault(gap.kind.value, set()).add(entry.row.index)
    spread = {kind: len(rows) for kind, rows in holders.items()}
    widest = max(spread.values(), default=0) + 1
    # (blocks, accepted, level, spread) as one number, then the fact's place among its
    # package's facts of the same number, then its position: one int per fact to sort, the
    # rest in arrays (tuples, or a key function's list, cost distro-60k's 151,584 facts 10-20 MB).
    classes = array("q")
    for entry in found:
        item = entry.item
        gap = item.fact.gap
        first = (0 if item.blocks else 2) + (1 if item.disposition in _ACCEPTED else 0)
        level = first * 4 + _LEVEL_RANK[entry.level]
        spreads = level * widest + (spread.get(gap.kind.value, 0) if gap else 0)
        classes.append(spreads * 2 + (item.fact.kind in _TAINT_KINDS))
    places = array("q")
    row: object = object()  # no package yet
    counts: dict[int, int] = {}
    for entry, number in zip(found, classes, strict=True):
        if entry.row is not row:  # a package's facts are next to each other
            row, counts = entry.row, {}
        places.append(counts.get(number, 0))
        counts[number] = places[-1] + 1
    deepest = max(places, default=0) + 1
    total = len(found)
    order = sorted(
        (number * deepest + place) * total + position
        for position, (number, place) in enumerate(zip(classes, places, strict=True))
    )
    return [found[key % total] for key in order]


def listing(found: Sequence[Entry], max_results: int) -> Listing:
    """The most facts, in rank order, that fit in ``max_results`` results together with one
    summary result per rule of the facts left out. Should the rules with facts outnumber
    ``max_results``, the run is the summaries of the ``max_results`` rules whose first facts
    rank first, and the others' facts are counted in the run's properties alone: the bound is
    what code scanning is told to take, and a run of more results than it may be rejected."""
    ranked = rank(found)
    # rules_after[k]: the rules of ranked[k:], each of which needs a summary if listing stops at k.
    rules_after = [0] * (len(ranked) + 1)
    seen: set[str] = set()
    for position in range(len(ranked) - 1, -1, -1):
        seen.add(ranked[position].rule)
        rules_after[position] = len(seen)
    # k + rules_after[k] never decreases as k grows: the last k that fits is the one.
    count = 0
    for position in range(len(ranked) + 1):
        if position + rules_after[position] <= max_results:
            count = position
    left_out: dict[str, list[Entry]] = {}
    for entry in ranked[count:]:
        left_out.setdefault(entry.rule, []).append(entry)
    totals = Counter(entry.rule for entry in found)
    summarised = min(len(left_out), max_results - count)
    return Listing(ranked[:count], left_out, dict(sorted(totals.items())), max_results, summarised)


def summary_properties(listing: Listing) -> dict[str, Any]:
    """The run's ``resultsListed`` property: the bound, and each rule's facts listed and in all."""
    left = {rule: len(entries) for rule, entries in listing.left_out.items()}
    properties: dict[str, Any] = {
        "maxResults": listing.max_results,
        "listed": len(listing.listed),
        "total": listing.total,
        "rules": {
            rule: {"listed": total - left.get(rule, 0), "total": total}
            for rule, total in listing.totals.items()
        },
    }
    unsummarised = listing.not_summarised()
    if unsummarised:
        properties["notSummarised"] = {
            "facts": sum(map(len, unsummarised.values())),
            "blocking": sum(entry.item.blocks for entries in unsummarised.values() for entry in entries),
            "rules": {rule: len(entries) for rule, entries in unsummarised.items()},
        }
    return properties


def notification(listing: Listing) -> dict[str, Any]:
    left = listing.total - len(listing.listed)
    counted = "a summary result of each rule counts those it left out"
    unsummarised = listing.not_summarised()
    if unsummarised:
        counted = (
            f"a summary result counts those of each of the {listing.summarised} rules whose facts "
            f"matter most, and {not_summarised_text(listing)}"
        )
    return {
        "level": "warning",
        "message": {
            "text": f"{left} of {listing.total} facts are not listed as results (a run lists at most "
            f"{listing.max_results}; code scanning rejects one of more than {GITHUB_MAX_RESULTS} and "
            f"shows {GITHUB_SHOWN_RESULTS}): {counted}; the JSON report lists every one"
        },
        "descriptor": {"id": "auditor/results-not-listed"},
    }


def not_summarised_text(listing: Listing) -> str:
    """What the run says of the facts that got no result at all, in its notification and on
    standard error: how many, of how many rules, and where they are counted."""
    unsummarised = listing.not_summarised()
    facts = [entry for entries in unsummarised.values() for entry in entries]
    blocking = sum(entry.item.blocks for entry in facts)
    return (
        f"the {len(facts)} facts ({blocking} blocking) of {len(unsummarised)} more rules "
        f"({', '.join(unsummarised)}) have no result, not even a summary: the bound leaves no room "
        "for one; the run's properties count them (resultsListed.notSummarised)"
    )


def summaries_left_out(view: ReportView, max_results: int) -> str | None:
    """What `not_summarised_text` says of the SARIF run of ``view`` under ``max_results``, or
    None when every rule with facts left out gets its summary result (always, unless the bound
    is below the number of rules with facts: only then is the run ranked a second time)."""
    if not max_results or fact_count(view) <= max_results:
        return None
    rules = {fact_rule(item)[0] for row in view.rows for item in row.facts}
    rules.update(fact_rule(item)[0] for item in view.config)
    if len(rules) <= max_results:
        return None
    return not_summarised_text(listing(entries(view), max_results))


def summary_result(
    rule: str, left_out: Sequence[Entry], listed: Listing, rule_index: int, locations: list[Any]
) -> dict[str, Any]:
    """One result for a rule's facts left out, at ``locations`` (the first one's)."""
    first = left_out[0]
    subject = first.row.package.nevra if first.row is not None else first.item.fact.subject
    total = listed.totals[rule]
    data: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": rule_index,
        "level": summary_level(left_out),
        "message": {"text": sarif_text(summary_message(rule, left_out, subject))},
        "locations": locations,
        "partialFingerprints": {SUMMARY_FINGERPRINT: rule},
        "properties": {
            "summary": True,
            "listed": total - len(left_out),
            "notListed": len(left_out),
            "total": total,
            "blocking": sum(1 for entry in left_out if entry.item.blocks),
            **({"gaps": gap_counts(left_out)} if rule == STATUS_RULES[FactKind.GAP].id else {}),
        },
    }
    suppression = summary_suppression(left_out)
    if suppression is not None:
        data["suppressions"] = [suppression]
    return data


def summary_message(rule: str, left_out: Sequence[Entry], first: str) -> str:
    """``N more RULE facts are not listed``, by level (and by kind of gap), and whose is the first."""
    levels = Counter(entry.level for entry in left_out if entry.item.disposition not in _ACCEPTED)
    ordered = sorted(levels, key=_LEVEL_RANK.__getitem__)
    parts = ["by level: " + ", ".join(f"{level} {levels[level]}" for level in ordered)] if levels else []
    accepted = sum(1 for entry in left_out if entry.item.disposition in _ACCEPTED)
    if accepted:
        parts.append(f"accepted {accepted}")
    gaps = gap_counts(left_out)
    if gaps:
        parts.append("by gap: " + ", ".join(f"{kind} {count}" for kind, count in gaps.items()))
    return (
        f"{len(left_out)} more {rule} facts are not listed ({'; '.join(parts)}), the first is of {first}: "
        "the JSON report lists every one"
    )


def gap_counts(left_out: Sequence[Entry]) -> dict[str, int]:
    """Gap facts by kind, most first."""
    kinds = Counter(entry.item.fact.gap.kind.value for entry in left_out if entry.item.fact.gap is not None)
    return dict(sorted(kinds.items(), key=lambda item: (-item[1], item[0])))


def summary_level(left_out: Sequence[Entry]) -> str:
    """The worst level of the facts left out that nothing accepted; ``note`` when all were."""
    levels = [entry.level for entry in left_out if entry.item.disposition not in _ACCEPTED]
    return min(levels, key=_LEVEL_RANK.__getitem__) if levels else "note"


def summary_suppression(left_out: Sequence[Entry]) -> dict[str, Any] | None:
    """Accepted as a whole when a waiver, the baseline or a policy allow accepted each fact."""
    if any(entry.item.disposition not in _ACCEPTED for entry in left_out):
        return None
    return {
        "kind": "external",
        "state": "accepted",
        "justification": "each fact not listed was accepted by a waiver, the baseline or a policy allow",
    }
