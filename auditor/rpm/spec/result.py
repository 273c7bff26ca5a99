"""What reading a spec gives: its packages, Sources, build requirements, and what was not seen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Dependency, SourceFile
from auditor.rpm.package_fields import DEPENDENCY_KINDS, URL_TAGS, may_name_a_place
from auditor.rpm.spec.generated import rpm_yes


@dataclass(frozen=True, slots=True)
class SpecPackage:
    """The main package or one ``%package`` of a spec."""

    name: str
    summary: str | None = None
    license: str | None = None
    url: str | None = None
    bugurl: str | None = None
    vcs: str | None = None
    disturl: str | None = None
    translationurl: str | None = None
    upstreamreleases: str | None = None
    vendor: str | None = None
    packager: str | None = None
    distribution: str | None = None
    alternatives: tuple[tuple[str, str], ...] = ()
    """`auditor.rpm.model.Package.alternatives`: the other values of its origin tags."""
    source_license: tuple[str, ...] = ()
    """The main package's ``SourceLicense`` (`SOURCE_LICENSE`), then its other values: empty
    when the spec has none. The source package's License, and its alternatives."""
    buildarch: str | None = None
    exclusive_arch: str | None = None
    """``ExclusiveArch``: rpmbuild builds the spec on these architectures only."""
    exclude_arch: str | None = None
    """``ExcludeArch``: rpmbuild refuses to build the spec on these."""
    automatic_requires: bool = True
    """Whether rpmbuild's dependency generators may add requirements (no ``AutoReq: no``)."""
    epoch: str | None = None
    version: str | None = None
    release: str | None = None
    """A subpackage's own ``Epoch``, ``Version``, ``Release`` (None: the main package's, as
    rpm takes them): the kernel's ``%package -n bpftool`` has ``Version: %{bpftoolversion}``."""
    requires: tuple[Dependency, ...] = ()
    provides: tuple[Dependency, ...] = ()
    conflicts: tuple[Dependency, ...] = ()
    obsoletes: tuple[Dependency, ...] = ()
    recommends: tuple[Dependency, ...] = ()
    suggests: tuple[Dependency, ...] = ()
    supplements: tuple[Dependency, ...] = ()
    enhances: tuple[Dependency, ...] = ()


@dataclass(frozen=True, slots=True)
class Spec:
    path: str
    name: str | None
    epoch: int | None
    version: str | None
    release: str | None
    sources: tuple[SourceFile, ...]
    build_requires: tuple[Dependency, ...]
    build_conflicts: tuple[Dependency, ...]
    packages: tuple[SpecPackage, ...]
    unexpanded: tuple[str, ...]
    """Macro references left as written anywhere in the lines read (shell, Lua, undefined...)."""
    undecided: tuple[int, ...]
    """Line numbers of conditionals that could not be decided; both branches were read."""
    gaps: tuple[Gap, ...] = ()
    """What the reading could not see: each undecided conditional, each Source or Patch
    whose value kept a macro unexpanded (`GapKind`)."""
    dynamic_build_requires: bool = False
    """The spec has ``%generate_buildrequires``: more BuildRequires appear only at build time."""
    built: tuple[str, ...] = ()
    """Names of the packages that have a ``%files`` section: the binaries a build makes."""
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Plain paths each package's ``%files`` lists (globs and ``-f`` lists are not known)."""
    file_patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """What each package's ``%files`` packages that is not a plain path (`FilesLine.patterns` of
    `auditor.rpm.spec.files`)."""
    packaging: frozenset[str] = frozenset()
    """Names of the packages whose ``%files`` packages anything (a path, a glob, a ``-f`` list)."""
    requires_excluded: bool = False
    """The spec excludes every generated requirement (``%global __requires_exclude .*``)."""
    buildhost: tuple[str, ...] = ()
    """The BuildHost rpmbuild writes in every package it makes of the spec, source and binary:
    ``%{_buildhost}`` as the whole parse leaves it (a ``%global`` anywhere, checked with
    rpmbuild), then its other values (branches not decided); empty when the spec does not
    define it and the build host names itself."""
    scriptlets: Mapping[str, tuple[tuple[tuple[str, str], ...], tuple[Gap, ...]]] = field(
        default_factory=dict
    )
    """By package: what its scriptlet sections name of its hosts, and the gaps of what they did not
    expand (`auditor.rpm.spec.scriptlets.ScriptletReader`)."""
    other_names: tuple[str, ...] = ()
    """What else a Name or ``%package`` line read through a macro set in a branch the reader could
    not decide may name (its gap says the name read is not exact): a name the policy judges as
    one the source package builds (``("builds", NAME)`` of its `alternatives`)."""


