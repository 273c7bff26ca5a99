"""Find files in an RPM's payload: the spec file of a source RPM without a SPEC tag, and the
repository configurations and signing keys a binary installs (`auditor.sources.payloadconfig`).

rpm 4.11, which built XenServer 7 and 8.x, did not store the spec in the header, so the
Source and Patch URLs of those source RPMs are only in the ``.spec`` inside the payload.
The payload is a compressed cpio archive (``newc`` format, or rpm's stripped one: see
`PayloadFiles`); it is decompressed as a stream, never held whole in memory, and the walk
stops at the last wanted member. The stream is a local file, or a remote payload's pieces as they
arrive (`auditor.sources.remotespec`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from auditor.core.errors import InputError, TooLarge
from auditor.formats.decompress import Readable, decompressed
from auditor.formats.header import Header, Tag
from auditor.formats.rpmcheck import CheckKind, RpmCheckError

MAX_MEMBER = 16 * 1024 * 1024
"""A spec file larger than this is not a spec file."""
MAX_SCANNED = 8 * 1024 * 1024 * 1024
"""Decompressed bytes walked before giving up (a bomb ends here, not in memory)."""

MAX_NAME = 4096
"""Longest cpio member name, NUL included (PATH_MAX, as rpm's own cpio reader)."""

_CPIO_HEADER = 110
_MAGIC = 6
_STRIPPED_INDEX = 8
S_IFMT, S_IFREG, S_IFLNK = 0o170000, 0o100000, 0o120000
"""A header's FILEMODES: the file type's bits, a regular file's, a symbolic link's (POSIX's)."""
RPMFILE_GHOST = 1 << 6
"""FILEFLAGS of a ``%ghost`` file: listed in the header, absent from the payload."""
# C's strtoul in base 16 over one 8-byte field, all of which it must consume (lib/cpio.c
# GET_NUM_FIELD, strntoul): white space, a sign and a 0x prefix are taken, nothing else is.
_STRTOUL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)(?:0[xX])?([0-9a-fA-F]+)")
_KINDS = {"": "gzip", "gzip": "gzip", "xz": "xz", "lzma": "xz", "bzip2": "bzip2", "zstd": "zstd",
          "identity": "identity"}  # fmt: skip
_GZIP_MAGIC = b"\x1f\x8b"


def _decompressed(stream: Readable, compressor: str, source: str) -> Iterator[bytes]:
    kind = _KINDS.get(compressor)
    if kind is None:
        raise InputError(source, f"unsupported payload compression {compressor!r}")
    first = b""
    if kind == "gzip":
        # rpm opens a gzip payload (the default when the header names no compressor) with
        # zlib's gzdopen, which reads data without the gzip magic as it is: rpmbuild's
        # ``_source_payload w.ufdio`` writes such a payload and no PAYLOADCOMPRESSOR tag.
        while len(first) < len(_GZIP_MAGIC):
            more = stream.read(len(_GZIP_MAGIC) - len(first))
            if not more:
                break
            first += more
        if first != _GZIP_MAGIC:
            kind = "identity"
    return decompressed(stream, kind, source, limit=MAX_SCANNED, what="RPM payload", first=first)


