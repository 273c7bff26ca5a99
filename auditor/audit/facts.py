"""Facts: what an audit established, one piece at a time, each with a stable identity.

A package's displayed status is a summary for people; the gate never reads it. What the
gate reads are facts, and a package can have many:

- ``origin``: one per piece of origin evidence (a policy rule that matched, with its
  category), also when an ``[[allow]]`` entry or the taint threshold keeps it from tainting;
- ``depends``, ``may-depend``: the package needs origin packages at run time (the chain
  proves it), one per category of the origin packages it needs, an origin package included
  (for the *other* origin packages it needs);
- ``build-depends``: its source cannot be built without them (the chain proves it), one per
  category too;
- ``unresolved``: one per requirement nothing satisfies;
- ``gap``: one per piece of evidence the auditor could not see.

A configured repository URL on a policy host is an ``origin`` fact with no package. Every
fact has a fingerprint made of its rule, the package *name* and a version-free capability,
so an upgrade does not make an accepted fact look new (baselines and diffs compare them).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from auditor.core.construct import direct_constructor
from auditor.formats.openpgp import UNNAMED_SIGNER
from auditor.origin.findings import Category, ConfigFinding, Finding, Severity, Verdict, fingerprint
from auditor.origin.urlgaps import hostless_url_gaps
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package

if TYPE_CHECKING:
    # Named in annotations only: the gate's waivers read facts without the dependency graph,
    # and a replayed report must not import it.
    from auditor.deps.hops import Hop
    from auditor.deps.propagation import Propagation
    from auditor.deps.resolution import Resolution


class FactKind(enum.Enum):
    ORIGIN = "origin"
    DEPENDS = "depends"
    MAY_DEPEND = "may-depend"
    BUILD_DEPENDS = "build-depends"
    UNRESOLVED = "unresolved"
    GAP = "gap"

    def __init__(self, value: str) -> None:
        # Kept on the member: an enum member hashes in Python, so a dict keyed by it is slow
        # in the loops over every fact of a distribution.
        self._status = None if value == "gap" else Verdict(value)

    @property
    def status(self) -> Verdict | None:
        """The status a fact of this kind gives its package (``None`` for a gap)."""
        return self._status


_TAINT_KINDS = {
    Verdict.DEPENDS: FactKind.DEPENDS,
    Verdict.MAY_DEPEND: FactKind.MAY_DEPEND,
    Verdict.BUILD_DEPENDS: FactKind.BUILD_DEPENDS,
}
_TAINT_RULES = {kind: f"status:{kind.value}" for kind in _TAINT_KINDS.values()}
TAINT_RULES = frozenset(_TAINT_RULES.values())
"""The rules of taint facts: ``status:depends``, ``status:may-depend``, ``status:build-depends``."""
_TAINTS_BY_VALUE = {verdict._value_: (kind, _TAINT_RULES[kind]) for verdict, kind in _TAINT_KINDS.items()}
"""By the verdict's value: an enum member hashes in Python, for each taint of a distribution."""


def taint_capability(category: Category, ends_at: str) -> str:
    """A taint's identity beside its rule and package: the category and the *name* of the origin
    package its shortest chain of that category ends at. A version bump, or a longer or shorter
    way to the same origin package, keeps it; needing another origin package makes a new fact,
    which a waiver or a baseline entry about the first one does not accept."""
    return _capability(category._value_, ends_at)


@functools.lru_cache(maxsize=4096)
def _capability(category: str, ends_at: str) -> str:
    """One string for every taint of a category that ends at one origin package (cached by the
    category's value: an enum member hashes in Python)."""
    return f"{category}:{ends_at}"


