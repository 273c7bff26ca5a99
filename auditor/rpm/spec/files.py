"""A ``%files`` line as rpm 4.18's ``build/files.c`` reads it: the paths it packages.

Every directive rpm knows packages the path after it (``%doc``, ``%config(...)``, ``%dir``,
``%ghost``, ``%attr(...)``, ``%pubkey``, ``%dev(...)``...), except two: ``%exclude`` leaves its
paths out of the package, and ``%docdir`` only marks a directory as holding documentation
(`tests/differential/test_spec_files.py` builds each with rpmbuild).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FILE_DIRECTIVE = re.compile(
    r"%(?:attr|defattr|config|verify|defverify|caps|lang|dev)\s*\([^)]*\)|%(?:config|doc|license|dir|ghost|readme|artifact|missingok)\b"
)
_NOT_PACKAGED = re.compile(r"%(?:exclude|docdir)\b")


class FilesLine(NamedTuple):
    paths: list[str]
    """The plain paths the line packages (globs and macros left as written are not known)."""
    packages_any: bool
    """Whether the line packages anything at all: a path, a glob, a relative ``%doc`` file."""


def files_line(line: str) -> FilesLine:
    """What one ``%files`` line (not a comment) packages."""
    if _NOT_PACKAGED.search(line):
        return FilesLine([], packages_any=False)
    words = _FILE_DIRECTIVE.sub(" ", line).split()
    paths = [
        path.rstrip("/") or "/"
        for path in words
        if path.startswith("/") and not any(char in path for char in "*?[{%")
    ]
    return FilesLine(paths, packages_any=bool(words))


class FilesHeader(NamedTuple):
    argument: str
    """The header's argument as ``%package`` takes it (``-n NAME`` or a suffix), options dropped."""
    lists_files: bool
    """Whether the section reads a list of files the build writes (``-f FILE``)."""


def files_header(argument: str) -> FilesHeader:
    """A ``%files`` section header's argument: ``%files -f list sub`` is the package ``sub``'s."""
    words = argument.split()
    named: list[str] = []
    lists_files = False
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-n":
            named.extend(words[index : index + 2])
            index += 1
        elif word.startswith("-f"):
            lists_files = True
            index += word == "-f"  # its file name is the next word
        elif not word.startswith("-"):
            named.append(word)
        index += 1
    return FilesHeader(" ".join(named), lists_files)
