"""The HTML report: self-contained, inert package data, and a table and chains that work in a browser.

The browser checks run the system's chromium headless through Playwright (`tests.browser`):
they open the report, let its script run, refuse and record every request it would make,
and read the DOM. Without chromium they fail and say what to install; set
``AUDITOR_SKIP_BROWSER=1`` to skip them on purpose. A screenshot of the report is kept in
pytest's temporary directory (its path is printed; ``pytest -s`` shows it). The page's other
parts (the chart, the drawings, progress, widths) are checked in test_report_html_page.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from auditor.reports.html_report import script_json
from auditor.reports.render import FORMATS
from tests.browser import launched, opened
from tests.conftest import RPMS
from tests.report_cases import HOSTILE_NAME, HOSTILE_SUMMARY, HOSTILE_VENDOR, WAIVER, gate_view, scan


class Page(HTMLParser):
    """What the checks need from a page: every tag with its attributes, table rows, scripts, SVGs."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: list[tuple[dict[str, str], str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._row: dict[str, str] | None = None
        self._row_text: list[str] = []
        self._in_body_rows = False
        self._script: dict[str, str] | None = None
        self._script_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "tbody" and attributes.get("id") == "package-rows":
            self._in_body_rows = True
        elif tag == "tr" and self._in_body_rows:
            self._row, self._row_text = attributes, []
        elif tag == "script":
            self._script, self._script_text = attributes, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body_rows = False
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._row, " ".join(self._row_text)))
            self._row = None
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row_text.append(data)
        if self._script is not None:
            self._script_text.append(data)

    def first(self, tag: str) -> dict[str, str]:
        return next(attributes for name, attributes in self.tags if name == tag)

    def visible_rows(self) -> list[tuple[dict[str, str], str]]:
        return [(attributes, text) for attributes, text in self.rows if "hidden" not in attributes]


# -- the page as written --------------------------------------------------------------------


