"""rpm's expression language, evaluated without side effects of its own.

Grammar (rpm ``rpmio/expression.c``), lowest precedence first::

    expr    = or ( "?" expr ":" expr )?
    or      = and ( "||" and )*
    and     = rel ( "&&" rel )*
    rel     = add ( ("==" | "!=" | "<" | "<=" | ">" | ">=") add )*
    add     = mul ( ("+" | "-") mul )*
    mul     = unary ( ("*" | "/") unary )*
    unary   = ("!" | "-") unary | primary
    primary = INTEGER | '"' STRING '"' | 'v"' VERSION '"' | "(" expr ")"

The six comparisons are one level, taken left to right (rpm's ``doRelational``), not C's two:
``3 == 3 < 2`` is ``(3 == 3) < 2``, true.

Two uses. ``%if`` lines are expanded first and the text evaluated (`evaluate`). A
``%[...]`` expansion (`evaluate_lazy`) expands each integer or string token only when
it is evaluated, as rpm's ``RPMEXPR_EXPAND`` does: the branch that ``?:``, ``&&`` or
``||`` skips is never expanded, so its ``%global`` never happens. Anything else (a bare
word, an unexpanded macro) makes the expression undecidable: the caller reads both
branches rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from auditor.rpm.evr import rpmvercmp
from auditor.rpm.spec.references import macro_end

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<int>\d+)
      | v"(?P<ver>[^"]*)"
      | "(?P<str>[^"]*)"
      | (?P<op>\|\||&&|==|!=|<=|>=|[<>!()+\-*/?:])
    )""",
    re.VERBOSE,
)
_OPERATOR = re.compile(r"\|\||&&|==|!=|<=|>=|[<>!()+\-*/?:]")
_INTEGER = re.compile(r"-?[0-9]*")

Value = int | str | tuple[str]  # a 1-tuple marks a version literal


class _Unknown:
    """The value of a token whose expansion was not exact: it decides nothing."""


UNKNOWN = _Unknown()
Result = Value | _Unknown


class LazyExpander(Protocol):
    """What `evaluate_lazy` needs from the macro expander."""

    def expand_exact(self, text: str) -> str | None:
        """``text`` expanded, or None when the expansion is not exact."""

    def uncertain(self) -> AbstractContextManager[None]:
        """A block whose definitions may or may not happen (a branch of an undecided ``?:``)."""


class _Undecidable(Exception):
    pass


def evaluate(text: str) -> bool | None:
    """The truth of an expanded ``%if`` expression, or None when it cannot be decided."""
    try:
        tokens = _tokenize(text)
        if not tokens:
            return None
        parser = _Parser(tokens, None)
        value = parser.expr()
        if parser.position != len(tokens) or isinstance(value, _Unknown):
            return None
    except (_Undecidable, ZeroDivisionError, RecursionError, ValueError):  # ValueError: int() of 5000 digits
        return None
    return _truth(value)


def evaluate_lazy(text: str, expander: LazyExpander | None) -> str | None:
    """The text a ``%[...]`` expansion produces, or None when it cannot be decided. Without an
    ``expander``, ``text`` is expanded already and its tokens are read as they are: ``%{expr:}``
    expands its argument, then evaluates it (``"%%{h}"`` is the string ``%{h}``)."""
    try:
        tokens = list(_raw_tokens(text)) if expander is not None else _tokenize(text)
        if not tokens:
            return None
        parser = _Parser(tokens, expander)
        value = parser.expr()
        if parser.position != len(tokens) or isinstance(value, _Unknown):
            return None
    except (_Undecidable, ZeroDivisionError, RecursionError, ValueError):
        return None
    if isinstance(value, tuple):
        return value[0]
    return str(value)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Undecidable
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _raw_tokens(text: str) -> Iterator[tuple[str, str]]:
    """Tokens of a ``%[...]`` body, integers and strings still unexpanded (``raw*`` kinds)."""
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        char = text[position]
        if char.isdigit() or char == "%":
            end = position
            while end < len(text) and (text[end].isdigit() or text[end] == "%"):
                end = macro_end(text, end + 1) if text[end] == "%" else end + 1
            yield "rawint", text[position:end]
            position = end
        elif char == '"' or text.startswith('v"', position):
            start = position + (2 if char == "v" else 1)
            end = start
            while end < len(text) and text[end] != '"':
                end = macro_end(text, end + 1) if text[end] == "%" else end + 1
            if end >= len(text):
                raise _Undecidable  # unterminated string
            yield ("rawver" if char == "v" else "rawstr"), text[start:end]
            position = end + 1
        else:
            match = _OPERATOR.match(text, position)
            if match is None:
                raise _Undecidable  # a bare word or a Lua function call
            yield "op", match.group()
            position = match.end()