@dataclass(frozen=True, slots=True)
class Fact:
    kind: FactKind
    rule: str
    """What a waiver's ``rule`` matches: the policy rule id of origin evidence, else
    ``status:<kind>`` (``status:depends``, ``status:unresolved``...) or ``gap:<gap kind>``."""
    package: int | None
    """The package's id in the audit, or None for a fact about a configuration or an input."""
    subject: str
    """The package name, or the configuration (``file [section]``) or input the fact is about."""
    capability: str
    """What the fact is about, without versions: the fingerprint is made of it. For a taint,
    `taint_capability`: its category and the origin package its chain ends at."""
    text: str
    """The fact in one line, for people."""
    category: Category | None = None
    """For origin evidence and the taint it causes: ``citrix`` or ``proprietary``."""
    severity: Severity | None = None
    finding: Finding | None = None
    chain: Sequence[Hop] = ()
    resolution: Resolution | None = None
    gap: Gap | None = None
    config: ConfigFinding | None = None
    ends_at: str = ""
    """For a taint: the name of the origin package its chain ends at (it tells a taint that was
    cured from one that went away with that package, and matches a baseline entry written before
    the capability named it)."""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.subject, self.capability)

    @property
    def taints(self) -> bool:
        """False for origin evidence an allow entry or the taint threshold keeps from tainting."""
        return self.finding is None or self.finding.effective

    @property
    def status(self) -> Verdict | None:
        return self.kind._status

    @property
    def unmet(self) -> str:
        """An unresolved requirement's fact: what nothing provides, as its text says it (the
        unmet parts of a rich requirement, then the requirement)."""
        return self.text.removeprefix(_NOTHING_PROVIDES)


_fact = direct_constructor(Fact)
"""`Fact`, made faster where a distribution makes one per package (`direct_constructor`)."""


def package_facts(
    index: int,
    package: Package,
    packages: Sequence[Package],
    findings: Sequence[Finding],
    propagation: Propagation,
    unresolved: Sequence[Resolution],
    missing_source: Fact | None = None,
    source_gaps: Sequence[Gap] = (),
) -> tuple[Fact, ...]:
    """Every fact about one audited package, in a stable order: evidence, taints, requirements,
    gaps. ``source_gaps``: what could not be seen of the source packages it was built from
    (`SourceGaps`)."""
    facts: list[Fact] = (
        [origin_fact(index, package.name, finding) for finding in findings] if findings else []
    )
    for verdict, category, chain in propagation.taints(index):
        taint = _TAINTS_BY_VALUE.get(verdict._value_)
        if taint is None or not chain or category is None:
            continue
        kind, rule = taint
        end = packages[chain[-1].target]
        hops = len(chain)
        facts.append(
            _fact(
                kind,
                rule,
                index,
                package.name,
                _capability(category._value_, end.name),
                _taint_text(kind._value_, end.nevra, category._value_, hops),
                category=category,
                chain=chain,
                ends_at=end.name,
            )
        )
    # Each part asked only when it has something: most packages of a distribution have none.
    if unresolved:
        facts.extend(_unresolved_facts(index, package.name, unresolved))
    if package.gaps:
        facts.extend(gap_fact(index, package.name, gap) for gap in package.gaps)
    unjudged = unjudged_gaps(package)
    if unjudged:
        facts.extend(gap_fact(index, package.name, gap) for gap in unjudged)
    if source_gaps:
        facts.extend(gap_fact(index, package.name, gap) for gap in source_gaps)
    if missing_source is not None:
        if not facts:  # a distribution read from its metadata: most packages have this one fact
            return (missing_source,)
        facts.append(missing_source)
    return tuple(facts)


_UNNAMED_SIGNER_GAP = Gap(
    GapKind.SIGNER_UNNAMED,
    f"a signature names no key, or none that can be read (signer shown as {UNNAMED_SIGNER}): "
    "whose key made it is unseen",
)


def unjudged_gaps(package: Package) -> tuple[Gap, ...]:
    """What ``package`` holds that the policy cannot judge, told from its fields: a URL without
    a host (`hostless_url_gaps`), a signature that names no key, or none that can be read (a deny
    rule cannot tell it is not a vendor's)."""
    hostless = hostless_url_gaps(package)
    if UNNAMED_SIGNER not in package.signing_keys:
        return hostless
    return (*hostless, _UNNAMED_SIGNER_GAP)


