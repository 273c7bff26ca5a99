"""The rich dependency parser: structure, round trip, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.core.errors import DependencySyntaxError
from auditor.rpm.deps import Node, Rich, RichOp, Simple, leaves, parse
from auditor.rpm.model import EVR, Dependency, Op


def simple(name: str, op: Op | None = None, evr: str | None = None) -> Simple:
    return Simple(Dependency(name, op, EVR.parse(evr) if evr else None))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foo", simple("foo")),
        ("foo >= 1.0-1", simple("foo", Op.GE, "1.0-1")),
        ("(a or b)", Rich(RichOp.OR, (simple("a"), simple("b")))),
        ("(a or b or c)", Rich(RichOp.OR, (simple("a"), simple("b"), simple("c")))),
        ("(a and b >= 2)", Rich(RichOp.AND, (simple("a"), simple("b", Op.GE, "2")))),
        ("(a if b)", Rich(RichOp.IF, (simple("a"), simple("b")))),
        ("(a if b else c)", Rich(RichOp.IF, (simple("a"), simple("b"), simple("c")))),
        ("(a unless b)", Rich(RichOp.UNLESS, (simple("a"), simple("b")))),
        ("(a unless b else c)", Rich(RichOp.UNLESS, (simple("a"), simple("b"), simple("c")))),
        ("(a with b)", Rich(RichOp.WITH, (simple("a"), simple("b")))),
        ("(a without b)", Rich(RichOp.WITHOUT, (simple("a"), simple("b")))),
        (
            "(pkgx >= 1.0 with pkgx < 2.0)",
            Rich(RichOp.WITH, (simple("pkgx", Op.GE, "1.0"), simple("pkgx", Op.LT, "2.0"))),
        ),
        (
            "((q and r) or (s if t))",
            Rich(
                RichOp.OR,
                (Rich(RichOp.AND, (simple("q"), simple("r"))), Rich(RichOp.IF, (simple("s"), simple("t")))),
            ),
        ),
        (
            "(perl(Foo::Bar) >= 1.2 or python3dist(x))",
            Rich(RichOp.OR, (simple("perl(Foo::Bar)", Op.GE, "1.2"), simple("python3dist(x)"))),
        ),
        ("(foo)", simple("foo")),
        ("(  a   or\tb )", Rich(RichOp.OR, (simple("a"), simple("b")))),
        (
            "(/usr/bin/python3 or python(abi) = 3.11)",
            Rich(RichOp.OR, (simple("/usr/bin/python3"), simple("python(abi)", Op.EQ, "3.11"))),
        ),
    ],
)
def test_parse(text: str, expected: Node) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(a or b and c)",  # mixing without parentheses
        "(a if b if c)",
        "(a without b without c)",
        "(a or b",
        "(a foo b)",
        "(a else b)",
        "(a if b else c else d)",
        "(or a)",
        "(a or)",
        "()",
        "(a >> 1)",
        "(a or b) trailing",
        "(a >= " + "9" * 5000 + ":1 or b)",  # an epoch int() cannot convert
        "(" * 3000 + "a" + ")" * 3000,  # deeper than MAX_NESTING: would exhaust Python's stack
    ],
)
def test_errors_name_the_position(text: str) -> None:
    with pytest.raises(DependencySyntaxError) as info:
        parse(text)
    assert 0 <= info.value.position <= len(text)
    assert "^" in str(info.value)


def test_an_epoch_too_long_for_a_number_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="5000 digits"):
        EVR.parse("9" * 5000 + ":1.0")
    assert EVR.parse("0" * 40 + "7:1.0").epoch == 7


def test_nesting_up_to_the_limit_parses() -> None:
    from auditor.rpm.deps import MAX_NESTING

    deep = "(" * (MAX_NESTING - 1) + "(a or b)" + ")" * (MAX_NESTING - 1)
    assert leaves(parse(deep)) == [Dependency("a"), Dependency("b")]
    with pytest.raises(DependencySyntaxError, match="nested more than"):
        parse("(" + deep + ")")


def test_leaves() -> None:
    assert [str(dep) for dep in leaves(parse("((a and b >= 1) or (c if d else e))"))] == [
        "a",
        "b >= 1",
        "c",
        "d",
        "e",
    ]


names = st.sampled_from(
    ["a", "b", "c", "perl(X::Y)", "lib.so.1()(64bit)", "/usr/bin/sh", "gitsha(https://h/x?a=1&b=2#/x.tgz)"]
)
ops = st.sampled_from([None, Op.LT, Op.LE, Op.EQ, Op.GE, Op.GT])
evrs = st.sampled_from(["1", "1.0-1", "2:3.4~rc1-5.el7", "1.0^git1"])


@st.composite
def simple_nodes(draw: st.DrawFn) -> Node:
    op = draw(ops)
    return Simple(Dependency(draw(names), op, EVR.parse(draw(evrs)) if op else None))


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    chained = st.tuples(
        st.sampled_from([RichOp.AND, RichOp.OR, RichOp.WITH]), st.lists(children, min_size=2, max_size=4)
    )
    conditional = st.tuples(
        st.sampled_from([RichOp.IF, RichOp.UNLESS]), st.lists(children, min_size=2, max_size=3)
    )
    without = st.tuples(st.just(RichOp.WITHOUT), st.lists(children, min_size=2, max_size=2))
    return st.one_of(chained, conditional, without).map(lambda pair: Rich(pair[0], tuple(pair[1])))


rich_trees = st.recursive(simple_nodes(), extend, max_leaves=8).filter(lambda node: isinstance(node, Rich))


@given(rich_trees)
def test_property_round_trip(node: Node) -> None:
    """Printing a tree and parsing the text gives the same tree."""
    assert parse(str(node)) == node
