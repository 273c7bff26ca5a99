"""Where a macro reference ends: rpm's ``findMacroEnd``.

The expander (`auditor.rpm.spec.macros`) reads a reference from its ``%`` to its end, and so
does the expression reader (`auditor.rpm.spec.expression`) when it takes a ``%[...]`` token
whole, to expand it only if its branch is taken. How a reference is written is neither's
concern alone, so it is a module of its own, below both.
"""

from __future__ import annotations


def macro_end(text: str, start: int) -> int:
    """Where the macro reference whose ``%`` is at ``start - 1`` ends (rpm's ``findMacroEnd``)."""
    if start >= len(text):
        return start
    char = text[start]
    if char == "%":
        return start + 1
    if char in "{([":
        closer = {"{": "}", "(": ")", "[": "]"}[char]
        depth = 0
        for index in range(start, len(text)):
            if text[index] == char:
                depth += 1
            elif text[index] == closer:
                depth -= 1
                if depth == 0:
                    return index + 1
        return len(text)
    index = start
    while index < len(text) and text[index] in "?!":
        index += 1
    if index < len(text) and text[index] == "-":
        index += 1
    while index < len(text) and (text[index].isalnum() or text[index] == "_"):
        index += 1
    if text.startswith("**", index):
        return index + 2
    if index < len(text) and text[index] in "*#":
        return index + 1
    return index
