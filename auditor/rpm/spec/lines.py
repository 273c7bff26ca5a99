"""The line shapes of a spec that both of its readers know: tags, section headers, Source/Patch.

`auditor.rpm.spec.parser` reads a contributor's spec, expanding and deciding as rpm would;
`sources_of_parsed_spec` reads the spec rpmbuild stored in an SRPM (its SPEC tag), where
that is already done.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.rpm.model import SourceFile, SourceKind

TAG = re.compile(r"^([A-Za-z][A-Za-z0-9]*+)\s*+(?:\(([^)]*+)\))?+\s*+:\s*+(.*)$")
"""``Name(qualifier): value``. Possessive (``*+``): what one part takes, the next cannot
start with, so giving it back never helps; backtracking two runs of blanks against each other
took a hostile spec's line of 20,000 blanks a second."""
_SECTION_NAMES = (
    "package|description|prep|build|install|check|clean|files|changelog|pre|post|preun|"
    "postun|pretrans|posttrans|preuntrans|postuntrans|verifyscript|triggerin|triggerun|"
    "triggerpostun|triggerprein|trigger|filetriggerin|filetriggerun|filetriggerpostun|filetrigger|"
    "transfiletriggerin|transfiletriggerun|transfiletriggerpostun|transfiletrigger|sourcelist|patchlist|"
    "generate_buildrequires|conf"
)
SECTION = re.compile(rf"^%({_SECTION_NAMES})(?![A-Za-z0-9_])(.*)$", re.IGNORECASE)
"""A section's first line, stripped: ``%files -n name``. rpm's ``isPart`` compares the names
without case (``%Package sub`` opens a subpackage): group 1 is to be lowered."""
NUMBERED = re.compile(r"^(source|patch)([0-9]*)$", re.IGNORECASE)
SOURCE_AFTER_BLANK = re.compile(r"^((?:source|patch)[0-9]*+)[ \t][^:]*+:(.*)$", re.IGNORECASE)
"""The other shape rpm takes for a Source or Patch tag, where `TAG` fails: rpm's ``addSource``
reads the number up to the first blank or ``:`` and the value after the line's first ``:``,
ignoring what lies between: ``Source 1: URL`` is an unnumbered Source (Source0), ``Patch\tx: URL``
an unnumbered Patch. Group 1 is the tag with its number, group 2 the value."""

# The same two shapes found in a whole text: each begins at the newline before its line, so
# that the regular expression engine looks for a newline (at memchr speed) rather than trying
# every character. ``[^\S\n]`` is the whitespace `str.strip` takes off a line (the text is split
# at "\n" alone, so "\r" and the other separators stay in a line); nothing runs past its line.
_SECTION_LINE = re.compile(rf"\n[^\S\n]*%({_SECTION_NAMES})(?![A-Za-z0-9_])", re.IGNORECASE)
_SOURCE_TAG_LINE = re.compile(
    r"\n[^\S\n]*+([SsPp][A-Za-z0-9]*+)(?:[^\S\n]*+(?:\([^)\n]*+\))?+[^\S\n]*+|[ \t][^:\n]*+):([^\n]*)"
)
"""`TAG`, or else `SOURCE_AFTER_BLANK`, for a line of the preamble."""
_LISTS = {"sourcelist": SourceKind.SOURCE, "patchlist": SourceKind.PATCH}
_PREAMBLES = frozenset({"preamble", "package"})
"""Where Source and Patch tags count: a subpackage's preamble adds them to the source package."""


PREAMBLE_TAGS = frozenset(
    {
        "name", "version", "release", "epoch", "summary", "license", "distribution", "disturl",
        "vendor", "group", "packager", "url", "vcs", "nosource", "nopatch", "excludearch",
        "exclusivearch", "excludeos", "exclusiveos", "icon", "provides", "requires", "recommends",
        "suggests", "supplements", "enhances", "prereq", "conflicts", "obsoletes", "prefixes",
        "prefix", "buildroot", "buildarchitectures", "buildarch", "buildconflicts", "buildprereq",
        "buildrequires", "autoreqprov", "autoreq", "autoprov", "docdir", "disttag", "bugurl",
        "translationurl", "upstreamreleases", "orderwithrequires", "removepathpostfixes",
        "modularitylabel", "sourcelicense", "buildsystem", "buildoption",
    }
)  # fmt: skip
"""The tags of rpm's preamble list (build/parsePreamble.c, 4.18; SourceLicense 4.19, BuildSystem and
BuildOption 4.20), Source and Patch aside: rpm refuses any other ("Unknown tag")."""


def refused_tag(name: str) -> bool:
    """A tag no rpm release since 4.18 reads: one off its list, or one it takes for a Source or
    Patch by its first letters (its list matches a prefix) whose number it refuses
    (``Source0x1:``, ``Patchx:``)."""
    lowered = name.lower()
    if lowered.startswith(("source", "patch")) and lowered != "sourcelicense":
        return NUMBERED.match(name) is None
    return lowered not in PREAMBLE_TAGS


