"""A repository configuration's sections as dnf 4 reads them: libdnf's ``IniParser::next`` and
``ConfigParser::read`` (libdnf/conf/IniParser.cpp, ConfigParser.cpp; dnf 4.14, libdnf 0.69),
and ``OptionBool`` for ``enabled``.

Python's configparser (`auditor.sources.repofile`, yum's reading) differs from it where a
clean verdict can hide a repository dnf uses (each checked with dnf itself):

- a comment is a line whose first character is ``#`` or ``;``; an indented one inside a value
  is part of the value (``enabled=0`` then ``  # why``: dnf reads ``0\\n# why``, an invalid
  boolean, and the repository stays enabled, where configparser drops the comment);
- a value is trimmed of spaces, tabs and carriage returns only (``enabled=0\\f`` is an invalid
  boolean to dnf, and configparser's ``strip`` makes it ``0``), and a value that starts and ends
  with the same quote loses them (``baseurl="http://..."``);
- a section header ends at its first ``]``, and what follows may be blank or a comment
  (``[r] ; again [see]`` is the section ``r``, where configparser takes ``r] ; again [see``);
- a line whose first non-blank character is ``[`` is a section even when indented;
- a UTF-8 byte order mark at the start is skipped.

A file libdnf refuses (a line with no ``=``, text after a header, an indented line after a
header...) is skipped whole by dnf, which reads none of its repositories.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_BLANK = " \t\r"
_BOM = "\ufeff"
FALSE_WORDS = ("0", "no", "false", "off")
"""What dnf reads as a false boolean (in any ASCII case)."""
TRUE_WORDS = ("1", "yes", "true", "on")
"""What dnf reads as a true boolean (in any ASCII case); it refuses any other value."""


@dataclass(frozen=True)
class DnfRefusal:
    """Why libdnf refuses a configuration file (dnf then skips it whole)."""

    line: int
    reason: str


def read_as_dnf(text: str) -> dict[str, dict[str, str]] | DnfRefusal:
    """The sections of ``text`` and their options as libdnf reads them (a section written
    twice is one, the last value of a key wins), or why libdnf refuses the file."""
    sections: dict[str, dict[str, str]] = {}
    section: str | None = None
    key: str | None = None
    value = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        start = _first_not_blank(line)
        if key is not None and (not line or line[0] in "#;" or start == 0 or _at(line, start) == "["):
            sections[section or ""][key] = dnf_trimmed(value)
            key = None
        if not line or line[0] in "#;":
            continue
        if start is None:  # blanks only: inside a value, a line of it
            value += "\n" if key is not None else ""
            continue
        end = _last_not_blank(line)
        if line[start] == "[":
            header = _section_header(line, start, end)
            if isinstance(header, str):
                return DnfRefusal(number, header)
            section = header[0]
            sections.setdefault(section, {})
        elif section is None:
            return DnfRefusal(number, "a line before the first section header")
        elif start > 0:
            if key is None:
                return DnfRefusal(number, "an indented line continues no option")
            value += "\n" + line[start : end + 1]
        else:
            equals = line.find("=")
            if equals <= 0:
                return DnfRefusal(number, "no '=' in the line" if equals < 0 else "no option name")
            key = line[:equals].rstrip(" \t")
            value = _value_after(line, equals, end)
    if key is not None:
        sections[section or ""][key] = dnf_trimmed(value)
    return sections


def dnf_enabled(values: dict[str, str], main: dict[str, str]) -> bool:
    """Whether dnf enables a repository with these options, under a ``[main]`` with ``main``'s:
    libdnf's ``ConfigRepo::enabled`` is an ``OptionChild`` of ``[main]``'s, so a section with
    no ``enabled=`` takes it (``[main] enabled=0`` disables it), and so does one whose value
    ``OptionBool`` refuses (with an error: ``enabled=maybe``, ``enabled=``); without a
    ``[main]`` saying otherwise, enabled."""
    own = _dnf_bool(values["enabled"]) if "enabled" in values else None
    # A value OptionBool refuses leaves the option unset, and the child then takes its parent's.
    if own is None:
        own = _dnf_bool(main.get("enabled", "1"))
    return own is not False


def _dnf_bool(written: str) -> bool | None:
    """What libdnf's ``OptionBool`` reads ``written`` as: `FALSE_WORDS` and `TRUE_WORDS` in any
    ASCII case, or None for a value it refuses ("invalid boolean value")."""
    lowered = "".join(char.lower() if "A" <= char <= "Z" else char for char in written)
    return False if lowered in FALSE_WORDS else (True if lowered in TRUE_WORDS else None)


def _section_header(line: str, start: int, end: int) -> tuple[str] | str:
    """The name a header line gives a section, or why libdnf refuses it. Past the first ``]``
    it scans the bytes up to (not including) the last one that is not blank, as libdnf does:
    one byte of text after the header is let through."""
    close = line.find("]", start + 1)
    if close < 0:
        return "a section header with no ']'"
    if close == start + 1:
        return "an empty section name"
    for char in line[close + 1 : end]:
        if char in "#;":
            break
        if char not in _BLANK:
            return "text after a section header"
    else:
        if end > close and not line[end].isascii():  # libdnf stops one byte short, not one character
            return "text after a section header"
    return (line[start + 1 : close],)


def _value_after(line: str, equals: int, end: int) -> str:
    """The value of a ``key=value`` line: past the blanks after ``=``, up to the last
    character that is not a space, a tab or a carriage return. Where only such characters
    follow the blanks (``key= \\r``), libdnf's length wraps around and takes the rest."""
    start = len(line) - len(line[equals + 1 :].lstrip(" \t"))
    if start == len(line):
        return ""
    return line[start:] if end + 1 < start else line[start : end + 1]


