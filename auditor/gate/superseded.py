"""A taint that went because another came in its place: superseded, not fixed.

``alt`` may need Citrix's ``cx-tool`` (a clean provider of its BuildRequires exists beside it);
the clean provider is deleted, and ``alt`` now cannot be built without ``cx-tool``. Its
`may-depend` fact went, and a `build-depends` fact of the same category came: the package got
worse, and calling the first fact *fixed* ("something changed that cured it") beside the new
one told a release manager of a fix that never was. So did a taint whose package came to need
another origin package of its category nearer (a taint's capability names only the nearest:
``app`` needing ``lib``, which needs Citrix's ``cx-far``, then needing Citrix's ``cx-near``
too), or came to need its origin package to be built instead of at run time: a new taint of
the package, as strong, still reaches the origin package the old one ended at. The baseline's
progress (`auditor.gate.baseline_progress`) and the comparison of two audits
(`auditor.gate.progress`) ask this module alike, so that the scan and `diff` never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from auditor.audit.facts import FactKind
from auditor.origin.findings import Verdict
from auditor.rpm.gaps import GapKind

if TYPE_CHECKING:  # a replayed report reads a baseline without importing the audit
    from auditor.gate.audited import Audited
    from auditor.origin.findings import Finding
    from auditor.rpm.model import Package

_STRONGER = frozenset({"depends", "build-depends"})
"""The taints stronger than `may-depend`: a package that needs an origin package, to be
installed or built, where it may have done without it."""
_TAINTS = frozenset({*_STRONGER, "may-depend"})

Reach = Callable[[], frozenset[str] | None] | frozenset[str] | None
"""What a taint reaches, or a function asked for it only when needed (None: not known)."""


class Successors:
    """The taints of a later audit, by package (name, whether it is a source package) and
    category: what may have replaced a taint that went."""

    def __init__(self) -> None:
        self._stronger: set[tuple[str, bool, str]] = set()
        self._new: dict[tuple[str, bool, str], list[tuple[str, str, Reach]]] = {}
        """(name, is a source package, category) -> each new taint's kind, the origin package
        it ends at and what it reaches."""

    def add(self, name: str, is_source: bool, kind: str, capability: str, *, ends_at: str = "",
            new: bool = False, reaches: Reach = None) -> None:  # fmt: skip
        """Note a fact of the later audit about the package ``name``; ``new`` when the earlier
        side (or the baseline) did not have it."""
        if kind not in _TAINTS or not capability:
            return
        key = (name, is_source, capability.partition(":")[0])
        if kind in _STRONGER:
            self._stronger.add(key)
        if new:
            self._new.setdefault(key, []).append((kind, ends_at, reaches))
            # And under no category, for a taint recorded without one (`replaced`).
            self._new.setdefault((name, is_source, ""), []).append((kind, ends_at, reaches))

    def replaced(self, kind: str, capability: str, ends_at: str, held: Iterable[tuple[str, bool]]) -> bool:
        """Whether a taint that went (of ``kind`` and ``capability``, ending at ``ends_at``, held
        by the packages ``held``, by name and kind) was replaced by another on one of them: a
        `may-depend` taint by a stronger taint of its category; any taint by a new one of its
        category, as strong, that still reaches ``ends_at`` (one ending nearer, or a need at
        run time become one to build). A `may-depend` taint that replaces a `depends` is a
        clean provider come: a fix. A taint recorded without its category (before the
        capability named it, ``capability`` empty) is replaced by a new taint of any category
        that still reaches ``ends_at`` (an origin package has the categories of its evidence)."""
        if kind not in _TAINTS or not (capability or ends_at):
            return False
        category = capability.partition(":")[0]
        for name, is_source in held:
            key = (name, is_source, category)
            if kind == "may-depend" and category and key in self._stronger:
                return True
            for other, end, reaches in self._new.get(key, ()):
                if other != kind and other not in _STRONGER:
                    continue
                if end == ends_at:
                    return True
                # Not known (a report that recorded no reach for a taint that did not block):
                # it may still reach ``ends_at``, and a fix is never claimed on a guess.
                reached = reaches() if callable(reaches) else reaches
                if reached is None or ends_at in reached:
                    return True
        return False


def weakened(kind: str, capability: str, earlier: Iterable[tuple[str, str]]) -> bool:
    """Whether a new `may-depend` taint (of ``capability``) only weakens a stronger taint of the
    same origin package the package had before (``earlier``: its facts' kinds and capabilities):
    a clean provider came beside the Citrix one, and the package got better, not worse. Another
    origin package is news, and so is a taint recorded without its category."""
    if kind != "may-depend" or not capability:
        return False
    return any(was in _STRONGER and before == capability for was, before in earlier)


def renamed_by_reach(
    earlier_end: str, earlier_reach: frozenset[str] | None, later_end: str, later_reach: frozenset[str] | None
) -> bool:
    """Whether a taint of a package (ending at ``later_end``, reaching ``later_reach``) is a taint
    the package had before, of the same kind and category (ending at ``earlier_end``, reaching
    ``earlier_reach``), named now by another origin package: a capability names only the nearest
    one, and when that one is rebuilt clean the next nearest, already reached, names the taint.
    App needing Citrix xlib, and ylib through mid, then xlib fixed: app reaches nothing it did
    not, and calling its taint new told the team each fix made things worse (readme59). Only
    where both reaches are known, each holding its own end (a reach recorded without it is no
    record, `auditor.gate.baseline`), and nothing reached now was not reached before. The caller
    asks it only where ``earlier_end`` is audited and no longer an origin package: a reach counts
    every alternative, and a package coming to need surely what it could only reach before
    (xapi-core dropping the Citrix library it ended at for a requirement on another Citrix
    package its alternatives reached) is news while that earlier end is still there to need."""
    if earlier_reach is None or later_reach is None:
        return False
    return earlier_end in earlier_reach and later_end in later_reach and later_reach <= earlier_reach


def cured_origins(audit: Audited) -> frozenset[str]:
    """The names of the audited packages none of which taints as an origin package: where the
    nearest origin package of a taint a baseline entry accepted was rebuilt clean, the next one
    it reached names it (`renamed_by_reach`, `auditor.gate.baseline.BaselineMatcher.renamed`).
    Not one whose evidence the audit did not see (a gap of its own, its source package left
    out), nor any when the run has a gap (a baseline is never written from such an audit), but
    for the gaps that hide no origin evidence (`hides_origin`): its
    origin package not seen is not cured, and the taint of one still Citrix's needing another
    it only reached is news (red team 59). Nor one of a name a package read but not audited (the
    context) is an origin package of: Citrix's xlib is still there beside a clean one."""
    facts = audit.facts
    if any(fact.package is None and hides_origin(fact.kind.value, fact.rule) for fact in facts):
        return frozenset()
    unseen = {fact.subject for fact in facts if hides_origin(fact.kind.value, fact.rule)}
    audited: set[str] = set()
    origin = set(origin_names(audit.findings, audit.packages))  # the context's too
    for result in audit.results:
        audited.add(result.package.name)
        if Verdict.ORIGIN in result.statuses:
            origin.add(result.package.name)
    return frozenset(audited - origin - unseen)


_DEPENDENCY_GAPS = frozenset(
    f"gap:{kind.value}"
    for kind in (
        GapKind.AUTOMATIC_REQUIRES,
        GapKind.AUTOMATIC_PROVIDES,
        GapKind.DYNAMIC_BUILDREQUIRES,
        GapKind.CLEAN_WAY_UNCHECKED,
        GapKind.MODULES_NOT_FILTERED,
        GapKind.PRIORITY_NOT_MODELLED,
    )
)
"""The gaps that hide what a package needs or provides, or how requirements resolve, never a
package's own origin evidence: a spec read for `auditor check` always has the first two (its
files' generated provides and requirements), and a clean rebuild checked as a spec was never
cured (`cured_origins`)."""


def hides_origin(kind: str, rule: str) -> bool:
    """Whether a fact (its kind and rule) is a gap that may hide origin evidence."""
    return kind == FactKind.GAP.value and rule not in _DEPENDENCY_GAPS


def origin_names(findings: Mapping[int, Sequence[Finding]], packages: Sequence[Package]) -> frozenset[str]:
    """The names of every package of a run (``packages``, by the index ``findings`` keys them
    by), context included, that is an origin package: one with an effective finding."""
    return frozenset(
        packages[index].name for index, items in findings.items() if any(item.effective for item in items)
    )
