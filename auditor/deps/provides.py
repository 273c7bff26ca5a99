"""The index of everything the packages of a run provide: capabilities and files.

Packages are referred to by their position in the run's package list (an ``int``),
never hashed: a `Package` is a large value and comparing two is costly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.rpm.evr import ranges_overlap
from auditor.rpm.filelist import FileList
from auditor.rpm.model import Dependency, Op, Package, PackageKind

# What a host of each architecture can install (rpm's arch compatibility, /usr/lib/rpm/rpmrc).
HOST_ARCHES: dict[str, tuple[str, ...]] = {
    "x86_64": ("x86_64", "amd64", "ia32e", "athlon", "i686", "i586", "i486", "i386", "noarch"),
    "i686": ("i686", "i586", "i486", "i386", "noarch"),
    "aarch64": ("aarch64", "noarch"),
    "ppc64le": ("ppc64le", "noarch"),
    "s390x": ("s390x", "noarch"),
    "noarch": ("noarch",),
}


KNOWN_ARCHES: frozenset[str] = frozenset(
    """
    aarch64 alpha alphaev5 alphaev56 alphaev6 alphaev67 alphapca56 amd64 armv3l armv4b
    armv4l armv4tl armv5tejl armv5tel armv5tl armv6hl armv6l armv7hl armv7hnl armv7l armv8hl
    armv8l atariclone atarist atariste ataritt athlon falcon geode hades hppa1.0 hppa1.1
    hppa1.2 hppa2.0 i370 i386 i486 i586 i686 ia32e ia64 loongarch64 m68k milan mips mips64
    mips64el mips64r6 mips64r6el mipsel mipsr6 mipsr6el noarch osfmach3_i386 osfmach3_i486
    osfmach3_i586 osfmach3_i686 osfmach3_ppc parisc pentium3 pentium4 powerpc powerppc ppc
    ppc32dy4 ppc64 ppc64iseries ppc64le ppc64p7 ppc64pseries ppc8260 ppc8560 ppciseries
    ppcpseries riscv riscv64 rs6000 s390 s390x sh3 sh4 sh4a sparc sparc64 sparc64v sparcv8
    sparcv9 sparcv9v sun4c sun4d sun4m sun4u x86_64
    """.split()  # noqa: SIM905 (a list literal would take a hundred lines)
)
"""Every architecture rpm knows (the ``arch_compat`` entries of rpm 4.18's ``rpmrc``, and
``noarch``): an ``--arch`` outside them is a typo (``x86-64``), never a host to audit for."""


def host_arches(names: Iterable[str]) -> frozenset[str]:
    """The architectures installable on hosts of the given architectures."""
    found: set[str] = set()
    for name in names:
        found.update(HOST_ARCHES.get(name, (name, "noarch")))
    return frozenset(found)


class ProvidesIndex:
    """Capability name -> (package id, provide), file path -> package ids.

    Only installable packages provide: binary packages, of the allowed architectures
    when ``arches`` is given. Every package provides its own name at its EVR even when
    its header lacks the explicit self-provide (as libsolv and rpm treat it). Only the
    files that some requirement names are indexed (libsolv's ``addfileprovides`` idea).
    """

    def __init__(
        self,
        packages: Sequence[Package],
        *,
        arches: frozenset[str] | None = None,
        wanted_files: Iterable[str] = (),
    ) -> None:
        self.packages = packages
        self.by_name: dict[str, list[tuple[int, Dependency]]] = {}
        self.by_file: dict[str, list[int]] = {}
        self.by_package_name: dict[str, list[int]] = {}
        self.installable: list[int] = []
        wanted = frozenset(wanted_files)
        intersect = wanted.intersection
        by_name = self.by_name
        by_file = self.by_file
        by_package_name = self.by_package_name
        binary = PackageKind.BINARY
        equal = Op.EQ
        for index, package in enumerate(packages):
            if package.kind is not binary or (arches is not None and package.arch not in arches):
                continue
            self.installable.append(index)
            name = package.name
            has_self = False
            for provide in package.provides:
                provide_name = provide.name
                entries = by_name.get(provide_name)
                if entries is None:
                    by_name[provide_name] = [(index, provide)]
                else:
                    entries.append((index, provide))
                if provide_name == name and provide.op is equal:
                    has_self = True
            if not has_self:
                by_name.setdefault(name, []).append((index, Dependency(name, equal, package.evr)))
            same_name = by_package_name.get(name)
            if same_name is None:
                by_package_name[name] = [index]
            else:
                same_name.append(index)
            files = package.files
            if wanted and files:  # a FileList is true without being read whole: see `among`
                owned = files.among(wanted) if isinstance(files, FileList) else intersect(files)
                for path in owned:
                    by_file.setdefault(path, []).append(index)

    def providers(self, dep: Dependency) -> tuple[int, ...]:
        """Ids of the packages whose provides (or files) satisfy a simple dependency."""
        found: list[int] = []
        if dep.name.startswith("/"):
            found.extend(self.by_file.get(dep.name, ()))
        entries = self.by_name.get(dep.name)
        if entries:
            if dep.op is None:
                found.extend(index for index, _ in entries)
            else:
                for index, provide in entries:
                    if ranges_overlap(provide.op, provide.evr, dep.op, dep.evr):
                        found.append(index)
        if len(found) > 1:
            return tuple(sorted(set(found)))
        return tuple(found)

    def named(self, name: str) -> tuple[int, ...]:
        """Ids of installable packages called ``name`` (what Obsoletes match)."""
        return tuple(self.by_package_name.get(name, ()))
