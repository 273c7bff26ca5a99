"""rpm's version comparison: ``rpmvercmp``, EVR ordering and dependency range overlap.

A line-by-line port of rpm 4.18 ``rpmio/rpmvercmp.c`` and ``lib/rpmver.c``
(``rpmverOverlap``). Pure functions, no I/O.
"""

from __future__ import annotations

from functools import lru_cache

from auditor.rpm.model import EVR, Op

_LESS, _GREATER, _EQUAL = 2, 4, 8
_OP_SENSE = {
    Op.LT.value: _LESS,
    Op.LE.value: _LESS | _EQUAL,
    Op.EQ.value: _EQUAL,
    Op.GE.value: _GREATER | _EQUAL,
    Op.GT.value: _GREATER,
}
"""By an operator's value: hashing the enum member runs Enum.__hash__ in Python, and
`ranges_overlap` looks two up for each versioned provide a requirement is compared with."""


def _isalnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@lru_cache(maxsize=1 << 16)
def rpmvercmp(a: str, b: str) -> int:
    """Compare two version (or release) strings: -1, 0 or 1, exactly as rpm does.

    Segments are maximal runs of ASCII digits or ASCII letters; anything else separates
    them. Digits beat letters, ``~`` sorts before everything (even the end of the
    string), ``^`` sorts after the end of the string but before any other segment.
    """
    if a == b:
        return 0
    i = j = 0
    len_a, len_b = len(a), len(b)
    while i < len_a or j < len_b:
        while i < len_a and not _isalnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len_b and not _isalnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < len_a else ""
        cb = b[j] if j < len_b else ""
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i += 1
            j += 1
            continue
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i += 1
            j += 1
            continue
        if not (ca and cb):
            break
        start_a, start_b = i, j
        if ca.isdigit():
            while i < len_a and a[i].isascii() and a[i].isdigit():
                i += 1
            while j < len_b and b[j].isascii() and b[j].isdigit():
                j += 1
            numeric = True
        else:
            while i < len_a and a[i].isascii() and a[i].isalpha():
                i += 1
            while j < len_b and b[j].isascii() and b[j].isalpha():
                j += 1
            numeric = False
        if j == start_b:
            return 1 if numeric else -1
        seg_a, seg_b = a[start_a:i], b[start_b:j]
        if numeric:
            seg_a = seg_a.lstrip("0")
            seg_b = seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return 1 if len(seg_a) > len(seg_b) else -1
        if seg_a != seg_b:
            return -1 if seg_a < seg_b else 1
    if i >= len_a and j >= len_b:
        return 0
    return -1 if i >= len_a else 1


def compare_evr(a: EVR, b: EVR) -> int:
    """Order two package EVRs as rpm does (a missing epoch is 0, a missing release is equal)."""
    result = (a.epoch or 0) - (b.epoch or 0)
    if result:
        return 1 if result > 0 else -1
    result = rpmvercmp(a.version, b.version)
    if result or a.release is None or b.release is None:
        return result
    return rpmvercmp(a.release, b.release)


def ranges_overlap(op_a: Op | None, evr_a: EVR | None, op_b: Op | None, evr_b: EVR | None) -> bool:
    """Whether two versioned capabilities (``name op evr``) can be satisfied together.

    rpm's ``rpmdsCompareIndex`` and ``rpmverOverlap``: an unversioned side (no operator)
    overlaps everything; a side without a release matches any release of the other when it
    includes equality. An empty *version* under an operator (``x = -1`` from an undefined
    macro, which rpmbuild accepts; createrepo_c writes it as ``epoch="0" rel="1"``) is not
    "unversioned": libsolv, which resolves for dnf, compares it, and ``""`` sorts below any
    version but a tilde one.
    """
    if op_a is None or op_b is None or evr_a is None or evr_b is None:
        return True
    flags_a, flags_b = _OP_SENSE[op_a._value_], _OP_SENSE[op_b._value_]
    epoch_a, epoch_b = evr_a.epoch or 0, evr_b.epoch or 0
    sense = (epoch_a > epoch_b) - (epoch_a < epoch_b)
    if sense == 0:
        sense = rpmvercmp(evr_a.version, evr_b.version)
        if sense == 0:
            if evr_a.release and evr_b.release:
                sense = rpmvercmp(evr_a.release, evr_b.release)
            elif (evr_a.release and flags_b & _EQUAL) or (evr_b.release and flags_a & _EQUAL):
                return True
    if sense < 0:
        return bool(flags_a & _GREATER or flags_b & _LESS)
    if sense > 0:
        return bool(flags_a & _LESS or flags_b & _GREATER)
    return bool(flags_a & flags_b & _EQUAL or flags_a & flags_b & _LESS or flags_a & flags_b & _GREATER)
