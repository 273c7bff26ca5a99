"""One verdict: every output renders the gate's one decision.

The same audit is rendered in every format (`auditor.reports.render.FORMATS`) under several gate
set-ups (waivers of a package, of one rule, of a category and of a gap; a baseline; policy
allows; ``--strict``; a wider ``--fail-on``). From each output a reader takes back what it
says blocks and the exit code it states, and all of them must say what the decision says.
Every format needs a reader (`tests.reports.verdict_readers`): a format added without one fails
this test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from auditor.audit.facts import FactKind
from auditor.gate.baseline import Baseline, BaselineEntry
from auditor.gate.decision import Disposition
from auditor.gate.options import GateOptions
from auditor.origin.findings import Verdict
from auditor.reports import html_chains, markdown
from auditor.reports.render import FORMATS, render_pieces
from auditor.reports.view import ReportView
from auditor.rpm.gaps import Gap, GapKind
from tests.report_cases import CITRIX, GATE, TODAY, audit_of, view_of, waiver
from tests.reports.verdict_readers import READERS

SPECS: list[dict[str, Any]] = [
    *GATE,
    # Two pieces of evidence: a rule-scoped waiver must leave the other one blocking.
    {"name": "firmware", **CITRIX, "license": "Proprietary"},
    {"name": "needs-firmware", "requires": ["firmware"]},
    # A source whose build reaches a Citrix package and that has a BuildRequires nothing provides.
    {"name": "half", "arch": "src", "requires": ["xapi-tools", "nothing-gives-this"]},
    {"name": "gappy", "gaps": [("source-not-audited", "gappy-1.0-1.src.rpm")]},
    {"name": "noted", "url": "https://noted.example/noted.tar.gz"},
]


def _setups() -> dict[str, ReportView]:
    audit = audit_of(SPECS)
    by_name = {result.package.name: result for result in audit.results}
    lonely = next(f for f in by_name["lonely"].facts if f.rule == "status:unresolved")
    xapi = next(f for f in by_name["xapi"].facts if f.rule == "status:depends")
    baseline = Baseline(
        [
            BaselineEntry(fingerprint=f.fingerprint, kind=f.rule, package=f.subject, capability=f.capability)
            for f in (lonely, xapi)
        ]
    )
    wide = frozenset({Verdict.ORIGIN, Verdict.DEPENDS, Verdict.UNRESOLVED, Verdict.BUILD_DEPENDS})
    return {
        "default": view_of(audit),
        "waivers": view_of(
            audit,
            [
                waiver("xapi-tools"),
                waiver("firmware", "rule-scoped", rule="proprietary-license"),
                waiver("needs-firmware", "by-category", category="citrix"),
                waiver("gappy", "a-gap", rule="gap:*"),
            ],
        ),
        "baseline-strict-wide": view_of(
            audit, gate=GateOptions(fail_on=wide, strict=True, today=TODAY), baseline=baseline
        ),
    }


CROWDED_MISSING = 510
"""Requirements nothing provides of one package: more facts than any format lists one by one."""
RUN_GAPS = 501
"""Run-level gaps: more than the HTML report's `MAX_SECTIONS`."""


def _crowded() -> ReportView:
    """A package with more facts than every cut-off, whose only blocking facts come last: the
    baseline accepts its first 510 (its depends and all unresolved requirements but the last),
    and ``--strict`` makes its gap, the very last, block. Beside it, more run gaps and more
    facts fixed since the baseline than the HTML report lists, a stale waiver that blocks, and
    a package whose reason is longer than any format's line and that also blocks otherwise."""
    crowded = {
        "name": "crowded",
        "requires": ["xapi", *(f"missing-{n:03d}" for n in range(CROWDED_MISSING))],
        "sourcerpm": "crowded-1.0-1.src.rpm",  # not in the run: its one gap
    }
    long_reason = {"name": "long-reason", "vendor": "Citrix Systems, Inc. " + "x" * 300, "requires": ["gone"]}
    run_gaps = [Gap(GapKind.SOURCE_NOT_AUDITED, f"input-{n:03d}: not read") for n in range(RUN_GAPS)]
    audit = audit_of([*SPECS, crowded, long_reason], run_gaps=run_gaps)
    [result] = [r for r in audit.results if r.package.name == "crowded"]
    accepted = [f for f in result.facts if f.kind is not FactKind.GAP][:-1]
    fixed = [
        BaselineEntry(
            fingerprint=f"fixed-{n}", kind="status:unresolved", package="crowded", capability=f"was-{n}"
        )
        for n in range(RUN_GAPS)
    ]
    baseline = Baseline(
        [
            *(BaselineEntry(fingerprint=f.fingerprint, kind=f.rule, package=f.subject, capability=f.capability)
              for f in accepted),
            *fixed,
        ]
    )  # fmt: skip
    gate = GateOptions(strict=True, stale_waivers_block=True, today=TODAY)
    return view_of(audit, [waiver("xapi-tools"), waiver("no-such-package", "stale")], gate, baseline)


