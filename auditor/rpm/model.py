"""The one immutable package model every source produces.

A binary RPM, a source RPM, a repodata entry and a spec file all become a `Package`.
Fields hold what rpm means, not how a particular format spells it: dependency operators
are an enum, never rpm's RPMSENSE bit flags or repodata's ``flags="GE"``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from auditor.core.construct import direct_constructor
from auditor.rpm.gaps import Gap
from auditor.rpm.installed import Installed
from auditor.rpm.sense import PREREQ_WORDS, Sense, comparison_bits


class Op(enum.Enum):
    """The comparison of a versioned dependency (``foo >= 1.0``)."""

    LT = "<"
    LE = "<="
    EQ = "="
    GE = ">="
    GT = ">"

    @classmethod
    def from_sense(cls, flags: int) -> Op | None:
        """The operator encoded in rpm's RPMSENSE_LESS/GREATER/EQUAL bits, or None."""
        return _SENSE_TO_OP.get(comparison_bits(flags))

    @classmethod
    def from_symbol(cls, symbol: str) -> Op:
        """``<``, ``=<``/``<=``, ``=``/``==``, ``>=``/``=>``, ``>`` as rpm's spec parser accepts them."""
        return _SYMBOL_TO_OP[symbol]


_SENSE_TO_OP: dict[int, Op] = {
    Sense.LESS: Op.LT,
    Sense.LESS | Sense.EQUAL: Op.LE,
    Sense.EQUAL: Op.EQ,
    Sense.GREATER | Sense.EQUAL: Op.GE,
    Sense.GREATER: Op.GT,
}
_SYMBOL_TO_OP = {"<": Op.LT, "<=": Op.LE, "=<": Op.LE, "=": Op.EQ, "==": Op.EQ,
                 ">=": Op.GE, "=>": Op.GE, ">": Op.GT}  # fmt: skip


@dataclass(frozen=True, slots=True)
class EVR:
    """Epoch, version and release as rpm writes them: ``[epoch:]version[-release]``.

    ``epoch`` is None when it was not written (rpm compares it as 0); ``release`` is None
    when it was not written (a requirement without a release matches any release).
    """

    epoch: int | None
    version: str
    release: str | None = None

    @classmethod
    def parse(cls, text: str) -> EVR:
        """Split an EVR string the way rpm's ``parseEVR`` does.

        The epoch is the run of digits before a ``:`` (an empty one means 0); the release
        is what follows the last ``-`` of the rest. Raises ValueError for an epoch too long
        to be a number (Python refuses to convert thousands of digits).
        """
        digits = 0
        while digits < len(text) and text[digits].isdigit() and text[digits].isascii():
            digits += 1
        epoch: int | None = None
        rest = text
        if digits < len(text) and text[digits] == ":":
            try:
                epoch = int(text[:digits]) if digits else 0
            except ValueError:
                raise ValueError(f"an epoch of {digits} digits is not a number rpm can hold") from None
            rest = text[digits + 1 :]
        version, dash, release = rest.rpartition("-")
        if not dash:
            return cls(epoch, rest, None)
        return cls(epoch, version, release or None)

    def __reduce__(self) -> tuple[Callable[..., EVR], tuple[int | None, str, str | None]]:
        return (make_evr, (self.epoch, self.version, self.release))  # see Package.__reduce__

    def __str__(self) -> str:
        text = self.version
        if self.epoch is not None:
            text = f"{self.epoch}:{text}"
        if self.release is not None:
            text = f"{text}-{self.release}"
        return text


