"""Which BuildRequires of the spec a rebuild reads the builder's parse lacks, a macro in a name
standing for any text (`auditor.sources.rebuildcode.rebuild_needs`).

The names come from a source package's payload: a hostile one's ``BuildRequires:
x%{a}x%{a}x...`` matched by a regular expression of ``.*`` between the pieces backtracked
exponentially in their number (ten pieces against a 5,000-letter name held the run for minutes).
"""

from __future__ import annotations

from auditor.sources.rebuildcode import rebuild_needs


def test_a_macro_in_a_name_stands_for_any_text() -> None:
    built = {"python3-devel", "abc", "aXbYc", "aba"}
    assert rebuild_needs(["python%{python3_pkgversion}-devel", "a%{x}b%{y}c", "gcc"], built) == ["gcc"]
    # The pieces do not overlap: ab...ba is not aba.
    assert rebuild_needs(["ab%{x}ba"], built) == ["ab%{x}ba"]
    # A name that is macros alone fits nothing: only its line's branch could tell.
    assert rebuild_needs(["%{py3_dist idna}", "%{py3_dist idna}"], built) == ["%{py3_dist idna}"]


def test_many_pieces_against_a_long_name_are_judged_at_once() -> None:
    hostile = "%{a}".join(["x"] * 2_000)
    assert rebuild_needs([hostile], {"x" * 5_000 + "y"}) == [hostile]
    assert rebuild_needs([hostile], {"y" * 10, "x" * 5_000}) == []
    assert rebuild_needs([hostile + "z"], {"x" * 1_999}) == [hostile + "z"]