def tag_number(digits: str) -> int | None:
    """A tag's number (Epoch, SourceN) when it is one rpm could hold, else None."""
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None


def sources_of_parsed_spec(text: str) -> tuple[SourceFile, ...]:
    """The Source and Patch lines of a spec rpmbuild has already parsed (an SRPM's SPEC tag).

    Its macros are expanded and its conditionals decided, so the lines of the preambles (the
    main one and each ``%package``'s) and of ``%sourcelist``/``%patchlist`` say it all: much
    cheaper than `parse_spec`. Only the sections' first lines are looked for in the whole
    text; the sections that cannot hold a
    source (the build scripts, ``%files``, a changelog of thousands of lines) are never split
    into lines.
    """
    text = "\n" + text  # every line follows a newline, the first one too
    found: list[SourceFile] = []
    section, start, line = "preamble", 0, 1
    for header in _SECTION_LINE.finditer(text):
        _sources_in(text, start, header.start(), line, section, found)
        line += text.count("\n", start, header.start())
        section = header.group(1).lower()
        start = text.find("\n", header.end())
        if start < 0:
            return tuple(found)
        line += 1
    _sources_in(text, start, len(text), line, section, found)
    return tuple(found)


def _sources_in(text: str, start: int, stop: int, line: int, section: str, found: list[SourceFile]) -> None:
    """The sources of the lines of ``section`` between the newline at ``start`` and ``stop``
    (the newline of the next section's first line, or the end); the first is line ``line``."""
    if section in _PREAMBLES:
        counted = start
        for match in _SOURCE_TAG_LINE.finditer(text, start, stop):
            numbered = NUMBERED.match(match.group(1))
            if numbered is None:
                continue
            line += text.count("\n", counted, match.start())
            counted = match.start()
            kind = SourceKind.SOURCE if numbered.group(1).lower() == "source" else SourceKind.PATCH
            digits = numbered.group(2)
            value = match.group(2).strip()
            found.append(
                SourceFile(kind, int(digits) if digits and len(digits) < 10 else None, value, value, line)
            )
    elif section in _LISTS:
        kind = _LISTS[section]
        for number, entry in enumerate(text[start + 1 : stop].split("\n"), start=line):
            stripped = entry.strip()
            if stripped and not stripped.startswith("#"):
                found.append(SourceFile(kind, None, stripped, stripped, number))


_DEFINITION = re.compile(r"%(?:define|global|undefine)\s", re.IGNORECASE)
_HIDDEN_SECTION = re.compile(r"%\{?[?!]*[^%]*%(?:package|sourcelist|patchlist)\b", re.IGNORECASE)


def shaped_by_macros(line: str, section: str) -> bool:
    """Whether the macros of ``line`` (stripped), read in ``section``, decide what kind of line
    rpm reads, not only a value: ``%{?_gnu:Source1: URL}`` or ``Vend%{?x:or}: Citrix`` in a
    preamble, ``%{?_gnu:%package sub}`` anywhere. When they do not expand exactly, the line
    rpm reads is unknown. A tag written as such (``Release: 1%{?dist}``), a definition and a
    section header keep their kind whatever their macros give."""
    if _DEFINITION.match(line) or SECTION.match(line):
        return False
    if section not in ("preamble", "package"):  # a %sourcelist line is a Source whatever it holds
        return _HIDDEN_SECTION.search(line) is not None
    tag = TAG.match(line) or SOURCE_AFTER_BLANK.match(line)
    return tag is None


def preamble_tags(text: str, tags: frozenset[str], *, main: bool) -> Iterator[tuple[str | None, str, str]]:
    """The ``tags`` (lower-case names) the preambles of a spec rpmbuild has already parsed (an
    SRPM's SPEC tag) set, as (the ``%package`` header's argument, or None for the main
    preamble when ``main``; the tag; its value), each ``%package`` header once even when it sets
    none (an empty tag and value). Only the preambles are split into lines."""
    text = "\n" + text
    headers = list(_SECTION_LINE.finditer(text))
    first = headers[0].start() if headers else len(text)
    sections: list[tuple[str | None, int, int]] = [(None, 0, first)] if main else []
    for place, header in enumerate(headers):
        if header.group(1).lower() != "package":
            continue
        start = text.find("\n", header.end())
        stop = headers[place + 1].start() if place + 1 < len(headers) else len(text)
        argument = text[header.end() : start if start >= 0 else len(text)].strip()
        yield argument, "", ""
        if 0 <= start < stop:
            sections.append((argument, start, stop))
    for owner, start, stop in sections:
        for line in text[start + 1 : stop].split("\n"):
            tag = TAG.match(line.strip())
            if tag is not None and tag.group(1).lower() in tags and tag.group(3).strip():
                yield owner, tag.group(1).lower(), tag.group(3).strip()
