"""Repository metadata read without an XML parser when it is laid out exactly as createrepo_c writes it.

Calling Python for each of the two million elements of a distribution's primary.xml is most
of the cost of reading it. createrepo_c (and yum's createrepo before it) writes every
``<package>`` the same way: the same elements, in the same order, with the same attributes
in the same order. Each package is matched here by a handful of regular expressions, run
in C, and only the values are handled in Python. `PrimaryLayout` reads primary.xml,
`FilelistsLayout` filelists.xml.

The layout accepted is a strict subset of XML, so whatever it accepts means the same to
expat (the fields handed on are the ones expat's events would give):

    document  = [decl] ws "<" ROOT attrs ">" (ws package)* ws "</" ROOT ">" ws
    decl      = '<?xml version="1.0" encoding="UTF-8"?>'
    package   = '<package type="rpm">' head section* file* ws "</format>" ws "</package>"
                     (primary.xml, ROOT "metadata")
              | '<package pkgid="' value '" name="' value '" arch="' value '">' ws version
                     file* ws "</package>"          (filelists.xml, ROOT "filelists")
    section   = ws "<rpm:" KIND ">" (ws entry)* ws "</rpm:" KIND ">"
    entry     = '<rpm:entry name="' value '"' [' flags="'..] [' epoch="'..] [' ver="'..]
                [' rel="'..] [' pre="'..] "/>"
    file      = ws "<file" [' type="' value '"'] ">" text "</file>"
    version   = '<version epoch="' value '" ver="' value '" rel="' value '"/>'
    text      = (any character but "<" and "&" | "&amp;" | "&lt;" | "&gt;" | "&quot;" | "&apos;")*
    value     = text without '"', tab or newline (expat would normalise those)
    ws        = (" " | tab | newline)*

``head`` is createrepo_c's fixed run of elements from ``<name>`` to ``<rpm:header-range>``
(see `_HEAD`). Every character must be one XML allows, but carriage return (expat would
normalise it), and text holds no ``]]>``; the document must be valid UTF-8.

Anything else (a comment, CDATA, a character reference, another attribute order, an
unknown element, a malformed document) raises `NotInLayout` and the caller reads the file
with expat, which gives the same result, or says exactly what is wrong. So does a package
that might pass a limit expat applies (`xmlstream.MAX_TEXT`, `xmlstream.MAX_TAG`,
`primary.MAX_LIST_ITEMS`): the limits are expat's alone to judge, so a file past one is
refused the same way whoever reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from auditor.formats import xmlstream
from auditor.rpm.model import EVR, Dependency
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources import primary
from auditor.sources.primary import PrimaryHandler
from auditor.sources.rpmmd_entry import dependency_from_fields

MAX_PACKAGE_TEXT = 16 * 1024 * 1024
"""Characters of one ``<package>`` element, past which the layout is given up: the text is
held whole until its closing tag, and expat streams it instead."""


class NotInLayout(Exception):
    """The document is not in createrepo_c's layout: read it with expat."""


def _within_limits(text: str, start: int, end: int) -> None:
    """Raise `NotInLayout` unless every text value and tag of ``text[start:end]`` is far under
    the limits expat applies to them (`xmlstream.MAX_TEXT` characters, `xmlstream.MAX_TAG`
    bytes): each lies between two ``<``, and a character is at most four bytes."""
    bound = min(xmlstream.MAX_TEXT, xmlstream.MAX_TAG) // 8
    if end - start > bound and max(map(len, text[start:end].split("<"))) > bound:
        raise NotInLayout


_TEXT_CHARACTER = r"[^<&\]\x00-\x08\x0b-\x1f\ufffe\uffff]"
"""A character XML allows in text, but ``&``, ``<`` and ``]`` (matched apart) and carriage
return (which expat would normalise). Every character of an accepted document is matched by
one of the expressions here, so none that XML forbids gets through; surrogates, which XML
forbids too, cannot be in text that strict UTF-8 decoding gave (`_Layout._decoded`), and
are left out of the class, which then compiles in half the time. Written as the complement:
a class of allowed ranges up to U+10FFFF took 2.8 ms to compile, and it appears forty times."""
_VALUE_CHARACTER = r'[^"&<\x00-\x1f\ufffe\uffff]'
"""The same in an attribute value, but ``"``, and tab and newline (expat turns them into spaces)."""
_ENTITY = "&(?:amp|lt|gt|quot|apos);"
_TEXT = rf"(?:{_TEXT_CHARACTER}++|{_ENTITY}|\](?!\]>))*+"
"""Character data: ``]]>`` is not allowed in it."""
_VALUE = rf"(?:{_VALUE_CHARACTER}++|{_ENTITY})*+"
_WS = r"[ \t\n]*+"


