"""The spec in a remote source RPM's payload, and the repositories and keys a remote binary
installs: its payload streamed until the spec (until the last of those files).

rpm before 4.15 (XCP-ng 8.x's CentOS 7 builds) kept the spec only in the payload, a
compressed cpio archive in file-name order; a later rpm stores its builder's parse in the
header (the SPEC tag) too, but a rebuild parses the payload's again
(`auditor.sources.srpmspec.with_rebuild_spec`). That payload is requested by range from its
first byte, never past the download budgets (`auditor.net.budget`), and decompressed and
walked as it arrives by the reader of local files
(`auditor.formats.payload.extract_member`); the connection is closed as soon as the
spec member is read, so nothing after it is downloaded and no more than a decompression
step is held. What was found is cached by the package's URL and checksum, a row beside its
header's (`auditor.net.headercache.spec_key`): the next run, and ``--offline``, read it from there.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TypeVar

from auditor.core.errors import InputError
from auditor.formats.decompress import Readable
from auditor.formats.payload import (
    MAX_MEMBER,
    Members,
    PayloadFiles,
    extract_member,
    extract_members,
    file_digest,
    vouched_by,
)
from auditor.formats.rpmheader import RpmHeaders
from auditor.net.budget import Allowance, BudgetExhausted, DownloadBudget
from auditor.net.failures import RedirectedToPolicyHost
from auditor.net.headercache import spec_key
from auditor.net.http import HttpError
from auditor.net.remote import Remote
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, with_fields
from auditor.sources.evidence import HeaderEvidence
from auditor.sources.payloadconfig import (
    MAX_FILE,
    MAX_FILES_TOTAL,
    PayloadNotRead,
    read_installed,
    wanted_files,
)
from auditor.sources.srpmspec import PayloadMember, SpecNotRead

T = TypeVar("T")
_MAGIC = b"auditor-spec-member 2\n"
_FOUND = b"found\n"
_ABSENT = b"absent\n"
_DIGEST = 64
"""Hexadecimal digits of the SHA-256 after `_MAGIC`: of the entry's key and what follows it.
An entry cut short (when entries were files: a crash before the file renamed into place
reached the disk) or put under another package's key (a cache copied or edited by hand) was
read as whatever it held: a spec cut before a Citrix Source, another package's spec."""


class PayloadFailed(InputError):
    """The payload of a remote source package could not be read for its spec (cut or corrupt,
    past a bound such as `MAX_MEMBER`, its download failed): its package is read from its header
    alone, as a local file's is (`auditor.sources.rpmpackage`), this its input error."""


def remote_payload(package: Package, headers: RpmHeaders, size: int, remote: Remote) -> PayloadMember:
    """The payload of the remote ``package`` (whose file is ``size`` bytes, `UNKNOWN_FILE_SIZE` when
    its server did not say), as `auditor.sources.srpmspec.read_srpm_spec` reads it."""

    def member(compressor: str, name: str) -> bytes | None:
        key = _cache_key(package, remote)
        vouched = vouched_by(headers.main, name)
        digested = file_digest(headers.main, name) is not None

        def not_the_headers(data: bytes | None) -> bool:
            """Whether ``data`` (None: no such member) is not the spec the header's digest names."""
            return digested and (data is None or not vouched(data))

        if key is not None:
            cached = _cached(key, package.location, remote)
            if cached is not None and not_the_headers(cached[0]):
                # Not this header's file: cached before 2b141971 of a payload served after
                # another file's header (rt67); dropped and read again.
                remote.cache.headers.discard(key)
                remote.warn(f"{package.location}: the cached spec is not its header's; read again")
            elif cached is not None:
                return cached[0]
        if remote.options.offline:
            where = package.input
            detail = f"its payload's spec is not in the cache (--offline forbids fetching it from {where})"
            raise SpecNotRead(Gap(GapKind.SPEC_UNREADABLE, detail))
        try:
            data = _stream(
                package.location,
                headers.header_end,
                size,
                (compressor, name, PayloadFiles.of(headers.main)),
                remote,
                vouched,
            )
        except RedirectedToPolicyHost:
            raise  # its payload is served from there: the package's evidence
        except InputError as exc:
            raise PayloadFailed(exc.source, exc.reason) from None
        if not_the_headers(data):
            # On disk such a payload is BAD by its digest and not read (rpmpackage._read); here,
            # another file's (written over, or served in its place after the header: rt67).
            said = "is not in it" if data is None else "is not the file its header's digest names"
            why = f"payload:{name} {said}: not the payload its header describes"
            raise PayloadFailed(package.location, why)
        if key is not None:
            _keep(key, data, remote)
        return data

    return member


def _stream(
    url: str,
    start: int,
    size: int,
    wanted: tuple[str, str, PayloadFiles],
    remote: Remote,
    vouched: Callable[[bytes], bool],
) -> bytes | None:
    """The member ``wanted`` (compressor, name, the header's files) of the payload that
    starts at ``start``."""
    compressor, name, members = wanted
    try:
        found = _walked(
            url,
            start,
            size,
            remote,
            lambda stream: extract_member(stream, compressor, name, url, members, vouched=vouched),
        )
    except BudgetExhausted as exc:
        raise _budget_gap(exc) from None
    except HttpError as exc:
        raise exc.input_error() from None
    if found is None:
        raise SpecNotRead(Gap(GapKind.SPEC_UNREADABLE, "its server ignores range requests"))
    return found[0]


