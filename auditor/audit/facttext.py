"""A fact in one line, as every output shows it: the reports (`auditor.reports.rows`) and the
comparisons that read an audit (`auditor.gate.progress`) or the JSON report it wrote, so that
`diff` prints the same lines from two reports as from the two audits that wrote them.

A taint's line says the first hop of its chain, an origin finding's where it was inherited from
and the ``[[allow]]`` entry that keeps it from tainting.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.audit.facts import Fact
from auditor.deps.hops import Hop, HopKind
from auditor.origin.findings import Finding
from auditor.rpm.model import Package


def fact_text(fact: Fact, packages: Sequence[Package]) -> str:
    """``fact`` in one line; ``packages`` are its audit's, which its chain's hops index."""
    if fact.finding is not None and fact.config is None:
        return finding_text(fact.finding)
    if fact.chain:
        return f"{fact.text}: {hop_text(fact.chain[0], packages)}"
    return fact.text


def hop_text(hop: Hop, packages: Sequence[Package]) -> str:
    """One hop in words: ``needs X (for req, 1 of 2 providers tainted)``."""
    target = packages[hop.target].nevra
    if hop.kind is HopKind.BUILT_FROM:
        return f"built from {target}"
    label = "needs" if hop.kind is HopKind.REQUIRES else "build needs"
    return f"{label} {target} (for {hop.requirement}{alternatives_text(hop)})"


def alternatives_text(hop: Hop) -> str:
    """How many of the requirement's providers are tainted, when it has several."""
    if hop.hidden_on_some_hosts:
        # A clean provider counted here is no way around on the hosts that lack it.
        return _counted(hop) + (
            f", {hop.hidden_on_some_hosts} hidden on some hosts (one reading of the configuration "
            "hides them, or only yum installs their architecture)"
        )
    return _counted(hop)


def _counted(hop: Hop) -> str:
    if hop.excluded:
        # Without this a reader who knows a clean provider would see a count that leaves it out.
        return (
            f", {hop.tainted} of {hop.alternatives} installable providers tainted,"
            f" {hop.excluded} excluded (dnf would not install them with it)"
        )
    if hop.alternatives <= 1:
        return ""
    if hop.tainted >= hop.alternatives:
        return f", all {hop.alternatives} providers tainted"
    return f", {hop.tainted} of {hop.alternatives} providers tainted"


def finding_text(finding: Finding) -> str:
    text = f"[{finding.rule}] {finding.field}: {finding.value}"
    if finding.inherited_from:
        text += f" (from {finding.inherited_from})"
    if finding.allowed_by:
        text += f" (allowed by {finding.allowed_by})"
    return text
