"""Waivers: accepted findings, each with a reason, an owner and an expiry date.

In ``auditor.toml`` (or the file ``--waivers`` names)::

    [[waiver]]
    id = "sm-until-smapi3"              # optional; defaults to the package and position; one
                                        # waiver's only (reports name a waiver by its id alone)
    package = "sm*"                     # name or glob (binary or source name)
    versions = ">= 2.30, < 3"           # optional: comparisons against the package EVR (its source
                                        # package's, for a binary matched by its source name)
    arch = "x86_64"                     # optional: name or glob
    status = "depends"                  # optional: the status it accepts
    rule = "citrix-internal-host"       # optional: the rule (or "status:<status>", "gap:<kind>") it accepts
    category = "proprietary"            # optional: only evidence of this category (citrix, proprietary)
    reaches = ["cx-*"]                  # optional: a taint only while every origin package it reaches
                                        # matches one of these globs
    reason = "SMAPIv3 replaces sm in 9.0"
    owner = "storage team <storage@xcp-ng.org>"
    expires = 2027-03-31                # valid through that day; or an instant: 2027-03-31T18:00:00+02:00
                                        # (a date-time without an offset is UTC)

A waiver accepts each fact (`auditor.audit.facts`) it matches, and only those: a waiver
with a ``rule`` leaves the package's other facts blocking. A waiver that is past its date
stops waiving and is reported as expired; one that accepts nothing is reported as stale
(``stale-waivers = "block"`` makes that block).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from auditor.audit.facts import TAINT_RULES, Fact, FactKind
from auditor.core.errors import DependencySyntaxError, PolicyError
from auditor.core.expiry import Expiry
from auditor.core.schema import NonEmpty, convert
from auditor.core.tomlfile import read_toml
from auditor.origin.findings import Category
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.model import EVR, Op, Package
from auditor.rpm.tokenizer import Tokenizer

_NO_SOURCES: Mapping[tuple[str, bool], EVR] = {}

StatusName = Literal["origin", "depends", "may-depend", "build-depends", "unresolved"]


class WaiverEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The shape of one ``[[waiver]]`` table: what `Waiver` is read from."""

    package: NonEmpty
    reason: NonEmpty
    owner: NonEmpty
    expires: Expiry
    id: str = ""
    versions: str | None = None
    arch: str | None = None
    status: StatusName | None = None
    rule: str | None = None
    category: Category | None = None
    reaches: tuple[NonEmpty, ...] | None = None


class WaiverFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A ``--waivers`` file: ``[[waiver]]`` tables and nothing else."""

    waiver: tuple[WaiverEntry, ...] = ()


@dataclass(frozen=True)
class Waiver:
    id: str
    package: str
    reason: str
    owner: str
    expires: Expiry
    versions: tuple[tuple[Op, EVR], ...] = ()
    arch: str | None = None
    status: str | None = None
    rule: str | None = None
    category: Category | None = None
    reaches: tuple[str, ...] | None = None
    """Globs of the origin packages a taint it accepts may reach (`auditor.gate.waiver_reach`);
    None: any. A waiver with them matches taints only."""
    source: str = ""
    """The file the waiver was read from."""
    entry: str = ""
    """Which table of that file it is (``waiver[0]``)."""

    def matches(
        self, fact: Fact, package: Package | None, sources: Mapping[tuple[str, bool], EVR] = _NO_SOURCES
    ) -> bool:
        """Whether this waiver accepts ``fact`` about ``package`` (never a fact about no package).

        ``sources`` holds the EVR of each source package of the run, by the file name its
        binaries' SOURCERPM gives (``sm-3.5-1.src.rpm``).
        """
        if package is None:
            return False
        if fact.kind is FactKind.GAP and (self.rule is None or not self.rule.startswith("gap:")):
            # Evidence not seen is accepted only by a waiver that names it (rule = "gap:..."):
            # `rule = "*"` means every finding, not that what was never looked at is fine.
            return False
        by_own_name = fnmatch.fnmatchcase(package.name, self.package)
        if not by_own_name:
            source_name = package.source_name
            if source_name is None or not fnmatch.fnmatchcase(source_name, self.package):
                return False
        if self.arch is not None and not fnmatch.fnmatchcase(package.arch, self.arch):
            # A glob as ``package`` is (``arch = "i?86"``): an exact match alone made such a
            # waiver accept nothing and be reported stale.
            return False
        if self.status is not None and (fact.status is None or fact.status.value != self.status):
            return False
        if self.rule is not None and not fnmatch.fnmatchcase(fact.rule, self.rule):
            return False
        if self.category is not None and fact.category is not self.category:
            return False
        if self.reaches is not None and fact.kind not in _TAINT_KINDS:
            # What it reaches scopes a taint: origin evidence or an unmet requirement reaches
            # nothing, and accepting it unscoped is not what a scoped waiver's author asked.
            return False
        if not self.versions:
            return True
        # `versions` are those of the package the waiver names: a subpackage matched through its
        # source's name (sm-licensing 1.0 for `sm`) is in range when its source (sm 3.5) is.
        subject = package.evr if by_own_name else _source_evr(package, sources)
        if subject is None:
            return False  # a source version that cannot be known is never in range
        return all(ranges_overlap(Op.EQ, subject, op, evr) for op, evr in self.versions)


_TAINT_KINDS = frozenset({FactKind.DEPENDS, FactKind.MAY_DEPEND, FactKind.BUILD_DEPENDS})

_GLOB = re.compile(r"[*?\[]")
"""What makes a waiver's ``package`` a pattern (fnmatch's), not a name."""


_LAST_SPECIAL = re.compile(r".*[*?\[\]]", re.DOTALL)
"""A pattern up to its last ``*``, ``?``, ``[`` or ``]``: what follows is literal (no bracket
expression runs past the last ``]``)."""


class WaiverIndex:
    """The live waivers of a decision, found by the package names they can match.

    Every fact of a run looked at every waiver in turn: a release's thousands of waivers times a
    distribution's facts took minutes (red team 7). A waiver naming a package exactly is found
    by that name. A pattern matches only names that begin with its literal prefix (what comes
    before its first ``*``, ``?`` or ``[``) and end with its literal suffix (what follows its
    last special character): a pattern is found by its prefix, or when it has none (``*-devel``)
    by its suffix, so a name is tried only against the patterns it can match (2,000 ``abcde*``
    waivers made each fact of distro-60k try 2,000 patterns: 618 s, red team 14). The first
    waiver in file order that accepts the fact decides it, as before.
    """

    def __init__(self, waivers: Sequence[Waiver]) -> None:
        self._waivers = waivers
        self._named: dict[str, list[int]] = {}
        self._prefixed: dict[str, list[int]] = {}
        """A pattern's literal prefix -> the positions of the waivers with such a pattern."""
        self._suffixed: dict[str, list[int]] = {}
        """A pattern with no literal prefix: its literal suffix (maybe empty: ``*``) -> positions."""
        for position, waiver in enumerate(waivers):
            pattern = waiver.package
            glob = _GLOB.search(pattern)
            if glob is None:
                self._named.setdefault(pattern, []).append(position)
            elif glob.start() > 0:
                self._prefixed.setdefault(pattern[: glob.start()], []).append(position)
            else:
                last = _LAST_SPECIAL.match(pattern)
                suffix = pattern[last.end() :] if last is not None else ""
                self._suffixed.setdefault(suffix, []).append(position)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixed})
        self._suffix_lengths = sorted({len(suffix) for suffix in self._suffixed})

    def _candidates(self, name: str) -> list[int]:
        """The positions of the waivers that may match ``name``: those naming it, and the
        patterns whose literal prefix it begins with or, with none, whose suffix it ends with."""
        found = list(self._named.get(name, ()))
        size = len(name)
        for length in self._prefix_lengths:
            if length > size:
                break
            found.extend(self._prefixed.get(name[:length], ()))
        for length in self._suffix_lengths:
            if length > size:
                break
            found.extend(self._suffixed.get(name[size - length :], ()))
        return found

    def first(
        self, fact: Fact, package: Package | None, sources: Mapping[tuple[str, bool], EVR]
    ) -> Waiver | None:
        """The first waiver, in file order, that accepts ``fact`` about ``package``."""
        return next(self.matching(fact, package, sources), None)

    def matching(
        self, fact: Fact, package: Package | None, sources: Mapping[tuple[str, bool], EVR]
    ) -> Iterator[Waiver]:
        """Every waiver that accepts ``fact`` about ``package``, in file order."""
        if package is None or not self._waivers:
            return
        candidates = self._candidates(package.name)
        source = package.source_name
        if source is not None and source != package.name:
            candidates = sorted({*candidates, *self._candidates(source)})
        elif len(candidates) > 1:
            candidates.sort()
        for position in candidates:
            waiver = self._waivers[position]
            if waiver.matches(fact, package, sources):
                yield waiver


def source_versions(packages: Iterable[Package]) -> dict[tuple[str, bool], EVR]:
    """The EVR of each source package of a run, by what its binaries' SOURCERPM finds it by
    (`Package.source_key`): the ``sources`` a waiver's ``versions`` read (`_source_evr`).

    SOURCERPM names no epoch: copies of one N-V-R and different epochs (a vendor's build and a
    rebuild) share a key, and the one kept last (the newest) put a binary built from the other in
    range of ``versions = ">= 5:0"`` (gate58). Such a key is left out, as `ReportSources` leaves
    it: the binary's own EVR is read instead, whose epoch picks its copy as the audit pairs them
    (`auditor.origin.classify.built_from`)."""
    found: dict[tuple[str, bool], EVR] = {}
    differing: set[tuple[str, bool]] = set()
    for package in packages:
        if not package.is_source:
            continue
        key = package.source_key
        if key in differing or found.setdefault(key, package.evr) == package.evr:
            continue
        differing.add(key)
        del found[key]
    return found


