"""The binaries a rebuild of a source RPM makes, as the spec it reads declares them.

``auditor check foo.src.rpm --against BASE`` takes the change to be BASE rebuilt from that
source package. Its binaries were BASE's of the name, re-pointed at it: a Requires the new spec
adds (on a Citrix package) and a subpackage it adds were never seen, and the check said
"nothing gets worse" where ``auditor check foo.spec`` of the very same spec exits 1. They are
now read from the spec a rebuild reads (`rebuild_spec_text`: the payload's), as a spec given to
``check`` is, and carry the source RPM's identity:

- its epoch, version and release where the spec's are its main package's (the builder's dist
  tag, which this reading does not know, is in the header's release), in their own EVR and in
  every dependency the spec wrote with it (``Requires: foo-libs = %{version}-%{release}``);
- its file name as SOURCERPM, and its MD5 as SOURCEPKGID;
- the tags the header has and the spec leaves to rpm (a Vendor from the builder's
  ``%vendor``, the main package's URL and License, which rpm gives each subpackage).

What only a build knows (the requirements rpmbuild generates from the files) is the spec
reading's gap, and BASE's binary of the same name stands in for it, as for a spec
(`auditor.audit.check`). A spec that cannot be read is a gap of the source package, and BASE's
binaries stand in for the rebuild's whole.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.formats.header import Tag
from auditor.formats.payload import PayloadFiles, extract_members
from auditor.formats.payloaddigests import check_payload
from auditor.formats.rpmheader import read_headers
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import EVR, Dependency, Package, with_fields
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources.inputpaths import is_url
from auditor.sources.payloadconfig import MAX_FILE, MAX_FILES_TOTAL
from auditor.sources.rebuildcode import not_followed, spec_file_name, spec_link
from auditor.sources.rpmpackage import source_pkgid_of
from auditor.sources.specinstalls import SourceFiles, with_spec_installs
from auditor.sources.specs import MAX_SPEC_BYTES, read_spec_text, release_read
from auditor.sources.srpmhosts import file_of
from auditor.sources.srpmspec import SpecNotRead, payload_of, rebuild_spec_text

_DEPENDENCY_FIELDS = tuple(kind.value for kind in DEPENDENCY_KINDS)
"""The fields of a `Package` that hold dependencies (`auditor.rpm.package_fields`'s one list)."""
_INHERITED = ("vendor", "packager", "distribution", "disturl", "url", "bugurl", "license", "vcs")
"""Tags a binary takes from its source package's header where its spec gives none: the build
host's macros (``%vendor``, ``%packager``, ``%distribution``) and the main package's tags, which
rpm copies to each subpackage that does not set its own (``copyTagsDuringParse`` in
``build/parsePreamble.c``)."""


@dataclass(frozen=True)
class Rebuild:
    """What the spec of a source RPM given alone declares of its rebuild."""

    binaries: tuple[Package, ...]
    gap: Gap | None = None
    """Why the spec was not read (its binaries then unknown): a remote SRPM's payload is not
    downloaded, or the SRPM carries no spec; or, beside the binaries the builder's parse (the
    SPEC tag) shows, why the payload's was not: the payload lacks it."""
    error: InputError | None = None
    """Why the spec of a local SRPM could not be read as a spec file's is read (exit 3, as for the
    spec): its file changed or went since it was read, or the spec is past the reader's bounds."""


def rebuild_of(
    source: Package,
    built_for: Sequence[str] = (),
    *,
    defines: Mapping[str, str | None] | None = None,
    arches: Sequence[str] = (),
) -> Rebuild:
    """The binaries a rebuild of the source RPM ``source`` makes on a host of each of ``arches``
    (``--arch``); none given, of each ``built_for`` (the architectures BASE has its binaries of:
    a multilib i686 beside x86_64, an x86_64 rebuild of an SRPM an aarch64 builder made), else
    on x86_64, as a spec is read."""
    hosts = tuple(arches) or tuple(built_for) or ("x86_64",)
    evr = EVR(source.epoch, source.version, source.release)
    pkgid = (source.source_pkgid or "").partition(" ")[0] or None
    made: dict[tuple[str, str], Package] = {}
    try:
        found, lacking = _spec_of(source)
        if not found:
            return _unread(source, "it carries no spec: rpmbuild --rebuild fails")
        # Its header lists a spec its payload lacks: rpmbuild --rebuild fails, and the branches a
        # rebuild host decides otherwise are unseen. The builder's parse still shows what it built.
        payload_lacks = all(where == f"{file_of(source)}:SPEC" for where, _ in found)
        sources = _payload_sources(source)
        # The payload's spec, which a rebuild reads, and the builder's parse of it (the SPEC tag):
        # a branch the builder took (--with citrix, --define) is one a rebuild there takes.
        for where, text in found:
            if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
                raise InputError(
                    file_of(source) or source.input,
                    f"a spec file larger than {MAX_SPEC_BYTES} bytes; refused",
                )
            # The builder's dist tag, which a subpackage's own Release and a %{?dist} test read too.
            dist = _dist_of(source, text, where, defines, hosts)
            defined = defines if dist is None else {**(defines or {}), "dist": dist}
            read = read_spec_text(text, where, defines=defined, arches=hosts)
            # The repository files and keys its binaries install, judged from the payload's Sources
            # as a spec's are from the files beside it: else a rebuild writing a Citrix .repo was
            # cured, "nothing gets worse", where the same spec checked as a file exits 1.
            read = with_spec_installs(read, where, text, defines, sources)
            own = read[0]
            spec_evr = EVR(own.epoch, own.version, own.release)
            for binary in read[1:]:
                rebuilt = _as_rebuilt(binary, source, spec_evr, evr, pkgid)
                key = (rebuilt.name, rebuilt.arch)
                if key in made:
                    # The same line's gap, found again in the builder's parse, is the same gap:
                    # said once, under the payload's spec's name (as `auditor.sources.srpmhosts`).
                    first = found[0][0]
                    known = {(gap.kind, gap.detail) for gap in made[key].gaps}
                    gaps = [
                        gap
                        for gap in rebuilt.gaps
                        if (gap.kind, gap.detail.replace(where, first, 1)) not in known
                    ]
                    made[key] = _joined(made[key], with_fields(rebuilt, gaps=tuple(gaps)))
                else:
                    made[key] = rebuilt
    except SpecNotRead as exc:
        return _unread(source, exc.gap.detail)
    except InputError as exc:
        error = InputError(exc.source, f"the spec a rebuild reads could not be read: {exc.reason}")
        return Rebuild((), _unread(source, exc.reason).gap, error)
    return Rebuild(tuple(made.values()), _unread(source, lacking).gap if payload_lacks else None)


def _joined(first: Package, other: Package) -> Package:
    """``first`` with what another reading of its spec adds to it."""
    fields: dict[str, object] = {
        field: tuple(dict.fromkeys((*getattr(first, field), *getattr(other, field))))
        for field in (
            *_DEPENDENCY_FIELDS,
            "files",
            "file_patterns",
            "gaps",
            "alternatives",
            "installs",
            "scriptlets",
        )
    }
    return with_fields(first, **fields)


def _dist_of(
    source: Package, text: str, where: str, defines: Mapping[str, str | None] | None, hosts: Sequence[str]
) -> str | None:
    """The ``%{dist}`` the builder defined: what the header's release adds to the one the spec
    ``text`` gives without it (`release_read`: its main preamble alone, not a whole reading to
    throw away), when the spec reads ``dist`` and the user defined none."""
    if "dist}" not in text or "dist" in (defines or {}):
        return None
    release, read = source.release, release_read(text, where, defines=defines, arches=hosts)
    if read is None or release == read or not release.startswith(read):
        return None
    suffix = release[len(read) :]
    return suffix if suffix.startswith(".") else None


_TAG_ALONE = "; read from the SPEC tag alone"
_LACKING = f"its payload holds no spec: rpmbuild --rebuild fails{_TAG_ALONE}"


def _spec_of(source: Package) -> tuple[list[tuple[str, str]], str]:
    """(where, text) of each spec a rebuild of ``source`` may read, from its file (`file_of`: a
    repository's package, its entry's file; `rebuild_spec_text`), and what to say when the
    payload's is not among them."""
    if is_url(source.location):
        raise SpecNotRead(Gap(GapKind.SPEC_UNREADABLE, "a remote source RPM's payload is not downloaded"))
    path = file_of(source)
    if path is None:
        missing = f"its file {source.location} is not in the repository"
        raise SpecNotRead(Gap(GapKind.SPEC_UNREADABLE, missing))
    try:
        with open_regular(path, path, "an RPM file") as stream:
            headers = read_headers(stream, path, os.fstat(stream.fileno()).st_size)
            if source_pkgid_of(headers, True) != source.source_pkgid:
                raise InputError(path, "the file changed since it was read: its package is another")
            # Once for the rebuild: its Sources come from this file too (`_payload_members`).
            check_payload(stream, headers, path)
            payload = payload_of(stream, headers, path)
            files = headers.main.file_paths()
            found = rebuild_spec_text(headers, payload, files)
            name = spec_file_name(headers.main, files)
            link = spec_link(headers.main, files, name) if name is not None else None
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from None
    lacking = _LACKING if link is None else f"its spec {name} is {not_followed(link)}{_TAG_ALONE}"
    return [
        (f"{path}:{where.removeprefix('payload:')}" if where != "header" else f"{path}:SPEC", text)
        for where, text in found
    ], lacking


def _payload_sources(source: Package) -> SourceFiles:
    """Reads Source files from the payload of the source RPM ``source`` (where ``rpmbuild
    --rebuild`` takes them from), each file at most once."""
    read: dict[str, bytes | str] = {}

    def of(names: Sequence[str]) -> dict[str, bytes | str]:
        wanted = [name for name in dict.fromkeys(names) if name not in read]
        if wanted:
            read.update(_payload_members(source, wanted))
        return {name: read[name] for name in names}

    return of


def _payload_members(source: Package, names: Sequence[str]) -> dict[str, bytes | str]:
    path = file_of(source) or source.location
    try:
        with open_regular(path, path, "an RPM file") as stream:
            headers = read_headers(stream, path, os.fstat(stream.fileno()).st_size)
            if source_pkgid_of(headers, True) != source.source_pkgid:
                raise InputError(path, "the file changed since it was read: its package is another")
            stream.seek(headers.header_end)  # its payload's digests checked once, by `_spec_of`
            compressor = headers.main.string(Tag.PAYLOADCOMPRESSOR) or "gzip"
            files = PayloadFiles.of(headers.main)
            members = extract_members(
                stream, compressor, names, path, files, limit=MAX_FILE, total=MAX_FILES_TOTAL
            )
    except OSError as exc:
        return dict.fromkeys(names, f"the source RPM's payload: {os_reason(exc)}")
    except InputError as exc:
        return dict.fromkeys(names, f"the source RPM's payload: {exc.reason}")
    result: dict[str, bytes | str] = {}
    for name in names:
        if name in members.found:
            result[name] = members.found[name]
        elif name in members.too_large:
            size = members.too_large[name]
            result[name] = (
                f"it is {size} bytes in the source RPM's payload, more than the {MAX_FILE} read of one"
                if size > MAX_FILE
                else f"the Sources before it in the payload took the {MAX_FILES_TOTAL} bytes read"
            )
        elif members.error is not None:
            result[name] = f"the source RPM's payload could not be read: {members.error.reason}"
        else:
            result[name] = f"the source RPM's payload holds no file {name} (rpmbuild --rebuild fails)"
    return result


def _as_rebuilt(binary: Package, source: Package, spec_evr: EVR, evr: EVR, pkgid: str | None) -> Package:
    def rebuilt(dependency: Dependency) -> Dependency:
        # The spec's %{version}-%{release}, with whatever epoch the line wrote (or none).
        written = dependency.evr
        if written is None or (written.version, written.release) != (spec_evr.version, spec_evr.release):
            return dependency
        return replace(dependency, evr=EVR(written.epoch, evr.version, evr.release))

    fields: dict[str, object] = {
        field: tuple(rebuilt(dependency) for dependency in getattr(binary, field))
        for field in _DEPENDENCY_FIELDS
    }
    if EVR(binary.epoch, binary.version, binary.release) == spec_evr:
        fields.update(epoch=evr.epoch, version=evr.version, release=evr.release)
    for tag in _INHERITED:
        if getattr(binary, tag) is None and getattr(source, tag) is not None:
            fields[tag] = getattr(source, tag)
    return with_fields(
        binary,
        location=source.location,
        input=source.input,
        sourcerpm=source.srpm_file_name,
        source_pkgid=pkgid,
        **fields,
    )


def _unread(source: Package, why: str) -> Rebuild:
    detail = (
        f"{source.input}: the spec a rebuild reads was not read ({why}): what it declares of the "
        "binaries rebuilt from it (their requirements, a subpackage it adds) is unseen"
    )
    return Rebuild((), Gap(GapKind.SPEC_UNREADABLE, detail))
