"""The independence page in a browser: the chart is the plan, a bar opens its drawing, progress, widths.

Each page is opened in headless Chromium (`tests.browser`) at 800 and 1,400 pixels; every
test also checks that no request left the page and that the Content Security Policy was never
violated (`tests.browser.Opened.check`), and two controls show those checks catch both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.plan import DependentsFinder, make_plan
from auditor.cli.main import main
from auditor.engine import run_audit
from auditor.gate.audit_side import side_of_audit
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.gate.progress import Change, compare
from auditor.origin.policy import load_policy
from auditor.reports.html_holdback import MAX_BARS, MAX_NODES
from auditor.reports.render import FORMATS
from auditor.reports.view import ReportView, build_view
from tests.browser import assert_fits, launched, opened
from tests.paths import ROOT
from tests.report_cases import CITRIX, GATE, TODAY, audit_of, gate_view, scan, view_of, waiver

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
WIDTHS = (800, 1400)
EARLIER: list[dict[str, Any]] = [
    {"name": "xenlicense", **CITRIX, "provides": ["licensing"]},
    {"name": "freelicense", "provides": ["licensing"]},
    {"name": "xapi", "requires": ["xenlicense >= 1.0"]},
    {"name": "xapi-tools", "requires": ["xapi"]},
    {"name": "chooser", "requires": ["licensing"]},
    {"name": "fine", **CITRIX},  # Citrix then, clean now: fixed
    {"name": "oldcitrix", **CITRIX},  # no longer there: gone, not fixed
    {"name": "oldtool", "requires": ["oldcitrix"]},  # gone with its package
    {"name": "lonely"},  # its missing requirement is new
]
LONG = "a" * 160
LONG_URL = "https://code.citrite.net/" + "x" * 300


def _example() -> ReportView:
    audit = run_audit(AuditOptions(targets=(str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"))), load_policy())
    return build_view(audit, decide(audit, GateOptions(today=TODAY)))


def _progress() -> ReportView:
    earlier = audit_of(EARLIER)
    before = side_of_audit(earlier, decide(earlier, GateOptions(today=TODAY)))
    later = view_of(audit_of(GATE), [waiver("xapi-tools")])
    comparison = compare(before, side_of_audit(later.audit, later.decision))
    return build_view(later.audit, later.decision, comparison)


def _long() -> ReportView:
    """Names and reasons with nothing to break them at: they must wrap, not push the page wider."""
    specs: list[dict[str, Any]] = [
        {"name": LONG, **CITRIX, "url": LONG_URL},
        {"name": LONG + "-user", "requires": [LONG]},
        {"name": "user-of-" + LONG, "requires": [LONG + "-user"]},
    ]
    return view_of(audit_of(specs))


VIEWS = {"gate": lambda: gate_view(hostile=True), "example": _example, "progress": _progress, "long": _long}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as found:
        yield found


@pytest.fixture(scope="module")
def views() -> dict[str, ReportView]:
    return {name: make() for name, make in VIEWS.items()}


BARS = """() => Array.from(document.querySelectorAll("button.bar")).map(bar => ({
  source: bar.dataset.source, count: Number(bar.dataset.count),
  name: bar.querySelector(".bar-name").textContent, shown: bar.querySelector(".bar-count").textContent,
  fill: bar.querySelector(".bar-fill").getBoundingClientRect().width,
  track: bar.querySelector(".bar-track").getBoundingClientRect().width}))"""
PANELS = """() => Array.from(document.querySelectorAll("section.focus")).map(panel => ({
  source: panel.dataset.source, visible: !panel.hidden && panel.getBoundingClientRect().height > 0,
  held: Array.from(panel.querySelectorAll("g.node-held")).map(node => node.dataset.nevra),
  origin: Array.from(panel.querySelectorAll("g.node-origin")).map(node => node.dataset.nevra),
  nodes: panel.querySelectorAll("g.node").length, edges: panel.querySelectorAll("g.edge").length}))"""


@pytest.mark.parametrize("name", ["gate", "example"])
def test_the_bars_are_the_plan(browser: Any, views: dict[str, ReportView], name: str) -> None:
    view = views[name]
    plan = make_plan(view.audit)
    expected = [(item.source, len(item.holds_back)) for item in plan.items[:MAX_BARS]]
    assert expected and any(count for _, count in expected)  # the case charts something
    with opened(browser, FORMATS["html"](view)) as page:
        bars = page.page.evaluate(BARS)
        assert [(bar["source"], bar["count"]) for bar in bars] == expected
        assert [(bar["name"], int(bar["shown"])) for bar in bars] == expected
        most = max(count for _, count in expected)
        for bar, (_, count) in zip(bars, expected, strict=True):  # the bars' lengths are the counts
            assert bar["fill"] == pytest.approx(bar["track"] * count / most, abs=1.5)


def test_a_bar_opens_its_dependents(browser: Any, views: dict[str, ReportView]) -> None:
    view = views["example"]
    plan = {item.source: item for item in make_plan(view.audit).items}
    top = next(iter(plan))

    def nevras(ids: list[int]) -> set[str]:
        return {view.packages[index].nevra for index in ids}

    with opened(browser, FORMATS["html"](view)) as page:
        panels = {panel["source"]: panel for panel in page.page.evaluate(PANELS)}
        assert set(panels) == set(plan)
        # At first, the first bar's drawing.
        assert [source for source, panel in panels.items() if panel["visible"]] == [top]
        page.page.locator("button.bar[data-source='citrix-build-tools']").click()
        panels = {panel["source"]: panel for panel in page.page.evaluate(PANELS)}
        assert [source for source, panel in panels.items() if panel["visible"]] == ["citrix-build-tools"]
        assert (
            page.page.locator("button.bar[data-source='citrix-build-tools']").get_attribute("aria-pressed")
            == "true"
        )
        assert "origin=citrix-build-tools" in page.page.evaluate("location.hash")
        tools = panels["citrix-build-tools"]
        # Every package it holds back is drawn as held back, with its chain to its packages.
        assert set(tools["held"]) == nevras(plan["citrix-build-tools"].holds_back) and len(tools["held"]) == 3
        assert set(tools["origin"]) <= nevras(plan["citrix-build-tools"].packages) and tools["origin"]
        # A tree: one arrow from each dependent.
        assert tools["edges"] == tools["nodes"] - len(tools["origin"])
        assert page.page.locator("#holdback svg.dependents").filter(visible=True).count() == 1
    # The fragment opens the same drawing.
    with opened(browser, FORMATS["html"](view), suffix="#origin=xcp-python-libs") as page:
        visible = [panel for panel in page.page.evaluate(PANELS) if panel["visible"]]
        assert [panel["source"] for panel in visible] == ["xcp-python-libs"]
        assert set(visible[0]["held"]) == nevras(plan["xcp-python-libs"].holds_back)


def test_each_dependent_has_a_chain_of_real_edges_to_its_origin(views: dict[str, ReportView]) -> None:
    """What a drawing draws: checked against the run's networkx graph, edge by edge."""
    audit = views["example"].audit
    edges = audit.graph.graph
    finder = DependentsFinder(audit)
    for item in make_plan(audit).items:
        dependents = finder.of(item.packages)
        assert set(item.holds_back) <= set(dependents.toward)  # every package it holds back needs it
        for index in dependents.toward:
            chain = dependents.chain(index)
            assert len(chain) == dependents.distance[index] and chain[-1].target in item.packages
            assert chain[0].source == index
            for hop in chain:
                assert edges.has_edge(hop.source, hop.target)
                assert edges.edges[hop.source, hop.target]["kind"] == hop.kind