@functools.lru_cache(maxsize=4096)
def _taint_text(kind: str, nevra: str, category: str, hops: int) -> str:
    """One string for every taint that reads the same: the packages that depend on one origin
    package at one distance share it (and its capability), instead of a copy each. ``kind`` and
    ``category`` are enum values: an enum member hashes in Python, for each taint of a
    distribution. The category is said: a package held back by one origin package for both
    (a Citrix host and a proprietary licence) has two facts, two fingerprints to waive, and
    without it they read the same in every table."""
    return f"{kind} on {nevra} ({category}, {hops} hop{'s' if hops != 1 else ''})"


def origin_fact(index: int | None, subject: str, finding: Finding) -> Fact:
    return Fact(
        FactKind.ORIGIN,
        finding.rule,
        index,
        subject,
        finding.capability or finding.value,
        f"[{finding.rule}] {finding.field}: {finding.value}",
        category=finding.category,
        severity=finding.severity,
        finding=finding,
    )


def config_fact(item: ConfigFinding) -> Fact:
    subject = f"{item.file} [{item.section}]" if item.section else item.file
    fact = origin_fact(None, subject, item.finding)
    return Fact(
        fact.kind,
        fact.rule,
        None,
        subject,
        fact.capability,
        f"[{item.finding.rule}] {item.key}: {item.url}",
        category=fact.category,
        severity=fact.severity,
        finding=item.finding,
        config=item,
    )


def _unresolved_facts(index: int, name: str, unresolved: Sequence[Resolution]) -> Iterator[Fact]:
    seen: set[str] = set()
    for resolution in unresolved:
        text = str(resolution.dependency)
        if text in seen:
            continue
        seen.add(text)
        yield Fact(
            FactKind.UNRESOLVED,
            "status:unresolved",
            index,
            name,
            resolution.dependency.name,
            f"{_NOTHING_PROVIDES}{_unmet(text, resolution.missing)}",
            resolution=resolution,
        )


_NOTHING_PROVIDES = "nothing provides "


def _unmet(text: str, missing: Sequence[str]) -> str:
    """What nothing provides: the unmet parts of a rich requirement, and the requirement."""
    parts = ", ".join(missing)
    return text if not parts or parts == text else f"{parts} (in {text})"


_LINE = re.compile(r":\d+:")
_GAP_RULES = {kind: f"gap:{kind.value}" for kind in GapKind}
"""Built once: a distribution can have a gap per package, and an enum's value is a Python property."""


_gap = direct_constructor(Gap)
_SOURCE_NOT_AUDITED = GapKind.SOURCE_NOT_AUDITED
_SOURCE_NOT_AUDITED_RULE = _GAP_RULES[_SOURCE_NOT_AUDITED]
_SOURCE_NOT_AUDITED_TEXT = f"not seen: {_SOURCE_NOT_AUDITED.value}: "
"""What ``f"not seen: {gap}"`` starts with for such a gap (`Gap.__str__`)."""


def gap_fact(index: int | None, subject: str, gap: Gap) -> Fact:
    text = f"not seen: {gap}"
    return _fact(FactKind.GAP, _GAP_RULES[gap.kind], index, subject, _gap_capability(gap), text, gap=gap)


def _gap_capability(gap: Gap) -> str:
    detail = gap.detail
    # Line numbers move with every edit of a spec; the gap stays the same gap.
    return _LINE.sub(":", detail) if ":" in detail else detail


