"""The contributor check's audits: a repository alone, and with a change in it.

``auditor check NEW... --against BASE...`` audits BASE alone, then BASE with NEW in it (a
NEW package replaces the BASE packages of the same name and architecture, or of any when
either is noarch, as an update would; a source RPM given alone is rebuilt: the binaries its
spec declares replace BASE's of its name, the others of its name are re-pointed at it, and
those its spec no longer builds are gone). What the difference means is
decided by comparing the two audits' facts (`auditor.gate.progress`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from auditor.audit.rebuilds import Rebuilder, built_sources, sources_alone, with_rebuilds
from auditor.audit.result import AuditResult
from auditor.audit.standins import with_stand_ins
from auditor.origin.classify import may_have_built, nearest
from auditor.rpm.archchange import replaces_across
from auditor.rpm.model import Package, with_fields
from auditor.rpm.package_fields import DependencyKind
from auditor.sources.interface import LoadResult


def _key(package: Package) -> tuple[str, str]:
    return package.name, package.arch


Base = TypeVar("Base")


@dataclass(frozen=True)
class ChangeAudit(Generic[Base]):
    before: Base
    """What the caller keeps of the audit of BASE alone (`audit_change`'s ``keep``)."""
    after: AuditResult
    new: tuple[int, ...]
    """Ids, in ``after``, of the packages the change brings."""
    obsoletes: tuple[tuple[int, int], ...]
    """(new package, package it obsoletes), ids in ``after``: a replacement of what it obsoletes."""
    not_rebuilt: tuple[tuple[Package, Package], ...] = ()
    """(BASE binary, the change's source package): a binary of BASE that the spec of a source RPM
    given alone no longer builds (`Package.builds`), absent from ``after`` as from the repository
    rebuilt from it."""


def with_wanted_sources(targets: LoadResult, sources: LoadResult) -> LoadResult:
    """``targets`` with the source packages of ``sources`` (``--sources``) their binaries would
    be judged by, and what reading ``sources`` said (errors, gaps, warnings).

    A copy is taken where it is among the nearest of its name to a binary of the targets
    (`auditor.origin.classify.nearest`, as the run pairs them): the change's own build of a
    base's N-V-R, not the base's source packages held beside its binaries. Each side of a
    comparison so takes only what its binaries were built from: a source package a side took
    for nothing would stand in its facts for the other side's binary built from it (a
    binary and its source package share a fingerprint), and the change's Citrix source
    package would be no news."""
    held: dict[tuple[str, bool], list[str]] = {}
    for package in targets.packages:
        if package.is_source:
            held.setdefault(package.source_key, []).append(package.input)
    offered: dict[tuple[str, bool], list[Package]] = {}
    for package in sources.packages:
        if package.is_source:
            offered.setdefault(package.source_key, []).append(package)
    taken: dict[int, Package] = {}
    for package in targets.packages:
        key = None if package.is_source else package.built_from_key
        if key is None or key not in offered:
            continue
        copies = offered[key]
        own = held.get(key, [])
        for at in nearest(package.input, [*own, *(copy.input for copy in copies)]):
            if at >= len(own):
                taken[id(copies[at - len(own)])] = copies[at - len(own)]
    result = LoadResult()
    result.extend(targets)
    # What reading ``sources`` said, with the packages taken; their file lists serve no binary.
    result.extend(replace(sources, packages=list(taken.values()), file_lists=[], nested={}))
    return result


def _built_for(base: LoadResult, alone: Mapping[str, Package]) -> dict[str, list[str]]:
    """The architectures BASE has binaries of each name of ``alone`` for: its rebuild's hosts (a
    multilib i686 beside x86_64, an x86_64 rebuild of an SRPM an aarch64 builder made)."""
    arches: dict[str, list[str]] = {}
    for package in base.packages:
        name = package.source_name
        if not package.is_source and package.arch != "noarch" and name is not None and name in alone:
            arches.setdefault(name, []).append(package.arch)
    return {name: list(dict.fromkeys(found)) for name, found in arches.items()}


def _rebuilt(
    kept: list[Package], alone: dict[str, Package]
) -> tuple[list[Package], list[tuple[Package, Package]]]:
    """``kept`` (BASE's packages the change does not replace), each binary of a source package
    the change brings ``alone`` built from it; and, apart, those of its binaries its spec no
    longer builds, with that source package.

    A source RPM submitted alone is rebuilt, and what BASE built from the previous one of its
    name with it: BASE's xapi-core stayed built from BASE's xapi, and with ``--roots`` (which
    audits what the roots install, and the source packages through their binaries) the change's
    Citrix Source reached nothing audited: "outside what the roots install", exit 0. A source
    package the change brings with binaries built from it (a spec, an SRPM with its RPMs) leaves
    the binaries it does not bring to BASE's (a spec that no longer builds foo-extra).

    A rebuild makes only what the source package's spec builds: BASE's foo-citrix, whose
    ``%package citrix`` the change's foo spec dropped, was kept, re-pointed at the clean foo,
    and what Requires it stayed resolved, a false clean. It is gone after the rebuild, as from
    the repository dnf reads then. Only when the spec's packages are known: unknown
    (`Package.builds` None), every binary of its name is assumed rebuilt, as before."""
    rebuilt: list[Package] = []
    gone: list[tuple[Package, Package]] = []
    for package in kept:
        source = alone.get(package.source_name or "") if not package.is_source else None
        if source is None or package.from_spec:
            rebuilt.append(package)
            continue
        # A source package's id is its MD5, then the architecture it was built for.
        pkgid = (source.source_pkgid or "").partition(" ")[0]
        if not may_have_built(source, package):
            gone.append((package, source))
        else:
            # Built from it, it carries its MD5 as SOURCEPKGID: BASE's, kept, named another build
            # of the change's SRPM, and every arch-specific binary rebuilt from a source RPM
            # checked alone became a blocking source-not-audited gap (exit 3 under --strict).
            rebuilt.append(with_fields(package, sourcerpm=source.srpm_file_name, source_pkgid=pkgid or None))
    return rebuilt, gone


def audit_change(
    audit: Callable[[LoadResult, LoadResult], AuditResult],
    new: LoadResult,
    base: LoadResult,
    context: LoadResult,
    keep: Callable[[AuditResult], Base],
    sources: LoadResult | None = None,
    stored: Base | None = None,
    rebuild: Rebuilder | None = None,
) -> ChangeAudit[Base]:
    """Audit ``base`` alone and with ``new`` in it (``audit(targets, context)``); each with the
    source packages of ``sources`` its binaries were built from (`with_wanted_sources`).

    What ``keep`` returns of the audit of ``base`` is kept, and the audit let go before the one
    with the change starts: two audits of a distribution alive at once took the check of one
    package against distro-60k to 521 MB. ``stored`` is what ``keep`` returned of the audit of
    the same ``base``, ``sources`` and ``context`` in an earlier run: ``base`` is then audited
    with the change alone. ``rebuild`` reads what the spec of a source RPM given alone builds
    (`auditor.sources.rebuildspec`): those binaries are the change's, as a spec's would be."""
    sources = sources or LoadResult()
    before = stored if stored is not None else keep(audit(with_wanted_sources(base, sources), context))
    alone = {package.name: package for package in sources_alone(new.packages)}
    if rebuild is not None:
        # Its rebuild was BASE's binaries of its name, re-pointed at it: a Requires its new spec
        # adds on a Citrix package, and a subpackage it adds, were unseen, and ``check
        # foo.src.rpm`` said "nothing gets worse" where ``check foo.spec`` of it exits 1. Given
        # with some of its binaries, it brings those of its rebuild they leave out (foo-tools,
        # whose %post curls a Citrix host, beside foo.rpm: exit 0 where the SRPM alone blocked).
        # A repository's source package with binaries is not: every SRPM of a remote one would
        # be an unread rebuild (its payload is not downloaded), of a change that brought it whole.
        built = [
            package
            for package in built_sources(new.packages)
            if package.name in alone or package.location == package.input
        ]
        hosts = _built_for(base, {package.name: package for package in built})
        new = with_rebuilds(new, built, rebuild, hosts)
    new = with_stand_ins(new, base)
    replaced = {_key(package) for package in new.packages}
    # A new foo.noarch replaces BASE's foo.x86_64 (and foo.x86_64 BASE's foo.noarch), as dnf
    # upgrades it: kept beside it, it was a second provider of foo, and what needs foo became
    # may-depend on the change's Citrix package, not depends.
    arches: dict[str, set[str]] = {}
    for package in new.packages:
        arches.setdefault(package.name, set()).add(package.arch)
    kept, gone = _rebuilt(
        [
            package
            for package in base.packages
            if not any(replaces_across(arch, package.arch) for arch in arches.get(package.name, ()))
        ],
        alone,
    )
    # A BASE binary the change does not replace was still built from its BASE source package
    # (a spec that no longer builds foo-extra, an update of foo alone): that source package
    # stays for it, or it would lose the evidence it inherits and gain a gap the change did
    # not cause. Not for a source package the change brings alone: BASE's binaries are rebuilt
    # from it, and one of the same N-V-R (a Source changed without a new release) left them
    # paired with BASE's own.
    still_built_from = {key for package in kept if (key := package.built_from_key) is not None}
    kept += [
        package
        for package in base.packages
        if package.is_source
        and _key(package) in replaced
        and package.source_key in still_built_from
        and package.name not in alone
    ]
    merged = LoadResult(
        packages=[*new.packages, *kept],
        errors=[*new.errors, *base.errors],
        inputs=[*new.inputs, *base.inputs],
        config_urls=[*new.config_urls, *base.config_urls],
        warnings=[*new.warnings, *base.warnings],
        gaps=[*new.gaps, *base.gaps],
        file_lists=[*new.file_lists, *base.file_lists],
        hidden_from_dnf={**base.hidden_from_dnf, **new.hidden_from_dnf},
        hidden_on_some_hosts={**base.hidden_on_some_hosts, **new.hidden_on_some_hosts},
    )
    after = audit(with_wanted_sources(merged, sources), context)
    # The run puts its packages in an order of their own (`auditor.audit.pipeline`): the change's
    # are found by what they are, not by where they were given.
    given = {id(package) for package in new.packages}
    new_ids = tuple(index for index, package in enumerate(after.packages) if id(package) in given)
    obsoletes = tuple(  # a new package hidden from dnf replaces nothing: dnf never installs it
        (index, target)
        for index in new_ids
        if index not in after.resolved.hidden
        for match in after.resolved.matches.get(index, ())
        if match.kind is DependencyKind.OBSOLETES
        for target in match.packages
    )
    return ChangeAudit(before, after, new_ids, obsoletes, tuple(gone))
