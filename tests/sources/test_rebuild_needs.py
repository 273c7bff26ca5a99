"""Which BuildRequires of the spec a rebuild reads the builder's parse lacks, a macro in a name
standing for any text (`auditor.sources.rebuildcode.rebuild_needs`).

The names come from a source package's payload: a hostile one's ``BuildRequires:
x%{a}x%{a}x...`` matched by a regular expression of ``.*`` between the pieces backtracked
exponentially in their number (ten pieces against a 201-letter name gave no answer in two minutes).
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


def test_many_names_against_many_built_names_are_judged_at_once() -> None:
    """A hostile SRPM's 10,000 BuildRequires holding a macro against its 10,000 REQUIRENAMEs:
    each name was tried against every built name (minutes); only the built names that start
    with a name's first piece and end with its last can fit it, and past a bound of such
    tries a name is needed (a gap, never a name passed unseen)."""
    count = 10_000
    names = [f"n{number}%{{a}}z" for number in range(count)]
    assert rebuild_needs(names, {f"n{number}y" for number in range(count)}) == names
    assert rebuild_needs(names, {f"n{number}-z" for number in range(count)}) == []
    alike = [f"n%{{a}}{number}%{{b}}z" for number in range(count)]
    needed = rebuild_needs(alike, {f"n{number}z" for number in range(count)})
    assert needed and set(needed) <= set(alike)


def test_a_prefix_ending_in_the_last_code_point_still_finds_its_names() -> None:
    top = chr(0x10FFFF)
    built = {"a" + top + "x", "a" + top, "b"}
    assert rebuild_needs(["a" + top + "%{x}"], built) == []
    assert rebuild_needs(["%{x}" + top + "x"], built) == []