def dnf_trimmed(value: str) -> str:
    """libdnf's ``trimValue``: trailing new lines dropped (unless it is nothing else), then one
    pair of quotes around it."""
    value = value.rstrip("\n") or value
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _first_not_blank(line: str) -> int | None:
    blanks = len(line) - len(line.lstrip(_BLANK))
    return None if blanks == len(line) else blanks


def _last_not_blank(line: str) -> int:
    return len(line.rstrip(_BLANK)) - 1


def _at(line: str, index: int | None) -> str:
    return "" if index is None else line[index]


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ID_CHARS = _NAME_CHARS | frozenset("-.:")
"""What libdnf's ``Repo::verifyId`` (and yum 3) let a repository id hold: a section whose id
holds any other character is skipped ("Bad id for repo"), its repository never read."""


def valid_repo_id(repo_id: str) -> bool:
    return all(char in _ID_CHARS for char in repo_id)


_DNF_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z0-9_]*))")
"""``$name`` or ``${name}`` as libdnf finds it (`dnf_substituted`); a ``${`` not closed right
after the name matches as ``$`` with an empty name, which no variable has."""


def dnf_substituted(text: str, variables: dict[str, str]) -> str:
    """``text`` with ``variables`` substituted as libdnf's ``ConfigParser::substitute`` does it
    (dnf 4.14 applies it to every value of a section, ``getSubstitutedValue``, and to its id):
    ``$name`` and ``${name}``, the name the longest run of ASCII letters, digits and ``_``,
    looked up as written; an unknown one, and ``${name:-word}``, left as they are. A value put
    in is not scanned again. One pass: splicing each value into the whole text took minutes
    for a few MB of ``$basearch``."""

    def substitute(match: re.Match[str]) -> str:
        braced = match.group("braced")
        value = variables.get(match.group("bare") if braced is None else braced)
        return match.group(0) if value is None else value

    return _DNF_VARIABLE.sub(substitute, text)


def dnf_repo_file_order(path: str) -> list[str]:
    """The key dnf sorts the ``.repo`` files of all its reposdirs by (dnf/conf/read.py): the
    path without ``.repo``, split into its components. ``a.repo`` comes before ``a-b.repo``,
    where sorting the names puts ``-`` before ``.``: of two files naming one repository id,
    dnf reads the first, and the auditor read the other one."""
    parts: list[str] = []
    head = path.removesuffix(".repo")
    while True:
        head, tail = os.path.split(head)
        if not tail:
            if head or not parts:
                parts.insert(0, head)
            return parts
        parts.insert(0, tail)


_LIST_SEPARATOR = re.compile(r"[ ,\n]")


def dnf_list_items(value: str) -> list[str]:
    """libdnf's ``OptionStringList::fromString`` (0.69, dnf 4.14's): items end at a space, a
    comma or a new line, the spaces after each skipped, then a comma after them when a space
    ended the item, then a new line (and its spaces) after a space or a comma: ``a , b`` and
    ``a,\nb`` are two items, ``a ,,b`` and ``a\n\nb`` three (checked against libdnf's binding
    on every string of up to 7 of ``a``, space, comma, tab and new line). A tab is part of an
    item (``foo\tbar`` is one name to dnf). One pass: looking for each separator from each item,
    and copying the rest of the value to skip its spaces, took 7 minutes for ``exclude=a,a,...``
    of 3.6 MB."""
    items: list[str] = []
    start = _past_spaces(value, 0)
    while start < len(value):
        found = _LIST_SEPARATOR.search(value, start)
        if found is None:
            items.append(value[start:])
            break
        end = found.start()
        items.append(value[start:end])
        start = _past_spaces(value, end + 1)
        if value[end] == " " and value[start : start + 1] == ",":
            end, start = start, _past_spaces(value, start + 1)
        if value[end] in " ," and value[start : start + 1] == "\n":
            start = _past_spaces(value, start + 1)
    return items


def _past_spaces(value: str, at: int) -> int:
    while at < len(value) and value[at] == " ":
        at += 1
    return at
