"""Whether a package file is the one its repository metadata entry describes.

createrepo_c wrote the entry from a file: its NEVRA, its size (``<size package>``), its build
time (``<time build>``), where its headers end (``rpm:header-range``) and its checksum. A file
put in place of that one since (another package, or the same NEVRA rebuilt) is not what dnf
would install: dnf refuses it on its checksum. Each check here says what shows a file to be
another, in words for the file's input error, or None. Apart from `auditor.sources.overlay`,
which compares what the two must agree on once the file is the entry's: these decide whether
it is, for a local file (`auditor.sources.localrepo`) and a remote one's header
(`auditor.sources.remote`) alike.
"""

from __future__ import annotations

import hashlib

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.rpm.model import Checksum, Package
from auditor.sources.evidence import HeaderEvidence


def same_package(listed: Package, read: Package) -> bool:
    """Whether a header (``read``) is of the package a metadata entry (``listed``) names."""
    return (read.name, read.epoch or 0, read.version, read.release, read.arch) == (
        listed.name,
        listed.epoch or 0,
        listed.version,
        listed.release,
        listed.arch,
    )


def another_package(listed: Package, read: Package) -> str | None:
    """What shows a header (``read``) to be of another package than the metadata entry
    (``listed``) names; None when it is of that package."""
    if same_package(listed, read):
        return None
    return f"the file's header is {read.nevra}, the repository metadata says {listed.nevra}"


def size_disagreement(expected: int | None, file_size: int | None) -> str | None:
    """What is wrong with a file of ``file_size`` bytes as a package's file whose metadata
    gives it ``expected`` bytes; None when they agree, or either is unknown.

    The same name, version and release rebuilt (another Source, the same NEVRA) and put in
    place of the file after createrepo_c ran is not the package the metadata describes: dnf
    would refuse it on its checksum and install nothing of it, so its header (a clean Source
    where the metadata's package had a Citrix one) must not stand for that package. The
    auditor hashes no file (createrepo_c does), but the size costs nothing to compare, and
    a rebuild is almost never of the same size (one that is: `other_build`)."""
    if expected is None or file_size is None or file_size == expected:
        return None
    said = f"the file is {file_size} bytes, the repository metadata says {expected} (<size package>)"
    return f"{said}: {_NOT_THE_FILE}"


def header_end_disagreement(header_range: tuple[int, int] | None, header_end: int) -> str | None:
    """For a server that does not say its file's size (``Content-Range: bytes S-E/*``): what is
    wrong with a file whose headers end at ``header_end``, by where the metadata says they end
    (``header_range``, ``rpm:header-range``, which createrepo_c takes from the same file); None
    when they agree, or the metadata says nothing. A rebuild of the same NEVRA put in place of
    the file is caught by its size where the server says it; here by its header's size."""
    if header_range is None or header_range[1] == header_end:
        return None
    return (
        f"its headers end at byte {header_end}, the repository metadata says {header_range[1]} "
        f"(rpm:header-range), and the server does not say the file's size: {_NOT_THE_FILE}"
    )


def other_build(listed: Package, evidence: HeaderEvidence) -> str | None:
    """What shows a file (read as ``evidence``) to be another build than the one its metadata
    entry (``listed``) describes, of whatever size: a build time or an end of the headers other
    than the metadata's, which createrepo_c took from the file it read; None when they agree,
    or the metadata does not say.

    A rebuild of the same NEVRA can be made the very size of the file it replaces (a Citrix
    Source URL swapped for a clean one of the same length): `size_disagreement` misses it, and
    the auditor hashes no file. Nothing else a rebuild changes is compared for free: the
    header's other copied values (dependencies, origin fields) are compared by `overlay`
    already, and its build time differs unless the build was made reproducible."""
    read = evidence.package
    # createrepo_c writes a header without BUILDTIME as build="0": a 0 says nothing (nor does
    # an empty range), as a metadata writer that leaves either unfilled would.
    if listed.buildtime and (read.buildtime or 0) != listed.buildtime:
        said = f"its build time is {read.buildtime or 0}, the repository metadata says {listed.buildtime}"
        return f"{said} (<time build>): {_NOT_THE_FILE}"
    start, end = listed.header_range or (0, 0)
    header_end = evidence.header_end
    if header_end is not None and start < end != header_end:
        said = f"its headers end at byte {header_end}, the repository metadata says {end}"
        return f"{said} (rpm:header-range): {_NOT_THE_FILE}"
    return None


def checksum_disagreement(expected: Checksum, path: str) -> str | None:
    """What is wrong with the file at ``path`` as a package's file whose metadata gives it the
    checksum ``expected`` (``<checksum>``, as createrepo_c hashed the file); None when the
    file's own agrees. A checksum type no hash here knows is said, never passed."""
    algorithm = _CHECKSUM_TYPES.get(expected.algorithm.lower())
    if algorithm is None:
        return f"its checksum cannot be verified: unknown checksum type {expected.algorithm!r}"
    try:
        with open_regular(path, path, "an RPM file") as stream:
            found = hashlib.file_digest(stream, algorithm).hexdigest()
    except InputError as exc:
        return f"its checksum cannot be verified: {exc.reason}"
    except OSError as exc:
        return f"its checksum cannot be verified: {os_reason(exc)}"
    if found == expected.value.strip().lower():
        return None
    said = f"its {expected.algorithm} checksum is {found}, the repository metadata says {expected.value}"
    return f"{said} (<checksum>): {_NOT_THE_FILE}"


_CHECKSUM_TYPES = {
    "md5": "md5",
    "sha": "sha1",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
}
"""The checksum types of repository metadata dnf verifies (librepo's), by hashlib's name (yum's
``sha`` is SHA-1). Not whatever hashlib knows: ``shake_128`` has no digest of its own length
(an internal error), and a type dnf does not know is a file it would not install."""

_NOT_THE_FILE = "not the file the metadata describes (dnf would refuse it on its checksum)"
