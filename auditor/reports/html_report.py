"""One self-contained HTML page: summary, a filterable table of packages, and each chain drawn.

Nothing on the page makes a request: no external script, style, font or image, and a
Content-Security-Policy that forbids them (``default-src 'none'``). The only script is the
static one below, allowed by its hash: a browser that knows hashes then ignores
``'unsafe-inline'``, so even an escaping mistake could not run injected script or event
handlers. The package data the table shows is embedded as a JSON ``<script
type="application/json">`` block with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so
``</script>`` in a summary cannot end the block; the script only ever sets ``textContent``.
Every other piece of package data is HTML-escaped. Chains are inline SVG drawn here: one
box per package coloured by status, arrows labelled with the requirement.

The table reads its filter from the URL: ``report.html#filter=citrix&status=origin`` (or
the same as a query string) and keeps the URL fragment in step as the filter changes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

from auditor.deps.graph import Hop
from auditor.origin.findings import Verdict
from auditor.reports.flagged import PALETTE, UNAUDITED
from auditor.reports.text import alternatives_text, clean_text
from auditor.reports.view import Gate, PackageView, ReportView

MAX_SECTIONS = 500
"""Flagged packages explained one by one (with their chain drawn); the rest stay in the table."""

SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("auditor-data").textContent);
  var body = document.getElementById("package-rows");
  var filterBox = document.getElementById("filter");
  var statusBox = document.getElementById("status");
  var shown = document.getElementById("shown");
  var special = {"": true, flagged: true, blocking: true, waived: true};

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  var rows = data.packages.map(function (p) {
    var tr = document.createElement("tr");
    tr.className = "status-" + p.status;
    tr.setAttribute("data-status", p.status);
    tr.setAttribute("data-gate", p.gate);
    var name = cell(tr, "");
    if (p.anchor) {
      var link = document.createElement("a");
      link.href = "#" + p.anchor;
      link.textContent = p.nevra;
      name.appendChild(link);
    } else {
      name.textContent = p.nevra;
    }
    var status = cell(tr, "");
    var badge = document.createElement("span");
    badge.className = "badge status-" + p.status;
    badge.textContent = p.status;
    status.appendChild(badge);
    if (p.gate) {
      var flag = document.createElement("span");
      flag.className = "gate gate-" + p.gate;
      flag.textContent = p.gate;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(flag);
    }
    cell(tr, p.why);
    cell(tr, p.vendor);
    cell(tr, p.summary);
    var text = [p.nevra, p.status, p.gate, p.why, p.vendor, p.summary].join("\\n").toLowerCase();
    return {element: tr, p: p, text: text};
  });
  var fragment = document.createDocumentFragment();
  rows.forEach(function (row) { fragment.appendChild(row.element); });
  body.appendChild(fragment);

  function keep(row, words, status) {
    if (status === "flagged" && row.p.status === "clean") { return false; }
    if ((status === "blocking" || status === "waived") && row.p.gate !== status) { return false; }
    if (!special[status] && row.p.status !== status) { return false; }
    for (var i = 0; i < words.length; i++) {
      if (row.text.indexOf(words[i]) < 0) { return false; }
    }
    return true;
  }

  function apply(record) {
    var words = filterBox.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var status = statusBox.value;
    var count = 0;
    rows.forEach(function (row) {
      var visible = keep(row, words, status);
      row.element.hidden = !visible;
      if (visible) { count++; }
    });
    shown.textContent = "Showing " + count + " of " + rows.length + " packages";
    document.body.setAttribute("data-shown", String(count));
    if (record) {
      var params = new URLSearchParams();
      if (filterBox.value) { params.set("filter", filterBox.value); }
      if (status) { params.set("status", status); }
      var state = params.toString();
      try {
        history.replaceState(null, "", state ? "#" + state : location.pathname + location.search);
      } catch (error) { /* some browsers refuse history changes on file: pages */ }
    }
  }

  function load() {
    var params = new URLSearchParams(location.search);
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") >= 0) {
      new URLSearchParams(hash).forEach(function (value, key) { params.set(key, value); });
    }
    if (params.has("filter")) { filterBox.value = params.get("filter"); }
    if (params.has("status")) { statusBox.value = params.get("status"); }
    if (statusBox.selectedIndex < 0) { statusBox.value = ""; }
    apply(false);
  }

  filterBox.addEventListener("input", function () { apply(true); });
  statusBox.addEventListener("change", function () { apply(true); });
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") >= 0) { load(); }
  });
  load();
  document.documentElement.setAttribute("data-ready", "true");
})();
"""

SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'unsafe-inline' 'sha256-{SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
)


def _style() -> str:
    statuses = "\n".join(
        f".status-{status} {{ --stroke: {stroke}; --fill: {fill}; }}"
        for status, (stroke, fill) in PALETTE.items()
    )
    return f"""
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 1em 2em;
  max-width: 1400px; color: #1f2328; background: #fff; }}
h1 {{ margin-bottom: .2em; }}
h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: .2em; margin-top: 1.6em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
td:first-child {{ font-family: ui-monospace, monospace; white-space: nowrap; }}
#package-table {{ width: 100%; }}
#package-table tr {{ border-left: 4px solid var(--stroke, #d0d7de); }}
.counts td:nth-child(n+2) {{ text-align: right; }}
.badge {{ display: inline-block; padding: 0 .5em; border: 1px solid var(--stroke); background: var(--fill);
  color: var(--stroke); border-radius: 1em; font-size: 12px; font-weight: 600; white-space: nowrap; }}
.gate {{ font-size: 12px; font-weight: 600; text-transform: uppercase; }}
.gate-blocking {{ color: #b31d28; }}
.gate-waived {{ color: #6e7781; }}
.verdict {{ font-size: 1.2em; font-weight: 600; }}
.verdict.failed {{ color: #b31d28; }}
.verdict.passed {{ color: #1a7f37; }}
.banner.incomplete {{ background: #fff8c5; border: 1px solid #d4a72c; padding: .5em .8em;
  border-radius: 6px; }}
.controls {{ display: flex; gap: 1.5em; align-items: center; margin: .6em 0; flex-wrap: wrap; }}
.controls input {{ width: 28em; }}
.package {{ border: 1px solid #d0d7de; border-left: 6px solid var(--stroke); border-radius: 6px;
  padding: .2em 1em .8em; margin: 1em 0; }}
.package h3 {{ font-family: ui-monospace, monospace; font-size: 14px; }}
.package ul {{ margin: .3em 0; }}
svg.chain {{ display: block; margin: .6em 0; max-width: 100%; height: auto; }}
.note {{ color: #57606a; }}
code {{ font-family: ui-monospace, monospace; }}
{statuses}
"""


