"""Turn one RPM file (binary or source) into a `Package`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any, BinaryIO

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.formats.rpmheader import Header, RpmHeaders, Tag, read_headers
from auditor.rpm.model import EVR, Checksum, Dependency, Op, Package, PackageKind
from auditor.rpm.sense import qualifier_words
from auditor.sources.srpmspec import PayloadMember, SpecReading, payload_of, read_srpm_spec

# (model field, name tag, flags tag, version tag), in rpm's order.
_DEPENDENCY_TAGS = (
    ("requires", Tag.REQUIRENAME, Tag.REQUIREFLAGS, Tag.REQUIREVERSION),
    ("provides", Tag.PROVIDENAME, Tag.PROVIDEFLAGS, Tag.PROVIDEVERSION),
    ("conflicts", Tag.CONFLICTNAME, Tag.CONFLICTFLAGS, Tag.CONFLICTVERSION),
    ("obsoletes", Tag.OBSOLETENAME, Tag.OBSOLETEFLAGS, Tag.OBSOLETEVERSION),
    ("recommends", Tag.RECOMMENDNAME, Tag.RECOMMENDFLAGS, Tag.RECOMMENDVERSION),
    ("suggests", Tag.SUGGESTNAME, Tag.SUGGESTFLAGS, Tag.SUGGESTVERSION),
    ("supplements", Tag.SUPPLEMENTNAME, Tag.SUPPLEMENTFLAGS, Tag.SUPPLEMENTVERSION),
    ("enhances", Tag.ENHANCENAME, Tag.ENHANCEFLAGS, Tag.ENHANCEVERSION),
)
_COPIED_TAGS = _DEPENDENCY_TAGS[:4]
"""The dependencies createrepo_c copies from each header into primary.xml, which the metadata
must agree with (`auditor.sources.overlay.overlay`)."""
# rpm < 4.12 stored Suggests/Enhances here (RPMTAG_OLDSUGGESTS*, RPMTAG_OLDENHANCES*).
_OLD_WEAK_TAGS = (
    ("suggests", Tag.OLDSUGGESTSNAME, Tag.OLDSUGGESTSFLAGS, Tag.OLDSUGGESTSVERSION),
    ("enhances", Tag.OLDENHANCESNAME, Tag.OLDENHANCESFLAGS, Tag.OLDENHANCESVERSION),
)


class DependencyInterner:
    """Share identical `Dependency` objects between packages: a distribution repeats them a lot."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, str], Dependency] = {}

    def get(self, name: str, flags: int, version: str) -> Dependency:
        key = (name, flags, version)
        found = self._cache.get(key)
        if found is None:
            op = Op.from_sense(flags) if version else None
            evr = EVR.parse(version) if op is not None else None
            found = Dependency(name, op, evr, qualifier_words(flags))
            self._cache[key] = found
        return found


_INTERNER = DependencyInterner()


def read_rpm_file(path: str, *, checksum: bool = True, display: str | None = None) -> Package:
    """Read an RPM file's headers (and, for an SRPM without a SPEC tag, its spec from the payload).
    A file whose payload is cut short raises the `InputError` that `read_rpm` returns beside it."""
    package, error = read_rpm(path, checksum=checksum, display=display)
    if error is not None:
        raise error
    return package


def read_rpm(
    path: str,
    *,
    checksum: bool = True,
    display: str | None = None,
    evidence_only: bool = False,
    opened: Callable[[os.stat_result], None] | None = None,
) -> tuple[Package, InputError | None]:
    """Read an RPM file: its package, and the error of a file whose headers are whole but
    whose payload is cut short (the package is still read from the header, to be audited,
    and the file reported as an input error). Raises `InputError` when no package can be read.
    ``evidence_only``: see `package_from_headers`. ``opened`` hears of the file actually read
    (`os.fstat` of its descriptor), whatever its name points to by now."""
    shown = display or path
    try:
        with open_regular(path, shown, "an RPM file") as stream:
            info = os.fstat(stream.fileno())
            if opened is not None:
                opened(info)
            headers = read_headers(stream, shown, info.st_size)
            digest = _file_digest(stream) if checksum else None

            def package(payload: BinaryIO | None) -> Package:
                return package_from_headers(
                    headers, payload, location=path, input=shown, checksum=digest, evidence_only=evidence_only
                )

            if headers.truncated is None:
                return package(stream), None
            error = InputError(shown, f"{headers.truncated}; its package is read from the header alone")
            try:
                return package(stream), error
            except InputError:  # the spec was in the missing part of the payload
                return package(None), error
    except OSError as exc:
        raise InputError(shown, os_reason(exc)) from None


