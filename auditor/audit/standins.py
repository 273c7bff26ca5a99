"""What a build would add to the binaries read from a spec, taken from the build they replace.

``auditor check`` reads a contributor's spec, or the spec a source RPM given alone is rebuilt
from, without building it: the provides and requirements rpmbuild's generators add, the files
its ``%files`` globs package, and the build host's answers to code, exist only once it is built.
The previous build of each package, in BASE, stands in for them, and a gap says so, so that a
change is not blamed for what only its reading lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from auditor.deps.provides import host_word_pattern
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Dependency, Package, with_fields
from auditor.sources.interface import LoadResult


def _key(package: Package) -> tuple[str, str]:
    return package.name, package.arch


GENERATED_PROVIDE = re.compile(
    r"[^()\s]*\.so(\.[^()\s]*)?\(.*\)|"  # an ELF soname, its symbol versions: libfoo.so.1()(64bit)
    r"(pkgconfig|perl|python\d*(\.\d+)?dist|python\d*(\.\d+)?|ocaml|cmake|config|mimehandler|"
    r"application|metainfo|firmware|kmod|font|libtool|rubygem|golang|crate|npm|mvn|osgi|"
    r"debuginfo|tex|gstreamer\d*(\.\d+)?)\(.*\)"
)
"""Provides rpmbuild's dependency generators write (rpm's ``fileattrs``, and the generators of
its language packages), not a spec's ``Provides:`` (``bundled()`` is one: a spec writes it)."""


def _taken(own: tuple[Dependency, ...], built: list[Package], field: str) -> list[Dependency]:
    """The generated dependencies (`GENERATED_PROVIDE`) of ``field`` of the ``built`` packages
    that ``own`` does not name."""
    names = {dependency.name for dependency in own}
    return list(
        dict.fromkeys(
            dependency
            for previous in built
            for dependency in getattr(previous, field)
            if dependency.name not in names and GENERATED_PROVIDE.fullmatch(dependency.name)
        )
    )


def _stand_in_gap(kind: GapKind, package: Package, built: list[Package], taken: list[Dependency]) -> Gap:
    what = "provides" if kind is GapKind.AUTOMATIC_PROVIDES else "requirements"
    names = ", ".join(dependency.name for dependency in taken[:3]) + (" ..." if len(taken) > 3 else "")
    detail = (
        f"{package.spec}: {package.name}: the {what} rpmbuild generates from its files are unseen;"
        f" the {len(taken)} of {built[0].nevra} it replaces stand in for them ({names})"
    )
    return Gap(kind, detail)


def _with_host_words(package: Package, built: list[Package]) -> Package:
    """``package`` with each requirement whose name holds the build host's answer to shell code
    (`host_word_pattern`: ``perl(:MODULE_COMPAT_%(eval ...))``) replaced by the requirements of
    the ``built`` packages that answer it (``perl(:MODULE_COMPAT_5.36.0)``): the same fact as
    BASE's, not a new blocking one the change did not cause."""
    requires: list[Dependency] = []
    answered = False
    for dependency in package.requires:
        pattern = host_word_pattern(dependency.name)
        answers = (
            []
            if pattern is None
            else [found for previous in built for found in previous.requires if pattern.fullmatch(found.name)]
        )
        answered = answered or bool(answers)
        requires.extend(answers or [dependency])
    return with_fields(package, requires=tuple(dict.fromkeys(requires))) if answered else package


class _Claims:
    """The binaries of a change and their ``%files`` (`ANY_FILE` left out), indexed by what a path
    must start with (`file_anchors`): which may package a path, asked only of those the path meets
    (the change's every package asked for each stand-in file of each: a spec of 20,000
    subpackages, 268 s)."""

    def __init__(self, change: list[Package]) -> None:
        from auditor.rpm.spec.files import ANY_FILE, PrefixIndex, file_anchors  # the spec reader's

        self.sections: list[tuple[Package, Sequence[str], tuple[str, ...]]] = []
        self.index: PrefixIndex[int] = PrefixIndex()
        self.anywhere: list[int] = []
        for other in change:
            if other.is_source:
                continue
            patterns = tuple(pattern for pattern in other.file_patterns if pattern != ANY_FILE)
            index = len(self.sections)
            self.sections.append((other, other.files, patterns))
            if not file_anchors(self.index, other.files, patterns, index):
                self.anywhere.append(index)

    def by_another(self, path: str, package: Package) -> bool:
        """Whether a binary of the change other than ``package`` may package ``path``."""
        from auditor.rpm.spec.files import may_package

        asked = {*self.anywhere, *self.index.met(path)}
        return any(
            may_package(path, files, patterns)
            for other, files, patterns in map(self.sections.__getitem__, sorted(asked))
            if other is not package
        )