@dataclass(frozen=True, slots=True)
class PayloadFiles:
    """The files a package's header lists: what its payload's members may be.

    rpm matches each cpio member to them (``lib/rpmfi.cc`` iterReadArchiveNext) and refuses
    one they do not name. A member of rpm's stripped cpio format (magic ``07070X``: rpmbuild
    4.12 and later writes it for a package with a file of 4 GiB or more, rpm 6 for every v6
    package) carries neither a name nor a size, only the index of its file here
    (``lib/cpio.cc`` rpmcpioHeaderRead): its name, and how many bytes of data follow it, are
    the header's.
    """

    paths: tuple[str, ...]
    data_sizes: tuple[int | None, ...] | None
    """How many bytes of data follow each file's stripped member, as rpm reads them: a regular
    file's size (LONGFILESIZES, else FILESIZES), but 0 for a hard link whose data another
    member carries (`data_of`); a symbolic link's target; nothing for anything else. None for
    a ``%ghost`` file, which rpm cannot walk past in a stripped payload (it reads no size for
    one), and None for all when the header's modes or sizes do not cover its files."""
    data_of: tuple[int, ...] = ()
    """The member whose data is each file's: in a set of hard links (regular files of one
    device and inode, ``lib/rpmfi.cc`` rpmfilesBuildNLink), rpm writes it only with the last,
    in either format, and extracts the others as links to it. Empty: each its own."""

    @classmethod
    def of(cls, header: Header) -> PayloadFiles:
        paths = header.file_paths()
        count = len(paths)
        modes, flags = header.ints(Tag.FILEMODES), header.ints(Tag.FILEFLAGS)
        inodes, devices = header.ints(Tag.FILEINODES), header.ints(Tag.FILEDEVICES)
        ghosts = [bool(flag & RPMFILE_GHOST) for flag in flags] if len(flags) == count else [False] * count
        data_of = list(range(count))
        if len(modes) == count and len(inodes) == count and len(devices) == count:
            sets: dict[tuple[int, int], list[int]] = {}
            for index, (mode, inode, device, ghost) in enumerate(
                zip(modes, inodes, devices, ghosts, strict=True)
            ):
                if mode & S_IFMT == S_IFREG and not ghost and inode:  # rpm_ino_t is unsigned
                    sets.setdefault((device, inode), []).append(index)
            for links in sets.values():
                for index in links:
                    data_of[index] = links[-1]
        sizes = header.ints(Tag.LONGFILESIZES) or header.ints(Tag.FILESIZES)
        if len(modes) != count or len(sizes) != count:
            return cls(paths, None, tuple(data_of))
        data_sizes: list[int | None] = []
        for index, (mode, size, ghost) in enumerate(zip(modes, sizes, ghosts, strict=True)):
            kind = mode & S_IFMT
            carries = kind == S_IFLNK or (kind == S_IFREG and data_of[index] == index)
            data_sizes.append(None if ghost else size if carries else 0)
        return cls(paths, tuple(data_sizes), tuple(data_of))

    def data_member(self, name: str) -> str:
        """The member whose data is the file ``name``'s (``name`` itself, but for a hard link)."""
        for index, path in enumerate(self.paths):
            if path.removeprefix("./").removeprefix("/") == name and self.data_of:
                return self.paths[self.data_of[index]].removeprefix("./").removeprefix("/")
        return name