class SourceGaps:
    """What could not be seen of a binary's source packages, as gaps of the binary.

    A binary's evidence includes its source package's (the Source and Patch URLs a finding
    of the binary names "from" it), and its build-side verdict is the source's BuildRequires:
    where the source's header could not be read, a Source not expanded, a spec conditional not
    decided, the binary's verdict rests on what was not seen as much as the source's. So the
    binary carries those gaps too, audited beside its source or not (``--roots`` audits the
    binary alone), rather than show clean and complete beside a source that is not. A binary
    read from the same spec already carries the spec's gaps: those are not said twice.
    """

    def __init__(self, packages: Sequence[Package]) -> None:
        self._packages = packages
        self._of_source: dict[int, tuple[tuple[Gap, Gap], ...]] = {}

    def of(self, binary: Package, sources: Sequence[int]) -> list[Gap]:
        """The gaps of ``binary`` from ``sources`` (those it may have been built from)."""
        gaps: list[Gap] = []
        said_already: set[Gap] | None = None
        for source in sources:
            pairs = self._of_source.get(source)
            if pairs is None:
                pairs = self._of_source[source] = self._pairs(self._packages[source])
            if pairs:
                if said_already is None:
                    said_already = {*binary.gaps, *unjudged_gaps(binary)}
                for gap, said in pairs:
                    # Two copies of one source package (`also_built_from`: the same NEVRA, so
                    # the same words) with the same gap are one thing the binary did not see.
                    if gap not in said_already and said not in said_already:
                        said_already.add(said)
                        gaps.append(said)
        return gaps

    @staticmethod
    def _pairs(source: Package) -> tuple[tuple[Gap, Gap], ...]:
        """Each gap of ``source`` with the binary's reading of it (the source named)."""
        of = f" (of {source.nevra}, which it was built from)"
        gaps = (*source.gaps, *unjudged_gaps(source))
        return tuple((gap, replace(gap, detail=gap.detail + of)) for gap in gaps)


class MissingSources:
    """The gap facts of binaries whose source package is not among the inputs.

    Every binary built from one source package shares that gap's `Gap`, capability and text:
    a distribution read from its metadata alone has such a gap for every package.
    """

    def __init__(self) -> None:
        self._said: dict[str, tuple[Gap, str, str, str]] = {}
        self._said_spec_only: dict[str, tuple[Gap, str, str, str]] = {}

    def fact(
        self, index: int, package: Package, *, spec_only: bool = False, other_build: bool = False
    ) -> Fact:
        """The gap of ``package``, a binary whose SOURCERPM names no package of the run, or
        is empty: rpmbuild writes it in every binary, so a binary without one hides where it
        came from; or, ``other_build``, names only other builds than its SOURCEPKGID's."""
        sourcerpm = package.sourcerpm or ""
        if other_build:  # the words name the MD5, or else the package
            sourcerpm = f"{sourcerpm}\0{package.source_pkgid or package.name}"
        # Keyed by the SOURCERPM alone for a binary with no spec of its version (nearly all): a
        # tuple made and hashed for each package of a distribution cost more than the lookup.
        said = self._said.get(sourcerpm) if not spec_only else self._said_spec_only.get(sourcerpm)
        if said is None:
            if other_build and package.source_pkgid is None:
                detail = (
                    f"{package.sourcerpm} is among the inputs, but another build of it: its spec builds no "
                    f"package named {package.name}"
                )
            elif other_build:
                detail = (
                    f"{package.sourcerpm} is among the inputs, but another build of it: the package was "
                    f"built from the one whose MD5 is {package.source_pkgid} (its SOURCEPKGID), which is not"
                )
            elif not sourcerpm:
                detail = "its source package is unknown: the package names none (no SOURCERPM)"
            elif spec_only:
                # ``spec_only``: a spec of that name, version and release is in the run; it is
                # what would be built now, not what this package was built from.
                detail = f"{sourcerpm} is not among the inputs, only a spec of the same version"
            else:
                detail = f"{sourcerpm} is not among the inputs"
            # A miss for each SOURCERPM (34,000 of distro-60k's 63,000 binaries): made without
            # the dataclass's __init__, an enum's hash or ``str(gap)``, which the text below
            # spells out (``detail`` is never empty).
            gap = _gap(_SOURCE_NOT_AUDITED, detail)
            said = (gap, _SOURCE_NOT_AUDITED_RULE, _gap_capability(gap), _SOURCE_NOT_AUDITED_TEXT + detail)
            (self._said_spec_only if spec_only else self._said)[sourcerpm] = said
        gap, rule, capability, text = said
        return _fact(FactKind.GAP, rule, index, package.name, capability, text, gap=gap)
