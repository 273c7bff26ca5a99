"""One audit of packages already read: resolve, classify, propagate, and state the facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

from auditor.audit.facts import MissingSources, SourceGaps, config_fact, gap_fact, package_facts
from auditor.audit.hostsread import with_the_hosts_read
from auditor.audit.options import AuditOptions
from auditor.audit.reposdirs import through_named_reposdirs
from auditor.audit.result import AuditResult, PackageResult
from auditor.audit.sharedvars import through_shared_variables
from auditor.audit.urlvariables import variable_gaps
from auditor.core.construct import direct_constructor
from auditor.core.errors import UsageError
from auditor.deps import askevery, cleanway
from auditor.deps.filereqs import required_files
from auditor.deps.graph import DependencyGraph
from auditor.deps.infarch import banned_by
from auditor.deps.propagation import Propagation, propagate
from auditor.deps.provides import host_arches
from auditor.deps.resolution import Resolution, Resolved, Status
from auditor.deps.resolve import Resolver
from auditor.deps.supplements import Condition, supplementing, surely_installed
from auditor.origin.classify import ExtraFindings, classify, classify_config
from auditor.origin.findings import Finding
from auditor.origin.policy import Policy
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Dependency, Package
from auditor.rpm.package_fields import DependencyKind
from auditor.runtime.parallel import CLASSIFY_FROM, Background, worth_forking
from auditor.runtime.progress import SILENT, Reporter
from auditor.sources.configscope import priority_gap
from auditor.sources.interface import LoadResult, metadata_elsewhere


def audit_packages(
    options: AuditOptions,
    policy: Policy,
    targets: LoadResult,
    context: LoadResult,
    progress: Reporter = SILENT,
    extra_findings: Callable[[Sequence[Package]], ExtraFindings] | None = None,
    warnings: Sequence[str] = (),
    extra_gaps: Sequence[Gap] = (),
) -> AuditResult:
    """Resolve, classify and propagate. ``extra_findings`` adds evidence found outside the
    packages (the redirect chains of their URLs) before classification, so it propagates
    like any other finding; ``extra_gaps`` is what it could not see, filled as it runs."""
    # In one order whatever the order of the inputs (arguments, file names in a directory,
    # entries of a repository's primary.xml): where two chains are equally near, the graph's
    # order picks the one a report shows, and the same packages must give the same report.
    options, host_note = with_the_hosts_read(options, targets, context)
    order = _input_free_order
    packages = [*sorted(targets.packages, key=order), *sorted(context.packages, key=order)]
    audited_ids = range(len(targets.packages))
    arches = host_arches(options.arches) if options.arches else None
    extra = extra_findings(packages) if extra_findings is not None else None
    own_gaps: dict[int, list[Gap]] = {}  # what the policy cannot judge of a package's installs
    extra = through_named_reposdirs(packages, policy, extra, own_gaps)
    extra = through_shared_variables(packages, policy, extra, own_gaps)
    config_gaps = variable_gaps(packages[: len(targets.packages)], targets.config_urls, policy, own_gaps)
    # Classification needs no edges: a large run classifies on the other core meanwhile.
    classified = Background(
        partial(classify, packages, policy, extra=extra, audited=len(targets.packages)),
        fork=worth_forking(len(packages), CLASSIFY_FROM),
    )
    # The repositories' filelists.xml that file requirements need, read before resolving, so
    # that one that cannot be read is an input error of this run like any other.
    wanted_files = required_files(packages)
    targets.complete_files(wanted_files)
    context.complete_files(wanted_files)
    # What a repository's configuration hides from dnf is audited, and provides nothing.
    hidden_from_dnf = {**targets.hidden_from_dnf, **context.hidden_from_dnf}
    hidden = frozenset(index for index, package in enumerate(packages) if id(package) in hidden_from_dnf)
    # What one reader of a configuration hides is on the other's hosts only: a provider there.
    partly = {**targets.hidden_on_some_hosts, **context.hidden_on_some_hosts}
    hidden_on = {index: partly[id(p)].hidden_by for index, p in enumerate(packages) if id(p) in partly}
    resolver = Resolver(
        packages,
        arches=arches,
        rpm_features=policy.rpm_features,
        wanted_files=wanted_files,
        hidden=hidden,
        hidden_on=hidden_on,
    )
    # --roots follows the weak dependencies dnf installs: they are resolved for it too.
    weak = options.weak or bool(options.roots and options.install_weak_deps)
    resolved = resolver.resolve_all(weak=weak, progress=progress)
    supplements = None
    if options.roots and options.install_weak_deps:
        supplements = supplementing(resolver.index, resolved.requirements, resolved.installable)
    # What multilib packages an installation bans (the Supplements it gathers are resolved here).
    bans = banned_by(packages, resolved.requirements, resolved.installable, options.arches, resolver.resolve)
    del resolver  # its index and cache: what the graph, the facts and the report build reuses
    progress.phase("building the dependency graph")
    graph = DependencyGraph(
        packages, resolved, build_hosts=options.arches, audited=len(targets.packages), bans=bans
    )
    progress.phase("classifying")
    findings = classified.result()
    audited = {index for index in audited_ids if index in resolved.audited}
    arch_note = _left_out_by_arch(options, len(targets.packages), len(audited))
    roots = _roots(options.roots, packages, resolved)
    if options.roots:  # before propagating: it adds the weak dependencies dnf follows to the graph
        installed = _installed(roots, graph, resolved, supplements, audited)
        # A root dnf installs from a context repository (a newer one of the name, one that
        # obsoletes it) has no audited package requiring it to carry its taint: it is audited.
        audited = (audited & installed) | set(roots)
    progress.phase("propagating")
    propagation = propagate(graph, findings)
    results = _results(
        sorted(audited, key=_package_order(packages)),
        options,
        graph,
        findings,
        propagation,
        len(targets.packages),
        own_gaps,
    )
    resolved.release()
    elsewhere = metadata_elsewhere(targets.errors, context.errors)
    config_findings = classify_config([*targets.config_urls, *context.config_urls, *elsewhere], policy)
    priorities = priority_gap(context.priorities, targets.priorities)  # a section named first
    gaps = [*targets.gaps, *context.gaps, *extra_gaps, *config_gaps, *_unasked_gap(propagation, audited)]
    gaps += [priorities] if priorities is not None else []
    return AuditResult(
        options=options,
        policy=policy,
        packages=packages,
        results=results,
        errors=[*targets.errors, *context.errors],
        inputs=[*targets.inputs, *context.inputs],
        resolved=resolved,
        graph=graph,
        tainted=frozenset(
            (*propagation.origin, *propagation.depends, *propagation.may_depend, *propagation.build_depends)
        ),
        findings=findings,
        roots=roots,
        config_findings=config_findings,
        gaps=gaps,
        run_facts=(
            *(config_fact(item) for item in config_findings),
            *(gap_fact(None, "input", gap) for gap in gaps),
        ),
        warnings=[
            *policy.warnings,
            *targets.warnings,
            *context.warnings,
            *warnings,
            *host_note,
            *arch_note,
            *_screened(propagation),
        ],
    )


def _left_out_by_arch(options: AuditOptions, read: int, kept: int) -> list[str]:
    """Why an audit of packages read audits none: no host of ``--arch`` installs any of them.
    The run fails as an audit of nothing, and said only that (`check` says why, `scan` did not)."""
    if not options.arches or not read or kept:
        return []
    return [f"none of the {read} package(s) read is one a host of --arch {','.join(options.arches)} installs"]


def _screened(propagation: Propagation) -> list[str]:
    """What a run too large to ask every package that may reach a requirement with both an
    origin and a clean provider says: the screen's choice of them was asked, and it misses some."""
    if not propagation.screened_only:
        return []
    return [
        f"more than {askevery.ASK_EVERY:,} packages may reach a requirement with both an origin and a clean "
        "provider: only those the clean-way screen chooses were checked for a clean installation as a "
        "whole, and it misses some, so a package said may-depend may need an origin package to be "
        "installed or built (see the README's Statuses)"
    ]


