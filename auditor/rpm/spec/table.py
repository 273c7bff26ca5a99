"""The macro table an expansion reads and writes: rpm's stacks of definitions, and doubt.

Each name holds a stack, as in rpm (``%undefine`` pops one definition). A parametric
call's automatic macros (``%1``, ``%*``, ``%{-f}``...) live in its call frame and vanish
with it, as do the ``%define``\\ s made during the call (rpm's ``freeArgs``).

Besides what is defined, the table knows what is *not certain*: a name defined or
undefined while the reader was in a branch it could not decide is unknown, and an
undefined name a build machine might define (``%{?rhel}``) is the environment's. `doubt`
records such references in `Expansion.environment`, which makes a ``%if`` that reads
them undecidable in turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from auditor.rpm.spec.builtins import (
    BCOND_MACROS,
    DEFAULT_MACROS,
    ENVIRONMENT_MACROS,
    RPM_BUILTIN_NAMES,
    RPM_PARAMETRIC_MACROS,
    SETTLED_PREFIXES,
    is_parse_macro,
)
from auditor.rpm.spec.rpmmacros import RPM_MACRO_NAMES


@dataclass(frozen=True, slots=True)
class MacroDefinition:
    body: str
    options: str | None = None
    """getopt letters of a parametric macro (``""`` for ``name()``); None for a plain macro."""
    level: int = 0
    """Parametric calls under way when a ``%define`` made it; 0 for the spec's own and ``%global``."""

    @property
    def parametric(self) -> bool:
        return self.options is not None


@dataclass
class Expansion:
    """The result of expanding one text."""

    text: str
    unexpanded: list[str] = field(default_factory=list)
    """Macro references left as written (shell, Lua, undefined, failed calls)."""
    environment: list[str] = field(default_factory=list)
    """References whose answer a build machine decides (an undefined ``%{?rhel}``) or
    that a conditional the reader could not decide may have changed."""
    code: list[str] = field(default_factory=list)
    """References rpm runs and this expander does not (``%(shell)``, ``%{lua:}``, ``%{load:}``):
    besides their own text, which stays in `unexpanded`, they may define macros or make
    spec lines that no reader sees."""

    work: int = 0

    @property
    def exact(self) -> bool:
        return not self.unexpanded and not self.environment


def code_as_one_line(expansion: Expansion) -> str:
    """``expansion``'s text with each piece of code it left as written on one line: rpm runs
    the code and reads the lines it prints, never the code's own (a ``%{lua:`` body over many
    lines, as xcp-ng-rpms' xen.spec calls for its BuildRequires). Split at the code's newlines,
    a Lua string holding ``Source9: URL`` was read as a Source rpm never records, and each
    other line as a line rpm would refuse."""
    text = expansion.text
    for written in expansion.code:
        if "\n" in written:
            text = text.replace(written, written.replace("\n", " "))
    return text


@dataclass
class _Call:
    """One parametric macro call: its automatic macros and the names it ``%define``\\ d."""

    automatic: dict[str, str]
    inexact: bool
    """Its arguments did not expand exactly: what it reads of them is a guess."""
    local: list[str] = field(default_factory=list)


def is_automatic(name: str) -> bool:
    """``%0``..``%9...``, ``%*``, ``%**``, ``%#``, ``%-f``, ``%-f*``: they exist only inside a call."""
    first = name[:1]
    if first.isalpha() or first == "_":
        return False  # nearly every name asked (a letter is never a digit), answered at once
    return first.isdigit() or first == "-" or name in ("*", "**", "#")


def _rpm_defines(name: str) -> bool:
    """A build host's rpm defines ``name`` where a spec does not: its macro files, a known
    machine's, its built-ins, or what it defines as it parses (``%{SOURCEURL0}``)."""
    known = name in ENVIRONMENT_MACROS or name in RPM_MACRO_NAMES or name in RPM_BUILTIN_NAMES
    return known or is_parse_macro(name)


