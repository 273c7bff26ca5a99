"""How a macro reference is written: where it ends (rpm's ``findMacroEnd``), the bracket that
closes it, and the ``!`` and ``?`` before its name (``setNegateAndCheck``).

The expander (`auditor.rpm.spec.macros`) reads a reference from its ``%`` to its end, and so
does the expression reader (`auditor.rpm.spec.expression`) when it takes a ``%[...]`` token
whole, to expand it only if its branch is taken. How a reference is written is neither's
concern alone, so it is a module of its own, below both; what it says (a definition, a test,
a call) is the expander's.
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


def flags(reference: str) -> tuple[bool, bool, str]:
    """rpm's ``setNegateAndCheck``: the ``!`` and ``?`` before a name, and the name."""
    if reference[:1] not in ("!", "?"):
        return False, False, reference  # the usual name, with neither
    negate = False
    conditional = False
    index = 0
    while index < len(reference) and reference[index] in "!?":
        if reference[index] == "!":
            negate = not negate
        else:
            conditional = True
        index += 1
    return negate, conditional, reference[index:]


def braced(body: str) -> tuple[bool, bool, str, str]:
    """What a ``%{...}`` reference holds: its flags (`flags`), its name, which ends at the first
    blank or ``:``, and what follows the name (a ``:`` and an argument, or a blank and text)."""
    if body.isidentifier():
        return False, False, body, ""  # the usual %{name}: a name alone, known sooner
    if body[:1] == "?" and body[1:].isidentifier():
        return False, True, body[1:], ""  # and %{?name}
    negate, conditional, inner = flags(body)
    cut = min((index for index in (inner.find(" "), inner.find(":")) if index >= 0), default=len(inner))
    return negate, conditional, inner[:cut], inner[cut:]


def matching(text: str, open_index: int) -> int:
    """Index of the bracket closing ``text[open_index]``, counting nesting; -1 if none."""
    opener = text[open_index]
    closer = _CLOSERS[opener]
    close = text.find(closer, open_index + 1)
    if close >= 0 and text.find(opener, open_index + 1, close) < 0:
        return close  # the usual reference, nothing nested: found by str.find, not in a loop
    depth = 0
    for i in range(open_index, len(text)):
        char = text[i]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i
    return -1


_CLOSERS = {"{": "}", "(": ")", "[": "]"}