def _file_digest(stream: BinaryIO) -> Checksum:
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    return Checksum("sha256", digest.hexdigest())


def package_from_headers(
    headers: RpmHeaders,
    stream: BinaryIO | None,
    *,
    location: str,
    input: str,
    checksum: Checksum | None,
    payload: PayloadMember | None = None,
    evidence_only: bool = False,
) -> Package:
    """The package ``headers`` describe; a source package's spec, when the header has none,
    is read from the payload of ``stream`` (the open file) or from ``payload``.

    ``evidence_only``: only the identity, what a repository's metadata lacks (signing key,
    Distribution, BugURL, a source package's Sources) and what the metadata must agree with:
    the origin fields (Vendor, Packager, build host, URL, License, SOURCERPM) and the
    dependencies createrepo_c copies (Requires, Provides, Conflicts, Obsoletes), for a package
    read to complete its metadata entry (`auditor.sources.overlay.overlay`): cheaper to read,
    to hand between processes and to store."""
    main = headers.main
    name = main.string(Tag.NAME)
    version = main.string(Tag.VERSION)
    release = main.string(Tag.RELEASE)
    if not name or version is None or release is None:
        raise InputError(input, "corrupt RPM header: no name, version or release")
    is_source = Tag.SOURCERPM not in main  # rpm's own headerIsSource()
    files = _files(main) if is_source or not evidence_only else ()
    reading = SpecReading((), None)
    if is_source:
        if payload is None and stream is not None:
            payload = payload_of(stream, headers, input)
        reading = read_srpm_spec(headers, payload, input, files)
    if evidence_only:
        more: dict[str, Any] = {field: _dependencies(main, *tags) for field, *tags in _COPIED_TAGS}
    else:
        more = {field: _dependencies(main, *tags) for field, *tags in _DEPENDENCY_TAGS}
        for field, *tags in _OLD_WEAK_TAGS:
            if not more[field]:
                more[field] = _dependencies(main, *tags)
        more.update(
            summary=main.string(Tag.SUMMARY),
            description=main.string(Tag.DESCRIPTION),
            files=files,
            buildtime=main.integer(Tag.BUILDTIME),
        )
    return Package(
        name=name,
        epoch=main.integer(Tag.EPOCH),
        version=version,
        release=release,
        arch="src" if is_source else (main.string(Tag.ARCH) or "noarch"),
        kind=PackageKind.SOURCE if is_source else PackageKind.BINARY,
        location=location,
        input=input,
        sourcerpm=None if is_source else main.string(Tag.SOURCERPM),
        checksum=checksum,
        distribution=main.string(Tag.DISTRIBUTION),
        signing_keys=headers.signing_keys,
        # Read for evidence too: a repository's metadata carries them, and the file's own
        # values are what its entry is checked against (`auditor.sources.overlay.overlay`).
        vendor=main.string(Tag.VENDOR),
        packager=main.string(Tag.PACKAGER),
        buildhost=main.string(Tag.BUILDHOST),
        url=main.string(Tag.URL),
        bugurl=main.string(Tag.BUGURL),
        license=main.string(Tag.LICENSE),
        sources=reading.sources,
        spec=reading.spec,
        notes=reading.notes,
        alternatives=reading.alternatives,
        gaps=reading.gaps,
        **more,
    )


def _dependencies(header: Header, name_tag: int, flags_tag: int, version_tag: int) -> tuple[Dependency, ...]:
    names = header.strings(name_tag)
    if not names:
        return ()
    flags = header.ints(flags_tag) or (0,) * len(names)
    versions = header.strings(version_tag) or [""] * len(names)
    if len(flags) != len(names) or len(versions) != len(names):
        raise InputError(
            header.source,
            f"corrupt RPM header: tag {name_tag} and its flags/versions differ in length",
        )
    get = _INTERNER.get
    try:
        return tuple(
            get(name, flag, version) for name, flag, version in zip(names, flags, versions, strict=True)
        )
    except ValueError as exc:
        raise InputError(header.source, f"corrupt RPM header: tag {version_tag}: {exc}") from None


def _files(header: Header) -> tuple[str, ...]:
    basenames = header.strings(Tag.BASENAMES)
    if not basenames:
        return tuple(header.strings(Tag.OLDFILENAMES))
    dirnames = header.strings(Tag.DIRNAMES)
    indexes = header.ints(Tag.DIRINDEXES)
    if len(indexes) != len(basenames) or (indexes and max(indexes) >= len(dirnames)):
        raise InputError(header.source, "corrupt RPM header: file names and directory indexes disagree")
    return tuple(dirnames[index] + base for index, base in zip(indexes, basenames, strict=True))
