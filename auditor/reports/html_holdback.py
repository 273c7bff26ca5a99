"""What holds independence back: the plan's ranking as bars, and one origin's dependents drawn.

The ranking is `auditor.audit.plan.make_plan`'s: origin source packages by how many packages
each holds back (those whose ``depends``/``build-depends`` status clears once that source
alone is replaced). Each bar opens a panel drawing that origin's dependents as a tree laid
out here (no Graphviz needed): the origin's packages in the right-hand column, each
dependent one column further left per hop, joined by an arrow to the package it needs on its
shortest chain there (`auditor.audit.plan.DependentsFinder`). Without JavaScript every panel
is shown, one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.audit.plan import Dependents, DependentsFinder, Plan, PlanItem
from auditor.reports.flagged import PALETTE, UNAUDITED
from auditor.reports.html_chains import hop_label
from auditor.reports.html_common import esc, fit
from auditor.reports.text import plural
from auditor.reports.view import ReportView
from auditor.rpm.model import Package

MAX_BARS = 40
"""Origin sources charted (and drawn); ``auditor plan`` lists every one."""
MAX_NODES = 40
"""Packages in one drawing: the held-back ones (nearest first) and their chains, then other dependents."""
MAX_LISTED = 200
"""Packages listed by name under one drawing."""


def holdback_section(view: ReportView, plan: Plan) -> list[str]:
    parts = [
        '<section id="holdback" class="card">',
        "<h2>What holds independence back</h2>",
    ]
    if not plan.items:
        parts += ['<p class="note" id="no-origin">No origin package: nothing holds independence back.</p>']
        return [*parts, *_leftovers(view, plan), "</section>"]
    items = plan.items[:MAX_BARS]
    parts.append(
        '<p class="note">Origin source packages, ranked by how many packages each holds back: the '
        "packages that would no longer depend on an origin (at run time or to be built) if that source "
        "alone were replaced. Choose a bar to see who needs it.</p>"
    )
    parts.append('<div class="holdback">')
    parts.append(_bars(items))
    finder = DependentsFinder(view.audit)
    # Every package's box name, made once: each of the MAX_BARS drawings made them all again
    # (distro-60k: 2.5 million names, a tenth of the HTML report's time).
    names = [_label(package) for package in view.packages]
    parts.append('<div class="panels">')
    parts.extend(
        _panel(view, item, finder.of(item.packages), position, names) for position, item in enumerate(items)
    )
    parts.append("</div></div>")
    if len(plan.items) > len(items):
        parts.append(
            f'<p class="note">{len(plan.items) - len(items)} more origin sources hold back fewer packages; '
            "<code>auditor plan</code> lists them all.</p>"
        )
    parts.extend(_leftovers(view, plan))
    parts.append("</section>")
    return parts


def _bars(items: Sequence[PlanItem]) -> str:
    most = max(len(item.holds_back) for item in items) or 1
    rows = ['<ol class="bars" id="holdback-bars">']
    for position, item in enumerate(items):
        count = len(item.holds_back)
        share = f"{100 * count / most:.1f}"
        title = f"{item.source}: holds back {plural(count, 'package')}"
        rows.append(
            f'<li><button type="button" class="bar" data-source="{esc(item.source)}" data-count="{count}" '
            f'aria-controls="focus-{position}" aria-pressed="{"true" if position == 0 else "false"}" '
            f'title="{esc(title)}"><span class="bar-name">{esc(item.source)}</span>'
            f'<span class="bar-track"><span class="bar-fill" style="width: {share}%"></span></span>'
            f'<span class="bar-count">{count}</span></button></li>'
        )
    rows.append("</ol>")
    return "".join(rows)


def _panel(
    view: ReportView, item: PlanItem, dependents: Dependents, position: int, names: Sequence[str]
) -> str:
    held = set(item.holds_back)
    # A clean package a build chain runs through needs nothing tainted itself: it is drawn on
    # the way, never listed as one that needs the origin.
    others = sorted(
        (index for index in dependents.toward if index not in held and index not in dependents.through),
        key=lambda index: (dependents.distance[index], view.packages[index].nevra),
    )
    nevras = [view.name_of(index) for index in item.packages]
    parts = [
        f'<section class="focus" id="focus-{position}" data-source="{esc(item.source)}" '
        f'data-held="{len(held)}" data-dependents="{len(dependents.toward) - len(dependents.through)}">',
        f"<h3>{esc(item.source)}</h3>",
        f"<p>{plural(len(nevras), 'origin package')}: "
        + ", ".join(f"<code>{esc(nevra)}</code>" for nevra in nevras[:10])
        + (f" and {len(nevras) - 10} more" if len(nevras) > 10 else "")
        + f". Replacing it alone frees {plural(len(held), 'package')} of their depends or build-depends "
        f"status; {_others(len(others))}</p>",
    ]
    if item.replacements:
        parts.append(
            "<p>Known replacement: "
            + ", ".join(f"<code>{esc(r)}</code>" for r in item.replacements)
            + ".</p>"
        )
    if item.obsoleted_by:
        parts.append(
            "<p>Already in the run and obsoleting it: "
            + ", ".join(f"<code>{esc(view.name_of(i))}</code>" for i in item.obsoleted_by)
            + ".</p>"
        )
    parts.append(dependents_svg(view, dependents, held, others, names))
    parts.append(
        '<p class="legend note"><span class="key key-held"></span> held back: freed once it is replaced '
        '<span class="key key-other"></span> needs it, and another origin too, or has a clean alternative; '
        "&#8594; needs (on its shortest chain to it)</p>"
    )
    parts.append(_listing("Held back", sorted(held, key=lambda i: view.packages[i].nevra), view, "held"))
    parts.append(_listing("Also need it", others, view, "others"))
    parts.append("</section>")
    return "\n".join(parts)


def _others(count: int) -> str:
    if not count:
        return "nothing else needs it."
    verb = "needs" if count == 1 else "need"
    return f"{plural(count, 'other package')} also {verb} it, but another origin too or not only it."


def _listing(title: str, indices: Sequence[int], view: ReportView, kind: str) -> str:
    if not indices:
        return ""
    rows = [f'<details class="listing listing-{kind}"><summary>{esc(title)} ({len(indices)})</summary><ul>']
    for index in indices[:MAX_LISTED]:
        row = view.row(index)
        why = f" \u2014 {esc(row.why)}" if row is not None and row.why else ""
        rows.append(f"<li><code>{esc(view.name_of(index))}</code>{why}</li>")
    if len(indices) > MAX_LISTED:
        rows.append(f'<li class="note">and {len(indices) - MAX_LISTED} more</li>')
    rows.append("</ul></details>")
    return "".join(rows)


def _leftovers(view: ReportView, plan: Plan) -> list[str]:
    parts = []
    if plan.needs_more:
        parts.append(
            f'<p id="needs-more">{plural(len(plan.needs_more), "package")} no single replacement clears '
            "(rebuild, or replace several): " + _names(view, plan.needs_more) + "</p>"
        )
    if plan.avoidable:
        parts.append(
            f'<p id="avoidable">{plural(len(plan.avoidable), "package")} may depend on an origin but '
            "has a clean provider for every tainted requirement (avoidable now): "
            + _names(view, plan.avoidable)
            + "</p>"
        )
    return parts


def _names(view: ReportView, indices: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(f"<code>{esc(view.name_of(i))}</code>" for i in indices[:limit])
    return shown + (f" and {len(indices) - limit} more." if len(indices) > limit else ".")


# -- the drawing -------------------------------------------------------------------------------

NODE_WIDTH = 190
NODE_HEIGHT = 40
COLUMN_GAP = 46
ROW_GAP = 10
PAD = 8


def chosen_nodes(
    dependents: Dependents, held: set[int], others: Sequence[int], names: Sequence[str]
) -> list[int]:
    """The packages one drawing shows: every held-back package with its chain (nearest first),
    then other dependents while there is room, each with its chain; at most `MAX_NODES`."""
    chosen: dict[int, None] = {}

    def add(index: int) -> None:
        # ``chosen`` holds each of its packages' way to the group: the packages of ``index``'s
        # chain not in it are those before the first that is, and no more than there is room
        # for are read (a chain can be as long as the distribution).
        new: list[int] = []
        node: int | None = index
        room = MAX_NODES - len(chosen)
        while node is not None and node not in chosen:
            if len(new) == room:
                return
            new.append(node)
            hop = dependents.toward.get(node)
            node = None if hop is None else hop.target
        chosen.update(dict.fromkeys(new))

    for index in sorted(held & dependents.toward.keys(), key=lambda i: (dependents.distance[i], names[i])):
        add(index)
    for index in others:
        if len(chosen) >= MAX_NODES:
            break
        add(index)
    if not chosen:  # nothing needs it: the drawing shows the origin's own packages
        chosen.update(dict.fromkeys(dependents.members[:MAX_NODES]))
    return list(chosen)


def dependents_svg(
    view: ReportView, dependents: Dependents, held: set[int], others: Sequence[int], names: Sequence[str]
) -> str:
    """The drawing of who needs one origin source; ``names`` holds every package's `_label`."""
    nodes = chosen_nodes(dependents, held, others, names)
    columns: dict[int, list[int]] = {}
    for index in nodes:
        columns.setdefault(dependents.distance[index], []).append(index)
    row_of: dict[int, int] = {}
    for depth in sorted(columns):
        # Ordered by the row of the package each needs: the tree's arrows never cross.
        columns[depth].sort(key=lambda i: (row_of.get(_next(dependents, i), 0), names[i]))
        row_of.update((index, row) for row, index in enumerate(columns[depth]))
    deepest = max(columns)
    tallest = max(len(column) for column in columns.values())
    step = NODE_HEIGHT + ROW_GAP
    width = 2 * PAD + (deepest + 1) * NODE_WIDTH + deepest * COLUMN_GAP
    height = 2 * PAD + tallest * step - ROW_GAP
    place: dict[int, tuple[float, float]] = {}
    for depth, column in columns.items():
        offset = (tallest - len(column)) * step / 2
        x = PAD + (deepest - depth) * (NODE_WIDTH + COLUMN_GAP)
        for row, index in enumerate(column):
            place[index] = (x, PAD + offset + row * step)
    shown = len([i for i in nodes if i in dependents.toward and i not in dependents.through])
    total = len(dependents.toward) - len(dependents.through)
    label = f"{shown} of {total} packages that need it"
    parts = [
        f'<svg class="dependents" width="{width}" height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-label="{esc(label)}" font-family="ui-monospace, monospace" font-size="12">'
    ]
    for index in nodes:
        hop = dependents.toward.get(index)
        if hop is not None and hop.target in place:
            parts.append(_edge(place[index], place[hop.target], hop_label(hop)))
    for index in nodes:
        parts.append(_node(view, index, place[index], dependents, held))
    parts.append("</svg>")
    if shown < total:
        parts.append(
            f'<p class="note">The drawing shows {shown} of the {total} packages that '
            "need it; the lists below name them.</p>"
        )
    return "".join(parts)


