"""rpm's ``%if`` expression language, evaluated without side effects.

Grammar (rpm ``rpmio/expression.c``), lowest precedence first::

    expr    = or ( "?" expr ":" expr )?
    or      = and ( "||" and )*
    and     = eq ( "&&" eq )*
    eq      = rel ( ("==" | "!=") rel )*
    rel     = add ( ("<" | "<=" | ">" | ">=") add )*
    add     = mul ( ("+" | "-") mul )*
    mul     = unary ( ("*" | "/") unary )*
    unary   = ("!" | "-") unary | primary
    primary = INTEGER | '"' STRING '"' | 'v"' VERSION '"' | "(" expr ")"

Anything else (a bare word, an unexpanded macro) makes the expression undecidable, and
`evaluate` returns None: the caller reads both branches rather than guessing.
"""

from __future__ import annotations

import re

from auditor.rpm.evr import rpmvercmp

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<int>\d+)
      | v"(?P<ver>[^"]*)"
      | "(?P<str>[^"]*)"
      | (?P<op>\|\||&&|==|!=|<=|>=|[<>!()+\-*/?:])
    )""",
    re.VERBOSE,
)

Value = int | str | tuple[str]  # a 1-tuple marks a version literal


class _Undecidable(Exception):
    pass


def evaluate(text: str) -> bool | None:
    """The truth of an expanded ``%if`` expression, or None when it cannot be decided."""
    try:
        tokens = _tokenize(text)
        if not tokens:
            return None
        parser = _Parser(tokens)
        value = parser.expr()
        if parser.position != len(tokens):
            return None
    except (_Undecidable, ZeroDivisionError, RecursionError, ValueError):  # ValueError: int() of 5000 digits
        return None
    return _truth(value)


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


def _truth(value: Value) -> bool:
    if isinstance(value, int):
        return value != 0
    if isinstance(value, tuple):
        return bool(value[0])
    return value != ""


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

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

    def expr(self) -> Value:
        condition = self._or()
        if self._take("?"):
            yes = self.expr()
            if not self._take(":"):
                raise _Undecidable
            no = self.expr()
            return yes if _truth(condition) else no
        return condition

    def _or(self) -> Value:
        value = self._and()
        while self._take("||"):
            other = self._and()
            value = value if _truth(value) else other
        return value

    def _and(self) -> Value:
        value = self._eq()
        while self._take("&&"):
            other = self._eq()
            value = other if _truth(value) else value
        return value

    def _eq(self) -> Value:
        value = self._rel()
        while (op := self._take("==", "!=")) is not None:
            result = _compare(value, self._rel())
            value = int((result == 0) == (op == "=="))
        return value

    def _rel(self) -> Value:
        value = self._add()
        while (op := self._take("<", "<=", ">", ">=")) is not None:
            result = _compare(value, self._add())
            value = int({"<": result < 0, "<=": result <= 0, ">": result > 0, ">=": result >= 0}[op])
        return value

    def _add(self) -> Value:
        value = self._mul()
        while (op := self._take("+", "-")) is not None:
            other = self._mul()
            if isinstance(value, int) and isinstance(other, int):
                value = value + other if op == "+" else value - other
            elif op == "+" and isinstance(value, str) and isinstance(other, str):
                value = value + other
            else:
                raise _Undecidable
        return value

    def _mul(self) -> Value:
        value = self._unary()
        while (op := self._take("*", "/")) is not None:
            other = self._unary()
            if not (isinstance(value, int) and isinstance(other, int)):
                raise _Undecidable
            value = value * other if op == "*" else int(value / other)
        return value

    def _unary(self) -> Value:
        if self._take("!"):
            return int(not _truth(self._unary()))
        if self._take("-"):
            value = self._unary()
            if not isinstance(value, int):
                raise _Undecidable
            return -value
        return self._primary()

    def _primary(self) -> Value:
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
            return int(text)
        if kind == "str":
            return text
        if kind == "ver":
            return (text,)
        raise _Undecidable


def _compare(left: Value, right: Value) -> int:
    if isinstance(left, int) and isinstance(right, int):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return rpmvercmp(left[0], right[0])
    raise _Undecidable