def unexpanded_source_gap(
    spec_path: str, source: SourceFile, recorded: str | None = None, *, unread_values: bool = False
) -> Gap:
    """The gap of a Source or Patch line whose value kept a macro (and the file name rpm
    recorded for it in the SRPM header, when there is one); or, ``unread_values``, that of
    one whose macros have more values, from branches the reader could not decide, than it read."""
    tag = source.kind.value.capitalize() + ("" if source.number is None else str(source.number))
    where = f"{spec_path}:{source.line}: " if source.line is not None else f"{spec_path}: "
    detail = f"{where}{tag}: {shorten(source.raw)}"
    if recorded is not None:
        detail += f" (rpm recorded the file name {recorded})"
    if unread_values:
        detail += " (its macros may have more values than were read)"
    return Gap(GapKind.UNEXPANDED_SOURCE, detail)


def shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


MACRO_FILLED_TAGS = (
    "vendor",
    "packager",
    "distribution",
    "bugurl",
    "disturl",
    "translationurl",
    "upstreamreleases",
)


def tag_label(tag: str) -> str:
    """A tag's name as rpm writes it (``URL``, ``Vendor``), from the lower-case one read."""
    return URL_TAGS.get(tag, tag.capitalize())


ORIGIN_TAGS = frozenset({"vendor", "packager", "distribution", "license", *URL_TAGS})
"""The tags the policy judges: a value one loses to a later line is kept (`PackageDraft.alternatives`)."""
SOURCE_LICENSE = "sourcelicense"
"""``SourceLicense`` (rpm >= 4.18): the License rpmbuild records in the source package instead
of the spec's License (``rpmspec -q --srpm --qf '%{LICENSE}'``); binaries keep License."""
JUDGED_TAGS = ORIGIN_TAGS | {SOURCE_LICENSE}


def source_alternatives(packages: Sequence[SpecPackage]) -> tuple[tuple[str, str], ...]:
    """The `SpecPackage.alternatives` of the source package of a spec whose packages (the main
    one first) are ``packages``: the main package's, and each origin tag a subpackage sets
    otherwise. rpm records only the main package's tags in the source package; a subpackage's
    Vendor or License is in none of its headers, yet it is what the source package builds, as
    is the main package's License when a ``SourceLicense`` replaces it in the source package. So
    are the capabilities of every package that may name a place (``("provides",
    "gitsha(URL)")``: an SRPM's header holds none of them) and the name of each subpackage
    (``("builds", NAME)``: a component made under another source name)."""
    if not packages:
        return ()
    main = packages[0]
    found = dict.fromkeys(main.alternatives)
    if main.source_license and main.license:
        # rpmbuild records the SourceLicense as the source package's License: the License of the
        # main package it builds (Citrix's EULA beside a SourceLicense MIT) is in no tag of it.
        found[("license", main.license)] = None
    for sub in packages[1:]:
        found[("builds", sub.name)] = None
        for tag in sorted(ORIGIN_TAGS):
            value = getattr(sub, tag)
            if value and value != getattr(main, tag):
                found[(tag, value)] = None
        found.update(dict.fromkeys(sub.alternatives))
    for package in packages:
        for kind in DEPENDENCY_KINDS:
            found.update(
                dict.fromkeys(
                    (str(kind), dependency.name)
                    for dependency in getattr(package, kind)
                    if may_name_a_place(dependency.name)
                )
            )
    return tuple(found)


