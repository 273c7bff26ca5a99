"""The one scanner of dependency text: names, comparisons, versions, words and separators.

Three grammars read dependency text, and all of them through this class, so a name, an
operator and a version mean the same thing everywhere:

- `auditor.rpm.deps`: a dependency, plain or rich (``rpmrichParse`` in ``lib/rpmds.c``);
- `auditor.rpm.spec.dependencies`: a spec's ``Requires:`` list (``parseRCPOT`` in
  ``build/parseReqs.c``);
- `auditor.gate.waivers`: a waiver's version range (``>= 2.0, < 3``).

Lexical rules (rpm's)::

    NAME        = run of characters up to whitespace, a comma, or a ")" that closes
                  nothing; parentheses inside it nest: perl(Foo::Bar), gitsha(https://…)
    TOKEN       = run of characters up to whitespace or a comma
    COMPARISON  = "<" | "<=" | "=<" | "=" | "==" | ">=" | "=>" | ">"
    WORD        = run of characters up to whitespace or a parenthesis (rich operators)

Every error is a `DependencySyntaxError` that points at the offending position.
"""

from __future__ import annotations

import re
from typing import NoReturn

from auditor.core.errors import DependencySyntaxError
from auditor.rpm.model import Op

COMPARISON_CHARACTERS = "<=>"

# A character by character loop costs a dependency list most of its reading. ``\s`` is what
# `str.isspace` takes, every code point of it (both ask the same Unicode table).
_SPACES = re.compile(r"\s*")
_SPACES_AND_COMMAS = re.compile(r"[\s,]*")
_TOKEN = re.compile(r"[^\s,]*")


class Tokenizer:
    """A position in a dependency text, and the reads that move it."""

    __slots__ = ("position", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self, message: str, position: int | None = None) -> NoReturn:
        """Raise the syntax error of ``message`` at ``position`` (default: here)."""
        where = self.position if position is None else position
        raise DependencySyntaxError(message, text=self.text, position=where)

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.text)

    def peek(self) -> str:
        """The next character, or "" at the end."""
        return self.text[self.position : self.position + 1]

    def skip_space(self, *, commas: bool = False) -> None:
        """Skip whitespace (and commas, where they separate entries as in a spec's list)."""
        found = (_SPACES_AND_COMMAS if commas else _SPACES).match(self.text, self.position)
        assert found is not None  # "*": an empty run matches
        self.position = found.end()

    def name(self) -> str:
        """NAME: an error when there is none here."""
        text = self.text
        start = position = self.position
        depth = 0
        while position < len(text):
            char = text[position]
            if char.isspace() or char == ",":
                break
            if char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "(":
                depth += 1
            position += 1
        if position == start:
            self.fail("expected a dependency name")
        self.position = position
        return text[start:position]

    def token(self) -> str:
        """TOKEN (possibly empty)."""
        found = _TOKEN.match(self.text, self.position)
        assert found is not None  # "*": an empty run matches
        self.position = found.end()
        return found.group()

    def word(self) -> str:
        """WORD (possibly empty)."""
        text = self.text
        start = position = self.position
        while position < len(text) and not text[position].isspace() and text[position] not in "()":
            position += 1
        self.position = position
        return text[start:position]

    def comparison(self) -> Op | None:
        """A COMPARISON written as a run of ``<``, ``=`` and ``>`` (as ``rpmrichParse`` reads
        it: ``a>=1`` needs no space); None, without moving, when there is no such run."""
        text = self.text
        start = position = self.position
        while position < len(text) and text[position] in COMPARISON_CHARACTERS:
            position += 1
        if position == start:
            return None
        symbol = text[start:position]
        try:
            op = Op.from_symbol(symbol)
        except KeyError:
            self.fail(f"unknown comparison {symbol!r}", start)
        self.position = position
        return op

    def comparison_token(self) -> Op | None:
        """A COMPARISON that is a whole TOKEN (as ``parseRCPOT`` reads a spec: ``a >=1`` is
        two names); None, without moving, when the next token is not one."""
        start = self.position
        symbol = self.token()
        try:
            # Every comparison is written with these characters only: a token with another (a
            # name, most often) is none, known without the cost of raising KeyError.
            if symbol and not symbol.strip(COMPARISON_CHARACTERS):
                return Op.from_symbol(symbol)
        except KeyError:
            pass
        self.position = start
        return None

    def balanced(self) -> str:
        """A parenthesised group, kept whole (a rich dependency in a spec's list): from the
        ``(`` here to the ``)`` that closes it, or to the end when none does (rpm then
        reports the group itself)."""
        text = self.text
        start = position = self.position
        depth = 0
        while position < len(text):
            if text[position] == "(":
                depth += 1
            elif text[position] == ")":
                depth -= 1
                if depth == 0:
                    break
            position += 1
        self.position = min(position + 1, len(text))
        return text[start : self.position]
