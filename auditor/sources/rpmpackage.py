"""Turn one RPM file (binary or source) into a `Package`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any, BinaryIO, TypeVar

from auditor.core.errors import InputError, TooLarge
from auditor.core.files import open_regular, unread
from auditor.formats.payloaddigests import read_digests
from auditor.formats.rpmheader import Header, RpmHeaders, Tag, read_headers
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Checksum, Package, PackageKind, make_package
from auditor.sources.evidence import (
    COPIED_DEPENDENCIES,
    CopiedTags,
    HeaderEvidence,
    has_unreadable_version,
)
from auditor.sources.filedigest import file_digests
from auditor.sources.headerdeps import (
    COPIED_TAGS,
    DEPENDENCY_TAGS,
    OLD_WEAK_TAGS,
    as_dependencies,
    copied_tags,
    dependencies,
    old_weak,
)
from auditor.sources.headerscripts import header_scriptlets
from auditor.sources.payloadconfig import installed_by
from auditor.sources.srpmspec import PayloadMember, SpecReading, payload_of, read_srpm_spec

M = TypeVar("M", Package, HeaderEvidence)


PAYLOAD_SPEC_UNREAD = "the spec in its payload was not read"
"""How the gap of a source package read from its header alone begins (its payload cut, corrupt,
past a bound): `auditor.audit.rebuilds` puts its own in its place, which says what of the
rebuild is unseen."""


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
    opened: Callable[[os.stat_result], None] | None = None,
) -> tuple[Package, InputError | None]:
    """Read an RPM file: its package, and the error of a file whose headers are whole but whose
    payload is cut short, not the one they describe (BAD by its digest, as rpm -K says), or past
    a bound of the auditor's where its spec is (`TooLarge`): the package is still read from the
    header, to be audited, and the file reported as an input error. Raises `InputError` when no
    package can be read. ``opened`` hears of the file actually read (`os.fstat` of its
    descriptor), whatever its name points to."""
    return _read(path, package_from_headers, checksum=checksum, display=display, opened=opened)


def read_rpm_evidence(
    path: str, *, opened: Callable[[os.stat_result], None] | None = None
) -> tuple[HeaderEvidence, InputError | None]:
    """`read_rpm` for `evidence_from_headers`: what the file adds to its metadata entry (unhashed)."""
    return _read(path, evidence_from_headers, checksum=False, display=None, opened=opened)


def _read(
    path: str,
    build: Callable[..., M],
    *,
    checksum: bool,
    display: str | None,
    opened: Callable[[os.stat_result], None] | None,
) -> tuple[M, InputError | None]:
    shown = display or path
    try:
        with open_regular(path, shown, "an RPM file") as stream:
            info = os.fstat(stream.fileno())
            if opened is not None:
                opened(info)
            headers = read_headers(stream, shown, info.st_size)
            # A file longer than its package is not hashed: a sparse terabyte may follow.
            appended = appended_error(headers, info.st_size, shown)
            verify = appended is None and headers.truncated is None  # else that error says more
            sha256, bad = read_digests(
                stream, headers, shown, verify=verify, whole=checksum and appended is None
            )
            digest = Checksum("sha256", sha256) if sha256 is not None else None

            def model(payload: BinaryIO | None, unread: str | None = None) -> M:
                return build(
                    headers, payload, location=path, input=shown, checksum=digest, payload_unread=unread
                )

            why = headers.truncated or bad
            if why is None:
                try:
                    return model(stream), appended
                except TooLarge as exc:  # the auditor's bound, met in a payload rpm vouches for
                    why = bad = exc.reason  # its spec unread: audited from the header, as a cut payload
            error = InputError(shown, f"{why}; its package is read from the header alone")
            try:  # a payload its header does not vouch for is not read: a spec there is no evidence
                return (model(None, why) if bad else model(stream)), error
            except InputError:  # the spec was in the missing part of the payload
                return model(None, why), error
    except OSError as exc:
        raise unread(path, shown, exc) from None


def appended_error(headers: RpmHeaders, size: int, shown: str) -> InputError | None:
    """The error of a file longer than the package its signature records: rpm -K finds the payload
    digests BAD over what follows (a package appended), and rpm -i refuses the file."""
    if headers.recorded_size is None or size <= headers.recorded_size:
        return None
    follow = f"{size - headers.recorded_size} bytes follow the {headers.recorded_size} bytes of the package"
    return InputError(shown, f"{follow} its signature records: not an RPM file as rpm installs it")


def package_from_headers(
    headers: RpmHeaders,
    stream: BinaryIO | None,
    *,
    location: str,
    input: str,
    checksum: Checksum | None,
    payload: PayloadMember | None = None,
    payload_unread: str | None = None,
) -> Package:
    """The package ``headers`` describe; a source package's spec, when the header has none,
    is read from the payload of ``stream`` (the open file) or from ``payload``; ``payload_unread``,
    why neither is given for a payload the file has (a source package's spec: a gap)."""
    return _package(headers, stream, location, input, checksum, payload, payload_unread, evidence_only=False)


def evidence_from_headers(
    headers: RpmHeaders,
    stream: BinaryIO | None,
    *,
    location: str,
    input: str,
    checksum: Checksum | None,
    payload: PayloadMember | None = None,
    payload_unread: str | None = None,
) -> HeaderEvidence:
    """What the file ``headers`` were read from adds to its repository metadata entry (for
    `auditor.sources.overlay.overlay`): the identity, what the metadata lacks (signing key,
    Distribution, BugURL, a source package's Sources, a binary's repositories and keys) and what
    it must agree with: the origin fields (Vendor, Packager, build host, URL, License, SOURCERPM),
    the dependencies createrepo_c copies (weak ones too) as the header has them (`HeaderEvidence`),
    a binary's files as digests (`file_digests`). Cheaper to hand between processes and store than
    the package; checked as a full read checks what it reads (a file a full read refuses for its
    Summary or Description alone, which this never reads, is read here)."""
    package = _package(
        headers, stream, location, input, checksum, payload, payload_unread, evidence_only=True
    )
    main = headers.main
    files = None if package.is_source else file_digests(main.file_paths())
    copied = [copied_tags(main, *tags) for _, *tags in COPIED_TAGS]
    # rpm < 4.12's weak dependencies too, which createrepo_c copies beside the new tags' (a
    # header may have both): left out, one edited out of primary.xml went unseen.
    for weak, strong, *old in OLD_WEAK_TAGS:
        for field, is_strong in ((weak, False), (strong, True)):
            names, flags, versions = old_weak(main, *old, strong=is_strong)
            if not names:
                continue
            joined = "\0".join(versions)
            if has_unreadable_version(joined):  # fail on the file now, as a full read does
                as_dependencies(main, old[2], names, flags, versions)
            at = COPIED_DEPENDENCIES.index(field)
            new = copied[at]
            if new.names is not None and new.versions is not None:
                names, joined = [new.names, *names], f"{new.versions}\0{joined}"
                flags = (*new.flags, *flags)
            copied[at] = CopiedTags("\0".join(names), flags, joined)
    return HeaderEvidence(package, tuple(copied), headers.header_end, files)


def _package(
    headers: RpmHeaders,
    stream: BinaryIO | None,
    location: str,
    input: str,
    checksum: Checksum | None,
    payload: PayloadMember | None,
    payload_unread: str | None,
    *,
    evidence_only: bool,
) -> Package:
    """The package ``headers`` describe; ``evidence_only``, without its files, descriptions
    and dependencies (`evidence_from_headers` reads the copied ones its own way)."""
    main = headers.main
    name = main.string(Tag.NAME)
    version = main.string(Tag.VERSION)
    release = main.string(Tag.RELEASE)
    if not name or version is None or release is None:
        raise InputError(input, "corrupt RPM header: no name, version or release")
    is_source = Tag.SOURCERPM not in main  # rpm's own headerIsSource()
    files = main.file_paths() if is_source or not evidence_only else ()
    reading = SpecReading((), None)
    installs, own = installed_by(headers, stream, input, remote=payload is not None)  # a binary's
    if is_source:
        # The payload's spec is read beside the SPEC tag (a rebuild reads it): a remote one
        # streamed within the download budgets, as an SRPM's without the tag is.
        if payload is None and stream is not None:
            payload = payload_of(stream, headers, input)
        reading = read_srpm_spec(headers, payload, input, files)
        if payload_unread is not None:  # its header alone read: what its rebuild reads is unseen
            unread = Gap(GapKind.SPEC_UNREADABLE, f"{PAYLOAD_SPEC_UNREAD} ({payload_unread})")
            reading = replace(reading, gaps=(*reading.gaps, unread))
    more: dict[str, Any] = {}
    if not evidence_only:
        more = {field: dependencies(main, *tags) for field, *tags in DEPENDENCY_TAGS}
        for weak, strong, *tags in OLD_WEAK_TAGS:
            for field, is_strong in ((weak, False), (strong, True)):
                # Beside the new tag's entries, as createrepo_c lists them (a header may have both).
                names, flags, versions = old_weak(main, *tags, strong=is_strong)
                if names:
                    more[field] = (*more[field], *as_dependencies(main, tags[2], names, flags, versions))
        more.update(summary=main.string(Tag.SUMMARY), description=main.string(Tag.DESCRIPTION), files=files)
    return make_package(  # the frozen ``__init__``'s object, faster: every file read makes one
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
        vcs=main.string(Tag.VCS),
        disturl=main.string(Tag.DISTURL),
        translationurl=main.string(Tag.TRANSLATIONURL),
        upstreamreleases=main.string(Tag.UPSTREAMRELEASES),
        license=main.string(Tag.LICENSE),
        # For evidence too: the metadata's <time build> is this file's (`entryfile.other_build`).
        buildtime=main.integer(Tag.BUILDTIME),
        source_pkgid=source_pkgid_of(headers, is_source),
        sources=reading.sources,
        spec=reading.spec,
        builds=reading.builds,
        notes=reading.notes,
        alternatives=reading.alternatives + _other_values(main),
        gaps=reading.gaps + own,  # a binary's: its payload's repositories and keys unread
        installs=installs,
        scriptlets=() if is_source else header_scriptlets(main),  # rpmbuild writes a binary's alone
        **more,
    )


def source_pkgid_of(headers: RpmHeaders, is_source: bool) -> str | None:
    """`Package.source_pkgid`: the signature header's MD5 (1004), the main's SOURCEPKGID (1146)."""
    found = headers.signature.binary(1004) if is_source else headers.main.binary(1146)
    if found is None or len(found) != 16:
        return None
    return f"{found.hex()} {headers.main.string(Tag.ARCH) or 'noarch'}" if is_source else found.hex()


_ORIGIN_STRING_TAGS = (
    ("vendor", Tag.VENDOR), ("packager", Tag.PACKAGER), ("buildhost", Tag.BUILDHOST),
    ("url", Tag.URL), ("bugurl", Tag.BUGURL), ("vcs", Tag.VCS), ("disturl", Tag.DISTURL),
    ("translationurl", Tag.TRANSLATIONURL), ("upstreamreleases", Tag.UPSTREAMRELEASES),
    ("license", Tag.LICENSE), ("distribution", Tag.DISTRIBUTION),
)  # fmt: skip


def _other_values(main: Header) -> tuple[tuple[str, str], ...]:
    """The values an origin tag holds past the one the package shows (rpm reads a header whose
    Vendor is a STRING_ARRAY, or an I18NSTRING with translations, and ``rpm -qi`` in that locale
    shows the translation): each is judged as that field's value (`Package.alternatives`)."""
    return tuple(
        (field, value) for field, tag in _ORIGIN_STRING_TAGS for value in main.other_strings(tag) if value
    )
