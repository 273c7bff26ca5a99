"""A repository configuration's lines as yum 3 reads them: ``include=`` lines expanded.

XCP-ng 8.x installs with yum 3, whose ``ConfigPreProcessor`` (yum/parser.py, read at
rpm-software-management/yum 4ed25525, the last commit to the file 28cc43d1 "Replace vars in
include lines", BZ 977380) reads every ``yum.conf`` and ``.repo`` file through a line filter:

- a line matching ``\\s*include\\s*=\\s*(?P<url>.*)`` (in any section, or before the first; in
  an included file too) is replaced by the lines of the file it names, textually, there;
- the URL has yum's ``$var`` substituted (``varReplace``: ``$name``, no braces; unknown ones
  kept), then is resolved against the URL of the file holding the line (``urljoin``: a plain
  path is a ``file:`` path, relative to that file's directory); urlgrabber opens it, so
  ``http``, ``https`` and ``ftp`` URLs are fetched too;
- an include of the same URL in the same section as an earlier one (``_isalreadyincluded``, the
  pair ``(URL, current section)``) is skipped silently, which is what ends a loop;
- an empty URL, or a file that cannot be opened, is a ``ConfigError``: yum refuses to run.

The same filter strips the white space before a section header (`_INDENTED_SECTION`), which
dnf reads as a section too; the filter runs on every configuration, with or without includes.

dnf 4 follows no ``include=``: libdnf's ``ConfigParser::read`` (libdnf/conf/ConfigParser.cpp)
reads the file's key/value lines and nothing else (checked with dnf 4.14: the included section
is not listed). The auditor follows them, as the configuration may be a yum host's: what yum
reads is then judged, and each include followed is said.

What the auditor cannot follow is a gap of the configuration, never silence: a remote URL (the
auditor fetches only the URLs it is given; a Citrix host in it is judged by the policy as a
`ConfigUrl`), a local file of a configuration that came over the network, a ``$var`` it cannot
expand, or a file that cannot be read (missing, a directory, a device, a FIFO, a symlink loop;
the configuration may be audited away from the host whose files it names). A loop needs no
rule of its own: yum's skip of a repeated include ends it, and the auditor keeps that rule.
Beyond the auditor's bounds (nesting depth, number of includes, total size) the configuration
is refused as an input error: what the cut would hide is unbounded, and no real host nests so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.net.http import strip_userinfo
from auditor.sources.configvars import substitution_growth, variable_hint

# Past these bounds a configuration is refused (`InputError`): a cut would hide an unbounded
# part of it, and yum has no bound but its skip of repeats (a file including the next in each
# of its sections makes the lines grow exponentially with the depth).
MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""Bytes of a repository configuration (a ``.repo`` file, ``yum.conf`` or ``dnf.conf``) with all
it includes. Most hold a few kilobytes; the largest real ones, a subscription manager's list of
thousands of repositories, hold hundreds. Both readers of one (yum's and dnf's) hold tens
of bytes for each byte of short sections, keys or URLs: at the 16 MiB every other small file
may have, one took 17 s and 900 MB, the memory a CI runner may not have; at this bound, at
most 2.3 s and 225 MB (measured with disabled sections, keys and baseurl lines)."""
MAX_DEPTH = 16
"""Files open at once (the configuration and its nested includes)."""
MAX_INCLUDES = 256
"""Include lines read in one configuration and the files it includes (each copy counted)."""
INCLUDE_LINE = re.compile(r"\s*include\s*=\s*(?P<url>.*)", re.ASCII)
_SECTION = re.compile(r"\s*\[(?P<section>.*)\]", re.ASCII)
_YUM_VARIABLE = re.compile(r"\$(\w+)", re.ASCII)
_INDENTED_SECTION = re.compile(r"\s+\[(?P<section>.*)\]", re.ASCII)
"""A section header written after white space (``  [xs]``). Python's configparser reads it as
a continuation of the value above (the section's options then overwrite the previous one's);
yum's ``ConfigPreProcessor.readline`` strips the white space ("if the section is prefixed by a
space then it is breaks iniparser/configparser so fix it"), and libdnf's ``IniParser::next``
reads a line whose first non-blank character is ``[`` as a section: both see a section."""


@dataclass(frozen=True)
class IncludeNotFollowed:
    """An include whose lines the auditor did not read, and why."""

    file: str
    """The file holding the ``include=`` line (a path, or a URL)."""
    section: str
    """The section the line is in (empty before the first)."""
    url: str
    reason: str

    def __str__(self) -> str:
        where = f" [{self.section}]" if self.section else ""
        return f"{self.file}{where}: include={self.url} not followed ({self.reason})"


