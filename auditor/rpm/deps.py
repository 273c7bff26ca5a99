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
from auditor.rpm.model import EVR, Dependency
from auditor.rpm.tokenizer import Tokenizer


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


def _operand_text(node: Node) -> str:
    return str(node)


@lru_cache(maxsize=1 << 14)
def parse(text: str) -> Node:
    """Parse a dependency string: a rich ``( … )`` expression or a plain ``name [op evr]``.

    Raises `DependencySyntaxError` with the position of the problem.
    """
    parser = _Parser(text)
    tokens = parser.tokens
    tokens.skip_space()
    node = parser.rich() if tokens.peek() == "(" else parser.simple()
    tokens.skip_space()
    if not tokens.at_end:
        tokens.fail("unexpected text after the dependency")
    return node


class _Parser:
    """The grammar of the module docstring over the shared `Tokenizer`."""

    def __init__(self, text: str) -> None:
        self.tokens = Tokenizer(text)
        self.depth = 0

    def rich(self) -> Node:
        """rich = "(" body ")" """
        tokens = self.tokens
        if tokens.peek() != "(":
            tokens.fail("expected '('")
        self.depth += 1
        if self.depth > MAX_NESTING:
            tokens.fail(f"parentheses nested more than {MAX_NESTING} deep")
        tokens.position += 1
        tokens.skip_space()
        first = self.operand()
        operands = [first]
        op: RichOp | None = None
        while True:
            tokens.skip_space()
            if tokens.peek() == ")":
                tokens.position += 1
                break
            if tokens.at_end:
                tokens.fail("missing ')'")
            word_start = tokens.position
            word = tokens.word()
            keyword = _KEYWORDS.get(word)
            if word == "else":
                if op not in (RichOp.IF, RichOp.UNLESS) or len(operands) != 2:
                    tokens.fail("'else' without 'if' or 'unless'", word_start)
            elif keyword is None:
                tokens.fail(f"expected an operator, found {word!r}", word_start)
            elif op is None:
                op = keyword
            elif keyword is not op or op in (RichOp.IF, RichOp.UNLESS, RichOp.WITHOUT):
                tokens.fail(f"cannot mix {op.value!r} and {word!r} without parentheses", word_start)
            tokens.skip_space()
            operands.append(self.operand())
        self.depth -= 1
        if op is None:
            return first  # "(name)" is the plain name
        if op is RichOp.WITHOUT and len(operands) != 2:
            tokens.fail("'without' takes exactly two operands")
        return Rich(op, tuple(operands))

    def operand(self) -> Node:
        return self.rich() if self.tokens.peek() == "(" else self.simple()

    def simple(self) -> Node:
        """simple = NAME [ comparison EVR ]"""
        tokens = self.tokens
        start = tokens.position
        name = tokens.name()
        if name in _KEYWORDS or name == "else":
            tokens.fail(f"expected a dependency name, found the operator {name!r}", start)
        saved = tokens.position
        tokens.skip_space()
        op = tokens.comparison()
        if op is None:
            tokens.position = saved
            return Simple(Dependency(name))
        tokens.skip_space()
        evr_start = tokens.position
        evr = tokens.name()
        try:
            return Simple(Dependency(name, op, EVR.parse(evr)))
        except ValueError as exc:
            tokens.fail(str(exc), evr_start)


def leaves(node: Node) -> list[Dependency]:
    """Every simple dependency in a tree, in order."""
    if isinstance(node, Simple):
        return [node.dep]
    found: list[Dependency] = []
    for operand in node.operands:
        found.extend(leaves(operand))
    return found


def one_package_holds(condition: Node) -> bool:
    """Whether one package meets ``condition`` by providing it (a capability, a ``with``, a
    ``without``): what a condition of ``if`` and ``unless`` is held by."""
    return isinstance(condition, Simple) or condition.op in (RichOp.WITH, RichOp.WITHOUT)


def refused(requires: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
    """What a package's Requires forbid beside it, as a Conflicts would: the condition of each
    ``(A unless B)`` reached through ``and`` and the A of an ``unless`` only (no ``or``, no ``if``,
    no ``else``: those make it one choice). libsolv reads ``(A unless B)`` as "A,
    and not B", so a provider of B can never be installed with the package (a buildroot of a
    source package's BuildRequires never holds one), and is no way around a Citrix provider
    of what else it needs. One that does not parse forbids nothing."""
    found: list[Dependency] = []
    for dependency in requires:
        if not dependency.is_rich or " unless " not in dependency.name:
            continue
        try:
            node = parse(dependency.name)
        except DependencySyntaxError:
            continue
        found.extend(_refused_below(node))
    return tuple(found)


def _refused_below(node: Node) -> list[Dependency]:
    if isinstance(node, Simple):
        return []
    if node.op is RichOp.AND:
        return [dependency for operand in node.operands for dependency in _refused_below(operand)]
    if node.op is not RichOp.UNLESS or node.otherwise is not None:
        return []
    condition = node.operands[1]
    below = _refused_below(node.operands[0])  # (A unless B) needs A whatever: A's own refusals hold
    return [condition.dep if isinstance(condition, Simple) else Dependency(str(condition)), *below]
