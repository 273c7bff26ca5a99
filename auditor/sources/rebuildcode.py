"""What code in a source RPM's spec printed for its builder and may print otherwise for a rebuild.

Split from `auditor.sources.srpmspec`, which reads the spec a rebuild reads and asks this of
the gaps its parse left.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import replace

from auditor.formats.payload import S_IFLNK, S_IFMT
from auditor.formats.rpmheader import Header, Tag
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.spec.lines import SECTION

_RPMFILE_SPECFILE = 1 << 5


def unseen_code(gaps: Sequence[Gap], text: str, where: str) -> list[Gap]:
    """The `GapKind.SPEC_CODE` gaps of the spec ``text`` whose output a rebuild may not share
    with its builder: code inside a conditional, code that makes a whole line, and every
    ``%include`` or ``%{load:}``.

    The SPEC tag holds what the builder's run of the code printed, unless the builder skipped
    its branch: an ``%include`` of a Source under ``%if 0%{?xenserver}`` printed nothing there,
    and a rebuild on a XenServer host reads its Citrix Sources and BuildRequires. An included
    file's own conditionals were decided by the builder too (red team: ``%if 0%{?xenserver}``
    in the file a top-level ``%include`` reads), and so was what code that makes a whole line
    printed (``%(test -e /etc/xenserver-release && echo Source9: ...)``). Other code outside any
    conditional (a tag's value, a ``%global``'s) ran on the builder too, and the tag holds its
    output, as it holds the values of the build host's macros."""
    inside: set[int] = set()
    depth = 0
    for number, line in enumerate(text.split("\n"), 1):
        word = line.split(None, 1)[0] if line.strip() else ""
        if word.startswith("%if"):
            depth += 1
        elif word == "%endif":
            depth = max(depth - 1, 0)
        elif depth:
            inside.add(number)
    prefix = f"{where}:"
    found = []
    for gap in gaps:
        at, _, code = (
            gap.detail[len(prefix) :].partition(": ") if gap.detail.startswith(prefix) else ("", "", "")
        )
        if gap.kind is not GapKind.SPEC_CODE or not at.isdigit():
            continue
        if int(at) in inside:
            why = "in a conditional: what it prints where a rebuild takes it is unseen"
        elif "%include" in code or "load:" in code:
            why = "the text it reads, conditionals and all, is unseen"
        elif code.lstrip().startswith(("%(", "%{")):
            why = "what it prints on a rebuild's host, a line of spec, is unseen"
        else:
            continue
        found.append(replace(gap, detail=f"{gap.detail} ({why})"))
    return found


_MACRO = re.compile(r"%\{[^{}]*\}|%\([^()]*\)|%[A-Za-z_?!][A-Za-z0-9_]*")
"""A macro or run of code a dependency name read from the payload's spec kept as written."""


_CHECKS = 200_000
"""The most built names one call fits macro-holding names against; past it, a name no check
found is needed (the gap names it), as it may be."""


def rebuild_needs(names: Sequence[str], built_with: Collection[str]) -> list[str]:
    """The BuildRequires ``names`` of the spec a rebuild reads that the builder's parse
    (``built_with``, its REQUIRENAME) lacks, each once. A name holding a macro the reader left
    as written (``python%{python3_pkgversion}-devel``) is the builder's when a name of
    ``built_with`` fits it, the macro standing for any text; one that is a macro alone
    (``%{py3_dist idna}``) fits none: only its line's branch could tell, and the reader keeps
    no line of a requirement, so a rebuild may need it."""
    needed: dict[str, None] = {}
    index: _Index | None = None
    checks = _CHECKS
    for name in dict.fromkeys(names):
        if name in built_with:
            continue
        if "%" in name:
            pieces = _MACRO.split(name)
            if any(pieces):
                index = index or _Index(built_with)
                candidates = index.candidates(pieces[0], pieces[-1], checks)
                checks -= len(candidates)
                if any(_fits(pieces, built) for built in candidates):
                    continue
        needed[name] = None
    return list(needed)


class _Index:
    """The built names sorted by their start and by their end: only those starting with a
    name's first piece and ending with its last can fit it. Each name tried against every
    built name took minutes for a hostile SRPM's 10,000 of each."""

    def __init__(self, built_with: Collection[str]) -> None:
        self.starts = sorted(built_with)
        self.ends = sorted(built[::-1] for built in built_with)

    def candidates(self, first: str, last: str, allowed: int) -> list[str]:
        """The built names that start with ``first`` and end with ``last``, from whichever
        of the two is fewer; none when they are more than ``allowed``."""
        low, high = _span(self.starts, first)
        tail_low, tail_high = _span(self.ends, last[::-1])
        if min(high - low, tail_high - tail_low) > allowed:
            return []
        if high - low <= tail_high - tail_low:
            return self.starts[low:high]
        return [built[::-1] for built in self.ends[tail_low:tail_high]]