def test_every_drawing_is_on_the_page_without_its_script(views: dict[str, ReportView]) -> None:
    text = FORMATS["html"](views["example"])
    panels = re.findall(r'<section class="focus"[^>]*>', text)
    assert len(panels) == len(make_plan(views["example"].audit).items)
    assert not [panel for panel in panels if "hidden" in panel]  # the script hides all but one


def test_a_drawing_is_capped(browser: Any) -> None:
    """One origin needed by many: the drawing shows `MAX_NODES` packages and says how many it left out."""
    specs: list[dict[str, Any]] = [
        {"name": "hub", **CITRIX},
        *({"name": f"user{n:03d}", "requires": ["hub"]} for n in range(90)),
    ]
    view = view_of(audit_of(specs))
    with opened(browser, FORMATS["html"](view), width=800) as page:
        (panel,) = page.page.evaluate(PANELS)
        assert panel["nodes"] == MAX_NODES and len(panel["held"]) == MAX_NODES - 1
        assert "The drawing shows 39 of the 90 packages that need it" in page.page.inner_text("#focus-0")
        assert_fits(page.page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_the_page_fits_its_width(browser: Any, views: dict[str, ReportView], name: str, width: int) -> None:
    with opened(browser, FORMATS["html"](views[name]), width=width) as page:
        assert_fits(page.page)
        # Everything shown at once: each origin's drawing, every list.
        page.page.evaluate(
            """() => { document.querySelectorAll("section.focus").forEach(p => { p.hidden = false; });
                       document.querySelectorAll("details").forEach(d => { d.open = true; }); }"""
        )
        assert_fits(page.page)
        hidden = page.page.evaluate(
            """() => ["package", "status", "why", "vendor", "summary"].filter(column =>
                 getComputedStyle(document.querySelector("#package-table th.col-" + column)).display === "none")"""
        )
        assert hidden == ([] if width == 1400 else ["vendor", "summary"])


def test_the_filter_follows_typing_and_the_fragment(browser: Any, views: dict[str, ReportView]) -> None:
    with opened(browser, FORMATS["html"](views["example"]), width=800) as page:
        rows = """() => Array.from(document.querySelectorAll("#package-rows tr"))
                  .filter(row => !row.hidden).map(row => [row.cells[0].textContent, row.textContent])"""
        everything = page.page.evaluate(rows)
        assert len(everything) == 31
        page.page.fill("#filter", "SM-")
        shown = page.page.evaluate(rows)
        assert {nevra for nevra, text in everything if "sm-" in text.lower()} == {nevra for nevra, _ in shown}
        assert 0 < len(shown) < 31
        page.page.select_option("#status", "depends")
        assert {nevra for nevra, _ in page.page.evaluate(rows)} == {
            "xenopsd-0.150.0-1.xcpng.noarch",  # needs sm-cli
            "xcp-ng-deps-1.0-1.xcpng.noarch",  # 3 hops to sm-2.30.8-1.xcpng.src
        }
        assert page.page.evaluate("location.hash") == "#filter=SM-&status=depends"
        assert page.page.inner_text("#shown") == "Showing 2 of 31 packages"
        page.page.fill("#filter", "")
        page.page.select_option("#status", "")
        assert len(page.page.evaluate(rows)) == 31


def test_a_long_table_lists_a_thousand_rows_at_a_time(browser: Any) -> None:
    """60,000 rows in the DOM take a browser many seconds: the table lists 1,000 matching rows at
    a time, and the filter still searches every package."""
    view = view_of(audit_of([{"name": f"pkg{n:04d}"} for n in range(1500)]))
    with opened(browser, FORMATS["html"](view), width=800) as page:
        count = "() => document.querySelectorAll('#package-rows tr').length"
        assert page.page.evaluate(count) == 1000
        assert (
            page.page.inner_text("#shown") == "Showing the first 1000 of 1500 matching packages (1500 in all)"
        )
        assert page.page.evaluate("document.body.dataset.shown") == "1500"
        page.page.click("#more")
        assert page.page.evaluate(count) == 1500 and not page.page.is_visible("#more")
        assert page.page.inner_text("#shown") == "Showing 1500 of 1500 packages"
        page.page.fill("#filter", "pkg149")  # among the rows not listed at first
        assert page.page.evaluate(
            "() => Array.from(document.querySelectorAll('#package-rows tr')).map(row => row.cells[0].textContent)"
        ) == [f"pkg149{n}-1.0-1.noarch" for n in range(10)]
        page.page.fill("#filter", "")
        assert page.page.evaluate(count) == 1000 and page.page.is_visible("#more")
        assert_fits(page.page)


def test_progress_since_an_earlier_report(browser: Any, views: dict[str, ReportView]) -> None:
    view = views["progress"]
    comparison = view.progress
    assert comparison is not None
    with opened(browser, FORMATS["html"](view)) as page:
        tiles = page.page.evaluate(
            """() => Object.fromEntries(Array.from(document.querySelectorAll("#compare-counts .tile"))
                 .map(tile => [tile.dataset.change, Number(tile.dataset.count)]))"""
        )
        assert tiles == {change.value: len(comparison.of(change)) for change in Change}
        assert tiles["fixed"] and tiles["new"] and tiles["gone"]

        def subjects(change: str) -> set[str]:
            return set(
                page.page.evaluate(
                    f"""() => Array.from(document.querySelectorAll("#changes-{change} td.col-package"))
                          .map(cell => cell.textContent)"""
                )
            )

        assert subjects("fixed") == {"fine"}
        assert subjects("gone") == {"oldcitrix", "oldtool"}
        assert "lonely" in subjects("new")
        blocking = page.page.inner_text("#compare-blocking")
        assert (
            f"{comparison.blocking_before} in the earlier report, {comparison.blocking_after} now" in blocking
        )


def test_no_progress_says_how_to_get_it(views: dict[str, ReportView]) -> None:
    text = FORMATS["html"](views["gate"])
    assert 'id="no-progress"' in text and "--compare" in text and 'id="compare-counts"' not in text


# -- the checks can fail ----------------------------------------------------------------------


def test_a_request_leaving_the_page_is_caught(browser: Any, views: dict[str, ReportView]) -> None:
    text = FORMATS["html"](views["gate"])
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    text = text.replace("<main>", '<main><img src="http://elsewhere.invalid/pixel.png" alt="">', 1)
    with opened(browser, text, check=False) as page:
        page.page.wait_for_load_state("load")
        assert page.requests == ["http://elsewhere.invalid/pixel.png"]


def test_a_policy_violation_is_caught(browser: Any, views: dict[str, ReportView]) -> None:
    text = FORMATS["html"](views["gate"])
    text = text.replace("<main>", '<main><script>document.body.dataset.injected = "yes";</script>', 1)
    with opened(browser, text, check=False) as page:
        assert "injected" not in page.page.evaluate("Object.keys(document.body.dataset)")
        assert [v.split(" ")[0] for v in page.violations()] == ["script-src-elem"]
        assert any("Content Security Policy" in line for line in page.logged)


# -- scan --compare ---------------------------------------------------------------------------


def test_scan_compares_with_an_earlier_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inputs = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")]
    before, page = tmp_path / "before.json", tmp_path / "page.html"
    code, _ = scan([*inputs, "--format", "json", "-o", str(before)], capsys)
    assert code == 1
    code, _ = scan([*inputs, "--format", "html", "--compare", str(before), "-o", str(page)], capsys)
    assert code == 1
    counts = dict(re.findall(r'data-change="([a-z]+)" data-count="(\d+)"', page.read_text()))
    facts = {f["fingerprint"] for p in json.loads(before.read_text())["packages"] for f in p["facts"]}
    assert counts == {"new": "0", "fixed": "0", "gone": "0", "superseded": "0", "unchanged": str(len(facts))}
    # Another earlier report, same command line: the page is made again, not replayed.
    document = json.loads(before.read_text())
    document["packages"] = [p for p in document["packages"] if p["name"] != "sm"]
    before.write_text(json.dumps(document))
    code, _ = scan([*inputs, "--format", "html", "--compare", str(before), "-o", str(page)], capsys)
    counts = dict(re.findall(r'data-change="([a-z]+)" data-count="(\d+)"', page.read_text()))
    assert code == 1 and counts["new"] != "0"
    # Other formats take the option and leave it out.
    code, out = scan([*inputs, "--compare", str(before)], capsys)
    assert code == 1 and "sm-2.30.8" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "not a JSON report"), ('{"packages": []}', "report schema version None")],
)
def test_a_bad_earlier_report_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, reason: str
) -> None:
    before, page = tmp_path / "before.json", tmp_path / "page.html"
    before.write_text(content)
    code = main(
        ["scan", str(EXAMPLE / "repo"), "--format", "html", "--compare", str(before), "-o", str(page)]
    )
    err = capsys.readouterr().err
    assert code == 3 and not page.exists()
    assert err.splitlines() == [err.strip()] and err.startswith(f"auditor: error: {before}: {reason}")
