"""RPM headers of remote packages, read by HTTP range requests (``--remote-headers``).

In one request where the metadata gives the header's range (``rpm:header-range``) and the
intros fetched agree with it; else the lead and signature intro, the main header's intro,
then exactly the bytes the intros declare. Either way `auditor.formats.rpmheader` checks
what was fetched as it checks a local file: a range that lies costs a request, never a wrong
header. Each header is held within the run's `HeaderMemory` from its fetch to its parse, and
kept in the download cache (`auditor.net.headercache`) once a read of it succeeded.

Its users import it where they read a remote header: a scan of local inputs never reads one,
and the header reader costs every start 3 ms.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from auditor.core.errors import InputError
from auditor.formats.rpmheader import INTRO_SIZE, LEAD_SIZE, read_headers, structure_size
from auditor.net.failures import RedirectedToPolicyHost
from auditor.net.http import HttpError
from auditor.net.remote import REDIRECTED, UNKNOWN_FILE_SIZE, NotCached, Remote
from auditor.rpm.model import Package


class CachedHeaderWrong(InputError):
    """What the block found wrong with a header the cache gave (dropped): read again, it may
    be right, the server's file having changed since a run kept it."""


@contextlib.contextmanager
def read_header(remote: Remote, package: Package) -> Iterator[tuple[bytes, int] | None]:
    """Lead, signature and main header of a remote package (and its file size), or None
    when its server does not answer range requests; held within the run's header memory
    budget until the block ends (parse them inside it). Raises `NotCached` under
    ``--offline`` when the cache does not have them."""
    url = package.location
    headers = remote.cache.headers
    key = None
    if package.checksum is not None:
        key = remote.cache.part_key(url, package.checksum.algorithm, package.checksum.value)
    # A header is kept only once the block has read it without error (a server that once
    # claimed a wrong file size made a truncated header the cache's answer for good), and a
    # kept one the block finds wrong is let go.
    size = None if key is None else headers.size(key)
    # A row larger than the run may hold is not the file's word on its size (a row written by
    # another hand, or under a larger budget): the server's intros are, online. It stays for
    # a run that may hold it, and is replaced when this one reads the header.
    trusted = size is not None and (size <= remote.header_memory.capacity or remote.options.offline)
    if key is not None and size is not None and trusted:
        with remote.header_memory.hold(size, url):
            found = _cached_header(remote, key, size, url)
            if found is not None:
                try:
                    yield found
                except NotCached:
                    raise
                except InputError as exc:
                    headers.discard(key)
                    raise CachedHeaderWrong(exc.source, exc.reason) from None
                return
    redirected = remote.cache.by_url(REDIRECTED, f"header\0{url}")
    if remote.options.offline:
        said = remote.cache.read_json(redirected) or {}
        if isinstance(said.get("target"), str) and isinstance(said.get("reason"), str):
            # What the last online run met, said again: its package is served from that host.
            raise RedirectedToPolicyHost(url, said["reason"], said["target"])
        raise NotCached(url, "its header is not in the cache, and --offline forbids fetching it")
    remote.cache.discard(redirected)  # what this run meets replaces it, whatever it is
    try:
        yield from _fetched_header(remote, package, key)
    except RedirectedToPolicyHost as exc:
        with contextlib.suppress(OSError):
            remote.cache.write_json(redirected, {"target": exc.target, "reason": exc.reason})
        raise


def _fetched_header(remote: Remote, package: Package, key: str | None) -> Iterator[tuple[bytes, int] | None]:
    """`read_header`'s request of the header, the cache having none."""
    url = package.location
    declared = _declared_end(package.header_range)
    if declared is not None and declared <= remote.header_memory.capacity:
        with remote.header_memory.hold(declared, url):
            fetched, agrees = _header_as_declared(remote, package, declared)
            if agrees:
                yield fetched
                _keep_header(remote, key, fetched)
                return
    layout = _header_layout(remote, url)
    if layout is None:
        yield None
        return
    lead, prefix_size, total = layout
    with remote.header_memory.hold(prefix_size, url):
        prefix = _header_rest(remote, url, lead, prefix_size)
        fetched = None if prefix is None else (prefix, total)
        yield fetched
        _keep_header(remote, key, fetched)


