"""The index of everything the packages of a run provide: capabilities and files.

Packages are referred to by their position in the run's package list (an ``int``),
never hashed: a `Package` is a large value and comparing two is costly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from auditor.core.errors import InputError
from auditor.deps.versions import BISECT_FROM, VersionIndex
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.filelist import FileList
from auditor.rpm.model import EVR, Dependency, Op, Package, PackageKind

# What dnf and yum install on a host of each architecture: libsolv's arch policies as Fedora and
# EL build it (-DFEDORA: x86_64 takes athlon; Debian's build and the solv wheel do not) and yum's
# rpmUtils.arch. yum 3 names an x86_64 host ia32e or amd64 (`ONLY_YUM_INSTALLS`), and installs
# that architecture's packages too: an x86_64 host is one of the three (`host_arches`), and no
# host installs both an ia32e and an amd64 package. An s390x host takes s390 (31-bit).
HOST_ARCHES: dict[str, tuple[str, ...]] = {
    "x86_64": ("x86_64", "athlon", "i686", "i586", "i486", "i386", "noarch"),
    "ia32e": ("ia32e", "x86_64", "athlon", "i686", "i586", "i486", "i386", "noarch"),
    "amd64": ("amd64", "x86_64", "athlon", "i686", "i586", "i486", "i386", "noarch"),
    "i686": ("i686", "i586", "i486", "i386", "noarch"),
    "aarch64": ("aarch64", "noarch"),
    "ppc64le": ("ppc64le", "noarch"),
    "s390x": ("s390x", "s390", "noarch"),
    "noarch": ("noarch",),
}

ONLY_YUM_INSTALLS: frozenset[str] = frozenset({"amd64", "ia32e"})
"""Architectures some x86_64 hosts install and dnf's never do. yum 3 names an x86_64 host after
its CPU (rpmUtils.arch's ``getCanonX86_64Arch``: ia32e for Intel, amd64 for AMD) and installs
that architecture's packages beside x86_64 ones; dnf sets libsolv to x86_64, which takes
neither. Such a package is a provider (a yum host may install it) and never a way around (dnf's
hosts lack it): hidden on dnf's hosts (`auditor.audit.pipeline`), as a package dnf's reading of
its configuration hides."""


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


# libsolv's arch policies (src/poolarch.c, as Fedora and EL build it) for the hosts outside
# `HOST_ARCHES`: what ``--arch`` installs for one of them. yum 3's rpmUtils.arch agrees where it
# knows the architecture. Pairs its hosts alone make are not `Architectures` pairs: a run of
# several hosts does not mix them with the table's.
ARCH_POLICIES: dict[str, str] = {
    "i586": "i586:i486:i386", "i486": "i486:i386", "i386": "i386", "athlon": "athlon:i686:i586:i486:i386",
    "geode": "geode:i586:i486:i386", "amd64": "amd64:x86_64:athlon:i686:i586:i486:i386",
    "ia32e": "ia32e:x86_64:athlon:i686:i586:i486:i386", "ia64": "ia64:i686:i586:i486:i386",
    "s390": "s390", "ppc64": "ppc64:ppc", "ppc": "ppc", "ppc64p7": "ppc64p7:ppc64:ppc",
    "ppc64iseries": "ppc64iseries:ppc64:ppc", "ppc64pseries": "ppc64pseries:ppc64:ppc",
    "armv6hl": "armv6hl", "armv7hnl": "armv7hnl:armv7hl:armv6hl", "armv7hl": "armv7hl:armv6hl",
    "armv7l": "armv7l:armv6l:armv5tejl:armv5tel:armv5tl:armv4tl:armv4l:armv3l",
    "armv6l": "armv6l:armv5tejl:armv5tel:armv5tl:armv4tl:armv4l:armv3l",
    "armv5tejl": "armv5tejl:armv5tel:armv5tl:armv4tl:armv4l:armv3l",
    "armv5tel": "armv5tel:armv5tl:armv4tl:armv4l:armv3l", "armv5tl": "armv5tl:armv4tl:armv4l:armv3l",
    "armv4tl": "armv4tl:armv4l:armv3l", "armv4l": "armv4l:armv3l", "sh4a": "sh4a:sh4",
    "sparc64v": "sparc64v:sparc64:sparcv9v:sparcv9:sparcv8:sparc", "sparc64": "sparc64:sparcv9:sparcv8:sparc",
    "sparcv9v": "sparcv9v:sparcv9:sparcv8:sparc", "sparcv9": "sparcv9:sparcv8:sparc",
    "sparcv8": "sparcv8:sparc",
}  # fmt: skip


def host_arches(names: Iterable[str]) -> frozenset[str]:
    """The architectures installable on hosts of the given architectures: the table's, else
    libsolv's policy (`ARCH_POLICIES`), else the architecture alone (and noarch)."""
    found: set[str] = set()
    for name in names:
        for host in (name, *YUM_NAMES.get(name, ())):
            found.update(HOST_ARCHES.get(host) or (*ARCH_POLICIES.get(host, host).split(":"), "noarch"))
    return frozenset(found)


YUM_NAMES: dict[str, tuple[str, ...]] = {"x86_64": ("ia32e", "amd64")}
"""What yum 3 names a host of an architecture (`ONLY_YUM_INSTALLS`): ``--arch x86_64`` is them too."""


class Architectures:
    """Whether a package of one architecture can satisfy a requirement of a package of another.

    Two architectures go together when some host of `HOST_ARCHES` installs both (x86_64 and
    i686, by multilib), as rpm's arch compatibility says. ``noarch`` goes with everything, and
    every architecture with itself; one that no host of the table lists (riscv64, ppc64,
    armv7hl...) with nothing else: rpm has no host where it mixes with x86_64.
    """

    def __init__(self) -> None:
        self._hosts = {
            arch: frozenset(host for host, arches in HOST_ARCHES.items() if arch in arches)
            for arches in HOST_ARCHES.values()
            for arch in arches
        }
        self._answers: dict[tuple[str, str], bool] = {}

    def listed(self, arch: str) -> bool:
        """Whether a host of the table installs ``arch`` (else it goes with itself and noarch only)."""
        return arch in self._hosts

    def together(self, first: str, second: str) -> bool:
        if first == second or first == "noarch" or second == "noarch":
            return True
        hosts, others = self._hosts.get(first), self._hosts.get(second)
        if hosts is None or others is None:
            # Not kept: repository metadata may name n architectures of its own, and their
            # answers were n x n pairs held (4,000 of them: 16 million, 1.7 GB).
            return False
        answer = self._answers.get((first, second))
        if answer is None:
            answer = self._answers[first, second] = not hosts.isdisjoint(others)
        return answer


_SLASHES = re.compile("/{2,}")


def file_path(name: str) -> str:
    """The path a file requirement names, as libsolv and rpm look it up: a run of ``/`` is one
    (libsolv's directory ids and rpm's file fingerprints join them, so ``//usr/bin/x``, which a
    macro ending in ``/`` writes, is met by ``/usr/bin/x``). Nothing else is changed: with ``.``,
    ``..`` or a ``/`` at its end a path names no file, for both."""
    return _SLASHES.sub("/", name) if "//" in name else name


K = TypeVar("K")
V = TypeVar("V")


class Multimap(Generic[K, V]):
    """Keys to the values added under them, in the order added.

    Most keys of a distribution's index have one value (a capability one package provides, a
    name one package has): such a value is held without a list of its own. distro-60k's
    190,000 lists of one took 17 MB.
    """

    __slots__ = ("_many", "_one")

    def __init__(self) -> None:
        self._one: dict[K, V] = {}
        self._many: dict[K, list[V]] = {}

    def add(self, key: K, value: V) -> None:
        many = self._many.get(key)
        if many is not None:
            many.append(value)
        elif key in self._one:
            self._many[key] = [self._one.pop(key), value]
        else:
            self._one[key] = value

    def get(self, key: K) -> Sequence[V]:
        """The values added under ``key`` (empty when none was)."""
        many = self._many.get(key)
        if many is not None:
            return many
        one = self._one
        return (one[key],) if key in one else ()

    def __len__(self) -> int:
        """How many keys have values."""
        return len(self._one) + len(self._many)


MAX_MATCHED = 50_000_000
"""Packages the answers of one run may list in all: each distinct requirement's providers (each
rich one's operands' at each evaluation), each Conflicts' and Obsoletes' matches. Each answer
is kept whole, about 16 bytes a package through the resolution and `auditor.deps.coinstall`,
and n distinct ones over the same n packages hold n x n: packages naming a range of their own
over n versions of one name (10,000 of each of three kinds: 2.4 GB and 23 s from 5.7 MB of
metadata), or requiring ``(common or other-K)`` of the n providers of ``common`` (4,000 over
20,000: 730 MB and 23 s from 3.3 MB), where a plain requirement is answered once for all.
distro-60k lists about 100,000, ranges-5k 37.5 million. Past it the run is refused: no answer
is cut short."""


class MatchBudget:
    """What the answers of one run have listed so far, against `MAX_MATCHED`."""

    __slots__ = ("left", "packages")

    def __init__(self, packages: Sequence[Package]) -> None:
        self.packages = packages
        self.left = MAX_MATCHED

    def spend(self, listed: Sequence[int], name: str) -> None:
        """``listed`` (packages of the run, at least one) answered a query on ``name``."""
        self.left -= len(listed)
        if self.left < 0:
            raise InputError(
                self.packages[listed[0]].input,
                f"the dependencies of the run match more than {MAX_MATCHED} packages in all, the last "
                f"on {name} (distinct requirements naming the same many providers: ranges of their own "
                "over the versions of one name, rich dependencies repeating a name many packages "
                "provide): refused, the audit would hold each match; nothing was audited",
            )


class ProvidesIndex:
    """Capability name -> (package id, provide), file path -> package ids, package name -> ids.

    Only installable packages provide: binary packages, of the allowed architectures
    when ``arches`` is given, but those of ``hidden`` (the packages a repository's
    configuration hides from dnf: audited, never installed). Every package provides its own
    name at its EVR even when its header lacks the explicit self-provide (as libsolv and rpm
    treat it). Only the files that some requirement names are indexed (libsolv's
    ``addfileprovides`` idea).
    """

    def __init__(
        self,
        packages: Sequence[Package],
        *,
        arches: frozenset[str] | None = None,
        wanted_files: Iterable[str] = (),
        hidden: frozenset[int] = frozenset(),
    ) -> None:
        self.packages = packages
        self.by_name: Multimap[str, tuple[int, Dependency]] = Multimap()
        self.by_file: Multimap[str, int] = Multimap()
        self.by_package_name: Multimap[str, int] = Multimap()
        self.installable: list[int] = []
        self.hidden = hidden
        self._versions: dict[str, tuple[VersionIndex, list[tuple[int, Dependency]]]] = {}
        """Capability name -> its provides sorted, for a versioned query of a name many provide."""
        self.budget = MatchBudget(packages)
        """What the answers of this index and of its resolver have listed (`MAX_MATCHED`)."""
        wanted = frozenset(wanted_files)
        intersect = wanted.intersection
        provide_name_of, file_of, package_name_of = (
            self.by_name.add,
            self.by_file.add,
            self.by_package_name.add,
        )
        # `Multimap.add` written out for the provides: a distribution has 200,000 of them.
        one_provider, many_providers = self.by_name._one, self.by_name._many
        binary = PackageKind.BINARY
        equal = Op.EQ
        for index, package in enumerate(packages):
            if (
                package.kind is not binary
                or (arches is not None and package.arch not in arches)
                or index in hidden
            ):
                continue
            self.installable.append(index)
            name = package.name
            has_self = False
            for provide in package.provides:
                provide_name = provide.name
                entry = (index, provide)
                many = many_providers.get(provide_name)
                if many is not None:
                    many.append(entry)
                elif provide_name in one_provider:
                    many_providers[provide_name] = [one_provider.pop(provide_name), entry]
                else:
                    one_provider[provide_name] = entry
                if provide_name == name and provide.op is equal:
                    has_self = True
            if not has_self:
                provide_name_of(name, (index, Dependency(name, equal, package.evr)))
            package_name_of(name, index)
            files = package.files
            if wanted and files:  # a FileList is true without being read whole: see `among`
                owned = files.among(wanted) if isinstance(files, FileList) else intersect(files)
                for path in owned:
                    file_of(path, index)

    def providers(self, dep: Dependency) -> tuple[int, ...]:
        """Ids of the packages whose provides (or files) satisfy a simple dependency."""
        name = dep.name
        if dep.op is None and not name.startswith("/"):
            # Most requirements: unversioned, no path. `Multimap.get` written out.
            many = self.by_name._many.get(name)
            if many is None:
                one = self.by_name._one.get(name)
                return () if one is None else (one[0],)
            listed = tuple(sorted({index for index, _ in many}))
            self.budget.spend(listed, name)
            return listed
        found: list[int] = []
        if name.startswith("/"):
            found.extend(self.by_file.get(file_path(name)))
        entries = self.by_name.get(name)
        if entries:
            if dep.op is None:
                found.extend(index for index, _ in entries)
            elif len(entries) >= BISECT_FROM and dep.evr is not None:
                versions, others = self._versions_of(dep.name, entries)
                found.extend(versions.matching(dep.op, dep.evr))
                for index, provide in others:
                    if ranges_overlap(provide.op, provide.evr, dep.op, dep.evr):
                        found.append(index)
            else:
                for index, provide in entries:
                    if ranges_overlap(provide.op, provide.evr, dep.op, dep.evr):
                        found.append(index)
        if len(found) > 1:
            listed = tuple(sorted(set(found)))
            self.budget.spend(listed, name)
            return listed
        return tuple(found)

    def _versions_of(
        self, name: str, entries: Sequence[tuple[int, Dependency]]
    ) -> tuple[VersionIndex, list[tuple[int, Dependency]]]:
        """The ``= EVR`` provides of ``name`` sorted (`VersionIndex`), and its other provides."""
        known = self._versions.get(name)
        if known is None:
            exact: list[tuple[int, EVR]] = []
            others: list[tuple[int, Dependency]] = []
            for index, provide in entries:
                if provide.op is Op.EQ and provide.evr is not None:
                    exact.append((index, provide.evr))
                else:
                    others.append((index, provide))
            known = self._versions[name] = (VersionIndex(exact), others)
        return known

    def host_word_providers(self, dep: Dependency) -> tuple[int, ...]:
        """`providers` of a simple ``dep`` whose name holds shell code (`host_word_pattern`): of
        every provide whose name the code's answer, one word, may make. Rare (spec readings
        only), so the names are searched, not indexed."""
        pattern = host_word_pattern(dep.name)
        if pattern is None:
            return ()
        found: set[int] = set()
        for name in [*self.by_name._one, *self.by_name._many]:
            if pattern.fullmatch(name):
                for index, provide in self.by_name.get(name):
                    if dep.op is None or ranges_overlap(provide.op, provide.evr, dep.op, dep.evr):
                        found.add(index)
        return tuple(sorted(found))

    def named(self, name: str) -> tuple[int, ...]:
        """Ids of installable packages called ``name`` (what Obsoletes match)."""
        return tuple(self.by_package_name.get(name))


def host_word_pattern(name: str) -> re.Pattern[str] | None:
    """``name`` with each run of shell code (``%(...)``) as any one word, or None when it holds
    none. rpm runs the code as it parses the spec, so a built package never requires such a
    name: only a spec's reading does, which keeps the code that asks the build host for one word
    (`auditor.rpm.spec.builtins.HOST_QUERY`: ``perl(:MODULE_COMPAT_%(eval "`perl -V:version`";
    echo $version))``). What a host answers there is one of the words the repository provides."""
    start = name.find("%(")
    if start < 0:
        return None
    pieces: list[str] = []
    at = 0
    while start >= 0:
        depth, end = 0, start + 1
        while end < len(name):
            depth += {"(": 1, ")": -1}.get(name[end], 0)
            if depth == 0:
                break
            end += 1
        if depth:
            return None  # unclosed: not code rpm would run either
        pieces.append(re.escape(name[at:start]))
        at = end + 1
        start = name.find("%(", at)
    pieces.append(re.escape(name[at:]))
    return re.compile(r"[^\s()]+".join(pieces))
