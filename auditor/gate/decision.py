"""The release gate: which findings block, after waivers and the baseline.

Waivers and the baseline are applied to the audit's result, never to the analysis (as
ORT applies resolutions only when reporting): a waived origin package still taints what
depends on it, and each accepted consequence is accepted on its own.

A package blocks when its status is one ``--fail-on`` names and at least one of its
*reasons* is neither waived nor in the baseline. Reasons have stable fingerprints (rule,
package name, capability; never version, release or path), so an upgrade does not make an
accepted finding look new:

- ``origin``: each tainting finding (its rule and value);
- ``depends``, ``may-depend``, ``build-depends``: the status and the origin package at
  the end of the chain;
- ``unresolved``: each unresolved requirement (its capability name, not its version).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.gate.baseline import Baseline
from auditor.gate.waivers import Waiver
from auditor.origin.findings import Verdict, fingerprint


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing that makes a package block, with its stable identity."""

    fingerprint: str
    kind: str
    """A rule id for origin evidence, else ``status:<status>``."""
    package: str
    capability: str
    text: str


@dataclass
class GateResult:
    reasons: dict[int, list[Reason]] = field(default_factory=dict)
    """Every blocking-status package's reasons, by package id."""
    new: list[Reason] = field(default_factory=list)
    """Reasons not in the baseline and not waived: these block."""
    baselined: list[Reason] = field(default_factory=list)
    fixed: list[dict[str, str]] = field(default_factory=list)
    """Baseline entries that no longer occur: progress."""
    waived: list[tuple[Reason, Waiver]] = field(default_factory=list)
    expired: list[Waiver] = field(default_factory=list)
    """Waivers past their expiry date: they no longer waive."""
    stale: list[Waiver] = field(default_factory=list)
    """Waivers that matched nothing."""
    stale_blocks: bool = False

    @property
    def blocking(self) -> bool:
        return bool(self.new) or (self.stale_blocks and bool(self.stale))


def reasons_for(result: PackageResult, audit: AuditResult) -> list[Reason]:
    name = result.package.name
    verdict = result.verdict
    if verdict is Verdict.ORIGIN:
        return [
            Reason(
                f.fingerprint(name), f.rule, name, f.capability or f.value, f"{f.rule}: {f.field} {f.value}"
            )
            for f in result.findings
            if f.effective
        ]
    if verdict is Verdict.UNRESOLVED:
        reasons = []
        for resolution in result.unresolved:
            capability = resolution.dependency.name
            reasons.append(
                Reason(
                    fingerprint("status:unresolved", name, capability),
                    "status:unresolved",
                    name,
                    capability,
                    f"nothing provides {resolution.dependency}",
                )
            )
        return reasons
    if verdict is Verdict.CLEAN or not result.chain:
        return []
    end = audit.packages[result.chain[-1].target].name
    kind = f"status:{verdict.value}"
    return [Reason(fingerprint(kind, name, end), kind, name, end, f"{verdict.value} on {end}")]


def apply_gate(
    audit: AuditResult,
    waivers: Sequence[Waiver] = (),
    baseline: Baseline | None = None,
    *,
    today: datetime.date | None = None,
    stale_blocks: bool = False,
) -> GateResult:
    """Decide what blocks; updates each result's ``blocking`` and ``waived_by`` in place."""
    today = today or datetime.date.today()
    gate = GateResult(stale_blocks=stale_blocks)
    live = [waiver for waiver in waivers if waiver.expires >= today]
    gate.expired = [waiver for waiver in waivers if waiver.expires < today]
    used: set[int] = set()
    seen: set[str] = set()
    for result in audit.results:
        if result.verdict not in audit.options.fail_on:
            result.blocking = False
            continue
        reasons = reasons_for(result, audit)
        gate.reasons[result.index] = reasons
        seen.update(reason.fingerprint for reason in reasons)
        remaining = []
        waived_by: list[str] = []
        for reason in reasons:
            waiver = next((w for w in live if w.matches(result, reason)), None)
            if waiver is not None:
                used.add(id(waiver))
                gate.waived.append((reason, waiver))
                waived_by.append(waiver.id)
            else:
                remaining.append(reason)
        result.waived_by = tuple(dict.fromkeys(waived_by))
        new = []
        for reason in remaining:
            if baseline is not None and reason.fingerprint in baseline.fingerprints:
                gate.baselined.append(reason)
            else:
                new.append(reason)
        gate.new.extend(new)
        result.blocking = bool(new) or (not reasons and result.verdict in audit.options.fail_on)
    for waiver in live:
        if id(waiver) not in used:
            gate.stale.append(waiver)
    if baseline is not None:
        gate.fixed = [entry for entry in baseline.entries if entry["fingerprint"] not in seen]
    return gate
