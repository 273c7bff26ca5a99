"""How rpm's ``readLine`` takes a spec's lines (``build/parseSpec.c``): the physical lines it
joins into one (`logical_line`), and, in text it joined, the lines it acts on itself, a
conditional or an ``%include`` (`rpm_lines`)."""

from __future__ import annotations

import re

CONDITIONAL = re.compile(
    r"^%(?:(else|endif)(?![A-Za-z])|(if|ifarch|ifnarch|ifos|ifnos|elif|elifarch|elifos)(?![^ \t]))(.*)$",
    re.DOTALL,
)
"""rpm 4.18's ``parseLineType``: ``%else``/``%endif`` not followed by a letter, the others by a
blank or nothing (``%if(0)`` is text). There is no ``%elifnarch`` nor ``%elifnos``."""


def logical_line(lines: list[str], index: int) -> tuple[str, int]:
    """The line at ``index`` and the ones rpm reads with it; and the index after them.

    rpm (``copyNextLineFromOFI``) keeps reading while a line ends with a backslash or a
    ``%{``, ``%(`` or ``%[`` is still open. A bracket never closed joins nothing: rpm
    would fail on such a spec, and swallowing the rest of it would hide its lines.
    """
    text = lines[index]
    end = index + 1
    while end < len(lines) and continues(text):
        text += "\n" + lines[end]
        end += 1
    if end == len(lines) and end > index + 1 and continues(text):
        return lines[index], index + 1
    return text, end


_LINE_TOKENS = re.compile(r"\\.?|%[{(\[%]|[{}()\[\]]", re.DOTALL)


def continues(text: str) -> bool:
    """Whether rpm reads another line with ``text``: a ``%{``/``%(``/``%[`` still open, or
    a backslash ending it (one that no other backslash escapes)."""
    if "%{" not in text and "%(" not in text and "%[" not in text:  # the common line, quickly
        return (len(text) - len(text.rstrip("\\"))) % 2 == 1
    depth = {"{": 0, "(": 0, "[": 0}
    closers = {"}": "{", ")": "(", "]": "["}
    for match in _LINE_TOKENS.finditer(text):
        token = match.group()
        if token == "\\":
            return True  # a backslash with nothing after it: the text's last character
        if token[0] == "%":
            if token[1] != "%":
                depth[token[1]] += 1
        elif token in depth:
            if depth[token]:
                depth[token] += 1
        elif token in closers and depth[closers[token]]:
            depth[closers[token]] -= 1
    return any(depth.values())


def is_directive(line: str) -> bool:
    """A line rpm's ``readLine`` acts on itself: a conditional or ``%include``."""
    stripped = line.lstrip()
    return stripped.startswith("%include") or CONDITIONAL.match(stripped) is not None


def rpm_lines(raw: str, start: int) -> list[tuple[str, int]]:
    """The lines rpm reads one by one in text it joined (`logical_line`), with their numbers:
    each line of it, but a conditional or ``%include`` ending with a backslash runs on into
    the next (rpm's ``copyNextLineFinish`` blanks the backslash and the newline), and one
    with a ``%{`` still open takes the lines up to its end (rpm expands them into it first)."""
    physical = raw.split("\n")
    pieces: list[tuple[str, int]] = []
    index = 0
    while index < len(physical):
        text, first = physical[index], start + index
        if is_directive(text):
            while continues(text) and index + 1 < len(physical):
                index += 1
                text = (text[:-1] + "  " if text.endswith("\\") else text + "\n") + physical[index]
        pieces.append((text, first))
        index += 1
    return pieces