def _truth(value: Value) -> bool:
    """rpm's ``boolifyValue``: a number other than 0, a string not empty; a version never
    (rpm 4.18: ``%if v"1"`` is false, ``!v"1"`` is 1, ``v"1" || "x"`` is refused)."""
    if isinstance(value, int):
        return value != 0
    if isinstance(value, tuple):
        return False
    return value != ""


def _same_types(value: Result, other: Result) -> None:
    """rpm refuses ``"a" && 1``, ``0 || v"1"`` and ``1 ? "a" : 0`` ("types must match"), in a
    branch it skips too: such a spec builds nowhere, so no branch of it is rpm's to take."""
    if not isinstance(value, _Unknown) and not isinstance(other, _Unknown) and type(value) is not type(other):
        raise _Undecidable


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], expander: LazyExpander | None) -> None:
        self.tokens = tokens
        self.position = 0
        self.expander = expander
        self.discard = 0  # > 0 while parsing a branch rpm skips: nothing in it is expanded

    def _peek(self) -> str | None:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "op":
            return self.tokens[self.position][1]
        return None

    def _take(self, *ops: str) -> str | None:
        op = self._peek()
        if op in ops:
            self.position += 1
            return op
        return None

    def _branch(self, taken: bool | None, parse: Callable[[], Result]) -> Result:
        """Parse one operand of a short-circuit: expanded if ``taken``, skipped if False,
        expanded as something that may or may not happen if None (an unknown condition)."""
        if taken is None and self.expander is not None and not self.discard:
            with self.expander.uncertain():
                return parse()
        if taken is False:
            self.discard += 1
            try:
                return parse()
            finally:
                self.discard -= 1
        return parse()

    def expr(self) -> Result:
        condition = self._or()
        if not self._take("?"):
            return condition
        truth = None if isinstance(condition, _Unknown) else _truth(condition)
        yes = self._branch(truth, self.expr)
        if not self._take(":"):
            raise _Undecidable
        no = self._branch(None if truth is None else not truth, self.expr)
        _same_types(yes, no)
        if truth is None:
            return yes if yes == no and not isinstance(yes, _Unknown) else UNKNOWN
        return yes if truth else no

    def _or(self) -> Result:
        value = self._and()
        while self._take("||"):
            truth = None if isinstance(value, _Unknown) else _truth(value)
            other = self._branch(None if truth is None else not truth, self._and)
            _same_types(value, other)
            if truth is None:
                value = UNKNOWN
            elif not truth:
                value = other
        return value

    def _and(self) -> Result:
        value = self._rel()
        while self._take("&&"):
            truth = None if isinstance(value, _Unknown) else _truth(value)
            other = self._branch(truth, self._rel)
            _same_types(value, other)
            if truth is None:
                value = UNKNOWN
            elif truth:
                value = other
        return value

    def _rel(self) -> Result:
        value = self._add()
        while (op := self._take("==", "!=", "<", "<=", ">", ">=")) is not None:
            other = self._add()
            if isinstance(value, _Unknown) or isinstance(other, _Unknown):
                value = UNKNOWN
                continue
            result = _compare(value, other)
            value = int(_COMPARISONS[op](result))
        return value

    def _add(self) -> Result:
        value = self._mul()
        while (op := self._take("+", "-")) is not None:
            other = self._mul()
            if isinstance(value, _Unknown) or isinstance(other, _Unknown):
                value = UNKNOWN
            elif isinstance(value, int) and isinstance(other, int):
                value = _int32(value + other if op == "+" else value - other)
            elif op == "+" and isinstance(value, str) and isinstance(other, str):
                value = value + other
            else:
                raise _Undecidable
        return value

    def _mul(self) -> Result:
        value = self._unary()
        while (op := self._take("*", "/")) is not None:
            other = self._unary()
            if isinstance(value, _Unknown) or isinstance(other, _Unknown):
                value = UNKNOWN
                continue
            if not (isinstance(value, int) and isinstance(other, int)):
                raise _Undecidable
            if op == "/" and other == 0 and self.discard:
                value = 0  # rpm does not divide in a skipped branch
                continue
            value = _int32(value * other) if op == "*" else _c_divide(value, other)
        return value

    def _unary(self) -> Result:
        if self._take("!"):
            value = self._unary()
            return value if isinstance(value, _Unknown) else int(not _truth(value))
        if self._take("-"):
            value = self._unary()
            if isinstance(value, _Unknown):
                return value
            if not isinstance(value, int):
                raise _Undecidable
            return _int32(-value)
        return self._primary()

    def _primary(self) -> Result:
        if self._take("("):
            value = self.expr()
            if not self._take(")"):
                raise _Undecidable
            return value
        if self.position >= len(self.tokens):
            raise _Undecidable
        kind, text = self.tokens[self.position]
        self.position += 1
        if kind == "int":
            return _literal(text)
        if kind == "str":
            return text
        if kind == "ver":
            return (text,)
        if kind.startswith("raw"):
            return self._raw(kind, text)
        raise _Undecidable

    def _raw(self, kind: str, text: str) -> Result:
        """A token of a ``%[...]`` body: expanded now, unless its branch is skipped."""
        if self.discard:
            skipped: Value = 0 if kind == "rawint" else "" if kind == "rawstr" else ("0",)
            return skipped
        assert self.expander is not None
        expanded = self.expander.expand_exact(text) if "%" in text else text
        if expanded is None:
            return UNKNOWN
        if kind == "rawstr":
            return expanded
        if kind == "rawver":
            return (expanded,)
        if not _INTEGER.fullmatch(expanded):
            raise _Undecidable  # rpm: "macro expansion did not return an integer"
        return _literal(expanded) if expanded not in ("", "-") else 0


