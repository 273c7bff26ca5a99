"""Apply a policy to packages: the origin evidence each one carries, itself or from its source."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import NamedTuple

from auditor.core.errors import InputError
from auditor.origin.findings import ConfigFinding, Finding
from auditor.origin.policy import Policy
from auditor.origin.rules import HostRule, Rule
from auditor.origin.urls import package_urls, url_readings
from auditor.rpm.model import Dependency, Package, with_fields
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources.interface import ConfigUrl

ExtraFindings = Mapping[int, Sequence[Finding]]
"""Evidence found outside the package by the caller (a Source URL's redirect chain), per package id."""


def classify(
    packages: Sequence[Package],
    policy: Policy,
    indices: Sequence[int] | None = None,
    extra: ExtraFindings | None = None,
    audited: int | None = None,
) -> dict[int, list[Finding]]:
    """Findings per package id (packages without any are left out). A binary inherits the
    findings of its source package in the run: of each it may have been built from
    (`built_from`, whose ``audited`` this is).

    ``extra`` findings count as the package's own: the policy's threshold and allow
    entries apply to them, and binaries inherit them from their source package.
    """
    chosen = range(len(packages)) if indices is None else indices
    extra = extra or {}
    rules = _split_rules(policy)
    own: dict[int, list[Finding]] = {}
    for index in chosen:
        own[index] = _own_findings(packages[index], policy, rules, extra.get(index, ()))
    sources = built_from(packages, audited)
    result: dict[int, list[Finding]] = {}
    for index in chosen:
        findings = list(own[index])
        seen = {(f.rule, f.value) for f in findings}
        for source_index in sources.of(index):
            source_findings = own.get(source_index)
            if source_findings is None:
                source_findings = _own_findings(
                    packages[source_index], policy, rules, extra.get(source_index, ())
                )
            source_nevra = packages[source_index].nevra
            for finding in source_findings:
                if (finding.rule, finding.value) not in seen:
                    seen.add((finding.rule, finding.value))
                    inherited = replace(finding, inherited_from=source_nevra, allowed_by=None)
                    findings.append(_allowed(packages[index], inherited, policy))
        if findings:
            result[index] = findings
    return result


def _own_findings(
    package: Package, policy: Policy, rules: _Rules, extra: Iterable[Finding] = ()
) -> list[Finding]:
    findings = _matched(package, policy, rules, extra)
    if package.alternatives:
        # Each other value a spec may give a field is judged as that field's value; the values of
        # a field that holds many (capabilities, the names built) are judged together, in one.
        seen = {(finding.rule, finding.value) for finding in findings}
        variants: list[Package] = []
        many: defaultdict[str, list[str]] = defaultdict(list)
        for field, value in package.alternatives:
            if field == "builds":
                continue  # read by the component rule from the alternatives themselves
            if field in _MANY_VALUED:
                many[field].append(value)
            else:
                variants.append(with_fields(package, alternatives=(), **{field: value}))
        if many:
            values = {field: tuple(map(_MANY_VALUED[field], names)) for field, names in many.items()}
            variants.append(with_fields(package, alternatives=(), **values))
        for variant in variants:
            for finding in _matched(variant, policy, rules, ()):
                if (finding.rule, finding.value) not in seen:
                    seen.add((finding.rule, finding.value))
                    findings.append(finding)
    return findings


_MANY_VALUED: dict[str, Callable[[str], object]] = {str(kind): Dependency for kind in DEPENDENCY_KINDS}
"""The fields of `Package.alternatives` that hold many values, and how one is made of its text."""


def _matched(package: Package, policy: Policy, rules: _Rules, extra: Iterable[Finding]) -> list[Finding]:
    findings = []
    matched: Iterable[Finding] = chain.from_iterable(rule.match(package) for rule in rules.others)
    if rules.hosts:
        urls = list(package_urls(package, rules.needles))  # once for every host rule
        if urls:
            matched = chain(chain.from_iterable(rule.match_urls(urls) for rule in rules.hosts), matched)
    for finding in chain(matched, extra):
        if finding.severity < policy.taint_severity:
            finding = replace(finding, taints=False)
        findings.append(_allowed(package, finding, policy))
    return findings


class _Rules(NamedTuple):
    hosts: list[HostRule]
    needles: Callable[[str], bool] | None
    """Whether a text names a host a host rule matches (`_naming`): a URL naming none is never parsed."""
    others: list[Rule]


def _split_rules(policy: Policy) -> _Rules:
    hosts = [rule for rule in policy.rules if isinstance(rule, HostRule)]
    names = sorted({needle for rule in hosts for needle in rule.needles})
    needles = _naming(names) if names else None
    return _Rules(hosts, needles, [rule for rule in policy.rules if not isinstance(rule, HostRule)])


def _naming(names: Sequence[str]) -> Callable[[str], bool]:
    """Whether a text contains one of ``names`` (lower-case host names), in any case. An ASCII
    text is lowered and searched case-sensitively: a case-insensitive search of the names took
    five times as long (distro-10k's 9,220 URL tags: 33 ms against 6 ms). Another text, or
    names beyond ASCII, are searched case-insensitively: Python's ``re`` matches a long s
    (U+017F) with ``s`` and the Kelvin sign with ``k`` then, where a lowered text keeps them apart."""
    any_case = re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)
    if not all(name.isascii() and name == name.lower() for name in names):
        return lambda text: any_case.search(text) is not None
    lowered = re.compile(any_case.pattern)

    def naming(text: str) -> bool:
        if text.isascii():
            return lowered.search(text.lower()) is not None
        return any_case.search(text) is not None

    return naming