MAX_ALTERNATIVES = 8
"""Values kept for one macro defined in undecided branches: enough for an %if/%elif chain."""


@cache
def _defaults() -> dict[str, MacroDefinition]:
    """rpm's own definitions, made once a process: each table starts with a stack of its own
    holding them (a definition is frozen, so the tables may share it)."""
    found = {name: MacroDefinition(body) for name, body in DEFAULT_MACROS.items()}
    for name, (options, body) in RPM_PARAMETRIC_MACROS.items():
        found[name] = MacroDefinition(body, options)
    return found


class MacroTable:
    """Macro definitions, call frames, and what of them is not certain."""

    def __init__(self, defines: Mapping[str, str | None] | None = None) -> None:
        self._macros: dict[str, list[MacroDefinition]] = {name: [rpms] for name, rpms in _defaults().items()}
        self._user: set[str] = set()
        self._unknown: set[str] = set()
        self._settled: set[str] = set()
        self._calls: list[_Call] = []
        self._uncertain_depth = 0
        self.alternatives: dict[str, list[str | None]] = {}
        """The values a macro may have, by name, for a macro defined where the reader could not
        decide: each body a definition there gave it, and the one it had before, None when it
        had none (the branch may not be taken). A definition in a decided place ends the doubt."""
        self.overflowing: set[str] = set()
        """The names of `alternatives` that were given more values than it keeps: what reads
        them has values no reading sees."""
        self.undecided_branch = False
        """Set by the reader while it reads a branch of a conditional it could not decide."""
        for name, given in (defines or {}).items():
            # The user's word on a macro (rpmbuild --define, --undefine: None) settles every
            # test of it: no build host's answer is left to doubt.
            if given is None:
                self._macros.pop(name, None)
            else:
                self.define(name, given)
            self._user.add(name)

    @property
    def in_call(self) -> bool:
        return bool(self._calls)

    def define(self, name: str, body: str, options: str | None = None, *, local: bool = False) -> None:
        """Push a definition; a ``local`` one (``%define`` in a parametric call) ends with the call."""
        level = len(self._calls) if local else 0
        stack = self._macros.setdefault(name, [])
        if not (self.undecided_branch or self._uncertain_depth):
            self.alternatives.pop(name, None)
            self.overflowing.discard(name)
        elif not level and options is None and (not stack or stack[-1].options is None):
            self.may_be(name, [stack[-1].body if stack else None, body])
        stack.append(MacroDefinition(body, options, level))
        if level:
            self._calls[-1].local.append(name)
        if self.undecided_branch or self._uncertain_depth:
            self._unknown.add(name)
        else:
            self._unknown.discard(name)

    def may_be(self, name: str, values: Iterable[str | None]) -> None:
        """Add ``values`` (None: undefined) to those ``name`` may have (`alternatives`); past
        `MAX_ALTERNATIVES` the name is `overflowing`."""
        known = self.alternatives.setdefault(name, [])
        for value in values:
            if value not in known:
                if len(known) < MAX_ALTERNATIVES:
                    known.append(value)
                else:
                    self.overflowing.add(name)

    def settle_skipped_bcond(self, name: str) -> None:
        """A ``%bcond`` of ``name`` in a branch rpm certainly does not take: ``with_NAME`` stays
        undefined, and is the spec's, as after a bcond read (a build host sets ``_with_NAME``,
        never ``with_NAME``): xapi declares its XenServer 9 bconds under ``%if 0%{?xenserver}``."""
        self._settled.add(f"with_{name}")

    def forget(self, name: str) -> None:
        """A definition of ``name`` was not made (its body passed a bound): it is unknown from
        now on, so that what reads or tests it is not exact."""
        self._unknown.add(name)

    def undefine(self, name: str) -> None:
        stack = self._macros.get(name)
        was_empty = not stack
        doubtful = self.undecided_branch or self._uncertain_depth
        if doubtful and stack and stack[-1].options is None and not stack[-1].level:
            # The branch may not be taken: the value before it stays one the macro may have.
            self.may_be(name, [stack[-1].body, None])
        if stack:
            stack.pop()
            if not stack:
                del self._macros[name]
        if self.undecided_branch or self._uncertain_depth:
            self._unknown.add(name)
        elif was_empty:
            self._unknown.discard(name)

    @contextmanager
    def assuming(self, values: Mapping[str, str | None]) -> Iterator[None]:
        """Each macro of ``values`` with that body (None: undefined) while inside, as if that
        branch had been taken, and as it was after (what is uncertain of it stays so)."""
        saved = {name: self._macros.pop(name, None) for name in values}
        for name, body in values.items():
            if body is not None:
                self._macros[name] = [MacroDefinition(body)]
        try:
            yield
        finally:
            for name, stack in saved.items():
                if stack is None:
                    self._macros.pop(name, None)
                else:
                    self._macros[name] = stack

    def is_defined(self, name: str) -> bool:
        return name in self._macros

    def value(self, name: str) -> str | None:
        stack = self._macros.get(name)
        return stack[-1].body if stack else None

    def is_unknown(self, name: str) -> bool:
        """Whether ``name`` was defined or undefined in a branch that may not have been taken."""
        return name in self._unknown

    @contextmanager
    def uncertain(self) -> Iterator[None]:
        """Definitions made inside may or may not happen (an undecided ``%[...?...:...]``)."""
        self._uncertain_depth += 1
        try:
            yield
        finally:
            self._uncertain_depth -= 1

    def lookup(self, name: str) -> MacroDefinition | None:
        if is_automatic(name):
            body = self._calls[-1].automatic.get(name) if self._calls else None
            return None if body is None else MacroDefinition(body)
        stack = self._macros.get(name)
        return stack[-1] if stack else None

    def host_defined(self, name: str) -> bool:
        """Whether a build host defines ``name`` where the spec does not: rpm's macro files, a
        known machine's macros, or one of rpm's built-ins. A name the spec tests but nothing
        defines (an option, ``%{?with_emu:...}``) is the user's to ``--define``. One the user
        defined or undefined is theirs."""
        if name in self._user:
            return False
        return _rpm_defines(name)

    def doubt(self, name: str, written: str, result: Expansion, *, tested: bool, negated: bool) -> None:
        """Record ``written`` in `Expansion.environment` when its answer is not certain.

        A name the spec never defined is the build host's when tested (``%{?name}``); a negated
        test (``%{!?name:default}``, a spec giving its own default) is certain unless rpm's own
        macro files define the name somewhere (`RPM_MACRO_NAMES`: ``%optflags``, ``%_topdir``...)
        or it is a known machine's (`ENVIRONMENT_MACROS`) or one of rpm's built-ins
        (`RPM_BUILTIN_NAMES`: ``%{!?expand:x}`` is nothing for rpm 4.18)."""
        if name in self._unknown:
            result.environment.append(written)
        elif is_automatic(name):
            if self._calls and self._calls[-1].inexact:
                result.environment.append(written)
        elif tested and name not in self._macros and name not in self._user:
            settled = name in self._settled or name.startswith(SETTLED_PREFIXES)
            if (not negated and not settled) or (negated and _rpm_defines(name)):
                result.environment.append(written)

    @contextmanager
    def call(self, name: str, automatic: dict[str, str], inexact: bool) -> Iterator[None]:
        """The frame of one parametric call, gone with what it ``%define``\\ d (rpm's ``freeArgs``)."""
        frame = _Call(automatic, inexact)
        self._calls.append(frame)
        try:
            yield
        finally:
            level = len(self._calls)
            self._calls.pop()
            for local in set(frame.local):
                stack = self._macros.get(local, [])
                while stack and stack[-1].level >= level:
                    stack.pop()
                if not stack:
                    self._macros.pop(local, None)
        declared = automatic.get("1")
        if name in BCOND_MACROS and declared and not (self.undecided_branch or self._uncertain_depth):
            self._settled.add(f"with_{declared}")  # from now on the spec, not a build host, decides