def _keep_header(remote: Remote, key: str | None, fetched: tuple[bytes, int] | None) -> None:
    if key is not None and fetched is not None:
        prefix, total = fetched
        remote.cache.headers.put(key, prefix, total)


def _header_as_declared(remote: Remote, package: Package, end: int) -> tuple[tuple[bytes, int] | None, bool]:
    """The first ``end`` bytes in one request, and whether the file's intros agree with the
    range the metadata declares (a file shorter than that does not); None (agreeing) when
    the server ignores range requests."""
    url = package.location
    assert package.header_range is not None
    start = package.header_range[0]
    buffer = bytearray()
    try:
        total = remote.client.fetch_range_into(url, 0, end - 1, buffer)
    except HttpError as exc:
        raise exc.input_error() from None
    if total is None:
        remote.no_range_support(url)
        return None, True
    try:
        signature = structure_size(bytes(buffer[LEAD_SIZE : LEAD_SIZE + INTRO_SIZE]), url, "signature header")
        main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
        main = structure_size(bytes(buffer[start : start + INTRO_SIZE]), url, "main header")
    except InputError:
        return None, False  # not an RPM's intros: the two-step read says precisely what is wrong
    if len(buffer) != end or main_start != start or start + main != end:
        remote.warn(
            f"{package.input}: the header ranges its metadata gives (rpm:header-range) disagree with "
            "the files; their headers are read in two steps"
        )
        return None, False
    prefix = bytes(buffer)
    del buffer
    return (prefix, total if total >= 0 else UNKNOWN_FILE_SIZE), True


def _cached_header(remote: Remote, key: str, size: int, url: str) -> tuple[bytes, int] | None:
    """A header from the cache; None when another run replaced it since its size was read, or
    (the entry discarded) when it is corrupt."""
    found = remote.cache.headers.get(key, size)
    if found is None:
        return None
    prefix, total = found
    try:
        read_headers(io.BytesIO(prefix), url, total)
    except InputError:
        remote.cache.headers.discard(key)
        remote.warn(f"{url}: the cached header was corrupt; discarded and fetched again")
        return None
    remote.cache.headers.used(key)
    return prefix, total


def _header_layout(remote: Remote, url: str) -> tuple[bytes, int, int] | None:
    """The lead and signature intro, the size of lead + signature + main header, and the
    file's size: two small range requests, so that the header's size is known (and held
    within the budget) before any of it is fetched. None: no range requests."""
    try:
        return _ranges_layout(remote, url)
    except HttpError as exc:
        raise exc.input_error() from None


def _ranges_layout(remote: Remote, url: str) -> tuple[bytes, int, int] | None:
    first = remote.client.fetch_range(url, 0, LEAD_SIZE + INTRO_SIZE - 1)
    if first is None:
        remote.no_range_support(url)
        return None
    lead, total = first
    size = total if total is not None else UNKNOWN_FILE_SIZE
    if len(lead) < LEAD_SIZE + INTRO_SIZE:
        read_headers(io.BytesIO(lead), url, size)  # raises the precise error
    signature = structure_size(lead[LEAD_SIZE:], url, "signature header")
    main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
    second = remote.client.fetch_range(url, main_start, main_start + INTRO_SIZE - 1)
    if second is None:
        remote.no_range_support(url)
        return None
    main = structure_size(second[0], url, "main header")
    return lead, main_start + main, size


def _header_rest(remote: Remote, url: str, lead: bytes, prefix_size: int) -> bytes | None:
    """The whole prefix, read into one buffer (a header of 256 MiB is not copied piece by piece)."""
    buffer = bytearray(lead)
    try:
        fetched = remote.client.fetch_range_into(url, len(lead), prefix_size - 1, buffer)
    except HttpError as exc:
        raise exc.input_error() from None
    if fetched is None:
        remote.no_range_support(url)
        return None
    if len(buffer) < prefix_size:
        raise InputError(url, "truncated RPM: ends inside its headers")
    prefix = bytes(buffer)
    del buffer
    return prefix


def _declared_end(header_range: tuple[int, int] | None) -> int | None:
    """Where lead, signature and main header end, by the metadata; None when it says nothing
    that could be a header's place (the intros are then read first)."""
    if header_range is None:
        return None
    start, end = header_range
    if start < LEAD_SIZE + INTRO_SIZE or end < start + INTRO_SIZE:
        return None
    return end