def render(view: ReportView) -> str:
    flagged = view.flagged
    detailed = flagged[:MAX_SECTIONS]
    anchors = {row.index: f"pkg-{position}" for position, row in enumerate(detailed)}
    title = "auditor report: " + view.headline.text
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_style()}</style>",
        "</head>",
        "<body>",
        *_summary(view),
        *_table(),
        '<section id="chains">',
        "<h2>Flagged packages</h2>",
    ]
    if not flagged:
        parts.append('<p class="note">No package is flagged.</p>')
    parts.extend(_section(row, view, anchors[row.index]) for row in detailed)
    if len(flagged) > len(detailed):
        parts.append(
            f'<p class="note">{len(flagged) - len(detailed)} more flagged packages are not detailed here; '
            "the table lists them all, and <code>auditor why NAME</code> explains any one.</p>"
        )
    parts += [
        "</section>",
        f'<footer class="note"><p>auditor {_esc(view.version)}</p></footer>',
        f'<script type="application/json" id="auditor-data">{_data(view, anchors)}</script>',
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(view: ReportView) -> list[str]:
    counts = view.counts()
    headline = view.headline
    failed = headline.state in ("blocking", "failed")
    parts = [
        "<header>",
        "<h1>auditor report</h1>",
        f'<p class="verdict {"failed" if failed else "passed"}" id="headline" data-state="{headline.state}">'
        f"{_esc(headline.text)}: {_esc(view.summary_line())}; exit code {int(view.exit_code)}</p>",
    ]
    completeness = view.decision.completeness
    if not completeness.complete:
        parts.append(
            f'<p class="banner incomplete" id="incomplete" role="alert">The audit is '
            f"{_esc(completeness.summary())}: a clean verdict covers only what was seen.</p>"
        )
    parts += [
        "</header>",
        '<section id="summary">',
        "<h2>Summary</h2>",
        '<table class="counts"><thead><tr><th>status</th><th>packages</th><th>blocking</th><th>waived</th>'
        "</tr></thead><tbody>",
    ]
    for verdict in Verdict:
        blocking, waived = view.gate_counts(verdict)
        parts.append(
            f'<tr><td><span class="badge status-{verdict.value}">{verdict.value}</span></td>'
            f"<td>{counts[verdict.value]}</td><td>{blocking}</td><td>{waived}</td></tr>"
        )
    parts.append("</tbody></table>")
    categories = view.category_counts()
    parts.append(
        "<p>Origin evidence by category: "
        + ", ".join(f"{count} {_esc(category)}" for category, count in categories.items())
        + ".</p>"
    )
    fail_on = ", ".join(sorted(verdict.value for verdict in view.gate_options.fail_on)) or "nothing"
    parts.append(f"<p>Blocking statuses (<code>--fail-on</code>): {_esc(fail_on)}.</p>")
    if view.inputs:
        parts.append("<p>Inputs:</p><ul>")
        parts.extend(
            f"<li><code>{_esc(item.path)}</code>: {_esc(item.kind)}, {item.packages} packages</li>"
            for item in view.inputs
        )
        parts.append("</ul>")
    if view.errors:
        parts.append('<p class="verdict failed">Inputs that could not be read:</p><ul>')
        parts.extend(
            f"<li><code>{_esc(error.source)}</code>: {_esc(error.reason)}</li>" for error in view.errors
        )
        parts.append("</ul>")
    if view.config:
        parts.append("<p>Repository configuration on policy hosts:</p><ul>")
        parts.extend(
            f"<li><code>{_esc(item.fact.subject)}</code>: {_esc(item.text)}"
            + (' <span class="gate gate-blocking">blocking</span>' if item.blocks else "")
            + "</li>"
            for item in view.config
        )
        parts.append("</ul>")
    if view.policy.sources:
        parts.append(
            "<p>Policy: " + ", ".join(f"<code>{_esc(s)}</code>" for s in view.policy.sources) + "</p>"
        )
    parts.append("</section>")
    return parts


def _table() -> list[str]:
    options = [
        ("", "all"),
        ("flagged", "flagged (not clean)"),
        ("blocking", "blocking"),
        ("waived", "waived"),
    ]
    options += [(verdict.value, verdict.value) for verdict in Verdict]
    return [
        '<section id="packages">',
        "<h2>Packages</h2>",
        '<div class="controls">',
        '<label>Filter <input id="filter" type="search" placeholder="name, status, reason, vendor, summary"'
        ' autocomplete="off"></label>',
        '<label>Status <select id="status">'
        + "".join(f'<option value="{value}">{_esc(label)}</option>' for value, label in options)
        + "</select></label>",
        '<span id="shown" role="status"></span>',
        "</div>",
        '<table id="package-table"><thead><tr><th>package</th><th>status</th><th>why</th><th>vendor</th>'
        '<th>summary</th></tr></thead><tbody id="package-rows"></tbody></table>',
        "<noscript><p>The package table needs JavaScript; the flagged packages below do not.</p></noscript>",
        "</section>",
    ]


def _data(view: ReportView, anchors: dict[int, str]) -> str:
    """The table's rows: flagged packages worst first, then the clean ones by name."""
    flagged = view.flagged
    listed = {row.index for row in flagged}
    packages = [
        {
            "nevra": clean_text(row.package.nevra),
            "status": row.status.value,
            "gate": row.gate.value,
            "why": clean_text(row.why),
            "vendor": clean_text(row.package.vendor or ""),
            "summary": clean_text(row.package.summary or ""),
            "anchor": anchors.get(row.index, ""),
        }
        for row in [*flagged, *(row for row in view.rows if row.index not in listed)]
    ]
    return script_json({"packages": packages})


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left raw."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _section(row: PackageView, view: ReportView, anchor: str) -> str:
    badge = f'<span class="badge status-{row.status.value}">{row.status.value}</span>'
    if row.gate is not Gate.NONE:
        badge += f' <span class="gate gate-{row.gate.value}">{row.gate.value}</span>'
    parts = [
        f'<article class="package status-{row.status.value}" id="{anchor}">',
        f"<h3>{badge} {_esc(row.package.nevra)}</h3>",
        f"<p>{_esc(row.why)}</p>",
    ]
    if row.facts:
        parts.append("<ul>")
        for item in row.facts:
            state = "blocks" if item.blocks else item.disposition.value
            message = f" \u2014 {_esc(item.fact.finding.message)}" if item.fact.finding is not None else ""
            resolution = item.fact.resolution
            text = (
                f"nothing provides <code>{_esc(str(resolution.dependency))}</code>"
                if resolution is not None
                else _esc(item.text)
            )
            parts.append(
                f'<li class="fact fact-{item.fact.kind.value}" data-blocks="{str(item.blocks).lower()}">'
                f"{_esc(item.fact.kind.value)}: {text}{message} "
                f'<span class="ruling">[{_esc(state)}: {_esc(item.reason)}]</span></li>'
            )
        parts.append("</ul>")
    if row.chain:
        parts.append(chain_svg(row, view))
    if row.waivers:
        parts.append(f"<p>Waived by {_esc(', '.join(row.waivers))}.</p>")
    parts.append("</article>")
    return "\n".join(parts)


# -- the chain as SVG -----------------------------------------------------------------------

BOX_WIDTH = 620
BOX_HEIGHT = 44
GAP = 40
PAD = 8
ARROW_X = PAD + 28
CHAR_WIDTH = 7.3  # 12px monospace
HOP_WORDS = {"requires": "needs", "buildrequires": "build needs", "built-from": "built from"}


def chain_svg(row: PackageView, view: ReportView) -> str:
    """The chain as a column of boxes (one per package, coloured by status) joined by labelled arrows."""
    steps = [row.index, *(hop.target for hop in row.chain)]
    height = 2 * PAD + len(steps) * BOX_HEIGHT + (len(steps) - 1) * GAP
    width = 2 * PAD + BOX_WIDTH
    parts = [
        f'<svg class="chain" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc("chain of " + row.package.nevra)}" font-family="ui-monospace, monospace" '
        'font-size="12">'
    ]
    evidence = view.chain_evidence(row.chain)
    for position, index in enumerate(steps):
        top = PAD + position * (BOX_HEIGHT + GAP)
        step = view.row(index)
        status = step.status.value if step is not None else UNAUDITED
        state = step.gate.value if step is not None else ""
        detail = f"{status} ({state})" if state else status
        if position == len(steps) - 1 and evidence is not None:
            detail += ": " + evidence.text
        stroke, fill = PALETTE[status]
        nevra = view.packages[index].nevra
        parts.append(
            f'<g class="step status-{status}"><title>{_esc(nevra + chr(10) + detail)}</title>'
            f'<rect x="{PAD}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2 if state == "blocking" else 1}"/>'
            f'<text x="{PAD + 10}" y="{top + 18}" font-weight="bold" fill="#1f2328">'
            f"{_fit(nevra, BOX_WIDTH - 20)}</text>"
            f'<text x="{PAD + 10}" y="{top + 35}" fill="{stroke}">{_fit(detail, BOX_WIDTH - 20)}</text></g>'
        )
        if position < len(row.chain):
            parts.append(_arrow(row.chain[position], top + BOX_HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def _arrow(hop: Hop, start: int) -> str:
    end = start + GAP
    label = HOP_WORDS.get(hop.kind, hop.kind)
    if hop.requirement and hop.kind != "built-from":
        label += f": {hop.requirement}"
    label += alternatives_text(hop)
    return (
        f'<g class="hop"><title>{_esc(label)}</title>'
        f'<line x1="{ARROW_X}" y1="{start}" x2="{ARROW_X}" y2="{end - 7}" stroke="#57606a" '
        'stroke-width="1.5"/>'
        f'<polygon points="{ARROW_X - 5},{end - 8} {ARROW_X + 5},{end - 8} {ARROW_X},{end}" fill="#57606a"/>'
        f'<text x="{ARROW_X + 14}" y="{start + GAP // 2 + 4}" fill="#57606a">'
        f"{_fit(label, BOX_WIDTH - (ARROW_X + 14))}</text></g>"
    )


def _fit(text: str, width: float) -> str:
    """``text`` escaped, cut with an ellipsis to what fits ``width`` pixels of 12px monospace."""
    room = max(int(width / CHAR_WIDTH), 4)
    text = " ".join(clean_text(text).split())
    if len(text) > room:
        text = text[: room - 1] + "\u2026"
    return _esc(text)


def _esc(text: str) -> str:
    return html.escape(clean_text(text), quote=True)
