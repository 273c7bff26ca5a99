"""``auditor why``: one package's status, its facts and what the gate decided, its chain, dependants.

`explanation` gives the plain lines every format that explains one package uses (JUnit's
details, the ``why`` command); nothing here prints package data without going through
`terminal_text` first (the command writes to a terminal).
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from auditor.audit.facts import FactKind
from auditor.audit.facttext import finding_text, hop_text
from auditor.deps.hops import Chain, Hop, HopKind
from auditor.origin.findings import Category
from auditor.reports.chains import shown
from auditor.reports.rows import Gate, PackageView
from auditor.reports.text import terminal_text
from auditor.reports.view import ReportView


def explanation(row: PackageView, view: ReportView, *, whole: bool = True) -> list[str]:
    """Why a package has its status, as plain lines: each fact with the gate's ruling, the chain
    (whole for ``auditor why``; else shortened as every format shortens it, `auditor.reports.chains`)."""
    lines: list[str] = []
    for item in row.facts:
        if item.fact.kind is FactKind.ORIGIN:
            label = "evidence" if item.fact.taints else "noted"
        elif item.fact.kind is FactKind.GAP:
            label = "not seen"
        else:
            label = item.fact.kind.value
        text = item.text if item.fact.kind is not FactKind.GAP else str(item.fact.gap)
        lines.append(f"{label}: {text} [{item.reason}]")
    if row.chain:
        lines.append("chain:")
        lines.extend(_chain_lines(row, row.chain, view, row.chain_category, whole=whole))
    # Each other taint has its own chain (one per status and category of origin packages): the
    # one a waiver or the baseline did not accept must be shown whole too.
    for item in row.facts:
        chain = item.fact.chain
        if chain and chain is not row.chain and item.fact.kind is not FactKind.ORIGIN:
            category = f"{item.fact.category.value} " if item.fact.category is not None else ""
            lines.append(f"chain of {category}{item.fact.kind.value} [{item.reason}]:")
            lines.extend(_chain_lines(row, chain, view, item.fact.category, whole=whole))
    return lines


def _chain_lines(
    row: PackageView,
    chain: Sequence[Hop],
    view: ReportView,
    category: Category | None = None,
    *,
    whole: bool = True,
) -> list[str]:
    if whole:
        steps: Iterable[str] = (hop_text(hop, view.packages) for hop in chain)
    else:
        part = shown(chain)
        steps = [hop_text(hop, view.packages) for hop in part.head]
        if part.shortened:
            steps += [
                f"{part.note} (auditor why has them)",
                *(hop_text(hop, view.packages) for hop in part.end),
            ]
    lines = [f"  {row.package.nevra}"]
    lines.extend("  " + "  " * min(depth, MAX_INDENT) + step for depth, step in enumerate(steps, 1))
    evidence = view.chain_evidence(chain, category)
    if evidence is not None and evidence.fact.finding is not None:
        lines.append(
            "  "
            + "  " * min(len(lines), MAX_INDENT)
            + "which is origin: "
            + finding_text(evidence.fact.finding)
        )
    return lines


MAX_INDENT = 40
"""Steps of indentation at most: the chain is printed whole, one hop a line, and a hop deeper
than this is indented as this one (indenting each by its depth is quadratic in the chain)."""


def matching(view: ReportView, pattern: str) -> list[PackageView]:
    """The audited packages ``pattern`` names: a name, a NEVRA, a row's label as the reports print
    it (``bar-1.0-1.noarch (repo/citrix)``: one of two copies of a NEVRA), or a glob of those."""
    found = [row for row in view.rows if pattern in (row.package.name, row.package.nevra, row.label)]
    if found:
        return found
    return [
        row
        for row in view.rows
        if any(fnmatch.fnmatchcase(text, pattern) for text in (row.package.name, row.package.nevra))
        or fnmatch.fnmatchcase(row.label, pattern)
    ]


def render_why(view: ReportView, pattern: str) -> tuple[str, bool]:
    rows = matching(view, pattern)
    if not rows:
        return "", False
    graph = view.audit.graph
    targets = {row.index for row in rows}
    into: dict[int, list[Edge]] = {}
    edges = graph.edges_among(targets | graph.dependants(targets))
    for (source, target), (kind, requirements) in edges.items():
        if target in targets:
            into.setdefault(target, []).append((source, kind, requirements))
    rests = _rests_through(view, {row.index for row in rows if not row.facts})
    return "\n".join(_explain(row, view, into.get(row.index, []), rests.get(row.index)) for row in rows), True


Edge = tuple[int, HopKind, list[str]]
"""An edge into a package: the package it comes from, its kind, the requirements behind it."""


def _explain(row: PackageView, view: ReportView, into: Sequence[Edge], rest: Sequence[Hop] | None) -> str:
    mark = {Gate.BLOCKING: " (blocking)", Gate.WAIVED: " (waived)", Gate.BASELINED: " (baselined)"}
    head = f"{row.label}: {row.status.value}{mark.get(row.gate, '')}"
    others = [status.value for status in row.statuses if status is not row.status and status.value != "clean"]
    if others:
        head += f"; also {', '.join(others)}"
    lines = [head]
    lines.extend(f"  {line}" for line in explanation(row, view))
    replacements = sorted({f.replacement for f in row.result.findings if f.replacement})
    if replacements:
        lines.append(f"  replaced in XCP-ng by: {', '.join(replacements)}")
    dependants = _dependants(into, view)
    if dependants:
        lines.append("  needed by:")
        lines.extend(f"    {line}" for line in dependants)
    if view.audit.roots:
        path = _path_from_roots(row.index, view)
        if path:
            lines.append("  pulled in by: " + " -> ".join(view.name_of(index) for index in path))
    if not row.facts:
        if rest:
            # A clean binary that needs a blocked one: installing it needs nothing tainted, but
            # a buildroot may not hold it (`auditor.deps.spread`); "nothing ties it" was untrue.
            lines.append("  installing it needs nothing tainted, but a source package whose buildroot")
            lines.append("  holds it cannot be built without origin packages (a shortest chain through it):")
            lines.extend(f"  {line}" for line in _chain_lines(row, rest, view))
        else:
            lines.append("  nothing ties it to an origin package")
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def _rests_through(view: ReportView, targets: set[int]) -> dict[int, Sequence[Hop]]:
    """For each of ``targets`` (packages with no fact), the shortest rest of a flagged package's
    chain from it on, if one passes through it (only a build chain runs through a package with
    no taint of its own); each part the chains share walked once (`new_hops`), none without targets."""
    rests: dict[int, Sequence[Hop]] = {}
    if not targets:
        return rests
    seen: set[int] = set()
    for other in view.flagged:
        chain = other.chain
        if isinstance(chain, Chain):
            hops: Iterable[tuple[Hop, Sequence[Hop]]] = ((c.first, c.rest or ()) for c in _cells(chain, seen))
        else:
            hops = ((hop, chain[at + 1 :]) for at, hop in enumerate(chain))
        for hop, rest in hops:
            if hop.target in targets and (hop.target not in rests or len(rest) < len(rests[hop.target])):
                rests[hop.target] = rest
    return rests


def _cells(chain: Chain, seen: set[int]) -> Iterator[Chain]:
    """The parts of ``chain`` up to the first one already walked (ids in ``seen``, extended)."""
    cell: Chain | None = chain
    while cell is not None and id(cell) not in seen:
        seen.add(id(cell))
        yield cell
        cell = cell.rest


def _dependants(into: Sequence[Edge], view: ReportView) -> list[str]:
    """What needs a package, from every edge ``into`` it."""
    lines = []
    for source, kind, requirements in sorted(into, key=lambda edge: (view.packages[edge[0]].nevra, edge[0])):
        row = view.row(source)
        if row is None:
            continue
        label = {
            HopKind.REQUIRES: "for",
            HopKind.BUILD_REQUIRES: "to build, for",
            HopKind.BUILT_FROM: "built from it:",
        }.get(kind, kind)
        needs = ", ".join(requirements)
        lines.append(f"{view.name_of(source)} [{row.status.value}] ({label} {needs})")
    return lines


def _path_from_roots(target: int, view: ReportView) -> list[int]:
    """Shortest runtime path from a root to ``target`` (breadth first over requirement groups)."""
    audit = view.audit
    previous: dict[int, int] = {}
    queue = deque(audit.roots)
    seen = set(audit.roots)
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while path[-1] in previous:
                path.append(previous[path[-1]])
            return path[::-1]
        for group in audit.graph.runtime.get(node, ()):
            for member in group.members:
                if member not in seen:
                    seen.add(member)
                    previous[member] = node
                    queue.append(member)
    return []
