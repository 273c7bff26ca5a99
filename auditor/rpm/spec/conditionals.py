"""The ``%if`` / ``%elif`` / ``%else`` / ``%endif`` nesting of a spec as the reader walks it.

Each conditional is decided as rpm decides it (an expression, an architecture, an OS) when the
reader can; when it cannot (an unknown macro, code it never runs), the branch is read as if
it were taken, and so is the next one: both ways, a gap of the spec saying so. What a branch
the reader could not decide defines is a maybe (`Conditionals.undecided_branch`), which the
macro table keeps beside the value it had (`auditor.rpm.spec.table`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.spec.expression import evaluate
from auditor.rpm.spec.macros import MacroContext
from auditor.rpm.spec.readline import CONDITIONAL
from auditor.rpm.spec.result import shorten

_FAMILY = re.compile(r"%\{?(\w+)\}?")
ARCH_FAMILIES = {
    "mips": "mips mipsel mipsr6 mipsr6el mips32r2 mips32r2el "
    "mips64 mips64el mips64r6 mips64r6el mips64r2 mips64r2el",
    "mips32": "mips mipsel mipsr6 mipsr6el mips32r2 mips32r2el",
    "mips64": "mips64 mips64el mips64r6 mips64r6el mips64r2 mips64r2el",
    "mipseb": "mips mipsr6 mips64 mips64r6",
    "mipsel": "mipsel mipsr6el mips64el mips64r6el",
    "sparc": "sparc sparcv8 sparcv9 sparcv9v sparc64 sparc64v",
    "alpha": "alpha alphaev5 alphaev56 alphaev6 alphaev67 alphapca56",
    "power64": "ppc64 ppc64p7 ppc64le ppc64iseries ppc64pseries",
    "riscv": "riscv32 riscv64 riscv128",
    "riscv32": "riscv32",
    "riscv64": "riscv64",
    "riscv128": "riscv128",
    "arm64": "aarch64",
    "loongarch64": "loongarch64",
}
"""The arch families rpm's macro files define and the reader leaves as written, each with every
member any rpm release since 4.11 gave it: what a family holds differs between releases, never
so much that a target outside all of them is in one (x86_64 is in no ``%mips``)."""


@dataclass
class Frame:
    """One level of ``%if`` nesting."""

    active: bool | None  # None: undecided, this branch is read as if it were taken
    parent_active: bool
    taken: bool  # an earlier branch was certainly taken
    maybe: bool  # an earlier branch was undecided
    line: int  # where the %if is
    parent_undecided: bool = False  # an enclosing branch may not be read by rpm


class Conditionals:
    """The open conditionals of one reading of a spec. Its gaps and the lines of the undecided
    ones go to the lists the reader gives (the spec's)."""

    def __init__(self, path: str, macros: MacroContext, gaps: list[Gap], undecided: list[int]) -> None:
        self.path = path
        self.macros = macros
        self.gaps = gaps
        self.undecided = undecided
        self.frames: list[Frame] = []

    @property
    def reading(self) -> bool:
        """Whether rpm may read the lines read now (no enclosing branch is certainly not taken).
        Only the innermost frame changes while it is open, so each frame holds what the ones
        around it say: asking costs the same at any depth (a spec nested 40,000 deep took
        minutes when each line looked at every frame)."""
        if not self.frames:
            return True
        frame = self.frames[-1]
        return frame.parent_active and frame.active is not False

    @property
    def undecided_branch(self) -> bool:
        """Whether the lines read now may not be read by rpm: a definition here is a maybe."""
        if not self.frames:
            return False
        frame = self.frames[-1]
        return frame.parent_undecided or frame.active is None or (frame.maybe and frame.active is True)

    def read(self, stripped: str, line: int, *, doubtful: bool = False, expanded: bool = False) -> bool:
        """Whether ``stripped`` is a conditional line (then read here). ``doubtful``: the line
        comes from an expansion that was not exact, so its argument may not be rpm's (rpm's own
        expression parser expands what is left, as `_truth` does). ``expanded``: the line comes
        from an expansion, whose macros have done what they do."""
        match = CONDITIONAL.match(stripped)
        if match is None:
            return False
        # rpm knows no comment on a conditional line: in "%ifarch # x86_64" the words are "#" and
        # "x86_64", and "%if 1 # c" is an expression rpm 4.18 refuses ("bad %if condition", the
        # whole spec with it), which `evaluate` cannot decide either: a gap, both branches read.
        keyword, argument = match.group(1) or match.group(2), match.group(3).strip()
        trailing = keyword in ("else", "endif") and "%" in argument and self.reading and not expanded
        # rpm expands an %else or %endif line as any line it reads, before the directive
        # changes what it reads: `%endif %{expand:%%global h ...}` defines h.
        if trailing and self.macros.expand(argument).code:
            detail = f"{self.path}:{line}: {shorten(stripped)}: code rpm runs as it reads the line"
            self.gaps.append(Gap(GapKind.SPEC_CODE, detail))
        if keyword.startswith("if"):
            parent, undecided = self.reading, self.undecided_branch
            truth = self._truth(keyword, argument, line, stripped, doubtful) if parent else False
            self.frames.append(Frame(truth, parent, truth is True, truth is None, line, undecided))
        elif not self.frames:
            # rpm refuses the spec; a reader that goes on has parted from rpm's reading somewhere.
            self.unbalanced(line, f"{shorten(stripped)} with no %if")
        elif keyword.startswith("elif"):
            frame = self.frames[-1]
            if not frame.parent_active or frame.taken:
                frame.active = False
            else:
                truth = self._truth(keyword[2:], argument, line, stripped, doubtful)
                frame.active = truth
                frame.taken = truth is True
                frame.maybe = frame.maybe or truth is None
        elif keyword == "else":
            frame = self.frames[-1]
            if not frame.parent_active or frame.taken:
                frame.active = False
            else:
                frame.active = None if frame.maybe else True
        else:
            self.frames.pop()
        return True

    def unbalanced(self, line: int, what: str) -> None:
        detail = f"{self.path}:{line}: {what}: rpm refuses such a spec, this reading is not rpm's"
        self.gaps.append(Gap(GapKind.UNDECIDED_CONDITIONAL, detail))

    def _truth(self, keyword: str, argument: str, line: int, text: str, doubtful: bool) -> bool | None:
        expansion = self.macros.expand(argument)
        if doubtful or "\n" in expansion.text:
            # rpm reads the expanded line as lines: the condition is the first alone, and the
            # others lines of the spec after it (%if %{v}, v "1\\<newline>&& 0", is %if 1).
            truth: bool | None = None
        elif keyword in ("if",):
            truth = None if expansion.unexpanded or expansion.environment else evaluate(expansion.text)
        else:
            # rpm matches the macro as expanded here, which the spec may have defined.
            arch = keyword in ("ifarch", "ifnarch")  # an %elifarch comes as "ifarch"
            target = self.macros.expand("%{_target_cpu}" if arch else "%{_target_os}")
            truth = _listed(expansion.text, expansion.unexpanded, target.text.strip(), arch)
            if expansion.environment or not target.exact:
                truth = None
            elif truth is not None:
                truth = truth == (keyword in ("ifarch", "ifos"))
        if truth is None:
            self.undecided.append(line)
            self.gaps.append(Gap(GapKind.UNDECIDED_CONDITIONAL, f"{self.path}:{line}: {shorten(text)}"))
        return truth

    def finish(self) -> None:
        """The end of the spec: a conditional still open is a gap (rpm refuses the spec)."""
        for frame in self.frames:
            self.unbalanced(frame.line, "%if never closed")


def _outside(piece: str, cpu: str) -> bool:
    """Whether ``piece``, left as written, is an arch family of rpm's that never holds ``cpu``."""
    found = _FAMILY.fullmatch(piece)
    family = ARCH_FAMILIES.get(found.group(1)) if found else None
    return family is not None and cpu.lower() not in family.split()  # rpm ignores ASCII case


_BLANK = re.compile(r"[ \t\n\v\f\r]+")
"""What rpm's matchTok skips between words (C's isspace): Python's own split also parts words
at \x1c-\x1f, \x85 or a no-break space, which rpm keeps inside one word."""
_SPREAD = 64
"""The most pieces holding a blank one list may leave as written and still be decided: each is
looked for in the whole list (a hostile list of 10,000 took seconds); real lists have one or two."""


def _listed(text: str, pieces: list[str], cpu: str, arch: bool) -> bool | None:
    """Whether rpm finds ``cpu`` among the words of ``text``, whatever the ``pieces`` left as
    written hold (None: they decide it). rpm compares each word without regard to ASCII case
    (``%ifarch X86_64`` is taken on x86_64). A piece glued to other text makes a word of
    unknown letters (``%{mips}x86_64`` is no x86_64), and the words inside a piece holding a
    blank (``%{lua: -- x86_64}``) are none of rpm's: only a word standing alone counts."""
    distinct = set(pieces)
    spread = sorted((piece for piece in distinct if "%" not in piece or _BLANK.search(piece)), key=len)
    if len(spread) > _SPREAD:
        return None
    for piece in reversed(spread):  # the longest first: a shorter one may be inside it
        if piece not in text:
            return None  # not in the list as read: what it adds there is unknown
        text = text.replace(piece, "\0")
    wanted, unknown, seen = cpu.lower() if cpu.isascii() else cpu, False, set(spread)
    for word in _BLANK.split(text):
        if word in distinct:
            seen.add(word)
            # A family of rpm's that cannot hold the target adds no match, in any release.
            unknown = unknown or not (arch and _outside(word, cpu))
        elif "\0" in word or "%" in word:
            unknown = True
        elif (word.lower() if word.isascii() else word) == wanted:
            return True
    return None if unknown or seen != distinct else False