def classify_config(urls: Iterable[ConfigUrl], policy: Policy) -> list[ConfigFinding]:
    """The configured repository URLs on policy hosts, one finding per matching host rule.

    Allow entries name packages, so none applies here; a disabled section's finding is
    kept but does not taint.
    """
    found: list[ConfigFinding] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for item in urls:
        # dnf fetches with librepo, through curl: its reading of the URL counts (`url_readings`).
        rules = [rule for parsed in url_readings(item.url) for rule in policy.host_rules(parsed)]
        for rule in rules:
            key = (item.file, item.section, item.key, item.url, rule.id)
            if key in seen:
                continue
            seen.add(key)
            finding = rule.finding(item.key, item.url)
            if not item.enabled:
                finding = replace(finding, taints=False, message=f"{finding.message} (section disabled)")
            elif finding.severity < policy.taint_severity:
                finding = replace(finding, taints=False)
            found.append(ConfigFinding(item.file, item.section, item.key, item.url, finding))
    return found


def _allowed(package: Package, finding: Finding, policy: Policy) -> Finding:
    for allow in policy.allows:
        if allow.matches(package, finding):
            return replace(finding, allowed_by=allow.id)
    return finding


@dataclass(frozen=True)
class BuiltFrom:
    """Which source packages each binary of a run may have been built from (`built_from`)."""

    first: dict[int, int]
    """Binary id -> its source package (the one its chains name)."""
    others: dict[int, tuple[int, ...]]
    """Binary id -> the other copies of its source package it may have been built from, when
    the run cannot tell which one it was (rare: kept apart, a distribution has 60,000 binaries)."""
    other_builds: set[int] = field(default_factory=set)
    """Binaries whose SOURCEPKGID names none of the run's copies of their source package: each
    is another build of it, and the one they were built from is not in the run."""

    def of(self, binary: int) -> tuple[int, ...]:
        first = self.first.get(binary)
        return () if first is None else (first, *self.others.get(binary, ()))


MAX_UNTOLD_COPIES = 64
"""Differing copies of one source package equally near a binary built from it, which is then
judged by each (the run cannot tell which one it was built from): a vendor's build and a
rebuild are two. Each binary carries every copy's evidence, so 1,000 copies of one vendor
each and 1,000 binaries made an 800 MB report in 24 s from 0.7 MB of metadata (3,000 with no
evidence took 48 s). Past it the run is refused, naming the input."""


def built_from(packages: Sequence[Package], audited: int | None = None) -> BuiltFrom:
    """The source packages each binary may have been built from. ``audited``: how many of
    ``packages``, from the first, come from the audited inputs (None: all); the context is
    read after them.

    A binary names the file of its source package (SOURCERPM, `Package.built_from_key`), not
    which copy: two inputs may each hold one of that name, say a vendor's build and a rebuild
    of the same N-V-R. An audited binary's source package is an audited input's copy, a context
    binary's the context's (a vendor's binary read to resolve was built from the vendor's
    source package, not from the rebuild audited), when the run holds one; of those, the copies
    of the binary's epoch if any (SOURCERPM names none); of those, the copies
    nearest the binary (`_nearest`: its own repository's, or the source repository beside it);
    and where that leaves several that differ, every one of them is, as the run cannot tell
    which the binary came from and a clean verdict must not rest on a guess."""
    firsts: dict[tuple[str, bool], int] = {}
    copies: dict[tuple[str, bool], list[int]] = {}
    for index, package in enumerate(packages):
        if package.is_source:
            name = package.source_key
            if name not in firsts:
                firsts[name] = index
            else:
                copies.setdefault(name, [firsts[name]]).append(index)
    pairs = BuiltFrom({}, {})
    if not firsts:
        return pairs
    last_audited = len(packages) if audited is None else audited
    known: dict[
        tuple[str, tuple[str, bool], bool, int, str | None, tuple[int, ...]], tuple[int, tuple[int, ...]]
    ] = {}
    for index, package in enumerate(packages):
        key = None if package.is_source else package.built_from_key
        if key is None or key not in firsts:
            continue
        candidates = copies.get(key)
        link = package.source_pkgid
        pool = candidates or [firsts[key]]
        built = () if link is None else _built_with(packages, pool, link, package.arch)
        # rpm's own pairing, a copy with the MD5 its SOURCEPKGID names, is its source whatever the
        # spec read says; else a copy whose spec builds no package of its name is not.
        building = (
            list(built) if built else [source for source in pool if may_have_built(packages[source], package)]
        )
        if built is None or not building:
            pairs.other_builds.add(index)  # still judged by the copies: a clean verdict rests on none
        if candidates is None:
            pairs.first[index] = firsts[key]
            continue
        if building and not built and len(building) != len(candidates):
            candidates = building
        # Of the binary's own side if it has any (else all of them), the nearest copies.
        side = index < last_audited
        # SOURCERPM has no epoch, but a binary has its source package's unless its %package
        # sets another: a copy of another epoch is another build, however near it lies.
        epoch = package.epoch or 0
        # The binaries of one input and source package share the answer: asked for each, it
        # weighed every copy for every binary, n x n for n copies and n binaries.
        memo = (package.input, key, side, epoch, link, tuple(candidates))
        chosen = known.get(memo)
        if chosen is None:
            candidates = [source for source in candidates if (source < last_audited) == side] or candidates
            candidates = [
                source for source in candidates if (packages[source].epoch or 0) == epoch
            ] or candidates
            first, *others = _distinct(packages, _nearest(package.input, candidates, packages))
            if len(others) >= MAX_UNTOLD_COPIES:
                raise InputError(
                    package.input,
                    f"{len(others) + 1} differing copies of {key[0]} are equally near the binaries built "
                    f"from it: more than {MAX_UNTOLD_COPIES}, each binary would carry every copy's "
                    "evidence (the run cannot tell which one it was built from); refused",
                )
            if built:
                # rpm's own pairing, the copy the binary's SOURCEPKGID names, comes first; the
                # nearest stay (red team: a binary built from a Citrix SRPM, beside a rebuild of
                # the same N-V-R, was judged by the rebuild alone).
                others = [source for source in dict.fromkeys((first, *others, *built)) if source != built[0]]
                first = built[0]
            chosen = known[memo] = (first, tuple(others))
        pairs.first[index] = chosen[0]
        if chosen[1]:
            pairs.others[index] = chosen[1]
    return pairs


