"""Spec files as input: the packages a spec would build, read without running it.

A contributor's pull request carries a spec, not RPMs. The spec becomes one source
package (its Sources, Patches and BuildRequires) and one binary package per ``%package``
that has a ``%files`` section (their Requires, Provides, Conflicts, Obsoletes, weak
dependencies and the plain paths ``%files`` lists). What only a build knows is absent:
files named by glob or ``-f`` list, the requirements rpm's generators add (sonames,
interpreters: an `automatic-requires` gap of each package that has them) and
``%generate_buildrequires`` (a gap too). Macros that cannot be expanded safely are kept as written and
listed in the package's notes; a conditional that could not be decided (both branches are
read), a Source or Patch whose value kept such a macro, and code rpm would run (``%include``,
Lua, shell, ``%{load:}``) are the packages' gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from auditor.core.errors import InputError
from auditor.core.files import read_regular
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import EVR, Dependency, Op, Package, PackageKind, srpm_file_name, with_fields
from auditor.rpm.spec.builtins import ISA
from auditor.rpm.spec.lines import tag_number
from auditor.rpm.spec.parser import parse_spec
from auditor.rpm.spec.result import source_alternatives
from auditor.rpm.spec.scriptlets import ANY_PACKAGE

if TYPE_CHECKING:
    from auditor.rpm.spec.result import Spec, SpecPackage

MAX_SPEC_BYTES = 4 * 1024 * 1024
_BINARY_GAPS = frozenset(
    {GapKind.UNDECIDED_CONDITIONAL, GapKind.SPEC_CODE, GapKind.SPEC_UNREADABLE, GapKind.UNEXPANDED_TAG}
)
"""A spec's gaps that its binary packages have too: what they were read from (their URL,
Vendor...) may not be rpm's. A Source's gap is the source package's alone."""


def read_spec_file(
    path: str, *, defines: Mapping[str, str | None] | None = None, arches: Sequence[str] = ("x86_64",)
) -> list[Package]:
    """The packages the spec at ``path`` builds on a host of each of ``arches`` (``--arch``): its
    ``%ifarch`` branches are each host's. One source package holds what every reading fetches and
    needs (a Source under ``%ifarch aarch64`` is fetched where aarch64 builds it); each reading
    adds the binaries the others did not build (a noarch package once)."""
    from auditor.sources.specinstalls import with_spec_installs

    data = read_regular(path, path, "a spec file", MAX_SPEC_BYTES)
    text = data.decode("utf-8", "replace")
    packages = read_spec_text(text, path, defines=defines, arches=arches)
    # A spec read from a source RPM's payload is not: its binaries' payloads are read instead.
    return with_spec_installs(packages, path, text, defines)


def read_spec_text(
    text: str,
    path: str,
    *,
    defines: Mapping[str, str | None] | None = None,
    arches: Sequence[str] = ("x86_64",),
) -> list[Package]:
    """`read_spec_file` of the spec ``text``, which ``path`` names (a source RPM's payload spec:
    `auditor.sources.rebuildspec`)."""
    packages: list[Package] = []
    for arch in dict.fromkeys(arches):
        read = _read_for(text, path, defines, arch)
        if not packages:
            packages = read
            continue
        packages[0] = _with_other_reading(packages[0], read[0])
        built = {(package.name, package.arch) for package in packages}
        packages.extend(package for package in read[1:] if (package.name, package.arch) not in built)
    return packages


def release_read(
    text: str, path: str, *, defines: Mapping[str, str | None] | None, arches: Sequence[str]
) -> str | None:
    """The release of the source package `read_spec_text` reads in ``text``, read from the main
    package's preamble alone where it ends outside any conditional (`parse_spec`'s
    ``preamble_only``); None where the spec has no Name or Version there (the whole reading
    says what is wrong)."""
    arch = arches[0] if arches else "x86_64"  # the first host, as read_spec_text reads it first
    spec = parse_spec(text, path, defines=defines, arch=arch, preamble_only=True)
    built_for = _buildable(arch, spec.packages[0]) if spec.packages else arch
    if built_for not in (arch, "noarch"):  # as `_read_for` reads it
        spec = parse_spec(text, path, defines=defines, arch=built_for, preamble_only=True)
    if not spec.name or not spec.version:
        return None
    return spec.release or "0"


