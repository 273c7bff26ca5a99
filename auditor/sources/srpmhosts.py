"""A source RPM's BuildRequires on the build hosts of the run (``--arch``) other than its builder.

rpmbuild records in an SRPM's header the BuildRequires and BuildConflicts of its builder's
reading of the spec: an ``%ifarch aarch64`` BuildRequires is not in an SRPM an x86_64 host made.
A rebuild on an aarch64 host reads the spec again (``rpmbuild --rebuild --target aarch64``
refuses to start without what it names there, and mock and koji rebuild on the host they build
for), so the header alone showed clean, for ``--arch aarch64``, an SRPM whose own spec is
``build-depends`` there (red team). For each host of ``--arch`` but the builder's (the
architecture its header names), the spec the SRPM carries (its payload's, which a rebuild
reads; the SPEC tag's only when the payload holds none) is read as a spec file is for that
host, and the source package holds what each reading adds, as a spec file's source package
holds every reading's. An SRPM of a ``BuildArch: noarch`` spec, whose header names ``noarch``,
reads the same on every host.

Only an SRPM whose file was read, given or listed by a local repository, knows its builder
(`Package.source_pkgid` carries the header's architecture); one known from repository metadata
alone (``--metadata-only``), or a remote one, keeps its header's BuildRequires (README, ``--arch``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, with_fields
from auditor.sources.inputpaths import is_url, local_path, repository_root

_UNSEEN = frozenset({GapKind.SPEC_CODE, GapKind.UNDECIDED_CONDITIONAL, GapKind.UNEXPANDED_TAG})
"""The gaps of a host's reading that may hide a BuildRequires there: they are the source
package's too, as they are a spec file's."""


def on_build_hosts(
    packages: Iterable[Package],
    arches: Sequence[str],
    defines: Mapping[str, str | None],
    errors: list[InputError],
) -> list[Package]:
    """``packages``, each source RPM read from its file with the BuildRequires and
    BuildConflicts its spec has on the hosts of ``arches`` other than its builder's; a file that
    changed since it was read, or whose spec is past the reader's bounds, is one of ``errors``."""
    found = []
    for package in packages:
        if arches and package.is_source and not is_url(package.location):
            builder = (package.source_pkgid or "").partition(" ")[2]
            others = [host for host in dict.fromkeys(arches) if host != builder]
            path = file_of(package) if builder and builder != "noarch" and others else None
            if path is not None:
                try:
                    package = _read_on(package, path, others, defines)
                except InputError as exc:
                    errors.append(exc)
        found.append(package)
    return found


def file_of(package: Package) -> str | None:
    """The file ``package`` was read from: the input itself, or its entry's file in the local
    repository it was read from (None: the repository's reader said what became of it)."""
    if package.location == package.input:
        return package.location
    directory = local_path(package.input)
    if directory is None or os.path.isabs(package.location):
        return None
    path = os.path.join(repository_root(directory), package.location)
    return path if os.path.isfile(path) else None


def _read_on(source: Package, path: str, hosts: Sequence[str], defines: Mapping[str, str | None]) -> Package:
    """``source`` with what its spec's readings on ``hosts`` add to its header's."""
    # The spec reader, imported only for an SRPM to read: a scan of metadata needs none of it.
    from auditor.sources.specs import MAX_SPEC_BYTES, read_spec_text
    from auditor.sources.srpmspec import SpecNotRead

    try:
        specs = _specs_of(source, path)
    except SpecNotRead as exc:
        specs, why = [], exc.gap.detail
    else:
        why = "it carries no spec: rpmbuild --rebuild fails"
    if not specs:
        detail = (
            f"{path}: the spec a rebuild on {', '.join(hosts)} reads was not read ({why}): its "
            "BuildRequires there are unseen, the header's (its builder's) stand in"
        )
        return with_fields(source, gaps=(*source.gaps, Gap(GapKind.SPEC_UNREADABLE, detail)))
    requires, conflicts, gaps = list(source.requires), list(source.conflicts), list(source.gaps)
    known = {(gap.kind, gap.detail) for gap in gaps}
    for where, text in specs:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
            raise InputError(path, f"a spec file larger than {MAX_SPEC_BYTES} bytes; refused")
        read = read_spec_text(text, where, defines=defines, arches=hosts)[0]
        requires += read.requires
        conflicts += read.conflicts
        # The builder's reading named the payload's spec `payload:NAME`: the same line's gap,
        # found again on these hosts, is the same gap (counted twice, `2 spec-code` of one line).
        first = "payload:" + where.removeprefix(f"{path}:")
        gaps += (
            gap
            for gap in read.gaps
            if gap.kind in _UNSEEN and (gap.kind, gap.detail.replace(where, first, 1)) not in known
        )
    return with_fields(
        source,
        requires=tuple(dict.fromkeys(requires)),
        conflicts=tuple(dict.fromkeys(conflicts)),
        gaps=tuple(dict.fromkeys(gaps)),
    )


def _specs_of(source: Package, path: str) -> list[tuple[str, str]]:
    """(where, text) of the spec a rebuild of ``source`` (its file ``path``) reads: its payload's,
    else the SPEC tag's."""
    from auditor.formats.rpmheader import read_headers
    from auditor.sources.rpmpackage import source_pkgid_of
    from auditor.sources.srpmspec import payload_of, rebuild_spec_text

    try:
        with open_regular(path, path, "an RPM file") as stream:
            headers = read_headers(stream, path, os.fstat(stream.fileno()).st_size)
            if source_pkgid_of(headers, True) != source.source_pkgid:
                raise InputError(path, "the file changed since it was read: its package is another")
            found = rebuild_spec_text(headers, payload_of(stream, headers, path), headers.main.file_paths())
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from None
    payload = [(where, text) for where, text in found if where != "header"]
    chosen = payload or found
    return [
        (
            f"{path}:{where.removeprefix('payload:')}" if where != "header" else f"{path}:SPEC",
            text,
        )
        for where, text in chosen
    ]
