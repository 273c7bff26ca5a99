"""The one scanner of dependency text, on its own and through the three grammars that use it."""

from __future__ import annotations

import pytest

from auditor.core.errors import DependencySyntaxError, PolicyError
from auditor.gate.waivers import load_waivers
from auditor.rpm.deps import parse
from auditor.rpm.model import Op
from auditor.rpm.spec.dependencies import parse_dependency_list
from auditor.rpm.tokenizer import Tokenizer


def test_a_name_nests_parentheses_and_stops_at_one_that_closes_nothing() -> None:
    tokens = Tokenizer("perl(Foo::Bar) >= 1)")
    assert tokens.name() == "perl(Foo::Bar)"
    tokens.skip_space()
    assert tokens.comparison() is Op.GE
    tokens.skip_space()
    assert tokens.name() == "1" and tokens.peek() == ")"


@pytest.mark.parametrize(
    ("symbol", "op"),
    [
        ("<", Op.LT),
        ("<=", Op.LE),
        ("=<", Op.LE),
        ("=", Op.EQ),
        ("==", Op.EQ),
        (">=", Op.GE),
        ("=>", Op.GE),
        (">", Op.GT),
    ],
)
def test_every_comparison_rpm_accepts_means_one_op(symbol: str, op: Op) -> None:
    assert Tokenizer(symbol + "1").comparison() is op
    assert Tokenizer(symbol).comparison_token() is op


def test_an_unknown_comparison_points_at_its_start() -> None:
    tokens = Tokenizer("a <> 1")
    tokens.name()
    tokens.skip_space()
    with pytest.raises(DependencySyntaxError) as raised:
        tokens.comparison()
    assert raised.value.position == 2 and "'<>'" in raised.value.message


def test_a_comparison_token_must_be_a_whole_token_as_in_a_spec() -> None:
    tokens = Tokenizer(">=1")
    assert tokens.comparison_token() is None and tokens.position == 0
    assert [str(dep) for dep in parse_dependency_list("a >=1, b >= 2")] == ["a", ">=1", "b >= 2"]


def test_a_group_is_kept_whole_even_unclosed() -> None:
    assert Tokenizer("(a or (b and c)) d").balanced() == "(a or (b and c))"
    assert Tokenizer("(a or b").balanced() == "(a or b"
    assert [dep.name for dep in parse_dependency_list("x, (a or b) y")] == ["x", "(a or b)", "y"]


def test_rich_errors_point_at_the_offending_word() -> None:
    with pytest.raises(DependencySyntaxError) as raised:
        parse("(a and b or c)")
    assert raised.value.position == len("(a and b ")


def test_waiver_ranges_read_comparisons_with_the_same_scanner() -> None:
    waiver = {"package": "sm", "reason": "r", "owner": "o", "expires": "2099-01-01", "versions": "=< 2, => 1"}
    [loaded] = load_waivers([waiver], "auditor.toml")
    assert [op for op, _ in loaded.versions] == [Op.LE, Op.GE]
    with pytest.raises(PolicyError, match="does not start with"):
        load_waivers([{**waiver, "versions": "<> 1"}], "auditor.toml")