def _with_other_reading(source: Package, other: Package) -> Package:
    """The source package ``source`` with what another architecture's reading of its spec adds."""
    return with_fields(
        source,
        sources=tuple(dict.fromkeys((*source.sources, *other.sources))),
        requires=tuple(dict.fromkeys((*source.requires, *other.requires))),
        conflicts=tuple(dict.fromkeys((*source.conflicts, *other.conflicts))),
        alternatives=tuple(dict.fromkeys((*source.alternatives, *other.alternatives))),
        gaps=tuple(dict.fromkeys((*source.gaps, *other.gaps))),
    )


def _read_for(text: str, path: str, defines: Mapping[str, str | None] | None, arch: str) -> list[Package]:
    """The packages of the spec ``text`` read on a host of ``arch``."""
    spec = parse_spec(text, path, defines=defines, arch=arch)
    built_for = _buildable(arch, spec.packages[0]) if spec.packages else arch
    if built_for not in (arch, "noarch"):
        # rpmbuild refuses the spec here: read it as it is built where it is accepted, its
        # %ifarch and %{?_isa} included, not only its packages' label.
        spec = parse_spec(text, path, defines=defines, arch=built_for)
        arch = built_for
    return packages_from_spec(spec, path, arch)


def packages_from_spec(spec: Spec, path: str, arch: str = "x86_64") -> list[Package]:
    """The source package a spec describes and the binary packages it builds (on ``arch``)."""
    if not spec.name or not spec.version:
        raise InputError(path, "not a spec file: no Name or Version")
    notes = [f"macro left unexpanded: {item}" for item in spec.unexpanded[:20]]
    identity = _Identity(spec.name, spec.epoch, spec.version, spec.release or "0")
    source = _source_package(spec, identity, path, tuple(notes))
    if spec.dynamic_build_requires:
        gap = Gap(GapKind.DYNAMIC_BUILDREQUIRES, f"{path}: %generate_buildrequires")
        source = with_fields(source, gaps=(*source.gaps, gap))
    packages = [source]
    built = set(spec.built) if spec.built else {sub.name for sub in spec.packages}
    packages.extend(
        _binary_package(spec, identity, sub, path, arch, tuple(notes))
        for sub in spec.packages
        if sub.name and sub.name in built
    )
    return packages


class _Identity(NamedTuple):
    """What every package of a spec shares (the spec has a Name and a Version)."""

    name: str
    epoch: int | None
    version: str
    release: str


def _source_package(spec: Spec, identity: _Identity, path: str, notes: tuple[str, ...]) -> Package:
    main = spec.packages[0]
    return Package(
        name=identity.name,
        epoch=identity.epoch,
        version=identity.version,
        release=identity.release,
        arch="src",
        kind=PackageKind.SOURCE,
        location=path,
        input=path,
        summary=main.summary,
        requires=spec.build_requires,
        conflicts=spec.build_conflicts,
        vendor=main.vendor,
        packager=main.packager,
        url=main.url,
        bugurl=main.bugurl,
        vcs=main.vcs,
        disturl=main.disturl,
        translationurl=main.translationurl,
        upstreamreleases=main.upstreamreleases,
        # rpmbuild records SourceLicense, when the spec has one, as the source package's License.
        alternatives=source_alternatives(spec.packages)
        + tuple(("license", v) for v in main.source_license[1:])
        + tuple(("builds", name) for name in spec.other_names)
        + _other_build_hosts(spec),
        buildhost=spec.buildhost[0] if spec.buildhost else None,
        license=main.source_license[0] if main.source_license else main.license,
        distribution=main.distribution,
        sources=spec.sources,
        spec=path,
        notes=notes,
        gaps=spec.gaps,
    )


_ARCHES_TRIED = ("x86_64", "aarch64", "ppc64le", "s390x", "i686")
"""Where a spec that cannot be built for the run's architecture is thought built, in this order
of likelihood, when its ExcludeArch alone says where it cannot."""


def _buildable(arch: str, main: SpecPackage) -> str:
    """The architecture the spec's packages are built for: ``arch``, unless rpmbuild refuses it
    (``ExclusiveArch`` without it, or ``ExcludeArch`` with it): then the first it accepts.

    rpmbuild stops with "Architecture is not included" there, so a package of ``arch`` never
    exists: read as one, a clean spec provided for hosts it is never built for, and was counted
    as the way around a Citrix provider dnf installs.
    """
    if arch == "noarch":
        return arch
    only = (main.exclusive_arch or "").replace(",", " ").split()
    never = set((main.exclude_arch or "").replace(",", " ").split())
    if any("%" in word for word in (*only, *never)):
        return arch  # a macro the build host defines (%{rust_arches}): whether it names arch is unknown
    if (not only or arch in only) and arch not in never:
        return arch
    candidates = only or [candidate for candidate in _ARCHES_TRIED if candidate != arch]
    return next(
        (candidate for candidate in candidates if candidate not in never),
        candidates[0] if candidates else arch,
    )