def _element(tag: str, group: str) -> str:
    """``<tag>text</tag>`` or ``<tag/>``; the group is None for the second (an empty text)."""
    return rf"{_WS}<{tag}(?:>(?P<{group}>{_TEXT})</{tag}>|/>)"


_HEAD = re.compile(
    _element("name", "name")
    + _element("arch", "arch")
    + rf'{_WS}<version epoch="(?P<epoch>{_VALUE})" ver="(?P<ver>{_VALUE})" rel="(?P<rel>{_VALUE})"/>'
    + rf'{_WS}<checksum type="(?P<checksum_type>{_VALUE})" pkgid="YES">(?P<checksum>{_TEXT})</checksum>'
    + _element("summary", "summary")
    + _element("description", "description")
    + _element("packager", "packager")
    + _element("url", "url")
    + rf'{_WS}<time file="{_VALUE}" build="(?P<buildtime>{_VALUE})"/>'
    + rf'{_WS}<size package="(?P<size>{_VALUE})" installed="{_VALUE}" archive="{_VALUE}"/>'
    + rf'{_WS}<location(?: xml:base="(?P<base>{_VALUE})")? href="(?P<href>{_VALUE})"/>'
    + rf"{_WS}<format>"
    + _element("rpm:license", "license")
    + _element("rpm:vendor", "vendor")
    + _element("rpm:group", "group")
    + _element("rpm:buildhost", "buildhost")
    + _element("rpm:sourcerpm", "sourcerpm")
    + rf'(?:{_WS}<rpm:header-range start="(?P<start>{_VALUE})" end="(?P<end>{_VALUE})"/>)?'
)
_TEXT_FIELDS = (
    ("name", "name"), ("arch", "arch"), ("checksum", "checksum"), ("summary", "summary"),
    ("description", "description"), ("packager", "packager"), ("url", "url"),
    ("rpm:license", "license"), ("rpm:vendor", "vendor"), ("rpm:buildhost", "buildhost"),
    ("rpm:sourcerpm", "sourcerpm"),
)  # fmt: skip
"""(the element's name in `PrimaryHandler`'s record, the group here), for every text element read."""

_SECTION = re.compile(rf"{_WS}<rpm:({'|'.join(kind.value for kind in DEPENDENCY_KINDS)})>")
_CLOSING = {kind.value: f"</rpm:{kind.value}>" for kind in DEPENDENCY_KINDS}
_ENTRY_ATTRIBUTES = (
    rf'name="(?P<name>{_VALUE})"(?: flags="(?P<flags>{_VALUE})")?'
    rf'(?: epoch="(?P<epoch>{_VALUE})")?(?: ver="(?P<ver>{_VALUE})")?'
    rf'(?: rel="(?P<rel>{_VALUE})")?(?: pre="(?P<pre>{_VALUE})")?'
)
_ENTRY_PIECE = re.compile(rf"{_WS}<rpm:entry {_ENTRY_ATTRIBUTES}")
"""One entry of a section's body, from the whitespace before it to its attributes' last quote."""
_ENTRY = re.compile(rf"<rpm:entry {_ENTRY_ATTRIBUTES}/>")
_ENTRIES = re.compile(rf"(?:{_WS}<rpm:entry {re.sub(r'[(][?]P<[a-z]+>', '(?:', _ENTRY_ATTRIBUTES)}/>)*+{_WS}")
"""A section's body, checked whole: for the rare body the split at '"/>' cannot cut (`_section`)."""
_WHITESPACE = re.compile(_WS)
_FILE_ELEMENTS = rf'(?:{_WS}<file(?: type="{_VALUE}")?>{_TEXT}</file>)*+'
"""A package's ``<file>`` elements, in primary.xml and filelists.xml alike."""
_FILES = re.compile(rf"{_FILE_ELEMENTS}{_WS}</format>{_WS}</package>")
_FILE = re.compile(rf'<file(?: type="{_VALUE}")?>({_TEXT})</file>')
_PACKAGE_START = re.compile(rf'{_WS}<package type="rpm">')
_FILELISTS_PACKAGE = re.compile(
    rf'{_WS}<package pkgid="({_VALUE})" name="{_VALUE}" arch="{_VALUE}">'
    rf'{_WS}<version epoch="{_VALUE}" ver="{_VALUE}" rel="{_VALUE}"/>'
    rf"({_FILE_ELEMENTS}){_WS}</package>"
)


def _prolog(root: str) -> re.Pattern[str]:
    return re.compile(
        rf'(?:<\?xml version="1\.0" encoding="UTF-8"\?>)?{_WS}'
        rf'<{root}((?: [A-Za-z_:][A-Za-z0-9_.:-]*="{_VALUE}")*)>'
    )