@dataclass
class PackageDraft:
    """A package of the spec as its preamble is read: its tags and dependencies, frozen into a
    `SpecPackage` at the end (a subpackage inherits the main package's tags but Summary)."""

    name: str
    tags: dict[str, str] = field(default_factory=dict)
    deps: dict[str, list[Dependency]] = field(default_factory=dict)
    alternatives: dict[str, list[str]] = field(default_factory=dict)
    """The values of an origin tag another line replaced: in a branch the reader could not
    decide (rpm takes one branch, which one is unknown), or written twice (rpm refuses the spec)."""

    def set_tag(self, tag: str, value: str, others: Iterable[str] = ()) -> None:
        """``tag`` is ``value``; ``others``: what else it may be (the values of the macros it
        reads in branches the reader could not decide)."""
        previous = self.tags.get(tag)
        self.tags[tag] = value
        if tag in JUDGED_TAGS:
            for other in (previous, *others):
                if other is not None and other != value:
                    kept = self.alternatives.setdefault(tag, [])
                    if other not in kept:
                        kept.append(other)

    def fill_from_macros(self, expand: Callable[[str], tuple[str, list[str]]]) -> None:
        """The tags rpmbuild takes from the macro of their name when the main package's preamble
        has ended without them (rpm's ``fillOutMainPackage``): ``%global vendor Citrix`` before
        it makes a Citrix package, and its subpackages inherit it (checked with rpmspec). ``expand``
        gives the values of the macro it is given the name of."""
        for tag in MACRO_FILLED_TAGS:
            if tag in self.tags:
                continue
            value, others = expand(tag)
            values = [text for text in (value, *others) if text]
            if values:
                self.set_tag(tag, values[0], values[1:])

    def freeze(self, main: PackageDraft | None) -> SpecPackage:
        inherited = main.tags if main is not None else {}
        own = self.tags if main is not None else {}  # the main package's are the spec's

        def tag(key: str) -> str | None:
            return self.tags.get(key, inherited.get(key) if key != "summary" else None)

        others = {
            key: values
            for key, values in (main.alternatives if main is not None else {}).items()
            if key not in self.tags
        }
        others.update(self.alternatives)
        alternatives = tuple(
            (key, value)
            for key, values in sorted(others.items())
            if key != SOURCE_LICENSE
            for value in values
            if value != tag(key)
        )
        source_license: tuple[str, ...] = ()
        if main is None and SOURCE_LICENSE in self.tags:
            first = self.tags[SOURCE_LICENSE]
            source_license = (first, *(v for v in self.alternatives.get(SOURCE_LICENSE, ()) if v != first))

        return SpecPackage(
            name=self.name,
            summary=self.tags.get("summary"),
            license=tag("license"),
            url=tag("url"),
            bugurl=tag("bugurl"),
            vcs=tag("vcs"),
            disturl=tag("disturl"),
            translationurl=tag("translationurl"),
            upstreamreleases=tag("upstreamreleases"),
            vendor=tag("vendor"),
            packager=tag("packager"),
            distribution=tag("distribution"),
            alternatives=alternatives,
            source_license=source_license,
            buildarch=self.tags.get("buildarch"),
            exclusive_arch=self.tags.get("exclusivearch"),
            exclude_arch=self.tags.get("excludearch"),
            automatic_requires=rpm_yes(self.tags.get("autoreq", "yes")),
            epoch=own.get("epoch"),
            version=own.get("version"),
            release=own.get("release"),
            **{kind: tuple(self.deps.get(kind, ())) for kind in DEPENDENCY_KINDS},
        )