@dataclass(frozen=True, slots=True)
class Dependency:
    """One requires/provides/conflicts/obsoletes/weak entry, exactly as rpm means it.

    A rich (boolean) dependency such as ``(a or b)`` keeps its whole text in ``name``
    with no operator; `auditor.rpm.deps` parses it.
    """

    name: str
    op: Op | None = None
    evr: EVR | None = None
    qualifiers: frozenset[str] = frozenset()

    def __reduce__(
        self,
    ) -> tuple[Callable[..., Dependency], tuple[str, Op | None, EVR | None, frozenset[str]]]:
        return (make_dependency, (self.name, self.op, self.evr, self.qualifiers))  # see Package.__reduce__

    @property
    def is_rich(self) -> bool:
        return self.name.startswith("(")

    @property
    def is_file(self) -> bool:
        return self.name.startswith("/")

    @property
    def is_prereq(self) -> bool:
        """What repodata's ``pre="1"`` records: needed before the package's own scripts run."""
        return not self.qualifiers.isdisjoint(PREREQ_WORDS)

    def __str__(self) -> str:
        if self.op is None or self.evr is None:
            return self.name
        return f"{self.name} {self.op.value} {self.evr}"


class PackageKind(enum.Enum):
    BINARY = "binary"
    SOURCE = "source"


_SOURCE = PackageKind.SOURCE  # an enum member looked up through its class is slow in hot loops
SOURCE_ARCHES = frozenset({"src", "nosrc"})
"""The architectures of a source package, as repodata and reports name them."""


@dataclass(frozen=True, slots=True)
class Checksum:
    """A digest of the whole package file, as repodata's ``pkgid`` records it."""

    algorithm: str
    value: str

    def __reduce__(self) -> tuple[Callable[..., Checksum], tuple[str, str]]:
        return (make_checksum, (self.algorithm, self.value))  # see Package.__reduce__

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.value}"


