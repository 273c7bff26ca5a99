"""Whether rpmbuild adds requirements of its own to a spec's package.

rpm's dependency generators (``build/rpmfc.c``) read the files a build packages and add what
they find: ELF sonames, ``#!`` interpreters, pkgconfig, perl and python modules... Only a build
knows them. A package has none when its ``AutoReq`` (or ``AutoReqProv``) says no, its own tag
only (a subpackage does not inherit it), when its ``%files`` packages nothing, or when the spec
excludes every requirement (``%global __requires_exclude .*``, or every file with
``__requires_exclude_from``).
"""

from __future__ import annotations

from auditor.rpm.spec.macros import MacroContext

_EVERYTHING = frozenset({".*", ".+"})
"""Regular expressions that match every requirement and every path (both are never empty)."""


def rpm_yes(value: str) -> bool:
    """A yes/no tag's value as rpm's ``parseYesNo`` reads it (``AutoReq: No``, ``off``, ``0``...)."""
    text = value.strip()
    return not (text[:1] in ("n", "N", "0") or text.lower() in ("false", "off"))


def excludes_every_requirement(macros: MacroContext) -> bool:
    """Whether the spec's final macros, certain ones only, leave no generated requirement."""
    for name in ("__requires_exclude", "__requires_exclude_from"):
        expansion = macros.expand(f"%{{?{name}}}")
        pattern = expansion.text.strip()
        pattern = pattern[1:] if pattern.startswith("^") else pattern
        pattern = pattern[:-1] if pattern.endswith("$") else pattern
        if expansion.exact and not macros.is_unknown(name) and pattern in _EVERYTHING:
            return True
    return False
