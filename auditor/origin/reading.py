"""How the policy's field and licence rules read a package's value: as a person reads it.

A rule's pattern is written in ASCII (``citrix``, ``proprietary``); a value may spell the same
word with characters that look the same and are not: fullwidth letters, a no-break space
between words, a soft hyphen inside one, a Cyrillic U+0456 or a dotless U+0131 for its ``i``,
an ``i`` with a diaeresis or a combining stroke, ``Citrix_Systems`` (RE2's ``\\b`` takes
``_`` for a letter). `readings` gives the texts a rule tries, in order; the first one it matches is its
evidence, so a value a rule matched as written keeps the same finding and fingerprint.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from auditor.core.shipped import shipped_file

_WHITESPACE_RUN = re.compile(r"\s+")  # Python's Unicode \s: exactly the characters str.isspace() takes
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKS = frozenset({"Mn", "Me"})
_BRAND_MARKS = re.compile("[\u2120\u2122]")
"""The service mark and the trade mark sign, which NFKC spells ``SM`` and ``TM`` glued to the
name they follow: ``XenServer™`` would be ``XenServerTM``, one word, where a reader sees the
name and a mark."""
LOOKALIKES_FILE = "lookalikes.txt"


def _invisible(text: str) -> str:
    """``text`` without Unicode's format characters (category Cf: zero-width space and joiners,
    soft hyphen, bidirectional marks and isolates, the BOM...): they part nothing a reader
    sees, and a reviewer found a soft hyphen hiding ``Citrix`` from every field rule."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def normalised_text(value: str) -> str:
    """``value`` as a reader sees it, for matching: NFKC (fullwidth letters become ASCII ones,
    a no-break space a space), format characters dropped (`_invisible`), and every run of whitespace
    (Unicode's: U+00A0, U+2003, ``\\v``...) one ASCII space.

    A policy's pattern is RE2's, whose ``\\s`` and ``\\b`` are ASCII: ``Cloud<U+00A0>Software
    Group`` would part the words of a name the pattern knows.
    """
    if value.isascii():
        return _WHITESPACE_RUN.sub(" ", value)
    # RE2 matches UTF-8: a lone surrogate (a file name's byte that was not UTF-8) cannot be
    # given to it, and is no letter of any name or host a rule looks for.
    value = _SURROGATE.sub("\ufffd", value)
    return _WHITESPACE_RUN.sub(" ", _invisible(unicodedata.normalize("NFKC", value)))


@functools.cache
def _lookalikes() -> tuple[dict[int, str], dict[int, str]]:
    """The two translation tables of ``data/lookalikes.txt``: each character that looks like
    ASCII letters or digits to its first reading, and to its last (they differ for a dozen
    capitals, such as Greek capital iota: ``i`` as its small letter reads, ``l`` as itself).

    Read on the first value that is not ASCII, so that an audit of ASCII metadata (most of
    them) never opens it. A missing table is an installation fault, not a reason to read
    less: it raises.
    """
    path = shipped_file(LOOKALIKES_FILE)
    if path is None:
        raise FileNotFoundError(f"data/{LOOKALIKES_FILE} is missing from this installation")
    first: dict[int, str] = {}
    last: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        point, *readings = line.split("\t")
        first[int(point, 16)] = readings[0]
        last[int(point, 16)] = readings[-1]
    return first, last


def _folded(text: str) -> tuple[str, ...]:
    """``text`` with its accents and marks dropped (an ``i`` with a diaeresis is ``i``, a combining stroke is
    nothing) and each look-alike letter read as the ASCII one it looks like (UTS #39's
    confusables): in its first reading, then its last when they differ."""
    bare = "".join(
        char for char in unicodedata.normalize("NFD", text) if unicodedata.category(char) not in _MARKS
    )
    first, last = _lookalikes()
    return tuple(dict.fromkeys((bare.translate(first), bare.translate(last))))


def readings(value: str) -> tuple[str, ...]:
    """The texts a rule matches ``value`` as, in order: as written (`normalised_text`); then,
    when it is not ASCII, with accents, marks and look-alike letters folded (`_folded`); then
    each of those with ``_`` parting words; then, when it holds a trade or service mark, all
    of these again with each mark a space (`_BRAND_MARKS`). Each text is given once."""
    text = normalised_text(value)
    texts = [text] if text.isascii() else [text, *_folded(text)]
    texts += [each.replace("_", " ") for each in texts if "_" in each]
    if not value.isascii() and _BRAND_MARKS.search(value):
        # Last: a value matched with its marks read as letters (``Citrix™`` as CitrixTM)
        # keeps the finding it had.
        texts += readings(_BRAND_MARKS.sub(" ", value))
    return tuple(dict.fromkeys(texts))