def _binary_package(
    spec: Spec, identity: _Identity, sub: SpecPackage, path: str, arch: str, notes: tuple[str, ...]
) -> Package:
    name, epoch, version, release = identity
    # A subpackage's own Epoch, Version or Release makes its EVR (rpm's); it is still built
    # from the main package's source package.
    own_epoch = tag_number(sub.epoch) if sub.epoch else None
    epoch = own_epoch if own_epoch is not None else epoch
    source_rpm = srpm_file_name(name, version, release)
    version, release = sub.version or version, sub.release or release
    build_arch = _buildable(
        (sub.buildarch or spec.packages[0].buildarch or arch).split()[0], spec.packages[0]
    )
    evr_text = f"{epoch}:{version}-{release}" if epoch is not None else f"{version}-{release}"
    evr = EVR.parse(evr_text)
    provides = sub.provides
    isa = "-".join(ISA[build_arch]) if build_arch in ISA else None
    for own in (sub.name, f"{sub.name}({isa})" if isa else None):
        # rpmbuild adds these whatever the package provides of its own name (kernel-headers =
        # %{uname}, an unversioned python2-perf): only the very same entry is not repeated.
        if own is not None and Dependency(own, Op.EQ, evr) not in provides:
            provides = (*provides, Dependency(own, Op.EQ, evr))
    scripts, script_gaps = spec.scriptlets.get(sub.name, ((), ()))
    script_gaps += spec.scriptlets.get(ANY_PACKAGE, ((), ()))[1]  # a scriptlet of a package unknown
    return Package(
        name=sub.name,
        epoch=epoch,
        version=version,
        release=release,
        arch=build_arch,
        kind=PackageKind.BINARY,
        location=path,
        input=path,
        sourcerpm=source_rpm,
        summary=sub.summary,
        requires=sub.requires,
        provides=provides,
        conflicts=sub.conflicts,
        obsoletes=sub.obsoletes,
        recommends=sub.recommends,
        suggests=sub.suggests,
        supplements=sub.supplements,
        enhances=sub.enhances,
        vendor=sub.vendor,
        packager=sub.packager,
        url=sub.url,
        bugurl=sub.bugurl,
        vcs=sub.vcs,
        disturl=sub.disturl,
        translationurl=sub.translationurl,
        upstreamreleases=sub.upstreamreleases,
        alternatives=sub.alternatives + _other_build_hosts(spec),
        buildhost=spec.buildhost[0] if spec.buildhost else None,
        license=sub.license,
        distribution=sub.distribution,
        files=spec.files.get(sub.name, ()),
        scriptlets=scripts,
        file_patterns=spec.file_patterns.get(sub.name, ()),
        spec=path,
        notes=notes,
        # An undecided conditional, code not run, or lines the reader's bounds cut, may have
        # chosen any package's dependencies and tags; an unexpanded Source belongs to the
        # source package alone.
        gaps=(
            *(gap for gap in spec.gaps if gap.kind in _BINARY_GAPS),
            *_generated_requires(spec, sub, path),
            *script_gaps,
        ),
    )


def _other_build_hosts(spec: Spec) -> tuple[tuple[str, str], ...]:
    """The other values ``%{_buildhost}`` may have (`Spec.buildhost`), as alternatives."""
    return tuple(("buildhost", host) for host in spec.buildhost[1:])


def _generated_requires(spec: Spec, sub: SpecPackage, path: str) -> tuple[Gap, ...]:
    """The gap of the requirements rpm would generate for ``sub`` (`auditor.rpm.spec.generated`)."""
    packages_files = sub.name in spec.packaging or not spec.built  # no %files at all: each is read
    if not sub.automatic_requires or spec.requires_excluded or not packages_files:
        return ()
    detail = (
        f"{path}: {sub.name}: the requirements rpmbuild generates from its files (sonames, "
        "#! interpreters, pkgconfig, perl, python...) are unseen: audit the RPMs built, which carry them"
    )
    return (Gap(GapKind.AUTOMATIC_REQUIRES, detail),)
