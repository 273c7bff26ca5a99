"""filelists.xml: every path each package owns, and nothing dnf would read as more.

`read_filelists` reads it when a file requirement needs it:
`auditor.sources.createrepo_layout.FilelistsLayout` when it is laid out as createrepo_c writes
it, else expat with `FilelistsHandler`, which reads elements only where libsolv does.

libsolv (dnf 4) reads filelists.xml with the reader it reads primary.xml with: a
``<rpm:requires>`` or ``<rpm:vendor>`` inside a ``<package>`` there replaces the package's own,
and a ``<package>`` without a ``pkgid`` is a package of its own. `FilelistsHandler` refuses
them; but read only when a file requirement needs it, a repository none of whose requirements
did passed with a clean package that dnf installs requiring Citrix. So `check_filelists` runs
whether or not it is read. What createrepo_c writes holds no element but ``<filelists>``,
``<package pkgid=...>``, ``<version>`` and ``<file>``: `may_hold_package_data` looks for
anything else with one regular expression over the decompressed text (a distribution's 49 MB:
about 0.2 s, in the worker that reads primary's tail). What it finds may be harmless (a
comment, a CDATA section, an attribute value holding a ``>``): the file is then read whole,
which refuses only what libsolv would read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.core.errors import InputError
from auditor.formats.xmlstream import Text, attribute_pairs
from auditor.sources import primary as primary_xml
from auditor.sources.metadata_file import open_decompressed, parse_file
from auditor.sources.yum_primary import IN_DOCUMENT, IN_FIELD, IN_PACKAGE


def check_filelists(path: str, shown: str, open_size: int | None) -> InputError | None:
    """Why filelists.xml is refused, when it is, whether or not a file requirement needs it read:
    what libsolv (dnf 4) would take from it as package data (see the module). A file in
    createrepo_c's layout is only scanned; anything else is read whole."""
    suspect: list[bool] = []
    try:
        open_decompressed(
            path, shown, open_size, lambda chunks: suspect.append(may_hold_package_data(chunks))
        )
        if suspect and suspect[0]:
            read_filelists(path, shown, open_size)
    except InputError as exc:
        return exc
    return None


def read_filelists(path: str, shown: str, open_size: int | None = None) -> dict[str, tuple[str, int]]:
    """pkgid -> (every path the package owns, NUL-joined; how many), from filelists.xml.

    Joined, the answer crosses from the worker process as one string per package. Read by
    `FilelistsLayout` when the file is laid out as createrepo_c writes it, else by expat.
    """
    from auditor.sources.createrepo_layout import FilelistsLayout, NotInLayout  # as repodata imports it

    layout = FilelistsLayout()
    try:
        open_decompressed(path, shown, open_size, layout.read)
        return layout.found
    except (NotInLayout, InputError):
        pass
    handler = FilelistsHandler(shown)
    parse_file(path, shown, handler.start, handler.end, handler.text, open_size, where=handler.where)
    return handler.found


_FILELISTS_CHILDREN: tuple[dict[str, int], ...] = (
    primary_xml.CHILDREN[IN_DOCUMENT],
    {"file": IN_FIELD, "version": IN_FIELD, "format": IN_PACKAGE},
    {},
    {},
)
"""`primary_xml.CHILDREN` for filelists.xml: a ``<file>`` nested anywhere else is no file of the package."""
_PACKAGE_DATA = primary_xml.CHILDREN[IN_PACKAGE].keys() - _FILELISTS_CHILDREN[IN_PACKAGE].keys() - {"size"}
"""What primary.xml says of a package: libsolv (dnf) reads it in filelists.xml too, in place of
primary's (a package's requirements, its vendor), where this reader takes only files. Not a
``<size>``: read there, it only makes dnf refuse the file it downloads, which is no verdict."""