def _stand_in_files(package: Package, built: list[Package], change: _Claims) -> list[str]:
    """The files of the ``built`` packages that ``package``'s ``%files`` may package but does not
    name by path (under a directory it lists, matched by a glob), and that no other package of
    the ``change`` names or may package: a file the new spec moved to its Citrix subpackage
    stood in for the clean package too, and what required it went "depends" to "may-depend"."""
    if not package.file_patterns and not package.files:
        return []
    from auditor.rpm.spec.files import Section  # the spec reader's: read a spec to get here

    listed = set(package.files)
    own = Section(package.files, package.file_patterns)
    return list(
        dict.fromkeys(
            path
            for previous in built
            for path in previous.files
            if path not in listed and own.may_package(path) and not change.by_another(path, package)
        )
    )


def _stand_in_files_gap(package: Package, built: list[Package], files: list[str]) -> Gap:
    names = ", ".join(files[:3]) + (" ..." if len(files) > 3 else "")
    detail = (
        f"{package.spec}: {package.name}: the files its %files globs, directories and lists package "
        f"are unseen; the {len(files)} of {built[0].nevra} its %files does not name stand in ({names})"
    )
    return Gap(GapKind.AUTOMATIC_PROVIDES, detail)


def _unseen_config_gaps(package: Package, files: list[str]) -> list[Gap]:
    """A `payload-unread` gap for each stand-in file that is a repository configuration or key:
    what the package installs there is origin evidence, not only what it provides, and unseen
    (a `%files -f` list writing a Citrix ``.repo`` was a rebuild cured, e561969f)."""
    from auditor.sources.payloadconfig import role_of  # the payload reader's roles

    return [
        Gap(
            GapKind.PAYLOAD_UNREAD,
            f"{package.spec}: {package.name}: its %files may package {path} ({role.value}):"
            " its content is unseen",
        )
        for path in files
        if (role := role_of(path)) is not None
    ]


def with_stand_ins(new: LoadResult, base: LoadResult) -> LoadResult:
    """``new`` with each binary package read from a spec given the generated provides of the
    BASE packages it replaces (`GENERATED_PROVIDE`) that it does not provide itself, and an
    `automatic-provides` gap saying so; and, where rpmbuild would generate its requirements
    (its `automatic-requires` gap), their generated requirements, the gap saying so.

    A spec's binaries carry no generated provides: checked against the repository built from
    the previous spec, every package needing one of xen's sonames became ``unresolved``, a
    blocking fact the change did not cause. The previous build's stand in: a soname bump does
    not show, and the gap says the provides were not seen (``--strict`` fails it). Nor do they
    carry generated requirements: a binary linked with a Citrix library went "depends ->
    clean", and each package reaching Citrix through it was listed as better. Nor the files its
    ``%files`` globs (``%{_bindir}/*``), directories and ``-f`` lists package, which only a
    build expands: what required one of BASE's by path became ``unresolved``. BASE's files its
    ``%files`` may package but does not name by path stand in (`_stand_in_files`), with an
    `automatic-provides` gap."""
    by_key: dict[tuple[str, str], list[Package]] = {}
    for package in base.packages:
        if not package.is_source:
            by_key.setdefault(_key(package), []).append(package)
    changed: list[Package] = []
    claims = _Claims(new.packages)
    for package in new.packages:
        # Read from a spec: a contributor's, or the one a source RPM given alone is rebuilt from.
        from_spec = not package.is_source and package.spec is not None
        built = by_key.get(_key(package)) if from_spec else None
        if not built:
            changed.append(package)
            continue
        # Asked of the package as the change holds it: `_Claims` tells its own sections from
        # another's by identity, and the copy a host word's answer makes is none of the change's.
        files = _stand_in_files(package, built, claims)
        package = _with_host_words(package, built)
        provides = _taken(package.provides, built, "provides")
        generates = any(gap.kind is GapKind.AUTOMATIC_REQUIRES for gap in package.gaps)
        requires = _taken(package.requires, built, "requires") if generates else []
        gaps = list(package.gaps)
        if provides:
            gaps.append(_stand_in_gap(GapKind.AUTOMATIC_PROVIDES, package, built, provides))
        if requires:
            gaps = [gap for gap in gaps if gap.kind is not GapKind.AUTOMATIC_REQUIRES]
            gaps.append(_stand_in_gap(GapKind.AUTOMATIC_REQUIRES, package, built, requires))
        if files:
            gaps.append(_stand_in_files_gap(package, built, files))
            gaps.extend(_unseen_config_gaps(package, files))
        if provides or requires or files:
            package = with_fields(
                package,
                provides=(*package.provides, *provides),
                requires=(*package.requires, *requires),
                files=(*package.files, *files),
                gaps=tuple(gaps),
            )
        changed.append(package)
    return replace(new, packages=changed)