_COMPARISONS: dict[str, Callable[[int], bool]] = {
    "==": lambda result: result == 0,
    "!=": lambda result: result != 0,
    "<": lambda result: result < 0,
    "<=": lambda result: result <= 0,
    ">": lambda result: result > 0,
    ">=": lambda result: result >= 0,
}
_LONG_MAX = 2**63 - 1


def _int32(value: int) -> int:
    """``value`` as rpm's expression parser holds it: a C ``int``, which wraps (2147483647 + 1 is
    -2147483648, 65536 * 65536 is 0): an %if rpm takes on the wrapped value took the other branch."""
    return (value + 2**31) % 2**32 - 2**31


def _literal(text: str) -> int:
    """A number written in an expression, as rpm reads it: ``strtol`` (saturating at the long's
    largest) cast to ``int`` (so 4294967296 is 0, and 2147483648 is -2147483648)."""
    value = int(text)
    return _int32(max(-_LONG_MAX - 1, min(value, _LONG_MAX)))


def _c_divide(value: int, other: int) -> int:
    """C's division: truncated toward zero (-7 / 2 is -3), exact on any integers."""
    quotient = abs(value) // abs(other)
    return _int32(quotient if (value >= 0) == (other > 0) else -quotient)


def _split_evr(text: str) -> tuple[str, str, str]:
    """``[epoch:]version[-release]`` as rpmverParse splits it: an epoch only when digits lead up
    to the colon (none is 0), a release after the last ``-`` (none is empty)."""
    digits = len(text) - len(text.lstrip("0123456789"))
    epoch, rest = "0", text
    if text[digits : digits + 1] == ":":
        epoch, rest = text[:digits] or "0", text[digits + 1 :]
    version, dash, release = rest.rpartition("-")
    return (epoch, version, release) if dash else (epoch, rest, "")


def _compare_versions(left: str, right: str) -> int:
    """``v"..."`` operands as rpm compares them: epoch, then version, then release."""
    for mine, theirs in zip(_split_evr(left), _split_evr(right), strict=True):
        result = rpmvercmp(mine, theirs)
        if result:
            return result
    return 0


def _compare(left: Value, right: Value) -> int:
    if isinstance(left, int) and isinstance(right, int):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return _compare_versions(left[0], right[0])
    raise _Undecidable
