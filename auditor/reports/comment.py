"""A Markdown report cut to what a pull-request comment can hold.

GitHub refuses a comment (or an issue body) longer than 65,536 characters ("Body is too
long"): a report past it is never posted, and its verdict is lost with the rest. A Markdown
report is written most important first (the verdict, the counts, what was not seen, what
blocks), so past the bound the lines at its end are left out, whole, with a line saying how
many and where everything is; the lines the caller must keep (the summary a `check` ends on)
are kept whatever is left out before them.
"""

from __future__ import annotations

MAX_COMMENT_CHARS = 65_536
"""GitHub's limit on a comment's body as its error states it, in characters (a job summary
takes 1 MiB). Some measured it as 262,144 UTF-8 bytes instead: as many code points, each of at
most 4 bytes, are within both readings."""
_ROOM = 1_000
"""Kept free below the bound: GitHub may count an emoji or a combined character as more than one."""


def fitted(lines: list[str], keep: list[str] | None = None) -> str:
    """``lines`` then ``keep`` as one Markdown text of at most `MAX_COMMENT_CHARS` (less
    `_ROOM`): when the whole is longer, the last of ``lines`` are left out and counted in a
    line, a ``<details>`` block the cut opens is closed, and ``keep`` follows whole after a
    blank line."""
    lines = list(lines)
    while lines and not lines[-1]:
        lines.pop()
    kept = ["", *keep] if keep else []
    whole = "\n".join([*lines, *kept]).rstrip("\n") + "\n"
    if len(whole) <= MAX_COMMENT_CHARS - _ROOM:
        return whole
    ending = "\n".join(kept)
    budget = MAX_COMMENT_CHARS - _ROOM - len(ending) - 400  # the note, a closing tag and the line breaks
    shown: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        shown.append(line)
        used += len(line) + 1
    left = sum(1 for line in lines[len(shown) :] if line.strip())
    opened = sum(1 for line in shown if line.startswith("<details>")) - sum(
        1 for line in shown if line.startswith("</details>")
    )
    while shown and not shown[-1]:
        shown.pop()
    shown += ["", "</details>"] * max(opened, 0)
    shown += [
        "",
        f"**... {left} more lines left out here: GitHub holds no comment over "
        f"{MAX_COMMENT_CHARS:,} characters. The JSON report lists everything.**",
    ]
    shown += kept
    return "\n".join(shown).rstrip("\n") + "\n"
