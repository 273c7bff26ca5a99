"""The other values a text may expand to, when macros it reads were given several.

Both branches of an ``%if`` the reader could not decide are read, so a macro may have a value
from each (`auditor.rpm.spec.table.MacroTable.alternatives`). A Source, or a ``%global``
expanded from such macros, then has as many values, and each one is reported: a Citrix URL
base behind ``%if 0%{?xenserver}`` must not hide behind the other branch's value. This is its
own module because it is not expansion itself but a reader of it: it expands the text again
under each combination of values (`MacroTable.assuming`), through the expander it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice, product
from math import prod

from auditor.rpm.spec.table import Expansion, MacroTable

MAX_VARIANTS = 16
"""Expansions of one text from the several values of the macros it reads, at most."""
_MACRO_NAME = re.compile(r"%\{?[?!]*([A-Za-z_][A-Za-z0-9_]*)")
"""The names a text's macro references read (``%name``, ``%{name}``, ``%{?name}``, ``%{!?name:..}``)."""


def other_expansions(
    table: MacroTable, expand: Callable[[str], Expansion], text: str, value: str
) -> tuple[list[tuple[str, Expansion]], bool]:
    """What ``text`` (expanded to ``value`` now) expands to besides, once for each value a
    macro it reads, through other macros too, was given in a branch the reader could not
    decide (`MacroTable.alternatives`). Both branches of an ``%if`` are read, so a macro
    the first defines and the second redefines must not give a Source only the second's
    value. At most `MAX_VARIANTS`; none when no macro it reads has several values. And
    whether those are all: not when there were more combinations, or a macro read had more
    values than the table keeps (`MacroTable.overflowing`)."""
    alternatives = table.alternatives
    if not alternatives:
        return [], True
    names: list[str] = []
    seen: set[str] = set()
    texts = [text]
    while texts:
        for name in _MACRO_NAME.findall(texts.pop()):
            if name in seen:
                continue
            seen.add(name)
            if name in alternatives:
                names.append(name)
                texts += (body for body in alternatives[name] if body is not None)
            if (body := table.value(name)) is not None:
                texts.append(body)
    if not names:
        return [], True
    # A macro left undefined is a value where the text reads it as %{?name}; where the
    # text needs it, the text would only stay unexpanded, which the value now says already.
    # Taken before expanding: an expansion may define what it reads (`%global a 1%{a}` under
    # `%sourcelist`), and the table's alternatives with it.
    values = [tuple(alternatives[name]) for name in names]
    needed = set(expand(text).unexpanded)
    found: dict[str, Expansion] = {}
    for chosen in islice(product(*values), MAX_VARIANTS):
        with table.assuming(dict(zip(names, chosen, strict=True))):
            other = expand(text)
        if other.text != value and needed.issuperset(other.unexpanded):
            found.setdefault(other.text, other)
    combinations = prod(len(choices) for choices in values)
    complete = combinations <= MAX_VARIANTS and not table.overflowing.intersection(names)
    return list(found.items()), complete


_HOST_TEST = re.compile(r"%\{!?(?:\?([A-Za-z_][A-Za-z0-9_]*)|(verbose))[: ]")
"""A test with a branch, ``%{?name:text}`` or ``%{!?name:text}``: what it gives depends on
whether ``name`` is defined, not on its value. ``%{verbose:text}`` is one too: ``text`` where
rpm runs verbose, read as if the host defined ``verbose`` (`MacroContext`)."""


def host_expansions(
    table: MacroTable, expand: Callable[[str], Expansion], text: str, value: str, environment: list[str]
) -> tuple[list[tuple[str, Expansion]], bool]:
    """What ``text`` (expanded to ``value`` now) expands to when the build host defines, or does
    not define, each macro it tests with a branch, whose answer is the host's (in its
    `Expansion.environment`, and one a build host defines: `MacroTable.host_defined`; an option
    the spec tests is the user's to ``--define``): ``Requires: %{?_gnu:citrix-thing}%{!?_gnu:bash}`` is
    ``citrix-thing`` on every host rpm builds on, where the reader's guess was ``bash``. At
    most `MAX_VARIANTS`, and whether those are all. A bare ``%{?name}`` is left to the reader's
    guess: its value, not its existence, is what it gives."""
    tested = {
        found.group(1) or found.group(2) for written in environment for found in _HOST_TEST.finditer(written)
    }
    names = sorted(name for name in tested if table.host_defined(name) and not table.is_defined(name))
    if not names:
        return [], True
    found: dict[str, Expansion] = {}
    choices: list[tuple[str | None, ...]] = [("1", None)] * len(names)
    for chosen in islice(product(*choices), MAX_VARIANTS):
        with table.assuming(dict(zip(names, chosen, strict=True))):
            other = expand(text)
        if other.text != value:
            found.setdefault(other.text, other)
    return list(found.items()), 2 ** len(names) <= MAX_VARIANTS
