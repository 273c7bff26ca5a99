"""A `may-depend` taint that went because a stronger one came: superseded, not fixed.

``alt`` may need Citrix's ``cx-tool`` (a clean provider of its BuildRequires exists beside it);
the clean provider is deleted, and ``alt`` now cannot be built without ``cx-tool``. Its
`may-depend` fact went, and a `build-depends` fact of the same category came: the package got
worse, and calling the first fact *fixed* ("something changed that cured it") beside the new
one told a release manager of a fix that never was. The baseline's progress
(`auditor.gate.baseline_progress`) and the comparison of two audits (`auditor.gate.progress`)
ask this module alike, so that the scan and `diff` never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

_STRONGER = frozenset({"depends", "build-depends"})
"""The taints stronger than `may-depend`: a package that needs an origin package, to be
installed or built, where it may have done without it."""


def stronger_taints(facts: Iterable[tuple[str, bool, str, str]]) -> set[tuple[str, bool, str]]:
    """(name, is a source package, category) of each `depends` or `build-depends` taint among
    ``facts``, given as (its package's name, whether that is a source package, the fact's kind,
    its capability)."""
    return {
        (name, is_source, capability.partition(":")[0])
        for name, is_source, kind, capability in facts
        if kind in _STRONGER and capability
    }


def superseded(
    kind: str, capability: str, held: Iterable[tuple[str, bool]], stronger: set[tuple[str, bool, str]]
) -> bool:
    """Whether a `may-depend` taint that went (of ``capability``, held by the packages ``held``,
    by name and kind) was replaced by a stronger taint of its category on one of them
    (`stronger_taints`). A taint recorded without its category (before the capability named it)
    is not known to have been."""
    if kind != "may-depend" or not capability:
        return False
    category = capability.partition(":")[0]
    return any((name, is_source, category) in stronger for name, is_source in held)


def weakened(kind: str, capability: str, earlier: Iterable[tuple[str, str]]) -> bool:
    """Whether a new `may-depend` taint (of ``capability``) only weakens a stronger taint of the
    same origin package the package had before (``earlier``: its facts' kinds and capabilities):
    a clean provider came beside the Citrix one, and the package got better, not worse. Another
    origin package is news, and so is a taint recorded without its category."""
    if kind != "may-depend" or not capability:
        return False
    return any(was in _STRONGER and before == capability for was, before in earlier)