_YUM_READS: tuple[frozenset[str], ...] = (
    frozenset({"package"}),
    frozenset({"package", "version", "file"}),
    frozenset(),
    frozenset(),
)
"""By the state in which libsolv skipped an element, what yum 3 reads anywhere inside it: its
reader of filelists.xml (yum-metadata-parser, where no ``filelists_db`` is listed) keeps no depth,
as its reader of primary.xml (`auditor.sources.yum_primary`). A ``<file>`` in an unknown element
of a package is a file of the package to yum 3 hosts, and of none to dnf."""


class FilelistsHandler:
    """Turns pyexpat events of filelists.xml into `read_filelists`'s answer, in `found`."""

    def __init__(self, shown: str = "filelists.xml") -> None:
        self.shown = shown
        self.found: dict[str, tuple[str, int]] = {}
        self.text = Text()
        self.files: list[str] = []
        self.current = ""
        self.name = ""
        self.states = [IN_DOCUMENT]
        """As `PrimaryHandler.states`: an element is read only where libsolv reads it."""
        self.skipped = 0

    def start(self, name: str, attrs: list[str]) -> None:
        if self.skipped:
            self.skipped += 1
            if name in _YUM_READS[self.states[-1]]:
                raise self.refused(f"a <{name}> where dnf skips it and yum 3 reads it (yum-metadata-parser)")
            return
        state = _FILELISTS_CHILDREN[self.states[-1]].get(name)
        if state is None:
            if self.states[-1] == IN_PACKAGE and name in _PACKAGE_DATA:
                raise self.refused(f"<{name}>, which libsolv (dnf) reads in place of primary.xml's")
            self.skipped = 1
            return
        self.states.append(state)
        if name == "file":
            self.text.start(name)
        elif name == "package":
            pairs = attribute_pairs(attrs)
            self.current = pairs.get("pkgid", "")
            self.name = pairs.get("name", "")
            self.files.clear()
            if "pkgid" not in pairs:
                raise self.refused("no pkgid: libsolv (dnf) reads it as a package primary.xml does not list")

    def end(self, name: str) -> None:
        if self.skipped:
            self.skipped -= 1
            return
        self.states.pop()
        if name == "file":
            self.files.append(self.text.take())
            if len(self.files) > primary_xml.MAX_LIST_ITEMS:
                limit = primary_xml.MAX_LIST_ITEMS
                raise InputError(self.shown, f"{self.where()}: more than {limit} <file> entries; refused")
        elif name == "package":
            self.found[self.current] = ("\0".join(self.files), len(self.files))
            self.name = ""

    def where(self) -> str:
        return f"package {self.name}" if self.name else "a package"

    def refused(self, what: str) -> InputError:
        return InputError(self.shown, f"{self.where()}: {what}; refused")


_ELSE = re.compile(
    rb"<(?:[^/?!fvp]|f(?!ile(?:lists)?[\s>/])|v(?!ersion[\s>/])|p(?!ackage[\s>/])|!(?!--|\[CDATA\[))"
    rb"|<package(?=[\s>/])(?![^>]*\spkgid\s*=)"
)
"""The start of any element but ``filelists``, ``file``, ``version`` and ``package`` (one with a
``pkgid``): an element of another name or prefix, a DOCTYPE (whose entities could expand to
markup). Comments, CDATA, processing instructions and end tags are not elements."""

MAX_CARRY = 64 * 1024
"""Bytes of a tag cut by a chunk's end kept for the next one; a tag longer than this is taken
as suspect (the whole reading then judges it, within expat's own limits)."""


def may_hold_package_data(chunks: Iterable[bytes]) -> bool:
    """Whether the decompressed ``chunks`` of a filelists.xml hold anything but what
    createrepo_c writes (see the module)."""
    carry = b""
    for chunk in chunks:
        text = carry + chunk if carry else chunk
        # A tag cut by the chunk's end is looked at whole, with the next chunk.
        opened = text.rfind(b"<")
        if opened >= 0 and text.find(b">", opened) < 0:
            text, carry = text[:opened], text[opened:]
            if len(carry) > MAX_CARRY:
                return True
        else:
            carry = b""
        if _ELSE.search(text):
            return True
    return bool(carry)  # a tag the document never closes: the whole reading says what is wrong