def _unasked_gap(propagation: Propagation, audited: set[int]) -> list[Gap]:
    """The run's gap for the audited packages the clean-way check left unasked, if any."""
    count = len(propagation.unasked & audited)
    if not count:
        return []
    detail = (
        f"{count} audited package(s) not checked for clean providers that install together"
        f" (past the check's bounds: {cleanway.STEPS:,} requirements walked, {cleanway.ROUNDS}"
        " rounds, past which only the next round's questions are counted): each may depend on"
        " origin packages where it says may-depend, or clean (a source package's buildroot)"
    )
    return [Gap(GapKind.CLEAN_WAY_UNCHECKED, detail, count)]


def _installed(
    roots: Sequence[int],
    graph: DependencyGraph,
    resolved: Resolved,
    supplements: Sequence[tuple[int, Dependency, Condition]] | None,
    audited: set[int],
) -> set[int]:
    """Every package installing ``roots`` may pull in (every alternative counted): their
    Requires, and with ``supplements`` (the Supplements of the run, for ``install_weak_deps``)
    what dnf installs by default too: the providers of a Recommends of a package it installs,
    and a package whose Supplements may be met by those it installs (`auditor.deps.supplements`).
    A Citrix package a meta-package only recommends is installed with it all the same, and
    audited; one of a context repository (not among ``audited``) is not, so each weak dependency
    followed to such a package is an edge of ``graph`` (`DependencyGraph.follow_weak`): it
    taints what installs it, as it would if required. A package no installation of the roots
    can hold (`_never_installed`) is not followed: dnf never installs it with them."""
    never = _never_installed(roots, resolved)
    installed = graph.runtime_closure(roots, never)
    if supplements is None:
        return installed
    certain = surely_installed(roots, resolved.requirements)
    satisfied, recommends = Status.SATISFIED, DependencyKind.RECOMMENDS
    added = installed  # only what the last round added can recommend something new
    # ... or meet a Supplements not met before: one is asked again only when a package it
    # looks at was added (asking every one each round made a chain of 8,000 Recommends beside
    # 8,000 Supplements 64 million questions).
    watchers = _watchers(supplements)
    pending: Sequence[int] = range(len(supplements))
    while True:
        new: set[int] = set()
        for index in added:
            for resolution in resolved.requirements.get(index, ()):
                if resolution.kind is recommends and resolution.status is satisfied:
                    label = Dependency(f"Recommends: {resolution.dependency}")
                    for members in resolution.groups:
                        if not audited.issuperset(members):
                            graph.follow_weak(index, label, members)
                        new.update(members)
        for index, dependency, condition in (supplements[position] for position in pending):
            if index not in installed and condition.may_hold(installed, certain):
                if index not in audited:
                    label = Dependency(f"Supplements: {dependency}")
                    for owner in condition.met_by(installed) or roots:
                        graph.follow_weak(owner, label, (index,))
                new.add(index)
        new -= installed | never
        if not new:
            return installed
        added = graph.runtime_closure(new, never) - installed
        installed = installed | added
        pending = sorted({position for index in added for position in watchers.get(index, ())})


