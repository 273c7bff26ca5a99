"""What a repository's metadata says otherwise than a package's header of the versions and
operators of its dependencies (`auditor.sources.overlay.hidden_dependencies` compares names).

createrepo_c copies each Requires, Provides, Conflicts and Obsoletes with its operator and
version. Edited in primary.xml, ``Requires: cxcap >= 2`` (met only by a Citrix package) read
``cxcap < 2`` and was met by a clean one, and ``Provides: cxcap = 3`` of the Citrix package read
``= 1``: the requirer read clean, rpm installing by the header (red team, hunt55). Compared as
the tags hold them, without parsing an `EVR` for every entry of every package: the operator's
sense bits, and the version with its epoch read as rpm reads an absent one (0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.rpm.model import Dependency, Op
from auditor.sources.evidence import COPIED_DEPENDENCIES, ESCAPED_TWICE, CopiedTags, HeaderEvidence

_SENSE = 0x02 | 0x04 | 0x08
"""RPMSENSE_LESS, GREATER, EQUAL: the operator; createrepo_c writes no version without one."""
_OP_SENSE = {Op.LT: 0x02, Op.LE: 0x0A, Op.EQ: 0x08, Op.GE: 0x0C, Op.GT: 0x04}

Constraint = tuple[str, int, str, str]
"""Name, sense bits, epoch (digits, ``0`` when none is written), version-release."""


def _versioned(sense: int, version: str) -> tuple[str, str]:
    if not sense:
        return "", ""
    epoch, colon, rest = version.partition(":")
    if not colon:
        epoch, rest = "0", version
    upstream, dash, release = rest.partition("-")
    if dash and not release:
        rest = upstream  # `1.0-` (a release macro empty): createrepo_c writes no rel, as rpm compares it
    return epoch.lstrip("0") or "0", rest


def header_constraints(tags: CopiedTags) -> set[Constraint]:
    names = tags.name_list()
    versions = tags.versions.split("\0") if tags.versions is not None else [""] * len(names)
    found = set()
    for name, flags, version in zip(names, tags.flags, versions, strict=False):
        sense = flags & _SENSE
        found.add((name, sense, *_versioned(sense, version)))
    return found


def listed_constraints(dependencies: Iterable[Dependency]) -> set[Constraint]:
    found = set()
    for dependency in dependencies:
        name = dependency.name.replace(ESCAPED_TWICE, "&")
        sense = 0 if dependency.op is None else _OP_SENSE[dependency.op]
        evr = dependency.evr
        if not sense or evr is None:
            found.add((name, sense, "", ""))
            continue
        release = f"-{evr.release}" if evr.release else ""
        found.add((name, sense, str(evr.epoch or 0), f"{evr.version}{release}"))
    return found


def differing_constraints(
    kind: str, listed: Sequence[Dependency], evidence: HeaderEvidence, left_out: set[str]
) -> tuple[list[str], list[str]]:
    """Of the names both sides give ``kind``, the header's entries the metadata lacks and the
    metadata's the header lacks, spelt as rpm shows them; ``left_out``, names createrepo_c does
    not copy (a requirement on what the package provides itself, ``rpmlib(...)``...)."""
    header = {
        item
        for item in header_constraints(evidence.copied[COPIED_DEPENDENCIES.index(kind)])
        if item[0] not in left_out
    }
    theirs = {item for item in listed_constraints(listed) if item[0] not in left_out}
    both = {item[0] for item in header} & {item[0] for item in theirs}
    return (
        sorted(_spelt(item) for item in header - theirs if item[0] in both),
        sorted(_spelt(item) for item in theirs - header if item[0] in both),
    )


_SENSE_WORD = {0x02: "<", 0x0A: "<=", 0x08: "=", 0x0C: ">=", 0x04: ">"}


def _spelt(item: Constraint) -> str:
    name, sense, epoch, version = item
    if not sense:
        return name
    shown = version if epoch == "0" else f"{epoch}:{version}"
    return f"{name} {_SENSE_WORD.get(sense, '?')} {shown}"
