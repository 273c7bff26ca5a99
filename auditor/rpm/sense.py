"""rpm's RPMSENSE dependency flags, with rpm's own names (``lib/rpmds.h``).

A header stores each dependency's flags as one integer: the comparison in the low bits,
then qualifiers (the scriptlet a requirement is for, ``rpmlib()``, ``missingok``…) and bits
that only rpmbuild's dependency generators use. This is the only module that knows the
numbers; everything else speaks of `Op` and of qualifier words.
"""

from __future__ import annotations

import enum


class Sense(enum.IntFlag):
    """``enum rpmsenseFlags_e``. Bits this rpm does not know are kept (IntFlag's default)."""

    ANY = 0
    LESS = 1 << 1
    GREATER = 1 << 2
    EQUAL = 1 << 3
    POSTTRANS = 1 << 5
    PREREQ = 1 << 6
    PRETRANS = 1 << 7
    INTERP = 1 << 8
    SCRIPT_PRE = 1 << 9
    SCRIPT_POST = 1 << 10
    SCRIPT_PREUN = 1 << 11
    SCRIPT_POSTUN = 1 << 12
    SCRIPT_VERIFY = 1 << 13
    FIND_REQUIRES = 1 << 14
    FIND_PROVIDES = 1 << 15
    TRIGGERIN = 1 << 16
    TRIGGERUN = 1 << 17
    TRIGGERPOSTUN = 1 << 18
    MISSINGOK = 1 << 19
    PREUNTRANS = 1 << 20
    POSTUNTRANS = 1 << 21
    RPMLIB = 1 << 24
    TRIGGERPREIN = 1 << 25
    KEYRING = 1 << 26
    CONFIG = 1 << 28
    META = 1 << 29

    SENSEMASK = LESS | GREATER | EQUAL
    """The bits that hold the comparison (``RPMSENSE_SENSEMASK``)."""


# The word `rpm --qf '%{REQUIREFLAGS:deptype}'` prints for each qualifier bit, in its order.
QUALIFIER_WORDS: tuple[tuple[Sense, str], ...] = (
    (Sense.PREREQ, "prereq"),
    (Sense.PRETRANS, "pretrans"),
    (Sense.POSTTRANS, "posttrans"),
    (Sense.INTERP, "interp"),
    (Sense.SCRIPT_PRE, "pre"),
    (Sense.SCRIPT_POST, "post"),
    (Sense.SCRIPT_PREUN, "preun"),
    (Sense.SCRIPT_POSTUN, "postun"),
    (Sense.SCRIPT_VERIFY, "verify"),
    (Sense.MISSINGOK, "missingok"),
    (Sense.RPMLIB, "rpmlib"),
    (Sense.KEYRING, "keyring"),
    (Sense.CONFIG, "config"),
    (Sense.META, "meta"),
    (Sense.PREUNTRANS, "preuntrans"),
    (Sense.POSTUNTRANS, "postuntrans"),
)

PREREQ_WORDS = frozenset({"prereq", "pre", "post"})
"""What createrepo_c folds into repodata's ``pre="1"`` (PREREQ | SCRIPT_PRE | SCRIPT_POST)."""

SPEC_QUALIFIER_WORDS = frozenset(
    {"pre", "post", "preun", "postun", "pretrans", "posttrans", "preuntrans", "postuntrans",
     "interp", "verify", "meta"}
)  # fmt: skip
"""The words a spec may write in ``Requires(...)`` (rpm's ``parseRCPOT`` table)."""

_NO_QUALIFIERS: frozenset[str] = frozenset()


def qualifier_words(flags: int) -> frozenset[str]:
    """The qualifier words of a flags value (comparison and generator bits left out)."""
    if not flags & ~Sense.SENSEMASK:
        return _NO_QUALIFIERS
    return frozenset(word for bit, word in QUALIFIER_WORDS if flags & bit)


def comparison_bits(flags: int) -> int:
    """Only the comparison bits of a flags value: `Op.from_sense` looks these up."""
    return flags & Sense.SENSEMASK
