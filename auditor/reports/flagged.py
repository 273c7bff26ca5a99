"""The subgraph the graph formats draw, bounded so that Graphviz can lay it out.

- By default: every non-clean package and the packages on its chain.
- With ``--focus NAME``: only the chains through NAME: the packages of that name, their
  chains, and the flagged packages whose chains pass through them (from the chain's start to
  NAME), nearest first, up to `MAX_NODES` packages.
- When the default would draw more than `MAX_NODES` packages (Graphviz took over 300 s on a
  60,000-package distribution): one node per cause (`auditor.reports.causes`: the origin
  source package the chains end at), with its counts, and an edge where packages of one group
  require packages of another. The graph's label says which of these was drawn.

Nothing here analyses: the nodes are read from the results and their chains, the edges
from the run's dependency graph (`auditor.deps.graph.DependencyGraph.graph`) between those
nodes. A package on a chain that is not audited (a ``--with`` context package, or one
outside ``--roots``) has the status ``unaudited``: the audit gives no verdict for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.core.errors import ExitCode
from auditor.deps.hops import Hop, HopKind
from auditor.reports.causes import cause_groups
from auditor.reports.chains import FirstReach, new_hops
from auditor.reports.failures import run_failures
from auditor.reports.rows import PackageView
from auditor.reports.text import clean_text
from auditor.reports.view import ReportView

UNAUDITED = "unaudited"

PALETTE: dict[str, tuple[str, str]] = {
    "origin": ("#b31d28", "#fde2e4"),
    "depends": ("#c24e00", "#ffe8d6"),
    "may-depend": ("#8a6d00", "#fff5c2"),
    "build-depends": ("#5a32a3", "#eee6ff"),
    "unresolved": ("#4a5560", "#e8ebef"),
    "clean": ("#1a7f37", "#dcfce7"),
    UNAUDITED: ("#6e7781", "#ffffff"),
}
"""Stroke and fill colour of each status, shared by the DOT and HTML reports."""


MAX_NODES = 300
"""The most packages a graph draws one by one (Graphviz lays that out in seconds)."""


@dataclass(frozen=True)
class Node:
    index: int
    id: str
    """Unique within the graph: the NEVRA, qualified by its input when two packages share one."""
    nevra: str
    name: str
    kind: str
    status: str
    gate: str
    reason: str


@dataclass(frozen=True)
class GroupNode:
    """One cause standing for its packages, when there are too many to draw one by one."""

    id: str
    name: str
    """The origin source package (or what the group is, for the others)."""
    kind: str
    """``origin``, ``unresolved`` or ``other`` (`auditor.reports.causes.CauseKind`)."""
    status: str
    """The worst status of its packages."""
    packages: int
    origins: int
    flagged_through: int
    blocking: int
    title: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: HopKind
    requirement: str
    """The requirements behind the edge, sorted and joined with ``, ``; between groups, how many."""
    on_chain: bool
    """Whether the edge is a hop of some package's explanation chain."""


@dataclass(frozen=True)
class FlaggedGraph:
    nodes: list[Node]
    edges: list[Edge]
    label: str = "auditor: flagged packages and their chains"
    groups: list[GroupNode] = field(default_factory=list)
    """Set instead of ``nodes`` when the packages were too many to draw one by one."""


def run_state(view: ReportView) -> dict[str, str]:
    """The run's verdict as graph attributes: a graph of what was flagged is empty or small both
    when the release is clean and when the audit saw nothing (an empty directory, inputs it
    could not read), and a reader of the graph alone must be able to tell which."""
    completeness = view.decision.completeness
    state = {
        "exitcode": str(int(view.decision.exit_code)),
        "headline": view.headline.state,
        "complete": "true" if completeness.complete else "false",
    }
    if not completeness.complete:
        state["completeness"] = clean_text(completeness.summary())
    if view.warnings:
        # One attribute, its warnings a line each: what the other formats list (a policy rule
        # replaced whole is why a Citrix package passes).
        state["warnings"] = clean_text("\n".join(view.warnings))
    return state


