"""`PrimaryLayout` checks each dependency entry once, when first seen, and trusts its key after:
whatever else a section holds, next to entries seen before, still sends the document to expat."""

from __future__ import annotations

import pytest

from tests.fuzz.layout import by_expat, by_layout
from tests.fuzz.targets import seed_primary

TEXT = seed_primary().decode()
FIRST_ENTRY = TEXT[TEXT.index("<rpm:entry ") : TEXT.index("/>", TEXT.index("<rpm:entry ")) + 2]


def _twice(between: str, after: str = "") -> bytes:
    """The first entry written twice in its section, ``between`` the two and ``after`` them."""
    assert FIRST_ENTRY in TEXT
    return TEXT.replace(FIRST_ENTRY, FIRST_ENTRY + between + FIRST_ENTRY + after, 1).encode()


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(_twice("x"), id="text-before-a-known-entry"),
        pytest.param(_twice("<!-- c -->"), id="comment-before-a-known-entry"),
        pytest.param(_twice("", "x"), id="text-after-the-last-entry"),
        pytest.param(_twice("", '"/>'), id="stray-end-of-entry"),
        pytest.param(_twice("\r"), id="carriage-return-between-entries"),
        pytest.param(_twice("", "<rpm:entry/>"), id="entry-without-attributes"),
    ],
)
def test_anything_beside_known_entries_goes_to_expat(document: bytes) -> None:
    assert by_layout(document) is None
    assert by_layout(document, 7) is None


def test_a_known_entry_repeated_reads_as_expat_reads_it() -> None:
    document = _twice("\n\t ")
    expected = by_expat(document)
    assert expected is not None and by_layout(document) == expected


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param('<rpm:entry name="/>b"/>', id="name"),
        pytest.param('<rpm:entry name="a" flags="EQ" epoch="0" ver="/>1"/>', id="version"),
        pytest.param('<rpm:entry name="/>b" flags="XX" ver="1"/>', id="bad-flags"),
        pytest.param('<rpm:entry name="/>&amp;b"/>', id="escaped"),
    ],
)
def test_a_value_beginning_with_the_end_of_an_entry_stays_in_the_layout(entry: str) -> None:
    # XML and createrepo_c's layout allow '/>' at the start of a value: the reader splits a
    # body at '"/>', and must not give such a body up (or read it otherwise than expat does).
    document = _twice("\n      ", "\n      " + entry)
    expected = by_expat(document)
    assert expected is not None
    assert by_layout(document) == expected
    assert by_layout(document, 7) == expected
