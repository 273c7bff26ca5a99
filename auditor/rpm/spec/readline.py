"""How rpm's ``readLine`` takes a spec's lines (``build/parseSpec.c``): the physical lines it
joins into one (`LineJoiner`), and, in text it joined, the lines it acts on itself, a
conditional or an ``%include`` (`rpm_lines`)."""

from __future__ import annotations

import re

CONDITIONAL = re.compile(
    r"^%(?:(else|endif)(?![A-Za-z])|(if|ifarch|ifnarch|ifos|ifnos|elif|elifarch|elifos)(?![^ \t]))(.*)$",
    re.DOTALL,
)
"""rpm 4.18's ``parseLineType``: ``%else``/``%endif`` not followed by a letter, the others by a
blank or nothing (``%if(0)`` is text). There is no ``%elifnarch`` nor ``%elifnos``."""


MAX_UNCLOSED_READS = 4
"""How many times, in all, the joins that run to the end of a spec unclosed may read it (its
size that many times, and 64 KiB more). Past it the lines left are read one by one
(`LineJoiner.cut`)."""


NOT_JOINED = (
    "lines from here on are read one by one, not joined as rpm joins them: the spec's %{, %( or %[ "
    "never closed (rpm refuses it) were read to its end too often (readline.MAX_UNCLOSED_READS)"
)
"""The gap of the lines after a `LineJoiner.cut`."""


class LineJoiner:
    """How rpm (``copyNextLineFromOFI``) joins a spec's physical lines into the ones it reads.

    rpm keeps reading while a line ends with a backslash or a ``%{``, ``%(`` or ``%[`` is
    still open. A bracket never closed joins nothing: rpm refuses such a spec ("unclosed
    macro or bad line continuation"), and swallowing the rest of it would hide its lines.
    Each line is scanned once per join that reads it, so a join costs its own length; but
    finding that a bracket never closes reads to the end of the spec, and each of the lines
    after it may do so again: those reads have a budget (`MAX_UNCLOSED_READS`), and
    once it is spent every line left is read alone, which `cut` says (rpm refuses the spec).
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._unclosed_budget = MAX_UNCLOSED_READS * sum(len(line) + 1 for line in lines) + 65536
        self.cut: int | None = None
        """The index of the first line read alone because the budget was spent: from there on
        the lines are not joined as rpm would (which refuses the spec anyway)."""

    def logical_line(self, index: int) -> tuple[str, int]:
        """The line at ``index`` and the ones rpm reads with it; and the index after them."""
        lines = self.lines
        line = lines[index]
        if self.cut is not None or not (line.endswith("\\") or "%{" in line or "%(" in line or "%[" in line):
            return line, index + 1  # the common line, read alone: what `Brackets.add` says of it, sooner
        brackets = Brackets()
        brackets.add(line)
        if not brackets.continues:
            return line, index + 1
        end = index + 1
        read = len(lines[index]) + 1
        while end < len(lines) and brackets.continues:
            brackets.add(lines[end])
            read += len(lines[end]) + 1
            end += 1
        if end == len(lines) and brackets.continues:
            self._unclosed_budget -= read
            if self._unclosed_budget < 0:
                self.cut = index + 1
            return lines[index], index + 1
        return "\n".join(lines[index:end]), end


_LINE_TOKENS = re.compile(r"\\.?|%[{(\[%]|[{}()\[\]]", re.DOTALL)
_CLOSERS = {"}": 0, ")": 1, "]": 2}
_OPENERS = {"{": 0, "(": 1, "[": 2}


class Brackets:
    """The ``%{``, ``%(`` and ``%[`` still open in text read line by line, and whether its
    last line ends with a backslash no other escapes: what `continues` says of the lines
    joined with "\\n", reading each line once. No token spans a newline but a backslash
    escaping it, which changes nothing, so the lines can be read apart."""

    def __init__(self) -> None:
        self.depth = [0, 0, 0]
        self.backslash = False

    def add(self, line: str) -> None:
        depth = self.depth
        if not any(depth) and "%{" not in line and "%(" not in line and "%[" not in line:
            # the common line, quickly: nothing open, nothing opening
            self.backslash = (len(line) - len(line.rstrip("\\"))) % 2 == 1
            return
        self.backslash = False
        for match in _LINE_TOKENS.finditer(line):
            token = match.group()
            if token == "\\":
                self.backslash = True  # a backslash with nothing after it: the line's last character
            elif token[0] == "%":
                if token[1] != "%":
                    depth[_OPENERS[token[1]]] += 1
            elif token in _OPENERS:
                if depth[kind := _OPENERS[token]]:
                    depth[kind] += 1
            elif token in _CLOSERS and depth[kind := _CLOSERS[token]]:
                depth[kind] -= 1

    @property
    def continues(self) -> bool:
        return self.backslash or any(self.depth)


def is_directive(line: str) -> bool:
    """A line rpm's ``readLine`` acts on itself: a conditional or ``%include``."""
    stripped = line.lstrip()
    return stripped.startswith("%include") or CONDITIONAL.match(stripped) is not None


def rpm_lines(raw: str, start: int) -> list[tuple[str, int]]:
    """The lines rpm reads one by one in text it joined (`LineJoiner`), with their numbers:
    each line of it, but a conditional or ``%include`` ending with a backslash runs on into
    the next (rpm's ``copyNextLineFinish`` blanks the backslash and the newline), and one
    with a ``%{`` still open takes the lines up to its end (rpm expands them into it first)."""
    physical = raw.split("\n")
    pieces: list[tuple[str, int]] = []
    index = 0
    while index < len(physical):
        parts, first = [physical[index]], start + index
        if is_directive(parts[0]):
            brackets = Brackets()
            brackets.add(parts[0])
            while brackets.continues and index + 1 < len(physical):
                index += 1
                brackets.add(physical[index])
                last = parts[-1]
                parts[-1] = last[:-1] + "  " if last.endswith("\\") else last + "\n"
                parts.append(physical[index])
        pieces.append(("".join(parts), first))
        index += 1
    return pieces