def verdict_note(view: ReportView) -> str | None:
    """What the graph says beside its packages when the run failed, did not see everything, has
    warnings, or is blocked by what is no package (a configured URL on a policy host, a stale waiver): the
    graph of a run a redirect to Citrix blocked was empty, exit code 1, and said nothing of it."""
    completeness = view.decision.completeness
    config = view.blocking_config
    failures = [item.text for item in run_failures(view.decision) if item.exit_code is ExitCode.FINDINGS]
    quiet = view.headline.state != "failed" and completeness.complete and not view.warnings
    if quiet and not config and not failures:
        return None
    lines = [f"{view.headline.text} (exit code {int(view.decision.exit_code)})"]
    if not completeness.complete:
        lines.append(f"{completeness.summary()}: a clean verdict covers only what was seen")
        # Named, as the table and Markdown name them: a count alone sent the graph's reader to
        # another format to learn which Source or file was not seen.
        lines += view.unseen_examples()
    lines += [f"could not read: {error.source}: {error.reason}" for error in view.errors]
    blocks = [f"blocks: {item.fact.subject}: {item.text}" for item in config] + failures
    lines += blocks[:MAX_NOTED]
    if len(blocks) > MAX_NOTED:
        lines.append(f"and {len(blocks) - MAX_NOTED} more (the JSON report lists every one)")
    lines += [f"warning: {warning}" for warning in view.warnings[:MAX_NOTED]]
    if len(view.warnings) > MAX_NOTED:
        lines.append(f"and {len(view.warnings) - MAX_NOTED} more warnings (the JSON report lists every one)")
    # One line each: a line break in a name (a spec file's, a gap's) drew a line of its own,
    # which could read as the verdict (" PASSED (exit code 0)").
    return clean_text("\n".join(" ".join(line.splitlines()) for line in lines))


MAX_NOTED = 10
"""What blocks outside the drawing, named in its note (the JSON report lists every one)."""


def graph_of(view: ReportView, focus: str | None = None, limit: int = MAX_NODES) -> FlaggedGraph:
    """What a graph format draws: the chains through ``focus``, else every flagged package and
    its chain, else (over ``limit`` packages) one node per cause."""
    if focus is not None:
        return _focused(view, focus, limit)
    indexes, hops = _flagged_nodes(view)
    if len(indexes) > limit:
        return cause_graph(view, len(indexes), limit)
    return _package_graph(view, indexes, hops, FlaggedGraph.label)


def flagged_graph(view: ReportView) -> FlaggedGraph:
    """Every non-clean package and the packages on its chain, however many."""
    indexes, hops = _flagged_nodes(view)
    return _package_graph(view, indexes, hops, FlaggedGraph.label)


def _flagged_nodes(view: ReportView) -> tuple[set[int], dict[tuple[int, int], Hop]]:
    indexes = {row.index for row in view.flagged}
    hops: dict[tuple[int, int], Hop] = {}
    seen: set[int] = set()  # the chains share their ends: each shared part is walked once
    for row in view.flagged:
        for hop in new_hops(row.chain, seen):
            indexes.update((hop.source, hop.target))
            hops[(hop.source, hop.target)] = hop
    return indexes, hops


def _focused(view: ReportView, focus: str, limit: int) -> FlaggedGraph:
    """The packages named ``focus`` with their chains, and the flagged packages whose chains pass
    through them, each from its start to ``focus``, nearest first."""
    packages = view.packages
    named = {index for index, package in enumerate(packages) if package.name == focus}
    indexes = set(named)
    hops: dict[tuple[int, int], Hop] = {}
    for index in named:
        row = view.row(index)
        for hop in row.chain if row is not None else ():
            indexes.update((hop.source, hop.target))
            hops[(hop.source, hop.target)] = hop
    through: list[tuple[int, str, Sequence[Hop]]] = []
    first_reach = FirstReach(named)
    for row in view.flagged:
        reach = first_reach.of(row.chain)
        if reach is not None and row.index not in named:
            through.append((reach, row.package.nevra, row.chain))
    through.sort(key=lambda item: (item[0], item[1]))
    # A clean binary a build chain runs through (it needs a blocked one) has no chain of its own:
    # the rest of the nearest chain through it is drawn, so that the drawing still reaches the
    # origin package and does not show a package blocked by a clean one.
    continued = {index for index in named if (row := view.row(index)) is not None and row.chain}
    for reach, _, chain in through:
        if chain[reach].target not in continued:
            continued.add(chain[reach].target)
            for hop in chain[reach + 1 :]:
                indexes.update((hop.source, hop.target))
                hops[(hop.source, hop.target)] = hop
    drawn = 0
    for reach, _, chain in through:
        prefix = chain[: reach + 1]
        more = {hop.source for hop in prefix} - indexes
        if len(indexes) + len(more) > limit:
            break
        indexes |= more
        hops.update(((hop.source, hop.target), hop) for hop in prefix)
        drawn += 1
    label = f"auditor: the chains through {clean_text(focus)}"
    if drawn < len(through):
        label += (
            f" ({drawn} of the {len(through)} flagged packages whose chains pass through it, nearest "
            f"first: the graph stops at {limit} packages)"
        )
    return _package_graph(view, indexes, hops, label)


