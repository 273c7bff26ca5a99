"""Replay a report from the store when nothing that decides it has changed.

A release gate runs the same audit over and over on a repository that did not move. The
report is a function of: the auditor's version, the command line, the working directory
(reports name inputs as given), the content of every policy, project, waiver and
baseline file, the date (waivers expire), the environment variables the auditor reads,
and every input file. If all of these are as they were, the stored report, exit code and
messages are given again; otherwise the audit runs and its result is stored.

Inputs are identified without being read: a file by its path, size, modification time
and inode; a repository by the same of every file under ``repodata/`` (its packages are
not read); a directory of RPMs by every file in it. Runs that use the network (URLs,
repository configuration files, ``--resolve-urls``, ``--remote-headers``) are never replayed.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterable, Sequence

from auditor import __version__
from auditor.core.errors import InputError
from auditor.core.files import open_regular
from auditor.runtime.store import digest, file_identity
from auditor.sources.load import is_url
from auditor.sources.repoconfig import is_repo_config
from auditor.sources.repodata import find_repomd

ENVIRONMENT = ("AUDITOR_MAX_METADATA_BYTES",)


def _content(path: str) -> str:
    try:
        with open_regular(path, path) as stream:  # a named pipe is not waited on
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except InputError as exc:
        return f"unreadable: {exc.reason}"  # the run that reads the file says what is wrong
    except OSError:
        return "absent"


def _tree(path: str, *, read_rpms: bool) -> Iterable[str]:
    """The identity of every file the audit of ``path`` may read."""
    repomd = None if read_rpms else find_repomd(path)
    if repomd is not None:
        root = os.path.dirname(repomd)
        for name in sorted(os.listdir(root)):
            yield file_identity(os.path.join(root, name))
        return
    if not os.path.isdir(path):
        yield file_identity(path)
        return
    # Iterative, and each directory once: trees deeper than the recursion limit and
    # symlink loops are inputs like any other (the audit reports the loops).
    seen: set[tuple[int, int]] = set()
    stack = [path]
    while stack:
        directory = stack.pop()
        info = os.stat(directory)
        if (info.st_dev, info.st_ino) in seen:
            yield f"{directory}\0loop"
            continue
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    yield file_identity(entry.path)
            except OSError:
                yield f"{entry.path}\0unreadable"


def report_key(
    argv: Sequence[str],
    inputs: Sequence[str],
    files: Iterable[str | None],
    *,
    read_rpms: bool,
) -> str | None:
    """The key a report is stored under, or None when this run must not be replayed."""
    if any(is_url(path) for path in inputs):
        return None
    parts = [__version__, os.getcwd(), datetime.date.today().isoformat(), "\0".join(argv)]
    parts += [f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT]
    parts += [f"{path}\0{_content(path)}" for path in files if path is not None]
    try:
        for path in inputs:
            if not os.path.isdir(path) and is_repo_config(path):
                return None  # it names repositories read over the network
            parts.append(f"input\0{path}")
            parts.extend(_tree(path, read_rpms=read_rpms))
    except OSError:
        return None  # the audit will say what is wrong with the input; do not replay that
    return digest(*parts)
