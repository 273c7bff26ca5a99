"""rpm's dependency fields (``Requires:``, ``BuildRequires:``...) as its spec parser splits them.

Grammar (``parseRCPOT`` in ``build/parseReqs.c``), over the shared `Tokenizer`::

    list   = { separator } [ entry { separator+ entry } ] { separator }
    entry  = group | NAME [ COMPARISON-TOKEN TOKEN ]
    group  = "(" … ")"        a rich dependency, kept whole for `auditor.rpm.deps`
    separator = whitespace | ","

The comparison must be a whole token: ``a >=1`` is two names, as rpm reads it.

rpm splits the list after it ran the spec's code (``%(shell)``, ``%{lua:}``); the reader never
runs it, so the code's text is still in the list. Its spaces are not rpm's separators: what
the code prints decides the entries there, and the words of a shell command are no
capabilities (``%(echo "%{kv}" | tr - .)`` would otherwise require ``tr`` and ``|``). Each
run of code is one piece of its entry, and an entry that holds unseen code is not invented:
without its name it is left out, and a version made by code is a requirement on the name alone
(the line is a ``spec-code`` gap, `SpecParser._code`, so the package is said to be incomplete).
"""

from __future__ import annotations

from collections.abc import Collection

from auditor.rpm.model import EVR, Dependency, Op
from auditor.rpm.tokenizer import Tokenizer

_MARKS = range(0xE000, 0xF900)
"""Private-use characters: one the text does not hold brackets a run of code's index while the
list is split (no separator, no parenthesis, and nothing the spec wrote: a NUL may be)."""


def parse_dependency_list(
    text: str,
    qualifiers: frozenset[str] = frozenset(),
    code: Collection[str] = (),
    unseen: Collection[str] = (),
) -> list[Dependency]:
    """Split a dependency field into its entries, as rpm's ``parseRCPOT`` does. ``code``: the
    runs of code (or macros) left in ``text`` as written, each kept whole; those also in
    ``unseen`` print what the reader cannot know, and an entry holding one is read as the
    module says."""
    mark = ""  # with no code to bracket, no mark: what `restore` gives is the piece as it is
    if code:
        used = set(text)
        mark = next((chr(point) for point in _MARKS if chr(point) not in used), "")
    masked, runs = _masked(text, code, mark) if mark else (text, [])  # holding every mark: as is

    def restore(piece: str) -> tuple[str, bool]:
        """``piece`` as written, and whether it holds unseen code."""
        if not mark or mark not in piece:
            return piece, False
        parts = piece.split(mark)  # text, index, text, index, ..., text
        held = [runs[int(index)] for index in parts[1::2]]
        parts[1::2] = held
        return "".join(parts), any(run in unseen for run in held)

    dependencies: list[Dependency] = []
    for name, op, version in _entries(masked):
        name, name_unseen = restore(name)
        if name_unseen:
            continue
        if op is None:
            dependencies.append(Dependency(name, qualifiers=qualifiers))
            continue
        version, version_unseen = restore(version)
        if version_unseen:
            dependencies.append(Dependency(name, qualifiers=qualifiers))
        else:
            dependencies.append(Dependency(name, op, EVR.parse(version), qualifiers))
    return dependencies


def _masked(text: str, code: Collection[str], mark: str) -> tuple[str, list[str]]:
    """``text`` with each run of ``code`` in it replaced by ``mark``, its index, ``mark``; and
    the runs by index. The longest run at a place is taken there. Runs that begin with ``%``
    (every macro and code run) are found in one walk of the text's ``%`` signs: a list of
    40,000 unknown macros, each looked for and replaced in the whole list, took 13 seconds."""
    runs: list[str] = []
    indices: dict[str, int] = {}
    others = sorted(
        {run for run in code if run and not run.startswith("%") and run in text}, key=len, reverse=True
    )
    for run in others:
        indices[run] = len(runs)
        runs.append(run)
        text = text.replace(run, f"{mark}{indices[run]}{mark}")
    wanted = {run for run in code if run.startswith("%")}
    lengths = sorted({len(run) for run in wanted}, reverse=True)
    out: list[str] = []
    position = 0
    start = text.find("%")
    while start >= 0:
        here = next(
            (text[start : start + size] for size in lengths if text[start : start + size] in wanted), None
        )
        if here is None:
            start = text.find("%", start + 1)
            continue
        if here not in indices:
            indices[here] = len(runs)
            runs.append(here)
        out += [text[position:start], f"{mark}{indices[here]}{mark}"]
        position = start + len(here)
        start = text.find("%", position)
    out.append(text[position:])
    return "".join(out), runs


def _entries(text: str) -> list[tuple[str, Op | None, str]]:
    """The entries of a list: (name or rich group, comparison or None, version)."""
    entries: list[tuple[str, Op | None, str]] = []
    tokens = Tokenizer(text)
    while True:
        tokens.skip_space(commas=True)
        if tokens.at_end:
            return entries
        if tokens.peek() == "(":
            entries.append((tokens.balanced(), None, ""))
            continue
        name = tokens.token()
        after_name = tokens.position
        tokens.skip_space(commas=True)
        op = tokens.comparison_token()
        if op is None:
            tokens.position = after_name
            entries.append((name, None, ""))
            continue
        tokens.skip_space(commas=True)
        entries.append((name, op, tokens.token()))
