"""A waiver's ``reaches``: the origin packages a taint it accepts may lead to.

A taint fact names only the nearest origin package of its category (`auditor.audit.facts`), so
``package = "app"``, ``status = "depends"`` accepted app's Citrix taint however many new Citrix
packages app came to need. A waiver with ``reaches`` accepts a taint only while every origin
package it reaches (`auditor.audit.reach`, as the baseline reads it) matches one of its globs.

What a taint reaches is read off the audit's graph only for the facts such a waiver matches:
a distribution's reach costs time, and a run without such a waiver never asks. An audit with no
graph cannot say what a taint reaches, and a scoped waiver does not accept what it cannot check.
"""

from __future__ import annotations

import fnmatch

from auditor.audit.facts import Fact
from auditor.audit.result import AuditResult
from auditor.gate.audited import Audited
from auditor.gate.waivers import Waiver


class WaiverReach:
    """Whether a waiver's ``reaches`` names every origin package a taint reaches."""

    def __init__(self, audit: Audited) -> None:
        self._audit = audit
        self.declined: set[int] = set()
        """The ids of the waivers that matched a taint and did not accept it for what it reaches:
        a stale one is reported as such, not as matching only facts that need no waiver."""
        self._fact: Fact | None = None
        self._reached: frozenset[str] | None = None

    def beyond(self, waiver: Waiver, fact: Fact) -> tuple[str, ...] | None:
        """None when ``waiver`` (one with ``reaches``) accepts ``fact`` for what it reaches; else
        the origin packages it reaches that no glob names (sorted; empty: not known)."""
        assert waiver.reaches is not None
        reached = self._reach(fact)
        if reached is None:
            self.declined.add(id(waiver))
            return ()
        globs = waiver.reaches
        missing = tuple(
            sorted(name for name in reached if not any(fnmatch.fnmatchcase(name, glob) for glob in globs))
        )
        if not missing:
            return None
        self.declined.add(id(waiver))
        return missing

    def _reach(self, fact: Fact) -> frozenset[str] | None:
        # Two scoped waivers of one package ask of the same fact in turn.
        if fact is not self._fact:
            audit = self._audit
            self._fact = fact
            self._reached = audit.origin_reach.names(fact) if isinstance(audit, AuditResult) else None
        return self._reached


def beyond_text(waiver: Waiver, beyond: tuple[str, ...]) -> str:
    """Why a taint ``waiver`` matched blocks all the same (`WaiverReach.beyond`), in words."""
    if not beyond:
        return f"waiver {waiver.id} accepts it only within its reaches, and what it reaches is not known"
    return f"it now also reaches {', '.join(beyond)}, which waiver {waiver.id}'s reaches does not name"
