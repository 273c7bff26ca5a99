"""Parse rpm's rich (boolean) dependencies into a tree.

Grammar, as rpm's ``rpmrichParse`` (lib/rpmds.c) accepts it::

    rich     = "(" body ")"
    body     = operand
             | operand ( "and" operand )+
             | operand ( "or" operand )+
             | operand ( "with" operand )+
             | operand "without" operand
             | operand "if" operand [ "else" operand ]
             | operand "unless" operand [ "else" operand ]
    operand  = rich | simple
    simple   = NAME [ ( "<" | "<=" | "=" | ">=" | ">" ) EVR ]

A NAME runs to whitespace, a comma or an unbalanced ``)``; parentheses inside it nest,
so ``perl(Foo::Bar)`` and ``gitsha(https://…)`` are names. Different operators cannot
be mixed at one level without parentheses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from auditor.core.errors import DependencySyntaxError
from auditor.rpm.model import EVR, Dependency, Op


class RichOp(enum.Enum):
    AND = "and"
    OR = "or"
    IF = "if"
    UNLESS = "unless"
    WITH = "with"
    WITHOUT = "without"


@dataclass(frozen=True, slots=True)
class Simple:
    dep: Dependency

    def __str__(self) -> str:
        return str(self.dep)


@dataclass(frozen=True, slots=True)
class Rich:
    """``op`` over ``operands``; for IF/UNLESS the operands are (then, condition[, else])."""

    op: RichOp
    operands: tuple[Node, ...]

    @property
    def otherwise(self) -> Node | None:
        return self.operands[2] if len(self.operands) == 3 else None

    def __str__(self) -> str:
        parts = [_operand_text(self.operands[0])]
        if self.op in (RichOp.IF, RichOp.UNLESS):
            parts += [self.op.value, _operand_text(self.operands[1])]
            if self.otherwise is not None:
                parts += ["else", _operand_text(self.otherwise)]
        else:
            for operand in self.operands[1:]:
                parts += [self.op.value, _operand_text(operand)]
        return "(" + " ".join(parts) + ")"


Node = Simple | Rich

MAX_NESTING = 32
"""Parentheses deeper than this are refused: real rich dependencies nest a few levels, and
every walk of the tree (parse, evaluate, print) recurses once per level."""

_KEYWORDS = {op.value: op for op in RichOp}
_COMPARISONS = {"<": Op.LT, "<=": Op.LE, "=<": Op.LE, "=": Op.EQ, "==": Op.EQ, ">=": Op.GE,
                "=>": Op.GE, ">": Op.GT}  # fmt: skip


def _operand_text(node: Node) -> str:
    return str(node)


@lru_cache(maxsize=1 << 14)
def parse(text: str) -> Node:
    """Parse a dependency string: a rich ``( … )`` expression or a plain ``name [op evr]``.

    Raises `DependencySyntaxError` with the position of the problem.
    """
    parser = _Parser(text)
    parser.skip_space()
    if parser.peek() == "(":
        node = parser.rich()
    else:
        node = parser.simple()
    parser.skip_space()
    if parser.position != len(text):
        parser.fail("unexpected text after the dependency")
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.depth = 0

    def fail(self, message: str) -> None:
        raise DependencySyntaxError(message, text=self.text, position=self.position)

    def peek(self) -> str:
        return self.text[self.position : self.position + 1]

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def rich(self) -> Node:
        """rich = "(" body ")" """
        if self.peek() != "(":
            self.fail("expected '('")
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(f"parentheses nested more than {MAX_NESTING} deep")
        self.position += 1
        self.skip_space()
        first = self.operand()
        operands = [first]
        op: RichOp | None = None
        while True:
            self.skip_space()
            if self.peek() == ")":
                self.position += 1
                break
            if not self.peek():
                self.fail("missing ')'")
            word_start = self.position
            word = self.word()
            keyword = _KEYWORDS.get(word)
            if word == "else":
                if op not in (RichOp.IF, RichOp.UNLESS) or len(operands) != 2:
                    self.position = word_start
                    self.fail("'else' without 'if' or 'unless'")
            elif keyword is None:
                self.position = word_start
                self.fail(f"expected an operator, found {word!r}")
            elif op is None:
                op = keyword
            elif keyword is not op or op in (RichOp.IF, RichOp.UNLESS, RichOp.WITHOUT):
                self.position = word_start
                self.fail(f"cannot mix {op.value!r} and {word!r} without parentheses")
            self.skip_space()
            operands.append(self.operand())
        self.depth -= 1
        if op is None:
            return first  # "(name)" is the plain name
        if op is RichOp.WITHOUT and len(operands) != 2:
            self.fail("'without' takes exactly two operands")
        return Rich(op, tuple(operands))

    def operand(self) -> Node:
        if self.peek() == "(":
            return self.rich()
        return self.simple()

    def word(self) -> str:
        start = self.position
        while (
            self.position < len(self.text)
            and not self.text[self.position].isspace()
            and self.text[self.position] not in "()"
        ):
            self.position += 1
        return self.text[start : self.position]

    def name(self) -> str:
        start = self.position
        depth = 0
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if char.isspace() or char == ",":
                break
            if char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "(":
                depth += 1
            self.position += 1
        if self.position == start:
            self.fail("expected a dependency name")
        return text[start : self.position]

    def simple(self) -> Node:
        """simple = NAME [ comparison EVR ]"""
        name = self.name()
        if name in _KEYWORDS or name == "else":
            self.position -= len(name)
            self.fail(f"expected a dependency name, found the operator {name!r}")
        saved = self.position
        self.skip_space()
        start = self.position
        while self.position < len(self.text) and self.text[self.position] in "<=>":
            self.position += 1
        symbol = self.text[start : self.position]
        if not symbol:
            self.position = saved
            return Simple(Dependency(name))
        op = _COMPARISONS.get(symbol)
        if op is None:
            self.position = start
            self.fail(f"unknown comparison {symbol!r}")
        self.skip_space()
        evr_start = self.position
        evr = self.name()
        try:
            return Simple(Dependency(name, op, EVR.parse(evr)))
        except ValueError as exc:
            self.position = evr_start
            self.fail(str(exc))
            raise  # not reached: fail() raises


def leaves(node: Node) -> list[Dependency]:
    """Every simple dependency in a tree, in order."""
    if isinstance(node, Simple):
        return [node.dep]
    found: list[Dependency] = []
    for operand in node.operands:
        found.extend(leaves(operand))
    return found
