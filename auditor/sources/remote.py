"""Read a yum/dnf repository over HTTP, with the local reader, through the run's `Remote`.

The metadata is fetched and verified by `auditor.net.remote.Remote` and parsed by the same
code that reads a local repository (`auditor.sources.repodata.read_metadata`). A
package's ``location`` becomes its absolute URL and its ``input`` the repository URL.

With ``remote_headers``, the header of every package is read with HTTP range requests to
learn what repodata does not carry: the signing key, the Distribution tag and, for a
source package with a SPEC tag, its Source and Patch URLs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.core.errors import InputError
from auditor.net.http import is_http, strip_userinfo
from auditor.net.remote import WORKERS, Remote
from auditor.net.urlpolicy import UrlDecision, UrlOrigin
from auditor.rpm.model import Package
from auditor.sources.formats.repomd import MetadataFile, read_repomd
from auditor.sources.formats.rpmheader import read_headers
from auditor.sources.repodata import RepositoryRead, read_metadata
from auditor.sources.rpmpackage import package_from_headers


def repository_base(url: str) -> str:
    """The repository's root URL, ending in ``/``: user-info, query and fragment dropped, and
    ``repodata/repomd.xml`` too when the URL names that file."""
    parts = urlsplit(strip_userinfo(url))
    path = parts.path or "/"
    if path.endswith("/repodata/repomd.xml"):
        path = path[: -len("repodata/repomd.xml")]
    elif path.endswith(("/repodata", "/repodata/")):
        path = path[: path.rstrip("/").rfind("/") + 1]
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def read_remote_repository(url: str, remote: Remote) -> RepositoryRead:
    """Read every package a remote repository's metadata lists (see the module docstring)."""
    base = repository_base(url)
    repomd_url = urljoin(base, "repodata/repomd.xml")
    repomd = read_repomd(remote.fetch_by_url(repomd_url, "repomd"), repomd_url)

    def fetch(entry: MetadataFile, href: str) -> tuple[str, str]:
        file_url = urljoin(base, href)
        return remote.fetch_metadata(file_url, entry), file_url

    read = read_metadata(repomd, base, fetch)
    read.packages = [
        package if "://" in package.location else replace(package, location=urljoin(base, package.location))
        for package in read.packages
    ]
    if remote.options.remote_headers:
        merge_remote_headers(read, remote)
    return read


def merge_remote_headers(read: RepositoryRead, remote: Remote) -> None:
    """Add what only the RPM header has to each package of ``read``, in parallel.

    A package's location is requested only where the URL policy allows it: one that
    ``xml:base`` moved to another host than the repository's is not (a warning names it).
    """

    def one(package: Package) -> Package | InputError | UrlDecision:
        decision = remote.decide(package.location, UrlOrigin.repodata_base(package.input))
        if not decision.allowed:
            return decision
        try:
            return with_remote_header(package, remote)
        except InputError as exc:
            # A fresh error: the raised one's traceback holds the frames that held the header
            # bytes, and the run keeps its errors to the end (8 of 40 MiB each kept 640 MiB).
            return InputError(exc.source, exc.reason)

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes: Sequence[Package | InputError | UrlDecision] = list(pool.map(one, read.packages))
    merged = []
    refused: list[UrlDecision] = []
    for package, outcome in zip(read.packages, outcomes, strict=True):
        if isinstance(outcome, Package):
            merged.append(outcome)
            continue
        merged.append(package)
        if isinstance(outcome, InputError):
            read.errors.append(outcome)
        else:
            refused.append(outcome)
    read.packages = merged
    if refused:
        first = refused[0]
        remote.warn(
            f"{read.location}: the headers of {len(refused)} package(s) were not read (--remote-headers); "
            f"first: {first.url}: {first.reason}"
        )


def with_remote_header(package: Package, remote: Remote) -> Package:
    url = package.location
    if not is_http(url) or remote.ranges_unsupported(url):
        return package
    full = _from_remote_header(package, remote)
    if full is None:
        return package
    if (full.name, full.version, full.release, full.arch) != (
        package.name,
        package.version,
        package.release,
        package.arch,
    ):
        raise InputError(url, f"the RPM header is {full.nevra}, the repository metadata says {package.nevra}")
    if package.is_source and not package.sources and (full.sources or full.gaps):
        notes = package.notes + full.notes
        package = replace(
            package, sources=full.sources, spec=full.spec, notes=notes, gaps=package.gaps + full.gaps
        )
    return replace(package, signing_key=full.signing_key, distribution=full.distribution)


def _from_remote_header(package: Package, remote: Remote) -> Package | None:
    """The package as its RPM header has it, read and parsed while its bytes are held within
    the run's header memory budget; None when its server does not answer range requests."""
    url = package.location
    with remote.header(package) as fetched:
        if fetched is None:
            return None
        prefix, total = fetched
        try:
            headers = read_headers(io.BytesIO(prefix), url, total)
            if headers.truncated is not None:  # the server's file is shorter than its header says
                raise InputError(url, headers.truncated)
            return package_from_headers(
                headers, None, location=url, input=package.input, checksum=package.checksum
            )
        except InputError as exc:
            raise InputError(url, exc.reason) from None  # the package, not its repository
