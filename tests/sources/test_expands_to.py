"""Whether a spec line's value, macros and all, may expand to the builder's (`expands_to`)."""

from __future__ import annotations

import pytest

from auditor.sources.rebuildcode import expands_to


@pytest.mark.parametrize(
    ("value", "expanded", "may"),
    [
        ("https://www.citrix.com/%{xsdir}/s.tar.gz", "https://www.citrix.com/8.2/s.tar.gz", True),
        ("https://www.citrix.com/%{xsdir}/s.tar.gz", "https://example.org/s.tar.gz", False),
        ("https://%{xshost}.citrix.com/s.tar.gz", "https://example.org/s.tar.gz", False),
        ("%{url}/x-%{version}.tar.gz", "https://e.org/x-1.tar.gz", True),
        ("%a-%{?b}", "1-2", True),
        ("a%{b}a", "a", False),  # the text around a macro is not shared
        ("%{a}x%{b}x", "xx", True),
        ("%{?a:%{b}}x", "x", False),  # a macro inside a macro: unsure
        ("s.tar.gz", "s.tar.gz", True),
        ("s.tar.gz", "t.tar.gz", False),
        ("x", None, False),
    ],
)
def test_the_text_outside_the_macros_is_kept_in_order(value: str, expanded: str | None, may: bool) -> None:
    assert expands_to(value, expanded) is may


def test_a_value_of_many_macros_is_matched_piece_by_piece() -> None:
    """A spec's Source of 5,000 macros: as a regular expression, ``.*a`` 5,000 times, it backtracks
    without end over a value it does not match; each piece is looked for once."""
    assert not expands_to("%{a}a" * 5000 + "!", "a" * 100_000)
    assert expands_to("%{a}a" * 5000 + "!", "a" * 100_000 + "!")