class _Buffer:
    """Pull exact byte counts out of a stream of decompressed chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._data = bytearray()

    def take(self, size: int) -> bytes | None:
        while len(self._data) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                return None
            self._data += chunk
        taken = bytes(self._data[:size])
        del self._data[:size]
        return taken

    def skip(self, size: int) -> bool:
        while len(self._data) < size:
            size -= len(self._data)
            self._data.clear()
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._data += chunk
        del self._data[:size]
        return True


def extract_member(
    stream: Readable,
    compressor: str,
    wanted: str,
    source: str,
    files: PayloadFiles | None = None,
    *,
    vouched: Callable[[bytes], bool] | None = None,
) -> bytes | None:
    """The content of the payload member named ``wanted`` (a leading ``./`` ignored), or None.

    ``vouched``: whether a copy read is the one rpm installs whatever else the payload holds (the
    header's file digest matches it: rpm checks each copy it writes against it). A copy it does
    not vouch for is not returned before the walk reaches the trailer, and a second copy is an
    `InputError`: rpm 4.11 (XCP-ng 8.x) installs the last copy, rpm 4.18 refuses the package.

    ``files``: what the package's header lists. Past as many members as it lists files, the
    walk stops: a payload of millions of empty members before the spec took a minute per 171 KB
    file (red team 7). A stripped payload's members are read by it.

    Raises `InputError` for a payload that is corrupt, is cut before the cpio trailer,
    names a member with a name size that no path has, holds more members than ``files``,
    or walks past `MAX_SCANNED`.
    """
    buffer = _Buffer(_decompressed(stream, compressor, source))
    wanted = _member_name(wanted)
    if files is not None:
        wanted = files.data_member(wanted)
    found: bytes | None = None
    for name, file_size, data_pad in _members(buffer, files, source):
        if name == wanted:
            if found is not None:
                raise InputError(source, f"payload member {wanted} is in it twice: {TWICE}")
            if file_size > MAX_MEMBER:
                raise TooLarge(source, f"payload member {wanted} is {file_size} bytes, too large")
            found = buffer.take(file_size)
            if found is None:
                raise InputError(source, "truncated RPM payload")
            if vouched is None or vouched(found):
                return found
            file_size = 0  # its data taken: its padding is left
        if not buffer.skip(file_size + data_pad):
            raise InputError(source, "truncated RPM payload")
    return found


TWICE = "rpm 4.11 installs the last copy, rpm 4.18 refuses the package"
"""Why a payload holding a member twice is not read by its first copy (dupmember60)."""


@dataclass(frozen=True, slots=True)
class Members:
    """What one walk of a payload read of the members asked for (`extract_members`)."""

    found: dict[str, bytes]
    """Each member read, by the name it was asked by."""
    too_large: dict[str, int]
    """Each member not read for its size (over the bound for one, or for all together)."""
    error: InputError | None = None
    """Why the walk stopped before it read them all (a payload cut, corrupt, compressed in a
    way this reader does not know): the members not in ``found`` or ``too_large`` are unread."""


def extract_members(
    stream: Readable,
    compressor: str,
    wanted: Iterable[str],
    source: str,
    files: PayloadFiles | None = None,
    *,
    limit: int = MAX_MEMBER,
    total: int = MAX_MEMBER,
) -> Members:
    """The members named ``wanted`` (a leading ``./`` ignored), read in one walk of the payload
    with the bounds of `extract_member`, to its trailer. A member over ``limit`` bytes, or that
    would take those read past ``total``, is not held (`Members`): the payload is never held, nor
    more of it than the members asked for. An error ends the walk and is returned beside what was
    read before it, never raised.

    A member asked for that the payload holds twice is an error, and neither copy is returned:
    rpm 4.11 (XCP-ng 8.x) writes each copy over the one before and installs the last, which
    only the header's file digest (a package may leave it out) checks; rpm 4.18 refuses the
    package. The walk goes on past the last member asked for to see a later copy (dupmember60)."""
    asked: dict[str, list[str]] = {}
    for name in wanted:
        data_name = _member_name(name) if files is None else files.data_member(_member_name(name))
        asked.setdefault(data_name, []).append(name)
    found: dict[str, bytes] = {}
    too_large: dict[str, int] = {}
    walked: dict[str, list[str]] = {}  # each member asked for and met, by its data name
    held = 0
    try:
        buffer = _Buffer(_decompressed(stream, compressor, source))
        for name, file_size, data_pad in _members(buffer, files, source):
            if name in walked:
                for asked_name in walked[name]:
                    found.pop(asked_name, None)
                    too_large.pop(asked_name, None)
                raise InputError(
                    source,
                    f"payload member {name} is in it twice: {TWICE}",
                )
            names = asked.pop(name, None)
            if names is not None:
                walked[name] = names
            if names is not None and file_size <= limit and held + file_size <= total:
                data = buffer.take(file_size)
                if data is None or not buffer.skip(data_pad):
                    raise InputError(source, "truncated RPM payload")
                held += file_size
                found.update(dict.fromkeys(names, data))
            else:
                too_large.update(dict.fromkeys(names or (), file_size))
                if not buffer.skip(file_size + data_pad):
                    raise InputError(source, "truncated RPM payload")
    except InputError as exc:
        return Members(found, too_large, exc)
    return Members(found, too_large)


def _member_name(name: str) -> str:
    return name.removeprefix("./").removeprefix("/")


def _members(buffer: _Buffer, files: PayloadFiles | None, source: str) -> Iterator[tuple[str, int, int]]:
    """Each member's name (without a leading ``./``), data size and padding, up to the trailer;
    its data is the caller's to take or skip before the next."""
    walked = 0
    while True:
        if files is not None and walked > len(files.paths):
            raise _bad_cpio(
                source, f"the payload holds more members than the {len(files.paths)} files its header lists"
            )
        walked += 1
        magic = buffer.take(_MAGIC)
        if magic is None:
            raise InputError(source, "truncated RPM payload: the cpio archive ends without its trailer")
        if magic == b"07070X":
            member = _stripped_member(buffer, files, source)
            if member is None:
                return
            name, file_size, data_pad = member[0], member[1], (4 - member[1] % 4) % 4
        elif magic in (b"070701", b"070702"):
            header = buffer.take(_CPIO_HEADER - _MAGIC)
            if header is None:
                raise InputError(source, "truncated RPM payload: the cpio archive ends without its trailer")
            name, file_size = _newc_member(buffer, magic + header, source)
            if name == "TRAILER!!!":
                return
            data_pad = (4 - file_size % 4) % 4
        else:
            raise _bad_cpio(source, f"bad cpio header magic {magic!r}")
        yield _member_name(name), file_size, data_pad


def _newc_member(buffer: _Buffer, header: bytes, source: str) -> tuple[str, int]:
    """The name and data size of the ``newc`` member whose 110-byte ``header`` was taken."""
    file_size = _number(header[54:62], "file size", source)
    name_size = _number(header[94:102], "name size", source)
    if file_size >= 1 << 63:  # rpm itself takes the size from the header (rpmfi), not from here
        raise _bad_cpio(source, f"cpio file size {header[54:62]!r} is negative")
    if name_size >= 1 << 31 or not 1 < name_size <= MAX_NAME:  # rpm reads it as an int
        raise _bad_cpio(source, f"cpio name size {name_size} (a name has 2 to {MAX_NAME})")
    name_pad = (4 - (_CPIO_HEADER + name_size) % 4) % 4
    raw_name = buffer.take(name_size + name_pad)
    if raw_name is None:
        raise InputError(source, "truncated RPM payload")
    return raw_name[:name_size].split(b"\0", 1)[0].decode("utf-8", "replace"), file_size  # a C string


def _stripped_member(buffer: _Buffer, files: PayloadFiles | None, source: str) -> tuple[str, int] | None:
    """The name and data size of the stripped member whose magic was taken; None at its end
    (index -1: rpm's trailer is then a ``newc`` one, which is not read)."""
    raw = buffer.take(_STRIPPED_INDEX + 2)  # the index, padded to 4 bytes from the magic
    if raw is None:
        raise InputError(source, "truncated RPM payload: the cpio archive ends without its trailer")
    index = _number(raw[:_STRIPPED_INDEX], "file index", source) & 0xFFFFFFFF  # read into an int
    if index == 0xFFFFFFFF:
        return None
    if files is None or files.data_sizes is None:
        raise _bad_cpio(
            source, "a stripped cpio member, and the header's file modes or sizes do not cover its files"
        )
    if index >= len(files.paths):  # rpm: RPMERR_UNMAPPED_FILE
        raise _bad_cpio(
            source, f"stripped cpio member {index} is none of the {len(files.paths)} files its header lists"
        )
    size = files.data_sizes[index]
    if size is None:
        raise _bad_cpio(
            source, f"stripped cpio member {index} is a %ghost file, which has no data to walk past"
        )
    return files.paths[index], size


def _number(field: bytes, what: str, source: str) -> int:
    """One numeric field as rpm's strntoul reads it, as an unsigned 64-bit number."""
    match = _STRTOUL.fullmatch(field)
    if match is None:
        raise _bad_cpio(source, f"cpio {what} {field!r} is not a hexadecimal number")
    value = int(match.group(2), 16)
    return (-value) % (1 << 64) if match.group(1) == b"-" else value


def _bad_cpio(source: str, detail: str) -> RpmCheckError:
    return RpmCheckError(source, f"corrupt RPM payload: {detail}", "rpmcpioHeaderRead", CheckKind.PAYLOAD)


_DIGEST_ALGORITHMS = {1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"}
"""rpm's FILEDIGESTALGO values (OpenPGP's hash numbers) that hashlib computes; none given is MD5."""


def vouched_by(header: Header, name: str) -> Callable[[bytes], bool]:
    """Whether a copy of the payload member ``name`` is the one rpm installs whatever else the
    payload holds: rpm checks each copy it writes against the header's file digest (``lib/fsm.c``),
    so one that matches is the only content it can install. Without a digest to match (none, an
    algorithm not known), the payload is read to its end for a second copy
    (`extract_member`): the spec a rebuild reads was its first copy, and
    rpm 4.11 installs the last."""
    named = file_digest(header, name)

    def check(data: bytes) -> bool:
        if named is None:
            return False
        return hashlib.new(named[0], data, usedforsecurity=False).hexdigest() == named[1]

    return check


def file_digest(header: Header, name: str) -> tuple[str, str] | None:
    """The algorithm and digest the header gives the regular file ``name``; None when it gives none
    that hashlib computes (an unknown algorithm), or ``name`` is no regular file (rpm checks none
    but a regular file's: a symbolic link's data is its target)."""
    paths = [path.removeprefix("./").lstrip("/") for path in header.file_paths()]
    target = name.removeprefix("./").lstrip("/")
    digests = header.strings(Tag.FILEDIGESTS) if target in paths else []
    index = paths.index(target) if target in paths else -1
    algorithm = _DIGEST_ALGORITHMS.get((header.ints(Tag.FILEDIGESTALGO) or (1,))[0])
    if algorithm is None or not 0 <= index < len(digests) or not digests[index]:
        return None
    modes = header.ints(Tag.FILEMODES)
    if index < len(modes) and modes[index] & S_IFMT != S_IFREG:
        return None
    return algorithm, digests[index].lower()