_ATTRIBUTE_NAME = re.compile(r' ([^=]+)="')
_PRIMARY_PROLOG, _PRIMARY_END = _prolog("metadata"), re.compile(rf"{_WS}</metadata>{_WS}")
_FILELISTS_PROLOG, _FILELISTS_END = _prolog("filelists"), re.compile(rf"{_WS}</filelists>{_WS}")


def _unescape(value: str) -> str:
    if "&" not in value:
        return value
    return (
        value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
        .replace("&amp;", "&")
    )  # fmt: skip


class _Layout:
    """A document read a ``<package>`` at a time from decompressed chunks, each handed to
    `_package` (which returns where the package ends) as soon as its closing tag arrives."""

    _prolog: re.Pattern[str]
    _end: re.Pattern[str]
    _package_start: re.Pattern[str]

    def __init__(self) -> None:
        self.started = False

    def read(self, chunks: Iterator[bytes]) -> None:
        """Read the whole document, or raise `NotInLayout` (what was read is then to be dropped)."""
        carry = b""
        for chunk in chunks:
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"</package>")
            if cut < 0:
                if len(data) > MAX_PACKAGE_TEXT:
                    raise NotInLayout
                carry = data
                continue
            cut += len("</package>")
            self._read_text(self._decoded(data[:cut]), last=False)
            carry = data[cut:]
        self._read_text(self._decoded(carry), last=True)

    @staticmethod
    def _decoded(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise NotInLayout from None

    def _read_text(self, text: str, *, last: bool) -> None:
        position = 0
        if not self.started:
            prolog = self._prolog.match(text)
            if prolog is None:
                raise NotInLayout
            names = _ATTRIBUTE_NAME.findall(prolog.group(1))
            if len(set(names)) != len(names):
                raise NotInLayout  # expat refuses a repeated attribute
            self.started = True
            position = prolog.end()
        match_start = self._package_start.match
        while (start := match_start(text, position)) is not None:
            position = self._package(text, start)
        if last:
            end = self._end.match(text, position)
            if end is None or end.end() != len(text):
                raise NotInLayout
        elif position != len(text):
            raise NotInLayout

    def _package(self, text: str, start: re.Match[str]) -> int:
        raise NotImplementedError


class FilelistsLayout(_Layout):
    """filelists.xml: pkgid -> (every path of the package, NUL-joined; how many), as
    `auditor.sources.filelists_xml.read_filelists` reads them with expat."""

    _prolog, _end, _package_start = _FILELISTS_PROLOG, _FILELISTS_END, _FILELISTS_PACKAGE

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, tuple[str, int]] = {}

    def _package(self, text: str, start: re.Match[str]) -> int:
        _within_limits(text, *start.span())
        files = _FILE.findall(text, *start.span(2))
        if len(files) > primary.MAX_LIST_ITEMS:
            raise NotInLayout
        if text.find("&", *start.span(2)) >= 0:
            files = [_unescape(path) for path in files]
        self.found[_unescape(start.group(1))] = ("\0".join(files), len(files))
        return start.end()