def _label(package: Package) -> str:
    """A box's name: the package name, with ``.src`` for a source package (it shares its binary's name)."""
    return package.name + ".src" if package.is_source else package.name


def _next(dependents: Dependents, index: int) -> int:
    hop = dependents.toward.get(index)
    return hop.target if hop is not None else index


def _node(
    view: ReportView, index: int, at: tuple[float, float], dependents: Dependents, held: set[int]
) -> str:
    package = view.packages[index]
    row = view.row(index)
    status = row.status.value if row is not None else UNAUDITED
    stroke, fill = PALETTE[status]
    if index not in dependents.toward:
        role, text, dash, weight = "origin", "origin", "", 2.0
    elif index in held:
        role, text, dash, weight = "held", "held back", "", 2.5
    elif index in dependents.through:
        role, text, dash, weight = "through", "a buildroot holds it", ' stroke-dasharray="2 2"', 1.2
    else:
        text = "has an alternative" if status == "may-depend" else "needs others too"
        role, dash, weight = "other", ' stroke-dasharray="5 3"', 1.2
    x, y = at
    detail = f"{status} \u00b7 {text}"
    why = row.why if row is not None else ""
    return (
        f'<g class="node node-{role}" data-nevra="{esc(package.nevra)}">'
        f"<title>{esc(view.name_of(index) + chr(10) + detail + (chr(10) + why if why else ''))}</title>"
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{weight}"{dash}/>'
        f'<text x="{x + 8:.0f}" y="{y + 16:.0f}" font-weight="bold" fill="#1f2328">'
        f"{fit(_label(package), NODE_WIDTH - 16)}</text>"
        f'<text x="{x + 8:.0f}" y="{y + 32:.0f}" fill="{stroke}" font-size="11">'
        f"{fit(detail, (NODE_WIDTH - 16) * 12 / 11)}</text></g>"
    )


def _edge(start: tuple[float, float], end: tuple[float, float], label: str) -> str:
    x1, y1 = start[0] + NODE_WIDTH, start[1] + NODE_HEIGHT / 2
    x2, y2 = end[0], end[1] + NODE_HEIGHT / 2
    middle = (x1 + x2) / 2
    return (
        f'<g class="edge"><title>{esc(label)}</title>'
        f'<path d="M{x1:.0f},{y1:.0f} C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} {x2 - 7:.0f},{y2:.0f}" '
        'fill="none" stroke="#57606a" stroke-width="1.4"/>'
        f'<polygon points="{x2 - 8:.0f},{y2 - 4:.0f} {x2 - 8:.0f},{y2 + 4:.0f} {x2:.0f},{y2:.0f}" '
        'fill="#57606a"/></g>'
    )