SETUPS = {**_setups(), "crowded": _crowded()}


def test_every_format_has_a_reader() -> None:
    assert set(READERS) == set(FORMATS)


@pytest.mark.parametrize("setup", sorted(SETUPS))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_says_what_the_decision_says(fmt: str, setup: str) -> None:
    view = SETUPS[setup]
    said = READERS[fmt](FORMATS[fmt](view), view)
    if said.exit_code is not None:
        assert said.exit_code == int(view.exit_code)
    if said.blocking is not None:
        assert said.blocking == {row.package.nevra for row in view.rows if row.blocking}
    if said.facts is not None:
        expected = {ruling.fact.fingerprint: ruling.blocks for ruling in view.decision.rulings}
        assert said.facts == expected


def test_the_set_ups_cover_every_ruling() -> None:
    seen = {ruling.disposition for view in SETUPS.values() for ruling in view.decision.rulings}
    assert seen == set(Disposition)
    waivers = SETUPS["waivers"]
    (firmware,) = waivers.by_name("firmware")
    rulings = {item.fact.rule: item.disposition for item in firmware.facts}
    assert rulings["proprietary-license"] is Disposition.WAIVED
    assert rulings["citrix-vendor"] is Disposition.BLOCKS and firmware.blocking
    (half,) = SETUPS["default"].by_name("half")
    # both block by default: the status is the worse, and the why names the other (a status
    # a narrower --fail-on does not gate never hides one it does: test_one_verdict_scenarios)
    assert half.status is Verdict.BUILD_DEPENDS and half.blocking and "also blocks: unresolved" in half.why
    assert {status.value for status in half.statuses} == {"build-depends", "unresolved"}
    assert int(SETUPS["baseline-strict-wide"].exit_code) == 3  # the gap blocks under --strict


def test_no_cut_off_hides_what_blocks_or_a_gap_and_each_says_what_it_left_out() -> None:
    view = SETUPS["crowded"]
    [crowded] = view.by_name("crowded")
    [long_reason] = view.by_name("long-reason")
    blocking = [item for item in crowded.facts if item.blocks]
    assert [item.fact.kind for item in blocking] == [FactKind.UNRESOLVED, FactKind.GAP]
    assert "also blocks: gap, unresolved" in long_reason.why and len(long_reason.why) > markdown.MAX_REASON
    assert int(view.exit_code) == 3
    # Markdown: every blocking fact and gap of the package listed, the rest counted.
    out = FORMATS["markdown"](view)
    details = out[out.index("<summary><code>crowded-1.0-1.noarch</code>") :].split("</details>")[0]
    assert "`nothing provides missing-509`" in details and "- gap: `not seen: source-not-audited" in details
    assert crowded.facts.index(blocking[0]) >= markdown.MAX_FACTS  # past the cut-off, in order
    left = len(crowded.facts) - markdown.MAX_FACTS
    assert details.count("\n- ") == markdown.MAX_FACTS + 1
    assert f"- ... and {left} more facts (0 blocking, 0 gaps): the JSON report lists them all" in details
    # A one-line reason is cut, never what else blocks.
    row = next(line for line in out.splitlines() if line.startswith("| `long-reason-1.0-1.noarch`"))
    assert "…; also blocks: gap, unresolved` |" in row and len(row) < 300
    # HTML: every fact of a package and every run gap; the gate's notes whole, its per-fact lines counted.
    page = FORMATS["html"](view)
    article = re.search(r"<h3>[^\n]* crowded-1\.0-1\.noarch</h3>.*?</article>", page, re.S)
    assert article is not None
    assert article.group(0).count('<li class="fact') == len(crowded.facts)
    assert all(f"input-{n:03d}: not read" in page for n in range(RUN_GAPS))
    assert "stale waiver stale (no-such-package): matches nothing (blocking)" in page
    decision = view.decision
    per_fact = sum(1 for r in decision.rulings if r.waiver) + len(decision.fixed) + len(decision.gone)
    left = per_fact - html_chains.MAX_SECTIONS
    assert left > 0
    assert f"... and {left} more facts waived, fixed or gone (none blocking): the JSON report" in page
    # The table on a narrow terminal: the reason cut, what else blocks kept.
    table = "".join(str(piece) for piece in render_pieces("table", view, width=100))
    lines = table.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("long-reason-1.0-1.noarch"))
    assert "also blocks: gap, unresolved" in " ".join(lines[start : start + 3])
    assert max(len(line) for line in lines[start : start + 3]) <= 100
    # The formats that list every fact (JSON, SARIF) are read back by the test above; the others
    # name packages, not facts, and show this one blocking.
    for fmt in sorted(FORMATS):
        said = READERS[fmt](FORMATS[fmt](view), view)
        assert said.blocking is None or {"crowded-1.0-1.noarch", "long-reason-1.0-1.noarch"} <= said.blocking
