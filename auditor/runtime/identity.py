"""What a file, or the auditor's own code, is without reading it: the keys of the store.

A file is known by its path, size, modification and change times, inode and device
(`file_identity`); the code by the identities of its files (`code_identity`). A stored model
or report is used only under the identities it was made under (`auditor.runtime.store`,
`auditor.cli.replay`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys

from auditor.core.shipped import shipped_directories


@functools.cache
def code_identity() -> str:
    """The identity of the auditor's own files (modules and shipped data).

    A model or a report made by other code is never used, even under the same version number
    and model shape: an editable install, a git checkout moved on, a patch. What a reader takes
    from a file changes with the reader (a `Source 1:` tag once read as no Source at all), so a
    model stored by an older reader would hide what the newer one finds. About 400 stats, once
    per process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    identities: list[str] = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        identities.extend(
            file_identity(os.path.join(directory, name))
            for name in sorted(names)
            if name.endswith((".py", ".toml", ".json", ".css", ".js"))
        )
    # The shipped data the readers and rules use (the look-alike letters' table): a report made
    # with another table decides other findings, and a source tree keeps it outside the package.
    for shipped in shipped_directories():
        with contextlib.suppress(OSError), os.scandir(shipped) as entries:
            identities.extend(sorted(file_identity(entry.path) for entry in entries if entry.is_file()))
    identities.append(sys.version)  # its unicodedata folds look-alike text, its tomllib reads policies
    identities.extend(_library_identity(name) for name in LIBRARIES)
    return digest(*identities)


LIBRARIES = (
    "re2",
    "networkx",
    "msgspec",
    "zstandard",
    "cyclonedx",
    "spdx_tools",
    "license_expression",
    "tabulate",
    "packageurl",
)
"""The third-party packages whose code decides a report: re2 matches the policy's patterns,
networkx finds the chains, msgspec reads the files and the store, license_expression reads
the SBOMs' licences, packageurl writes their purls, the others write formats.
Upgraded in place (``pip install -U``), they leave the auditor's own files as they were."""


def _library_identity(name: str) -> str:
    """What changes when the package ``name`` is installed again, found without importing it:
    its ``__init__`` file, or a namespace package's directories (a reinstall rewrites both)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return f"{name}\0absent"
    places = [spec.origin] if spec.origin else list(spec.submodule_search_locations or ())
    try:
        return "\0".join([name, *(file_identity(place) for place in places)])
    except OSError:
        return f"{name}\0unreadable"


def file_identity(path: str) -> str:
    """What changes whenever a file's content may have changed (without reading it).

    The change time is in it because size and modification time can be put back after an
    edit in place (`touch -d`, `rsync --inplace`); the kernel sets st_ctime on every write and
    no call sets it back. A chmod or a new hard link changes it too: a needless new read."""
    return identity_of(path, os.stat(path))


def identity_of(path: str, info: os.stat_result) -> str:
    """`file_identity` from a stat already made (say `os.fstat` of the descriptor read)."""
    return identity_at(os.path.abspath(path), info)


def identity_at(absolute: str, info: os.stat_result) -> str:
    """`identity_of` a path already made absolute (`os.path.abspath`)."""
    times = f"{info.st_mtime_ns}\0{info.st_ctime_ns}"
    return f"{absolute}\0{info.st_size}\0{times}\0{info.st_ino}\0{info.st_dev}"


def identity_size(identity: str) -> int:
    """The file size an `identity_at` holds (a path holds no NUL)."""
    return int(identity.split("\0", 2)[1])


def digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogateescape"))
        hasher.update(b"\0")
    return hasher.hexdigest()