def _source_evr(package: Package, sources: Mapping[tuple[str, bool], EVR]) -> EVR | None:
    """The EVR of the source package ``package`` was built from, or None when it cannot be known.

    The run's source package gives it whole. Otherwise SOURCERPM gives its version and release
    but no epoch: a binary of the same version and release took its main package's EVR, epoch
    included; one that set its own Version (or Epoch) in its preamble says nothing of its source's epoch.
    """
    key = package.built_from_key
    if key is not None and (found := sources.get(key)) is not None:
        return found
    if package.source_version_release == (package.version, package.release):
        return package.evr
    return None


def load_waivers(entries: Iterable[WaiverEntry | Mapping[str, Any]], source: str) -> list[Waiver]:
    """The waivers of ``source`` (a file): entries already checked, or tables as read."""
    waivers = []
    for position, entry in enumerate(entries):
        where = f"waiver[{position}]"
        if not isinstance(entry, WaiverEntry):
            entry = convert(entry, WaiverEntry, source, at=where)
        identity = entry.id or f"{entry.package}#{position}"
        _check_reaches(entry, f"{source}: waiver {identity} at {where}")
        waivers.append(
            Waiver(
                id=identity,
                package=entry.package,
                reason=entry.reason,
                owner=entry.owner,
                expires=entry.expires,
                versions=_versions(entry.versions, f"{source}: {where}.versions"),
                arch=entry.arch,
                status=entry.status,
                rule=entry.rule,
                category=entry.category,
                reaches=entry.reaches,
                source=source,
                entry=where,
            )
        )
    return waivers


def _check_reaches(entry: WaiverEntry, where: str) -> None:
    """``reaches`` scopes a taint by the origin packages it reaches: on a waiver that can match
    no taint it would load, accept nothing, and be reported stale at the end of a run its author
    believed it eased; and an empty list accepts nothing, which no one writes on purpose."""
    if entry.reaches is None:
        return
    if not entry.reaches:
        raise PolicyError(
            f"{where}: reaches = [] accepts nothing: name the origin packages (globs) it may reach"
        )
    if entry.status is not None and entry.status not in _TAINT_STATUSES:
        raise PolicyError(
            f"{where}: reaches scopes a taint (depends, may-depend, build-depends), and status "
            f"{entry.status!r} is no taint: leave reaches out"
        )
    if entry.rule is not None and not any(fnmatch.fnmatchcase(rule, entry.rule) for rule in TAINT_RULES):
        raise PolicyError(
            f"{where}: reaches scopes a taint, and rule {entry.rule!r} matches no taint's rule "
            f"({', '.join(sorted(TAINT_RULES))}): leave reaches out"
        )


_TAINT_STATUSES = frozenset(kind.value for kind in _TAINT_KINDS)


_EVR = re.compile(r"(?:[0-9]{1,10}:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?")
"""An EVR as rpm writes one: the characters rpmbuild accepts in Version and Release, no empty part."""


def _versions(text: Any, where: str) -> tuple[tuple[Op, EVR], ...]:
    if text is None:
        return ()
    if not isinstance(text, str):
        raise PolicyError(f"{where}: expected a string such as '>= 2.0, < 3'")
    if not text.strip():
        # A range left blank (a template's variable unset) scoped nothing: the waiver took
        # every version. Left out, it means that; written, it must name one.
        raise PolicyError(f"{where}: {text!r} names no version: leave versions out to accept every version")
    found = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise PolicyError(f"{where}: {text!r} has an empty comparison (a stray comma)")
        tokens = Tokenizer(part)
        try:
            op = tokens.comparison()
        except DependencySyntaxError:
            op = None
        if op is None:
            raise PolicyError(f"{where}: {part!r} does not start with <, <=, =, >= or >")
        value = part[tokens.position :].strip()
        if not value:
            raise PolicyError(f"{where}: {part!r} has no version")
        if _EVR.fullmatch(value) is None:
            # `>= 1 2`, `= 1:`, `= 1.0-`: rpm would never compare such a version; the waiver
            # would match what its author did not mean.
            raise PolicyError(
                f"{where}: {value!r} is not a version ([EPOCH:]VERSION[-RELEASE] of letters, digits "
                "and . _ + ~ ^, no spaces)"
            )
        found.append((op, EVR.parse(value)))
    return tuple(found)


def read_waiver_file(path: str) -> list[Waiver]:
    return load_waivers(convert(read_toml(path, "waiver file"), WaiverFile, path).waiver, path)
