"""What a directory's walk makes of a file not named ``*.rpm``.

rpm reads a package by its content, whatever its name: ``wget`` saves a second download of
``x.rpm`` as ``x.rpm.1``, a browser a partial one as ``x.rpm.part``, an editor a backup as
``x.rpm~``, and ``rpm -qp`` or ``rpm -i`` reads each (and one named ``x.spec`` or ``x.repo``).
A walk that went by the name alone passed a Citrix package so named over, and the run passed
clean (or, named as a spec, hid it behind the spec reader's error). So each regular file the walk
meets under another name is opened (without blocking) and its first bytes looked at: one that
starts as an RPM does is read as one. What cannot be looked at is said, never passed over: a
symbolic link to nothing (a mirror's ``latest -> 8.3`` before 8.3 is synced may name a
directory of packages), a loop, a file that cannot be opened.
"""

from __future__ import annotations

import enum
import errno
import os
from dataclasses import dataclass

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.formats.rpmheader import LEAD_MAGIC


class Kind(enum.Enum):
    RPM = "an RPM file, by its content"
    OTHER = "no RPM file"
    UNSEEN = "could not be looked at"


@dataclass(frozen=True)
class Look:
    """What a file met in a walk is: ``error`` says why it could not be looked at (`Kind.UNSEEN`)."""

    kind: Kind
    error: InputError | None = None


def look_at(entry: os.DirEntry[str]) -> Look:
    """Whether ``entry`` (a walk's entry that is not a directory, not named ``*.rpm``) is an RPM
    file by its first bytes, as rpm reads one."""
    try:
        if not entry.is_file():  # follows a link: one to nothing is neither a file nor a directory
            return _not_a_file(entry)
    except OSError as exc:
        return _unseen(entry.path, os_reason(exc))
    try:
        with open_regular(entry.path, entry.path, "an RPM file") as stream:
            head = stream.read(len(LEAD_MAGIC))
    except InputError as exc:
        return _unseen(entry.path, f"{exc.reason}; whether it is an RPM file could not be told")
    except OSError as exc:
        return _unseen(entry.path, f"{os_reason(exc)}; whether it is an RPM file could not be told")
    return Look(Kind.RPM if head == LEAD_MAGIC else Kind.OTHER)


def dangling_link(entry: os.DirEntry[str]) -> InputError | None:
    """Why a walk's ``*.rpm``, which is read without a look, cannot be read when it is a symbolic
    link leading nowhere: said as for a file of another name, not as a file missing; None for any
    other (its reader says what is wrong with it)."""
    try:
        if not entry.is_symlink() or entry.is_file():
            return None
    except OSError:
        return None
    return _not_a_file(entry).error


def _not_a_file(entry: os.DirEntry[str]) -> Look:
    """A named pipe, socket or device is no package file; a symbolic link that leads nowhere
    (or round in a loop) may have named one, or a directory of them."""
    if not entry.is_symlink():
        return Look(Kind.OTHER)
    try:
        os.stat(entry.path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            try:
                target = os.readlink(entry.path)
            except OSError:
                target = "what it names"
            return _unseen(entry.path, f"a symbolic link to nothing ({target} is not there)")
        return _unseen(entry.path, os_reason(exc))
    return Look(Kind.OTHER)


def _unseen(path: str, reason: str) -> Look:
    return Look(Kind.UNSEEN, InputError(path, reason))
