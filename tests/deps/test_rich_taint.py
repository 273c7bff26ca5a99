"""Conditional rich requirements taint through every branch a host may end up taking."""

from __future__ import annotations

from tests.deps.test_graph import CITRIX, run, verdicts


def test_the_else_branch_of_a_possible_condition_is_still_pulled_in() -> None:
    """``(clean if cond else cx)``: dnf installs the package without ``cond`` unless something
    else pulls it in, and then installs ``cx``. Reading only the then-branch whenever ``cond``
    could be installed left the package clean."""
    results = run(
        [
            {"name": "cx", **CITRIX},
            {"name": "clean"},
            {"name": "cond"},
            {"name": "ifelse", "requires": ["(clean if cond else cx)"]},
            {"name": "unlesselse", "requires": ["(cx unless cond else clean)"]},
            {"name": "ifelse-impossible", "requires": ["(cx if nothere else clean)"]},
            {"name": "unlesselse-impossible", "requires": ["(clean unless nothere else cx)"]},
        ]
    )
    found = verdicts(results)
    assert found["ifelse"] == "depends"
    assert found["unlesselse"] == "depends"  # without cond, a host installs cx
    # A condition no package can meet decides the branch: only that one is pulled in.
    assert found["ifelse-impossible"] == "clean"
    assert found["unlesselse-impossible"] == "clean"