def _never_installed(roots: Sequence[int], resolved: Resolved) -> frozenset[int]:
    """The packages no installation of ``roots`` can hold: each is obsoleted by, or obsoletes, a
    package surely installed with whichever root dnf chooses (the root and the one provider of
    each plain requirement, `surely_installed`), as an Obsoletes is a conflict to libsolv. An
    XCP-ng meta-package's ``Obsoletes: emu-manager`` keeps XenServer's emu-manager out of every
    host it makes, though a package it installs requires ``emu-manager`` (met by its replacement)."""
    kind = DependencyKind.OBSOLETES
    obsoletes = {
        index: frozenset(member for match in matches if match.kind is kind for member in match.packages)
        for index, matches in resolved.matches.items()
    }
    never: frozenset[int] | None = None
    for root in roots:  # the roots are alternatives (the versions of a name, their obsoleters)
        sure = surely_installed((root,), resolved.requirements)
        apart = {member for index in sure for member in obsoletes.get(index, ())}
        apart.update(index for index, targets in obsoletes.items() if not targets.isdisjoint(sure))
        found = frozenset(apart - sure)
        never = found if never is None else never & found
    return never or frozenset()


def _watchers(supplements: Sequence[tuple[int, Dependency, Condition]]) -> dict[int, list[int]]:
    """The Supplements (by position) whose condition each package's installation may change."""
    watchers: dict[int, list[int]] = {}
    for position, (_index, _dependency, condition) in enumerate(supplements):
        for package in condition.watched():
            watchers.setdefault(package, []).append(position)
    return watchers