def _package_graph(
    view: ReportView, indexes: set[int], hops: dict[tuple[int, int], Hop], label: str
) -> FlaggedGraph:
    packages = view.packages
    order = sorted(indexes, key=lambda i: (packages[i].nevra, packages[i].input, i))
    ids = _node_ids(view, order)
    nodes = [_node(index, ids[index], view.row(index), view) for index in order]
    among = view.audit.graph.edges_among(indexes)
    pairs = set(among) | set(hops)
    edges = []
    for a, b in pairs:
        if (a, b) in among:
            kind, requirements = among[(a, b)]
        else:
            kind, requirements = hops[(a, b)].kind, [hops[(a, b)].requirement]
        text = ", ".join(sorted(set(requirements)))
        edges.append(Edge(ids[a], ids[b], kind, clean_text(text), (a, b) in hops))
    edges.sort(key=lambda edge: (edge.source, edge.target))
    return FlaggedGraph(nodes, edges, label)


def cause_graph(view: ReportView, package_count: int = 0, limit: int = MAX_NODES) -> FlaggedGraph:
    """One node per cause, an edge where packages of one group require packages of another."""
    groups = cause_groups(view)
    member_of: dict[int, int] = {}
    nodes = []
    for position, group in enumerate(groups):
        for row in group.rows:
            member_of[row.index] = position
        for origin in group.origins:
            member_of.setdefault(origin, position)
        worst = min(group.rows, key=lambda row: row.status.rank).status.value
        nodes.append(
            GroupNode(
                id=f"group {position}",
                name=clean_text(group.source or group.kind.value),
                kind=group.kind.value,
                status=worst,
                packages=len(group.rows),
                origins=len(group.rows) - group.flagged_through,
                flagged_through=group.flagged_through,
                blocking=group.blocking,
                title=clean_text(group.title()),
            )
        )
    between: Counter[tuple[int, int]] = Counter()
    for a, b in view.audit.graph.edges_among(member_of):
        if member_of[a] != member_of[b]:
            between[(member_of[a], member_of[b])] += 1
    edges = [
        Edge(nodes[a].id, nodes[b].id, HopKind.REQUIRES, f"{count} requirement(s)", False)
        for (a, b), count in sorted(between.items())
    ]
    label = (
        f"auditor: {len(view.flagged)} flagged packages ({package_count} with their chains, over "
        f"{limit}) drawn as {len(nodes)} groups by the origin source package their chains end at; "
        "--focus NAME draws one package's chains"
    )
    return FlaggedGraph([], edges, label, nodes)


def _node(index: int, node_id: str, row: PackageView | None, view: ReportView) -> Node:
    package = view.packages[index]
    return Node(
        index=index,
        id=node_id,
        nevra=clean_text(package.nevra),
        name=clean_text(package.name),
        kind=package.kind.value,
        status=row.status.value if row is not None else UNAUDITED,
        gate=row.gate.value if row is not None else "",
        reason=clean_text(row.why) if row is not None else "not audited in this run",
    )


def _node_ids(view: ReportView, order: list[int]) -> dict[int, str]:
    """Each drawn package's id, which the DOT label shows: its NEVRA, with its input (its file when
    that input holds another) when another package has it, drawn or not (a vendor's build drawn
    alone read as the verdict on the clean rebuild of its NEVRA, which every other format names
    apart)."""
    counts = Counter(view.packages[index].nevra for index in order)
    ids: dict[int, str] = {}
    seen: set[str] = set()
    for index in order:
        package = view.packages[index]
        row = view.row(index)
        shared = counts[package.nevra] > 1 or (row is not None and package.nevra in row.shared_nevras)
        # Its file where its input holds another (two builds in one repository), as its row names it.
        where = row.path if row is not None and package.nevra in row.shared_in_input else package.input
        node_id = f"{package.nevra} [{where}]" if shared else package.nevra
        while node_id in seen:
            node_id += "'"
        seen.add(node_id)
        ids[index] = clean_text(node_id)
    return ids
