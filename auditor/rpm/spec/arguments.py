"""A parametric macro call's arguments as rpm 4.18 splits them (``splitQuoted`` in rpmio/macro.c)."""

from __future__ import annotations

QUOTE_MARK = "\x1f"
"""What ``%{quote:}`` puts around its text in rpm 4.18: its blanks part no arguments."""


def split_arguments(text: str) -> list[str]:
    """A parametric macro's arguments, already expanded, split as rpm 4.18's ``splitQuoted``
    does: at blanks and tabs only (a line break, ``%{f a\\<newline>b c}``, stays in its
    argument), none between two ``%{quote:}`` marks (unit separators, dropped from the word,
    which is kept even empty), and a last word whose mark is not closed is lost."""
    words: list[str] = []
    start = 0
    quoted = False
    for at, char in enumerate(text.partition("\0")[0] + "\0"):  # a C string: it ends at a NUL
        if not quoted and char in " \t\0":
            if at > start:
                words.append(text[start:at].replace(QUOTE_MARK, ""))
            start = at + 1
        if char == QUOTE_MARK:
            quoted = not quoted
    return words