def _roots(names: Sequence[str], packages: Sequence[Package], resolved: Resolved) -> tuple[int, ...]:
    """The installable packages ``--roots`` names (every name must match one), and those that
    obsolete one of them: ``dnf install NAME`` chooses among the packages named NAME and their
    obsoleters (dnf's ``obsoletes``, on by default), and libsolv installs the obsoleting one."""
    if not names:
        return ()
    named = tuple(index for index in resolved.installable if packages[index].name in names)
    missing = set(names) - {packages[index].name for index in named}
    if missing:
        said = f"--roots: no package named {', '.join(sorted(missing))} in the run"
        # Why a name the run holds is not one dnf can install, as dnf says "All matches were
        # filtered out by exclude filtering": the user's command was not wrong, the run is.
        hidden = missing & {packages[index].name for index in resolved.hidden}
        binaries = {package.name for package in packages if not package.is_source} & missing - hidden
        sources = {package.name for package in packages if package.is_source} & missing - hidden - binaries
        reasons = [
            f"{', '.join(sorted(names))}: {reason}"
            for names, reason in (
                (hidden, "its repository's exclude or includepkgs hides it"),
                (binaries, "built only for architectures the run's hosts do not install (--arch)"),
                (sources, "only a source package, which dnf does not install"),
            )
            if names
        ]
        if reasons:
            said += f" that dnf can install ({'; '.join(reasons)})"
        raise UsageError(said)
    wanted = set(named)
    obsoleting = tuple(
        index
        for index in resolved.installable
        if index not in wanted
        and any(
            match.kind is DependencyKind.OBSOLETES and not wanted.isdisjoint(match.packages)
            for match in resolved.matches.get(index, ())
        )
    )
    return named + obsoleting


def _input_free_order(package: Package) -> tuple[str, str, str, str, int, str, str]:
    """A package's place in the run: by what it is, then where it was read (copies of one NEVRA)."""
    return (
        package.name,
        package.version,
        package.release,
        package.arch,
        package.epoch or 0,
        package.input,
        package.location,
    )


def _package_order(packages: Sequence[Package]) -> Callable[[int], tuple[str, str, str]]:
    return lambda index: (packages[index].name, packages[index].arch, packages[index].nevra)


def _results(
    audited: Sequence[int],
    options: AuditOptions,
    graph: DependencyGraph,
    findings: Mapping[int, Sequence[Finding]],
    propagation: Propagation,
    context_from: int,
    own_gaps: Mapping[int, Sequence[Gap]],
) -> list[PackageResult]:
    """Each audited package's verdict, chain, unresolved requirements and facts. The ids from
    ``context_from`` are context packages (a root dnf installs from a context repository): one
    whose source package is not in the run is no gap, as for any context package."""
    packages, resolved = graph.packages, graph.resolved
    failed = (Status.UNRESOLVED, Status.INVALID)
    source_keys = {p.source_key for p in packages if p.is_source}
    missing_sources = MissingSources()
    source_gaps = SourceGaps(packages)
    results = []
    # Read once, not for each package of a distribution.
    with_unresolved, built_from, weak_reported = graph.unresolved, graph.built_from, options.weak
    for index in audited:
        verdict = propagation.verdict(index)
        unresolved: Sequence[Resolution] = ()
        weak: Sequence[Resolution] = ()
        if index in with_unresolved or weak_reported:  # most packages have none: share one empty tuple
            failures = [r for r in resolved.requirements.get(index, ()) if r.status in failed]
            unresolved = [r for r in failures if r.kind is DependencyKind.REQUIRES]
            # Weak dependencies resolved for --roots alone are reported with --weak only.
            weak = [r for r in failures if r.kind is not DependencyKind.REQUIRES] if options.weak else ()
        own = findings.get(index, ())
        package = packages[index]
        # A binary built from a source package nowhere in the run, or naming none: its Source
        # URLs were not seen. With no source package in the run (a distribution read from its
        # metadata) that is every binary, and none is asked for its keys.
        orphan = index < context_from and not package.is_source
        gap = None
        if orphan and not source_keys:
            gap = missing_sources.fact(index, package)
        elif orphan and package.built_from_key not in source_keys:
            gap = missing_sources.fact(
                index, package, spec_only=(package.source_rpm_key, True) in source_keys
            )
        elif orphan and graph.other_build(index):
            gap = missing_sources.fact(index, package, other_build=True)
        # Most binaries of a run with sources come from one that was seen whole: no list made.
        inherited = source_gaps.of(package, graph.sources_of(index)) if index in built_from else ()
        if index in own_gaps:
            inherited = (*inherited, *own_gaps[index])
        facts = package_facts(index, package, packages, own, propagation, unresolved, gap, inherited)
        results.append(_result(index, package, verdict.verdict, verdict.chain, own, unresolved, facts, weak))
    return results


_result = direct_constructor(PackageResult)
"""`PackageResult`, made faster: one per package of a distribution (`direct_constructor`)."""