def _span(ordered: list[str], prefix: str) -> tuple[int, int]:
    """Where the names starting with ``prefix`` are in ``ordered``: from ``prefix`` to the
    first string past all of them (its last letter that can grow, grown)."""
    stem = prefix.rstrip(chr(0x10FFFF))
    high = bisect_left(ordered, stem[:-1] + chr(ord(stem[-1]) + 1)) if stem else len(ordered)
    return bisect_left(ordered, prefix), high


def _fits(pieces: Sequence[str], name: str) -> bool:
    """Whether ``name`` is ``pieces`` in order, any text between them: each piece found at
    the first place it can be, in time linear in the name. A regular expression of ``.*``
    between the pieces backtracks exponentially in their number: a hostile SRPM's
    ``BuildRequires: x%{a}x%{a}x...`` held a run for minutes a name."""
    first, *middle, last = pieces
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for piece in middle:
        found = name.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def read_as_stored(text: str, stored: str | None) -> bool:
    """Whether the spec ``text`` (a source RPM's payload's) is read as the SPEC tag ``stored``
    says its builder read it, without a parse: its lines are the tag's, in their order (blank
    lines aside), and none holds a macro (a section's own ``%name`` aside), which rpm would have
    stored expanded. The SRPM says both: one whose tag was written over with a clean spec's, or
    with the payload's lines in another order (a Citrix Source0 moved into the description),
    passed clean, alone or beside its binary, where its payload's spec (what a rebuild reads)
    declares a Citrix Source or a subpackage whose %post curls a Citrix host (redteam62). A spec
    with any macro, or a comment (rpm stores a blank line for it), is parsed."""
    ours = [line.rstrip() for line in text.split("\n") if line.strip()]
    for line in ours:
        section = SECTION.match(line.strip())
        if "%" in (section.group(2) if section else line):
            return False
    return ours == [line.rstrip() for line in (stored or "").split("\n") if line.strip()]


def spec_file_name(header: Header, files: Sequence[str]) -> str | None:
    """The spec a source RPM's payload holds: the file its header flags ``%spec``, else the first
    ``.spec`` it lists."""
    for path, flag in zip(files, header.ints(Tag.FILEFLAGS), strict=False):
        if flag & _RPMFILE_SPECFILE:
            return path
    return next((path for path in files if path.endswith(".spec")), None)


def spec_link(header: Header, files: Sequence[str], spec_name: str) -> str | None:
    """Where the payload's spec ``spec_name`` points, when its header lists it as a symbolic
    link: its data is that path, which ``rpmbuild --rebuild`` follows on its host (another
    member of the payload, put beside it, or nothing), not a spec; None for a file."""
    modes, targets = header.ints(Tag.FILEMODES), header.strings(Tag.FILELINKTOS)
    for index, path in enumerate(files):
        if path == spec_name and index < len(modes) and modes[index] & S_IFMT == S_IFLNK:
            return targets[index] if index < len(targets) else ""
    return None


def not_followed(link: str) -> str:
    """What a payload spec that is a symbolic link to ``link`` is, as every reading says it."""
    return f"a symbolic link to {link!r}, which a rebuild follows on its host; not followed"


def refused_spec(data: bytes, link: str | None = None) -> str | None:
    """Why a payload's spec is not parsed: a symbolic link (`spec_link`: read as a spec, the path
    it names said "not a spec file", redteam62), or past a spec file's bound (`MAX_SPEC_BYTES`,
    as the rebuild's reading: 16 MB of subpackages took 39 s and 717 MB, redteam62)."""
    from auditor.sources.specs import MAX_SPEC_BYTES

    if link is not None:
        return not_followed(link)
    return f"a spec file larger than {MAX_SPEC_BYTES} bytes; refused" if len(data) > MAX_SPEC_BYTES else None


_MACRO = re.compile(r"%(?:\{[^{}]*\}|\??[A-Za-z_][A-Za-z0-9_]*|%)")
"""A macro of a spec's line, as a value it may expand to is matched (`expands_to`)."""


def expands_to(value: str, expanded: str | None) -> bool:
    """Whether some expansion of the macros of a spec's ``value`` gives ``expanded`` (the builder's,
    in the SPEC tag): its text outside them kept, in order. Unsure (a macro inside a macro): no.
    Each piece is looked for after the last, as a glob's are: the spec's to write, a pattern of
    many macros is no regular expression to backtrack over."""
    if expanded is None or "{" in _MACRO.sub("", value):
        return False
    pieces = _MACRO.split(value)
    return value == expanded if len(pieces) == 1 else _fits(pieces, expanded)
