"""The variables of a repository configuration that the user gives: ``--vars-dir`` and ``--var``.

dnf and yum expand ``$name`` in a ``.repo`` file from their variables: ``$releasever``,
``$basearch`` and ``$arch``, and one per file of a variables directory (``/etc/dnf/vars``,
``/etc/yum/vars``), the file's name the variable's, its first line the value. Distributions
use them in their own configurations (CentOS's ``$contentdir`` and ``$infra``, a
subscription's ``$stream``). The auditor reads no directory of this machine unless told to:
a gate's verdict must not depend on the host that ran it. ``--vars-dir /etc/dnf/vars`` asks
for dnf's view of this host; ``--var NAME=VALUE`` gives one value.

A variable a URL uses and no one gave stays an input error for that section (as before), with
the option that gives it named.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.net.options import RemoteOptions

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
"""What ``$name`` can refer to (`auditor.sources.repofile`): another file name is no variable."""
VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
"""``$name`` or ``${name...}`` in a configuration's value (`expand`)."""
MAX_VALUE_BYTES = 64 * 1024
"""A variable's first line at most: a value is a word of a URL, and a directory given by
mistake (a log, an image) must not be read whole."""
MAX_FILES = 10_000
"""Entries of one variables directory: /etc/dnf/vars holds a handful."""
MAX_VALUES_BYTES = 1024 * 1024
"""The values read from all the variables directories together: 10,000 files of 64 KiB each
held 640 MB (an image's ``etc/dnf/vars`` given as is may be anyone's)."""
MAX_SUBSTITUTED_GROWTH = 4 * 1024 * 1024
"""Bytes the variables may add to one configuration (or to the URLs one mirrorlist lists), each
``$name`` counted at its value's length: ``$a`` repeated in a 40 KiB ``.repo`` file, with a
64 KiB value, made 1.2 GB of one URL (exit 4, MemoryError). Real ones shrink or grow by a few
bytes a variable (``$releasever``, ``$basearch``); this is the configuration's own bound
(`auditor.sources.repoinclude.MAX_CONFIG_BYTES`) again."""
_REFERENCE = re.compile(r"\$\{?([A-Za-z0-9_]+)")
"""Every ``$name`` some reader substitutes (dnf's, yum's, `expand`), and more."""


def variable_hint(name: str) -> str:
    """How the user gives the variable ``name`` a value: the words after "give"."""
    if name in ("releasever", "basearch"):
        return f"--{name}"
    if name == "arch":
        return "--basearch"
    return f"--var {name}=VALUE or --vars-dir DIR"


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` (``--var``) as a variable, its name lower-cased as yum looks it up; raise
    ValueError saying what is wrong."""
    name, equals, value = text.partition("=")
    if not equals:
        raise ValueError(f"{text!r} is not NAME=VALUE")
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not a variable name (letters, digits and _, not first a digit)")
    return name.lower(), value


def read_vars_dirs(directories: Iterable[str]) -> dict[str, str]:
    """The variables of each directory, as dnf reads its ``varsdir``: each regular file (a
    symlink followed) whose name is a variable name, valued by its first line without the line
    end; a later directory's value wins. A directory that cannot be listed, or a file that
    cannot be read, is an `InputError`: the user named it, and a value silently missing would
    leave URLs unexpanded, or expanded otherwise than on the host."""
    found: dict[str, str] = {}
    held = 0
    for directory in directories:
        try:
            with os.scandir(directory) as entries:
                names: list[str] = []
                for entry in entries:
                    if len(names) >= MAX_FILES:
                        raise InputError(directory, f"more than {MAX_FILES} entries: not a vars directory")
                    names.append(entry.name)
        except NotADirectoryError:
            raise InputError(directory, "not a directory (--vars-dir names one of variables)") from None
        except OSError as exc:
            raise InputError(directory, os_reason(exc)) from None
        for name in sorted(names):
            path = os.path.join(directory, name)
            if not NAME.match(name) or not os.path.isfile(path):  # a README, a .rpmnew, a directory
                continue
            # As written: dnf's names are case-sensitive, and the URLs' are looked up lower-cased
            # (as yum does), so a "Stream" file gives no $stream on either side.
            found[name] = _first_line(path)
            held += len(found[name])
            if held > MAX_VALUES_BYTES:
                raise InputError(
                    directory,
                    f"its variables hold more than {MAX_VALUES_BYTES // 1024} KiB: not a vars directory",
                )
    return found


def _first_line(path: str) -> str:
    with open_regular(path, path, "a variable's file") as stream:
        head = stream.read(MAX_VALUE_BYTES + 1)
    line, newline, _ = head.partition(b"\n")
    if not newline and len(head) > MAX_VALUE_BYTES:
        raise InputError(path, f"first line over {MAX_VALUE_BYTES // 1024} KiB: not a variable's value")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text: a variable's value is a word of a URL") from None


def substitution_growth(texts: Iterable[str], variables: dict[str, str], shown: str, grown: int = 0) -> int:
    """``grown`` plus the bytes substituting ``variables`` in ``texts`` could add, each reference
    counted at its longest value (dnf looks names up as written, yum lower-cased); checked before
    any value is substituted. Past `MAX_SUBSTITUTED_GROWTH`, an `InputError` naming ``shown``."""
    if not variables:
        return grown
    lengths = {name: len(value) for name, value in variables.items()}
    for text in texts:
        for match in _REFERENCE.finditer(text):
            name = match.group(1)
            grown += max(lengths.get(name, 0), lengths.get(name.lower(), 0))
            if grown > MAX_SUBSTITUTED_GROWTH:
                raise InputError(
                    shown,
                    f"its variables would add more than {MAX_SUBSTITUTED_GROWTH} bytes to it"
                    f" (${name} and others repeated): refused",
                )
    return grown


def config_variables(options: RemoteOptions) -> dict[str, str]:
    """The variables the auditor expands in a configuration: the user's (``--vars-dir``,
    ``--var``), then ``$basearch`` (and ``$arch``) and ``$releasever``, when given."""
    variables = dict(options.variables)
    if options.basearch is not None:
        variables["basearch"] = options.basearch
        variables.setdefault("arch", options.basearch)
    if options.releasever is not None:
        variables["releasever"] = options.releasever
    return variables


def expand(value: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """``value`` with the known variables substituted, and the names of the ones left."""
    left: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        found = variables.get(name.lower())
        if found is None or (match.group("braced") and match.group(0) != f"${{{name}}}"):
            left.append(name)
            return match.group(0)
        return found

    return VARIABLE.sub(substitute, value), left