class PrimaryLayout(_Layout):
    """primary.xml: each package's values handed to `PrimaryHandler.add_package`, as the
    handler hands those expat's events gave."""

    _prolog, _end, _package_start = _PRIMARY_PROLOG, _PRIMARY_END, _PACKAGE_START

    def __init__(self, handler: PrimaryHandler) -> None:
        super().__init__()
        self.handler = handler
        self.dependencies: dict[str, Dependency] = {}
        """Keyed by an entry's attributes as written: equal entries share one `Dependency`."""
        self.versions: dict[tuple[str | None, str | None, str | None], EVR] = {}
        """`dependency_from_fields`'s ``evrs``: equal versions share one `EVR`."""
        self.error: str | None = None
        """The last bad dependency entry's error, of the package being read."""

    def _package(self, text: str, start: re.Match[str]) -> int:
        position = start.end()
        head = _HEAD.match(text, position)
        if head is None:
            raise NotInLayout
        # An absent group is an empty text: an empty element (``<summary/>``) gives one to expat
        # too, and no absent attribute means anything else than an empty one to `add_package`.
        values: Sequence[str] = head.groups("")
        position = head.end()
        if text.find("&", start.end(), position) >= 0:
            # No value holds a NUL (`_TEXT_CHARACTER`): unescaped at once, one at a time took
            # a tenth of the reading, as every package of a distribution names its packager
            # "Name &lt;address&gt;".
            values = _unescape("\0".join(values)).split("\0")
        self.error = None
        sections: dict[str, tuple[Dependency, ...]] = {}
        while (section := _SECTION.match(text, position)) is not None:
            position = self._section(text, section, sections)
        end = _FILES.match(text, position)
        if end is None:
            raise NotInLayout
        _within_limits(text, start.start(), end.end())
        files = _FILE.findall(text, position, end.end())
        if len(files) > primary.MAX_LIST_ITEMS:
            raise NotInLayout
        if text.find("&", position, end.end()) >= 0:
            files = [_unescape(path) for path in files]
        (name, arch, epoch, ver, rel, checksum_type, checksum, summary, description, packager, url,
         buildtime, size, base, href, license_, vendor, _group, buildhost, sourcerpm, range_start,
         range_end) = values  # fmt: skip
        self.handler.add_package(
            name, epoch, ver, rel, arch, checksum_type, checksum, summary, description, packager, url,
            buildtime, base, href, license_, vendor, buildhost, sourcerpm, range_start, range_end, size,
            sections, files, self.error,
        )  # fmt: skip
        return end.end()

    def _section(self, text: str, section: re.Match[str], sections: dict[str, tuple[Dependency, ...]]) -> int:
        kind = section.group(1)
        start = section.end()
        closing = _CLOSING[kind]
        end = text.find(closing, start)
        if end < 0:
            raise NotInLayout
        # No attribute value holds a '"' or a "<": split at '"/>', a body of entries is each
        # entry's whitespace, tag and attributes but the last quote (its key), then whitespace.
        # A key seen before was checked then (`_ENTRY_PIECE`), so only new ones are matched:
        # checking every body whole took a fifth of a distribution's dependency reading.
        pieces = text[start:end].split('"/>')
        try:
            if len(pieces) > primary.MAX_LIST_ITEMS + 1 or _WHITESPACE.fullmatch(pieces.pop()) is None:
                raise NotInLayout
            known = self.dependencies.get
            deps: tuple[Dependency | None, ...] = tuple(map(known, pieces))
            if not all(deps):  # an entry not seen yet (a `Dependency` is always true)
                # Looked up again: the entry may be the section's second equal one.
                new = self._new_dependency
                looked_up = zip(deps, pieces, strict=True)
                deps = tuple([dep or known(piece) or new(piece) for dep, piece in looked_up])
                if not all(deps):  # a bad entry (its error is in `error`): left out
                    deps = tuple([dep for dep in deps if dep is not None])
        except NotInLayout:
            # XML lets a value begin with "/>" (a '"/>' the split cut at): such a body, still
            # in the layout, is checked whole and read entry by entry, as it was before the split.
            deps = self._whole_section(text, start, end)
        sections[kind] = deps  # type: ignore[assignment]  # no None is left
        return end + len(closing)

    def _whole_section(self, text: str, start: int, end: int) -> tuple[Dependency, ...]:
        """The dependencies of the body ``text[start:end]``, checked whole by `_ENTRIES`; `NotInLayout`
        when it is not one."""
        if text.count("<rpm:entry ", start, end) > primary.MAX_LIST_ITEMS or not _ENTRIES.fullmatch(
            text, start, end
        ):
            raise NotInLayout
        deps: list[Dependency] = []
        for fields in _ENTRY.finditer(text, start, end):  # no value holds a "<": each is an entry
            dependency = self._dependency(fields.groups(), "&" in fields.group())
            if dependency is not None:
                deps.append(dependency)
        return tuple(deps)

    def _new_dependency(self, key: str) -> Dependency | None:
        """The dependency an entry's key (`_section`) gives; None, and the error in `error`,
        when bad. `NotInLayout` when the key is not an entry as createrepo_c writes it."""
        fields = _ENTRY_PIECE.fullmatch(key + '"')
        if fields is None:
            raise NotInLayout
        values: tuple[str | Any, ...] = fields.groups()
        if "&" in key:
            values = tuple(None if value is None else _unescape(value) for value in values)
        try:
            dependency = self.dependencies[key] = dependency_from_fields(
                *values, evrs=self.versions, strings=self.handler.repeated
            )
        except ValueError as exc:
            self.error = str(exc)
            return None
        return dependency

    def _dependency(self, values: tuple[str | Any, ...], escaped: bool) -> Dependency | None:
        """The dependency of an entry's attribute values as written (``escaped``: one holds an
        entity); None, and the error in `error`, when bad."""
        if escaped:
            values = tuple(None if value is None else _unescape(value) for value in values)
        try:
            return dependency_from_fields(*values, evrs=self.versions, strings=self.handler.repeated)
        except ValueError as exc:
            self.error = str(exc)
            return None