@dataclass
class Expanded:
    """A configuration's text with its includes expanded, and what could not be."""

    text: str
    not_followed: list[IncludeNotFollowed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    section_files: dict[str, str] = field(default_factory=dict)
    """The sections whose header is in an included file, by id, with that file as shown: its
    findings name the file the URL is written in (the last header of an id, as configparser
    merges repeated ones; yum and dnf read one section of that id too)."""


@dataclass
class _Open:
    lines: list[str]
    url: str
    shown: str
    next: int = 0


def config_url(path: str, shown: str, local: bool) -> str:
    """The URL yum resolves the includes of a configuration against: a local file's
    ``file:`` URL, else the URL it was fetched from."""
    return "file://" + quote(os.path.abspath(path)) if local else shown


def expand_includes(text: str, shown: str, base: str, variables: dict[str, str], *, local: bool) -> Expanded:
    """``text`` (read from ``base``, shown as ``shown``) with every ``include=`` line replaced by
    the lines it names, as yum's ``ConfigPreProcessor.readline`` does. ``local``: the
    configuration came from the local disk, so its ``file:`` includes name this machine's files."""
    result = Expanded("")
    out: list[str] = []
    stack = [_Open(_lines(text), base, shown)]
    included: set[tuple[str, str | None]] = {(base, None)}
    section: str | None = None
    total = len(text)
    lines_seen = 0
    grown = 0
    while stack:
        top = stack[-1]
        if top.next >= len(top.lines):
            stack.pop()
            continue
        line = top.lines[top.next]
        top.next += 1
        match = INCLUDE_LINE.match(line)
        if match is None:
            heading = _SECTION.match(line)
            if heading:
                section = heading.group("section")
                if len(stack) > 1:
                    result.section_files[section] = top.shown
                else:
                    result.section_files.pop(section, None)
            if heading and _INDENTED_SECTION.match(line):
                line = line.lstrip()  # a section, not a continuation line: see _INDENTED_SECTION
            out.append(line if line.endswith("\n") else line + "\n")
            continue
        written = match.group("url")
        if not written:  # yum: "include must specify file to include", a ConfigError
            raise InputError(top.shown, "include= names no file (yum refuses the configuration)")
        lines_seen += 1
        if lines_seen > MAX_INCLUDES:
            raise InputError(
                shown, f"more than {MAX_INCLUDES} include lines (at {top.shown}: include={written})"
            )
        grown = substitution_growth([written], variables, shown, grown)
        url, left = _yum_substitute(written, variables)
        target = _joined(top.url, url)
        if target is None:  # urllib refuses it (``http://[::1``): yum cannot open it either
            reason = "not a URL the auditor can read"
            result.not_followed.append(IncludeNotFollowed(top.shown, section or "", url, reason))
            continue
        if (target, section) in included:
            result.warnings.append(
                f"{top.shown}: include={written} again in the same section: skipped, as yum skips it"
            )
            continue
        shown_target = _shown(target)
        if left:
            given = variable_hint(left[0])
            reason = f"${left[0]} left unexpanded (give {given}): yum takes it from its variables"
            result.not_followed.append(IncludeNotFollowed(top.shown, section or "", shown_target, reason))
            continue
        if len(stack) >= MAX_DEPTH:
            raise InputError(shown, f"includes nested deeper than {MAX_DEPTH} files (at {top.shown})")
        data = _read(target, local, MAX_CONFIG_BYTES - total, shown)
        if isinstance(data, str):
            result.not_followed.append(IncludeNotFollowed(top.shown, section or "", shown_target, data))
            continue
        total += len(data)
        included.add((target, section))
        result.warnings.append(
            f"{top.shown}: include={written} followed ({shown_target}), as yum 3 follows it;"
            " dnf ignores include="
        )
        stack.append(_Open(_lines(data.decode("utf-8", "replace")), target, shown_target))
    result.text = "".join(out)
    return result


def _read(target: str, local: bool, budget: int, shown: str) -> bytes | str:
    """The content of an included file, or why it cannot be read (a gap); `InputError` when it
    would take the configuration past `MAX_CONFIG_BYTES` in all."""
    parts = urlsplit(target)
    if parts.scheme.lower() != "file":
        return "a remote URL: the auditor fetches only the URLs it is given"
    if not local:
        return "a file of the host the configuration came from"
    if parts.netloc not in ("", "localhost"):
        return f"a file: URL naming the host {parts.netloc}"
    path = unquote(parts.path)
    try:
        with open_regular(path, path, "a repository configuration") as stream:
            data = stream.read(budget + 1)
    except InputError as exc:
        return exc.reason
    except OSError as exc:
        return os_reason(exc)
    if len(data) > budget:
        raise InputError(shown, f"its includes hold more than {MAX_CONFIG_BYTES} bytes (at {path})")
    return data


def _joined(base: str, url: str) -> str | None:
    """``url`` resolved against ``base`` as yum's ``urljoin`` resolves it, or None where urllib
    raises (an unclosed ``[`` of an IPv6 host, a port that is not a number): checked with
    `urlsplit` too, as the include is read and shown through it."""
    try:
        target = urljoin(base, url)
        urlsplit(target).port  # noqa: B018 -- raises on a host or port urllib cannot read
    except ValueError:
        return None
    return target


def _yum_substitute(value: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """yum's ``varReplace``: ``$name`` (lower-cased) replaced when known, else kept."""
    left: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        found = variables.get(match.group(1).lower())
        if found is None:
            left.append(match.group(1).lower())
            return match.group(0)
        return found

    return _YUM_VARIABLE.sub(substitute, value), left


def _lines(text: str) -> list[str]:
    """Lines as yum's file objects' ``readline`` gives them: split at ``\\n`` only."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _shown(target: str) -> str:
    """A ``file:`` URL as its path, any other without its credentials."""
    parts = urlsplit(target)
    if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
        return unquote(parts.path)
    return strip_userinfo(target)
