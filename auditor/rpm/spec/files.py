"""A ``%files`` line as rpm 4.18's ``build/files.c`` reads it: the paths it packages.

Every directive rpm knows packages the path after it (``%doc``, ``%config(...)``, ``%dir``,
``%ghost``, ``%attr(...)``, ``%pubkey``, ``%dev(...)``...), except two: ``%exclude`` leaves its
paths out of the package, and ``%docdir`` only marks a directory as holding documentation
(`tests/differential/test_spec_files.py` builds each with rpmbuild).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase
from typing import Generic, NamedTuple, TypeVar

_FILE_DIRECTIVE = re.compile(
    r"%(?:attr|defattr|config|verify|defverify|caps|lang|dev)\s*\([^)]*\)|%(?:config|doc|license|dir|ghost|readme|artifact|missingok)\b"
)
_NOT_PACKAGED = re.compile(r"%(?:exclude|docdir)\b")
T = TypeVar("T")


ANY_FILE = "*"
"""The pattern of an entry whose files cannot be told from the spec (a ``-f`` list, a macro left
as written, a relative ``%doc`` file): any path."""


class FilesLine(NamedTuple):
    paths: list[str]
    """The plain paths the line packages (globs and macros left as written are not known)."""
    packages_any: bool
    """Whether the line packages anything at all: a path, a glob, a relative ``%doc`` file."""
    patterns: tuple[str, ...] = ()
    """What it packages that is not a plain path: an absolute glob (rpm expands it in the
    buildroot, ``{a,b}`` included), the directory a relative ``%doc`` or ``%license`` file goes
    to, else `ANY_FILE`; and what it keeps out (`files_line`)."""


_DOC_DIRECTORIES = (("%license", "/usr/share/licenses/*"), ("%doc", "/usr/share/doc/*"))
"""Where rpm puts the relative files a ``%license`` or ``%doc`` line names (``%{_licensedir}``,
``%{_docdir}``, under the package's own directory)."""


def files_line(line: str) -> FilesLine:
    """What one ``%files`` line (not a comment) packages. Its `FilesLine.patterns` also say what
    it keeps out: ``!PATH`` for an ``%exclude`` (rpm leaves the path, or what the glob matches,
    out of the package), ``=PATH`` for a ``%dir`` (the directory alone, not what it holds)."""
    if _NOT_PACKAGED.search(line):
        excluded = (f"!{_cleaned(word)}" for word in line.split() if word.startswith("/") and "%" not in word)
        return FilesLine([], False, tuple(excluded) if "%exclude" in line else ())
    words = [_cleaned(word) for word in _FILE_DIRECTIVE.sub(" ", line).split()]
    paths: list[str] = []
    patterns: list[str] = []
    relative = next((where for directive, where in _DOC_DIRECTORIES if directive in line), ANY_FILE)
    for word in words:
        if "%" in word:
            patterns.append(ANY_FILE)
        elif not word.startswith("/"):
            patterns.append(relative)
        elif any(char in word for char in "*?[{"):
            patterns.append(word)
        else:
            paths.append(word)
            if "%dir" in line:
                patterns.append(f"={paths[-1]}")
    return FilesLine(paths, bool(words), tuple(dict.fromkeys(patterns)))


def _cleaned(word: str) -> str:
    """An absolute ``%files`` path as rpm packages it (``rpmCleanPath``): ``//``, ``/./`` and a
    trailing ``/`` or ``/.`` gone, ``dir/..`` resolved. Read as written, ``/etc//yum.repos.d/x.repo``
    or ``/etc/yum.repos.d/.`` was no reposdir's, and a spec whose build writes a Citrix ``.repo``
    there read clean (`tests/sources/test_spec_installs.py`). Any other word as written."""
    if not word.startswith("/") or "%" in word:
        return word
    return posixpath.normpath(re.sub(r"/+", "/", word))


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
        elif word.startswith("-n"):  # rpm's option parser reads -nNAME as -n NAME
            named.extend(("-n", word[2:]))
        elif word.startswith("-f"):
            lists_files = True
            index += word == "-f"  # its file name is the next word
        elif not word.startswith("-"):
            named.append(word)
        index += 1
    return FilesHeader(" ".join(named), lists_files)


_MOST_EXPANDED = 64
"""Most patterns one ``{a,b}`` entry expands to; one that makes more is taken as `ANY_FILE`."""


def may_package(path: str, paths: Sequence[str], patterns: Sequence[str]) -> bool:
    """Whether a ``%files`` section of ``paths`` and ``patterns`` (`FilesLine`) may package
    ``path``, as a build would: a listed path and everything under it (rpm packages a directory
    whole), or what a glob or any path under what it matches (``/usr/bin/*``, ``%{_libdir}/foo``
    left as written: anything). rpm expands a glob in the buildroot, which only a build has."""
    ancestors = [path]
    while "/" in ancestors[-1].strip("/"):
        ancestors.append(ancestors[-1].rsplit("/", 1)[0])
    globs, excluded, alone = [], [], set()
    for pattern in patterns:
        if pattern.startswith("!"):
            excluded.append(pattern[1:])
        elif pattern.startswith("="):
            alone.add(pattern[1:])
        else:
            globs.append(pattern)
    if _matches(ancestors, excluded):
        return False  # %exclude: never this package's
    if ANY_FILE in globs:
        return True
    if any(path == item or (item not in alone and path.startswith(item.rstrip("/") + "/")) for item in paths):
        return True
    return _matches(ancestors, globs)


class PrefixIndex(Generic[T]):
    """Values filed under what a path must start with for them to count: a directory (the path
    is it or under it) or a head (the path starts with it). `met` gives a path's, looking up one
    key per length filed, not every value."""

    def __init__(self) -> None:
        self._directories: dict[str, list[T]] = {}
        self._heads: dict[str, list[T]] = {}
        self._directory_lengths: set[int] = set()
        self._head_lengths: set[int] = set()

    def under(self, directory: str, value: T) -> None:
        self._directories.setdefault(directory, []).append(value)
        self._directory_lengths.add(len(directory))

    def starting(self, head: str, value: T) -> None:
        self._heads.setdefault(head, []).append(value)
        self._head_lengths.add(len(head))

    def met(self, path: str) -> Iterator[T]:
        """The values whose directory ``path`` is or is under, or whose head it starts with."""
        for length in self._directory_lengths:
            if length <= len(path) and (length == len(path) or path[length] == "/"):
                yield from self._directories.get(path[:length], ())
        for length in self._head_lengths:
            if length <= len(path):
                yield from self._heads.get(path[:length], ())


def file_anchors(index: PrefixIndex[T], paths: Sequence[str], patterns: Sequence[str], value: T) -> bool:
    """File ``value``, a section of ``paths`` and ``patterns``, in ``index`` under what a path must
    start with for `may_package` to say the section packages it: to be or to be under one of its
    paths, or to start with the text before a glob's first wildcard (each ``{a,b}`` expanded).
    False, filing nothing, past `_MOST_EXPANDED`: then any path may be. An index of many sections
    asks `may_package` of those a path meets only: for the others it is false."""
    heads: set[str] = set()
    for pattern in patterns:
        if pattern.startswith(("!", "=")):
            continue  # an %exclude or a %dir alone: never why a path is packaged
        expanded = _braces(pattern)
        if expanded is None:
            return False
        heads.update(map(_head, expanded))
    for directory in {item.rstrip("/") for item in paths}:
        index.under(directory, value)
    for head in heads:
        index.starting(head, value)
    return True


class Section:
    """A ``%files`` section's paths and patterns indexed by what a path must start with for each
    to count (`file_anchors`): `may_package` of a path, given only the entries the path meets, is
    its answer for the whole section. One section of 4,000 globs asked for each of 4,000 files
    walked every glob for each (35 s, scale63)."""

    def __init__(self, paths: Sequence[str], patterns: Sequence[str]) -> None:
        self.entries: PrefixIndex[tuple[bool, str]] = PrefixIndex()
        """(True, a listed path) under that path; (False, a pattern) under its ``%dir`` entry's
        path or its globs' heads: a ``%dir``, a glob or an ``%exclude`` entry."""
        self.always: list[str] = []
        """The patterns any path may meet (past `_MOST_EXPANDED`)."""
        for item in paths:
            self.entries.under(item.rstrip("/"), (True, item))
        for pattern in patterns:
            if pattern.startswith("="):
                self.entries.under(pattern[1:].rstrip("/"), (False, pattern))
                continue
            expanded = _braces(pattern[1:] if pattern.startswith("!") else pattern)
            if expanded is None:
                self.always.append(pattern)
                continue
            for head in set(map(_head, expanded)):
                self.entries.starting(head, (False, pattern))

    def may_package(self, path: str) -> bool:
        """`may_package` of ``path`` for the whole section."""
        paths: list[str] = []
        patterns = list(self.always)
        for is_path, item in self.entries.met(path):
            (paths if is_path else patterns).append(item)
        return may_package(path, paths, patterns)


def _head(glob: str) -> str:
    """What every path a glob (its braces expanded) matches starts with."""
    return glob[: min((at for at in map(glob.find, "*?[") if at >= 0), default=len(glob))]


def _matches(ancestors: list[str], patterns: Sequence[str]) -> bool:
    """Whether a pattern matches the path or a directory above it (rpm packages it whole).
    A glob matches only what starts with its head (`_head`): fnmatch is asked, and compiles
    the glob, only then. Asking it of every glob of a rebuild's ``%files`` for each directory
    probed (`auditor.sources.specinstalls`) compiled hundreds of globs that could not match."""
    for pattern in patterns:
        expanded = _braces(pattern)
        if expanded is None:
            return True
        for glob in expanded:
            head = _head(glob)
            if any(item.startswith(head) and fnmatchcase(item, glob) for item in ancestors):
                return True
    return False


def _braces(pattern: str) -> list[str] | None:
    """``pattern`` with each ``{a,b}`` expanded (rpm's glob has GLOB_BRACE); None past `_MOST_EXPANDED`."""
    done: list[str] = []
    pending = [pattern]
    while pending:
        item = pending.pop()
        opening = item.find("{")
        closing = item.find("}", opening + 1)
        if opening < 0 or closing < 0:
            done.append(item)
        else:
            head, tail = item[:opening], item[closing + 1 :]
            pending.extend(head + choice + tail for choice in item[opening + 1 : closing].split(","))
        if len(done) + len(pending) > _MOST_EXPANDED:
            return None
    return done
