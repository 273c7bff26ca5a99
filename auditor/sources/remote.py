"""Read a yum/dnf repository over HTTP, with the local reader, through the run's `Remote`.

The metadata is fetched and verified by `auditor.net.remote.Remote` and parsed by the same
code that reads a local repository (`auditor.sources.repodata.read_metadata`). A
package's ``location`` becomes its absolute URL and its ``input`` the repository URL.

The header of every source package (and of every binary, when the policy looks at fields
repodata lacks, or with ``remote_headers``) is read with HTTP range requests to learn what
repodata does not carry: the signing key, the Distribution tag and a source package's
Source and Patch URLs, from its SPEC tag or, without one, from the spec in its payload
(`auditor.sources.remotespec`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from auditor.core.errors import InputError
from auditor.formats.repomd import MetadataFile, read_repomd
from auditor.net.deadline import WATCHDOG
from auditor.net.failures import RedirectedToPolicyHost
from auditor.net.http import is_http, strip_userinfo
from auditor.net.remote import UNKNOWN_FILE_SIZE, NotCached, Remote
from auditor.net.urlpaths import under
from auditor.net.urlpolicy import UrlDecision, UrlOrigin
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, with_fields
from auditor.runtime.store import Store
from auditor.runtime.threads import map_in_threads
from auditor.sources.entryfile import (
    another_package,
    header_end_disagreement,
    other_build,
    same_package,
    size_disagreement,
)
from auditor.sources.evidence import HeaderEvidence
from auditor.sources.inputpaths import SOURCE_DIRECTORIES
from auditor.sources.interface import ReadOptions
from auditor.sources.overlay import Overlaid, overlay, unlisted_recommends_warning
from auditor.sources.repodata import RepositoryRead, read_metadata
from auditor.sources.storedheaders import StoredHeaderModels, look_up_parts

if TYPE_CHECKING:
    from auditor.formats.rpmheader import RpmHeaders


def repository_base(url: str, *, configured: bool = False) -> str:
    """The repository's root URL, its path ending in ``/``: user-info and fragment dropped. A
    URL given as an input may name the repository's ``repodata/`` directory or its
    ``repodata/repomd.xml``, taken away then, and its query is dropped. A ``baseurl`` or a
    mirrorlist's mirror (``configured``) never names either: dnf reads
    ``BASEURL/repodata/repomd.xml`` whatever BASEURL ends in, so ``.../x/repodata/`` there is a
    repository named ``repodata``, and ``.../x/repodata/repomd.xml`` one dnf asks
    ``.../repomd.xml/repodata/repomd.xml`` of (and fails on, going to the next URL), neither
    the one at ``.../x/``; and its query is kept, as librepo keeps it on every request under
    the base (`auditor.net.urlpaths.under`): a server may choose a channel, a token or a
    signed URL by it."""
    parts = urlsplit(strip_userinfo(url))
    path = parts.path or "/"
    if not configured and path.endswith("/repodata/repomd.xml"):
        path = path[: -len("repodata/repomd.xml")]
    elif not configured and path.endswith(("/repodata", "/repodata/")):
        path = path[: path.rstrip("/").rfind("/") + 1]
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query if configured else "", ""))


def read_remote_repository(
    url: str,
    remote: Remote,
    options: ReadOptions | None = None,
    store: Store | None = None,
    vouched: Callable[[str, str], None] | None = None,
    *,
    configured: bool = False,
) -> RepositoryRead:
    """Read every package a remote repository's metadata lists, and the headers of those whose
    evidence only the RPM file carries (see the module docstring); ``store`` keeps what the
    headers gave for the next run (`merge_remote_headers`). ``vouched`` (given the path and URL
    of its ``repomd.xml``) refuses a repomd.xml the metalink that named this mirror does not
    vouch for, before anything it lists is fetched. ``configured``: ``url`` is a section's
    (`repository_base`)."""
    base = repository_base(url, configured=configured)
    repomd_url = under(base, "repodata/repomd.xml")
    check = None if vouched is None else (lambda path: vouched(path, repomd_url))
    path = remote.fetch_by_url(repomd_url, "repomd", vouched=check)
    return _read_repository(base, path, remote, options, store)


def source_repository_candidates(url: str) -> list[str]:
    """Where a remote repository's source repository may be, by the layouts distributions use
    (`auditor.sources.inputpaths.SOURCE_DIRECTORIES` beside it: ``.../base/x86_64/`` beside
    ``.../base/Source/``); none for a repository at the root of its host."""
    base = repository_base(url)
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    if not path:
        return []
    parent = path[: path.rfind("/") + 1]
    found = [
        urlunsplit((parts.scheme, parts.netloc, f"{parent}{name}/", "", "")) for name in SOURCE_DIRECTORIES
    ]
    return [candidate for candidate in found if candidate != base]


def read_source_repository_beside(
    candidate: str, repository: str, remote: Remote, options: ReadOptions, store: Store | None = None
) -> RepositoryRead | None:
    """The source repository at ``candidate``, probed beside ``repository`` by its
    ``repodata/repomd.xml``: None when that is not there (HTTP 404, or not in the cache under
    --offline) or may not be requested (another host than the repository's, a policy host).
    Any other failure is an `InputError`."""
    decision = remote.decide(candidate, UrlOrigin.sibling(repository))
    if not decision.allowed:
        return None
    repomd_url = under(decision.url, "repodata/repomd.xml")
    path = remote.fetch_if_present(repomd_url, "repomd")
    if path is None:
        return None
    return _read_repository(decision.url, path, remote, options, store)


def _read_repository(
    base: str, repomd_path: str, remote: Remote, options: ReadOptions | None, store: Store | None
) -> RepositoryRead:
    options = options or ReadOptions()
    repomd_url = under(base, "repodata/repomd.xml")
    repomd = read_repomd(repomd_path, repomd_url)

    def fetch(entry: MetadataFile, href: str) -> tuple[str, str]:
        file_url = under(base, href)
        return remote.fetch_metadata(file_url, entry), file_url

    read = read_metadata(repomd, base, fetch, locations_under=base)
    read.repomd_file = repomd_path
    if options.metadata_only:
        if read.packages:
            detail = f"{read.location}: read from its metadata alone (--metadata-only)"
            read.gaps.append(Gap(GapKind.METADATA_ONLY, detail, len(read.packages)))
        return read
    if options.verify_checksums and read.packages:
        remote.warn(
            f"{read.location}: --verify-checksums verifies the files of local repositories; this one's "
            "are not downloaded (dnf verifies each file it downloads)"
        )
    binaries = options.binary_headers or remote.options.remote_headers
    merge_remote_headers(read, remote, lambda package: package.is_source or binaries, store)
    return read


def merge_remote_headers(
    read: RepositoryRead,
    remote: Remote,
    wanted: Callable[[Package], bool] = lambda _package: True,
    store: Store | None = None,
) -> None:
    """Lay what only the RPM header has over each ``wanted`` package of ``read``, in parallel.

    A package's location is requested only where the URL policy allows it: one that
    ``xml:base`` moved to another host than the repository's is not. Every wanted package
    whose header could not be read (refused, or its server ignores range requests) is counted
    in a gap of the repository: its evidence is what the metadata says, no more. One whose
    reading failed (its header, or the spec in its payload: an input error) has that gap itself,
    beside its error.
    """

    models = StoredHeaderModels(store, [package for package in read.packages if wanted(package)])

    def one(package: Package) -> Overlaid | InputError | UrlDecision | None:
        if not wanted(package):
            return Overlaid(package)
        decision = remote.decide(package.location, UrlOrigin.repodata_base(package.input))
        if not decision.allowed:
            return decision
        try:
            model = models.get(package)
            if model is None:
                model = header_model(package, remote, read.listed_size(package))
                if model is None:
                    return None
                models.keep(package, model)
            merged = overlay(package, model, package.location)
            if isinstance(merged, InputError):
                raise merged
            return merged
        except ReadFromHeaderAlone as exc:
            alone = overlay(package, exc.evidence, package.location)
            if isinstance(alone, InputError):
                return InputError(alone.source, alone.reason)
            return replace(alone, payload_error=exc.reason)
        except NotCached:
            return None  # --offline: counted below, the run goes on with what the cache has
        except RedirectedToPolicyHost as exc:
            return RedirectedToPolicyHost(package.location, exc.reason, exc.target)
        except InputError as exc:
            # A fresh error: the raised one's traceback holds the frames that held the header
            # bytes, and the run keeps its errors to the end (8 of 40 MiB each kept 640 MiB).
            return InputError(exc.source, exc.reason)

    look_up_parts(read.packages, wanted, models, remote)
    # As many threads as one host may be asked at once: a repository's packages are on its host
    # (xml:base elsewhere is refused above), and repositories are read one after another.
    outcomes: Sequence[Overlaid | InputError | UrlDecision | None] = map_in_threads(
        one, read.packages, remote.options.parallel_requests, interrupting=WATCHDOG.interrupting
    )
    remote.cache.headers.flush()  # what the threads left to write, in one transaction
    models.store_new()
    merged = []
    refused: list[UrlDecision] = []
    unread = 0
    recommending: list[tuple[Package, Overlaid]] = []
    for package, outcome in zip(read.packages, outcomes, strict=True):
        if isinstance(outcome, Overlaid):
            merged.append(outcome.package)
            recommending.append((package, outcome))
            if outcome.disagreement is not None:  # read, and at odds with its metadata entry
                read.errors.append(InputError(package.location, outcome.disagreement))
            if outcome.payload_error is not None:  # its header read, its payload not
                read.errors.append(InputError(package.location, outcome.payload_error))
            continue
        if isinstance(outcome, InputError):
            read.errors.append(outcome)
            # The package's own gap, as a local file that is missing is: every format shows it
            # on the package (its entry, its SBOM component), whose verdict is its metadata's
            # alone (a Citrix Source in its header unseen), not only in the run's error list.
            detail = (
                f"{package.location}: could not be read ({outcome.reason}): what only "
                "the file carries (signing key, Distribution, a source package's Sources) was not seen"
            )
            # A server that sends the download to a policy host serves the package from there,
            # as an xml:base there does: judged as its location, it was clean beside its error.
            moved = ("location", outcome.target) if isinstance(outcome, RedirectedToPolicyHost) else None
            alternatives = (*package.alternatives, moved) if moved else package.alternatives
            gaps = (*package.gaps, Gap(GapKind.METADATA_ONLY, detail))
            merged.append(with_fields(package, gaps=gaps, alternatives=alternatives))
            continue
        merged.append(package)
        unread += 1
        if isinstance(outcome, UrlDecision):
            refused.append(outcome)
    warning = unlisted_recommends_warning(read.location, recommending)
    if warning is not None:
        read.warnings.append(warning)
    if unread and remote.options.offline:
        detail = (
            f"{read.location}: the headers of {unread} package(s) are not in the cache, and --offline "
            "forbids fetching them; their metadata alone was read"
        )
        read.gaps.append(Gap(GapKind.METADATA_ONLY, detail, unread))
        read.packages = merged
        return
    read.packages = merged
    if refused:
        first = refused[0]
        remote.warn(
            f"{read.location}: the headers of {len(refused)} package(s) were not read; "
            f"first: {first.url}: {first.reason}"
        )
    if unread:
        detail = (
            f"{read.location}: the headers of {unread} package(s) could not be read; their metadata alone was"
        )
        read.gaps.append(Gap(GapKind.METADATA_ONLY, detail, unread))


class ReadFromHeaderAlone(InputError):
    """The header of a remote package was read and its payload was not (`PayloadFailed`): its
    ``evidence``, from the header alone, is audited beside this error, as a local file's is."""

    def __init__(self, source: str, reason: str, evidence: HeaderEvidence) -> None:
        super().__init__(source, reason)
        self.evidence = evidence


def _from_header_alone(headers: RpmHeaders, package: Package, url: str, failed: str) -> HeaderEvidence:
    """``package``'s evidence from its ``headers`` alone, with a gap saying its spec in the payload,
    which a rebuild reads, was not (a gap: its model is not stored, the next run reads it again)."""
    from auditor.sources.rpmpackage import evidence_from_headers

    return evidence_from_headers(
        headers, None, location=url, input=package.input, checksum=package.checksum, payload_unread=failed
    )


def header_model(package: Package, remote: Remote, listed_size: int | None = None) -> HeaderEvidence | None:
    """What ``package``'s RPM header adds to its metadata entry (`evidence_from_headers`, for
    `overlay`); None when the header could not be fetched (the server ignores
    range requests: said once per host). ``listed_size``: the file's size by the metadata."""
    url = package.location
    if not is_http(url) or remote.ranges_unsupported(url):
        return None
    return _from_remote_header(package, remote, listed_size)


def _from_remote_header(package: Package, remote: Remote, listed_size: int | None) -> HeaderEvidence | None:
    """The package as its RPM header has it, read and parsed while its bytes are held within
    the run's header memory budget; None when its server does not answer range requests. A
    cached header found wrong (dropped from the cache) is fetched again: the server's file is
    what is judged, not what a run once read of it."""
    from auditor.net.remoteheaders import CachedHeaderWrong

    try:
        return _read_remote_header(package, remote, listed_size)
    except CachedHeaderWrong:
        return _read_remote_header(package, remote, listed_size)


def _read_remote_header(package: Package, remote: Remote, listed_size: int | None) -> HeaderEvidence | None:
    # The RPM header and payload readers are imported here (4 ms): only --remote-headers and
    # remote source packages use them.
    from auditor.formats.rpmheader import read_headers
    from auditor.net.remoteheaders import read_header
    from auditor.sources.remotespec import PayloadFailed, remote_installs, remote_payload
    from auditor.sources.rpmpackage import appended_error, evidence_from_headers

    url = package.location
    with read_header(remote, package) as fetched:
        if fetched is None:
            return None
        prefix, total = fetched
        try:
            headers = read_headers(io.BytesIO(prefix), url, total)
            if headers.truncated is not None:  # the server's file is shorter than its header says
                raise InputError(url, headers.truncated)
            appended = None if total == UNKNOWN_FILE_SIZE else appended_error(headers, total, url)
            if appended is not None:  # or longer: a package appended, which rpm -K finds
                raise appended
            payload = remote_payload(package, headers, total, remote)  # read for a source package only
            failed = None
            try:
                evidence = evidence_from_headers(
                    headers,
                    None,
                    location=url,
                    input=package.input,
                    checksum=package.checksum,
                    payload=payload,
                )
            except PayloadFailed as exc:
                failed = f"{exc.reason}; its package is read from the header alone"
                evidence = _from_header_alone(headers, package, url, failed)
            evidence = remote_installs(evidence, headers, total, remote)  # a binary's repositories, keys
            # The file's size is the server's answer (Content-Range), cached with the header.
            # Another package's header is `overlay`'s error, which names both.
            if total == UNKNOWN_FILE_SIZE:
                # Checked where the size is (the files whose headers are read): by where the
                # headers end, the size the server did not say being unknown.
                other_size = (
                    None
                    if listed_size is None
                    else header_end_disagreement(package.header_range, len(prefix))
                )
                # And by the metadata's size: a file longer than its package (rt67), as a known one.
                longer = None if listed_size is None else appended_error(headers, listed_size, url)
                other_size = other_size or (None if longer is None else longer.reason)
            else:
                other_size = size_disagreement(listed_size, total)
            if other_size is not None and same_package(package, evidence.package):
                raise InputError(url, other_size)
            # Said here, inside the block, not by `overlay` after it: a header of another file
            # than the entry's (a mirror caught mid-sync) was kept by URL and checksum, and every
            # later run said its error again from the cache when the server had long been right.
            another = another_package(package, evidence.package) or other_build(package, evidence)
            if another is not None:
                raise InputError(url, another)
            if failed is not None:
                raise ReadFromHeaderAlone(url, failed, evidence)
            return evidence
        except (RedirectedToPolicyHost, ReadFromHeaderAlone):
            raise  # its payload sent there, or not read: evidence, kept by `merge_remote_headers`
        except InputError as exc:
            raise InputError(url, exc.reason) from None  # the package, not its repository