def test_page_is_self_contained_and_its_only_script_is_allowed_by_hash() -> None:
    text = FORMATS["html"](gate_view(hostile=True))
    page = Page(text)
    csp = next(
        a["content"]
        for tag, a in page.tags
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    directives = dict(item.strip().split(" ", 1) for item in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["img-src"] == "data:"
    assert directives["style-src"] == "'unsafe-inline'"
    (code,) = [body for attributes, body in page.scripts if "type" not in attributes]
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives["script-src"].split()
    assert [attributes.get("type") for attributes, _ in page.scripts] == ["application/json", None]
    # Nothing is loaded from anywhere: no src, no stylesheet link, no external href, no CSS URL.
    for tag, attributes in page.tags:
        assert "src" not in attributes and "srcset" not in attributes, (tag, attributes)
        assert tag not in ("link", "iframe", "object", "embed", "base", "form")
        if "href" in attributes:
            assert attributes["href"].startswith("#"), attributes
    assert "url(" not in text and "@import" not in text


def test_untrusted_package_data_stays_text() -> None:
    text = FORMATS["html"](gate_view(hostile=True))
    for raw in ("<script>alert(1)</script>", "<img src=x", "</script><script>", '"pwned"', "<b>&"):
        assert raw not in text
    page = Page(text)
    # Only the two scripts the report writes; no element the data could have opened.
    assert len(page.scripts) == 2
    assert not [tag for tag, _ in page.tags if tag in ("img", "b")]
    # The table's data still carries the exact text, to be set as textContent by the script.
    data = json.loads(page.scripts[0][1])
    rows = {row["nevra"]: row for row in data["packages"]}
    assert rows["fine-1.0-1.noarch"]["summary"] == HOSTILE_SUMMARY
    assert rows["xenlicense-1.0-1.noarch"]["vendor"] == HOSTILE_VENDOR.replace("\x01", "\ufffd")
    assert f"{HOSTILE_NAME}-1.0-1.noarch" in rows
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # escaped where HTML shows it
    assert script_json("</script><!--\u2028&") == '"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026"'


def test_each_flagged_package_with_a_chain_is_drawn() -> None:
    text = FORMATS["html"](gate_view())
    sections = re.findall(
        r'<article class="package status-([a-z-]+)" id="(pkg-\d+)">(.*?)</article>', text, re.S
    )
    titles = [re.search(r"</span> ([^<]+)</h3>", body) for _, _, body in sections]
    assert all(titles)
    by_title = {
        title.group(1): (status, body)
        for title, (status, _, body) in zip(titles, sections, strict=True)
        if title is not None
    }
    assert set(by_title) == {
        "xenlicense-1.0-1.noarch",
        "xapi-1.0-1.noarch",
        "xapi-tools-1.0-1.noarch",
        "chooser-1.0-1.noarch",
        "builder-1.0-1.src",
        "builder-bin-1.0-1.noarch",
        "lonely-1.0-1.noarch",
    }
    status, body = by_title["xapi-tools-1.0-1.noarch"]
    assert status == "depends" and f"Waived by {WAIVER}." in body and "gate-waived" in body
    svg = body[body.index("<svg") :]
    assert svg.count("<rect") == 3 and svg.count("<polygon") == 2
    assert ">needs: xapi</text>" in svg and ">needs: xenlicense &gt;= 1.0</text>" in svg
    assert 'fill="#fde2e4"' in svg  # the origin box at the end
    assert "<svg" not in by_title["lonely-1.0-1.noarch"][1]  # no chain: the missing requirement is listed
    assert "nothing provides <code>missing-thing</code>" in by_title["lonely-1.0-1.noarch"][1]


def test_html_from_the_fixtures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _ = scan([str(RPMS), "--format", "html", "-o", str(target)], capsys)
    text = target.read_text()
    assert code == 1 and text.startswith("<!DOCTYPE html>")
    data = json.loads(Page(text).scripts[0][1])
    assert len(data["packages"]) == 40
    assert [row["status"] for row in data["packages"][:6]] == ["origin"] * 6


# -- in a browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as found:
        yield found


@pytest.fixture(scope="module")
def report() -> str:
    return FORMATS["html"](gate_view(hostile=True))


ROWS = """() => Array.from(document.querySelectorAll("#package-rows tr")).map(row => ({
  status: row.dataset.status, gate: row.dataset.gate, hidden: row.hidden,
  nevra: row.cells[0].textContent}))"""


def test_browser_renders_the_table_and_the_chains(browser: Any, report: str, tmp_path: Path) -> None:
    with opened(browser, report, width=1280) as page:
        rows = page.page.evaluate(ROWS)
        assert len(rows) == len([row for row in rows if not row["hidden"]]) == 11
        assert page.page.evaluate("document.body.dataset.shown") == "11"
        assert [(row["status"], row["gate"]) for row in rows[:7]] == [
            ("origin", "blocking"),
            ("origin", "blocking"),
            ("depends", "blocking"),
            ("build-depends", "blocking"),
            ("build-depends", "blocking"),
            ("unresolved", "blocking"),
            ("depends", "waived"),
        ]
        # The flagged packages' chains: one SVG each, drawn (not hidden), and nothing else in that section.
        chains = page.page.locator("#chains svg")
        assert chains.count() == 5
        assert all("chain" in (chains.nth(i).get_attribute("class") or "") for i in range(5))
        assert all(chains.nth(i).is_visible() for i in range(5))
        # One box per package on each chain: xapi 2, xapi-tools 3, chooser 2, builder 4, builder-bin 5.
        assert page.page.locator("#chains svg rect").count() == 16
        screenshot = tmp_path / "report.png"
        page.page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot of the HTML report: {screenshot}")


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("#status=depends", {"xapi-1.0-1.noarch", "xapi-tools-1.0-1.noarch"}),
        ("?status=waived", {"xapi-tools-1.0-1.noarch"}),
        (
            "#status=blocking",
            {
                "xenlicense-1.0-1.noarch",
                f"{HOSTILE_NAME}-1.0-1.noarch",
                "lonely-1.0-1.noarch",
                "xapi-1.0-1.noarch",
                "builder-1.0-1.src",
                "builder-bin-1.0-1.noarch",
            },
        ),
        ("#filter=builder", {"builder-1.0-1.src", "builder-bin-1.0-1.noarch"}),
        ("#filter=alert(1)&status=origin", {"xenlicense-1.0-1.noarch"}),
        ("?filter=XAPI%20Waived", {"xapi-tools-1.0-1.noarch"}),
        ("#status=nonsense", None),
    ],
)
def test_browser_filters_rows(browser: Any, report: str, suffix: str, expected: set[str] | None) -> None:
    with opened(browser, report, suffix=suffix) as page:
        rows = page.page.evaluate(ROWS)
        visible = {row["nevra"] for row in rows if not row["hidden"]}
        if expected is None:  # an unknown status shows everything
            assert len(visible) == len(rows) == 11
        else:
            assert visible == expected
        assert page.page.evaluate("document.body.dataset.shown") == str(len(visible))


@pytest.mark.parametrize("piece", [1, 1 << 20])
def test_the_page_written_in_pieces_holds_the_table_data_script_json_writes_whole(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.reports import html_report

    monkeypatch.setattr(html_report, "SPOOL_PIECE", piece)
    view = gate_view(hostile=True)
    pieces = list(html_report.render_chunks(view))
    page = "".join(pieces)
    start = '<script type="application/json" id="auditor-data">'
    data = page[page.index(start) + len(start) : page.index("</script>", page.index(start))]
    assert data == script_json(json.loads(data))
    assert len(json.loads(data)["packages"]) == len(view.rows)
    assert HOSTILE_SUMMARY in {row["summary"] for row in json.loads(data)["packages"]}
    assert len(pieces) == (3 + len(view.rows) if piece == 1 else 3)  # the head, each row, "]}", the tail