class SourceKind(enum.Enum):
    SOURCE = "source"
    PATCH = "patch"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A ``SourceN:`` or ``PatchN:`` line of a spec, URL included.

    ``value`` is the line after safe macro expansion, ``raw`` as written in the spec;
    macros that could not be expanded safely stay in ``value`` as written and are named
    in ``unexpanded``.
    """

    kind: SourceKind
    number: int | None
    value: str
    raw: str
    line: int | None = None
    unexpanded: tuple[str, ...] = ()

    @property
    def is_url(self) -> bool:
        """``scheme://...`` of any scheme (RFC 3986): ``hg://`` and ``git+https://`` are VCS URLs too."""
        return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", self.value) is not None

    @property
    def filename(self) -> str:
        """The local file name rpm uses: the ``#/name`` fragment if present, else the last path part."""
        value = self.value
        if "#/" in value:
            return value.rsplit("#/", 1)[1]
        return value.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Package:
    """One RPM package, binary or source, whatever input it was read from."""

    name: str
    epoch: int | None
    version: str
    release: str
    arch: str
    """Build architecture; ``src`` for source packages, as repodata and dnf write it."""
    kind: PackageKind
    location: str
    """The RPM file's path, or the ``location href`` relative to its repository."""
    input: str
    """The input this package was read from: an RPM path, a repository or a spec file."""
    sourcerpm: str | None = None
    checksum: Checksum | None = None
    summary: str | None = None
    description: str | None = None
    requires: tuple[Dependency, ...] = ()
    """For a source package, its BuildRequires (rpm stores them as the SRPM's requires)."""
    provides: tuple[Dependency, ...] = ()
    conflicts: tuple[Dependency, ...] = ()
    obsoletes: tuple[Dependency, ...] = ()
    recommends: tuple[Dependency, ...] = ()
    suggests: tuple[Dependency, ...] = ()
    supplements: tuple[Dependency, ...] = ()
    enhances: tuple[Dependency, ...] = ()
    files: Sequence[str] = ()
    """Every path the package owns, directories and ghosts included (a tuple, or an
    `auditor.rpm.filelist.FileList`)."""
    vendor: str | None = None
    packager: str | None = None
    buildhost: str | None = None
    url: str | None = None
    bugurl: str | None = None
    license: str | None = None
    distribution: str | None = None
    buildtime: int | None = None
    vcs: str | None = None
    """The ``VCS`` tag (rpm >= 4.15): the repository the package's sources come from."""
    disturl: str | None = None
    """The ``DISTURL`` tag, which rpmbuild fills from the ``%{disturl}`` macro."""
    translationurl: str | None = None
    """The ``TranslationURL`` tag (rpm >= 4.18), or the ``%{translationurl}`` macro's value."""
    upstreamreleases: str | None = None
    """The ``UpstreamReleases`` tag (rpm >= 4.18), or the ``%{upstreamreleases}`` macro's value."""
    alternatives: tuple[tuple[str, str], ...] = ()
    """Other values (field, value) a spec may give an origin tag (``vendor``, ``url``, ``license``,
    ``buildhost``...): set in a branch the reader could not decide, or written twice; of a source
    package, what its spec's packages carry (their tags, capabilities, ``builds`` names); of an RPM
    header, the tag's other strings (a STRING_ARRAY, or an I18NSTRING's translations); the policy host
    a remote file's download is redirected to (``location``). Each is judged as that field's too."""
    signing_keys: tuple[str, ...] = ()
    """Key ids (16 lower-case hex digits) of every OpenPGP signature the package carries, in
    the order rpm checks them; empty when it is unsigned. All of them, not one: a package
    signed by a clean key and by a vendor's is the vendor's build too."""
    sources: tuple[SourceFile, ...] = ()
    spec: str | None = None
    """Where the spec behind ``sources`` was read: ``header`` (SPEC tag), ``payload:NAME`` or a path."""
    builds: tuple[str, ...] | None = None
    """Of a source RPM, the names of the binary packages its spec builds (`auditor.rpm.spec.builds`);
    None when unknown (no spec read, or a reading that may have missed one): a rebuild of it then
    makes every binary of its name, as ``auditor check`` assumed before it knew."""
    notes: tuple[str, ...] = field(default=(), compare=False)
    """Things the reader noticed that change no verdict (``%generate_buildrequires``...)."""
    gaps: tuple[Gap, ...] = ()
    """Evidence about this package that could not be seen (see `auditor.rpm.gaps.GapKind`)."""
    header_range: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    """Where repodata says the main header lies in the file (``rpm:header-range`` start and end):
    a hint for reading lead, signature and header in one range request, checked; never evidence."""
    source_pkgid: str | None = field(default=None, compare=False)
    """rpm's id of a source package, the MD5 of its header and payload (hex): a binary's SOURCEPKGID
    (rpmbuild -ba writes it); a source package's own, then a space and the ARCH it was built for."""
    installs: tuple[Installed, ...] = ()
    """Of a binary, the repositories and signing keys it installs (`auditor.rpm.installed`)."""
    scriptlets: tuple[tuple[str, str], ...] = ()
    """Of a binary, each URL and host word its scriptlets hold, and where (`auditor.rpm.scriptlets`)."""
    file_patterns: tuple[str, ...] = ()
    """Of a binary read from a spec (never stored; last: readers make packages by position), what
    its ``%files`` packages beyond ``files`` (`auditor.rpm.spec.files.FilesLine.patterns`)."""

    def __reduce__(self) -> tuple[Callable[..., Package], tuple[Any, ...]]:
        # Packages cross from worker processes by the ten thousand: positional arguments, given to
        # `make_package`, unpickle over twice as fast as the slots state dataclasses pickle by default.
        return (make_package, _package_values(self))

    @property
    def evr(self) -> EVR:
        return EVR(self.epoch, self.version, self.release)

    @property
    def nevra(self) -> str:
        """``name-[epoch:]version-release.arch``, the epoch left out when it is absent or 0."""
        epoch = f"{self.epoch}:" if self.epoch else ""
        return f"{self.name}-{epoch}{self.version}-{self.release}.{self.arch}"

    @property
    def signing_key(self) -> str | None:
        """The first of `signing_keys` (what reports showed before a package could have several)."""
        return self.signing_keys[0] if self.signing_keys else None

    @property
    def is_source(self) -> bool:
        return self.kind is _SOURCE

    @property
    def srpm_file_name(self) -> str:
        """The file name rpmbuild gives this source package (``NAME-VERSION-RELEASE.src.rpm``),
        as every binary built from it records it in SOURCERPM."""
        return srpm_file_name(self.name, self.version, self.release)

    @property
    def source_rpm_key(self) -> str | None:
        """A binary's SOURCERPM as `srpm_file_name` writes its source package's: the key that
        finds that package. rpmbuild names a source package built with NoSource or NoPatch
        ``NAME-V-R.nosrc.rpm``; it is the same source package, and its evidence is inherited."""
        sourcerpm = self.sourcerpm
        if sourcerpm and sourcerpm.endswith(".nosrc.rpm"):
            return sourcerpm[: -len(".nosrc.rpm")] + ".src.rpm"
        return sourcerpm

    @property
    def from_spec(self) -> bool:
        """Read from a spec file: the package that spec would build now, not one that was built."""
        return self.spec is not None and self.spec == self.location

    @property
    def source_key(self) -> tuple[str, bool]:
        """What finds this source package from a binary built from it (`built_from_key`): its
        file name, and whether it was read from a spec. A binary that was built pairs only with
        a source package that was built (a spec of the same N-V-R may have been edited since),
        and a spec's binaries with the spec's own source package."""
        return self.srpm_file_name, self.from_spec

    @property
    def built_from_key(self) -> tuple[str, bool] | None:
        """A binary's key of the source package it was built from (`source_key`); None when
        it names none (an empty or missing SOURCERPM)."""
        key = self.source_rpm_key
        return (key, self.from_spec) if key else None

    @property
    def source_name(self) -> str | None:
        """The name of the source package this binary was built from (parsed from ``sourcerpm``)."""
        if self.kind is _SOURCE:
            return self.name
        parts = self._sourcerpm_parts()
        return parts[0] if parts is not None else None

    @property
    def source_version_release(self) -> tuple[str, str] | None:
        """The version and release of the source package this binary was built from (parsed
        from ``sourcerpm``, which records no epoch)."""
        if self.kind is _SOURCE:
            return self.version, self.release
        parts = self._sourcerpm_parts()
        if parts is None or not parts[1] or not parts[2]:
            return None
        return parts[1], parts[2]

    def _sourcerpm_parts(self) -> list[str] | None:
        """``sourcerpm`` as [name, version, release], or None when it is absent or not one."""
        if not self.sourcerpm:
            return None
        stem = self.sourcerpm
        for suffix in (".src.rpm", ".nosrc.rpm", ".rpm"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        parts = stem.rsplit("-", 2)
        return parts if len(parts) == 3 else None

    def __str__(self) -> str:
        return self.nevra


def srpm_file_name(name: str, version: str, release: str) -> str:
    """``NAME-VERSION-RELEASE.src.rpm``: what a binary's SOURCERPM says (no epoch, no arch)."""
    return f"{name}-{version}-{release}.src.rpm"


make_evr = direct_constructor(EVR, "make_evr", __name__)
make_dependency = direct_constructor(Dependency, "make_dependency", __name__)
make_checksum = direct_constructor(Checksum, "make_checksum", __name__)
make_package = direct_constructor(Package, "make_package", __name__)
"""The classes' constructors, made faster (`auditor.core.construct.direct_constructor`): a reader
makes a package and its dependencies for each of 60,000 entries, and workers pickle them back."""

_PACKAGE_FIELDS = tuple(item.name for item in fields(Package))
_package_values = attrgetter(*_PACKAGE_FIELDS)
_FIELD_POSITIONS = {name: position for position, name in enumerate(_PACKAGE_FIELDS)}


def with_fields(package: Package, **changes: Any) -> Package:
    """``package`` with ``changes``: `dataclasses.replace` in a third of its time (made by
    `make_package`), for the loops that complete a repository's packages one by one."""
    values = list(_package_values(package))
    for name, value in changes.items():
        if (position := _FIELD_POSITIONS.get(name)) is None:
            raise TypeError(f"Package has no field {name!r}")
        values[position] = value
    return make_package(*values)