GENERATED_SUFFIXES = ("-debuginfo", "-debugsource")
"""The subpackages rpmbuild adds of itself (``%debug_package``, find-debuginfo), with no ``%files``
section of the spec (`Package.builds` misses them)."""


def may_have_built(source: Package, binary: Package) -> bool:
    """Whether ``source``'s spec may build ``binary``: its packages unknown (`Package.builds`
    None), or one of them has the binary's name, or rpmbuild makes it of itself
    (`GENERATED_SUFFIXES`). The spec was read for the architecture its SRPM was built for (its
    SOURCEPKGID's second word): a binary of another one (an ``%ifarch i686`` subpackage) may be
    built by a build there."""
    if source.builds is None or binary.name in source.builds or binary.name.endswith(GENERATED_SUFFIXES):
        return True
    built_for = (source.source_pkgid or "").partition(" ")[2]
    return bool(built_for) and binary.arch not in (built_for, "noarch")


def _built_with(
    packages: Sequence[Package], copies: Sequence[int], link: str, arch: str
) -> tuple[int, ...] | None:
    """The ``copies`` whose MD5 is ``link``, the SOURCEPKGID of a binary of ``arch``; None when
    every copy's MD5 is known and none is ``link`` though one was built for ``arch``: the binary
    comes from another build of that target, not in the run. A copy built for another target is
    the other run of a build made once per architecture (``rpmbuild -ba --target`` each),
    which keeps one source package of them all: the same spec, as far as the run can tell."""
    ids = [(packages[source].source_pkgid or "").split() for source in copies]
    same = tuple(source for source, found in zip(copies, ids, strict=True) if found[:1] == [link])
    if same or any(len(found) != 2 for found in ids) or all(found[1] != arch for found in ids):
        return same
    return None


def _nearest(place: str, candidates: Sequence[int], packages: Sequence[Package]) -> list[int]:
    """The ``candidates`` whose input is nearest the binary's (``place``, `nearest`)."""
    return [candidates[at] for at in nearest(place, [packages[source].input for source in candidates])]


def nearest(place: str, places: Sequence[str]) -> list[int]:
    """The positions of the ``places`` (inputs) nearest ``place``: the longest run of leading
    path components in common. A repository's SRPMS/ beside its x86_64/, a walked tree's
    SRPMS/ beside its RPMS/, a .repo file's source URL beside its base one all share their
    release's directory, which another release's copy does not; equally near ones are all
    kept."""
    here = _components(place)
    depth = [_common(here, _components(other)) for other in places]
    best = max(depth)
    return [at for at, found in enumerate(depth) if found == best]


def _components(place: str) -> list[str]:
    if "://" not in place:
        place = os.path.abspath(place)
    return place.rstrip("/").split("/")


def _common(one: list[str], other: list[str]) -> int:
    count = 0
    for mine, theirs in zip(one, other, strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def _distinct(packages: Sequence[Package], candidates: Sequence[int]) -> list[int]:
    """``candidates`` without the copies of one file: the same checksum as an earlier one."""
    seen: set[object] = set()
    kept = []
    for index in candidates:
        checksum = packages[index].checksum
        if checksum is not None:
            if checksum in seen:
                continue
            seen.add(checksum)
        kept.append(index)
    return kept
