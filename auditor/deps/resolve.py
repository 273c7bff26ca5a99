"""Resolve every requirement of every package against the packages of a run.

The resolver knows nothing of where packages come from. For each requirement it answers
which packages can satisfy it, as a conjunction of alternative sets (each ``group`` is
one set of alternatives; every group must be met):

- ``foo >= 1``          -> one group: the providers of ``foo >= 1``
- ``(a or b)``          -> one group: providers of a, plus providers of b
- ``(a and b)``         -> two groups
- ``(a or (b and c))``  -> two groups: a or b, and a or c (every way of meeting it takes a, or
  b and c: the groups are its conjunctive normal form, `auditor.deps.rich`)
- ``(a >= 1 with a < 2)`` -> one group: the packages providing both at once
- ``(a if b)``          -> a's group when b can be installed, nothing otherwise

Conditional dependencies are read as rpm and a solver meet them, for *every* user: a
requirement is unresolved when it fails for a user who has the condition installed
(if anything provides it), or for a user who does not have it and cannot get out of the
requirement by installing it::

    (A if B)             unresolved iff B can be installed and A cannot
    (A if B else C)      B can be installed ? A must be : C must be
    (A unless B)         unresolved iff A cannot be installed (libsolv: "A, and not B")
    (A unless B else C)  B can be installed ? C must be : A must be

An unresolved requirement keeps the groups it needs whatever provides what is missing:
``(citrixlib and libbase)`` needs citrixlib even while nothing in the run provides libbase.

A binary package is resolved for a host of its own architecture, as libsolv resolves it on
such a host: a provider no such host installs beside it (an aarch64 one for an x86_64
package, `Architectures`) provides nothing to it, and a requirement only such providers meet
is unresolved.

A provider one reader of its repository's configuration hides and the other shows (yum 3's
and dnf's readings of ``exclude``/``includepkgs`` differ, `auditor.sources.interface.PartlyHidden`)
provides on the hosts that see it: a requirement one of whose groups only such providers
meet, all hidden by the same reader, is unresolved, as it is on that reader's hosts.

``rpmlib(...)`` requirements are satisfied by rpm itself when rpm has the feature
(the list is data: the ``[rpm] features`` table of ``data/policy.toml``); the rest
resolves against provides and files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from auditor.core.errors import DependencySyntaxError
from auditor.deps.filereqs import required_files
from auditor.deps.heldconds import installs
from auditor.deps.hosts import EVERY_HOST, Host, lacking_on_dnf_hosts, on_its_hosts, present_on
from auditor.deps.provides import Architectures, ProvidesIndex
from auditor.deps.resolution import ROUGH, Match, Resolution, Resolved, Status
from auditor.deps.rich import Evaluation
from auditor.deps.triggers import triggers
from auditor.deps.versions import BISECT_FROM, VersionIndex
from auditor.rpm.deps import one_package_holds, parse, refused
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.model import EVR, Dependency, Op, Package
from auditor.rpm.package_fields import DEPENDENCY_KINDS, WEAK_DEPENDENCY_KINDS, DependencyKind
from auditor.runtime.progress import SILENT, Reporter
from auditor.sources.interface import ConfigReader

PROGRESS_EVERY = 1024
"""Packages resolved between two reports of progress."""


_Answer = tuple[Status, tuple[tuple[int, ...], ...], tuple[str, ...], str, tuple[tuple[int, ...], ...]]
"""A requirement's `Resolution` past its kind and dependency: status, groups, missing, detail, every_host."""


