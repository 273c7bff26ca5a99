"""The one walk of a directory tree: depth first, in name order, through symlinks, safely.

A tree handed to the auditor may be a mirror with symlinked releases (``latest -> 8.2``), a
loop a user or an attacker made, or deeper than Python's recursion limit. The walk keeps a
stack of iterators rather than recursing, enters each directory once by identity (device,
inode), tells a loop (a directory inside itself) from an alias (a second name for a
directory already read), and reports every directory it could not read: nothing is
skipped silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from auditor.core.files import kernel_devices, os_reason
from auditor.runtime.snapshot import FileSnapshot

LOOP = "symlink loop: directory already scanned"
"""The ``problem`` of a directory inside itself: what it holds was walked (or is being walked)."""

ENCLOSING = "a symbolic link to a directory that holds the walk's start, not walked"
"""The ``problem`` of a link to ``/`` or to an ancestor of the tree walked: walking it would walk
what lies beside the input (a link to ``/``, the whole machine: every RPM file on the host, for
a quarter of an hour and more), never what the input holds. A mirror's link to a release on
another disk leads elsewhere, and is walked."""

KERNEL = "is a directory of the kernel's /proc or /sys, not walked"
"""The ``problem`` of a directory of the kernel's file systems, reached by a symlink (to ``/``,
to ``/proc/self``): no file there is read (`auditor.core.files`), and the walk of them has no
end: each process's ``cwd`` and ``root`` lead back into the machine's whole tree."""


def walk_files(
    root: str,
    *,
    enter: Callable[[str], bool],
    problem: Callable[[str, str], None],
    alias: Callable[[str, str], None],
    snapshot: FileSnapshot | None = None,
) -> Iterator[os.DirEntry[str]]:
    """Every entry below ``root`` that is not a directory, in name order, depth first.

    ``enter(path)`` decides whether a directory below the root is walked (a caller reads a
    repository inside the tree its own way). ``problem(path, reason)`` hears of each
    directory or entry that could not be read and of each loop; ``alias(path, first)`` of each
    directory reached again by another name, which is then not walked twice. The directories
    are listed through the run's ``snapshot``, when given: a tree walked twice in one run is
    listed once.
    """
    looked = snapshot if snapshot is not None else FileSnapshot()
    seen: dict[tuple[int, int], str] = {}
    walking: list[tuple[int, int]] = []
    enclosing = _enclosing(root)

    def opened(directory: str) -> Iterator[os.DirEntry[str]] | None:
        try:
            info = os.stat(directory)
        except OSError as exc:
            problem(directory, os_reason(exc))
            return None
        identity = (info.st_dev, info.st_ino)
        if info.st_dev in kernel_devices():
            problem(directory, KERNEL)
            return None
        if identity in walking:
            problem(directory, LOOP)
            return None
        if identity in enclosing:  # each such link said so, none an alias of another
            if enter(directory):  # a caller may have its own word for it
                problem(directory, ENCLOSING)
            return None
        if identity in seen:
            alias(directory, seen[identity])
            return None
        seen[identity] = directory
        if directory != root and not enter(directory):
            return None
        try:
            entries = iter(looked.listing(directory))
        except OSError as exc:
            problem(directory, os_reason(exc))
            return None
        walking.append(identity)
        return entries

    first = opened(root)
    stack = [first] if first is not None else []
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            walking.pop()
            continue
        try:
            is_dir = entry.is_dir()  # follows symlinks: loops and aliases are caught by `opened`
        except OSError as exc:
            problem(entry.path, os_reason(exc))
            continue
        if is_dir:
            entries = opened(entry.path)
            if entries is not None:
                stack.append(entries)
        else:
            yield entry


def _enclosing(root: str) -> frozenset[tuple[int, int]]:
    """The identities (device, inode) of the directories that hold ``root``, up to ``/``."""
    found = set()
    path = os.path.realpath(root)
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return frozenset(found)
