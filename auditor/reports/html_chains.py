"""The HTML report's flagged packages: each one's facts and rulings, and its chain drawn as SVG."""

from __future__ import annotations

from auditor.audit.facttext import alternatives_text
from auditor.deps.hops import Hop, HopKind
from auditor.reports.chains import shown
from auditor.reports.flagged import PALETTE, UNAUDITED
from auditor.reports.html_common import badges, esc, fit
from auditor.reports.rows import PackageView
from auditor.reports.view import ReportView

MAX_SECTIONS = 500
"""Flagged packages explained one by one (with their chain drawn); the rest stay in the table."""


def flagged_sections(view: ReportView, anchors: dict[int, str]) -> list[str]:
    flagged = view.flagged
    parts = [
        '<section id="chains" class="card">',
        "<h2>Flagged packages</h2>",
    ]
    if not flagged:
        parts.append('<p class="note">No package is flagged.</p>')
    detailed = [row for row in flagged if row.index in anchors]
    parts.extend(section(row, view, anchors[row.index]) for row in detailed)
    if len(flagged) > len(detailed):
        # Flagged packages come blocking first: any left out block only past MAX_SECTIONS of them.
        blocking = sum(1 for row in flagged if row.blocking and row.index not in anchors)
        parts.append(
            f'<p class="note">{len(flagged) - len(detailed)} more flagged packages ({blocking} blocking) '
            "are not detailed here; the table lists them all, and <code>auditor why NAME</code> explains "
            "any one.</p>"
        )
    parts.append("</section>")
    return parts


def section(row: PackageView, view: ReportView, anchor: str) -> str:
    parts = [
        f'<article class="package status-{row.status.value}" id="{anchor}">',
        f"<h3>{badges(row)} {esc(row.label)}</h3>",  # a copy of a shared NEVRA named as its row is
        f"<p>{esc(row.why)}</p>",
    ]
    if row.facts:
        parts.append("<ul>")
        for item in row.facts:
            state = "blocks" if item.blocks else item.disposition.value
            message = f" \u2014 {esc(item.fact.finding.message)}" if item.fact.finding is not None else ""
            resolution = item.fact.resolution
            text = (
                f"nothing provides <code>{esc(item.fact.unmet)}</code>"
                if resolution is not None
                else esc(item.text)
            )
            parts.append(
                f'<li class="fact fact-{item.fact.kind.value}" data-blocks="{str(item.blocks).lower()}">'
                f"{esc(item.fact.kind.value)}: {text}{message} "
                f'<span class="ruling">[{esc(state)}: {esc(item.reason)}]</span></li>'
            )
        parts.append("</ul>")
    if row.chain:
        parts.append(chain_svg(row, view))
    if row.waivers:
        parts.append(f"<p>Waived by {esc(', '.join(row.waivers))}.</p>")
    parts.append("</article>")
    return "\n".join(parts)


# -- the chain as SVG -----------------------------------------------------------------------

BOX_WIDTH = 620
BOX_HEIGHT = 44
GAP = 40
PAD = 8
ARROW_X = PAD + 28
HOP_WORDS = {
    HopKind.REQUIRES: "needs",
    HopKind.BUILD_REQUIRES: "build needs",
    HopKind.BUILT_FROM: "built from",
}


def hop_label(hop: Hop) -> str:
    """A hop as its arrow is labelled: ``needs: xapi``, ``build needs: gcc``, ``built from``."""
    label = HOP_WORDS.get(hop.kind, hop.kind)
    if hop.requirement and hop.kind is not HopKind.BUILT_FROM:
        label += f": {hop.requirement}"
    return label + alternatives_text(hop)


def chain_svg(row: PackageView, view: ReportView) -> str:
    """The chain as a column of boxes (one per package, coloured by status) joined by labelled
    arrows; a shortened one (`auditor.reports.chains`) with a box saying how many hops it
    leaves out before the last, which reaches the origin package."""
    chain = shown(row.chain)
    # A box a package, or None for the hops left out; the arrow below each box, or None.
    steps: list[int | None] = [row.index, *(hop.target for hop in chain.head)]
    arrows: list[Hop | None] = list(chain.head)
    if chain.shortened:
        last = chain.end[0]
        steps += [None, last.source, last.target]
        arrows += [None, None, last]
    height = 2 * PAD + len(steps) * BOX_HEIGHT + (len(steps) - 1) * GAP
    width = 2 * PAD + BOX_WIDTH
    parts = [
        f'<svg class="chain" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc("chain of " + row.package.nevra)}" font-family="ui-monospace, monospace" '
        'font-size="12">'
    ]
    evidence = view.row_evidence(row)
    for position, index in enumerate(steps):
        top = PAD + position * (BOX_HEIGHT + GAP)
        if index is None:
            parts.append(_left_out(chain.note, top))
            continue
        step = view.row(index)
        status = step.status.value if step is not None else UNAUDITED
        state = step.gate.value if step is not None else ""
        detail = f"{status} ({state})" if state else status
        if position == len(steps) - 1 and evidence is not None:
            detail += ": " + evidence.text
        stroke, fill = PALETTE[status]
        nevra = view.name_of(index)
        parts.append(
            f'<g class="step status-{status}"><title>{esc(nevra + chr(10) + detail)}</title>'
            f'<rect x="{PAD}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2 if state == "blocking" else 1}"/>'
            f'<text x="{PAD + 10}" y="{top + 18}" font-weight="bold" fill="#1f2328">'
            f"{fit(nevra, BOX_WIDTH - 20)}</text>"
            f'<text x="{PAD + 10}" y="{top + 35}" fill="{stroke}">{fit(detail, BOX_WIDTH - 20)}</text></g>'
        )
        arrow = arrows[position] if position < len(arrows) else None
        if arrow is not None:
            parts.append(_arrow(arrow, top + BOX_HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def _left_out(note: str, top: int) -> str:
    """The box that stands for the hops a shortened chain does not draw."""
    return (
        f'<g class="left-out"><title>{esc(note)}</title>'
        f'<rect x="{PAD}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="#ffffff" '
        'stroke="#57606a" stroke-dasharray="4 3"/>'
        f'<text x="{PAD + 10}" y="{top + 27}" fill="#57606a">'
        f"{fit(note + ' (the JSON report has them)', BOX_WIDTH - 20)}</text></g>"
    )


def _arrow(hop: Hop, start: int) -> str:
    end = start + GAP
    label = hop_label(hop)
    return (
        f'<g class="hop"><title>{esc(label)}</title>'
        f'<line x1="{ARROW_X}" y1="{start}" x2="{ARROW_X}" y2="{end - 7}" stroke="#57606a" '
        'stroke-width="1.5"/>'
        f'<polygon points="{ARROW_X - 5},{end - 8} {ARROW_X + 5},{end - 8} {ARROW_X},{end}" fill="#57606a"/>'
        f'<text x="{ARROW_X + 14}" y="{start + GAP // 2 + 4}" fill="#57606a">'
        f"{fit(label, BOX_WIDTH - (ARROW_X + 14))}</text></g>"
    )