class Resolver:
    """Answers "which packages satisfy this requirement?" for the packages of one run."""

    def __init__(
        self,
        packages: Sequence[Package],
        *,
        arches: frozenset[str] | None = None,
        rpm_features: Mapping[str, str] | None = None,
        wanted_files: frozenset[str] | None = None,
        hidden: frozenset[int] = frozenset(),
        hidden_on: Mapping[int, ConfigReader] | None = None,
    ) -> None:
        """``wanted_files``: `required_files` of ``packages``, when the caller has it already.
        ``hidden``: the packages dnf does not see (`LoadResult.hidden_from_dnf`): their own
        requirements are resolved, and they meet none. ``hidden_on``: the packages one reader
        of their configuration hides (`LoadResult.hidden_on_some_hosts`), and that reader."""
        hidden, self.hidden_on = lacking_on_dnf_hosts(packages, hidden, hidden_on or {})
        self.present_on = present_on(packages, self.hidden_on)
        self.packages = packages
        wanted = required_files(packages) if wanted_files is None else wanted_files
        self.index = ProvidesIndex(packages, arches=arches, wanted_files=wanted, hidden=hidden)
        self.arches = arches
        self.rpm_features = rpm_features
        # By kind, then by the dependency object's id: readers intern equal dependencies, and
        # hashing a frozen dataclass (its name, EVR and qualifiers) costs more than resolving
        # it twice. The resolution holds the dependency, so no other object takes its id.
        self._cache: dict[str, dict[int, Resolution]] = {kind.value: {} for kind in DEPENDENCY_KINDS}
        self._architectures = Architectures()
        self._together = self._architectures.together
        self._partly: dict[tuple[int, frozenset[Host], str | None], Resolution] = {}
        """(id of a cached resolution, the hosts that have its package, its architecture
        unless noarch or a source package) -> that resolution on the hosts of the package
        (`_on_its_hosts`)."""
        self._arch_of = [package.arch for package in packages]
        self._arches: frozenset[str] | None = None
        """The distinct architectures of the run's packages, made at the first `_fitting`."""
        self._fits: dict[str, frozenset[str]] = {}
        """An architecture -> the architectures of the run a host installs beside it (`_fitting`)."""
        self._hosted: dict[str, dict[int, Resolution]] = {}
        """An architecture -> id of a cached resolution -> that resolution for a package of it
        (by architecture first: no key tuple is made for each of a distribution's requirements)."""
        self._matched: dict[tuple[DependencyKind, str, Op | None, EVR | None], tuple[int, ...]] = {}
        """(kind, name, operator, EVR) of a plain Conflicts or an Obsoletes -> the packages it
        matches: one tuple, shared by every package that declares it. n packages obsoleting the
        n versions of one name hold one tuple of n, not n tuples (`auditor.deps.coinstall`
        reads the sharing too)."""
        self._named_versions: dict[str, VersionIndex] = {}
        """Package name -> the versions of the packages of that name, sorted (`obsoleted`)."""
        self._rich_conflicts: dict[str, tuple[frozenset[int], tuple[int, ...]]] = {}
        """A rich Conflicts -> the packages it involves (`Evaluation.involved`) and what it matches
        for a package not among them (and for a source package): shared by every such package."""
        self._host_only: dict[int, tuple[tuple[str, frozenset[int]], ...]] = {}
        """Id of a cached resolution of a rich requirement some of whose groups only some hosts
        need (`Resolution.every_host`) -> its conditions a package holds by providing them, and
        their providers: what a package's other requirements may decide (`_with_held_conditions`)."""
        self._refuses = False  # only once an unless is met, each package's refusals are asked
        self._held: dict[tuple[int, frozenset[str]], Resolution] = {}
        """(id of a cached resolution, the conditions a package holds) -> it read on the hosts
        with them (`_with_held_conditions`)."""

    def resolve_all(
        self, audited: Iterable[int] | None = None, *, weak: bool = True, progress: Reporter = SILENT
    ) -> Resolved:
        """Resolve the requirements of ``audited`` (default: every package allowed by ``arches``)."""
        if audited is None:
            audited = [
                index
                for index, package in enumerate(self.packages)
                if self.arches is None or package.is_source or package.arch in self.arches
            ]
        audited_set = frozenset(audited)
        result = Resolved(
            self.packages,
            audited_set,
            installable=self.index.installable,
            hidden=self.index.hidden,
            hidden_on=self.hidden_on,
            present_on=self.present_on,
        )
        kinds = (DependencyKind.REQUIRES, *WEAK_DEPENDENCY_KINDS) if weak else (DependencyKind.REQUIRES,)
        resolve = self.resolve
        known_requirement = self._cache[DependencyKind.REQUIRES.value].get
        requirements = result.requirements
        progress.phase("resolving requirements", len(audited_set))
        for position, index in enumerate(audited_set, start=1):
            if not position % PROGRESS_EVERY:
                progress.advance(PROGRESS_EVERY)
            package = self.packages[index]
            # Most requirements were resolved for an earlier package: looked up here, no call.
            resolutions = [known_requirement(id(dep)) or resolve(dep) for dep in package.requires]
            if self._host_only and not self._host_only.keys().isdisjoint(map(id, resolutions)):
                self._with_held_conditions(resolutions, index)
            for kind in kinds[1:]:
                resolutions.extend(resolve(dep, kind) for dep in getattr(package, kind.value))
            arch = package.arch
            if self.hidden_on:
                hosts = self.present_on.get(index, EVERY_HOST)
                # A provider no host of the package's architecture installs meets it on no host.
                beside = None if arch == "noarch" or package.is_source else arch
                resolutions = [
                    self._partly.get((id(resolution), hosts, beside))
                    or self._on_its_hosts(resolution, hosts, beside)
                    for resolution in resolutions
                ]
            if arch != "noarch" and not package.is_source:
                hosted = self._hosted.get(arch)
                if hosted is None:
                    hosted = self._hosted[arch] = {}
                known_on_host = hosted.get
                resolutions = [
                    known_on_host(id(resolution)) or self._on_host(resolution, arch, hosted)
                    for resolution in resolutions
                ]
            requirements[index] = resolutions
            forbidden = refused(package.requires) if self._refuses else ()  # (A unless B): a Conflicts with B
            alone = forbidden and not package.is_source
            if alone and any(index in self.conflicting(d, None) for d in forbidden):
                result.refusing_themselves.add(index)  # B of its own: libsolv never installs it
            if package.conflicts or package.obsoletes or forbidden:
                owner = None if package.is_source else index
                matches = [
                    Match(DependencyKind.CONFLICTS, dep, self.conflicting(dep, owner))
                    for dep in (*package.conflicts, *forbidden)
                ]
                matches += [
                    Match(DependencyKind.OBSOLETES, dep, self.obsoleted(dep)) for dep in package.obsoletes
                ]
                result.matches[index] = matches
        progress.advance(len(audited_set) % PROGRESS_EVERY)
        return result

    def _with_held_conditions(self, resolutions: list[Resolution], owner: int) -> None:
        """Read again, in place, each conditional requirement of package ``owner`` whose conditions
        it holds: it provides one, or every way of meeting another requirement installs a provider.
        ``libd >= 2`` beside ``(libf if libd >= 2)`` needs libf on every installation, as libsolv
        finds; read alone, a host without ``libd >= 2`` needs nothing (rt-rich, seed 74)."""
        for position, resolution in enumerate(resolutions):
            conditions = self._host_only.get(id(resolution))
            if conditions is None or resolution.status is not Status.SATISFIED:
                continue
            held = frozenset(
                text
                for text, of in conditions
                if owner in of or installs(owner, resolutions, position, of, self._requirements_of)
            )
            if not held:
                continue
            key = (id(resolution), held)
            found = self._held.get(key)
            if found is None:  # kept: the caches below are keyed by a resolution's id
                found = self._held[key] = self._read_again(resolution, held)[0]
            resolutions[position] = found

    def _requirements_of(self, index: int) -> list[Resolution]:
        """The Requires of package ``index`` as read alone (`heldconds`)."""
        return [self.resolve(dep) for dep in self.packages[index].requires]

    def _read_again(self, resolution: Resolution, given: frozenset[str]) -> tuple[Resolution, Evaluation]:
        """``resolution`` of a rich requirement read on the hosts with the conditions ``given``,
        with the packages that trigger its host-only groups (`auditor.deps.triggers`); and the
        evaluation that read it."""
        evaluation = Evaluation(self.index)
        read = evaluation.requirement(parse(resolution.dependency.name), given)
        groups, every_host = tuple(read.groups), read.every_host
        found = triggers(evaluation, groups, every_host) if not read.rough else ()
        return replace(resolution, groups=groups, every_host=every_host, triggers=found), evaluation

    def _on_host(self, resolution: Resolution, arch: str, hosted: dict[int, Resolution]) -> Resolution:
        """``resolution`` for a package of ``arch``: unresolved when a group has no provider a
        host of ``arch`` installs beside it (whether the other groups do is the resolver's
        answer for every architecture, kept as it is)."""
        found = resolution
        if resolution.status is Status.SATISFIED:
            groups = resolution.groups
            fits, arch_of = self._fitting(arch), self._arch_of
            if all(groups) and all(arch_of[m] in fits for group in groups for m in group):
                hosted[id(resolution)] = found  # every provider goes with it: most requirements
                return found
            packages = self.packages
            kept = [tuple(m for m in group if arch_of[m] in fits) for group in groups]
            if not all(kept):
                pairs = zip(groups, kept, strict=True)
                arches = {packages[m].arch for group, left in pairs if not left for m in group}
                lost = ", ".join(sorted(arches))
                found = replace(
                    resolution,
                    status=Status.UNRESOLVED,
                    groups=tuple(group for group in kept if group),
                    missing=(str(resolution.dependency),),
                    detail=f"provided only by packages of {lost}, which no {arch} host installs",
                )
        hosted[id(resolution)] = found
        return found

    def _fitting(self, arch: str) -> frozenset[str]:
        """The architectures of the run's packages that a host installs beside one of ``arch``."""
        found = self._fits.get(arch)
        if found is None:
            together = self._together
            if self._arches is None:  # once: made for each architecture, it read n packages n times
                self._arches = frozenset(self._arch_of)
            if arch == "noarch" or self._architectures.listed(arch):
                found = frozenset(other for other in self._arches if together(arch, other))
            else:  # one no host lists, of which metadata may name thousands: itself and noarch
                found = frozenset({arch, "noarch"}) & self._arches
            self._fits[arch] = found
        return found

    def resolve(self, dep: Dependency, kind: DependencyKind = DependencyKind.REQUIRES) -> Resolution:
        cache = self._cache[kind._value_]  # Enum.__hash__ is Python code: this runs per requirement
        resolution = cache.get(id(dep))
        if resolution is None:
            resolution = Resolution(kind, dep, *self._resolve(dep))
            if resolution.every_host != resolution.groups and dep.is_rich:
                resolution, evaluation = self._read_again(resolution, frozenset())
                self._host_only[id(resolution)] = tuple(
                    (text, frozenset(evaluation.providers(condition)))
                    for text, condition in evaluation.last_read[1].items()
                    if one_package_holds(condition)
                )
            if dep.is_rich and " unless " in dep.name and kind is DependencyKind.REQUIRES:
                self._refuses = True
            cache[id(dep)] = resolution
        return resolution

    def _on_its_hosts(self, resolution: Resolution, hosts: frozenset[Host], beside: str | None) -> Resolution:
        """``resolution`` for a package on ``hosts`` (`auditor.deps.hosts.on_its_hosts`), kept."""
        found = resolution
        if resolution.status is Status.SATISFIED:
            lacking = on_its_hosts(
                resolution.groups, hosts, beside, self.present_on, self._together, self.packages
            )
            if lacking is not None:
                reader, names = lacking
                found = replace(
                    resolution,
                    status=Status.UNRESOLVED,
                    missing=(str(resolution.dependency),),
                    detail=(
                        f"on the hosts of {reader.reading()} of their repositories' configuration, "
                        f"its exclude or includepkgs, or a section it does not read or enable, "
                        f"hides every provider, or their architecture is one only yum installs ({names})"
                    ),
                )
        self._partly[id(resolution), hosts, beside] = found
        return found

    def _resolve(self, dep: Dependency) -> _Answer:
        if dep.name.startswith("rpmlib("):
            return self._rpmlib(dep)
        if not dep.is_rich:
            providers = self.index.providers(dep) or self.index.host_word_providers(dep)
            if providers:
                return Status.SATISFIED, (providers,), (), "", ()
            return Status.UNRESOLVED, (), (str(dep),), "", ()
        try:
            node = parse(dep.name)
        except DependencySyntaxError as exc:
            return Status.INVALID, (), (), exc.message, ()
        found = Evaluation(self.index).requirement(node)
        detail = ROUGH if found.rough else ""
        if found.met:
            return Status.SATISFIED, tuple(found.groups), (), detail, found.every_host
        missing = tuple(dict.fromkeys(found.missing))
        return Status.UNRESOLVED, tuple(found.groups), missing, detail, found.every_host

    def _rpmlib(self, dep: Dependency) -> _Answer:
        if self.rpm_features is None:
            return Status.RPM, (), (), "rpmlib() features are provided by rpm", ()
        feature = dep.name[len("rpmlib(") : -1]
        version = self.rpm_features.get(feature)
        if version is None:
            return Status.UNRESOLVED, (), (str(dep),), f"rpm does not know the feature {feature}", ()
        if dep.op is None or dep.evr is None or ranges_overlap(Op.EQ, _evr(version), dep.op, dep.evr):
            return Status.RPM, (), (), f"rpm provides rpmlib({feature}) = {version}", ()
        return Status.UNRESOLVED, (), (str(dep),), f"rpm provides rpmlib({feature}) = {version} only", ()

    def conflicting(self, dep: Dependency, owner: int | None) -> tuple[int, ...]:
        """Packages a Conflicts of ``owner`` (None: of a source package) matches: the providers
        of a plain one (versioned ones by their version), and for a rich one those it can never
        be installed beside (`Evaluation.conflicting`). One that does not parse matches nothing."""
        if not dep.is_rich:
            key = (DependencyKind.CONFLICTS, dep.name, dep.op, dep.evr)
            found = self._matched.get(key)
            if found is None:
                found = self._matched[key] = self.index.providers(dep)
            return found
        known = self._rich_conflicts.get(dep.name)
        if known is None:
            try:
                node = parse(dep.name)
            except DependencySyntaxError:
                known = (frozenset(), ())
            else:
                evaluation = Evaluation(self.index)
                known = (evaluation.involved(node), evaluation.conflicting(node, None))
            self._rich_conflicts[dep.name] = known
        involved, matched = known
        if owner is None or owner not in involved:
            return matched
        return Evaluation(self.index).conflicting(parse(dep.name), owner)

    def obsoleted(self, dep: Dependency) -> tuple[int, ...]:
        """Packages an Obsoletes matches: by package name and EVR (not by provides), as rpm and dnf do."""
        key = (DependencyKind.OBSOLETES, dep.name, dep.op, dep.evr)
        known = self._matched.get(key)
        if known is not None:
            return known
        named = self.index.named(dep.name)
        if len(named) >= BISECT_FROM and dep.op is not None and dep.evr is not None:
            versions = self._named_versions.get(dep.name)
            if versions is None:
                entries = [(index, self.packages[index].evr) for index in named]
                versions = self._named_versions[dep.name] = VersionIndex(entries)
            found = versions.matching(dep.op, dep.evr)
            if found:
                self.index.budget.spend(found, dep.name)
        else:
            packages = self.packages
            found = [index for index in named if ranges_overlap(Op.EQ, packages[index].evr, dep.op, dep.evr)]
        matched = self._matched[key] = tuple(sorted(set(found)))
        return matched


@lru_cache(maxsize=256)
def _evr(text: str) -> EVR:
    return EVR.parse(text)