def _walked(
    url: str, start: int, size: int, remote: Remote, read: Callable[[Readable], T]
) -> tuple[T] | None:
    """What ``read`` makes of the payload that starts at byte ``start`` of the remote file of
    ``size`` bytes, streamed by range within the spec budgets (a source package's spec, a
    binary's repositories and keys); None when its server ignores range requests. Raises
    `BudgetExhausted` (spent before, or on the way) and `HttpError`."""
    budget = remote.spec_budget
    allowance = budget.allowance()
    if allowance.size <= 0:
        raise budget.run_spent(0)
    if start >= size:  # no payload at all: the local reader's error
        return (read(io.BytesIO()),)
    end = min(start + allowance.size, size) - 1

    def walk(chunks: Iterator[bytes]) -> T:
        return read(_Counted(chunks, budget, allowance, stopped_early=end < size - 1))

    found = remote.client.consume_range(url, start, end, walk)
    return None if found is None else (found[0],)


def remote_installs(
    evidence: HeaderEvidence, headers: RpmHeaders, size: int, remote: Remote
) -> HeaderEvidence:
    """``evidence`` of a remote binary with what it installs (`auditor.sources.payloadconfig`): its
    payload streamed from its first byte within the spec budgets, as a source package's for its
    spec, only when its header lists such a file, and the walk stopped at the last one. Not
    cached apart: the model store keeps the package's evidence (a gap the run's limits left, not)."""
    package = evidence.package
    if package.is_source or not wanted_files(headers.main):
        return evidence
    url = package.location

    def members(compressor: str, names: list[str], files: PayloadFiles) -> Members:
        if remote.options.offline:
            raise PayloadNotRead(GapKind.PAYLOAD_UNREAD, f"--offline forbids fetching its payload from {url}")
        try:
            found = _walked(
                url,
                headers.header_end,
                size,
                remote,
                lambda stream: extract_members(
                    stream, compressor, names, url, files, limit=MAX_FILE, total=MAX_FILES_TOTAL
                ),
            )
        except BudgetExhausted as exc:
            raise PayloadNotRead(GapKind.BUDGET_EXHAUSTED, exc.detail) from None
        except HttpError as exc:
            raise PayloadNotRead(
                GapKind.PAYLOAD_UNREAD, f"its payload could not be fetched ({exc})"
            ) from None
        if found is None:
            raise PayloadNotRead(
                GapKind.PAYLOAD_UNREAD, "its server ignores range requests: its payload was not read"
            )
        return found[0]

    installs, gaps = read_installed(headers, members)
    return replace(evidence, package=with_fields(package, installs=installs, gaps=package.gaps + gaps))


def _budget_gap(exc: BudgetExhausted) -> SpecNotRead:
    return SpecNotRead(Gap(GapKind.BUDGET_EXHAUSTED, exc.detail))


class _Counted:
    """The pieces of a range's body as a stream to read, each counted against the budgets.

    The end of the body is the end of the payload, unless the range stopped before the
    file does: then the budget that bounded the range stopped the read."""

    def __init__(
        self, chunks: Iterator[bytes], budget: DownloadBudget, allowance: Allowance, *, stopped_early: bool
    ) -> None:
        self._chunks = chunks
        self._budget = budget
        self._allowance = allowance
        self._stopped_early = stopped_early
        self._pending = b""
        self.read_bytes = 0

    def read(self, size: int = -1, /) -> bytes:
        if not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                if self._stopped_early and self.read_bytes >= self._allowance.size:
                    if self._allowance.per_run:
                        raise self._budget.run_spent(self.read_bytes)
                    raise self._budget.package_spent(self.read_bytes)
                return b""
            self.read_bytes += len(chunk)
            self._budget.spend(len(chunk), self.read_bytes)
            self._pending = chunk
        if size < 0 or size >= len(self._pending):
            taken, self._pending = self._pending, b""
        else:
            taken, self._pending = self._pending[:size], self._pending[size:]
        return taken


def _cache_key(package: Package, remote: Remote) -> str | None:
    if package.checksum is None:
        return None
    key = remote.cache.part_key(package.location, package.checksum.algorithm, package.checksum.value)
    return None if key is None else spec_key(key)


def _cached(key: str, url: str, remote: Remote) -> tuple[bytes | None] | None:
    """The member the cache has for a package: ``(content,)``, ``(None,)`` when its payload
    has none, or None when the cache does not have it (a damaged entry is discarded)."""
    rows = remote.cache.headers
    data = rows.whole(key)
    if data is None:
        return None
    said, body = data[len(_MAGIC) : len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST + 1 :]
    if len(body) <= MAX_MEMBER + len(_FOUND) and data.startswith(_MAGIC) and said == _digest(key, body):
        if body.startswith(_FOUND):
            rows.used(key)
            return (body[len(_FOUND) :],)
        if body == _ABSENT:
            rows.used(key)
            return (None,)
    rows.discard(key)
    remote.warn(f"{url}: the cached spec was damaged; discarded and read again")
    return None


def _keep(key: str, data: bytes | None, remote: Remote) -> None:
    body = _ABSENT if data is None else _FOUND + data
    remote.cache.headers.put(key, _MAGIC + _digest(key, body) + b"\n" + body, _NO_FILE_SIZE)


_NO_FILE_SIZE = -1
"""A spec's row holds no file size (a header's holds its file's)."""


def _digest(key: str, body: bytes) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape") + b"\0" + body).hexdigest().encode("ascii")
